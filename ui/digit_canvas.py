"""The digits page's canvas across reruns, page switches and Clear: which component key, which strokes it starts from.

The component itself (`streamlit_drawable_canvas.st_canvas`) is called by the page only:
importing it outside a running app raises.
"""

from __future__ import annotations

import streamlit as st

CANVAS_KEY = "digits_canvas"  # not a p.* key: a component's state cannot be re-assigned by app.py
CANVAS_GENERATION = "digits_canvas_generation"  # bumped by Clear: a new key is a new, blank canvas
DRAWING_KEY = "digits_drawing"  # the latest strokes (Fabric.js JSON), kept across page switches
RESTORE_KEY = "digits_restore"  # what a re-created canvas starts from; constant while the canvas lives
PNG_KEY = "digits_png"  # the last picture of the canvas: a re-created canvas shows its strokes but sends none


def canvas_key() -> str:
    """The canvas component's key: a new one after each Clear (the first is plain `CANVAS_KEY`)."""
    generation = st.session_state.get(CANVAS_GENERATION, 0)
    return CANVAS_KEY if generation == 0 else f"{CANVAS_KEY}_{generation}"


def initial_drawing() -> dict | None:
    """The drawing a canvas starts from: the last one, when the page is opened again.

    Streamlit drops the canvas's own state on a page switch, so the strokes are kept in a
    plain session key. They are handed to the canvas only when it is re-created, and the
    same object is passed while it lives: a changing `initial_drawing` redraws the canvas,
    which reports back and would rerun the page in a loop.
    """
    if canvas_key() not in st.session_state:
        st.session_state[RESTORE_KEY] = st.session_state.get(DRAWING_KEY)
    return st.session_state.get(RESTORE_KEY)


def clear_drawing() -> None:
    """A blank canvas, like the toolbar's bin: a fresh component under a new key, starting from nothing.

    Dropping the component's session state alone is not enough: the browser keeps the same
    canvas with its strokes, and the next stroke would be sent (and read) together with them.
    """
    for k in (canvas_key(), DRAWING_KEY, RESTORE_KEY, PNG_KEY):
        st.session_state.pop(k, None)
    st.session_state[CANVAS_GENERATION] = st.session_state.get(CANVAS_GENERATION, 0) + 1
