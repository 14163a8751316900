"""Convolution and pooling: a kernel sliding over a real picture, the output size, channels, pooling, the digit CNN's filters."""

import numpy as np
import streamlit as st
import torch

from core.conv import ops
from core.conv import settings as cs
from core.conv.images import colour_picture, to_grey, to_rgb
from core.conv.kernels import FAMILY as KERNEL_FAMILY
from core.conv.kernels import KERNELS, latex_matrix
from core.conv.walk import multiply_add
from ui import conv_cache as cc
from ui import conv_charts as charts
from ui import conv_widgets as cw
from ui.charts import show
from ui.feedback import user_errors
from ui.i18n import t
from ui.state import key
from ui.widgets import choose, explain, param_input

FAMILY = cs.FAMILY


def _p(name: str) -> str:
    return t(f"{FAMILY}.page.{name}")


def input_section() -> np.ndarray | None:
    """The picture every section works on, (C, H, W) in [0, 1], or None (with a prompt)."""
    st.header(_p("input_title"))
    left, right = st.columns([1.6, 1])
    with left:
        source = choose(cs.SOURCES, f"{FAMILY}.sources", label_key=f"{FAMILY}.page.source")
        picture = None
        with user_errors():
            if source == "dataset":
                picture = cw.dataset_picture()
            elif source == "drawing":
                picture = cw.drawing_picture()
            else:
                picture = cw.uploaded_picture()
        explain(f"{FAMILY}.sources", cs.SOURCES.get(source))
    with right:
        if picture is not None:
            c, h, w = picture.shape
            title = _p("picture_title").format(h=h, w=w, c=c)
            show(charts.rgb(picture, title) if c == 3 else charts.picture(picture[0], title, signed=False),
                 key="conv-input")  # fmt: skip
    return picture


@st.fragment
def convolution_section(picture: np.ndarray) -> None:
    st.header(_p("conv_title"))
    st.markdown(_p("conv_intro"))
    grey = to_grey(picture)
    _, h, w = grey.shape
    left, right = st.columns([1, 2.2])
    kernel = geometry = None
    with left, user_errors():
        name, kernel = cw.kernel_widgets()
        geometry = cw.geometry(st)
    if kernel is None or geometry is None:
        return
    stride, padding, dilation, mode = geometry
    k = kernel.shape[0]
    with right:
        st.latex(cs.size_equation(h, k, stride, padding, dilation, "H"))
        if w != h:
            st.latex(cs.size_equation(w, k, stride, padding, dilation, "W"))
        output = None
        with user_errors():
            output, error = cc.convolve(grey, kernel, stride, padding, dilation, mode)
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
            explain(f"{FAMILY}.paddings", cs.PADDINGS.get(mode))
        st.latex(cs.CONV)
        st.latex(cs.OUT_SIZE)
        st.markdown(_p("geometry_desc"))
    if output is not None:  # an empty output has its message above: nothing to slide over
        slide_section(grey, kernel, geometry)


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
    n = int(param_input(cs.PATCH, key(FAMILY, "patch"), FAMILY, where=c1))
    row, col = cs.corner_params(ho, wo, n)
    # Keys carry the output size: a slider keeps its own range per geometry.
    i0 = param_input(row, key(FAMILY, "row", ho, n), FAMILY, where=c2)
    j0 = param_input(col, key(FAMILY, "col", wo, n), FAMILY, where=c3)
    patch = cc.walk(grey, kernel, geometry, int(i0), int(j0), n)
    step_spec = cs.step_param(patch.steps)
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
        st.latex(multiply_add(step, kernel))
        st.caption(_p("slide_where").format(i=step.i, j=step.j, r=step.rows[0], c=step.cols[0], k=k))


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
        kernel, weights, bias = cw.channel_widgets()
    with right, user_errors():
        per_channel, total, error = cc.channels(to_rgb(rgb), kernel, weights, bias)
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
    st.latex(cs.MULTI)
    st.markdown(_p("channels_desc"))


@st.fragment
def pooling_section(picture: np.ndarray) -> None:
    st.header(_p("pool_title"))
    st.markdown(_p("pool_intro"))
    grey = to_grey(picture)
    _, h, w = grey.shape
    left, right = st.columns([1, 2.2])
    with left:
        kind, size, stride, padding = cw.pool_widgets()
    with right:
        st.latex(cs.pool_size_equation(h, size, stride, padding, "H"))
        if w != h:
            st.latex(cs.pool_size_equation(w, size, stride, padding, "W"))
        with user_errors():
            pooled, error = cc.pool(grey, kind, size, stride, padding)
            c1, c2 = st.columns(2)
            with c1:
                show(charts.picture(grey[0], _p("input_map").format(h=h, w=w), signed=False, height=300),
                     key="pool-in")  # fmt: skip
            with c2:
                ho, wo = pooled.shape
                show(charts.picture(pooled, _p("pool_map").format(h=ho, w=wo), signed=False, height=300),
                     key="pool-out")  # fmt: skip
            st.caption(_p("pool_check").format(err=error, fn="F.max_pool2d" if kind == "max" else "F.avg_pool2d"))
    explain(f"{FAMILY}.pools", cs.POOLS.get(kind))
    st.latex(cs.POOL_OUT_SIZE)
    st.markdown(_p("pool_desc"))


@st.fragment
def filters_section(picture: np.ndarray) -> None:
    st.header(_p("filters_title"))
    st.markdown(_p("filters_intro"))
    st.page_link("pages/digits.py", label=_p("filters_link"), icon=":material/draw:")
    grey = to_grey(picture)
    with user_errors():
        layer = cc.first_layer(grey)
        count, k, _ = layer.filters.shape
        c1, c2 = st.columns([1, 2])
        with c1:
            index = int(param_input(cs.FILTER, key(FAMILY, "filter"), FAMILY)) - 1
            activated = param_input(cs.BN_RELU, key(FAMILY, "bn_relu"), FAMILY)
            filter_tiles, map_tiles = cc.mosaics(grey, bool(activated))
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
        st.latex(cs.FIRST_LAYER)
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
