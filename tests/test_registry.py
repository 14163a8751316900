import math

import pytest

from core.errors import UserError
from core.registry import Entry, Param, Registry


def test_unknown_name_lists_choices():
    reg = Registry("optimizer", [Entry("sgd"), Entry("adam")])
    with pytest.raises(UserError, match="Unknown optimizer 'adamm'; choose from: sgd, adam") as info:
        reg.get("adamm")
    assert info.value.key == "unknown_name"


def test_duplicate_rejected():
    with pytest.raises(ValueError, match="duplicate"):
        Registry("x", [Entry("a"), Entry("a")])


@pytest.mark.parametrize(
    ("param", "value", "key"),
    [
        (Param("lr", 0.1, low=1e-6, high=10.0, log=True), 0.0, "param_range"),
        (Param("lr", 0.1, low=1e-6, high=10.0, log=True), 1e9, "param_range"),
        (Param("lr", 0.1, low=1e-6, high=10.0, log=True), math.nan, "param_not_finite"),
        (Param("lr", 0.1), "abc", "param_not_number"),
        (Param("n", 3, low=1, high=10), 2.5, "param_not_int"),
        (Param("mode", "a", choices=("a", "b")), "c", "param_choice"),
    ],
)
def test_bad_values_raise_user_errors(param, value, key):
    with pytest.raises(UserError) as info:
        param.validate(value)
    assert info.value.key == key
    assert param.name in str(info.value)


def test_resolve_overlays_defaults_and_converts():
    entry = Entry("e", params=(Param("a", 1.0, low=0, high=2), Param("n", 2, low=1, high=5), Param("b", False)))
    assert entry.resolve({"n": 4.0}) == {"a": 1.0, "n": 4, "b": False}
    assert isinstance(entry.resolve({"n": 4.0})["n"], int)
    with pytest.raises(UserError, match="no parameter"):
        entry.resolve({"zzz": 1})


def test_param_kinds():
    assert Param("b", True).kind == "bool"
    assert Param("c", "x", choices=("x",)).kind == "choice"
    assert Param("i", 1).kind == "int"
    assert Param("f", 1.0).kind == "float"


@pytest.mark.parametrize(
    ("param", "value", "variant", "english"),
    [
        (Param("lr", 0.1, low=0.0, high=10.0, low_open=True), 1e9, "above_max",
         "lr must be greater than 0 and at most 10 (got 1e9)"),
        (Param("lr", 0.1, low=0.0, high=10.0, low_open=True), 0.0, "above_max",
         "lr must be greater than 0 and at most 10 (got 0)"),
        (Param("depth", 5, low=1, high=100), 101, "min_max", "depth must be at least 1 and at most 100 (got 101)"),
        (Param("x", 0.5, low=0.0, high=1.0, low_open=True, high_open=True), 1.0, "above_below",
         "x must be greater than 0 and less than 1 (got 1)"),
        (Param("eps", 1e-8, high=1.0), 2.5, "max", "eps must be at most 1 (got 2.5)"),
        (Param("n", 3, low=1), 0, "min", "n must be at least 1 (got 0)"),
    ],
)  # fmt: skip
def test_range_errors_say_the_bounds_in_words(param, value, variant, english):
    with pytest.raises(UserError) as info:
        param.validate(value)
    assert info.value.key == "param_range"
    assert info.value.variant == variant
    assert str(info.value) == english


def test_open_bounds_exclude_the_bound_itself():
    param = Param("x", 0.5, low=0.0, high=1.0, low_open=True, high_open=True)
    assert param.validate(1e-9) == 1e-9
    for value in (0.0, 1.0):
        with pytest.raises(UserError):
            param.validate(value)
