"""The slider's view: test images clean, noisy and denoised, read by a classifier, measured;
and the user's own drawing through the same noise and denoiser."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from core.data import datasets
from core.figures import plots
from core.inference import denoise
from core.inference.predict import Classifier
from ui import inputs

GRID_SIZE, PER_ROW = 16, 8
DRAWING_SOURCES = ("Your drawing", "Draw here", "Upload")


def test_indices(dataset: str, count: int) -> np.ndarray:
    """The test images on show: the same until the user asks for others."""
    key = f"denoise.indices.{dataset}"
    if st.button("Other test images", key="denoise.shuffle", icon=":material/casino:") or (
        key not in st.session_state
    ):
        st.session_state[key] = np.random.default_rng().choice(count, GRID_SIZE, replace=False)
    return st.session_state[key]


def verdict(probabilities: np.ndarray, label: int | None, names: tuple[str, ...]) -> str:
    """The classifier's answer as coloured markdown: green and ✓ when right, red and ✗ not."""
    guess = int(np.argmax(probabilities))
    if label is None:
        return f"**{names[guess]}**"
    return f":green[**{names[guess]}** ✓]" if guess == label else f":red[**{names[guess]}** ✗]"


def render_summary(result: denoise.Restoration, labels: np.ndarray | None,
                   seconds: float) -> None:
    psnr_col, ssim_col, noisy_col, clean_col = st.columns(4)
    psnr_col.metric("PSNR, denoised", f"{result.psnr_denoised.mean():.1f} dB",
                    f"{result.psnr_denoised.mean() - result.psnr_noisy.mean():+.1f} dB vs noisy "
                    f"({result.psnr_noisy.mean():.1f})")
    ssim_col.metric("SSIM, denoised", f"{result.ssim_denoised.mean():.3f}",
                    f"{result.ssim_denoised.mean() - result.ssim_noisy.mean():+.3f} vs noisy "
                    f"({result.ssim_noisy.mean():.3f})")
    if labels is not None:
        for column, title, probabilities in (
            (noisy_col, "Read right, noisy", result.noisy_probabilities),
            (clean_col, "Read right, denoised", result.denoised_probabilities),
        ):
            right = int((probabilities.argmax(axis=1) == labels).sum())
            column.metric(title, f"{right} of {len(labels)}")
    st.caption(f"Noise, denoising, both classifications and all metrics for these "
               f"{len(result.clean)} images: {seconds * 1000:.0f} ms.")


def render_grid(dataset: str, kind: str, level: float, denoiser: denoise.Denoiser,
                classifier: Classifier | None) -> None:
    """16 test images: clean, noisy and denoised per column, with labels and metrics."""
    loaded = datasets.load(dataset)
    names = loaded.info.class_names
    indices = test_indices(dataset, len(loaded.y_test))
    images = datasets.to_model_input(loaded.x_test[indices])[..., 0]  # only the 16 on show
    labels = loaded.y_test[indices].astype(int)
    started = time.perf_counter()
    result = denoise.restore(images, kind, level, denoiser, classifier)
    render_summary(result, labels if classifier else None, time.perf_counter() - started)
    st.caption("Each column: the clean test image (top), with noise (middle), denoised "
               "(bottom); under it the classifier's reading of the noisy and the denoised "
               "image, and PSNR / SSIM before → after.")
    for start in range(0, GRID_SIZE, PER_ROW):
        for offset, column in enumerate(st.columns(PER_ROW)):
            i = start + offset
            column.image(plots.image_stack([result.clean[i], result.noisy[i],
                                            result.denoised[i]]), width="stretch",
                         output_format="PNG")
            lines = []
            if classifier is not None:
                lines.append(f"{verdict(result.noisy_probabilities[i], labels[i], names)} → "
                             f"{verdict(result.denoised_probabilities[i], labels[i], names)}")
            lines.append(f"{result.psnr_noisy[i]:.1f} → {result.psnr_denoised[i]:.1f} dB  \n"
                         f"SSIM {result.ssim_noisy[i]:.2f} → {result.ssim_denoised[i]:.2f}")
            column.markdown("  \n".join(lines))


def render_drawing(kind: str, level: float, denoiser: denoise.Denoiser,
                   classifier: Classifier | None, names: tuple[str, ...]) -> None:
    """The user's digit: noisy and denoised, with the probabilities before and after."""
    input_col, output_col = st.columns([1, 2.4], gap="large")
    with input_col:
        image, _, message = inputs.choose("denoise", DRAWING_SOURCES)
    if image is None:
        output_col.info(message or "Draw a digit.")
        return
    result = denoise.restore(image[None], kind, level, denoiser, classifier)
    with output_col:
        for column, title, picture, probabilities in zip(
            st.columns(3), ("Your digit", "With noise", "Denoised"),
            (result.clean[0], result.noisy[0], result.denoised[0]),
            (None, result.noisy_probabilities[0], result.denoised_probabilities[0]),
            strict=True,
        ):
            column.markdown(f"**{title}**")
            column.image(plots.upscale(plots.gray_to_rgb(picture), 168), width=168,
                         output_format="PNG")
            if probabilities is not None and classifier is not None:
                column.plotly_chart(plots.probability_bars(probabilities, names, height=200),
                                    config={"displayModeBar": False},
                                    key=f"denoise.bars.{title}")
        st.caption(f"PSNR {result.psnr_noisy[0]:.1f} → {result.psnr_denoised[0]:.1f} dB · "
                   f"SSIM {result.ssim_noisy[0]:.2f} → {result.ssim_denoised[0]:.2f} "
                   "(against your digit without noise)")
