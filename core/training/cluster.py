"""Training on several machines with TensorFlow's own engine.

Every machine runs the same command with `TF_CONFIG` naming the cluster and its own place in
it; `MultiWorkerMirroredStrategy` then gives each worker its share of every batch and sums
the gradients over all of them, so the recipe (its batch size, its steps) is the one a
single process trains. `python -m core ... --workers N` starts N such workers on this
machine. Each worker writes the result to its own store; the first worker (the chief) is
the one that reports.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from core import settings

if TYPE_CHECKING:  # the command line imports this module before it loads TensorFlow
    import keras

CONFIG_ENV = "TF_CONFIG"


def problem(workers: int, seconds: float | None) -> str | None:
    """What is wrong with asking for `workers` local workers (and a time limit), if anything."""
    if workers < 1:
        return "--workers takes 1 or more"
    if workers > 1 and in_cluster():
        return f"{CONFIG_ENV} already makes this process a worker: leave out --workers"
    if seconds and (workers > 1 or in_cluster()):  # each would stop at its own step
        return "--seconds cannot be used with several workers"
    return None


def in_cluster() -> bool:
    """Whether this process is one worker of several (TF_CONFIG names a cluster)."""
    found = json.loads(os.environ.get(CONFIG_ENV) or "{}")
    return len(found.get("cluster", {}).get("worker", [])) > 1


@lru_cache(maxsize=1)
def strategy():
    """The cluster's strategy; create it before TensorFlow runs anything else."""
    import tensorflow as tf

    return tf.distribute.MultiWorkerMirroredStrategy()


def scope() -> contextlib.AbstractContextManager:
    """Where to build a model that the cluster trains (anywhere, outside one)."""
    return strategy().scope() if in_cluster() else contextlib.nullcontext()


def fit(model: keras.Model, *args, **kwargs) -> keras.callbacks.History:
    """`model.fit`, spread over the cluster's workers when this process is one of them."""
    if not in_cluster():
        return model.fit(*args, **kwargs)
    # Keras 3.15's fit fails under this strategy twice (keras-team/keras#20585): once
    # averaging the first batch to build the model (which is built already), once averaging
    # each step's scalar logs along an axis they lack. The model forgets the strategy it was
    # built under (fit takes it from the scope instead) and its steps report vectors.
    model._distribute_strategy = None
    for name in ("train_step", "test_step"):
        setattr(model, name, _vector_logs(getattr(model, name)))
    with strategy().scope():
        return model.fit(*args, **kwargs)


def _vector_logs(step):
    import tensorflow as tf

    def reporting_vectors(data):
        return {key: tf.reshape(value, (1,)) for key, value in step(data).items()}

    return reporting_vectors


def run_local(workers: int, argv: list[str]) -> int:
    """Run `python -m core ARGV` as `workers` workers of one cluster on this machine; the
    chief prints, in this process's home; the others work in homes of their own (the
    datasets linked in), which go when they end. Returns the first failing exit code."""
    ports = _free_ports(workers)
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    with tempfile.TemporaryDirectory(prefix="nc-workers-") as root:
        processes = []
        for index in range(workers):
            env = os.environ | {CONFIG_ENV: json.dumps(
                {"cluster": cluster, "task": {"type": "worker", "index": index}})}
            if index:
                home = Path(root) / f"worker-{index}"
                home.mkdir()
                (home / "data").symlink_to(settings.data_dir(), target_is_directory=True)
                env[settings.HOME_ENV] = str(home)
            quiet = {"stdout": subprocess.DEVNULL} if index else {}
            processes.append(subprocess.Popen([sys.executable, "-m", "core", *argv], env=env,
                                              **quiet))
        try:
            while any(process.poll() is None for process in processes):
                if any(process.returncode for process in processes):
                    break  # the others would wait for it for ever
                time.sleep(0.2)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
                    process.wait()
    return next((process.returncode for process in processes if process.returncode), 0)


def without_workers(argv: list[str]) -> list[str]:
    """A command line without its --workers option (what each worker runs)."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--workers":
            skip = True
        elif not arg.startswith("--workers="):
            kept.append(arg)
    return kept


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for item in sockets:
            item.bind(("localhost", 0))
        return [item.getsockname()[1] for item in sockets]
    finally:
        for item in sockets:
            item.close()
