"""Turning bad input into a clear, translated message instead of a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from core.errors import UserError
from ui.i18n import has, t


def message(error: UserError) -> str:
    """The translated text of `error` (its English message where no key exists).

    A dotted key (``"optimizers.errors.diverged"``) is looked up as it is, so a page keeps
    its own messages in its own i18n file; a plain key is looked up under ``errors.``.
    """
    key = error.key if "." in error.key else f"errors.{error.key}"
    if has(key):
        try:
            return t(key, **error.params)
        except (KeyError, IndexError):
            pass
    return str(error)


@contextmanager
def user_errors(where: st.delta_generator.DeltaGenerator | None = None) -> Iterator[None]:
    """Show a UserError raised inside the block as an error box, then carry on."""
    try:
        yield
    except UserError as error:
        (where or st).error(message(error), icon="⚠️")
