"""The shipped digit CNN's first-layer filters, applied to any grey picture.

The digits CNN (`core.digits.models.build_cnn`) begins with x ↦ (x − μ)/σ (MNIST's
statistics), then a 5×5 convolution with 32 filters (padding 2, no bias), BatchNorm and
ReLU. `first_layer` computes z = W ⋆ x̂ with this package's own im2col convolution and
a = ReLU(BN(z)) with the model's BatchNorm in eval mode (its running statistics), so the
maps are exactly what the network computes (tested against a forward hook).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.conv.ops import conv2d_im2col
from core.digits.models import MNIST_MEAN, MNIST_STD


@dataclass(frozen=True)
class FirstLayer:
    """Filters (O, K, K), and for one picture the maps before (z) and after BN + ReLU (a), (O, H, W)."""

    filters: np.ndarray
    stride: int
    padding: int
    conv: np.ndarray
    activated: np.ndarray


def first_conv(model: nn.Module) -> tuple[nn.Conv2d, nn.BatchNorm2d | None]:
    """The first convolution of `model`, and the BatchNorm right after it (None when there is none)."""
    modules = list(model.modules())
    for i, module in enumerate(modules):
        if isinstance(module, nn.Conv2d):
            following = next((m for m in modules[i + 1 :] if not isinstance(m, nn.Sequential)), None)
            return module, following if isinstance(following, nn.BatchNorm2d) else None
    raise ValueError("the model has no convolution")


@torch.no_grad()
def first_layer(model: nn.Module, picture: np.ndarray) -> FirstLayer:
    """The first layer of a digit model on a (1, H, W) grey picture in [0, 1] (ink = 1)."""
    conv, bn = first_conv(model)
    if conv.in_channels != 1 or conv.groups != 1 or conv.padding_mode != "zeros":
        raise ValueError("expected a single-channel first convolution with zero padding")
    stride, padding, dilation = conv.stride[0], conv.padding[0], conv.dilation[0]
    x = (torch.as_tensor(np.asarray(picture, np.float32))[None] - MNIST_MEAN) / MNIST_STD  # (1, 1, H, W)
    z = conv2d_im2col(x, conv.weight, conv.bias, stride=stride, padding=padding, dilation=dilation)
    a = z
    if bn is not None:  # eval-mode BatchNorm, without touching the (shared) module's mode
        a = F.batch_norm(z, bn.running_mean, bn.running_var, bn.weight, bn.bias, training=False, eps=bn.eps)
    a = torch.relu(a)
    return FirstLayer(conv.weight[:, 0].numpy().copy(), stride, padding, z[0].numpy(), a[0].numpy())
