"""Probe, Operate on it: switch off filters or units, scale a layer, prune the smallest
weights; the drawing's probabilities and the accuracy on 2,000 test digits follow at once.
The stored model is never changed; an operated copy can be kept under a new name."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import store
from core.figures import plots
from core.inference import predict, surgery
from core.training.jobs import JobManager, JobState
from ui import classroom, runtime

STRONGEST, WEAKEST = "strongest", "weakest"
KEPT = "probe.kept"


def render(manager: JobManager, classifier: predict.Classifier, image: np.ndarray,
           classes: tuple[str, ...]) -> None:
    table = surgery.table(classifier)
    model = classifier.model
    operation = controls(table, model)
    outcome = table.outcome(operation, image)
    before = classifier.probabilities(image[None])[0]
    before_col, after_col, numbers_col = st.columns([1, 1, 0.8])
    before_col.markdown("**As trained**")
    before_col.plotly_chart(plots.probability_bars(before, classes, height=220),
                            width="stretch", key="probe.before")
    after_col.markdown(f"**Operated on** ({operation.describe()})")
    after_col.plotly_chart(plots.probability_bars(outcome.probabilities, classes, height=220),
                           width="stretch", key="probe.after")
    numbers_col.metric(f"Accuracy on {surgery.TEST_SAMPLES:,} test digits",
                       f"{outcome.accuracy:.1%}",
                       f"{outcome.accuracy - outcome.original_accuracy:+.1%}"
                       if operation != surgery.Operation() else None)
    if operation.prune_share:
        numbers_col.caption(f"{outcome.zeroed:,} of {outcome.total:,} weights are zero.")
    pruning_curve(manager, classifier, table)
    keep(table, operation)


def controls(table: surgery.OperatingTable, model) -> surgery.Operation:
    layers = surgery.operable_layers(model)
    layer_col, rank_col, count_col = st.columns([1.2, 1, 1.2])
    layer = layer_col.selectbox(
        "Layer", layers, key="probe.op_layer",
        help="A convolution stage's filters or a hidden dense layer's units.")
    total = surgery.units(model, layer)
    rank = rank_col.segmented_control(
        "Switch off its", [STRONGEST, WEAKEST], default=STRONGEST, key="probe.op_rank",
        help="Ranked by their mean output over the 2,000 test digits.") or STRONGEST
    count = count_col.slider(f"How many of its {total}", 0, total, 0, key="probe.op_count",
                             help="0 switches none off.")
    ranked = table.strongest(layer)
    chosen = list(ranked[:count] if rank == STRONGEST else ranked[::-1][:count])
    ticked = st.multiselect(
        "And these ones by number", list(range(total)), key=f"probe.op_ticked.{layer}",
        help="Tick any filter or unit to switch it off (its output becomes 0).")
    off = tuple(sorted({int(u) for u in chosen} | {int(u) for u in ticked}))
    scale_col, prune_col = st.columns(2)
    scale = scale_col.slider(
        f"Scale {layer}'s weights by", 0.0, 2.0, 1.0, 0.05, key="probe.op_scale",
        help="Below 1 weakens every connection of the layer; batch norm after a "
             "convolution undoes much of it, which is worth seeing.")
    prune = prune_col.slider(
        "Prune the smallest weights (share of all)", 0.0, 0.99, 0.0, 0.01, key="probe.op_prune",
        help="Sets to zero this share of the weights of every convolution and dense layer, "
             "smallest magnitude first. Most networks lose little until past half.")
    return surgery.Operation(switched_off=((layer, off),) if off else (),
                             scales=((layer, scale),) if scale != 1.0 else (),
                             prune_share=prune)


def pruning_curve(manager: JobManager, classifier: predict.Classifier,
                  table: surgery.OperatingTable) -> None:
    key = f"probe.pruning.{classifier.card.dataset}.{classifier.card.file}"
    job = manager.find(key)
    if job is None or job.state in (JobState.FAILED, JobState.STOPPED):
        if st.button("Draw the pruning curve", key="probe.curve", icon=":material/show_chart:",
                     help="Accuracy on the 2,000 test digits against the share of weights "
                          "pruned, from 0 to 98 %."):
            manager.submit(f"Pruning curve of {classifier.card.name}",
                           lambda job: table.pruning_curve(progress=runtime.progress_of(
                               job, "pruning and measuring")), key=key)
            st.rerun()
        return
    if not job.state.finished:
        st.fragment(runtime.follow_job, run_every=0.5)(manager, key, key)
        return
    shares, accuracies = zip(*job.result, strict=True)
    st.plotly_chart(plots.curves(list(shares), {classifier.card.name: list(accuracies)},
                                 "share of weights pruned", "accuracy on 2,000 test digits",
                                 y_range=(0.0, 1.02)).update_layout(
                                     xaxis_tickformat=".0%", yaxis_tickformat=".0%"),
                    key="probe.curve_chart", config={"displayModeBar": False})


def keep(table: surgery.OperatingTable, operation: surgery.Operation) -> None:
    """Save the operated copy to the store under a new name (the instructor, in class)."""
    if operation.describe() == "unchanged":
        return
    name_col, button_col = st.columns([2, 1], vertical_alignment="bottom")
    name = name_col.text_input("Keep this operated network as", key="probe.keep_name",
                               value=f"{table.classifier.card.name}_operated",
                               help="A new name in the store; the original stays as it is.")
    if classroom.button("Keep it", button_col, key="probe.keep", icon=":material/save:"):
        try:
            card = table.save_copy(operation, name.strip())
        except (ValueError, store.StoreError) as error:
            st.error(str(error))
            return
        st.session_state[KEPT] = (f"Kept as {card.name}: {card.test_accuracy:.2%} on the full "
                                  "test set. Choose it above as the network to probe.")
        st.rerun()  # the network list above is drawn already
    if KEPT in st.session_state:
        st.success(st.session_state.pop(KEPT))
