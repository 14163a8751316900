"""Messages for people: every range wording translated, numbers written as a person would."""

import pytest

from core.errors import human
from core.registry import Param
from ui import feedback, i18n


@pytest.mark.parametrize(
    ("value", "text"),
    [(10.0, "10"), (1e9, "1e9"), (0.001, "0.001"), (2.5e-5, "2.5e-5"), (0.2994, "0.2994"), (3, "3"), (-0.0, "0"),
     (1234567.0, "1.2346e6"), (float("nan"), "nan"), ("abc", "abc")],
)  # fmt: skip
def test_human_numbers(value, text):
    assert human(value) == text


@pytest.fixture(params=list(i18n.LANGUAGES))
def lang(request, monkeypatch):
    monkeypatch.setattr(i18n, "lang", lambda: request.param)
    return request.param


@pytest.mark.parametrize(
    "param",
    [Param("lr", 0.1, low=0.0, high=10.0, low_open=True), Param("d", 5, low=1, high=100),
     Param("x", 0.5, low=0.0, high=1.0, low_open=True, high_open=True), Param("e", 0.1, high=1.0),
     Param("n", 3, low=1), Param("m", 3.0, low=0.0, low_open=True), Param("k", 0.5, low=0.0, high=1.0, high_open=True),
     Param("b", 0.5, high=1.0, high_open=True)],
)  # fmt: skip
def test_every_range_variant_has_a_translated_message_without_code_notation(param, lang):
    with pytest.raises(Exception) as info:
        param.validate(1e9 if param.high is not None else -1e9)
    text = feedback.message(info.value)
    assert text != str(info.value) or lang == "en"  # a translated template was found, not the fallback
    assert "None" not in text and "1000000000.0" not in text and "[" not in text
    assert "1e9" in text or "-1e9" in text


def test_cpu_thread_count_is_the_servers_not_a_runs_momentary_one():
    import torch

    from core.device import describe
    from core.threads import single_thread

    before = describe(torch.device("cpu")).threads
    with single_thread():
        assert torch.get_num_threads() == 1
        assert describe(torch.device("cpu")).threads == before
    assert describe(torch.device("cpu")).name == "CPU"  # no English words in the name; the sidebar translates
