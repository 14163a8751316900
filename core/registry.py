"""Registries with parameter specs: one source for the UI, the docs and the tests.

A family the user picks from (activations, losses, optimizers, ...) is a `Registry` of
entries. Every entry carries `params`, a tuple of `Param` specs from which the UI builds
its widgets and by which user values are validated. Human-readable text (titles,
explanations, parameter help) lives in ``assets/i18n`` under ``<family>.<name>.*`` keys,
so core stays language-neutral; LaTeX formulas are language-neutral and live here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from core.errors import UserError, human

Value = float | int | str | bool


@dataclass(frozen=True)
class Param:
    """One user-settable parameter.

    Args:
        name: identifier, also the keyword passed to the entry's function.
        default: value used when the user sets nothing; its type fixes the widget
            (bool → toggle, str → select, int → integer input, float → slider/number).
        low, high: inclusive bounds for numbers (None: unbounded on that side).
        step: widget step for numbers.
        log: the parameter spans orders of magnitude (learning rates, eps): the UI
            offers a typed number rather than a linear slider.
        choices: allowed values for a str parameter.
        low_open, high_open: the value must be strictly inside that bound (a learning rate > 0).
        typed: offer a typed number even where the bounds would make a slider: a value past
            them then reaches validation and its message (a slider or a bounded box would
            clamp it silently); the bounds still refuse such a value in a link.
        range_key: the i18n key of this parameter's out-of-range message (with the
            parameter's name as its variant) in place of the generic ``param_range``.
    """

    name: str
    default: Value
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple[Value, ...] = ()
    low_open: bool = False
    high_open: bool = False
    typed: bool = False
    range_key: str | None = None

    @property
    def kind(self) -> str:
        """'bool', 'choice', 'int' or 'float'."""
        if isinstance(self.default, bool):
            return "bool"
        if self.choices:
            return "choice"
        if isinstance(self.default, int):
            return "int"
        return "float"

    def validate(self, value: Any) -> Value:
        """Return `value` converted to this parameter's type, or raise UserError."""
        kind = self.kind
        if kind == "bool":
            return bool(value)
        if kind == "choice":
            if value not in self.choices:
                raise UserError(
                    "param_choice",
                    f"{self.name}={value!r}; choose from: {', '.join(map(str, self.choices))}",
                    name=self.name,
                    value=value,
                    choices=", ".join(map(str, self.choices)),
                )
            return value
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise UserError(
                "param_not_number", f"{self.name}={value!r} is not a number", name=self.name, value=value
            ) from None
        if not math.isfinite(number):
            raise UserError("param_not_finite", f"{self.name}={value!r} is not finite", name=self.name, value=value)
        below = self.low is not None and (number <= self.low if self.low_open else number < self.low)
        above = self.high is not None and (number >= self.high if self.high_open else number > self.high)
        if below or above:
            raise self.range_error(value)
        if kind == "int":
            if number != int(number):
                raise UserError(
                    "param_not_int", f"{self.name}={value!r} is not a whole number", name=self.name, value=value
                )
            return int(number)
        return number

    def range_error(self, value: Any) -> UserError:
        """ "lr must be greater than 0 and at most 10 (got 1e9)": the bounds this spec has, in words."""
        low = ("above" if self.low_open else "min") if self.low is not None else ""
        high = ("below" if self.high_open else "max") if self.high is not None else ""
        variant = "_".join(part for part in (low, high) if part)
        words = {"min": f"at least {human(self.low)}", "above": f"greater than {human(self.low)}",
                 "max": f"at most {human(self.high)}", "below": f"less than {human(self.high)}"}  # fmt: skip
        rule = " and ".join(words[part] for part in variant.split("_"))
        if self.range_key is not None:
            return UserError(self.range_key, f"{self.name} must be {rule} (got {human(value)})", variant=self.name,
                             name=self.name, value=value, low=self.low, high=self.high)  # fmt: skip
        return UserError(
            "param_range",
            f"{self.name} must be {rule} (got {human(value)})",
            variant=variant,
            name=self.name,
            value=value,
            low=self.low,
            high=self.high,
        )


@dataclass(frozen=True)
class Entry:
    """Base for registry entries: a name, its parameters and a LaTeX formula."""

    name: str
    params: tuple[Param, ...] = ()
    formula: str = ""

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no parameter {name!r}")

    def defaults(self) -> dict[str, Value]:
        return {p.name: p.default for p in self.params}

    def resolve(self, values: Mapping[str, Any] | None = None) -> dict[str, Value]:
        """Defaults overlaid with `values`, every one validated against its spec."""
        values = dict(values or {})
        unknown = set(values) - {p.name for p in self.params}
        if unknown:
            raise UserError(
                "param_unknown",
                f"{self.name} has no parameter(s) {sorted(unknown)}",
                name=", ".join(sorted(unknown)),
            )
        return {p.name: p.validate(values.get(p.name, p.default)) for p in self.params}


E = TypeVar("E", bound=Entry)


class Registry(Generic[E]):
    """An ordered name → entry map whose lookups fail with the valid choices."""

    def __init__(self, family: str, entries: tuple[E, ...] | list[E] = ()):
        self.family = family
        self._entries: dict[str, E] = {}
        for entry in entries:
            self.register(entry)

    def register(self, entry: E) -> E:
        if entry.name in self._entries:
            raise ValueError(f"duplicate {self.family} {entry.name!r}")
        self._entries[entry.name] = entry
        return entry

    def get(self, name: str) -> E:
        try:
            return self._entries[name]
        except KeyError:
            raise UserError(
                "unknown_name",
                f"Unknown {self.family} {name!r}; choose from: {', '.join(self._entries)}",
                family=self.family,
                value=name,
                choices=", ".join(self._entries),
            ) from None

    __getitem__ = get

    def names(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[E]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)
