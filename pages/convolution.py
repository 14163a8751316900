"""Convolution and pooling: a kernel sliding over a real picture, the output size, channels, pooling, the digit CNN's filters."""

import numpy as np
import pandas as pd
import streamlit as st
import torch

from core.conv import ops
from core.conv.digit_filters import first_layer
from core.conv.images import (
    colour_picture,
    decode_photo,
    drawing_image,
    index_of_class,
    split_image,
    to_grey,
    to_rgb,
)
from core.conv.kernels import DEFAULT_KERNEL, KERNELS, latex_matrix, parse_grid
from core.conv.kernels import FAMILY as KERNEL_FAMILY
from core.conv.settings import (
    BIAS,
    BN_RELU,
    CHANNEL_WEIGHTS,
    CONV,
    DATASET,
    DILATION,
    FAMILY,
    FILTER,
    INDEX,
    LABEL,
    MULTI,
    NTH,
    OUT_SIZE,
    PADDING,
    PADDINGS,
    PATCH,
    PICK,
    POOL_OUT_SIZE,
    POOL_PADDING,
    POOL_SIZE,
    POOL_STRIDE,
    POOLS,
    SOURCES,
    STRIDE,
    corner_params,
    pool_size_equation,
    size_equation,
    step_param,
)
from core.conv.walk import walk
from core.data.image_sets import CLASS_NAMES
from core.data.images import load_images
from core.data.limits import MAX_PHOTO_BYTES
from core.digits.inspect import enlarge, mosaic
from core.digits.models import load_shipped
from core.errors import UserError
from ui import conv_charts as charts
from ui.charts import show
from ui.feedback import message, user_errors
from ui.i18n import t
from ui.state import init, key
from ui.widgets import PHOTO_TYPES, choose, explain, param_input, param_inputs, uploader

DRAWING_PNG = "digits_png"  # where pages/digits.py keeps the last picture of its canvas (read here, never written)
UPLOAD_KEY = "convolution_upload"
GRID_EDITOR = "convolution_grid_{size}"  # a data editor's state cannot be re-assigned by app.py: not a p.* key
GRID_SAVED = "convolution_grid_saved_{size}"  # the last edited grid, kept across page switches
GRID_BASE = "convolution_grid_base_{size}"  # what a re-created editor starts from
FILTER_PIXELS = 14  # screen pixels per filter weight in the mosaic
MAP_COLUMNS = 8
MAP_PIXELS = 84  # screen pixels per feature map in the mosaic


def _p(name: str) -> str:
    return t(f"{FAMILY}.page.{name}")


# ---------------------------------------------------------------- cached results


@st.cache_resource(show_spinner=False)
def _split(name: str):
    """(images, labels) of a test split, read once per server (never mutated)."""
    return load_images(name, False)


@st.cache_resource(show_spinner=False)
def _digit_cnn():
    """The shipped digit CNN (weights_only), once per server; never trained here."""
    return load_shipped("cnn")[0]


@st.cache_data(max_entries=64, show_spinner=False)
def _convolve(picture: np.ndarray, kernel: np.ndarray, stride: int, padding: int, dilation: int, mode: str):
    """(output (H_out, W_out), largest |im2col − F.conv2d|) for a (1, H, W) picture."""
    x, w = torch.from_numpy(picture)[None], torch.from_numpy(kernel)[None, None]
    geometry = {"stride": stride, "padding": padding, "dilation": dilation, "padding_mode": mode}
    ours = ops.conv2d_im2col(x, w, **geometry)
    theirs = ops.torch_conv2d(x, w, **geometry)
    return ours[0, 0].numpy(), float((ours - theirs).abs().max())


@st.cache_data(max_entries=64, show_spinner=False)
def _walk(picture: np.ndarray, kernel: np.ndarray, geometry: tuple, i0: int, j0: int, n: int):
    stride, padding, dilation, mode = geometry
    return walk(picture[0], kernel, stride=stride, padding=padding, dilation=dilation, padding_mode=mode,
                i0=i0, j0=j0, n=n)  # fmt: skip


@st.cache_data(max_entries=32, show_spinner=False)
def _channels(picture: np.ndarray, kernel: np.ndarray, weights: tuple, bias: float):
    """Per-channel maps x_c ⋆ w_c K (3, H, W), their sum + b (H, W), and |ours − F.conv2d|."""
    x = torch.from_numpy(picture)[None]  # (1, 3, H, W)
    k = torch.from_numpy(kernel)
    w = torch.stack([c * k for c in weights])[None]  # (1, 3, K, K): one kernel slice per channel
    b = torch.tensor([bias])
    pad = k.shape[-1] // 2
    per_channel = torch.cat([ops.conv2d_im2col(x[:, c : c + 1], w[:, c : c + 1], padding=pad) for c in range(3)], 1)
    total = ops.conv2d_im2col(x, w, b, padding=pad)
    error = float((total - ops.torch_conv2d(x, w, b, padding=pad)).abs().max())
    return per_channel[0].numpy(), total[0, 0].numpy(), error


@st.cache_data(max_entries=32, show_spinner=False)
def _pool(picture: np.ndarray, kind: str, size: int, stride: int, padding: int):
    x = torch.from_numpy(picture)[None]
    ours = ops.pool2d(x, kind, size, stride, padding)
    return ours[0, 0].numpy(), float((ours - ops.torch_pool2d(x, kind, size, stride, padding)).abs().max())


@st.cache_data(max_entries=16, show_spinner=False)
def _first_layer(picture: np.ndarray):
    return first_layer(_digit_cnn(), picture)


@st.cache_data(max_entries=16, show_spinner=False)
def _mosaics(picture: np.ndarray, activated: bool) -> tuple[np.ndarray, np.ndarray]:
    """(the filters, the maps) as two enlarged grey tiles, each filter or map scaled on its own."""
    layer = _first_layer(picture)
    maps = layer.activated if activated else layer.conv
    filters = enlarge(mosaic(layer.filters, columns=MAP_COLUMNS, limit=len(layer.filters)), FILTER_PIXELS)
    return filters, enlarge(mosaic(maps, columns=MAP_COLUMNS, limit=len(maps)), max(1, MAP_PIXELS // maps.shape[1]))


# ---------------------------------------------------------------- the input picture


def _dataset_picture() -> np.ndarray | None:
    c1, c2, c3, c4 = st.columns(4)
    name = param_input(DATASET, key(FAMILY, "dataset"), FAMILY, where=c1)
    pick = param_input(PICK, key(FAMILY, "pick"), FAMILY, where=c2)
    try:
        images, labels = _split(name)
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


def _drawing_picture() -> np.ndarray | None:
    png = st.session_state.get(DRAWING_PNG)
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


def _uploaded_picture() -> np.ndarray | None:
    upload = uploader(_p("upload"), PHOTO_TYPES, key=UPLOAD_KEY, max_bytes=MAX_PHOTO_BYTES, help=_p("upload_help"))
    if upload is None:
        st.info(_p("prompt_upload"), icon="📷")
        return None
    return decode_photo(upload.getvalue())


def input_section() -> np.ndarray | None:
    """The picture every section works on, (C, H, W) in [0, 1], or None (with a prompt)."""
    st.header(_p("input_title"))
    left, right = st.columns([1.6, 1])
    with left:
        source = choose(SOURCES, f"{FAMILY}.sources", label_key=f"{FAMILY}.page.source")
        picture = None
        with user_errors():
            if source == "dataset":
                picture = _dataset_picture()
            elif source == "drawing":
                picture = _drawing_picture()
            else:
                picture = _uploaded_picture()
        explain(f"{FAMILY}.sources", SOURCES.get(source))
    with right:
        if picture is not None:
            c, h, w = picture.shape
            title = _p("picture_title").format(h=h, w=w, c=c)
            show(charts.rgb(picture, title) if c == 3 else charts.picture(picture[0], title, signed=False),
                 key="conv-input")  # fmt: skip
    return picture


# ---------------------------------------------------------------- kernel and convolution


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


def _kernel_widgets() -> tuple[str, np.ndarray]:
    """(kernel name, (K, K) weights) from the preset box or the user's grid."""
    name = choose(KERNELS, KERNEL_FAMILY, label_key=f"{FAMILY}.page.kernel", default=DEFAULT_KERNEL)
    entry = KERNELS.get(name)
    raw = param_inputs(entry, KERNEL_FAMILY, columns=2)
    if entry.editable:
        size = int(entry.param("size").validate(raw["size"]))
        st.caption(_p("grid_hint"))
        return name, parse_grid(_grid(size)).numpy()
    return name, entry.matrix(raw).numpy()


def _geometry(where) -> tuple[int, int, int, str]:
    c1, c2 = where.columns(2)
    stride = param_input(STRIDE, key(FAMILY, "stride"), FAMILY, where=c1)
    dilation = param_input(DILATION, key(FAMILY, "dilation"), FAMILY, where=c2)
    padding = param_input(PADDING, key(FAMILY, "padding"), FAMILY, where=c1)
    with c2:
        mode = choose(PADDINGS, f"{FAMILY}.paddings", label_key=f"{FAMILY}.page.padding_mode")
    return (int(STRIDE.validate(stride)), int(PADDING.validate(padding)), int(DILATION.validate(dilation)), mode)


@st.fragment
def convolution_section(picture: np.ndarray) -> None:
    st.header(_p("conv_title"))
    st.markdown(_p("conv_intro"))
    grey = to_grey(picture)
    _, h, w = grey.shape
    left, right = st.columns([1, 2.2])
    kernel = geometry = None
    with left, user_errors():
        name, kernel = _kernel_widgets()
        geometry = _geometry(st)
    if kernel is None or geometry is None:
        return
    stride, padding, dilation, mode = geometry
    k = kernel.shape[0]
    with right:
        st.latex(size_equation(h, k, stride, padding, dilation, "H"))
        if w != h:
            st.latex(size_equation(w, k, stride, padding, dilation, "W"))
        output = None
        with user_errors():
            output, error = _convolve(grey, kernel, stride, padding, dilation, mode)
            c1, c2, c3 = st.columns([1, 0.75, 1])
            with c1:
                show(charts.picture(grey[0], _p("input_map").format(h=h, w=w), signed=False, height=300),
                     key="conv-in")  # fmt: skip
            with c2:
                show(charts.picture(kernel, _p("kernel_map").format(k=k), signed=True, text=k <= 3, height=300,
                                    colorbar=False), key="conv-kernel")  # fmt: skip
            with c3:
                ho, wo = output.shape
                show(charts.picture(output, _p("output_map").format(h=ho, w=wo), signed=True, height=300),
                     key="conv-out")  # fmt: skip
            st.caption(_p("conv_check").format(err=error))
    with st.expander(_p("explain_title"), expanded=True):
        c1, c2 = st.columns(2)
        with c1:
            st.markdown(f"**{t(f'{KERNEL_FAMILY}.{name}.title')}**")
            explain(KERNEL_FAMILY, KERNELS.get(name))
            st.latex(r"K = " + latex_matrix(torch.from_numpy(kernel)))
        with c2:
            st.markdown(f"**{t(f'{FAMILY}.paddings.{mode}.title')}**")
            explain(f"{FAMILY}.paddings", PADDINGS.get(mode))
        st.latex(CONV)
        st.latex(OUT_SIZE)
        st.markdown(_p("geometry_desc"))
    if output is not None:  # an empty output has its message above: nothing to slide over
        slide_section(grey, kernel, geometry)


def _number(v: float) -> str:
    """A short signed number for the multiply-add: 0.5, (−1), 2."""
    text = f"{float(v):.2f}".rstrip("0").rstrip(".")
    text = "0" if text in ("-0", "") else text
    return f"({text})" if text.startswith("-") else text


def _multiply_add(step, kernel: np.ndarray) -> str:
    """y_ij = Σ K_uv · x as LaTeX, one kernel row a line."""
    lines = []
    for u in range(kernel.shape[0]):
        terms = [f"{_number(kv)}\\cdot{_number(x)}" for kv, x in zip(kernel[u], step.window[u], strict=True)]
        lines.append(("&= " if u == 0 else "&+ ") + " + ".join(terms))
    body = r"\\".join(lines)
    return rf"\begin{{aligned}} y_{{{step.i},{step.j}}} {body} \\ &= {step.value:.4f} \end{{aligned}}"


@st.fragment
def slide_section(grey: np.ndarray, kernel: np.ndarray, geometry: tuple) -> None:
    """A few neighbouring outputs, one at a time: the window, the products, the sum."""
    st.subheader(_p("slide_title"))
    st.markdown(_p("slide_intro"))
    with user_errors():  # a fragment reports its own errors: the caller's handler never sees them
        _slide(grey, kernel, geometry)


def _slide(grey: np.ndarray, kernel: np.ndarray, geometry: tuple) -> None:
    stride, padding, dilation, mode = geometry
    _, h, w = grey.shape
    k = kernel.shape[0]
    ho, wo = ops.check_out_size(h, w, k, stride, padding, dilation)
    c1, c2, c3, c4 = st.columns(4)
    n = int(param_input(PATCH, key(FAMILY, "patch"), FAMILY, where=c1))
    row, col = corner_params(ho, wo, n)
    # Keys carry the output size: a slider keeps its own range per geometry.
    i0 = param_input(row, key(FAMILY, "row", ho, n), FAMILY, where=c2)
    j0 = param_input(col, key(FAMILY, "col", wo, n), FAMILY, where=c3)
    patch = _walk(grey, kernel, geometry, int(i0), int(j0), n)
    step_spec = step_param(patch.steps)
    current = int(param_input(step_spec, key(FAMILY, "step", patch.steps), FAMILY, where=c4))
    current = min(max(current, 1), patch.steps) - 1
    step = patch.step(current)
    labels = {"patch": _p("slide_patch"), "output": _p("slide_output"), "play": _p("play"), "pause": _p("pause"),
              "step": _p("step")}  # fmt: skip
    left, right = st.columns([1.5, 1])
    with left:
        show(charts.slide(patch, current, labels), key="conv-slide")
        st.caption(_p("slide_caption"))
    with right:
        show(charts.row_of([step.window, kernel, step.products], [_p("window"), "K", _p("products")], height=250,
                           text=k <= 3), key="conv-products")  # fmt: skip
        st.latex(_multiply_add(step, kernel))
        st.caption(_p("slide_where").format(i=step.i, j=step.j, r=step.rows[0], c=step.cols[0], k=k))


# ---------------------------------------------------------------- channels


@st.fragment
def channels_section(picture: np.ndarray | None) -> None:
    st.header(_p("channels_title"))
    st.markdown(_p("channels_intro"))
    rgb = picture if picture is not None and picture.shape[0] == 3 else colour_picture()
    if picture is not None and picture.shape[0] == 3:
        st.caption(_p("channels_photo"))
    else:
        st.caption(_p("channels_synthetic"))
    left, right = st.columns([1, 2.6])
    with left, user_errors():
        presets = [n for n in KERNELS.names() if not KERNELS.get(n).editable]
        widget_key = key(FAMILY, "channels", "kernel")
        init(widget_key, DEFAULT_KERNEL)
        name = st.selectbox(_p("kernel"), presets, key=widget_key,
                            format_func=lambda n: t(f"{KERNEL_FAMILY}.{n}.title"))  # fmt: skip
        kernel = KERNELS.get(name).matrix().numpy()
        weights = tuple(
            float(p.validate(param_input(p, key(FAMILY, "channels", p.name), FAMILY))) for p in CHANNEL_WEIGHTS
        )
        bias = float(BIAS.validate(param_input(BIAS, key(FAMILY, "channels", "bias"), FAMILY)))
    with right, user_errors():
        per_channel, total, error = _channels(to_rgb(rgb), kernel, weights, bias)
        c1, c2 = st.columns([1, 3])
        with c1:
            show(charts.rgb(rgb, _p("rgb_input"), height=260), key="conv-rgb")
        with c2:
            titles = [_p(f"channel_{c}").format(w=f"{v:g}") for c, v in zip("rgb", weights, strict=True)]
            show(charts.row_of(list(per_channel), titles, height=260), key="conv-channels")
        c1, c2 = st.columns([1, 3])
        with c2:
            show(charts.picture(total, _p("channels_sum"), signed=True, height=300), key="conv-channel-sum")
        with c1:
            st.caption(_p("channels_check").format(err=error))
    st.latex(MULTI)
    st.markdown(_p("channels_desc"))


# ---------------------------------------------------------------- pooling


@st.fragment
def pooling_section(picture: np.ndarray) -> None:
    st.header(_p("pool_title"))
    st.markdown(_p("pool_intro"))
    grey = to_grey(picture)
    _, h, w = grey.shape
    left, right = st.columns([1, 2.2])
    with left:
        kind = choose(POOLS, f"{FAMILY}.pools", label_key=f"{FAMILY}.page.pool_kind")
        size = int(param_input(POOL_SIZE, key(FAMILY, "pool_size"), FAMILY))
        stride = int(param_input(POOL_STRIDE, key(FAMILY, "pool_stride"), FAMILY))
        padding = int(param_input(POOL_PADDING, key(FAMILY, "pool_padding"), FAMILY))
    with right:
        st.latex(pool_size_equation(h, size, stride, padding, "H"))
        if w != h:
            st.latex(pool_size_equation(w, size, stride, padding, "W"))
        with user_errors():
            pooled, error = _pool(grey, kind, size, stride, padding)
            c1, c2 = st.columns(2)
            with c1:
                show(charts.picture(grey[0], _p("input_map").format(h=h, w=w), signed=False, height=300),
                     key="pool-in")  # fmt: skip
            with c2:
                ho, wo = pooled.shape
                show(charts.picture(pooled, _p("pool_map").format(h=ho, w=wo), signed=False, height=300),
                     key="pool-out")  # fmt: skip
            st.caption(_p("pool_check").format(err=error, fn="F.max_pool2d" if kind == "max" else "F.avg_pool2d"))
    explain(f"{FAMILY}.pools", POOLS.get(kind))
    st.latex(POOL_OUT_SIZE)
    st.markdown(_p("pool_desc"))


# ---------------------------------------------------------------- the digit CNN's filters


@st.fragment
def filters_section(picture: np.ndarray) -> None:
    st.header(_p("filters_title"))
    st.markdown(_p("filters_intro"))
    st.page_link("pages/digits.py", label=_p("filters_link"), icon=":material/draw:")
    grey = to_grey(picture)
    with user_errors():
        layer = _first_layer(grey)
        count, k, _ = layer.filters.shape
        c1, c2 = st.columns([1, 2])
        with c1:
            index = int(param_input(FILTER, key(FAMILY, "filter"), FAMILY)) - 1
            activated = param_input(BN_RELU, key(FAMILY, "bn_relu"), FAMILY)
            filter_tiles, map_tiles = _mosaics(grey, bool(activated))
            st.image(filter_tiles, caption=_p("filters_mosaic").format(n=count, k=k), clamp=True)
        maps = layer.activated if activated else layer.conv
        with c2:
            a, b = st.columns([0.8, 1])
            with a:
                show(charts.picture(layer.filters[index], _p("filter_map").format(i=index + 1, k=k), signed=True,
                                    text=True, height=300), key="filters-one")  # fmt: skip
            with b:
                title = _p("filter_out_relu" if activated else "filter_out").format(i=index + 1)
                show(charts.picture(maps[index], title, signed=not activated, height=300), key="filters-map")
        st.image(map_tiles, caption=_p("filters_maps").format(n=count), clamp=True)
        st.latex(r"z_o = W_o \star \frac{x - \mu}{\sigma},\qquad a_o = \mathrm{ReLU}\big(\gamma_o \frac{z_o - \hat\mu_o}"
                 r"{\sqrt{\hat\sigma_o^2 + \epsilon}} + \beta_o\big)")  # fmt: skip
        st.markdown(_p("filters_desc").format(n=count, k=k, p=layer.padding))


def main() -> None:
    st.title(t("nav.convolution.title"))
    st.markdown(_p("intro"))
    picture = input_section()
    if picture is not None:
        convolution_section(picture)
    channels_section(picture)
    if picture is not None:
        pooling_section(picture)
        filters_section(picture)


main()
