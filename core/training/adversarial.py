"""Adversarial training (Madry et al., 2018): the network learns from its own PGD attacks.

Each batch is attacked, from a random start inside the L-infinity ball, against the
network as it is at that step; the network then takes its ordinary step on the attacked
images. It costs (steps + 1) forward and backward passes per batch instead of one.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from core.models.zoo import TrainConfig


class AdversarialTrainer(keras.Model):
    """Wraps a classifier for `fit`; only the wrapped model is saved."""

    def __init__(self, model: keras.Model, config: TrainConfig, outputs_logits: bool) -> None:
        super().__init__(name=f"{model.name}_adversarial")
        self.inner, self.outputs_logits = model, outputs_logits
        self.epsilon, self.steps = config.adversarial_epsilon, config.adversarial_steps

    def call(self, images, training=False):
        return self.inner(images, training=training)

    def attack(self, images: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
        """PGD: `steps` signed-gradient steps of 2.5 epsilon / steps, kept in the ball."""
        step = 2.5 * self.epsilon / self.steps
        adversarial = images + tf.random.uniform(tf.shape(images), -self.epsilon, self.epsilon)
        for _ in range(self.steps):
            adversarial = tf.clip_by_value(adversarial, 0.0, 1.0)
            with tf.GradientTape() as tape:
                tape.watch(adversarial)
                outputs = self.inner(adversarial, training=False)
                loss = keras.losses.sparse_categorical_crossentropy(
                    labels, outputs, from_logits=self.outputs_logits)
            adversarial = adversarial + step * tf.sign(tape.gradient(loss, adversarial))
            adversarial = tf.clip_by_value(adversarial, images - self.epsilon,
                                           images + self.epsilon)
        return tf.stop_gradient(tf.clip_by_value(adversarial, 0.0, 1.0))

    def train_step(self, data):
        images, labels = data
        attacked = self.attack(images, labels)
        with tf.GradientTape() as tape:
            outputs = self(attacked, training=True)
            loss = self.compute_loss(y=labels, y_pred=outputs)
        variables = self.trainable_variables
        self.optimizer.apply(tape.gradient(loss, variables), variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(labels, outputs)
        return {metric.name: metric.result() for metric in self.metrics}
