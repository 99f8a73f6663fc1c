"""Denoising lab: slide the noise up, watch an autoencoder bring the digits back, and see the
numbers that prove it: PSNR, SSIM and the classifier's accuracy, measured on real images."""

from __future__ import annotations

import streamlit as st

from core import store
from core.data import datasets, noise
from core.inference import denoise, predict
from core.models import zoo
from core.training import fit, keras_loop
from ui import anomaly_lab, denoise_grid, runtime, sweep_view

DATASETS = {"mnist": "MNIST digits", "fashion_mnist": "Fashion-MNIST clothing"}

st.title("Denoising lab")
st.caption("Add noise until nobody can read the images, then let an autoencoder clean them. "
           "Every denoiser here was trained on both kinds of noise at every level, so one "
           "model serves the whole slider.")

manager = runtime.job_manager()
dataset_col, noise_col, denoiser_col, classifier_col = st.columns(4)
dataset = dataset_col.selectbox("Dataset", list(DATASETS), format_func=DATASETS.get,
                                key="denoise.dataset")
kind = noise_col.segmented_control("Noise", list(noise.NOISES), format_func=noise.NOISES.get,
                                   default="gaussian", key="denoise.noise") or "gaussian"


def choose_denoiser() -> denoise.Denoiser | None:
    ranked = {card.name: card for card in denoise.ranked_denoisers(dataset, kind)}
    if not ranked:
        return None
    name = denoiser_col.selectbox(
        "Denoiser (best for this noise first)", list(ranked), key=f"denoise.denoiser.{dataset}",
        format_func=lambda n: f"{zoo.spec(n).title} ({n})")
    card = ranked[name]
    if card.quick:
        denoiser_col.caption(f"First launch's quick denoiser ({denoise.trained_for(card)}): "
                             "the full recipe replaces it when it has trained.")
    runtime.announce_swap(f"denoise.version.{name}", card,
                          f"{card.title}{'' if card.quick else ', trained with its full recipe,'} "
                          "is ready and now cleans the images.")
    return runtime.load_denoiser(name, dataset)


def choose_classifier() -> predict.Classifier | None:
    ranked = predict.ranked_cards(dataset, zoo.CLEAN_CLASSIFIERS)
    if not ranked:
        classifier_col.info(f"No classifier is trained on {DATASETS[dataset]} yet: the images "
                            "are shown without labels.")
        return None
    name = classifier_col.selectbox(
        "Classifier (trained on clean images)", [card.name for card in ranked],
        key=f"denoise.classifier.{dataset}",
        format_func=lambda n: f"{n} · {next(c for c in ranked if c.name == n).test_accuracy:.2%}")
    return runtime.load_classifier(name, dataset)


def denoiser_jobs() -> list:
    return [job for job in runtime.training_jobs(manager)
            if any(job.key.startswith(keras_loop.training_key(name, dataset))
                   for name in zoo.DENOISERS)]


@st.fragment(run_every=1.0)
def render_training_status(seen: tuple[str, ...], current: store.Card | None) -> None:
    """Denoisers training (first launch's among them), live; reruns the page when one lands
    in the store."""
    if runtime.store_signature(dataset) != seen:
        st.rerun(scope="app")
    if not denoiser_jobs():
        return
    with st.container(border=True):
        if current is not None and current.quick:
            st.markdown("**The full recipe of this denoiser is training in the background.** "
                        "It replaces the quick one on this page as soon as it is ready.")
        elif current is not None:
            st.markdown("**Another denoiser is training in the background.** The page "
                        "switches to it if its restored digits are read right more often.")
        else:
            quick = any(job.key.endswith(":quick") for job in denoiser_jobs())
            budget = fit.first_launch_recipe(zoo.spec("ae_unet")).time_budget_s
            st.markdown("**The first denoiser is training on this machine**"
                        + (f" (first launch's quick recipe: {runtime.format_seconds(budget)} of "
                           "training)" if quick else "") + ". The slider works the moment it is "
                        "ready.")
        runtime.render_jobs(manager, "denoise.job")


def missing_models(denoiser: denoise.Denoiser | None,
                   classifier: predict.Classifier | None) -> None:
    """Offer to train what this dataset lacks, with each recipe's time on a 2-core CPU."""
    if denoiser is None and not denoiser_jobs():
        denoiser_col.info(f"No denoiser is trained on {DATASETS[dataset]} yet.")
        runtime.offer_training(manager, zoo.DENOISERS[0], dataset,
                               "Our U-Net denoiser takes about 15 minutes on a 2-core CPU; it "
                               "learns with `cnn_best` reading what it restores, so `cnn_best` "
                               "is trained first if it is missing. The report's small one "
                               "(`ae_conv`) takes 2-8.", "denoise")
        runtime.offer_training(manager, "ae_conv", dataset, "", "denoise")
    if classifier is None:
        runtime.offer_training(manager, "cnn_best", dataset,
                               "Our CNN takes 3 to 15 minutes, by the machine.", "denoise")


def lab(denoiser: denoise.Denoiser, classifier: predict.Classifier | None) -> None:
    """The slider and everything it moves; a fragment, so a slide reruns only this."""
    runtime.clamp_setting("denoise.level", 0.0, 1.0)
    level = st.slider("Noise level", 0.0, 1.0, 0.5, 0.05, key="denoise.level",
                      help="Gaussian: standard deviation of the noise added to each pixel "
                           "(then clipped to [0, 1]). Salt and pepper: the share of pixels "
                           "set to black or white.")
    denoise_grid.render_grid(dataset, kind, level, denoiser, classifier)
    st.subheader("Your drawing")
    denoise_grid.render_drawing(kind, level, denoiser, classifier,
                                datasets.DATASETS[dataset].class_names)


try:
    datasets.load(dataset)
except datasets.DatasetUnavailable as error:
    st.error(str(error))
    st.stop()
denoiser = choose_denoiser()
classifier = choose_classifier()
if denoiser_jobs():  # poll only while a denoiser trains
    render_training_status(runtime.store_signature(dataset), denoiser.card if denoiser else None)
missing_models(denoiser, classifier)
lab_tab, sweep_tab, anomaly_tab = st.tabs(["Denoise", "Accuracy against noise",
                                           "Anomaly detection"])
with lab_tab:
    if denoiser is not None:
        st.fragment(lab)(denoiser, classifier)
    else:
        st.info("The noise slider and the denoised images appear here as soon as a denoiser "
                "is trained.")
with sweep_tab:
    if denoiser is None or classifier is None:
        st.info("The sweep needs a trained denoiser and classifier for this dataset.")
    else:
        sweep_view.render(manager, dataset, kind, classifier.card.name, denoiser.card.name)
with anomaly_tab:
    anomaly_lab.render(manager)
