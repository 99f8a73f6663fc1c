"""What every page shares: the one job manager, warm classifiers, and job progress widgets."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from streamlit.errors import (
    StreamlitValueAboveMaxError,
    StreamlitValueBelowMinError,
    StreamlitValueOutOfRangeError,
)
from streamlit.navigation.page import StreamlitPage

from core import settings, store
from core.inference import denoise, predict, warm
from core.models import zoo
from core.training import fit, keras_loop
from core.training.jobs import Job, JobManager, JobState
from ui import classroom

Warm = TypeVar("Warm")


def keep_keras_state() -> None:
    """Stop Streamlit from calling `keras.backend.clear_session()` after every script run.

    Streamlit does it (in `script_runner._clean_problem_modules`) to free memory between
    runs, but it forces a full garbage collection and clears TensorFlow's kernel cache with
    the GIL held, after every rerun of every fragment: a GAN training in the background
    fell from 21 to 0.5 steps a second with its page open. Our models live on purpose
    between runs (core.inference.warm), so there is nothing for it to clear.
    """
    from streamlit.runtime.scriptrunner import script_runner

    if hasattr(script_runner, "_clean_problem_modules"):
        script_runner._clean_problem_modules = lambda: None


OUT_OF_RANGE = (StreamlitValueAboveMaxError, StreamlitValueBelowMinError,
                StreamlitValueOutOfRangeError)
RESET_FLAG = "runtime.settings_reset"


def run_page(page: StreamlitPage) -> None:
    """Run the page; if a setting kept in the session is out of its widget's range (a stale
    tab, a hand-edited value), reset the settings once and say so, instead of a traceback."""
    reset_before = st.session_state.pop(RESET_FLAG, False)
    if reset_before:
        st.toast("A setting was out of range; the page's settings were reset.",
                 icon=":material/restart_alt:")
    try:
        page.run()
    except OUT_OF_RANGE:
        if reset_before:
            raise
        from ui import inputs  # the canvas component registers itself on import: in a page only

        kept = (inputs.SHARED_IMAGE, classroom.CODE_KEY)  # the drawing; the instructor's code
        for key in [k for k in st.session_state if k not in kept]:
            del st.session_state[key]
        st.session_state[RESET_FLAG] = True
        st.rerun()


def clamp_setting(key: str, low: float, high: float) -> None:
    """Bring a slider's value kept in the session back into its range, and say so; for sliders
    in fragments, whose errors `run_page` does not see."""
    value = st.session_state.get(key)
    if isinstance(value, int | float) and not low <= value <= high:
        st.session_state[key] = min(max(value, low), high)
        st.toast(f"A setting was out of range ({value:g}); it was set to "
                 f"{st.session_state[key]:g}.", icon=":material/restart_alt:")


@st.cache_resource(show_spinner=False)
def job_manager() -> JobManager:
    """Return the server's single job manager; on first launch it starts the default models."""
    manager = JobManager()
    if settings.autotrain_enabled():
        fit.ensure_default_models(manager)
    return manager


def warm_model(name: str, dataset: str, wrap: Callable[[store.StoredModel], Warm],
               retrain: bool = False) -> Warm | None:
    """Return a warm model from the store (core.inference.warm), or None after saying on screen why
    not; a corrupt default model is queued for retraining when `retrain` is set."""
    try:
        return warm.load(name, dataset, wrap)
    except store.ModelMissing:
        return None
    except store.ModelCorrupt as error:
        st.warning(str(error))
        if retrain and settings.autotrain_enabled():
            fit.submit_training(job_manager(), name, dataset,
                                     quick=zoo.spec(name).quick is not None)
        return None


def load_classifier(name: str, dataset: str = "mnist") -> predict.Classifier | None:
    """Return a warm classifier, or None after saying on screen why not and what happens next."""
    return warm_model(name, dataset, predict.Classifier, retrain=True)


def load_denoiser(name: str, dataset: str = "mnist") -> denoise.Denoiser | None:
    """Return a warm denoiser, or None after saying on screen why not."""
    return warm_model(name, dataset, denoise.Denoiser)


def format_seconds(seconds: float | None) -> str:
    """Say a duration the way a person would: '45 s', '3 min 20 s', '2 min'."""
    if seconds is None:
        return "estimating…"
    minutes, rest = divmod(int(round(seconds)), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"


def render_job(job: Job, manager: JobManager, key_prefix: str) -> None:
    """Show one job on one row: progress bar with ETA, then pause/resume and stop."""
    # Each button's column holds "Resume" with its icon at 1400 px (an eighth of the row cut
    # "Pause" to "Pa…").
    bar_col, pause_col, stop_col = st.columns([5, 1, 1], vertical_alignment="bottom")
    with bar_col:
        if job.state is JobState.QUEUED:
            st.progress(0.0, text=f"{job.title}: queued, position {manager.queue_position(job)}")
        else:
            state = "paused" if job.state is JobState.PAUSED else job.message
            accuracy = job.latest.get("val_accuracy")
            known = accuracy is not None and not math.isnan(accuracy)
            extra = f" · validation accuracy {accuracy:.1%}" if known else ""
            st.progress(job.progress, text=f"{job.title}: {state} · {job.progress:.0%} · "
                                           f"ETA {format_seconds(job.eta())}{extra}")
    if job.state in (JobState.RUNNING, JobState.PAUSED):
        # One button whose label flips, not two that swap: in a live fragment the old button
        # stayed on screen under the new one until the run ended, and the row's height
        # jumped under the pointer (a press on Stop went down on Stop and up on the row
        # below it, and was lost).
        paused = job.state is JobState.PAUSED
        if classroom.button("Resume" if paused else "Pause", pause_col,
                            key=f"{key_prefix}.pause.{job.id}",
                            icon=":material/play_arrow:" if paused else ":material/pause:"):
            (job.resume if paused else job.pause)()
    if classroom.button("Stop", stop_col, key=f"{key_prefix}.stop.{job.id}",
                        disabled=job.stopping, icon=":material/stop:"):
        job.stop()


def render_jobs(manager: JobManager, key_prefix: str) -> None:
    """Show the running training jobs with controls and the queue behind them in one line."""
    jobs = training_jobs(manager)
    for job in [j for j in jobs if j.state is not JobState.QUEUED]:
        render_job(job, manager, key_prefix)
    for job in manager.jobs():
        if job.state is JobState.FAILED and job.key.startswith("train:"):
            st.error(f"{job.title} failed: {job.error}")
    queued = [j for j in jobs if j.state is JobState.QUEUED]
    if queued:
        st.caption("Next: " + " · ".join(f"{i}. {job.title}" for i, job in
                                         enumerate(queued, start=1)))


def store_signature(dataset: str) -> tuple[str, ...]:
    """What the store holds for a dataset; it changes whenever a model lands or is replaced."""
    return tuple(sorted(card.file for card in store.cards(dataset)))


def announce_swap(key: str, card: store.Card | None, message: str) -> None:
    """Toast `message` when the model on screen in the slot `key` changed under the user since
    the page last ran: a full recipe replacing first launch's quick one, or a better model."""
    current = card.file if card else None  # names the version
    previous = st.session_state.get(key)
    if previous and current and previous != current:
        st.toast(message, icon=":material/upgrade:")
    st.session_state[key] = current


def training_jobs(manager: JobManager) -> list[Job]:
    """Return the unfinished training jobs, running ones first."""
    jobs = [job for job in manager.active() if job.key.startswith("train:")]
    return sorted(jobs, key=lambda job: job.state is JobState.QUEUED)


def offer_training(manager: JobManager, name: str, dataset: str, why: str, key_prefix: str,
                   submit: Callable[[], Job] | None = None) -> None:
    """Say why a model is wanted and offer to train it; while it trains, show its progress
    live and reload the page when it lands in the store."""
    prefix = keras_loop.training_key(name, dataset)
    if not any(job.key.startswith(prefix) for job in manager.active()):
        st.caption(why)
        if classroom.button(f"Train {name}", key=f"{key_prefix}.train.{name}",
                            icon=":material/model_training:"):
            (submit or (lambda: fit.submit_training(manager, name, dataset)))()
            st.rerun()
        return
    st.fragment(follow_job, run_every=1.0)(manager, prefix, key_prefix)


def follow_job(manager: JobManager, prefix: str, key_prefix: str) -> Job | None:
    """Show the newest job whose key starts with `prefix` while it runs (call it from a
    polling fragment); reload the page once it has finished, or say why it failed.
    Returns the job while it is still running."""
    job = next((job for job in reversed(manager.jobs()) if job.key.startswith(prefix)), None)
    if job is None:
        return None
    if job.state is JobState.FAILED:
        st.error(f"{job.title} failed: {job.error}")
        return None
    if job.state.finished:
        st.rerun(scope="app")
    render_job(job, manager, key_prefix)
    return job


def in_background(manager: JobManager, key: str, title: str, work: Callable[[Job], object],
                  ready: bool) -> bool:
    """Run a slow computation once as a job (its result lands in a disk cache), showing its
    progress with pause and stop while it runs; return True once `ready` says it is cached.
    In classroom mode only the instructor starts one: the machine's CPU is the lecture's."""
    if ready:
        return True
    job = manager.find(key)
    if job is not None and job.state in (JobState.FAILED, JobState.STOPPED):
        if job.state is JobState.FAILED:
            st.error(f"{title} failed: {job.error}")
        if not classroom.button(f"{title}: start again", key=f"{key}.again",
                                icon=":material/replay:"):
            return False
        job = None
    if job is None or job.state is JobState.DONE:
        if not classroom.is_instructor():
            st.info(f"{title}: the instructor's machine has not worked this out yet.")
            return False
        manager.submit(title, work, key=key)
    st.fragment(follow_job, run_every=0.5)(manager, key, key)
    return False


def progress_of(job: Job, message: str) -> Callable[[float], None]:
    """A progress callback for core's long loops that publishes to the job and obeys its
    pause and stop buttons."""
    def report(fraction: float) -> None:
        job.check()
        job.publish(progress=fraction, message=message)
    return report
