"""The kernel sliding over a small patch of the picture: for each output value, its window and multiply-add.

    y[i, j] = Σ_u Σ_v  K[u, v] · x_pad[S·i + D·u, S·j + D·v]

A patch is n × n neighbouring output values, starting at output (i0, j0); the part of
the padded picture their windows cover is the patch's input. Coordinates are the
picture's own: a padded pixel has a row or column < 0 or ≥ H (W).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.conv.ops import check_geometry, check_out_size, conv2d_loops, pad


@dataclass(frozen=True)
class Step:
    """One output value (i, j): the picture coordinates of its K × K taps and its multiply-add.

    rows / cols: picture coordinates of the taps (spaced by the dilation; < 0 is padding);
    window, products: (K, K) x values under the taps and K ⊙ window; value = Σ products.
    """

    i: int
    j: int
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    window: np.ndarray
    products: np.ndarray
    value: float


@dataclass(frozen=True)
class Walk:
    """The outputs of one patch computed by the loop definition, with the input they read.

    Attributes:
        region: (h, w) the padded picture under the patch's windows.
        top, left: picture coordinates of region[0, 0] (negative inside the padding).
        kernel: (K, K).
        output: (n_i, n_j) the outputs y[i0 + a, j0 + b].
        i0, j0: output coordinates of output[0, 0].
        height, width: the picture's size (pixels outside 0..H−1 × 0..W−1 are padding).
    """

    region: np.ndarray
    top: int
    left: int
    kernel: np.ndarray
    output: np.ndarray
    i0: int
    j0: int
    stride: int
    dilation: int
    height: int
    width: int

    @property
    def steps(self) -> int:
        return int(self.output.size)

    def step(self, n: int) -> Step:
        """The `n`-th output value of the patch in reading order (row by row), 0-based."""
        if not 0 <= int(n) < self.steps:
            raise ValueError(f"step {n} outside 0..{self.steps - 1}")
        a, b = divmod(int(n), self.output.shape[1])
        k = self.kernel.shape[0]
        local_r = [a * self.stride + u * self.dilation for u in range(k)]
        local_c = [b * self.stride + v * self.dilation for v in range(k)]
        window = self.region[np.ix_(local_r, local_c)]
        products = window * self.kernel
        rows = tuple(self.top + r for r in local_r)
        cols = tuple(self.left + c for c in local_c)
        return Step(self.i0 + a, self.j0 + b, rows, cols, window, products, float(products.sum()))


def walk(
    picture: np.ndarray,
    kernel: np.ndarray,
    *,
    stride: int,
    padding: int,
    dilation: int,
    padding_mode: str,
    i0: int,
    j0: int,
    n: int,
) -> Walk:
    """The n × n outputs from (i0, j0) of the convolution of a (H, W) picture, by the loop definition.

    The patch is cut short at the output's edge; (i0, j0) is clamped into the output.
    """
    x = torch.as_tensor(np.asarray(picture, np.float32))[None, None]  # (1, 1, H, W)
    w = torch.as_tensor(np.asarray(kernel, np.float32))[None, None]  # (1, 1, K, K)
    k = w.shape[-1]
    check_geometry(stride, padding, dilation, k)
    h, wd = x.shape[-2:]
    ho, wo = check_out_size(h, wd, k, stride, padding, dilation)
    i0, j0 = min(max(int(i0), 0), ho - 1), min(max(int(j0), 0), wo - 1)
    ni, nj = min(int(n), ho - i0), min(int(n), wo - j0)
    span = dilation * (k - 1) + 1
    r0, c0 = i0 * stride, j0 * stride  # padded coordinates of the first window's corner
    rows, cols = stride * (ni - 1) + span, stride * (nj - 1) + span
    region = pad(x, padding, padding_mode)[:, :, r0 : r0 + rows, c0 : c0 + cols]
    out = conv2d_loops(region, w, stride=stride, dilation=dilation)  # (1, 1, ni, nj)
    return Walk(region[0, 0].numpy().copy(), r0 - padding, c0 - padding, w[0, 0].numpy(), out[0, 0].numpy(),
                i0, j0, int(stride), int(dilation), int(h), int(wd))  # fmt: skip


def _number(v: float) -> str:
    """A short signed number for the multiply-add: 0.5, (−1), 2."""
    text = f"{float(v):.2f}".rstrip("0").rstrip(".")
    text = "0" if text in ("-0", "") else text
    return f"({text})" if text.startswith("-") else text


def multiply_add(step: Step, kernel: np.ndarray) -> str:
    """y_ij = Σ K_uv · x as LaTeX, one kernel row a line, then the value."""
    lines = []
    for u in range(kernel.shape[0]):
        terms = [f"{_number(kv)}\\cdot{_number(x)}" for kv, x in zip(kernel[u], step.window[u], strict=True)]
        lines.append(("&= " if u == 0 else "&+ ") + " + ".join(terms))
    body = r"\\".join(lines)
    return rf"\begin{{aligned}} y_{{{step.i},{step.j}}} {body} \\ &= {step.value:.4f} \end{{aligned}}"
