"""The home page: what the app is, the pages, and the status of data, device and models."""

from __future__ import annotations

import keras
import numpy as np

from core import classroom, store, trash
from core.models import zoo
from core.models.zoo import TrainConfig
from tests.app.conftest import open_page, text_of


def test_home_lists_pages_datasets_device_and_models(own_trained):
    app = open_page()
    text = text_of(app)
    assert app.title[0].value == "Neural Canvas"
    assert "MNIST handwritten digits" in text and "cached, verified" in text
    assert "CPU only" in text or "GPU" in text
    table = app.dataframe[0].value
    assert set(table["name"]) == {"mlp", "cnn_report", "ae_unet", "ae_line", "dcgan_fast",
                                  "cgan", "vae"}
    measured = dict(zip(table["name"], table["measured on the test set"], strict=True))
    assert measured["cnn_report"].startswith("test accuracy")
    assert measured["ae_unet"].startswith("Gaussian: read right") and "PSNR" in measured["ae_unet"]
    assert measured["ae_line"].startswith("reconstruction loss")
    assert measured["dcgan_fast"].startswith("IS ") and "confident" in measured["dcgan_fast"]
    assert "as asked" in measured["cgan"]


def test_home_with_an_empty_store_says_so(nc_home):
    app = open_page()
    assert "No trained models yet." in text_of(app)


def save_mlp(accuracy: float, seed: int) -> store.Card:
    keras.utils.set_random_seed(seed)
    card = store.new_card("mlp", "mnist", zoo.spec("mlp").title, TrainConfig(),
                          test_accuracy=accuracy, test_loss=0.3, train_seconds=12.0, epochs=1)
    return store.save(zoo.build("mlp"), card)


def test_home_lists_a_models_versions_and_puts_one_back_in_use(nc_home):
    first = save_mlp(0.97, seed=0)
    second = save_mlp(0.96, seed=1)  # worse: kept, not in use
    app = open_page()
    table = app.dataframe[1].value
    assert table["version"].tolist() == [second.version, first.version]
    assert table["in use"].tolist() == ["", "✓"]
    assert table["measured"].tolist() == ["test accuracy 96.00%", "test accuracy 97.00%"]
    app.selectbox(key="home.versions.choice.mlp.mnist").set_value(second.version).run()
    app.button(key="home.versions.use").click().run()
    assert store.read_card("mlp", "mnist").version == second.version
    assert app.dataframe[1].value["in use"].tolist() == ["✓", ""]
    assert app.button(key="home.versions.use").disabled  # the chosen one is in use now


def test_home_trash_puts_a_deletion_back_and_empties(nc_home):
    for digit in range(2):
        classroom.add_drawing(np.zeros((28, 28), np.float32), digit)
    classroom.clear_drawings()
    app = open_page()
    assert "2 class drawings" in text_of(app)
    restore = next(b for b in app.button if b.label == "Put back")
    restore.click().run()
    assert classroom.drawings_count() == 2 and trash.items() == []
    classroom.clear_drawings()
    app.run()
    app.button(key="home.trash.empty").click().run()
    assert "cannot be undone" in text_of(app) and len(trash.items()) == 1
    app.button(key="home.trash.empty.yes").click().run()
    assert trash.items() == [] and "Empty." in text_of(app)
