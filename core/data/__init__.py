"""Data sets: the course's own, scikit-learn's toys and tables, MNIST-style images, CSV."""
