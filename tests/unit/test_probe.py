"""The Probe page's core: attacks, explanations, filters, the points map and surgery, on the
session's really trained MLP and CNN, and on a network with a planted feature."""

from __future__ import annotations

import hashlib

import keras
import numpy as np
import pytest

from core import settings, store
from core.data import datasets
from core.inference import attacks, explain, filters, points_map, predict, surgery
from core.models.zoo import TrainConfig
from core.training import fit
from tests.conftest import link_home, measured_as_quick


def classifier(name: str) -> predict.Classifier:
    return predict.Classifier(store.load(name, "mnist"))


@pytest.fixture(scope="module")
def digits():
    loaded = datasets.load("mnist")
    return loaded.images("test")[:40, :, :, 0], loaded.labels("test")[:40]


@pytest.mark.parametrize("steps", [1, attacks.PGD_STEPS])
def test_attacks_stay_within_epsilon_and_the_pixel_range(use_trained, digits, steps):
    images, labels = digits
    attacker = attacks.attacker(classifier("cnn_report"))
    adversarial, probabilities = attacker.run(images[:8], labels[:8], np.full(8, 0.15), False,
                                              steps)
    assert np.abs(adversarial - images[:8]).max() <= 0.15 + 1e-6
    assert adversarial.min() >= 0.0 and adversarial.max() <= 1.0
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)


def test_a_targeted_attack_reaches_its_target(use_trained, digits):
    images, labels = digits
    attacker = attacks.attacker(classifier("cnn_report"))
    for image, label in zip(images[:5], labels[:5], strict=True):
        target = (int(label) + 3) % 10
        attack = attacker.attack(image, 0.3, target)
        assert attack.flipped and int(attack.after.argmax()) == target


def test_the_smallest_epsilon_is_the_edge_of_flipping(use_trained, digits):
    images, _ = digits
    attacker = attacks.attacker(classifier("mlp"))
    found = attacker.smallest_epsilon(images[0])
    assert found is not None and found.flipped
    below = attacker.attack(images[0], found.epsilon - attacks.MAX_EPSILON / 16 ** 2 - 1e-4)
    assert not below.flipped


def test_robustness_counts_flips_among_digits_read_right(use_trained, digits):
    images, labels = digits
    found = attacks.robustness(attacks.attacker(classifier("mlp")), images, labels, 0.2)
    assert found.clean_accuracy > 0.9
    assert found.adversarial_accuracy < found.clean_accuracy
    assert 0.5 < found.attack_success <= 1.0


@pytest.fixture
def planted(nc_home) -> predict.Classifier:
    """A CNN with two planted filters, one for horizontal strokes and one for vertical ones:
    class 1 is the sum of the horizontal filter's map, class 0 of the vertical one's."""
    inputs = keras.Input((28, 28, 1), name="image")
    conv = keras.layers.Conv2D(2, 3, padding="same", activation="relu", name="conv")(inputs)
    logits = keras.layers.Dense(2, name="logits")(keras.layers.Flatten(name="flatten")(conv))
    model = keras.Model(inputs, logits)
    horizontal = np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], np.float32)
    kernels = np.stack([horizontal, horizontal.T], axis=-1)[:, :, None, :]
    model.get_layer("conv").set_weights([kernels, np.zeros(2)])
    weights = np.zeros((28, 28, 2, 2), np.float32)
    weights[:, :, 0, 1] = weights[:, :, 1, 0] = 0.1
    model.get_layer("logits").set_weights([weights.reshape(28 * 28 * 2, 2), np.zeros(2)])
    card = store.new_card("planted", "mnist", "Planted", {}, test_accuracy=0.5, test_loss=1.0,
                          train_seconds=0.0, epochs=0, metrics={"outputs_logits": True})
    store.save(model, card)
    return classifier("planted")


def test_grad_cam_and_occlusion_find_a_planted_feature(planted):
    image = np.zeros((28, 28), np.float32)
    image[6, 4:15] = 1.0  # a horizontal stroke: evidence for class 1
    image[14:25, 20] = 1.0  # a vertical stroke: evidence against it
    explainer = explain.explainer(planted)
    cam = explainer.grad_cam(image, 1)
    occlusion = explainer.occlusion(image, 1)
    assert cam.shape == occlusion.shape == (28, 28)
    horizontal, vertical = (slice(5, 8), slice(4, 15)), (slice(14, 25), slice(19, 22))
    assert cam[horizontal].mean() > 3 * cam[vertical].mean()
    assert occlusion[horizontal].mean() > 0.05 > 0 > occlusion[vertical].mean()


def test_a_training_image_is_its_own_nearest_neighbour(use_trained):
    mlp = classifier("mlp")
    index = explain.feature_index(mlp)
    train = datasets.load("mnist").images("train")[:, :, :, 0]
    for position in (0, 12345):
        features = explain.explainer(mlp).features(train[position : position + 1])[0]
        assert position in index.nearest(features).indices


def test_receptive_fields_grow_through_the_stages(use_trained):
    model = classifier("cnn_report").model
    sizes = [filters.receptive_field(model, name).size for name in ("conv_32", "conv_64",
                                                                    "conv_128")]
    assert sizes == [3, 8, 18]  # each 3x3 conv adds 2 steps, each 2x2 pool 1 step


def test_top_patches_are_the_strongest_responses(use_trained):
    found = filters.top_patches(classifier("cnn_report"))
    first = found[0]
    assert first.patches.shape == (32, filters.TOP, 3, 3)
    assert np.all(np.diff(first.activations, axis=1) <= 1e-6)  # strongest first
    images = filters.synthesise(classifier("cnn_report"), "conv_32", steps=8)
    assert images.shape == (32, 28, 28) and 0.0 <= images.min() <= images.max() <= 1.0


@pytest.mark.parametrize("method", points_map.METHODS)
def test_the_points_map_places_digits_and_a_drawing(use_trained, monkeypatch, method):
    monkeypatch.setattr(points_map, "MAP_SAMPLES", 300)
    mlp = classifier("mlp")
    layer = points_map.layers(mlp.model)[1]
    found = points_map.points_map(mlp, layer, method)
    assert found.points.shape == (300, 2) and np.isfinite(found.points).all()
    images, _ = points_map.test_digits("mnist")
    spot = found.place(points_map.activations(mlp).of(layer, images[:1])[0])
    nearest = np.linalg.norm(found.points - spot, axis=1).min()
    assert nearest < np.ptp(found.points, axis=0).max() / 5  # among the digits
    assert points_map.is_cached(mlp, layer, method)


def file_digest(card: store.Card) -> str:
    files = store.files(card.name, card.dataset)
    return hashlib.sha256(b"".join(path.read_bytes() for path in sorted(files))).hexdigest()


def test_operating_changes_the_copy_and_never_the_stored_model(use_trained, digits, tmp_path,
                                                              monkeypatch):
    images, _ = digits
    cnn = classifier("cnn_report")
    before = file_digest(cnn.card)
    table = surgery.table(cnn)
    plain = cnn.probabilities(images[:1])[0]
    unchanged = table.outcome(surgery.Operation(), images[0])
    assert np.allclose(unchanged.probabilities, plain, atol=1e-5)
    assert unchanged.accuracy == table.original_accuracy
    assert np.allclose(table.outcome(surgery.Operation(prune_share=0.0), images[0]).probabilities,
                       plain, atol=1e-5)
    everything = surgery.Operation(switched_off=(("conv_32", tuple(range(32))),))
    off = table.outcome(everything, images[0])
    assert not np.allclose(off.probabilities, plain, atol=1e-3)
    assert off.accuracy < 0.3
    # The shortcut (kept activations after conv_64's stage) agrees with the whole operated copy.
    some = table.outcome(surgery.Operation(switched_off=(("conv_64", tuple(range(0, 64, 3))),)),
                         images[0])
    whole = np.asarray(table.copy(table.images, training=False)).argmax(axis=1)
    assert some.accuracy == float((whole == table.labels).mean())
    pruned = table.outcome(surgery.Operation(prune_share=0.5), images[0])
    assert pruned.zeroed >= pruned.total // 2
    curve = table.pruning_curve(shares=(0.0, 0.99))
    assert curve[0][1] == table.original_accuracy and curve[1][1] < curve[0][1]
    # The copy goes to a store of its own, not the session's.
    monkeypatch.setenv(settings.HOME_ENV, str(link_home(tmp_path / "home")))
    kept = table.save_copy(everything, "cnn_report_no_conv")
    assert kept.test_accuracy < 0.3 and kept.metrics["operated_on"] == "cnn_report"
    assert classifier("cnn_report_no_conv").card.metrics["operation"] == "32 of conv_32 off"
    monkeypatch.setenv(settings.HOME_ENV, str(use_trained))
    assert file_digest(cnn.card) == before
    assert np.allclose(classifier("cnn_report").probabilities(images[:1])[0], plain, atol=1e-6)
    with pytest.raises(ValueError, match="zoo model"):
        table.save_copy(everything, "cnn_best")


def test_adversarial_training_learns_from_attacks(nc_home):
    config = TrainConfig(epochs=1, train_samples=256, batch_size=128,
                         adversarial_epsilon=0.1, adversarial_steps=2)
    with measured_as_quick():  # its detector is not what this tests
        card = fit.train_model("cnn_robust", config=config)
    assert card.config["adversarial_steps"] == 2 and 0.0 <= card.test_accuracy <= 1.0
    assert store.load("cnn_robust", "mnist").model.name == "cnn_best"
