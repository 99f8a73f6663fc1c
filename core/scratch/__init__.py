"""From scratch, in NumPy alone: the layers of a CNN (`numpy_ops`, checked against Keras),
a CNN with hand-written backpropagation and Adam (`numpy_cnn`), and the fundamentals
(activation functions, gradient descent, optimizers on loss surfaces).

Imports NumPy and nothing else of `core`: what a lecture shows written out by hand must
not lean on the framework it explains. Training the NumPy CNN on MNIST as a job lives in
`core.training.numpy_cnn_run`.
"""
