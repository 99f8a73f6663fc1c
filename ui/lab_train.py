"""The lab's Train section: the choices of a run (or a race), and its live curves."""

from __future__ import annotations

import math
from dataclasses import replace

import streamlit as st

from core.data import datasets
from core.figures import lab_plots
from core.models import lab_builder, zoo
from core.training import lab
from core.training.jobs import Job, JobManager, JobState
from ui import classroom, runtime

DATASETS = ("mnist", "fashion_mnist", "cifar10")
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 4e-3, 0.01, 0.03, 0.05, 0.1, 0.3, 1.0)
BATCH_SIZES = (32, 64, 128, 256, 512)
TRAIN_SAMPLES = {"all": None, "10,000": 10_000, "2,000": 2_000}
CURVES_EVERY_S = 3.0
CURVE_POINTS = 300
# Widget key -> the LabConfig (or Architecture) field it sets.
FIELDS = {"lab.dataset": "dataset", "lab.model": "model", "lab.optimizer": "optimizer",
          "lab.lr": "learning_rate", "lab.batch": "batch_size", "lab.epochs": "epochs",
          "lab.augment": "augment", "lab.cosine": "cosine", "lab.samples": "train_samples"}
ARCH_FIELDS = {"lab.blocks": "conv_blocks", "lab.filters": "filters", "lab.kernel": "kernel_size",
               "lab.dense": "dense_units", "lab.activation": "activation",
               "lab.dropout": "dropout", "lab.bn": "batch_norm"}


def keep_form() -> None:
    """Keep the form's choices while another section of the page is shown (Streamlit forgets
    the values of widgets that were not drawn in a run)."""
    for key in ("lab.preset", *FIELDS, *ARCH_FIELDS):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def apply_preset(config: lab_builder.LabConfig) -> None:
    """Put a configuration into the form's widgets."""
    for key, name in FIELDS.items():
        value = getattr(config, name)
        st.session_state[key] = (next(k for k, v in TRAIN_SAMPLES.items() if v == value)
                                 if name == "train_samples" else value)
    for key, name in ARCH_FIELDS.items():
        st.session_state[key] = getattr(config.architecture, name)


def _on_preset() -> None:
    apply_preset(replace(lab_builder.PRESETS[st.session_state["lab.preset"]][1],
                         dataset=st.session_state["lab.dataset"]))


def form() -> lab_builder.LabConfig:
    """The run's choices; returns the configuration they make."""
    if "lab.dataset" not in st.session_state:
        apply_preset(lab_builder.PRESETS["small"][1])
    st.selectbox("Start from", list(lab_builder.PRESETS), key="lab.preset", on_change=_on_preset,
                 format_func=lambda name: lab_builder.PRESETS[name][0],
                 help="Fills in every choice below except the dataset; change any of them "
                      "afterwards.")
    first, second, third = st.columns(3)
    dataset = first.selectbox("Dataset", DATASETS, key="lab.dataset",
                              format_func=lambda name: datasets.info(name).title)
    model = second.selectbox(
        "Network", (lab_builder.CUSTOM, *zoo.CLASSIFIERS), key="lab.model",
        format_func=lambda n: "Build your own" if n == lab_builder.CUSTOM else zoo.spec(n).title)
    optimizer = third.selectbox("Optimizer", list(lab_builder.OPTIMIZER_TITLES),
                                key="lab.optimizer", format_func=lab_builder.OPTIMIZER_TITLES.get)
    architecture = lab_builder.Architecture()
    if model == lab_builder.CUSTOM:
        architecture = builder()
    else:
        st.caption(f"{zoo.spec(model).title}: {zoo.spec(model).source}.")
    first, second, third = st.columns(3)
    learning_rate = first.select_slider("Learning rate", LEARNING_RATES, key="lab.lr",
                                        format_func=lambda v: f"{v:g}")
    batch_size = second.select_slider("Batch size", BATCH_SIZES, key="lab.batch")
    epochs = third.slider("Epochs", 1, 30, key="lab.epochs")
    first, second, third = st.columns(3)
    augment = first.toggle("Augmentation", key="lab.augment",
                           help="Random shifts by up to 2 pixels, and left-right flips for "
                                "clothes and photos (never for digits).")
    cosine = second.toggle("Cosine learning-rate decay", key="lab.cosine",
                           help="The learning rate glides from its value down to zero.")
    samples = third.selectbox("Training images", list(TRAIN_SAMPLES), key="lab.samples")
    return lab_builder.LabConfig(dataset=dataset, model=model, architecture=architecture,
                         optimizer=optimizer, learning_rate=learning_rate,
                         batch_size=batch_size, epochs=epochs, augment=augment, cosine=cosine,
                         train_samples=TRAIN_SAMPLES[samples])


def builder() -> lab_builder.Architecture:
    """The small network builder."""
    with st.container(border=True):
        st.markdown("**Build your own network**: conv blocks (conv → batch norm → activation "
                    "→ 2x2 pooling, filters doubling per block), then one dense layer.")
        cols = st.columns(4)
        blocks = cols[0].slider("Conv blocks", 0, 3, key="lab.blocks",
                                help="0 makes a multilayer perceptron.")
        filters = cols[1].select_slider("Filters in the first block", (8, 16, 32, 64),
                                        key="lab.filters")
        kernel = cols[2].select_slider("Kernel size", (3, 5, 7), key="lab.kernel")
        dense = cols[3].select_slider("Dense units", (0, 32, 64, 128, 256, 512),
                                      key="lab.dense")
        cols = st.columns(4)
        activation = cols[0].selectbox("Activation", lab_builder.ACTIVATIONS, key="lab.activation")
        dropout = cols[1].slider("Dropout", 0.0, 0.6, step=0.05, key="lab.dropout")
        batch_norm = cols[2].toggle("Batch norm", key="lab.bn")
    return lab_builder.Architecture(blocks, filters, kernel, dense, activation, dropout, batch_norm)


def start(manager: JobManager, config: lab_builder.LabConfig) -> None:
    """Start one run, or race it with several optimizers."""
    if not datasets.is_cached(config.dataset):
        try:
            datasets.load(config.dataset)
        except datasets.DatasetUnavailable as error:
            st.error(str(error))
            return
    one, race = st.columns([1, 2], vertical_alignment="bottom")
    if classroom.button("Train", one, type="primary", key="lab.start",
                        icon=":material/play_arrow:"):
        lab.submit(manager, config)
        st.rerun()
    with race:
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        optimizers = left.multiselect(
            "Race optimizers: this network from the same initial weights, each optimizer "
            "with its customary learning rate", list(lab_builder.OPTIMIZER_TITLES),
            default=["sgd", "adam"], key="lab.race_optimizers",
            format_func=lambda o: (f"{lab_builder.OPTIMIZER_TITLES[o]} "
                                   f"({lab_builder.DEFAULT_LEARNING_RATES[o]:g})"))
        if classroom.button("Race", right, key="lab.race", icon=":material/sprint:",
                            disabled=not optimizers):
            lab.submit_race(manager, config, optimizers)
            st.rerun()


def lab_jobs(manager: JobManager) -> list[Job]:
    return [job for job in manager.jobs() if job.key.startswith("lab:")]


def live(manager: JobManager) -> None:
    """The newest lab job while it runs (redrawn by a polling fragment), then its result."""
    jobs = lab_jobs(manager)
    if not jobs:
        return
    job = jobs[-1]
    if job.state.finished:
        finished(job)
        return
    st.fragment(_follow, run_every=CURVES_EVERY_S)(manager, job.id)


def _follow(manager: JobManager, job_id: int) -> None:
    job = manager.get(job_id)
    if job.state.finished:
        st.rerun(scope="app")
    runtime.render_job(job, manager, "lab")
    run = lab.current(job.live)
    if job.state is JobState.QUEUED:
        return
    rate_col, info_col = st.columns([2, 3], vertical_alignment="bottom")
    steering = classroom.is_instructor()
    rate = rate_col.select_slider(
        f"Learning rate of run {run.id}, while it trains", LEARNING_RATES,
        value=min(LEARNING_RATES, key=lambda r: abs(math.log(r / run.learning_rate))),
        key=f"lab.live_lr.{run.id}", format_func=lambda v: f"{v:g}",
        disabled=not steering)
    if steering:
        run.learning_rate = rate
    now = run.epochs[-1]["val_accuracy"] if run.epochs else None
    info_col.markdown(
        f"**Run {run.id}**: {run.config.title} · {run.config.describe()}  \n"
        f"training time {runtime.format_seconds(run.train_seconds)}"
        + (f" · test accuracy after epoch {len(run.epochs)}: **{now:.2%}**" if now else ""))
    curves(job.live, live=True)


def curves(runs: list[lab.LabRun], live: bool) -> None:
    """A run's loss and accuracy; for a race, every member's so far beside each other. While
    the job trains they are redrawn every few seconds, as light SVG pictures
    (core.figures.svg_chart)."""
    drawn, race = curves_of(runs, CURVE_POINTS), runs[0].race is not None
    for column, metric in zip(st.columns(2), ("loss", "accuracy"), strict=True):
        if live:
            column.image(lab_plots.run_curves_svg(drawn, race, metric), width="stretch")
        else:
            column.plotly_chart(lab_plots.run_curves(drawn, race, metric),
                                key=f"lab.{metric}", config={"displayModeBar": False})


def curves_of(runs: list[lab.LabRun], most: int | None = None) -> list[lab_plots.Curves]:
    """What the figures draw of runs: each one's label, batches (at most about `most`, if
    given) and epochs."""
    return [lab_plots.Curves(run.label, lab.thin(run.batches, most) if most else run.batches,
                             run.epochs) for run in runs]


def finished(job: Job) -> None:
    """What the last lab job left: its result line and its curves."""
    run = lab.current(job.live)
    if job.state is JobState.FAILED:
        st.error(f"{job.title} failed: {job.error}")
        return
    if run.test_accuracy is None:
        st.info(f"{job.title} stopped before it finished an epoch.")
        return
    reached = run.seconds_to(0.99)
    st.success(
        f"Run {run.id} {'stopped early' if run.state == 'stopped' else 'finished'}: test "
        f"accuracy **{run.test_accuracy:.2%}** on {_test_images(run)} after "
        f"{runtime.format_seconds(run.train_seconds)} of training"
        + (f"; 99 % reached after {runtime.format_seconds(reached)}" if reached else "")
        + f". In the store as `{run.name}`; see *Understand & export*.")
    curves(job.live, live=False)


def _test_images(run: lab.LabRun) -> str:
    """"all 10,000 test images", or "its test set" where the dataset is no longer at hand
    (its cache deleted while the server ran): the finished run is still shown."""
    try:
        return f"all {len(datasets.load(run.config.dataset).y_test):,} test images"
    except datasets.DatasetUnavailable:
        return "its test set"

