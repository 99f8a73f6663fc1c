"""Teaching new symbols: the split, transfer's frozen layers, both ways learning side by
side, the learning curve as a job, and keeping the result in the store."""

from __future__ import annotations

import numpy as np
import pytest

from core import store
from core.data import symbols
from core.data.symbol_pool import Pool
from core.inference import predict
from core.models import symbol_nets
from core.training import teach
from core.training.jobs import JobManager, JobState

CLASSES = ("+", "×", "=")


def pool(per_class: int, seed: int = 1) -> Pool:
    images, labels = symbols.examples(CLASSES, per_class, seed)
    return Pool(CLASSES, images, labels, tuple(f"e{i}" for i in range(len(labels))))


def test_the_split_holds_out_some_of_every_class_and_limits_the_rest():
    labels = np.repeat(np.arange(3), [8, 4, 2])
    train, held = teach.split(labels, 3, teach.TeachConfig(held_out_share=0.25, per_class=2))
    assert np.bincount(labels[held], minlength=3).tolist() == [2, 1, 1]
    assert np.bincount(labels[train], minlength=3).tolist() == [2, 2, 1]
    assert not set(train) & set(held)
    with pytest.raises(ValueError, match="at least two examples"):
        teach.split(np.array([0, 0, 1]), 2, teach.TeachConfig())


def test_transfer_keeps_the_base_frozen_and_the_store_untouched(use_teach_home):
    base = teach.base_model()
    frozen = {w.path: w.numpy().copy() for w in base.weights}
    stored = store.files(symbol_nets.BASE, "mnist")
    before = {path: path.read_bytes() for path in stored}
    run = teach.train(pool(4), teach.TeachConfig(seconds=1.5), ways=("transfer",), detect=False)
    model = run.models["transfer"]
    copied = [layer for layer in model.layers if layer.weights and layer.name in
              {layer.name for layer in base.layers}]
    assert copied and all(not layer.trainable for layer in copied)
    for layer in copied:
        for weight in layer.weights:
            assert np.array_equal(weight.numpy(), frozen[weight.path]), weight.path
    assert {path: path.read_bytes() for path in stored} == before


def test_fine_tuning_lets_only_the_last_stage_learn(use_teach_home):
    model = symbol_nets.transfer(teach.base_model(), 3, fine_tune=True)
    learning = {layer.name for layer in model.layers if layer.trainable and layer.weights}
    assert learning == {*symbol_nets.LAST_STAGE, "head_logits"}


def test_both_ways_learn_side_by_side_and_read_new_drawings(use_teach_home):
    # 8 s each way: after 3 s, on a host starved by the other test workers, the transfer
    # network once read 2 of the 6 held-out drawings.
    run = teach.train(pool(6), teach.TeachConfig(seconds=8.0))
    assert set(run.curves) == {"transfer", "scratch"}
    for way, curve in run.curves.items():
        assert curve and curve[-1][0] >= 8.0, way  # each had its own eight seconds
        seconds = [s for s, _ in curve]
        assert seconds == sorted(seconds)
    # Three classes: chance is a third (the base here is a brief cnn_best; bench.teach
    # measures the real one).
    assert run.accuracy("transfer") >= 0.5
    assert run.first_point_s is not None and run.counts == [4, 4, 4]
    card = teach.save(run, "transfer", "ops_transfer")
    assert card.dataset == teach.DATASET and card.metrics["classes"] == list(CLASSES)
    assert len(card.metrics["train_ids"]) == 12 and card.test_accuracy == run.accuracy("transfer")
    classifier = predict.load_classifier("ops_transfer", teach.DATASET)
    assert classifier.accuracy(*run.held_out) == run.accuracy("transfer")  # the same network
    assert classifier.detector is not None
    with pytest.raises(ValueError, match="cannot name"):
        teach.save(run, "scratch", "my model!")


def test_the_learning_curve_runs_as_a_job(use_teach_home):
    manager = JobManager(max_concurrent=1)
    job = teach.submit_curve(manager, pool(4), teach.TeachConfig(seconds=0.6))
    assert manager.wait(job, timeout=120) and job.state is JobState.DONE, job.error
    # Four per class: one held out, so 1, 2 and all three learnt.
    assert [k for k, _ in job.result["transfer"]] == [1, 2, 3]
    assert all(0 <= accuracy <= 1 for _, accuracy in job.result["scratch"])
    assert job.live is job.result
