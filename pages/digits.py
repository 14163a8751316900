"""Draw a digit: an MNIST model reads your handwriting, and you can look inside it and teach it."""

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from core.data.limits import MAX_PHOTO_BYTES
from core.digits.finetune import TEACH, teach
from core.digits.inspect import Reading, enlarge, read
from core.digits.models import BEST, MODELS, load_shipped, trained_epochs
from core.digits.predict import Prediction, predict
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
from ui import digit_charts as charts
from ui.canvas_toolbar import translate_toolbar
from ui.charts import show
from ui.digit_canvas import DRAWING_KEY, PNG_KEY, canvas_key, clear_drawing, initial_drawing
from ui.digit_sections import look_inside, preprocessing, verdict
from ui.feedback import message, user_errors
from ui.i18n import t
from ui.sidebar import seed
from ui.state import key
from ui.widgets import PHOTO_TYPES, choose, entry_title, explain, param_input, param_inputs, uploader

FAMILY = "digits"
UPLOAD_KEY = "digits_upload"
TAUGHT = "digits_taught"  # session-local fine-tuned copies, {model name: nn.Module}
TAUGHT_NOTE = "digits_taught_note"  # the before/after message, shown after the rerun
TEACH_IMAGE = "digits_teach_image"  # the 28×28 input the proposed "right digit" was proposed for


@st.cache_resource(show_spinner=False)
def _shipped(name: str):
    """(model, meta), loaded once per server; never trained in place (teach() works on a copy)."""
    return load_shipped(name)


def _view(model, image: np.ndarray) -> Reading:
    return read(model, image, columns=MAP_COLUMNS, limit=MAPS_SHOWN, pixels=MAP_PIXELS)


@st.cache_data(show_spinner=False, max_entries=64)
def _shipped_view(name: str, image: np.ndarray) -> Reading:
    """A shipped model's view of an input, once per (model, input): switching back and forth is free."""
    return _view(_shipped(name)[0], image)


def _model_card(meta: dict) -> str:
    return t(
        f"{FAMILY}.page.model_card",
        accuracy=f"{100 * meta['test_accuracy']:.2f}",
        images=f"{meta['test_images']:,}",
        params=f"{meta['params']:,}",
        epochs=trained_epochs(meta),
    )


def _comparison():
    """Every shipped model's measured figures, from its checkpoint meta."""
    columns = {c: t(f"{FAMILY}.page.col_{c}") for c in ("model", "accuracy", "params", "epochs")}
    names = MODELS.names()
    return charts.comparison({n: _shipped(n)[1] for n in names}, {n: entry_title(FAMILY, n) for n in names}, columns)


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
            initial_drawing=initial_drawing(),
            key=canvas_key(),
        )
        if result.json_data is not None:
            st.session_state[DRAWING_KEY] = result.json_data
        if result.image_bytes is not None:
            st.session_state[PNG_KEY] = result.image_bytes
        st.caption(t(f"{FAMILY}.page.hint_live" if live else f"{FAMILY}.page.hint_button"))
        st.button(t(f"{FAMILY}.page.clear"), icon=":material/delete:", on_click=clear_drawing, key="digits_clear")
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


@st.fragment
def digit_section() -> None:
    """The whole reading: a stroke, a photo or another model reruns this section only, not the app."""
    top = st.columns([1.3, 1, 1, 0.8])
    with top[0]:
        name = choose(MODELS, FAMILY, "model", label_key=f"{FAMILY}.page.choose_model", default=BEST)
    source = param_input(CANVAS.param("source"), key(FAMILY, "canvas", "source"), FAMILY, where=top[1])
    stroke_width = param_input(CANVAS.param("stroke_width"), key(FAMILY, "canvas", "stroke_width"), FAMILY,
                               where=top[2])  # fmt: skip
    live = param_input(CANVAS.param("live"), key(FAMILY, "canvas", "live"), FAMILY, where=top[3])
    with user_errors():
        base, meta = _shipped(name)
        taught = st.session_state.get(TAUGHT, {}).get(name)
        st.caption(_model_card(meta))
        with st.expander(t(f"{FAMILY}.page.about_model")):
            explain(FAMILY, MODELS.get(name))
            st.markdown(f"**{t(f'{FAMILY}.page.compare_models')}**")
            st.dataframe(_comparison(), hide_index=True)
        left, middle, right = st.columns([1.15, 0.9, 1.5])
        with left:
            st.markdown(f"**{t(f'{FAMILY}.page.raw')}**")
            prepared = _read_input(source, stroke_width, live)
            if source == "draw":
                translate_toolbar(canvas_key())  # last in the column: its empty element adds no gap
        if prepared is None:
            return
        view = _shipped_view(name, prepared.image) if taught is None else _view(taught, prepared.image)
        with middle:
            st.markdown(f"**{t(f'{FAMILY}.page.model_input')}**")
            st.image(enlarge(prepared.image, SHOW_FACTOR), clamp=True)
            st.caption(t(f"{FAMILY}.page.input_caption"))
        with right:
            st.markdown(f"**{t(f'{FAMILY}.page.probs_title')}**")
            verdict(view.prediction)
            axes = (t(f"{FAMILY}.page.digit_axis"), t(f"{FAMILY}.page.prob_axis"))
            show(charts.probabilities(view.prediction, *axes), key="digits-probs")
            if taught is not None:
                st.info(t(f"{FAMILY}.page.using_taught"), icon="🎓")
                if st.button(t(f"{FAMILY}.page.reset_taught"), key="digits_reset_taught"):
                    del st.session_state[TAUGHT][name]
                    st.rerun()
        preprocessing(prepared, view.prediction.sure)
        look_inside(view, prepared.image)
        _teach(name, taught if taught is not None else base, prepared.image, view.prediction)


def main() -> None:
    st.title(t("nav.digits.title"))
    st.caption(t("nav.digits.blurb"))
    digit_section()


main()
