"""Neural Canvas's computation: everything the pages show, with no Streamlit in it.

Packages, each importing only those listed before it (tests/unit/test_layers.py keeps it so):

- `scratch`: NumPy-only code, the layers, a CNN and the fundamentals written out by hand;
  it imports nothing else of `core`, so anything may use it.
- the shared ground, modules at this level: `settings`, `file_lock`, `device`, `store`
  (trained models on disk), `model_quality` (which of two versions is better), `trash`
  and `classroom` (the class's codes and drawings).
- `data`: datasets and their sources, drawings and uploads made model input, noise,
  image quality, pictures of image grids.
- `models`: what networks are and how they are trained by default (recipes), nothing that
  trains them.
- `inference`: trained models at work: the hot path, inspection, evaluation, judges.
- `training`: jobs and everything that trains, as jobs, into the store.
- `figures`: Plotly and SVG figures, pure functions of arrays (they may use `scratch`).
- `cli`: the command line, `python -m core`, over all of them.
"""

import os

# TensorFlow's default CPU allocator hands every large tensor back to the operating system
# when it is freed, so the next batch's tensors are fresh pages the kernel must fault in and
# zero: cnn_best's recipe over 30,000 digits took 81-85 s, 61 s of it system time (slow host).
# Its BFC allocator keeps the freed memory for reuse: 47-51 s. TensorFlow reads this at its
# first allocation, so it must be set before any TensorFlow operation runs; importing `core`
# does it.
os.environ.setdefault("TF_CPU_ALLOCATOR_USE_BFC", "true")
