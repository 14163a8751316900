"""The one exception type for bad user input, translatable by the UI."""

from __future__ import annotations

import math


class UserError(ValueError):
    """A value the user chose is not usable.

    `key` names a message in ``assets/i18n/*/errors.json`` (``errors.<key>``), formatted
    with `params`; the English `message` is what a developer sees in a traceback or log.

    Args:
        key: i18n message key, e.g. ``"x_range"``.
        message: English explanation with the offending value.
        variant: picks one wording of the message (``<key>_<variant>``), e.g.
            which bounds a range has; the plain key is used where the variant has no text.
        **params: values the translated message interpolates.
    """

    def __init__(self, key: str, message: str, *, variant: str | None = None, **params):
        super().__init__(message)
        self.key = key
        self.variant = variant
        self.params = params


def human(value: object) -> str:
    """A number as a person writes it: 10 not 10.0, 1e9 not 1000000000.0, 0.001, 2.5e-5.

    Anything that is not a real number comes back as ``str(value)``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    if value != 0 and not 1e-4 <= abs(value) < 1e6:
        mantissa, exponent = f"{value:.4e}".split("e")
        return f"{float(mantissa):g}e{int(exponent)}"  # 1e9, 2.5e-5: no "+", no leading zeros
    return f"{value:.6g}"
