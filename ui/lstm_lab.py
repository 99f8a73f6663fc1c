"""The lab's Sequences section: the lecture's LSTM forecasting airline passengers, live."""

from __future__ import annotations

import streamlit as st

from core.data import airline
from core.figures import lab_plots, plots
from core.models import lstm
from core.training import forecast
from core.training.jobs import JobManager
from ui import classroom, runtime

CHART = {"displayModeBar": False}


def section(manager: JobManager) -> None:
    st.markdown("Monthly airline passengers (thousands), January 1949 to December 1960. The "
                "network sees `look-back` months and predicts the next; it trains on the first "
                f"{lstm.TRAIN_SHARE:.0%} and is tested on the rest.")
    cols = st.columns(3)
    look_back = cols[0].slider("Look-back (months)", 1, 24, 12, key="lab.lstm.look_back")
    hidden = cols[1].select_slider("LSTM units", (4, 8, 16, 32, 64, 128), value=32,
                                   key="lab.lstm.hidden")
    epochs = cols[2].slider("Epochs", 10, 500, 150, step=10, key="lab.lstm.epochs")
    cols = st.columns(3)
    stateful = cols[0].toggle("Stateful (memory across windows, batch 1)",
                              key="lab.lstm.stateful")
    log_scale = cols[1].toggle("Work on the logarithm", value=True, key="lab.lstm.log",
                               help="The seasonal swing grows with traffic; its logarithm's "
                                    "does not, so the test years look like the training years.")
    config = lstm.LSTMConfig(look_back=look_back, stateful=stateful, hidden=hidden,
                                  epochs=epochs, log_scale=log_scale)
    if classroom.button("Train", cols[2], type="primary", key="lab.lstm.train",
                        icon=":material/play_arrow:"):
        st.session_state["lab.lstm.job"] = forecast.submit(manager, config).id
    job = manager.get(st.session_state.get("lab.lstm.job", -1))
    if job is None:
        months, series = airline.load_series()
        st.plotly_chart(plots.curves(months, {"passengers": series.tolist()}, "month",
                                     "passengers (thousands)"), key="lab.lstm.series",
                        config=CHART)
        return
    if not job.state.finished:
        st.fragment(_follow, run_every=1.0)(manager, job.id)
        return
    if job.error:
        st.error(f"{job.title} failed: {job.error}")
        return
    result(job.result)


def _follow(manager: JobManager, job_id: int) -> None:
    job = manager.get(job_id)
    if job.state.finished:
        st.rerun(scope="app")
    runtime.render_job(job, manager, "lab.lstm")
    losses = [event["loss"] for event in job.events if "loss" in event]
    if losses:
        st.plotly_chart(plots.curves(list(range(1, len(losses) + 1)), {"loss": losses},
                                     "epoch", "mean squared error (scaled)"),
                        key="lab.lstm.loss", config=CHART)


def result(made: forecast.Forecast) -> None:
    st.plotly_chart(lab_plots.forecast(made.months, made.actual, made.train_predicted,
                                       made.test_predicted, (made.train_rmse, made.test_rmse)),
                    key="lab.lstm.forecast", config=CHART)
    kind = "stateful" if made.config.stateful else "stateless"
    lecture_train, lecture_test = lstm.LECTURE_RMSE[kind]
    st.dataframe([
        {"": "this run", "train RMSE": round(made.train_rmse, 2),
         "test RMSE": round(made.test_rmse, 2), "epochs": len(made.losses),
         "seconds": round(made.seconds, 1)},
        {"": f"the lecture ({kind}, 500 epochs)", "train RMSE": lecture_train,
         "test RMSE": lecture_test, "epochs": 500, "seconds": None},
    ], hide_index=True, width="stretch")
