"""A page's settings as URL query parameters: a link's text → a widget's value, and back.

A link names each setting by its widget key without the ``p.`` prefix
(``?optimizers.steps=500&lang=en``). `decode` turns the text of one parameter into the
value that widget holds, validated against what the widget accepts: its `Param` spec when
it has one (type, bounds, choices), else a list of choices, else the type of its default.
A bad value raises `UserError` (translated for the notice); the caller keeps the default.
`encode` is the inverse: ``decode(encode(v), v) == v`` for every value a widget holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from core.errors import UserError
from core.registry import Param

TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")
LIST_SEPARATOR = ","


def encode(value: Any) -> str:
    """A widget value as link text: ``true``/``false``, ``0.1``, ``1e-05``, ``relu,tanh``, text as it is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same float
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(encode(v) for v in value)
    return str(value)


def same(a: Any, b: Any) -> bool:
    """Whether two widget values are the same setting (1 == 1.0; a tuple equals its list)."""
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return type(a) is type(b) and a == b


def decode(raw: Any, default: Any, *, name: str = "value", spec: Param | None = None,
           choices: Sequence[Any] | None = None) -> Any:  # fmt: skip
    """The value `raw` (link text, a list of texts, or a typed value from a lesson) stands for.

    Args:
        raw: what the link (or a lesson) gives for this widget.
        default: the widget's default; its type decides the value's type where no spec does.
        name: the setting's name, used in error messages.
        spec: the widget's `Param` (bounds, step, choices), if it has one.
        choices: the values a select box or multiselect offers, if known.
    """
    if isinstance(raw, list) and not isinstance(default, list | tuple):
        raw = raw[-1] if raw else ""  # a repeated parameter: the last one counts, as st.query_params does
    if isinstance(default, list | tuple):
        return _decode_list(raw, default, name, choices)
    if spec is not None:
        if spec.kind == "bool":
            return _decode_bool(raw, name)
        if spec.kind == "choice":
            return _decode_choice(raw, spec.choices, name)
        return replace(spec, name=name, range_key=None).validate(_number_text(raw))  # the notice names the setting
    if choices is not None:
        return _decode_choice(raw, choices, name)
    if isinstance(default, bool):
        return _decode_bool(raw, name)
    if isinstance(default, int | float):
        number = Param(name, default).validate(_number_text(raw))
        return int(number) if isinstance(default, int) else float(number)
    if isinstance(default, str):
        return str(raw)
    raise UserError("link_unsupported", f"{name} cannot be set from a link", name=name)


def _number_text(raw: Any) -> Any:
    if isinstance(raw, bool):
        raise UserError("param_not_number", f"{raw!r} is not a number", name="", value=raw)
    if isinstance(raw, str) and raw.strip().lower() in ("nan", "inf", "+inf", "-inf", "infinity", "-infinity"):
        return float(raw)  # reaches the spec's "not finite" message
    return raw


def _decode_bool(raw: Any, name: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise UserError("param_choice", f"{name}={raw!r}; choose from: true, false", name=name, value=raw,
                    choices="true, false")  # fmt: skip


def _decode_choice(raw: Any, choices: Sequence[Any], name: str) -> Any:
    for choice in choices:
        if same(choice, raw) or (isinstance(raw, str) and encode(choice) == raw):
            return choice
    shown = ", ".join(encode(c) for c in choices)
    raise UserError("param_choice", f"{name}={raw!r}; choose from: {shown}", name=name, value=raw, choices=shown)


def _decode_list(raw: Any, default: Sequence[Any], name: str, choices: Sequence[Any] | None) -> list:
    texts = raw if isinstance(raw, list | tuple) else [raw]  # a link gives ["a,b"] (or repeats: ["a", "b"])
    items = [part for v in texts for part in (v.split(LIST_SEPARATOR) if isinstance(v, str) else [v]) if part != ""]
    if choices is None:
        if any(not isinstance(v, str) for v in default):
            raise UserError("link_unsupported", f"{name} cannot be set from a link", name=name)
        return [str(v) for v in items]
    out = [_decode_choice(item, choices, name) for item in items]
    if len(set(map(encode, out))) != len(out):
        raise UserError("link_duplicate", f"{name} names one choice twice", name=name)
    return out
