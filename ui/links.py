"""Links that restore a page: its settings live in the URL, a lesson opens as a link.

How it works (one mechanism for every page; pages need no code of their own):

- Every widget gets its default through `ui.state.init`, which calls `claim` first. On the
  first run of a session (or when a ``lesson=`` link is followed) the URL's parameters wait
  in a *pending* table; `claim` takes a widget's entry from it, validates it against what
  the widget accepts (its `Param` spec, its choices, or its default's type:
  `core.links.decode`) and gives the widget that value instead of its default. A bad value
  leaves the default and adds a notice naming it; a parameter no widget claimed by the end
  of the run (a renamed or removed setting) is named in the notice too.
- After each whole-page run `finish` writes the page's link: ``lang``, then every setting
  that differs from its default (or from the lesson's value, on a lesson). A fragment run
  (a section rerunning alone; app.py does not run) updates the parameter of each widget it
  draws from `claim`: ``st.query_params`` writes are plain messages to the browser and work
  inside a fragment.
- ``hide=sidebar,lesson,link,<setting>`` is the classroom view: it hides the sidebar, the
  lesson box, the copy button or any setting's widget.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import lessons
from core.errors import UserError, human
from core.links import decode, encode, same
from core.registry import Param
from ui.i18n import LANG_KEY, t
from ui.state import PREFIX, forget

PENDING = "_links_pending"  # {widget key: raw value} waiting for their widget
APPLIED = "_links_applied"  # {widget key: value} set from the link in this run (spec-less: checked after the run)
DRAWN = "_links_drawn"  # {widget key: default} of the widgets drawn by the last whole-page run
SEEN = "_links_seen"  # {page: [widget keys]} ever drawn on each page (reset when a lesson opens there)
NOTICES = "_links_notices"  # (page, [(setting, reason)]): what the last link opened could not set
NEW = "_links_new"  # [(setting, reason)] found in this run, shown by `finish`
PAGE = "_links_page"  # the page of the last whole-page run
LESSON = "_links_lesson"  # the id of the lesson open on its page
HIDE = "_links_hide"  # the classroom view's hidden parts
STARTED = "_links_started"
WRITTEN = "_links_written"  # the link last written by `finish`
GOTO = "_links_goto"  # the page a lesson just opened lives on (a lesson link may point at another page)

LESSON_PARAM, HIDE_PARAM = "lesson", "hide"
RESERVED = (LESSON_PARAM, HIDE_PARAM, "embed", "embed_options")  # parameters that are not settings
NOT_LINKED = ("p.force_cpu",)  # this machine's choice, not the page's
ALWAYS = (LANG_KEY,)  # a link opens in the sender's language


def name_of(widget_key: str) -> str:
    """The link's name for a setting: its widget key without ``p.``."""
    return widget_key.removeprefix(PREFIX)


def key_of(name: str) -> str:
    return PREFIX + name


# ---------------------------------------------------------------- reading a link


def start() -> None:
    """app.py, first thing each whole-page run: take a new link's settings and the lesson it names."""
    ss = st.session_state
    ss[DRAWN] = {}
    params = {name: st.query_params.get_all(name) for name in st.query_params}
    if not ss.get(STARTED):
        ss[STARTED] = True
        ss[HIDE] = _hide_list(params.get(HIDE_PARAM, []))
        _add_pending({key_of(n): v for n, v in params.items() if n not in RESERVED})
    wanted = (params.get(LESSON_PARAM) or [None])[-1]
    if wanted and wanted != ss.get(LESSON):
        open_lesson(wanted, {key_of(n): v for n, v in params.items() if n not in RESERVED})


def open_lesson(lesson_id: str, overrides: dict[str, Any] | None = None) -> None:
    """Set a lesson's values (its page's other settings back to their defaults) for the widgets to claim."""
    ss = st.session_state
    if lesson_id not in lessons.LESSONS:
        ss[LESSON] = None
        _note([(LESSON_PARAM, t("links.unknown_lesson", name=lesson_id))])
        return
    lesson = lessons.LESSONS[lesson_id]
    ss[LESSON] = lesson_id
    ss[GOTO] = lesson.page
    forget([k for k in ss.get(SEEN, {}).get(lesson.page, []) if k not in ALWAYS])
    _add_pending({**{key_of(n): v for n, v in lesson.values.items()}, **(overrides or {})})


def _add_pending(values: dict[str, Any]) -> None:
    pending = st.session_state.setdefault(PENDING, {})
    pending.update({k: v for k, v in values.items() if k not in NOT_LINKED})


def _hide_list(raw: Sequence[str]) -> list[str]:
    return [part.strip() for text in raw for part in text.split(",") if part.strip()]


def claim(widget_key: str, default: Any, spec: Param | None = None, choices: Sequence[Any] | None = None) -> None:
    """`ui.state.init` calls this before a widget is drawn: apply the link's value for it, if any."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return
    ss = st.session_state
    ss.setdefault(DRAWN, {}).setdefault(widget_key, default)  # a page may init a key twice: the first default counts
    pending = ss.get(PENDING)
    if pending and widget_key in pending:
        raw = pending.pop(widget_key)
        name = name_of(widget_key)
        try:
            value = decode(raw, default, name=name, spec=spec, choices=choices)
        except UserError as error:
            _note([(name, _reason(error))])
            ss[widget_key] = default
        else:
            ss[widget_key] = value
            if spec is None and choices is None:
                ss.setdefault(APPLIED, {})[widget_key] = value
    if ctx.fragment_ids_this_run and ss.get(STARTED):
        _sync_one(widget_key, default)


def _reason(error: UserError) -> str:
    from ui.feedback import message  # ui.feedback draws; imported here to keep this module's imports light

    return message(error)


# ---------------------------------------------------------------- writing the link


def _baseline(widget_key: str, default: Any) -> Any:
    """What a setting is when the link does not name it: the open lesson's value, else the default."""
    lesson = current_lesson()
    if lesson is not None and name_of(widget_key) in lesson.values:
        return lesson.values[name_of(widget_key)]
    return default


def _wanted(widget_key: str, default: Any) -> str | None:
    if widget_key in NOT_LINKED or widget_key not in st.session_state:
        return None
    value = st.session_state[widget_key]
    if widget_key in ALWAYS or not same(value, _baseline(widget_key, default)):
        return encode(value)
    return None


def link_params() -> dict[str, str]:
    """The current page's link: lesson, language, the settings that differ from the baseline, hide."""
    ss = st.session_state
    params: dict[str, str] = {}
    lesson = current_lesson()
    if lesson is not None:
        params[LESSON_PARAM] = lesson.id
    drawn = ss.get(DRAWN, {})
    for widget_key in sorted(drawn, key=lambda k: k not in ALWAYS):  # the language first, then as drawn
        text = _wanted(widget_key, drawn[widget_key])
        if text is not None:
            params[name_of(widget_key)] = text
    if ss.get(HIDE):
        params[HIDE_PARAM] = ",".join(ss[HIDE])
    return params


def _sync_one(widget_key: str, default: Any) -> None:
    """A fragment run: bring this one widget's parameter in the URL up to date."""
    name, text = name_of(widget_key), _wanted(widget_key, default)
    have = st.query_params.get(name)
    if text is None and have is not None:
        del st.query_params[name]
    elif text is not None and have != text:
        st.query_params[name] = text


def finish(page: str) -> None:
    """app.py, after the page ran: report what the link could not set, then write the page's link."""
    ss = st.session_state
    pending = ss.pop(PENDING, None) or {}
    _note([(name_of(k), t("links.not_on_page")) for k in pending])
    applied, ss[APPLIED] = ss.get(APPLIED) or {}, {}
    refused = [k for k, v in applied.items() if k in ss and not same(ss[k], v)]  # a select box without that option
    if refused:
        _note([(name_of(k), t("links.not_accepted", value=_shown(applied[k]))) for k in refused])
        forget(refused)
        st.rerun()  # once, so those widgets are drawn with the page's own defaults
    new = ss.pop(NEW, [])
    if new:
        ss[NOTICES] = (page, new)
    seen = ss.setdefault(SEEN, {}).setdefault(page, [])
    seen.extend(k for k in ss.get(DRAWN, {}) if k not in seen)
    params = link_params()
    # The browser's address may differ from Streamlit's copy: a page link to the page it is on
    # reruns with its query string without showing it. So also write what differs from the last write.
    if st.query_params.to_dict() != params or ss.get(WRITTEN) != params:
        st.query_params.from_dict(params)
        ss[WRITTEN] = params


def recover(error: BaseException) -> bool:
    """A widget raised on a value the link set (a slider given a number past its end): drop those
    values, note them and rerun. False when no link value is to blame (the error is a real one).

    Numbers go first (a slider's range is what raises); if the page still fails, the rest.
    """
    ss = st.session_state
    applied = ss.get(APPLIED) or {}
    if not applied:
        return False
    numbers = [k for k, v in applied.items() if isinstance(v, int | float) and not isinstance(v, bool)]
    dropped = numbers or list(applied)
    forget(dropped)
    _note([(name_of(k), t("links.not_accepted", value=_shown(applied[k]))) for k in dropped])
    ss[APPLIED] = {k: v for k, v in applied.items() if k not in dropped}
    return True


def _shown(value: Any) -> str:
    """A value as people write it (99, not 99.0)."""
    return human(value) if isinstance(value, float) else encode(value)


def _note(items: list[tuple[str, str]]) -> None:
    st.session_state.setdefault(NEW, []).extend(items)


def notices(page: str) -> list[tuple[str, str]]:
    """What the last link opened on `page` could not set: [(setting, reason)]."""
    where, items = st.session_state.get(NOTICES) or (None, [])
    return list(items) if where == page else []


# ---------------------------------------------------------------- drawing


def go_to_lesson_page(page: str) -> None:
    """A lesson link that names another page (``/?lesson=…``) opens the lesson's own page."""
    target = st.session_state.pop(GOTO, None)
    if target is not None and target != page:
        st.switch_page(f"pages/{target}.py", query_params=st.query_params.to_dict())


def current_lesson() -> lessons.Lesson | None:
    ss = st.session_state
    lesson = lessons.LESSONS.get(ss.get(LESSON) or "")
    return lesson if lesson is not None and lesson.page == ss.get(PAGE) else None


def hidden() -> list[str]:
    return list(st.session_state.get(HIDE) or [])


def css_class(widget_key: str) -> str:
    """The class Streamlit gives a keyed element's container."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", widget_key.strip())


def hide_css(parts: Sequence[str]) -> str:
    """CSS that hides the classroom view's parts: the sidebar and any setting's widget."""
    rules = []
    for part in parts:
        if part == "sidebar":
            rules.append('[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], '
                         '[data-testid="stExpandSidebarButton"] {display: none !important}')  # fmt: skip
        elif part not in ("lesson", "link"):
            rules.append(f".{css_class(key_of(part))} {{display: none !important}}")
    return "<style>" + "\n".join(rules) + "</style>" if rules else ""
