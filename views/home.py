"""Home: what Neural Canvas is, where to go, and the state of data, device and models."""

from __future__ import annotations

import time

import streamlit as st

from core import device, settings, store
from core.data import datasets
from core.inference import denoise
from ui import model_versions, runtime, trash_view

PAGE_CARDS = [
    ("views/draw.py", "Draw a digit", ":material/draw:",
     "Draw with the mouse and watch an MLP and a CNN read it live, with the probabilities of "
     "all ten digits and a heatmap of the pixels that decided. Upload a photo or pick a test "
     "digit instead."),
    ("views/inside.py", "Inside the CNN", ":material/layers:",
     "Every convolution and pooling layer's feature maps for your digit; one number of a "
     "feature map worked out by hand; your own kernel; the network re-run in plain NumPy, "
     "and a CNN trained from scratch in NumPy with hand-written backpropagation."),
    ("views/denoise.py", "Denoising lab", ":material/blur_on:",
     "Slide Gaussian or salt-and-pepper noise up until nobody can read the digits, and watch "
     "an autoencoder bring them back, with PSNR, SSIM and the classifier's accuracy before "
     "and after; accuracy against noise level; anomaly detection with an autoencoder."),
    ("views/gan.py", "GAN studio", ":material/auto_awesome:",
     "Watch a GAN learn to write digits, live: the sample grid, both networks' losses, and a "
     "classifier judging the samples as they improve. Pause, step the discriminator alone, "
     "slow it down, scrub back through time, export the evolution as a GIF."),
    ("views/latent.py", "Latent explorer", ":material/scatter_plot:",
     "Walk between two generated digits along a great circle, and explore the 2-D map of "
     "every digit a variational autoencoder knows: pick any point and see the digit there."),
    ("views/probe.py", "Probe the network", ":material/troubleshoot:",
     "Fool it with adversarial examples (FGSM, PGD, or by hand) and see robustness bought "
     "with training; ask it why (Grad-CAM, occlusion, the training digits it finds alike); "
     "see what each filter has learnt and a map of what every layer knows; switch off "
     "filters and prune weights, and watch the accuracy."),
    ("views/teach.py", "Teach it new symbols", ":material/draw_abstract:",
     "Name new classes (+ − × ÷ =, shapes, letters), let the class draw examples, and watch "
     "transfer learning from the digit CNN beat a network trained from scratch on the same "
     "few drawings, live, with the learning curve that explains pretraining."),
    ("views/lab.py", "Training lab", ":material/model_training:",
     "Pick a dataset, a network and an optimizer and train it live; race SGD against Adam from "
     "the same start; see the confusion matrix and the mistakes; take the model and a script "
     "home. Plus the fundamentals: activations, gradient descent, optimizers, and an LSTM."),
    ("views/classroom.py", "Classroom", ":material/school:",
     "Share the app with a class: students open your address, draw and watch your live "
     "training read-only, and send their drawings with the digit they meant into a class-wide "
     "confusion matrix."),
]

st.title("Neural Canvas")
st.markdown("#### See what a neural network sees.")
st.markdown(
    "A deep-learning playground for lectures and for poking at home. Every model here is a "
    "real Keras network, trained on this machine on the real MNIST data, and every number "
    "on screen is measured. Nothing needs the internet once the data is cached."
)

for path, title, icon, text in PAGE_CARDS:
    with st.container(border=True):
        st.page_link(path, label=title, icon=icon)
        st.write(text)

st.divider()
st.subheader("Status")
manager = runtime.job_manager()
data_col, device_col = st.columns(2)
with data_col:
    st.markdown("**Datasets**")
    for name, dataset in datasets.DATASETS.items():
        if datasets.is_cached(name):
            state = "cached, verified"
        elif name == "cifar10":
            state = "not available offline (fetched by Keras where there is internet)"
        else:
            state = f"not fetched yet: run `python -m core data fetch {name}`"
        st.markdown(f"- {dataset.title} (`{name}`): {state}")
    st.caption(f"Kept in `{settings.data_dir()}`")
with device_col:
    st.markdown("**Device**")
    st.markdown(device.detect().summary)


def render_models() -> None:
    st.markdown("**Model store**")
    cards = store.cards()
    if cards:
        st.dataframe(
            [{"model": card.title, "name": card.name, "dataset": card.dataset,
              "measured on the test set": denoise.headline(card),
              "trained for": denoise.trained_for(card),
              "trained": time.strftime("%Y-%m-%d %H:%M", time.localtime(card.trained_at)),
              "training time": runtime.format_seconds(card.train_seconds),
              "recipe": "quick" if card.quick else "full"}
             for card in sorted(cards, key=lambda c: (c.dataset, c.name))],
            hide_index=True, width="stretch",
        )
    else:
        st.info("No trained models yet.")
    st.caption(f"Kept in `{settings.models_dir()}`")
    runtime.render_jobs(manager, "home.job")


if runtime.training_jobs(manager):  # poll only while something trains
    st.fragment(render_models, run_every=2.0)()
else:
    render_models()
model_versions.render_versions(store.cards())
trash_view.render_trash()
