"""Draw a digit: an MNIST model reads your handwriting, and you can look inside it and teach it."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from core.data.limits import MAX_PHOTO_BYTES
from core.digits.finetune import TEACH, teach
from core.digits.inspect import enlarge, feature_maps, mosaic, overlay, saliency
from core.digits.models import BEST, MODELS, load_shipped
from core.digits.predict import NOT_SURE, Prediction, predict
from core.digits.preprocess import Prepared, decode_canvas, from_canvas, from_photo
from core.digits.settings import (
    BACKGROUND,
    CANVAS,
    CANVAS_SIDE,
    MAP_COLUMNS,
    MAP_PIXELS,
    MAPS_SHOWN,
    SHOW_FACTOR,
    STROKE_COLOR,
)
from core.errors import UserError
from ui.canvas_toolbar import translate_toolbar
from ui.charts import color, figure, show
from ui.feedback import message, user_errors
from ui.i18n import t
from ui.sidebar import seed
from ui.state import key
from ui.widgets import PHOTO_TYPES, choose, entry_title, explain, param_input, param_inputs, uploader

FAMILY = "digits"
CANVAS_KEY = "digits_canvas"  # not a p.* key: a component's state cannot be re-assigned by app.py
CANVAS_GENERATION = "digits_canvas_generation"  # bumped by Clear: a new key is a new, blank canvas
DRAWING_KEY = "digits_drawing"  # the latest strokes (Fabric.js JSON), kept across page switches
RESTORE_KEY = "digits_restore"  # what a re-created canvas starts from; constant while the canvas lives
PNG_KEY = "digits_png"  # the last picture of the canvas: a re-created canvas shows its strokes but sends none
UPLOAD_KEY = "digits_upload"
TAUGHT = "digits_taught"  # session-local fine-tuned copies, {model name: nn.Module}
TAUGHT_NOTE = "digits_taught_note"  # the before/after message, shown after the rerun
TEACH_IMAGE = "digits_teach_image"  # the 28×28 input the proposed "right digit" was proposed for


@st.cache_resource(show_spinner=False)
def _shipped(name: str):
    """(model, meta), loaded once per server; never trained in place (teach() works on a copy)."""
    return load_shipped(name)


def _model_card(meta: dict) -> str:
    return t(
        f"{FAMILY}.page.model_card",
        accuracy=f"{100 * meta['test_accuracy']:.2f}",
        images=f"{meta['test_images']:,}",
        params=f"{meta['params']:,}",
        epochs=meta["epochs"],
    )


def _comparison() -> pd.DataFrame:
    """Every shipped model's measured figures, from its checkpoint meta."""
    rows = []
    for name in MODELS.names():
        meta = _shipped(name)[1]
        rows.append({
            t(f"{FAMILY}.page.col_model"): entry_title(FAMILY, name),
            t(f"{FAMILY}.page.col_accuracy"): f"{100 * meta['test_accuracy']:.2f} %",
            t(f"{FAMILY}.page.col_params"): f"{meta['params']:,}",
            t(f"{FAMILY}.page.col_epochs"): meta["epochs"],
        })  # fmt: skip
    return pd.DataFrame(rows)


def _canvas_key() -> str:
    """The canvas component's key: a new one after each Clear (the first is plain `CANVAS_KEY`)."""
    generation = st.session_state.get(CANVAS_GENERATION, 0)
    return CANVAS_KEY if generation == 0 else f"{CANVAS_KEY}_{generation}"


def _initial_drawing() -> dict | None:
    """The drawing a canvas starts from: the last one, when the page is opened again.

    Streamlit drops the canvas's own state on a page switch, so the strokes are kept in a
    plain session key. They are handed to the canvas only when it is re-created, and the
    same object is passed while it lives: a changing `initial_drawing` redraws the canvas,
    which reports back and would rerun the page in a loop.
    """
    if _canvas_key() not in st.session_state:
        st.session_state[RESTORE_KEY] = st.session_state.get(DRAWING_KEY)
    return st.session_state.get(RESTORE_KEY)


def _clear_drawing() -> None:
    """A blank canvas, like the toolbar's bin: a fresh component under a new key, starting from nothing.

    Dropping the component's session state alone is not enough: the browser keeps the same
    canvas with its strokes, and the next stroke would be sent (and read) together with them.
    """
    for k in (_canvas_key(), DRAWING_KEY, RESTORE_KEY, PNG_KEY):
        st.session_state.pop(k, None)
    st.session_state[CANVAS_GENERATION] = st.session_state.get(CANVAS_GENERATION, 0) + 1


def _read_input(source: str, stroke_width: int, live: bool) -> Prepared | None:
    """The prepared 28×28 input, or None (with a prompt) when there is nothing to read."""
    if source == "draw":
        result = st_canvas(
            stroke_width=int(stroke_width),
            stroke_color=STROKE_COLOR,
            background_color=BACKGROUND,
            update_streamlit=bool(live),
            height=CANVAS_SIDE,
            width=CANVAS_SIDE,
            drawing_mode="freedraw",
            return_image_data=True,
            initial_drawing=_initial_drawing(),
            key=_canvas_key(),
        )
        if result.json_data is not None:
            st.session_state[DRAWING_KEY] = result.json_data
        if result.image_bytes is not None:
            st.session_state[PNG_KEY] = result.image_bytes
        st.caption(t(f"{FAMILY}.page.hint_live" if live else f"{FAMILY}.page.hint_button"))
        st.button(t(f"{FAMILY}.page.clear"), icon=":material/delete:", on_click=_clear_drawing, key="digits_clear")
        png = st.session_state.get(PNG_KEY)
        if png is None:
            st.info(t(f"{FAMILY}.page.prompt_draw"), icon="✏️")
            return None
        return _prepare(lambda data: from_canvas(decode_canvas(data)), png, "prompt_draw")
    upload = uploader(t(f"{FAMILY}.page.upload"), PHOTO_TYPES, key=UPLOAD_KEY, max_bytes=MAX_PHOTO_BYTES,
                            help=t(f"{FAMILY}.page.upload_help"))  # fmt: skip
    if upload is None:
        st.info(t(f"{FAMILY}.page.prompt_upload"), icon="📷")
        return None
    prepared = _prepare(from_photo, upload.getvalue(), "prompt_photo_empty")
    if prepared is not None:
        st.image(upload.getvalue(), width=CANVAS_SIDE)
    return prepared


def _prepare(fn, data, prompt: str) -> Prepared | None:
    """Run a preprocessing function; an empty input is a prompt, any other bad input an error box."""
    try:
        return fn(data)
    except UserError as error:
        if error.key == f"{FAMILY}.errors.empty":
            st.info(t(f"{FAMILY}.page.{prompt}"), icon="✏️")
        else:
            st.error(message(error), icon="⚠️")
        return None


def _probability_chart(prediction: Prediction) -> None:
    digits = [str(d) for d in range(10)]
    colours = [color(1) if d == prediction.label else color(0) for d in range(10)]
    fig = figure(height=300, x=t(f"{FAMILY}.page.digit_axis"), y=t(f"{FAMILY}.page.prob_axis"))
    fig.add_trace(go.Bar(x=digits, y=prediction.probs, marker_color=colours, text=[f"{p:.0%}" for p in prediction.probs],
                         textposition="outside", hovertemplate="%{x}: %{y:.3f}<extra></extra>"))  # fmt: skip
    fig.update_yaxes(range=[0, 1.15], tickformat=".0%")
    fig.update_layout(hovermode="closest", showlegend=False)
    show(fig, key="digits-probs")


def _verdict(prediction: Prediction) -> None:
    st.markdown(t(f"{FAMILY}.page.predicted", label=prediction.label, p=f"{prediction.confidence:.1%}"))
    if not prediction.sure:
        st.warning(t(f"{FAMILY}.page.not_sure", threshold=f"{NOT_SURE:.0%}"), icon="🤔")


def _look_inside(model, image: np.ndarray, label: int) -> None:
    st.subheader(t(f"{FAMILY}.page.inside"))
    maps_tab, saliency_tab = st.tabs([t(f"{FAMILY}.page.feature_maps"), t(f"{FAMILY}.page.saliency")])
    with maps_tab:
        layers = feature_maps(model, image)
        if not layers:
            st.info(t(f"{FAMILY}.page.no_feature_maps"), icon="ℹ️")
        for layer in layers:
            channels, h, w = layer.maps.shape
            shown = min(channels, MAPS_SHOWN)
            st.markdown(t(f"{FAMILY}.page.layer", layer=layer.layer, channels=channels, h=h, w=w, shown=shown))
            tile = mosaic(layer.maps, columns=MAP_COLUMNS, limit=MAPS_SHOWN)
            st.image(enlarge(tile, max(1, MAP_PIXELS // h)), clamp=True)
        st.caption(t(f"{FAMILY}.page.feature_maps_caption"))
    with saliency_tab:
        heat = saliency(model, image, label)
        c1, c2, c3 = st.columns(3)
        c1.image(enlarge(image, SHOW_FACTOR), caption=t(f"{FAMILY}.page.model_input"), clamp=True)
        c2.image(enlarge(heat, SHOW_FACTOR), caption=t(f"{FAMILY}.page.saliency_map"), clamp=True)
        c3.image(enlarge(overlay(image, heat), SHOW_FACTOR), caption=t(f"{FAMILY}.page.overlay"))
        st.markdown(t(f"{FAMILY}.page.saliency_caption", label=label))
        st.latex(r"M_{ij} = \left|\frac{\partial s_c(x)}{\partial x_{ij}}\right|")


def _teach(name: str, model, image: np.ndarray, before: Prediction) -> None:
    st.subheader(t(f"{FAMILY}.page.teach_title"))
    st.markdown(t(f"{FAMILY}.page.teach_intro"))
    note = st.session_state.pop(TAUGHT_NOTE, None)
    if note is not None:
        st.success(note, icon="🎓")
    label_key = key(FAMILY, "teach", "label")
    previous = st.session_state.get(TEACH_IMAGE)
    if previous is None or not np.array_equal(previous, image):
        # A new drawing: propose what the model reads now. The learner's own pick is kept only
        # while the drawing stays the same (e.g. through Teach and its rerun).
        st.session_state[label_key] = before.label
        st.session_state[TEACH_IMAGE] = image
    cols = st.columns([1, 2])
    label = cols[0].selectbox(t(f"{FAMILY}.page.right_label"), list(range(10)), key=label_key)
    with cols[1]:
        raw = param_inputs(TEACH, FAMILY, "teach", columns=2)
    with st.expander(t(f"{FAMILY}.page.teach_how")):
        explain(FAMILY, TEACH)
    if st.button(t(f"{FAMILY}.page.teach_button"), type="primary", key="digits_teach_button"):
        with user_errors():
            values = TEACH.resolve(raw)
            student, losses = teach(model, image, int(label), steps=values["steps"], lr=values["lr"], seed=seed())
            st.session_state.setdefault(TAUGHT, {})[name] = student
            after = predict(student, image)
            st.session_state[TAUGHT_NOTE] = t(
                f"{FAMILY}.page.taught",
                before=before.label,
                p_before=f"{before.probs[int(label)]:.1%}",
                after=after.label,
                label=int(label),
                p_after=f"{after.probs[int(label)]:.1%}",
                steps=len(losses),
                loss=f"{losses[-1]:.3f}",
            )
            st.rerun()  # redraw the prediction above with the taught copy


def main() -> None:
    st.title(t("nav.digits.title"))
    st.caption(t("nav.digits.blurb"))
    top = st.columns([1.3, 1, 1, 0.8])
    with top[0]:
        name = choose(MODELS, FAMILY, "model", label_key=f"{FAMILY}.page.choose_model", default=BEST)
    source = param_input(CANVAS.param("source"), key(FAMILY, "canvas", "source"), FAMILY, where=top[1])
    stroke_width = param_input(CANVAS.param("stroke_width"), key(FAMILY, "canvas", "stroke_width"), FAMILY,
                               where=top[2])  # fmt: skip
    live = param_input(CANVAS.param("live"), key(FAMILY, "canvas", "live"), FAMILY, where=top[3])
    entry = MODELS.get(name)
    with user_errors():
        base, meta = _shipped(name)
        taught = st.session_state.get(TAUGHT, {}).get(name)
        st.caption(_model_card(meta))
        with st.expander(t(f"{FAMILY}.page.about_model")):
            explain(FAMILY, entry)
            st.markdown(f"**{t(f'{FAMILY}.page.compare_models')}**")
            st.dataframe(_comparison(), hide_index=True)
        model = taught if taught is not None else base

        left, middle, right = st.columns([1.15, 0.9, 1.5])
        with left:
            st.markdown(f"**{t(f'{FAMILY}.page.raw')}**")
            prepared = _read_input(source, stroke_width, live)
            if source == "draw":
                translate_toolbar(_canvas_key())  # last in the column: its empty element adds no gap
        if prepared is None:
            return
        with middle:
            st.markdown(f"**{t(f'{FAMILY}.page.model_input')}**")
            st.image(enlarge(prepared.image, SHOW_FACTOR), clamp=True)
            st.caption(t(f"{FAMILY}.page.input_caption"))
        prediction = predict(model, prepared.image)
        with right:
            st.markdown(f"**{t(f'{FAMILY}.page.probs_title')}**")
            _verdict(prediction)
            _probability_chart(prediction)
            if taught is not None:
                st.info(t(f"{FAMILY}.page.using_taught"), icon="🎓")
                if st.button(t(f"{FAMILY}.page.reset_taught"), key="digits_reset_taught"):
                    del st.session_state[TAUGHT][name]
                    st.rerun()
        _look_inside(model, prepared.image, prediction.label)
        _teach(name, model, prepared.image, prediction)


main()
