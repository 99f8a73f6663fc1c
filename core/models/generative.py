"""The generative models: GANs that learn to write digits and a VAE with a 2-D latent map.

Each spec builds its two networks: a GAN's generator and discriminator (the
discriminator returns logits), or a VAE's decoder and encoder. The lecture's and the
report's networks are kept exactly; `dcgan_fast` is ours, small enough to write
readable digits within two or three minutes on a 2-core CPU, and `cgan` is its
class-conditional sibling (an auxiliary-classifier GAN: the discriminator also names
the digit, which makes the generator draw the digit it is asked for).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10


@dataclass(frozen=True)
class GenerativeSpec:
    """A generative model, where it comes from and how it trains by default."""

    name: str
    title: str
    source: str
    kind: str  # "gan", "conditional" (a GAN told which class to draw) or "vae"
    build: Callable[[int], tuple[keras.Model, keras.Model]]  # latent dim -> the two networks
    latent_dim: int
    batch_size: int
    lr_generator: float
    lr_discriminator: float
    beta_1: float = 0.5
    label_smoothing: float = 0.0  # real labels become 1 - this for the discriminator
    # An unconditional GAN whose critic also names real digits, with CatGAN's two terms at
    # this weight (Springenberg 2016): the critic is kept unsure which digit a fake is, and the
    # generator pushed toward samples it reads as one digit each, all ten alike. 0: a plain GAN.
    class_weight: float = 0.0
    minutes: float = 3.0  # the default length of a training run

    @property
    def tanh_output(self) -> bool:
        """GANs draw in [-1, 1] (tanh); the VAE in [0, 1] (sigmoid)."""
        return self.kind != "vae"


def _lecture_gan(latent_dim: int) -> tuple[keras.Model, keras.Model]:
    generator = keras.Sequential([
        keras.Input((latent_dim,)),
        layers.Dense(256), layers.LeakyReLU(0.2),
        layers.Dense(512), layers.LeakyReLU(0.2),
        layers.Dense(784, activation="tanh"),
        layers.Reshape(IMAGE_SHAPE),
    ], name="generator")
    discriminator = keras.Sequential([
        keras.Input(IMAGE_SHAPE), layers.Flatten(),
        layers.Dense(1024), layers.LeakyReLU(0.2), layers.Dropout(0.3),
        layers.Dense(512), layers.LeakyReLU(0.2), layers.Dropout(0.3),
        layers.Dense(256), layers.LeakyReLU(0.2),
        layers.Dense(1),
    ], name="discriminator")
    return generator, discriminator


def _tutorial_dcgan(latent_dim: int) -> tuple[keras.Model, keras.Model]:
    generator = keras.Sequential([
        keras.Input((latent_dim,)),
        layers.Dense(7 * 7 * 256, use_bias=False), layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Reshape((7, 7, 256)),
        layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Conv2DTranspose(1, 5, strides=2, padding="same", activation="tanh"),
    ], name="generator")
    discriminator = keras.Sequential([
        keras.Input(IMAGE_SHAPE),
        layers.Conv2D(64, 5, strides=2, padding="same"), layers.LeakyReLU(), layers.Dropout(0.3),
        layers.Conv2D(128, 5, strides=2, padding="same"), layers.LeakyReLU(), layers.Dropout(0.3),
        layers.Flatten(), layers.Dense(1),
    ], name="discriminator")
    return generator, discriminator


def _fast_generator_body(inputs: keras.KerasTensor) -> keras.KerasTensor:
    x = layers.Dense(7 * 7 * 128, use_bias=False)(inputs)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.Reshape((7, 7, 128))(x)
    x = layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False)(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    return layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh")(x)


def _fast_discriminator_body(image: keras.KerasTensor, width: int) -> keras.KerasTensor:
    x = layers.LeakyReLU(0.2)(layers.Conv2D(width, 4, strides=2, padding="same")(image))
    x = layers.LeakyReLU(0.2)(layers.Conv2D(2 * width, 4, strides=2, padding="same")(x))
    return layers.Flatten()(x)


def _naming_discriminator(width: int) -> keras.Model:
    """The fast discriminator, `width` then twice as many filters, with two heads: real or
    fake, and which digit."""
    image = keras.Input(IMAGE_SHAPE, name="image")
    features = _fast_discriminator_body(image, width)
    return keras.Model(image, [layers.Dense(1, name="real")(features),
                               layers.Dense(NUM_CLASSES, name="digit")(features)],
                       name="discriminator")


def _fast_dcgan(latent_dim: int) -> tuple[keras.Model, keras.Model]:
    z = keras.Input((latent_dim,), name="z")
    # A discriminator of 32/64 filters, a quarter of 64/128's compute, trains as well per step
    # (3 minutes on a 2-core CPU: 73 % of samples read with confidence against 70 %).
    return keras.Model(z, _fast_generator_body(z), name="generator"), _naming_discriminator(32)


def _conditional_dcgan(latent_dim: int) -> tuple[keras.Model, keras.Model]:
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((), dtype="int32", name="label")
    wanted = layers.Flatten()(layers.Embedding(NUM_CLASSES, 32)(label))
    generator = keras.Model([z, label], _fast_generator_body(layers.Concatenate()([z, wanted])),
                            name="generator")
    return generator, _naming_discriminator(64)


def _vae(latent_dim: int) -> tuple[keras.Model, keras.Model]:
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(7 * 7 * 64, activation="relu")(z)
    x = layers.Reshape((7, 7, 64))(x)
    x = layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(x)
    decoder = keras.Model(z, layers.Conv2D(1, 3, padding="same", activation="sigmoid")(x),
                          name="decoder")
    image = keras.Input(IMAGE_SHAPE, name="image")
    x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(image)
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Dense(128, activation="relu")(layers.Flatten()(x))
    encoder = keras.Model(image, [layers.Dense(latent_dim, name="mean")(x),
                                  layers.Dense(latent_dim, name="log_var")(x)], name="encoder")
    return decoder, encoder


SPECS: dict[str, GenerativeSpec] = {
    spec.name: spec
    for spec in (
        GenerativeSpec("dcgan_fast", "Fast DCGAN (ours)",
                       "ours: light enough for a CPU lecture; its discriminator also learns to "
                       "name real digits, and pushes the generator toward clear, varied ones",
                       "gan", _fast_dcgan, latent_dim=64, batch_size=64,
                       lr_generator=1e-3, lr_discriminator=1e-3, label_smoothing=0.1,
                       class_weight=1.0),
        GenerativeSpec("cgan", "Conditional GAN (ours, AC-GAN)",
                       "ours: the fast DCGAN told which digit to draw", "conditional",
                       _conditional_dcgan, latent_dim=64, batch_size=64,
                       lr_generator=5e-4, lr_discriminator=5e-4, label_smoothing=0.1),
        GenerativeSpec("gan_mlp", "MLP GAN (lecture)", "lecture: 100-256-512-784 generator",
                       "gan", _lecture_gan, latent_dim=100, batch_size=128,
                       lr_generator=2e-4, lr_discriminator=2e-4),
        GenerativeSpec("dcgan", "DCGAN (report / TF tutorial)",
                       "report: 7x7x256 projection, Conv2DTranspose 128/64/1", "gan",
                       _tutorial_dcgan, latent_dim=100, batch_size=256,
                       lr_generator=1e-4, lr_discriminator=1e-4, beta_1=0.9, minutes=10.0),
        GenerativeSpec("vae", "Variational autoencoder, 2-D latent", "ours (the assignment's "
                       "unfinished part)", "vae", _vae, latent_dim=2, batch_size=128,
                       lr_generator=1e-3, lr_discriminator=1e-3, minutes=2.0),
    )
}
GANS = tuple(name for name, spec in SPECS.items() if spec.kind != "vae")


def random_z(count: int, latent_dim: int, seed: int | None = None) -> np.ndarray:
    """Return `count` latent vectors from the prior N(0, I), reproducibly for a seed."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((count, latent_dim)).astype(np.float32)


def cycling_digits(count: int) -> np.ndarray:
    """Return 0, 1, ..., 9, 0, 1, ...: what a conditional GAN is asked for by default."""
    return np.arange(count, dtype=np.int32) % NUM_CLASSES


def spec(name: str) -> GenerativeSpec:
    """Return a generative model's spec, or raise ValueError naming the known ones."""
    try:
        return SPECS[name]
    except KeyError:
        raise ValueError(f"Unknown generative model {name!r}; "
                         f"known: {', '.join(SPECS)}") from None


def draw(generator: keras.Model, spec: GenerativeSpec, z: np.ndarray,
         digits: np.ndarray | None = None) -> np.ndarray:
    """Run a generator (or the VAE's decoder) on z: images (n, 28, 28) in [0, 1]; a
    conditional GAN draws `digits` (by default 0-9 in turn)."""
    z = np.asarray(z, np.float32)
    if digits is None:
        digits = cycling_digits(len(z))
    inputs = [z, np.asarray(digits, np.int32)] if spec.kind == "conditional" else z
    images = keras.ops.convert_to_numpy(generator(inputs, training=False))[..., 0]
    return np.clip((images + 1.0) / 2.0 if spec.tanh_output else images, 0.0, 1.0)
