"""The training lab's networks and recipes: the builder's choices (conv blocks, kernel,
dense units, activation, dropout, batch norm) or a zoo classifier, and how it is trained.

A `LabConfig` decides a run completely: it names the run, builds its network and writes
its export script; the presets are the starting points the lab offers.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers

from core.models import zoo
from core.models.zoo import TrainConfig

CUSTOM = "custom"  # the model name of a network from the builder
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
OPTIMIZER_TITLES = {"sgd": "SGD", "sgd_momentum": "SGD + momentum 0.9", "adam": "Adam",
                    "rmsprop": "RMSprop", "adadelta": "Adadelta"}
# Each optimizer's customary learning rate, what a race gives each of them.
DEFAULT_LEARNING_RATES = {"sgd": 0.05, "sgd_momentum": 0.01, "adam": 1e-3, "rmsprop": 1e-3,
                          "adadelta": 1.0}


@dataclass(frozen=True)
class Architecture:
    """The builder's choices: conv blocks (filters doubling per block), then one dense layer."""

    conv_blocks: int = 2  # 0 gives a multilayer perceptron
    filters: int = 32  # in the first block
    kernel_size: int = 3
    dense_units: int = 128  # 0: straight from the features to the classes
    activation: str = "relu"
    dropout: float = 0.25  # before the last layer
    batch_norm: bool = True


@dataclass(frozen=True)
class LabConfig:
    """Everything that decides a lab run; it names the run and writes its export script."""

    dataset: str = "mnist"
    model: str = CUSTOM  # or a classifier of the zoo
    architecture: Architecture = Architecture()
    optimizer: str = "adam"  # a name in OPTIMIZER_TITLES
    learning_rate: float = 1e-3
    batch_size: int = 128
    epochs: int = 3
    augment: bool = False  # random shifts by up to 2 pixels (and flips, except for digits)
    cosine: bool = False  # the learning rate follows a cosine from its value down to zero
    train_samples: int | None = None  # the first n training images (None: all)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZER_TITLES:
            raise ValueError(f"Unknown optimizer {self.optimizer!r}; choose one of "
                             f"{', '.join(OPTIMIZER_TITLES)}.")
        if self.model != CUSTOM and self.model not in zoo.CLASSIFIERS:
            raise ValueError(f"{self.model!r} is not a classifier of the zoo.")
        if self.architecture.activation not in ACTIVATIONS:
            raise ValueError(f"Unknown activation {self.architecture.activation!r}.")

    @classmethod
    def from_dict(cls, values: dict) -> LabConfig:
        return cls(**{**values, "architecture": Architecture(**values["architecture"])})

    @property
    def title(self) -> str:
        """Say what the network is, in a few words."""
        if self.model != CUSTOM:
            return zoo.spec(self.model).title
        arch = self.architecture
        if arch.conv_blocks == 0:
            return f"MLP {arch.dense_units} {arch.activation}"
        filters = "-".join(str(arch.filters * 2**b) for b in range(arch.conv_blocks))
        extras = " BN" if arch.batch_norm else ""
        return (f"CNN {filters} k{arch.kernel_size}{extras} · dense {arch.dense_units} "
                f"{arch.activation}")

    def describe(self) -> str:
        """Say how it is trained, in one line."""
        schedule = ", cosine" if self.cosine else ""
        augment = ", augmented" if self.augment else ""
        samples = f", {self.train_samples:,} images" if self.train_samples else ""
        return (f"{OPTIMIZER_TITLES[self.optimizer]} lr {self.learning_rate:g}{schedule}, "
                f"batch {self.batch_size}, {self.epochs} epochs{augment}{samples}")

    def train_config(self) -> TrainConfig:
        """The recipe for core.training's batches and compile step."""
        return TrainConfig(optimizer=self.optimizer, learning_rate=self.learning_rate,
                           batch_size=self.batch_size, epochs=self.epochs,
                           shift_pixels=2 if self.augment else 0,
                           mirror=self.augment and self.dataset != "mnist",
                           train_samples=self.train_samples, seed=self.seed)

    @property
    def outputs_logits(self) -> bool:
        return self.model == CUSTOM or zoo.spec(self.model).outputs_logits


# What the lab offers to start from (short names for the command line, then titles); the
# figures in the README were measured with these.
PRESETS: dict[str, tuple[str, LabConfig]] = {
    "small": ("A small CNN, 3 epochs", LabConfig()),
    "fast": ("MNIST to 99 % in under 30 s", LabConfig(
        architecture=Architecture(filters=16, kernel_size=5), learning_rate=3e-3, epochs=3,
        cosine=True)),
    "best": ("The best we have: the Neural Canvas CNN, 6 epochs", LabConfig(
        model="cnn_best", learning_rate=3e-3, batch_size=128, epochs=6, augment=True,
        cosine=True)),
    "report_sgd": ("The report's CNN with SGD", LabConfig(
        model="cnn_report", optimizer="sgd", learning_rate=0.05, epochs=5)),
}


def build_custom(arch: Architecture, input_shape: tuple[int, ...],
                 num_classes: int) -> keras.Model:
    """Build the builder's network; it outputs logits."""
    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    for block in range(1, arch.conv_blocks + 1):
        # With batch norm the convolution needs no bias: batch norm's shift does that job.
        x = layers.Conv2D(arch.filters * 2 ** (block - 1), arch.kernel_size, padding="same",
                          use_bias=not arch.batch_norm, name=f"conv_{block}")(x)
        if arch.batch_norm:
            x = layers.BatchNormalization(name=f"bn_{block}")(x)
        x = layers.Activation(arch.activation, name=f"{arch.activation}_{block}")(x)
        x = layers.MaxPooling2D(name=f"pool_{block}")(x)
    x = layers.Flatten(name="flatten")(x)
    if arch.dense_units:
        x = layers.Dense(arch.dense_units, activation=arch.activation, name="dense")(x)
    if arch.dropout:
        x = layers.Dropout(arch.dropout, name="dropout")(x)
    outputs = layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name="custom_cnn")


def build(config: LabConfig, input_shape: tuple[int, ...], num_classes: int) -> keras.Model:
    if config.model == CUSTOM:
        return build_custom(config.architecture, input_shape, num_classes)
    return zoo.build(config.model, input_shape, num_classes)
