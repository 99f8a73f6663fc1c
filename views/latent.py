"""Latent explorer: walk between generated digits, and the VAE's map of every digit."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import store
from core.data import datasets, image_grid
from core.figures import plots
from core.inference import latent
from core.models import generative
from ui import runtime

DATASETS = ("mnist", "fashion_mnist")
MAP_POINTS = 5000  # test images on the VAE's map: every class well covered, still responsive

st.title("Latent explorer")
st.markdown(
    "A generator turns a vector of random numbers, a point in its **latent space**, into an "
    "image. Nearby points give similar images; walk from one point to another and watch one "
    "digit morph into the next."
)
dataset = st.selectbox("Dataset", DATASETS, key="latent.dataset",
                       format_func=lambda name: datasets.info(name).title)
classes = datasets.info(dataset).class_names
stored = [card for card in store.cards(dataset) if card.name in generative.SPECS]
if not stored:
    st.info(f"No generator has been trained on {dataset} yet.")
    st.page_link("views/gan.py", label="Train one in the GAN studio",
                 icon=":material/auto_awesome:")
    st.stop()


@st.cache_data(show_spinner="Placing the test images on the map…", max_entries=4)
def test_codes(name: str, dataset: str, sha256: str) -> tuple[np.ndarray, np.ndarray]:
    """The VAE's latent means of the first test images, and their labels (per model file)."""
    sampler = latent.load_sampler(name, dataset)
    test = datasets.load(dataset)
    return sampler.encode(test.images("test")[:MAP_POINTS]), test.labels("test")[:MAP_POINTS]


def interpolate(sampler: latent.Sampler) -> None:
    """Two random samples and the path between them, on the sphere and on a straight line."""
    cols = st.columns(4)
    seed_a = cols[0].number_input("Sample A (seed)", 0, 10_000, 1, key="latent.a")
    seed_b = cols[1].number_input("Sample B (seed)", 0, 10_000, 2, key="latent.b")
    steps = cols[2].slider("Steps", 5, 16, 10, key="latent.steps")
    digit = 0
    if sampler.spec.kind == "conditional":
        digit = cols[3].selectbox("Digit to draw", range(10), index=3, key="latent.digit",
                                  format_func=lambda d: classes[d])
    a, b = sampler.random_z(1, int(seed_a))[0], sampler.random_z(1, int(seed_b))[0]
    digits = np.full(steps, digit, np.int32)
    spherical = sampler.draw(latent.slerp(a, b, steps), digits)
    straight = sampler.draw(np.linspace(a, b, steps).astype(np.float32), digits)
    st.image(image_grid.tile(spherical, steps, scale=4), width="stretch", output_format="PNG",
             caption="Spherical interpolation (slerp): every step keeps the length of a typical "
                     "random vector.")
    st.image(image_grid.tile(straight, steps, scale=4), width="stretch", output_format="PNG",
             caption="A straight line, for comparison: halfway, the vector is shorter than any "
                     "the generator saw in training, and the image fades."
             if sampler.spec.latent_dim > 2 else "A straight line, for comparison.")


def vae_map(sampler: latent.Sampler) -> None:
    """The test set on the VAE's 2-D latent plane; any point decoded; the plane as a grid."""
    codes, labels = test_codes(sampler.card.name, dataset, sampler.card.sha256)
    picked = st.session_state.get("latent.map", {}).get("selection", {}).get("points", [])
    if picked:
        point = (round(float(picked[0]["x"]), 2), round(float(picked[0]["y"]), 2))
        if st.session_state.get("latent.clicked") != point:  # a new click moves the sliders
            st.session_state["latent.clicked"] = point
            st.session_state["latent.z1"] = float(np.clip(point[0], -4, 4))
            st.session_state["latent.z2"] = float(np.clip(point[1], -4, 4))
    map_col, digit_col = st.columns([3, 2])
    with digit_col:
        z1 = st.slider("z₁", -4.0, 4.0, step=0.05, key="latent.z1")
        z2 = st.slider("z₂", -4.0, 4.0, step=0.05, key="latent.z2")
        image = sampler.draw(np.array([[z1, z2]], np.float32))[0]
        st.image(image_grid.tile(image[None], 1, scale=10, gap=0), width=280, output_format="PNG",
                 caption=f"decoded at ({z1:.2f}, {z2:.2f})")
    with map_col:
        st.plotly_chart(plots.latent_map(codes, labels, classes, (z1, z2)), key="latent.map",
                        on_select="rerun", selection_mode="points")
        st.caption(f"{len(codes):,} test images, each at the centre of its latent code. Click a "
                   "point, or use the sliders, to decode that spot.")
    st.subheader("The whole plane")
    extent = st.slider("Extent (± this on both axes)", 1.0, 4.0, 3.0, step=0.5,
                       key="latent.extent")
    count = 15
    grid = sampler.draw(latent.plane(extent, count))
    st.image(image_grid.tile(grid, count, scale=2, gap=0), width=640, output_format="PNG",
             caption=f"{count} x {count} decodings from (−{extent:g}, +{extent:g}) at the top left "
                     f"to (+{extent:g}, −{extent:g}) at the bottom right.")


st.session_state.setdefault("latent.z1", 0.0)
st.session_state.setdefault("latent.z2", 0.0)
names = [card.name for card in stored]
name = st.selectbox("Generator", names, key="latent.model",
                    format_func=lambda n: f"{generative.SPECS[n].title}")
sampler = runtime.warm_model(name, dataset, latent.Sampler)
if sampler is None:
    st.stop()
card = sampler.card
st.caption(f"{card.title}: {runtime.format_seconds(card.train_seconds)} of training, "
           f"{card.metrics.get('generator_steps', 0):,} steps.")
walk_tab, map_tab = st.tabs(["Interpolate", "The VAE's latent map"])
with walk_tab:
    interpolate(sampler)
with map_tab:
    if sampler.spec.kind == "vae":
        vae_map(sampler)
    else:
        st.info("Only the VAE has a 2-D latent space to map; choose it above "
                "(train it in the GAN studio if it is not in the list).")
