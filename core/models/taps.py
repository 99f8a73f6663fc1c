"""Taps on a model's layers that share one pass through it.

A `keras.Model` over several layers' outputs is what the feature maps, the filters' top
patches, Grad-CAM and the not-a-digit detector read. But a Sequential loaded from disk was
rebuilt once per layer it added (Keras 3's `Sequential.from_config` adds them one at a
time), and each layer's `.output` belongs to its own rebuild, with its own calls of the
layers before it: a model over three stages' outputs of the report's CNN ran 9 convolutions
instead of 3, and took 4x as long. Taps call a Sequential's layers once, in order, on an
input of their own; a functional model's layers are called once already.
"""

from __future__ import annotations

import keras


class Taps:
    """Symbolic inputs and outputs of a model's layers, all from one pass through it."""

    def __init__(self, model: keras.Model) -> None:
        self._model = model
        self._inputs: dict[str, keras.KerasTensor] = {}
        self._outputs: dict[str, keras.KerasTensor] = {}
        if not isinstance(model, keras.Sequential):
            self.inputs, self.outputs = model.inputs[0], model.outputs[0]
            return
        given = model.inputs[0]
        self.inputs = flowing = keras.Input(shape=given.shape[1:], dtype=given.dtype)
        for layer in model.layers:
            self._inputs[layer.name] = flowing
            flowing = self._outputs[layer.name] = layer(flowing)
        self.outputs = flowing

    def output(self, layer: str) -> keras.KerasTensor:
        """What the named layer outputs."""
        if layer in self._outputs:
            return self._outputs[layer]
        return self._model.get_layer(layer).output

    def input(self, layer: str) -> keras.KerasTensor:
        """What the named layer is given."""
        if layer in self._inputs:
            return self._inputs[layer]
        return self._model.get_layer(layer).input

    def model(self, outputs) -> keras.Model:
        """A model from the input to `outputs` (taps, or structures of them)."""
        return keras.Model(self.inputs, outputs)


def last_dense(model: keras.Model) -> keras.layers.Dense:
    """The classifier's deciding layer: its input is the features the readers tap."""
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)][-1]
