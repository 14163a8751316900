"""Handwritten digits: MNIST-style preprocessing, the shipped models, a look inside them."""
