"""One training step of each generative algorithm, traced once: the GAN's discriminator and
generator updates (with the AC-GAN's class loss when it is conditional; CatGAN's terms when
its critic names digits, the critic kept unsure which digit a fake is and the generator
pushed toward clear, varied ones; and the moving average of the generator's weights that
draws the samples), and the VAE's step on its evidence lower bound. A run
(core.training.gan_run) calls them and keeps the record."""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf

from core.models import generative

AVERAGE_DECAY = 0.995
Step = Callable[[], tuple[tf.Tensor, ...]]


def _real_batches(data: tuple[tf.Tensor, ...], batch: int) -> Step:
    """Return a function that draws a random batch of the same rows of every tensor."""
    def real_batch() -> tuple[tf.Tensor, ...]:
        index = tf.random.uniform((batch,), 0, tf.shape(data[0])[0], tf.int32)
        return tuple(tf.gather(tensor, index) for tensor in data)

    return real_batch


def gan_steps(spec: generative.GenerativeSpec,
              networks: tuple[keras.Model, keras.Model, keras.Model],
              data: tuple[tf.Tensor, tf.Tensor],
              optimizers: tuple[keras.optimizers.Optimizer, keras.optimizers.Optimizer],
              smoothing: tf.Variable) -> tuple[Step, Step]:
    """Return the traced (d_step, g_step) of a GAN: `networks` are (generator, critic, the
    averaged generator), `data` the training (images, labels), `optimizers` (G's, D's),
    `smoothing` the real labels' smoothing, read at every step. Each step returns its
    real-or-fake loss, the game the studio's curves show, without the class terms it also
    trains on (CatGAN's term, below zero, made the generator's curve read as a negative loss)."""
    generator, critic, average = networks
    g_opt, d_opt = optimizers
    batch = spec.batch_size
    conditional = spec.kind == "conditional"
    naming = conditional or spec.class_weight > 0  # the critic also names the digit
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    sce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    real_batch = _real_batches(data, batch)

    def fake_batch() -> tuple[tf.Tensor, tf.Tensor]:
        z = tf.random.normal((batch, spec.latent_dim))
        asked = tf.random.uniform((batch,), 0, generative.NUM_CLASSES, tf.int32)
        return generator([z, asked] if conditional else z, training=True), asked

    def judged(images: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor | None]:
        out = critic(images, training=True)
        return (out[0], out[1]) if naming else (out, None)

    def d_step() -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        real, digits = real_batch()
        fake, asked = fake_batch()
        with tf.GradientTape() as tape:
            real_logit, real_class = judged(real)
            fake_logit, fake_class = judged(fake)
            game = (bce(tf.ones_like(real_logit) * (1.0 - smoothing), real_logit)
                    + bce(tf.zeros_like(fake_logit), fake_logit))
            loss = game
            if naming:
                loss += sce(digits, real_class)
            if conditional:
                loss += sce(asked, fake_class)
            elif naming:
                loss -= spec.class_weight * doubt(fake_class)
        grads = tape.gradient(loss, critic.trainable_variables)
        d_opt.apply_gradients(zip(grads, critic.trainable_variables, strict=True))
        d_real = tf.reduce_mean(tf.sigmoid(real_logit))
        return game, d_real, tf.reduce_mean(tf.sigmoid(fake_logit))

    def g_step() -> tuple[tf.Tensor, tf.Tensor]:
        with tf.GradientTape() as tape:
            fake, asked = fake_batch()
            fake_logit, fake_class = judged(fake)
            game = bce(tf.ones_like(fake_logit), fake_logit)
            loss = game
            if conditional:
                loss += sce(asked, fake_class)
            elif naming:
                loss += spec.class_weight * indecision(fake_class)
        grads = tape.gradient(loss, generator.trainable_variables)
        g_opt.apply_gradients(zip(grads, generator.trainable_variables, strict=True))
        decay = tf.minimum(AVERAGE_DECAY, (1.0 + tf.cast(g_opt.iterations, tf.float32))
                           / (10.0 + tf.cast(g_opt.iterations, tf.float32)))
        for slow, fast in zip(average.weights, generator.weights, strict=True):
            slow.assign(decay * slow + (1.0 - decay) * fast)
        return game, tf.reduce_mean(tf.sigmoid(fake_logit))

    return tf.function(d_step), tf.function(g_step)


def indecision(logits: tf.Tensor) -> tf.Tensor:
    """How far a batch is from samples each read as one digit (the mean entropy of the
    critic's reading, low) that together cover all ten (the entropy of the batch's mean
    reading, high): CatGAN's generator term, Springenberg 2016."""
    return doubt(logits) - _entropy(tf.reduce_mean(tf.nn.softmax(logits), axis=0))


def doubt(logits: tf.Tensor) -> tf.Tensor:
    """How unsure the critic is which digit each image is: the mean entropy of its reading.
    CatGAN's critic keeps it high on fakes, so that a generator cannot please it with a
    shape that merely resembles one digit."""
    return tf.reduce_mean(_entropy(tf.nn.softmax(logits)))


def _entropy(p: tf.Tensor) -> tf.Tensor:
    return -tf.reduce_sum(p * tf.math.log(p + 1e-8), axis=-1)


def vae_step(spec: generative.GenerativeSpec, decoder: keras.Model, encoder: keras.Model,
             images: tf.Tensor, optimizer: keras.optimizers.Optimizer) -> Step:
    """Return the VAE's traced step: (loss, its KL part) on a batch of training images."""
    real_batch = _real_batches((images,), spec.batch_size)

    def step() -> tuple[tf.Tensor, tf.Tensor]:
        (real,) = real_batch()
        variables = encoder.trainable_variables + decoder.trainable_variables
        with tf.GradientTape() as tape:
            mean, log_var = encoder(real, training=True)
            z = mean + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mean))
            out = tf.clip_by_value(decoder(z, training=True), 1e-6, 1.0 - 1e-6)
            log_likelihood = real * tf.math.log(out) + (1.0 - real) * tf.math.log(1.0 - out)
            reconstruction = -tf.reduce_mean(tf.reduce_sum(log_likelihood, axis=[1, 2, 3]))
            kl = -0.5 * tf.reduce_mean(tf.reduce_sum(
                1.0 + log_var - tf.square(mean) - tf.exp(log_var), axis=1))
            loss = reconstruction + kl
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables, strict=True))
        return loss, kl

    return tf.function(step)
