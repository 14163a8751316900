"""Widgets of the convolution page: where the picture comes from, the kernel (a preset or your own grid), the geometry."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core.conv.images import decode_photo, drawing_image, index_of_class, split_image
from core.conv.kernels import DEFAULT_KERNEL, KERNELS, parse_grid
from core.conv.kernels import FAMILY as KERNEL_FAMILY
from core.conv.settings import (
    BIAS,
    CHANNEL_WEIGHTS,
    DATASET,
    DILATION,
    FAMILY,
    INDEX,
    LABEL,
    NTH,
    PADDING,
    PADDINGS,
    PICK,
    POOL_PADDING,
    POOL_SIZE,
    POOL_STRIDE,
    POOLS,
    STRIDE,
)  # fmt: skip
from core.data.image_sets import CLASS_NAMES
from core.data.limits import MAX_PHOTO_BYTES
from core.errors import UserError
from ui import conv_cache as cc
from ui.digit_canvas import PNG_KEY
from ui.feedback import message
from ui.i18n import t
from ui.state import init, key
from ui.widgets import PHOTO_TYPES, choose, param_input, param_inputs, uploader

UPLOAD_KEY = "convolution_upload"
GRID_EDITOR = "convolution_grid_{size}"  # a data editor's state cannot be re-assigned by app.py: not a p.* key
GRID_SAVED = "convolution_grid_saved_{size}"  # the last edited grid, kept across page switches
GRID_BASE = "convolution_grid_base_{size}"  # what a re-created editor starts from


def _p(name: str) -> str:
    return t(f"{FAMILY}.page.{name}")


def dataset_picture() -> np.ndarray | None:
    c1, c2, c3, c4 = st.columns(4)
    name = param_input(DATASET, key(FAMILY, "dataset"), FAMILY, where=c1)
    pick = param_input(PICK, key(FAMILY, "pick"), FAMILY, where=c2)
    try:
        images, labels = cc.split(name)
    except UserError as error:
        st.warning(message(error) + " " + _p("data_missing"), icon="📂")
        return None
    if pick == "class":
        label = param_input(LABEL, key(FAMILY, "label"), FAMILY, where=c3)
        nth = param_input(NTH, key(FAMILY, "nth"), FAMILY, where=c4)
        index = index_of_class(labels, int(label), int(nth))
    else:
        with c3:
            index = INDEX.validate(param_input(INDEX, key(FAMILY, "index"), FAMILY))
    label = int(labels[index])
    st.caption(_p("dataset_caption").format(index=index, label=label, name=CLASS_NAMES[name][label]))
    return split_image(images, index)


def drawing_picture() -> np.ndarray | None:
    png = st.session_state.get(PNG_KEY)
    if png is None:
        st.info(_p("no_drawing"), icon="✏️")
        st.page_link("pages/digits.py", label=t("nav.digits.title"), icon=":material/draw:")
        return None
    try:
        return drawing_image(png)
    except UserError as error:  # an empty canvas, or one that sent no image
        st.info(message(error) + " " + _p("no_drawing"), icon="✏️")
        st.page_link("pages/digits.py", label=t("nav.digits.title"), icon=":material/draw:")
        return None


def uploaded_picture() -> np.ndarray | None:
    upload = uploader(_p("upload"), PHOTO_TYPES, key=UPLOAD_KEY, max_bytes=MAX_PHOTO_BYTES, help=_p("upload_help"))
    if upload is None:
        st.info(_p("prompt_upload"), icon="📷")
        return None
    return decode_photo(upload.getvalue())


def _grid(size: int) -> list:
    """The user's own K×K grid in an editable table (kept across page switches)."""
    editor, saved, base = (k.format(size=size) for k in (GRID_EDITOR, GRID_SAVED, GRID_BASE))
    if editor not in st.session_state:  # a new editor (first visit or after a page switch) starts from the last grid
        start = st.session_state.get(saved)
        st.session_state[base] = start if start is not None else KERNELS.get("identity").matrix({"size": size}).tolist()
    frame = pd.DataFrame(st.session_state[base], columns=[str(v + 1) for v in range(size)], dtype=float)
    edited = st.data_editor(frame, key=editor, num_rows="fixed", hide_index=False, width="content",
                            column_config={c: st.column_config.NumberColumn(c, format="%.3f") for c in frame.columns})  # fmt: skip
    rows = edited.astype(object).where(edited.notna(), None).values.tolist()
    st.session_state[saved] = rows
    return rows


def kernel_widgets() -> tuple[str, np.ndarray]:
    """(kernel name, (K, K) weights) from the preset box or the user's grid."""
    name = choose(KERNELS, KERNEL_FAMILY, label_key=f"{FAMILY}.page.kernel", default=DEFAULT_KERNEL)
    entry = KERNELS.get(name)
    raw = param_inputs(entry, KERNEL_FAMILY, columns=2)
    if entry.editable:
        size = int(entry.param("size").validate(raw["size"]))
        st.caption(_p("grid_hint"))
        return name, parse_grid(_grid(size)).numpy()
    return name, entry.matrix(raw).numpy()


def geometry(where) -> tuple[int, int, int, str]:
    c1, c2 = where.columns(2)
    stride = param_input(STRIDE, key(FAMILY, "stride"), FAMILY, where=c1)
    dilation = param_input(DILATION, key(FAMILY, "dilation"), FAMILY, where=c2)
    padding = param_input(PADDING, key(FAMILY, "padding"), FAMILY, where=c1)
    with c2:
        mode = choose(PADDINGS, f"{FAMILY}.paddings", label_key=f"{FAMILY}.page.padding_mode")
    return (int(STRIDE.validate(stride)), int(PADDING.validate(padding)), int(DILATION.validate(dilation)), mode)


def channel_widgets() -> tuple[np.ndarray, tuple[float, float, float], float]:
    """(a preset kernel (K, K), the red/green/blue weights, the bias) of the channels section."""
    presets = [n for n in KERNELS.names() if not KERNELS.get(n).editable]
    widget_key = key(FAMILY, "channels", "kernel")
    init(widget_key, DEFAULT_KERNEL)
    name = st.selectbox(_p("kernel"), presets, key=widget_key, format_func=lambda n: t(f"{KERNEL_FAMILY}.{n}.title"))
    weights = tuple(float(p.validate(param_input(p, key(FAMILY, "channels", p.name), FAMILY))) for p in CHANNEL_WEIGHTS)
    bias = float(BIAS.validate(param_input(BIAS, key(FAMILY, "channels", "bias"), FAMILY)))
    return KERNELS.get(name).matrix().numpy(), weights, bias


def pool_widgets() -> tuple[str, int, int, int]:
    """(kind, size, stride, padding) of the pooling section."""
    kind = choose(POOLS, f"{FAMILY}.pools", label_key=f"{FAMILY}.page.pool_kind")
    size = int(param_input(POOL_SIZE, key(FAMILY, "pool_size"), FAMILY))
    stride = int(param_input(POOL_STRIDE, key(FAMILY, "pool_stride"), FAMILY))
    padding = int(param_input(POOL_PADDING, key(FAMILY, "pool_padding"), FAMILY))
    return kind, size, stride, padding
