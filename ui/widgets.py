"""Widgets generated from core's parameter specs: the one helper every page uses."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from core.errors import human
from core.registry import Entry, Param, Registry
from ui.i18n import lang, t, t_or, translator
from ui.state import init, key

PHOTO_TYPES = ("png", "jpg", "jpeg", "bmp", "gif", "webp")  # what PIL decodes for the photo uploaders
SLIDER_MAX_STEPS = 2000  # wider integer ranges get a typed number instead of a slider


def param_input(
    param: Param,
    widget_key: str,
    family: str,
    *,
    help: str | None = None,
    where: Any = None,
    default: Any = None,
    label: str | None = None,
) -> Any:
    """One widget for `param`, keyed by `widget_key`; returns the raw (unvalidated) value.

    It starts at `default` when given (a page's own starting point, e.g. a learning rate
    suited to a surface), else at the spec's default.

    Its label is `label`, else ``<family>.params.<name>``, and a choice's text
    ``<family>.choices.<value>`` (falling back to the value itself) in the family's own i18n file.

    Log-scale, `typed` and unbounded numbers are typed (so 0 or 1e9 reach validation and get a
    message); bounded ones are sliders; str choices are select boxes; bools are toggles.
    """
    where = where or st
    init(widget_key, param.default if default is None else default, spec=param)
    text = label or t(f"{family}.params.{param.name}")
    kind = param.kind
    if kind == "bool":
        return where.toggle(text, key=widget_key, help=help)
    if kind == "choice":
        return where.selectbox(text, param.choices, key=widget_key, help=help, format_func=choice_text(family))
    bounded = param.low is not None and param.high is not None and not param.typed
    if kind == "int":
        if bounded and (param.high - param.low) / (param.step or 1) <= SLIDER_MAX_STEPS:
            return where.slider(
                text, int(param.low), int(param.high), step=int(param.step or 1), key=widget_key, help=help
            )
        return where.number_input(text, step=int(param.step or 1), key=widget_key, help=help)
    if bounded and not param.log:
        step = float(param.step or (param.high - param.low) / 100)
        decimals = len(f"{step:.8f}".rstrip("0").split(".")[1])  # as many as the step has: 0.999 ≠ "1.00"
        return where.slider(
            text, float(param.low), float(param.high), step=step, format=f"%.{decimals}f", key=widget_key, help=help
        )
    return where.number_input(text, format="%g", step=param.step, key=widget_key, help=help)


def start_inputs(family: str, surface_name: str, surface: Any) -> tuple[tuple[Any, Any], tuple[str, str]]:
    """The typed start point (x, y) on a surface, kept per surface: ((x, y), (key of x, key of y))."""
    keys = key(family, surface_name, "start_x"), key(family, surface_name, "start_y")
    values = tuple(param_input(spec, widget_key, family, label=t(f"optimizers.page.{spec.name}"), where=col)
                   for spec, widget_key, col in zip(surface.start_params(), keys, st.columns(2), strict=True))  # fmt: skip
    return values, keys


def param_inputs(
    entry: Entry,
    family: str,
    *scope: object,
    columns: int = 1,
    where: Any = None,
    defaults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Widgets for every parameter of `entry`; returns {name: raw value}.

    `defaults` overrides the spec's starting values by parameter name (see `param_input`).

    Keys are ``p.<family>.<scope...>.<entry>.<param>`` so two copies of one entry (e.g.
    two Adams with different settings) keep separate values. Validate the result with
    ``entry.resolve(values)`` inside ``ui.feedback.user_errors()``.
    """
    where = where or st
    if not entry.params:
        return {}
    cols = where.columns(min(columns, len(entry.params)))
    values = {}
    for i, param in enumerate(entry.params):
        help_text = t_or(f"{family}.{entry.name}.param.{param.name}", "") or None
        widget_key = key(family, *scope, entry.name, param.name)
        values[param.name] = param_input(
            param,
            widget_key,
            family,
            help=help_text,
            where=cols[i % len(cols)],
            default=(defaults or {}).get(param.name),
        )
    return values


def entry_params(
    registry: Registry,
    family: str,
    names: Sequence[str],
    *scope: object,
    columns: int = 1,
    side_by_side: bool = False,
    defaults: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Each chosen entry's `param_inputs` in an expander titled with its name: stacked, or side by side.

    `defaults` gives some entries their own starting values: ``{name: {param: value}}``.
    """
    slots = st.columns(len(names)) if side_by_side and names else [st] * len(names)
    values = {}
    for slot, name in zip(slots, names, strict=True):
        with slot.expander(entry_title(family, name)):
            values[name] = param_inputs(
                registry.get(name), family, *scope, columns=columns, defaults=(defaults or {}).get(name)
            )
    return values


def choice_text(family: str) -> Callable[[Any], str]:
    """``format_func`` for a parameter's choices (bound to the current language)."""
    tr = translator()
    return lambda value: tr(f"{family}.choices.{value}", str(value))


def title_text(family: str) -> Callable[[str], str]:
    """``format_func`` for a registry's names (bound to the current language)."""
    tr = translator()
    return lambda name: tr(f"{family}.{name}.title", name)


def entry_title(family: str, name: str) -> str:
    """``<family>.<name>.title`` from the i18n tables."""
    return t(f"{family}.{name}.title")


def choose(
    registry: Registry, family: str, *scope: object, label_key: str, default: str | None = None, where: Any = None
) -> str:
    """A select box over a registry's names, labelled by their i18n titles."""
    where = where or st
    widget_key = key(family, *scope, "choice")
    init(widget_key, default or registry.names()[0], choices=registry.names())
    return where.selectbox(t(label_key), registry.names(), key=widget_key, format_func=title_text(family))


def choose_many(
    registry: Registry,
    family: str,
    *scope: object,
    label_key: str,
    default: Sequence[str] = (),
    where: Any = None,
) -> list[str]:
    """A multiselect over a registry's names, labelled by their i18n titles."""
    where = where or st
    widget_key = key(family, *scope, "many")
    init(widget_key, list(default), choices=registry.names())
    return multiselect(t(label_key), registry.names(), key=widget_key, format_func=title_text(family), where=where)


def multiselect(label: str, options: Sequence[Any], *, key: str, format_func: Callable[[Any], str] = str,
                where: Any = None, **kwargs: Any) -> list[Any]:  # fmt: skip
    """``st.multiselect`` with a placeholder in the page's language.

    Streamlit's own "Select all" action has English text only, so it is offered in English only.
    """
    where = where or st
    if lang() != "en":
        kwargs["select_all"] = False
    return where.multiselect(label, options, key=key, format_func=format_func,
                             placeholder=t("common.choose_options"), **kwargs)  # fmt: skip


def uploader(label: str, types: Sequence[str], *, key: str, max_bytes: int, help: str | None = None,
           where: Any = None) -> UploadedFile | None:  # fmt: skip
    """A file uploader with one size limit: stated on the widget in the page's language, enforced here.

    Streamlit writes its drop zone ("Upload", "25MB per file • CSV") in English and with the
    server-wide cap; both texts are replaced (CSS) by this uploader's own limit and file types.
    A larger file gets a translated message and is not returned.
    """
    where = where or st
    file = where.file_uploader(label, type=list(types), key=key, help=help)
    limit = t("common.upload_limit", size=size_text(max_bytes), types=", ".join(x.upper() for x in types))
    css_class = "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())  # as Streamlit names a keyed element
    st.html(
        f"<style>.{css_class} [data-testid='stFileUploaderDropzone'] button p,"
        f".{css_class} [data-testid='stFileUploaderDropzoneInstructions'] span {{font-size: 0}}"
        f".{css_class} [data-testid='stFileUploaderDropzone'] button p::after"
        f"{{content: {json.dumps(t('common.upload_button'), ensure_ascii=False)}; font-size: 0.875rem}}"
        f".{css_class} [data-testid='stFileUploaderDropzoneInstructions'] span::after"
        f"{{content: {json.dumps(limit, ensure_ascii=False)}; font-size: 0.875rem}}</style>"
    )
    if file is not None and file.size > max_bytes:
        where.error(t("errors.upload_too_large", name=file.name, size=size_text(file.size), limit=size_text(max_bytes)),
                    icon="⚠️")  # fmt: skip
        return None
    return file


def size_text(n_bytes: int) -> str:
    """A file size as people write it: 5 MB, 300 KB, 12 B (1 MB = 1024² bytes, as Streamlit counts)."""
    for unit, size in (("MB", 2**20), ("KB", 2**10)):
        if n_bytes >= size:
            return f"{human(round(n_bytes / size, 1))} {unit}"
    return f"{n_bytes} B"


def explain(family: str, entry: Entry, where: Any = None) -> None:
    """The entry's formula (LaTeX) and its one-paragraph explanation."""
    where = where or st
    if entry.formula:
        where.latex(entry.formula)
    where.markdown(t(f"{family}.{entry.name}.desc"))


def player(
    widget_key: str,
    last: int,
    *,
    label: str,
    texts: tuple[str, str],
    playing_key: str,
    button_key: str,
    start: int = 0,
    stride: int = 1,
    help: str | None = None,
) -> int:
    """▶/⏸ and a step slider 0..`last`; returns the step to draw.

    While `st.session_state[playing_key]` is set, the caller runs its section as a fragment
    with ``run_every=...``: each tick moves the slider on by `stride` before it is drawn; at
    the end, or on pause, a full rerun drops the timer. `texts` are the (play, pause) labels;
    the slider starts at `start` and is clamped when a new run has fewer steps.
    """
    init(widget_key, start)
    if st.session_state[widget_key] > last:
        st.session_state[widget_key] = last
    playing = st.session_state.get(playing_key, False)
    if playing and not st.session_state.get(button_key):  # a tick (a pause click moves nothing)
        if st.session_state[widget_key] >= last:
            st.session_state[playing_key] = False
            st.rerun(scope="app")
        st.session_state[widget_key] = min(last, st.session_state[widget_key] + stride)
    button, slider = st.columns([1, 5], vertical_alignment="bottom")
    if button.button(texts[1] if playing else texts[0], key=button_key, width="stretch"):
        st.session_state[playing_key] = not playing
        if not playing and st.session_state[widget_key] >= last:
            st.session_state[widget_key] = 0  # play again from the start
        st.rerun(scope="app")
    if last < 1:
        return 0
    return slider.slider(label, 0, last, key=widget_key, help=help)
