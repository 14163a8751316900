"""The kernels a learner slides over an image: presets with their matrix and formula, or an own grid."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from core.errors import UserError
from core.registry import Entry, Param, Registry

FAMILY = "convolution.kernels"
GRID_SIZES = (3, 5)
SIZE = Param("size", 3, choices=GRID_SIZES)
SIGMA = Param("sigma", 1.0, low=0.3, high=3.0, step=0.1)


def _fixed(rows: Sequence[Sequence[float]], scale: float = 1.0) -> Callable[..., Tensor]:
    matrix = torch.tensor(rows, dtype=torch.float32) * scale
    return lambda: matrix.clone()


def identity(size: int = 3) -> Tensor:
    """1 in the centre, 0 elsewhere: y = x."""
    k = torch.zeros(size, size)
    k[size // 2, size // 2] = 1.0
    return k


def box_blur(size: int = 3) -> Tensor:
    """Every weight 1/K²: y is the mean of the K×K window."""
    return torch.full((size, size), 1.0 / size**2)


def gaussian(size: int = 3, sigma: float = 1.0) -> Tensor:
    """K_uv ∝ exp(−(u² + v²) / 2σ²) around the centre, normalised to sum 1."""
    r = torch.arange(size, dtype=torch.float32) - size // 2
    g = torch.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2 * sigma**2))
    return g / g.sum()


@dataclass(frozen=True)
class Kernel(Entry):
    """A kernel preset: ``make(**params) -> (K, K)`` weights, its LaTeX matrix/formula.

    `editable`: the user types the cells (``make`` is not used, see `parse_grid`).
    """

    make: Callable[..., Tensor] | None = field(default=None, compare=False)
    editable: bool = False

    def matrix(self, values: dict[str, Any] | None = None) -> Tensor:
        if self.editable:
            raise ValueError("the custom kernel is read from the grid: use parse_grid")
        return self.make(**self.resolve(values))


KERNELS: Registry[Kernel] = Registry(
    FAMILY,
    (
        Kernel(
            "identity",
            (SIZE,),
            r"K = \begin{bmatrix}0&0&0\\0&1&0\\0&0&0\end{bmatrix},\quad y_{ij} = x_{ij}",
            make=identity,
        ),
        Kernel(
            "box_blur",
            (SIZE,),
            r"K = \frac{1}{K^2}\mathbf{1}_{K\times K} = \frac19\begin{bmatrix}1&1&1\\1&1&1\\1&1&1\end{bmatrix}",
            make=box_blur,
        ),
        Kernel(
            "gaussian",
            (SIZE, SIGMA),
            r"K_{uv} = \frac{1}{Z}\,e^{-\frac{u^2+v^2}{2\sigma^2}},\quad Z = \sum_{u,v} e^{-\frac{u^2+v^2}{2\sigma^2}}",
            make=gaussian,
        ),
        Kernel(
            "sharpen",
            (),
            r"K = \begin{bmatrix}0&-1&0\\-1&5&-1\\0&-1&0\end{bmatrix} = \delta + (\delta - \text{mean}_4)",
            make=_fixed([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        ),
        Kernel(
            "sobel_x",
            (),
            r"G_x = \begin{bmatrix}-1&0&1\\-2&0&2\\-1&0&1\end{bmatrix} = \begin{bmatrix}1\\2\\1\end{bmatrix}\begin{bmatrix}-1&0&1\end{bmatrix}",
            make=_fixed([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
        ),
        Kernel(
            "sobel_y",
            (),
            r"G_y = \begin{bmatrix}-1&-2&-1\\0&0&0\\1&2&1\end{bmatrix} = G_x^{\top}",
            make=_fixed([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
        ),
        Kernel(
            "laplacian",
            (),
            r"\nabla^2 \approx \begin{bmatrix}0&1&0\\1&-4&1\\0&1&0\end{bmatrix}",
            make=_fixed([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
        ),
        Kernel(
            "emboss",
            (),
            r"K = \begin{bmatrix}-2&-1&0\\-1&1&1\\0&1&2\end{bmatrix}",
            make=_fixed([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
        ),
        Kernel("custom", (SIZE,), r"K = [k_{uv}]_{u,v=1}^{K}", editable=True),
    ),
)
DEFAULT_KERNEL = "sobel_x"


def parse_grid(rows: Sequence[Sequence[Any]]) -> Tensor:
    """The user's grid as a (K, K) float tensor.

    Raises:
        UserError: an empty grid, a grid that is not 3×3 or 5×5, or a cell that is empty,
            not a number, NaN or infinite (the message names the cell, 1-based).
    """
    rows = [list(r) for r in rows]
    if not rows or not any(rows):
        raise UserError("convolution.errors.kernel_empty", "the kernel has no cells")
    size = len(rows)
    if size not in GRID_SIZES or any(len(r) != size for r in rows):
        raise UserError("convolution.errors.kernel_shape",
                        f"the kernel must be 3×3 or 5×5, got {size}×{len(rows[0])}",
                        rows=size, cols=len(rows[0]))  # fmt: skip
    values = []
    for i, row in enumerate(rows, start=1):
        for j, cell in enumerate(row, start=1):
            values.append(_cell(cell, i, j))
    return torch.tensor(values, dtype=torch.float32).reshape(size, size)


def _cell(cell: Any, row: int, col: int) -> float:
    text = "" if cell is None else str(cell).strip()
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not text or not math.isfinite(number):
        raise UserError("convolution.errors.kernel_cell", f"kernel cell ({row}, {col}) = {cell!r} is not a number",
                        row=row, col=col, value=text or "∅")  # fmt: skip
    return number


def latex_matrix(matrix: Tensor, decimals: int = 3) -> str:
    """A (K, K) tensor as a LaTeX bmatrix with at most `decimals` decimals (trailing zeros cut)."""

    def fmt(v: float) -> str:
        text = f"{v:.{decimals}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text

    body = r"\\".join("&".join(fmt(float(v)) for v in row) for row in matrix)
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"
