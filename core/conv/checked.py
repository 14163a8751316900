"""The convolution page's results on numpy pictures, each with its largest difference from PyTorch's own op.

Every map here is computed by this project's im2col / pooling code (`core.conv.ops`) and
compared with ``F.conv2d`` / ``F.max_pool2d`` / ``F.avg_pool2d`` on the same input; the page
shows the difference beside the picture.
"""

from __future__ import annotations

import numpy as np
import torch

from core.conv import ops


def convolve(picture: np.ndarray, kernel: np.ndarray, stride: int, padding: int, dilation: int, mode: str):
    """(output (H_out, W_out), largest |im2col − F.conv2d|) for a (1, H, W) picture and a (K, K) kernel."""
    x, w = torch.from_numpy(picture)[None], torch.from_numpy(kernel)[None, None]
    geometry = {"stride": stride, "padding": padding, "dilation": dilation, "padding_mode": mode}
    ours = ops.conv2d_im2col(x, w, **geometry)
    theirs = ops.torch_conv2d(x, w, **geometry)
    return ours[0, 0].numpy(), float((ours - theirs).abs().max())


def channels(picture: np.ndarray, kernel: np.ndarray, weights: tuple[float, float, float], bias: float):
    """Per-channel maps x_c ⋆ w_c K (3, H, W), their sum + b (H, W), and |ours − F.conv2d|, for a (3, H, W) picture."""
    x = torch.from_numpy(picture)[None]  # (1, 3, H, W)
    k = torch.from_numpy(kernel)
    w = torch.stack([c * k for c in weights])[None]  # (1, 3, K, K): one kernel slice per channel
    b = torch.tensor([bias])
    pad = k.shape[-1] // 2
    per_channel = torch.cat([ops.conv2d_im2col(x[:, c : c + 1], w[:, c : c + 1], padding=pad) for c in range(3)], 1)
    total = ops.conv2d_im2col(x, w, b, padding=pad)
    error = float((total - ops.torch_conv2d(x, w, b, padding=pad)).abs().max())
    return per_channel[0].numpy(), total[0, 0].numpy(), error


def pool(picture: np.ndarray, kind: str, size: int, stride: int, padding: int):
    """(pooled (H_out, W_out), largest |ours − F.*_pool2d|) for a (1, H, W) picture."""
    x = torch.from_numpy(picture)[None]
    ours = ops.pool2d(x, kind, size, stride, padding)
    return ours[0, 0].numpy(), float((ours - ops.torch_pool2d(x, kind, size, stride, padding)).abs().max())
