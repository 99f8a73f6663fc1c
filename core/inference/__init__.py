"""Trained models at work: models kept warm (`warm`), the hot path from a drawing to
probabilities and saliency (`predict`), feature maps and the worked convolution
(`inspect`), denoisers (`denoise`), the line autoencoder's anomaly detection (`anomaly`),
latent walks (`latent`), confusion and mistakes (`evaluation`) and the generated digits'
judge (`sample_quality`).

May import `models`, `data`, `scratch` and the shared ground; never `training`: a page
that only reads a model must not pull in a training run.
"""
