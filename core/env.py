"""Caps a hosted demo can tune through environment variables."""

from __future__ import annotations

import os


def env_int(name: str, default: int) -> int:
    """The whole number ≥ 1 in ``$name``, or `default` when it is unset or blank."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"environment variable {name}={value!r} must be a whole number") from None
    if number < 1:
        raise ValueError(f"environment variable {name}={value!r} must be ≥ 1")
    return number
