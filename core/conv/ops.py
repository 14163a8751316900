"""2-D convolution and pooling written out: padding, the output size, im2col, explicit loops.

A convolution layer (cross-correlation, as in every deep-learning library) computes

    y[o, i, j] = b[o] + Σ_c Σ_u Σ_v  w[o, c, u, v] · x_pad[c, S·i + D·u, S·j + D·v]

for a (C, H, W) input, a (O, C, K, K) kernel, stride S, padding P and dilation D, with

    H_out = ⌊(H + 2P − D(K − 1) − 1) / S⌋ + 1      (and the same for W).

`conv2d_im2col` gathers every window into a column and multiplies by the flattened kernel
(one matrix product, how fast libraries do it); `conv2d_loops` visits every output value
(the textbook definition). Both equal ``torch.nn.Conv2d`` (tested), including its
``padding_mode`` "reflect" and "replicate" (torch pads with ``F.pad`` then convolves).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from core.errors import UserError

PADDING_MODES = ("zeros", "reflect", "replicate")
POOL_KINDS = ("max", "avg")


def out_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """⌊(n + 2P − D(K − 1) − 1) / S⌋ + 1; may be ≤ 0 (no window fits), see `check_out_size`."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def check_geometry(stride: int, padding: int, dilation: int, kernel: int) -> None:
    """Refuse values torch refuses: stride and dilation ≥ 1, padding ≥ 0, a kernel of at least 1×1."""
    if int(stride) < 1:
        raise UserError("convolution.errors.stride", f"stride must be at least 1, got {stride}", value=stride)
    if int(dilation) < 1:
        raise UserError("convolution.errors.dilation", f"dilation must be at least 1, got {dilation}", value=dilation)
    if int(padding) < 0:
        raise UserError("convolution.errors.padding_negative", f"padding must be ≥ 0, got {padding}", value=padding)
    if int(kernel) < 1:
        raise UserError("convolution.errors.kernel_empty", "the kernel has no cells")


def check_out_size(h: int, w: int, kernel: int, stride: int, padding: int, dilation: int) -> tuple[int, int]:
    """(H_out, W_out), or a UserError naming the numbers when the window never fits."""
    ho, wo = out_size(h, kernel, stride, padding, dilation), out_size(w, kernel, stride, padding, dilation)
    if ho < 1 or wo < 1:
        span = dilation * (kernel - 1) + 1
        raise UserError(
            "convolution.errors.empty_output",
            f"a window {span} wide does not fit in the padded {h + 2 * padding}×{w + 2 * padding} input",
            span=span,
            h=h + 2 * padding,
            w=w + 2 * padding,
        )
    return ho, wo


def reflect_index(i: Tensor, n: int) -> Tensor:
    """Mirror indices into [0, n) without repeating the edge: −1 → 1, n → n − 2 (torch's "reflect")."""
    period = 2 * (n - 1)
    i = torch.remainder(i, period) if period > 0 else torch.zeros_like(i)
    return torch.where(i >= n, period - i, i)


def pad(x: Tensor, padding: int, mode: str = "zeros") -> Tensor:
    """Pad the last two dims of (…, H, W) by `padding` on every side.

    zeros: x_pad = 0 outside; reflect: mirror without the edge (a b c | b a); replicate:
    repeat the edge (a b c | c c). Equal to ``F.pad`` with "constant", "reflect", "replicate".

    Raises:
        UserError: an unknown mode, or reflect padding not smaller than the image (torch refuses it).
    """
    if mode not in PADDING_MODES:
        raise UserError("param_choice", f"padding mode {mode!r}; choose from: {', '.join(PADDING_MODES)}",
                        name="padding_mode", value=mode, choices=", ".join(PADDING_MODES))  # fmt: skip
    p = int(padding)
    if p < 0:
        raise UserError("convolution.errors.padding_negative", f"padding must be ≥ 0, got {p}", value=p)
    if p == 0:
        return x
    h, w = x.shape[-2:]
    if mode == "zeros":
        out = x.new_zeros(*x.shape[:-2], h + 2 * p, w + 2 * p)
        out[..., p : p + h, p : p + w] = x
        return out
    if mode == "reflect" and p >= min(h, w):
        raise UserError("convolution.errors.reflect_too_large",
                        f"reflect padding {p} must be smaller than the image ({h}×{w})", p=p, h=h, w=w)  # fmt: skip
    rows, cols = torch.arange(-p, h + p), torch.arange(-p, w + p)
    if mode == "reflect":
        rows, cols = reflect_index(rows, h), reflect_index(cols, w)
    else:
        rows, cols = rows.clamp(0, h - 1), cols.clamp(0, w - 1)
    return x[..., rows, :][..., cols]


def _check_conv(x: Tensor, weight: Tensor) -> None:
    if x.dim() != 4:
        raise ValueError(f"input must be (N, C, H, W), got shape {tuple(x.shape)}")
    if weight.dim() != 4 or weight.shape[1] != x.shape[1]:
        raise ValueError(f"weight must be (O, {x.shape[1]}, K, K), got shape {tuple(weight.shape)}")
    if weight.shape[-1] != weight.shape[-2]:
        raise ValueError(f"only square kernels, got {tuple(weight.shape[-2:])}")
    if not torch.isfinite(weight).all():
        raise UserError("convolution.errors.kernel_not_finite", "the kernel has a NaN or infinite value")


def im2col(x_pad: Tensor, kernel: int, stride: int, dilation: int, out_hw: tuple[int, int]) -> Tensor:
    """(N, C, Hp, Wp) → (N, C·K·K, H_out·W_out): column (i, j) is the window under output (i, j).

    Row (c, u, v) is the tap x_pad[c, S·i + D·u, S·j + D·v], so the rows are ordered as a
    (C, K, K) kernel flattens. Equal to ``F.unfold`` of the padded input.
    """
    n, c = x_pad.shape[:2]
    ho, wo = out_hw
    taps = []
    for u in range(kernel):
        for v in range(kernel):
            r, q = u * dilation, v * dilation
            taps.append(x_pad[:, :, r : r + stride * (ho - 1) + 1 : stride, q : q + stride * (wo - 1) + 1 : stride])
    cols = torch.stack(taps, dim=2)  # (N, C, K·K, H_out, W_out)
    return cols.reshape(n, c * kernel * kernel, ho * wo)


def conv2d_im2col(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
) -> Tensor:
    """Convolution as one matrix product: y = W_flat · im2col(x_pad) + b.

    Shapes: x (N, C, H, W), weight (O, C, K, K), bias (O,) → (N, O, H_out, W_out).
    """
    _check_conv(x, weight)
    k = weight.shape[-1]
    check_geometry(stride, padding, dilation, k)
    ho, wo = check_out_size(*x.shape[-2:], k, stride, padding, dilation)
    cols = im2col(pad(x, padding, padding_mode), k, stride, dilation, (ho, wo))  # (N, C·K·K, L)
    out = weight.reshape(weight.shape[0], -1) @ cols  # (O, C·K·K) @ (N, C·K·K, L) → (N, O, L)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1)
    return out.reshape(x.shape[0], weight.shape[0], ho, wo)


def conv2d_loops(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
) -> Tensor:
    """The definition, one output value at a time (slow: for small inputs and for the tests).

    Shapes as `conv2d_im2col`.
    """
    _check_conv(x, weight)
    k = weight.shape[-1]
    check_geometry(stride, padding, dilation, k)
    ho, wo = check_out_size(*x.shape[-2:], k, stride, padding, dilation)
    xp = pad(x, padding, padding_mode)
    span = dilation * (k - 1) + 1
    out = x.new_zeros(x.shape[0], weight.shape[0], ho, wo)
    for i in range(ho):
        for j in range(wo):
            window = xp[:, :, i * stride : i * stride + span : dilation, j * stride : j * stride + span : dilation]
            # (N, 1, C, K, K) · (1, O, C, K, K) summed over channel and taps → (N, O)
            out[:, :, i, j] = (window[:, None] * weight[None]).sum(dim=(2, 3, 4))
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out


def torch_conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
) -> Tensor:
    """The oracle: ``F.conv2d`` (after ``F.pad`` for reflect/replicate, as ``nn.Conv2d`` does)."""
    if padding_mode == "zeros":
        return F.conv2d(x, weight, bias, stride=stride, padding=padding, dilation=dilation)
    padded = F.pad(x, (padding,) * 4, mode=padding_mode) if padding else x
    return F.conv2d(padded, weight, bias, stride=stride, dilation=dilation)


def pool_out_size(size: int, kernel: int, stride: int, padding: int = 0) -> int:
    """⌊(n + 2P − K) / S⌋ + 1 (pooling: no dilation, ceil_mode off)."""
    return (size + 2 * padding - kernel) // stride + 1


def check_pool(h: int, w: int, kernel: int, stride: int, padding: int) -> tuple[int, int]:
    """(H_out, W_out) of a pooling, or a UserError for values torch refuses."""
    if int(kernel) < 1:
        raise UserError("convolution.errors.pool_size", f"pool size must be at least 1, got {kernel}", value=kernel)
    if int(stride) < 1:
        raise UserError("convolution.errors.stride", f"stride must be at least 1, got {stride}", value=stride)
    if int(padding) < 0:
        raise UserError("convolution.errors.padding_negative", f"padding must be ≥ 0, got {padding}", value=padding)
    if 2 * padding > kernel:  # torch: "pad should be at most half of effective kernel size"
        raise UserError("convolution.errors.pool_padding",
                        f"pool padding {padding} is more than half the pool size {kernel}",
                        p=padding, k=kernel)  # fmt: skip
    ho, wo = pool_out_size(h, kernel, stride, padding), pool_out_size(w, kernel, stride, padding)
    if ho < 1 or wo < 1:
        raise UserError("convolution.errors.pool_empty",
                        f"a {kernel}×{kernel} pool does not fit in the padded {h + 2 * padding}×{w + 2 * padding} input",
                        k=kernel, h=h + 2 * padding, w=w + 2 * padding)  # fmt: skip
    return ho, wo


def pool2d(x: Tensor, kind: str, kernel: int, stride: int, padding: int = 0) -> Tensor:
    """Max or average pooling over K×K windows, every channel on its own: (N, C, H, W) → (N, C, H_out, W_out).

    max: y = max over the window, with −∞ padding (a pad never wins); avg: the window's
    sum / K², the zero padding counted (``count_include_pad=True``, torch's default).
    Equal to ``F.max_pool2d`` / ``F.avg_pool2d`` (tested).
    """
    if kind not in POOL_KINDS:
        raise UserError("param_choice", f"pool {kind!r}; choose from: {', '.join(POOL_KINDS)}",
                        name="pool", value=kind, choices=", ".join(POOL_KINDS))  # fmt: skip
    n, c, h, w = x.shape
    ho, wo = check_pool(h, w, kernel, stride, padding)
    if padding:
        fill = float("-inf") if kind == "max" else 0.0
        xp = x.new_full((n, c, h + 2 * padding, w + 2 * padding), fill)
        xp[..., padding : padding + h, padding : padding + w] = x
    else:
        xp = x
    cols = im2col(xp.reshape(n * c, 1, *xp.shape[-2:]), kernel, stride, 1, (ho, wo))  # (N·C, K·K, L)
    out = cols.amax(dim=1) if kind == "max" else cols.mean(dim=1)
    return out.reshape(n, c, ho, wo)


def torch_pool2d(x: Tensor, kind: str, kernel: int, stride: int, padding: int = 0) -> Tensor:
    """The oracle: ``F.max_pool2d`` / ``F.avg_pool2d``."""
    if kind == "max":
        return F.max_pool2d(x, kernel, stride, padding)
    return F.avg_pool2d(x, kernel, stride, padding)
