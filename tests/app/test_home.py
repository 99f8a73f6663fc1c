"""The home page: what the app is, the pages, and the status of data, device and models."""

from __future__ import annotations

from tests.app.conftest import open_page, text_of


def test_home_lists_pages_datasets_device_and_models(use_trained):
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
    assert measured["ae_unet"].startswith("Gaussian PSNR")
    assert measured["ae_line"].startswith("reconstruction loss")
    assert measured["dcgan_fast"].startswith("IS ") and "confident" in measured["dcgan_fast"]
    assert "as asked" in measured["cgan"]


def test_home_with_an_empty_store_says_so(nc_home):
    app = open_page()
    assert "No trained models yet." in text_of(app)
