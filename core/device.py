"""Which device trains and serves the models: the GPU when TensorFlow sees one, else the CPU."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class DeviceInfo:
    """What the home page and the CLI say about the compute device."""

    kind: str  # "GPU" or "CPU"
    names: tuple[str, ...]
    cpu_cores: int

    @property
    def summary(self) -> str:
        if self.kind == "GPU":
            return f"GPU: {', '.join(self.names)}"
        return f"CPU only ({self.cpu_cores} cores); training is slower but everything works"


@lru_cache(maxsize=1)
def detect() -> DeviceInfo:
    """Find the GPUs TensorFlow can use and let them grow their memory on demand."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        # Without this TensorFlow takes all GPU memory up front, starving other processes.
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:
            pass  # already initialised: growth can no longer be changed, nothing lost
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if gpus:
        names = tuple(tf.config.experimental.get_device_details(g).get("device_name", g.name)
                      for g in gpus)
        return DeviceInfo("GPU", names, cores or 1)
    return DeviceInfo("CPU", (), cores or 1)


def strategy():
    """Return how lab training spreads over devices: MirroredStrategy over every GPU where
    there are several (each batch split between them), else the default single device."""
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy([gpu.name for gpu in gpus])
    return tf.distribute.get_strategy()
