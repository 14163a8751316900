"""Validation of a chart's x range typed by the user."""

from __future__ import annotations

import math
from dataclasses import replace

from core.errors import UserError
from core.registry import Param

X_LIMIT = 1e6  # beyond this a plotted curve is all saturation or overflow: refuse with a message
X_MIN = Param("x_min", -5.0, -X_LIMIT, X_LIMIT, typed=True)
X_MAX = Param("x_max", 5.0, -X_LIMIT, X_LIMIT, typed=True)


def check_range(low: float, high: float) -> tuple[float, float]:
    """(low, high) as floats when both are finite, |x| ≤ X_LIMIT and low < high; else UserError("x_range")."""
    try:
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        raise UserError("x_range", f"x range must be numbers, got [{low}, {high}]", low=low, high=high) from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise UserError("x_range", f"x range must be finite, got [{low}, {high}]", low=low, high=high)
    if low >= high:
        raise UserError("x_range", f"x range needs min < max, got [{low}, {high}]", low=low, high=high)
    if max(abs(low), abs(high)) > X_LIMIT:
        raise UserError(
            "activations.errors.x_limit",
            f"x range [{low}, {high}] exceeds ±{X_LIMIT:g}",
            low=low,
            high=high,
            limit=X_LIMIT,
        )
    return low, high


def range_params(low: float, high: float) -> tuple[Param, Param]:
    """x_min / x_max specs with these defaults (a page's typed x range)."""
    return replace(X_MIN, default=float(low)), replace(X_MAX, default=float(high))
