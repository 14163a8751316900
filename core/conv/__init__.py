"""Convolution and pooling, written out as the course teaches them (im2col and loops), checked against torch.

- `ops`: padding, the output-size formula, 2-D convolution (im2col and loops) and pooling.
- `kernels`: the preset kernels (identity, blur, Gaussian, sharpen, Sobel, Laplacian, emboss)
  and the user's own grid.
- `images`: the input pictures (MNIST / Fashion-MNIST, the digits page's drawing, a photo).
- `walk`: one output value at a time, the multiply-add that makes it.
- `digit_filters`: the shipped digit CNN's first-layer filters applied to any picture.
- `settings`: the page's parameter specs and the padding / pooling / source registries.
"""
