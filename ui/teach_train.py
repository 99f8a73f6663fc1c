"""The Teach page's training: both networks learning live side by side, the learning curve,
reading new drawings with a trained network, and keeping it in the store."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import store
from core.data.symbol_pool import Pool
from core.figures import teach_plots
from core.inference import predict
from core.training import teach
from core.training.jobs import Job, JobManager, JobState
from ui import charts, inputs, runtime
from ui import classroom as roles

PER_CLASS_LABELS = {1: "1", 2: "2", 5: "5", 10: "10", 0: "all"}
JUST_TRAINED = "Just trained: "


def controls(manager: JobManager, pool: Pool) -> None:
    """How to train, and the two buttons that start it."""
    per_col, seconds_col, held_col, tune_col = st.columns(4)
    per_class = per_col.select_slider(
        "Examples per class", list(PER_CLASS_LABELS), value=0, key="teach.per_class",
        format_func=PER_CLASS_LABELS.get,
        help="How many of each class's examples the networks learn from (the held-out ones "
             "never). Fewer shows what pretraining buys.")
    seconds = seconds_col.slider("Seconds of training, each way", 2, 60, 10,
                                 key="teach.seconds",
                                 help="Both networks get the same CPU time, taking turns.")
    held_out = held_col.slider("Held out to measure", 0.1, 0.5, 0.25, 0.05, format="%.2f",
                               key="teach.held_out",
                               help="The share of each class's examples (at least one) the "
                                    "networks never learn from: their accuracy is measured "
                                    "on these.")
    fine_tune = tune_col.toggle(f"Fine-tune {teach.symbol_nets.BASE}'s last stage",
                                key="teach.fine_tune",
                                help="Transfer keeps the digit network's convolutions frozen "
                                     "and learns a new head; this lets its last convolution "
                                     "stage learn too.")
    config = teach.TeachConfig(seconds=float(seconds), fine_tune=fine_tune,
                               per_class=per_class, held_out_share=held_out)
    train_col, curve_col = st.columns(2)
    busy = any(job.key.startswith("teach.") for job in manager.active())
    if roles.button("Train both", train_col, key="teach.train", type="primary",
                    icon=":material/model_training:", disabled=busy):
        start(lambda: teach.submit(manager, pool, config), pool, config)
    if roles.button("Draw the learning curve", curve_col, key="teach.curve",
                    icon=":material/show_chart:", disabled=busy,
                    help="Trains both ways with 1, 2, 5, 10 and all examples per class "
                         f"({seconds} s each way, each time) and plots held-out accuracy."):
        start(lambda: teach.submit_curve(manager, pool, config), pool, config)


def start(submit, pool: Pool, config: teach.TeachConfig) -> None:
    """Check the examples suffice, then queue the job and show it."""
    try:
        teach.split(pool.labels, len(pool.classes), config)
    except ValueError as error:
        st.warning(str(error))
        return
    submit()
    st.rerun()


JOB_KEYS = ("teach.train", "teach.curve")
FOLLOW_S = 0.5  # while one of the page's jobs runs
# Else only to notice one starting (a student's page, the instructor's): five idle Teach pages
# polling every 0.5 s cost the server 38 ms of CPU a second more than five idle Draw pages,
# and each browser two redraws a second.
IDLE_POLL_S = 3.0


def follow(manager: JobManager) -> None:
    """The page's running jobs, live; the page reloads once when one finishes."""
    following = bool(unseen(manager))
    st.fragment(follow_jobs, run_every=FOLLOW_S if following else IDLE_POLL_S)(manager,
                                                                               following)


def unseen(manager: JobManager) -> list[Job]:
    """The page's jobs still running, or finished since this page last reloaded."""
    jobs = (manager.find(key) for key in JOB_KEYS)
    return [job for job in jobs if job is not None and (
        not job.state.finished or st.session_state.get(f"{job.key}.seen") != job.id)]


def follow_jobs(manager: JobManager, following: bool) -> None:
    """Show the running jobs; reload the page when one starts (to poll faster), when one can
    read already, and once when one has finished."""
    jobs = unseen(manager)
    if bool(jobs) != following:
        st.rerun(scope="app")
    for job in jobs:
        if not job.state.finished:
            runtime.render_job(job, manager, job.key)
            render_live(job)
            if ready(job) and st.session_state.get("teach.ready") != job.id:
                st.session_state["teach.ready"] = job.id  # Try it can read already
                st.rerun(scope="app")
        else:
            st.session_state[f"{job.key}.seen"] = job.id
            st.rerun(scope="app")


def ready(job: Job) -> bool:
    """Whether a training job's networks can read, while their detectors are still fitted."""
    return isinstance(job.live, teach.TeachRun) and job.live.trained


def render_live(job: Job) -> None:
    if job.key == "teach.train" and isinstance(job.live, teach.TeachRun):
        render_run(job.live, live=True)
    elif job.key == "teach.curve" and job.live:
        render_curve(job.live, live=True)


def render_run(run: teach.TeachRun, live: bool = False) -> None:
    """Both networks' held-out accuracy against their seconds of training."""
    curves = {teach.WAYS[way]: list(points) for way, points in run.curves.items()}
    charts.point_lines(curves, "seconds of training", live, "teach.live",
                       lambda series: teach_plots.live(series, run.config.seconds))
    parts = [f"**{teach.WAYS[way]}: {accuracy:.0%}**" for way in run.curves
             if (accuracy := run.accuracy(way)) is not None]
    st.caption(" · ".join(parts) + f" of {len(run.held_out[1])} held-out drawings, after "
               f"learning {sum(run.counts)} examples ({', '.join(map(str, run.counts))} per "
               "class).")


def render_curve(curves: dict, live: bool = False) -> None:
    named = {teach.WAYS[way]: list(points) for way, points in curves.items()}
    charts.point_lines(named, "examples per class", live, "teach.learning_curve",
                       teach_plots.learning_curve)
    st.caption("Accuracy on the same held-out drawings against how many examples per class "
               "each network learnt from: the gap at the left is what pretraining on 60,000 "
               "digits buys.")


def results(manager: JobManager) -> teach.TeachRun | None:
    """Show the finished jobs' results; return the last finished training run."""
    curve_job = manager.find("teach.curve")
    if curve_job is not None and curve_job.state.finished:
        show_failure(curve_job)
        if curve_job.state is JobState.DONE:
            render_curve(curve_job.result)
    job = manager.find("teach.train")
    if job is None:
        return None
    if not job.state.finished:  # read already; "none of these" comes when the job is done
        return job.live if ready(job) else None
    show_failure(job)
    if job.state is not JobState.DONE:
        return None
    render_run(job.result)
    return job.result


def show_failure(job: Job) -> None:
    if job.state is JobState.FAILED:
        st.error(f"{job.title} failed: {job.error}")
    elif job.state is JobState.STOPPED:
        st.info(f"{job.title} was stopped.")


@st.cache_resource(max_entries=4, show_spinner="Getting the new network ready…")
def just_trained(run_id: int, way: str, detector: bool,
                 _run: teach.TeachRun) -> predict.Classifier:
    """A classifier over a network trained in this server that is not in the store (yet);
    made again once its "none of these" detector is there."""
    del run_id, detector  # they key the cache
    return predict.Classifier(store.StoredModel(_run.models[way], _run.card(way, "unsaved")))


@st.fragment
def use(run: teach.TeachRun | None) -> None:
    """A canvas read by a trained network: just trained here, or kept in the store; a
    fragment, so a stroke reruns only this and not the examples and the training above."""
    options = {f"{JUST_TRAINED}{teach.WAYS[way]}": way for way in (run.models if run else {})}
    stored = {f"{card.title} ({card.name})": card.name for card in store.cards(teach.DATASET)}
    if not options and not stored:
        st.info("Train the networks above; then draw here to see them read your symbols.")
        return
    canvas_col, read_col = st.columns([1, 1.6], gap="large")
    with read_col:
        chosen = st.selectbox("Network", [*options, *stored], key=network_key(run))
        if chosen in options:
            way = options[chosen]
            classifier = just_trained(id(run), way, way in run.detectors, run)
        else:
            classifier = runtime.load_classifier(stored[chosen], teach.DATASET)
    if classifier is None:
        return
    classes = tuple(classifier.card.metrics.get("classes", ()))
    with canvas_col:
        image, _, message = inputs.canvas("teach.use", prompt="Draw one of: "
                                          + ", ".join(classes))
    with read_col:
        if image is None:
            st.caption(message or "")
            return
        read(classifier, image, classes)


def network_key(run: teach.TeachRun | None) -> str:
    """The key of the Try it network choice: one per training run, so that a new run is a
    new widget and reads first. Deleting the old widget's state instead does not reach the
    browser, which would send back the network chosen before."""
    return "teach.use.network" if run is None else f"teach.use.network.{id(run)}"


def read(classifier: predict.Classifier, image: np.ndarray, classes: tuple[str, ...]) -> None:
    result = classifier.predict(image, saliency=True)
    name = classes[result.digit]
    charts.answer(st, name, result, image, classes,
                  charts.verdict_html(result, name, VERDICTS, NONE_HELP))


VERDICTS = ("Looks like one of them:", "This looks like none of them.")  # (calm, flagged)
NONE_HELP = ("A softmax always names one of the classes. This detector was fitted on the "
             "examples, redrawn, against digits and other drawings; its threshold lets 98 % "
             "of the held-out examples through.")


def keep(run: teach.TeachRun) -> None:
    """Save one of the networks to the store under a name."""
    way_col, name_col, save_col = st.columns([1.2, 1.5, 1], vertical_alignment="bottom")
    way = way_col.selectbox("Network", list(run.models), key="teach.keep.way",
                            format_func=lambda w: f"{teach.WAYS[w]} "
                                                  f"({run.accuracy(w) or 0:.0%} held out)")
    default = "_".join(run.classes[:1] + (way,)).lower()
    name = name_col.text_input("Name", value=default if default.isidentifier() else
                               f"symbols_{way}", key="teach.keep.name",
                               help="Letters, digits and underscores.")
    if roles.button("Keep it", save_col, key="teach.keep.save", icon=":material/save:"):
        try:
            st.session_state["teach.kept"] = teach.save(run, way, name.strip()).name
        except ValueError as error:
            st.error(str(error))
            return
        st.rerun()  # so that Try it lists it too
    if kept := st.session_state.pop("teach.kept", None):
        st.success(f"Kept as **{kept}**: Try it above, Inside the CNN and the Classroom page "
                   "can use it now.")
