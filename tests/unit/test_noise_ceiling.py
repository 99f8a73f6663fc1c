"""The ceiling benchmark's likelihood: one matrix product must equal the noise model's
log-likelihood, up to a constant per noisy image (which no comparison of candidates sees)."""

import numpy as np
from scipy.stats import norm

from bench.denoise import brightest_background
from bench.noise_ceiling import noisy_terms, pixel_terms, posterior_mean
from core.data import noise


def direct_log_likelihood(noisy: np.ndarray, clean: np.ndarray, level: float) -> float:
    """Sum over pixels of log p(noisy | clean) for `clip(clean + level * N(0, 1), 0, 1)`."""
    at_zero = norm.logcdf(-clean / level)
    at_one = norm.logsf((1 - clean) / level)
    inside = norm.logpdf(noisy, loc=clean, scale=level)
    return float(np.where(noisy <= 0, at_zero, np.where(noisy >= 1, at_one, inside)).sum())


def test_product_is_log_likelihood_up_to_a_constant_per_noisy_image():
    rng = np.random.default_rng(3)
    clean = rng.uniform(0, 1, (5, 784)).astype(np.float32)
    clean[:, :300] = 0.0  # background, as in a digit
    level = 0.7
    noisy = noise.add_noise(clean[:2], "gaussian", level, seed=1)
    product = noisy_terms(noisy) @ pixel_terms(clean, level).T
    direct = np.array([[direct_log_likelihood(n, c, level) for c in clean] for n in noisy])
    offsets = direct - product
    np.testing.assert_allclose(offsets, offsets[:, :1].repeat(5, axis=1), rtol=0, atol=0.05)
    # The clean image each noisy one came from is its most likely source here.
    assert list(product.argmax(axis=1)) == [0, 1]


def test_the_bayes_denoiser_averages_the_candidates_by_their_posterior():
    candidates = np.stack([np.zeros(784), np.ones(784), np.full(784, 0.5)]).astype(np.float32)
    sure = posterior_mean(np.array([[0.0, -50.0, -50.0]]), candidates)
    torn = posterior_mean(np.log([[0.5, 0.5, 1e-30]]), candidates)
    np.testing.assert_allclose(sure, candidates[:1], atol=1e-6)
    np.testing.assert_allclose(torn, np.full((1, 784), 0.5), atol=1e-6)


def test_other_writers_strokes_light_the_background_where_this_writer_has_none():
    clean = np.zeros((2, 28, 28), np.float32)
    clean[:, 14, 5] = 1.0  # one ink pixel, far from the corner
    restored = clean.copy()
    restored[0, 27, 27] = 0.8  # the other writer's stroke, in this writer's background
    found = brightest_background(clean, restored)
    assert (found["row"], found["col"]) == (27, 27)
    assert found["brightness"] == 0.4  # once over the two images
