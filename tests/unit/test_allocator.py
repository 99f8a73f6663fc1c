"""Importing `core` makes TensorFlow keep freed CPU memory for the next batch (core/__init__.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_process_that_imports_core_reuses_the_memory_of_large_batches():
    # A convolution over 1,000 digits, ten times: TensorFlow's default allocator faulted in
    # about 500,000 fresh pages for it on the slow host, the BFC allocator about 10,000.
    code = textwrap.dedent("""
        import resource
        import core
        import tensorflow as tf
        images = tf.random.normal((1000, 28, 28, 1))
        conv = tf.function(lambda x: tf.nn.relu(tf.nn.conv2d(x, tf.ones((3, 3, 1, 64)), 1, "SAME")))
        conv(images).numpy()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for _ in range(10):
            conv(images).numpy()
        print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """)
    env = {k: v for k, v in os.environ.items() if k != "TF_CPU_ALLOCATOR_USE_BFC"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=True, timeout=300)
    assert int(done.stdout.split()[-1]) < 100_000
