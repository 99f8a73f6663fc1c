"""The Denoising lab page, through every control."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

import pytest

from core import settings, store
from core.data import preprocess
from core.inference import anomaly, warm
from core.training import keras_loop
from core.training.jobs import JobState
from tests.app.conftest import open_page, text_of
from tests.drawings import digit_canvas, png_bytes
from ui import anomaly_lab, runtime

PAGE = "views/denoise.py"


@pytest.fixture
def lab(use_trained):
    return open_page(PAGE)


def metric(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def grid_images(app) -> list[str]:
    return [image.proto.imgs[0].url for image in app.get("image")]


def test_the_grid_shows_sixteen_images_with_labels_and_metrics(lab):
    assert len(lab.tabs) == 3
    text = text_of(lab)
    assert text.count("dB") >= 16 and text.count("SSIM") >= 16
    assert "✓" in text  # the classifier read some of them right
    assert metric(lab, "PSNR, denoised").endswith("dB")
    assert metric(lab, "Read right, denoised").endswith("of 16")
    assert "Nothing drawn yet" in text  # the drawing section asks for one


def test_the_level_slider_changes_the_noise_and_the_numbers(lab):
    before = metric(lab, "PSNR, denoised"), grid_images(lab)
    lab.slider(key="denoise.level").set_value(1.0).run()
    assert not lab.exception
    after = metric(lab, "PSNR, denoised"), grid_images(lab)
    assert before[0] != after[0] and before[1] != after[1]
    lab.slider(key="denoise.level").set_value(0.0).run()
    psnr = next(m for m in lab.metric if m.label == "PSNR, denoised")
    assert psnr.delta.endswith("vs noisy (100.0)")  # level 0: the "noisy" images are the clean ones


def test_noise_kind_dataset_and_model_selectors(lab):
    lab.segmented_control(key="denoise.noise").set_value("salt_pepper").run()
    assert not lab.exception and "dB" in text_of(lab)
    lab.selectbox(key="denoise.denoiser.mnist").set_value("ae_unet").run()
    lab.selectbox(key="denoise.classifier.mnist").set_value("mlp").run()
    assert not lab.exception and metric(lab, "Read right, denoised").endswith("of 16")
    lab.selectbox(key="denoise.dataset").set_value("fashion_mnist").run()
    text = text_of(lab)
    assert "No denoiser is trained on Fashion-MNIST" in text
    assert [b.label for b in lab.button if b.label.startswith("Train")] == [
        "Train ae_unet", "Train ae_conv", "Train cnn_best"]


def test_other_test_images(lab):
    before = grid_images(lab)
    lab.button(key="denoise.shuffle").click().run()
    assert grid_images(lab) != before


def test_the_drawing_noisy_and_denoised_with_probabilities(lab):
    lab.session_state["canvas.image"] = preprocess.from_canvas(digit_canvas(0))
    lab.run()
    assert {"Your digit", "With noise", "Denoised"} <= {m.value.strip("*") for m in lab.markdown}
    bars = [json.loads(c.proto.spec) for c in lab.get("plotly_chart")]
    assert sum(chart["data"][0]["type"] == "bar" and len(chart["data"][0]["x"]) == 10
               for chart in bars) == 2  # before and after denoising
    lab.segmented_control(key="denoise.source").set_value("Upload").run()
    lab.file_uploader(key="denoise.upload").set_value(
        ("seven.png", png_bytes(digit_canvas(0)), "image/png")).run()
    assert not lab.exception and "PSNR" in text_of(lab)


def test_the_sweep_runs_as_a_job_and_offers_a_csv(lab):
    lab.segmented_control(key="sweep.samples").set_value(1000).run()
    lab.button(key="sweep.run").click().run()
    manager = runtime.job_manager()
    job = next(j for j in manager.jobs() if j.key.startswith("sweep:"))
    assert manager.wait(job, timeout=300) and job.state is JobState.DONE, job.error
    lab.run()
    assert not lab.exception
    assert any(b.label == "Download as CSV" for b in lab.get("download_button"))


def test_the_anomaly_threshold_trades_recall_for_precision(lab):
    stops = anomaly_lab.thresholds(warm.load(anomaly.MODEL, anomaly.DATASET,
                                             anomaly.Detector).losses)
    lab.select_slider(key="anomaly.threshold").set_value(stops[20]).run()
    recall_low = metric(lab, "Recall")
    lab.select_slider(key="anomaly.threshold").set_value(stops[70]).run()
    assert not lab.exception
    assert float(metric(lab, "Recall").rstrip("%")) < float(recall_low.rstrip("%"))


def test_without_models_the_page_offers_to_train_them(nc_home):
    app = open_page(PAGE)
    text = text_of(app)
    assert "No denoiser is trained on MNIST digits yet" in text
    assert "Not trained yet" in text  # the anomaly tab
    app.button(key="anomaly.train.ae_line").click().run()
    job = runtime.job_manager().find("train:line:ae_line")
    assert job is not None
    job.stop()
    runtime.job_manager().wait(job, timeout=60)


def test_first_launch_shows_the_quick_denoiser_training_then_announces_the_full_one(
        nc_home, trained_home, monkeypatch):
    """A fresh store while first launch trains the quick denoiser: the page says so, shows
    the grid once it lands, and announces the full recipe's swap. The denoiser saved here is
    the trained home's real one; only the job that stands for its training waits on the test."""
    monkeypatch.setenv(settings.HOME_ENV, str(trained_home))
    built = store.load("ae_unet", "mnist")
    monkeypatch.setenv(settings.HOME_ENV, str(nc_home))
    trained = threading.Event()
    manager = runtime.job_manager()
    job = manager.submit("Train ae_unet on mnist (quick recipe)",
                         lambda job: trained.wait(60),
                         key=f"{keras_loop.training_key('ae_unet', 'mnist')}:quick")
    app = open_page(PAGE)
    assert "The first denoiser is training on this machine" in text_of(app)
    assert not [b for b in app.button if b.label in ("Train ae_unet", "Train ae_conv")]
    assert not app.metric  # no grid yet

    quick = store.save(built.model, replace(built.card, quick=True))
    trained.set()
    manager.wait(job, timeout=60)
    app.run()
    assert "First launch's quick denoiser" in text_of(app)
    assert metric(app, "PSNR, denoised").endswith("dB")

    store.save(built.model, replace(quick, quick=False))  # the full recipe lands
    app.run()
    assert any("full recipe, is ready" in toast.value for toast in app.toast)
    assert not app.exception
