"""Everything that trains, as background jobs that can be paused and stopped (`jobs`): the
shared Keras pieces (`keras_loop`), zoo models into the store and first launch (`fit`), the
line autoencoder, the LSTM (`forecast`), lab runs and races (`lab`) with their standalone
script (`export`), GAN and VAE runs (`gan_run`, `gan_steps`, `studio`), the accuracy
against noise sweep (`noise_sweep`), the NumPy CNN's run (`numpy_cnn_run`), and training
spread over the workers of a cluster (`cluster`).

May import every package below it (`inference`, `models`, `data`, `scratch`) and the
shared ground; nothing below imports it.
"""
