"""2-D loss surfaces for optimizer races: formula, analytic gradient, plot bounds, start, minima.

Every function works on numpy arrays and on torch tensors alike (``f(x, y)`` with x, y of
the same shape), so the race runs in numpy while the tests check the hand-written
gradients against torch autograd. A user-typed formula becomes a surface through
`expression_surface` (parsed safely by `core.expr`, gradient by autograd).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from core.errors import UserError
from core.registry import Entry, Param, Registry

Point = tuple[float, float]
Bounds = tuple[Point, Point]  # ((x_min, x_max), (y_min, y_max))


def _xp(a: Any):
    """The array module of `a`: torch for tensors, numpy otherwise."""
    return torch if isinstance(a, torch.Tensor) else np


@dataclass(frozen=True)
class Surface(Entry):
    """A loss surface f(x, y).

    Args:
        fn: f(x, y) on arrays/tensors of one shape.
        grad_fn: (∂f/∂x, ∂f/∂y); None → torch autograd of `fn`.
        bounds: plot box ((x_min, x_max), (y_min, y_max)); a start must lie inside.
        start: default start point.
        minima: known (global or listed local) minima, marked on the plot.
        saddles: known saddle points (marked; a saddle surface has no minimum).
        lr_sgd, lr_adaptive: learning rates that make a lively race here (plain gradient
            descent, and adaptive methods whose steps are ≈ lr in size).
        log_color: colour the contour by log(f − f_min + 1) (steep surfaces).
    """

    fn: Callable[[Any, Any], Any] = lambda x, y: x * 0
    grad_fn: Callable[[Any, Any], tuple[Any, Any]] | None = None
    bounds: Bounds = ((-1.0, 1.0), (-1.0, 1.0))
    start: Point = (0.5, 0.5)
    minima: tuple[Point, ...] = ()
    saddles: tuple[Point, ...] = ()
    lr_sgd: float = 0.01
    lr_adaptive: float = 0.1
    log_color: bool = False
    expression: str = ""

    def value(self, x, y):
        """f at (x, y): numpy in → numpy out, tensor in → tensor out."""
        return self.fn(x, y)

    def gradient(self, x, y):
        """(∂f/∂x, ∂f/∂y) at (x, y)."""
        if self.grad_fn is not None:
            return self.grad_fn(x, y)
        return _autograd(self.fn, x, y)

    def check_start(self, point: Point) -> Point:
        """`point` as floats if it lies inside the bounds, else a UserError."""
        try:
            x, y = (float(v) for v in point)
        except (TypeError, ValueError):
            raise UserError("surfaces.errors.start_not_number", f"start {point!r} is not two numbers") from None
        (x0, x1), (y0, y1) = self.bounds
        if not (math.isfinite(x) and math.isfinite(y) and x0 <= x <= x1 and y0 <= y <= y1):
            raise UserError(
                "surfaces.errors.start_outside",
                f"start ({x}, {y}) is outside [{x0}, {x1}] × [{y0}, {y1}]",
                x=x, y=y, x0=x0, x1=x1, y0=y0, y1=y1,
            )  # fmt: skip
        return x, y

    def start_params(self) -> tuple[Param, Param]:
        """Specs of the typed start boxes: the default start, bounded by the box (`check_start` gives the message)."""
        (x0, x1), (y0, y1) = self.bounds
        return (Param("start_x", float(self.start[0]), x0, x1, step=0.1, typed=True),
                Param("start_y", float(self.start[1]), y0, y1, step=0.1, typed=True))  # fmt: skip

    def grid(self, n: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """xs (n,), ys (n,), Z (n, n) with Z[i, j] = f(xs[j], ys[i]) — plotly's contour layout."""
        (x0, x1), (y0, y1) = self.bounds
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        X, Y = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            Z = np.asarray(self.value(X, Y), dtype=float) * np.ones_like(X)
        return xs, ys, Z

    @property
    def f_min(self) -> float | None:
        """The lowest value at the listed minima (None when there is none listed)."""
        if not self.minima:
            return None
        return float(min(np.asarray(self.value(np.array([x]), np.array([y])), dtype=float)[0] for x, y in self.minima))

    def display(self, z: np.ndarray, floor: float) -> np.ndarray:
        """Values for colouring / the 3-D height: log10(1 + f − floor) on steep surfaces, else f."""
        z = np.asarray(z, dtype=float)
        if self.log_color:
            with np.errstate(all="ignore"):
                return np.log10(1.0 + np.maximum(z - floor, 0.0))
        return z

    def distance_to_minimum(self, xy: np.ndarray) -> np.ndarray:
        """Euclidean distance of each point (…, 2) to the nearest listed minimum (NaN if none)."""
        if not self.minima:
            return np.full(xy.shape[:-1], np.nan)
        mins = np.asarray(self.minima, dtype=float)  # (M, 2)
        d = np.linalg.norm(xy[..., None, :] - mins, axis=-1)  # (..., M)
        return d.min(axis=-1)


def _autograd(fn, x, y):
    """∂f/∂x, ∂f/∂y by torch autograd, returned in the input's type."""
    is_tensor = isinstance(x, torch.Tensor)
    tx = torch.as_tensor(x, dtype=torch.float64).detach().clone().requires_grad_(True)
    ty = torch.as_tensor(y, dtype=torch.float64).detach().clone().requires_grad_(True)
    with torch.enable_grad():
        out = fn(tx, ty)
        if not isinstance(out, torch.Tensor) or not out.requires_grad:
            zero = torch.zeros_like(tx)
            gx, gy = zero, zero.clone()
        else:
            gx, gy = torch.autograd.grad(out.sum(), (tx, ty), allow_unused=True)
            gx = torch.zeros_like(tx) if gx is None else gx
            gy = torch.zeros_like(ty) if gy is None else gy
    if is_tensor:
        return gx, gy
    return gx.numpy(), gy.numpy()


# --- the surfaces -----------------------------------------------------------------------


def _bowl(x, y):
    return 0.05 * x**2 + y**2


def _bowl_grad(x, y):
    return 0.1 * x, 2 * y


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(x, y):
    return -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _beale_grad(x, y):
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    gx = 2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1)
    gy = 2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y**2
    return gx, gy


def _himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(x, y):
    a, b = x**2 + y - 11, x + y**2 - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


TAU = 2 * math.pi


def _rastrigin(x, y):
    xp = _xp(x)
    return 20 + x**2 - 10 * xp.cos(TAU * x) + y**2 - 10 * xp.cos(TAU * y)


def _rastrigin_grad(x, y):
    xp = _xp(x)
    return 2 * x + 10 * TAU * xp.sin(TAU * x), 2 * y + 10 * TAU * xp.sin(TAU * y)


def _ackley(x, y):
    xp = _xp(x)
    r = xp.sqrt(0.5 * (x**2 + y**2))
    return -20 * xp.exp(-0.2 * r) - xp.exp(0.5 * (xp.cos(TAU * x) + xp.cos(TAU * y))) + math.e + 20


def _ackley_grad(x, y):
    xp = _xp(x)
    r = xp.sqrt(0.5 * (x**2 + y**2))
    safe_r = xp.where(r > 0, r, 1.0)
    # d(−20 e^{−0.2 r})/dx = 4 e^{−0.2 r} · 0.5 x / r ; defined as 0 at the minimum (r = 0)
    radial = xp.where(r > 0, 2 * xp.exp(-0.2 * r) / safe_r, 0.0)
    wave = xp.exp(0.5 * (xp.cos(TAU * x) + xp.cos(TAU * y))) * 0.5 * TAU
    return radial * x + wave * xp.sin(TAU * x), radial * y + wave * xp.sin(TAU * y)


def _saddle(x, y):
    return x**2 - y**2


def _saddle_grad(x, y):
    return 2 * x, -2 * y


def _booth(x, y):
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def _booth_grad(x, y):
    a, b = x + 2 * y - 7, 2 * x + y - 5
    return 2 * a + 4 * b, 4 * a + 2 * b


def _camel(x, y):
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def _camel_grad(x, y):
    return 8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3


SURFACES: Registry[Surface] = Registry(
    "surfaces",
    (
        Surface(
            "bowl",
            formula=r"f(x_1, x_2) = \tfrac{1}{20}x_1^2 + x_2^2",
            fn=_bowl, grad_fn=_bowl_grad, bounds=((-10.0, 10.0), (-5.0, 5.0)), start=(-7.0, 2.0),
            minima=((0.0, 0.0),), lr_sgd=0.95, lr_adaptive=0.3,
        ),
        Surface(
            "rosenbrock",
            formula=r"f(x, y) = (1-x)^2 + 100\,(y-x^2)^2",
            fn=_rosenbrock, grad_fn=_rosenbrock_grad, bounds=((-2.0, 2.0), (-1.0, 3.0)), start=(-1.5, 2.0),
            minima=((1.0, 1.0),), lr_sgd=1e-3, lr_adaptive=0.05, log_color=True,
        ),
        Surface(
            "beale",
            formula=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
            fn=_beale, grad_fn=_beale_grad, bounds=((-4.5, 4.5), (-4.5, 4.5)), start=(0.5, -1.5),
            minima=((3.0, 0.5),), lr_sgd=1e-3, lr_adaptive=0.05, log_color=True,
        ),
        Surface(
            "himmelblau",
            formula=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            fn=_himmelblau, grad_fn=_himmelblau_grad, bounds=((-5.0, 5.0), (-5.0, 5.0)), start=(0.0, 0.0),
            minima=(
                (3.0, 2.0),
                (-2.8051180869527, 3.1313125182505),
                (-3.7793102533778, -3.2831859912861),
                (3.5844283403304, -1.8481265269644),
            ),
            lr_sgd=0.01, lr_adaptive=0.1, log_color=True,
        ),
        Surface(
            "rastrigin",
            formula=r"f(x, y) = 20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y",
            fn=_rastrigin, grad_fn=_rastrigin_grad, bounds=((-5.12, 5.12), (-5.12, 5.12)), start=(2.3, 3.4),
            minima=((0.0, 0.0),), lr_sgd=2e-3, lr_adaptive=0.1,
        ),
        Surface(
            "ackley",
            formula=(
                r"f(x, y) = -20\,e^{-0.2\sqrt{(x^2+y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20"
            ),
            fn=_ackley, grad_fn=_ackley_grad, bounds=((-5.0, 5.0), (-5.0, 5.0)), start=(1.6, -1.3),
            minima=((0.0, 0.0),), lr_sgd=0.05, lr_adaptive=0.1,
        ),
        Surface(
            "saddle",
            formula=r"f(x, y) = x^2 - y^2",
            fn=_saddle, grad_fn=_saddle_grad, bounds=((-2.0, 2.0), (-2.0, 2.0)), start=(-1.8, 0.001),
            saddles=((0.0, 0.0),), lr_sgd=0.05, lr_adaptive=0.05,
        ),
        Surface(
            "booth",
            formula=r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
            fn=_booth, grad_fn=_booth_grad, bounds=((-10.0, 10.0), (-10.0, 10.0)), start=(-7.0, -6.0),
            minima=((1.0, 3.0),), lr_sgd=0.05, lr_adaptive=0.3, log_color=True,
        ),
        Surface(
            "camel",
            formula=r"f(x, y) = \big(4 - 2.1x^2 + \tfrac{x^4}{3}\big)x^2 + xy + (-4 + 4y^2)\,y^2",
            fn=_camel, grad_fn=_camel_grad, bounds=((-3.0, 3.0), (-2.0, 2.0)), start=(-0.5, 1.5),
            minima=((0.0898420131003, -0.7126564030207), (-0.0898420131003, 0.7126564030207)),
            lr_sgd=0.01, lr_adaptive=0.05, log_color=True,
        ),
    ),
)  # fmt: skip

CUSTOM = "custom"
CUSTOM_HALF_WIDTH = 3.0
CHECK_GRID = 121  # points per axis where a typed formula's values are checked (odd: the centre is on it)
MAX_VALUE = 1e100  # |f| beyond this: colour ranges, f − f* and Adam's g² would overflow float64 (≈ 1.8e308)
OVERFLOW_SHARE = 0.1  # ±∞ on more of the grid than this is an overflow, not a pole such as 1/x at x = 0
HALF_WIDTH = Param("half", CUSTOM_HALF_WIDTH, 0.0, low_open=True, typed=True)  # a typed formula's box: ±half
CUSTOM_BOUNDS: Bounds = ((-CUSTOM_HALF_WIDTH, CUSTOM_HALF_WIDTH), (-CUSTOM_HALF_WIDTH, CUSTOM_HALF_WIDTH))
CUSTOM_EXPRESSION = "x**2 + 3*sin(y)**2 + 0.1*y**2"


def expression_surface(text: str, bounds: Bounds = CUSTOM_BOUNDS, start: Point | None = None) -> Surface:
    """A surface from a user-typed formula in x and y (safely parsed; gradient by autograd)."""
    from core.expr import compile_expression

    fn = compile_expression(text)
    (x0, x1), (y0, y1) = (tuple(float(v) for v in b) for b in bounds)
    if not (x0 < x1 and y0 < y1):
        raise UserError("surfaces.errors.bounds", f"bounds {bounds!r} are empty", x0=x0, x1=x1, y0=y0, y1=y1)

    def tensor_fn(x, y):
        # the parsed expression computes in torch; numpy callers (grid, losses) get numpy back
        if isinstance(x, torch.Tensor):
            return fn(x, y)
        with torch.no_grad():
            return fn(torch.as_tensor(x, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64)).numpy()

    default_start = (x0 + 0.8 * (x1 - x0), y0 + 0.8 * (y1 - y0))
    surface = Surface(
        CUSTOM, formula=text, fn=tensor_fn, bounds=((x0, x1), (y0, y1)), start=start or default_start, expression=text
    )
    surface.check_start(surface.start)
    check_values(text, surface.grid(CHECK_GRID)[2])
    return surface


def check_values(text: str, z: np.ndarray) -> None:
    """A UserError unless the formula's values `z` on the plot grid can be drawn and raced.

    NaN and an isolated ±∞ (a pole such as 1/x at x = 0) are fine: the plot shows them in
    the top colour and a path that reaches one stops as diverged. Not fine: no finite value
    at all, ±∞ over a sizeable part of the range (float64 overflow, e.g. exp(1000·x)), and
    finite values so large that the arithmetic of the charts and the optimizers overflows.
    """
    finite = np.isfinite(z)
    if not finite.any():
        raise UserError("surfaces.errors.expr_nowhere", f"{text!r} has no finite value in the plot range", text=text)
    share = float(np.isinf(z).mean())
    if share > OVERFLOW_SHARE:
        raise UserError(
            "surfaces.errors.expr_overflow",
            f"{text!r} overflows to ±inf on {share:.0%} of the plot range",
            text=text, share=round(100 * share),
        )  # fmt: skip
    big = float(np.abs(z[finite]).max())
    if big > MAX_VALUE:
        raise UserError(
            "surfaces.errors.expr_huge",
            f"{text!r} reaches |f| = {big:.3g} in the plot range, more than {MAX_VALUE:g}",
            text=text, big=power_of_ten(big), limit=power_of_ten(MAX_VALUE),
        )  # fmt: skip


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def power_of_ten(value: float) -> str:
    """A huge or tiny number as people write it: 3.8 × 10²⁶⁰, 10¹⁰⁰ (a bare power when the mantissa is 1)."""
    if not math.isfinite(value):
        return "∞" if value > 0 else "−∞" if value < 0 else "NaN"
    mantissa, exponent = f"{value:.1e}".split("e")
    power = "10" + str(int(exponent)).translate(_SUPERSCRIPT)
    return power if mantissa == "1.0" else f"{float(mantissa):g} × {power}"
