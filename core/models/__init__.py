"""What the networks are: the zoo of classifiers and denoisers with their recipes (`zoo`),
the GANs and the VAE (`generative`), the lecture's LSTM (`lstm`) and the training lab's
builder and presets (`lab_builder`). Definitions and recipes only: nothing here trains,
loads or saves.

May import `core.data` and the shared ground; never `inference` or `training`.
"""
