"""Parts of the digits page's reading: the verdict, what the preprocessing did, and the look inside.

Only drawing: every number comes from `core.digits` (the `Prepared` record, the `Reading`).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.digits.inspect import Reading, boxed, enlarge, marked, overlay
from core.digits.predict import NOT_SURE, Prediction
from core.digits.preprocess import BOX, CENTRE, Prepared, shift
from core.digits.settings import SHOW_FACTOR
from ui.i18n import t

FAMILY = "digits"
STEP_FACTOR = 5  # the 28×28 steps are shown 5× (140 px), three side by side


def _p(name: str, **params) -> str:
    return t(f"{FAMILY}.page.{name}", **params)


def verdict(prediction: Prediction) -> None:
    """The answer; when the model is unsure, its two most likely digits side by side."""
    st.markdown(_p("predicted", label=prediction.label, p=f"{prediction.confidence:.1%}"))
    if not prediction.sure:
        (first, p1), (second, p2) = prediction.top_two
        st.warning(_p("not_sure_two", threshold=f"{NOT_SURE:.0%}", first=first, p1=f"{p1:.1%}", second=second,
                      p2=f"{p2:.1%}"), icon="🤔")  # fmt: skip


def preprocessing(prepared: Prepared, sure: bool) -> None:
    """Box → scale → centre of mass, as pictures and numbers; open by itself when the model is unsure."""
    with st.expander(_p("steps_title"), expanded=not sure):
        top, left, bottom, right = prepared.box
        height, width = prepared.ink.shape
        before = shift(prepared.image, -prepared.shift[0], -prepared.shift[1])
        c1, c2, c3 = st.columns(3)
        c1.image(boxed(prepared.ink, prepared.box), caption=_p("step_box_caption"), width=140)
        c2.image(marked(before, prepared.mass, STEP_FACTOR), caption=_p("step_scaled_caption"), width=140)
        c3.image(marked(prepared.image, (float(CENTRE), float(CENTRE)), STEP_FACTOR, colour=(60, 200, 90)),
                 caption=_p("step_centred_caption"), width=140)  # fmt: skip
        st.markdown(
            "\n".join([
                "1. " + _p("step_box", w=right - left, h=bottom - top, x=left, y=top, W=width, H=height),
                "2. " + _p("step_scale", scale=f"{prepared.scale:.3g}", box=BOX, w=prepared.size[1],
                           h=prepared.size[0]),
                "3. " + _p("step_mass", row=f"{prepared.mass[0]:.1f}", col=f"{prepared.mass[1]:.1f}",
                           down=prepared.shift[0], right=prepared.shift[1], centre=CENTRE),
            ])
        )  # fmt: skip
        st.caption(_p("steps_why"))


def look_inside(view: Reading, image: np.ndarray) -> None:
    """Feature maps layer by layer, and the saliency map of the predicted class."""
    st.subheader(_p("inside"))
    maps_tab, saliency_tab = st.tabs([_p("feature_maps"), _p("saliency")])
    with maps_tab:
        if not view.layers:
            st.info(_p("no_feature_maps"), icon="ℹ️")
        for layer, channels, h, w, shown, tile in view.layers:
            st.markdown(_p("layer", layer=layer, channels=channels, h=h, w=w, shown=shown))
            st.image(tile, clamp=True)
        st.caption(_p("feature_maps_caption"))
    with saliency_tab:
        c1, c2, c3 = st.columns(3)
        c1.image(enlarge(image, SHOW_FACTOR), caption=_p("model_input"), clamp=True)
        c2.image(enlarge(view.heat, SHOW_FACTOR), caption=_p("saliency_map"), clamp=True)
        c3.image(enlarge(overlay(image, view.heat), SHOW_FACTOR), caption=_p("overlay"))
        st.markdown(_p("saliency_caption", label=view.prediction.label))
        st.latex(r"M_{ij} = \left|\frac{\partial s_c(x)}{\partial x_{ij}}\right|")
