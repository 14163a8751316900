"""Turning bad input into a clear, translated message instead of a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from core.errors import UserError, human
from ui.i18n import has, t


def message(error: UserError) -> str:
    """The translated text of `error` (its English message where no key exists).

    A dotted key (``"optimizers.errors.diverged"``) is looked up as it is, so a page keeps
    its own messages in its own i18n file; a plain key is looked up under ``errors.``.
    A variant (which bounds a range has) picks ``<key>_<variant>`` first. Numbers are
    written for people: 10 not 10.0, 1e9 not 1000000000.0.
    """
    key = error.key if "." in error.key else f"errors.{error.key}"
    readable = {name: human(value) if isinstance(value, float) else value for name, value in error.params.items()}
    for candidate in (f"{key}_{error.variant}" if error.variant else None, key):
        if not (candidate and has(candidate)):
            continue
        for params in (readable, error.params):  # a template with its own format spec ({limit:g}) takes the raw value
            try:
                return t(candidate, **params)
            except (KeyError, IndexError, ValueError):
                pass
    return str(error)


@contextmanager
def user_errors(where: st.delta_generator.DeltaGenerator | None = None) -> Iterator[None]:
    """Show a UserError raised inside the block as an error box, then carry on."""
    try:
        yield
    except UserError as error:
        (where or st).error(message(error), icon="⚠️")
