"""The one exception type for bad user input, translatable by the UI."""

from __future__ import annotations


class UserError(ValueError):
    """A value the user chose is not usable.

    `key` names a message in ``assets/i18n/*/errors.json`` (``errors.<key>``), formatted
    with `params`; the English `message` is what a developer sees in a traceback or log.

    Args:
        key: i18n message key, e.g. ``"x_range"``.
        message: English explanation with the offending value.
        **params: values the translated message interpolates.
    """

    def __init__(self, key: str, message: str, **params):
        super().__init__(message)
        self.key = key
        self.params = params
