"""The lab's Compare section: every run in a table, any of them overlaid."""

from __future__ import annotations

import streamlit as st

from core import settings
from core.data import datasets
from core.figures import lab_plots
from core.training import lab
from core.training.jobs import JobManager
from ui import classroom, trash_view
from ui.lab_train import curves_of


def state_of(run: lab.LabRun, manager: JobManager) -> str:
    """A run's state; one left "training" by a server that has gone says so."""
    if run.finished:
        return run.state
    job = manager.find(f"lab:{run.id}") or next(
        (j for j in manager.active() if j.key == f"lab:race:{run.race}"), None)
    return run.state if job is not None and not job.state.finished else "interrupted"


def table(runs: list[lab.LabRun], manager: JobManager) -> None:
    rows = []
    for run in reversed(runs):
        reached = run.seconds_to(0.99)
        rows.append({
            "run": run.id, "network": run.config.title,
            "dataset": datasets.info(run.config.dataset).title, "training": run.config.describe(),
            "race": run.race, "state": state_of(run, manager),
            "test accuracy": run.test_accuracy, "training time (s)": round(run.train_seconds, 1),
            "99 % after (s)": None if reached is None else round(reached, 1),
        })
    st.dataframe(rows, hide_index=True, width="stretch",
                 column_config={"test accuracy": st.column_config.NumberColumn(format="percent")})


def section(manager: JobManager) -> None:
    trash_view.offer_undo("lab.deleted")
    runs = lab.runs()
    if not runs:
        st.info("No runs yet: train one in the *Train* section and it appears here.")
        return
    table(runs, manager)
    by_id = {run.id: run for run in runs}
    newest_race = next((run.race for run in reversed(runs) if run.race is not None), None)
    default = [r.id for r in runs if r.race == newest_race] if newest_race else [runs[-1].id]
    chosen = st.multiselect("Overlay runs", list(by_id), default=default, key="lab.overlay",
                            format_func=lambda i: by_id[i].label)
    if chosen:
        left, right = st.columns(2)
        for column, metric in zip((left, right), ("accuracy", "loss"), strict=True):
            column.plotly_chart(lab_plots.overlay(curves_of([by_id[i] for i in chosen]), metric),
                                key=f"lab.overlay.{metric}", config={"displayModeBar": False})
    with st.expander("Delete a run"):
        doomed = st.selectbox("Run", list(reversed(by_id)), key="lab.delete_choice",
                              format_func=lambda i: f"{i}: {by_id[i].config.title}")
        active = state_of(by_id[doomed], manager) in ("queued", "training")
        if classroom.confirmed_button(
                "Delete it and its model", f"Delete run {doomed} and every version of its "
                "model? They go to the trash, from where Undo or Home can put them back.",
                key="lab.delete", icon=":material/delete:", disabled=active,
                help="Stop it first." if active else None):
            trash_view.remember("lab.deleted", lab.delete_run(doomed))
            st.rerun()
    st.caption(f"Runs are kept in `{settings.home_dir() / 'lab'}`.")
