"""AppTest of the words page: segmentation, vocabulary, similarity, and bad input, in both languages."""

import pytest

from core.text.segment import DEFAULT_TEXT, MAX_CHARS, segment
from tests.apptest import LANGS, assert_clean, open_page


def _html(at) -> str:
    return " ".join(str(e.proto) for e in at.get("html"))


@pytest.mark.parametrize("lang", LANGS)
def test_default_sentence(lang):
    at = open_page("words", lang)
    assert_clean(at)
    assert not at.error
    chips = _html(at)
    for word in segment(DEFAULT_TEXT):
        assert word in chips
    assert len(at.dataframe) == 1
    vocab = at.dataframe[0].value
    assert len(vocab) == len(set(segment(DEFAULT_TEXT)))
    assert list(vocab.iloc[:, 1])[:3] == ["北京", "冬奥", "的"]
    assert len(at.get("plotly_chart")) == 3  # vectors, one-hot cosine, embedding cosine
    assert len(at.table) == 1  # nearest neighbours
    assert at.latex  # mode formula and the cosine formula


@pytest.mark.parametrize("lang", LANGS)
def test_empty_text_shows_an_error(lang):
    at = open_page("words", lang, **{"p.words.text": "   "})
    assert_clean(at)
    assert len(at.error) == 1
    assert ("空" in at.error[0].value) if lang == "zh" else ("empty" in at.error[0].value)
    assert not at.dataframe


@pytest.mark.parametrize(
    "text, needle",
    [("hello world", "jieba"), ("中" * (MAX_CHARS + 1), str(MAX_CHARS))],
)
def test_bad_text_shows_an_error(text, needle):
    at = open_page("words", "en", **{"p.words.text": text})
    assert_clean(at)
    assert len(at.error) == 1 and needle in at.error[0].value


def test_stopwords_and_modes_change_the_result():
    at = open_page("words", "en", **{"p.words.text": "我来到北京清华大学", "p.words.choice": "full"})
    assert_clean(at)
    words = list(at.dataframe[0].value.iloc[:, 1])
    assert {"清华", "华大", "大学", "清华大学"} <= set(words)
    at = open_page("words", "zh", **{"p.words.stopwords": True})
    assert_clean(at)
    words = list(at.dataframe[0].value.iloc[:, 1])
    assert "的" not in words and "，" not in words and "北京" in words
    at = open_page("words", "en", **{"p.words.stopwords": True, "p.words.text": "我们的。"})
    assert len(at.error) == 1 and "stop words" in at.error[0].value


def test_dimension_and_seed_drive_the_vectors():
    a = open_page("words", "en", **{"p.words.dim": 8})
    b = open_page("words", "en", **{"p.words.dim": 8, "p.seed": 1})
    va, vb = a.dataframe[0].value, b.dataframe[0].value
    assert va.shape[1] == 3 + 8
    assert not va.iloc[:, 3:].equals(vb.iloc[:, 3:])
    again = open_page("words", "en", **{"p.words.dim": 8})
    assert again.dataframe[0].value.iloc[:, 3:].equals(va.iloc[:, 3:])


def test_neighbour_choice_survives_a_text_change():
    # Chinese: AppTest calls a select box's format_func outside the script run, where t() falls
    # back to the default language, so widget interaction on an English page mislabels the mode box.
    at = open_page("words", "zh")
    at.selectbox(key="p.words.word").select("运动员").run()
    assert at.table[0].value.shape[0] == 5
    at.text_area(key="p.words.text").input("我来到北京清华大学").run()
    assert_clean(at)
    assert at.selectbox(key="p.words.word").value == "我"


@pytest.mark.parametrize("lang", LANGS)
def test_counts_read_right_for_a_single_word(lang):
    # "你好" is one word: the caption once said "jieba found 1 words … 1 distinct words"
    at = open_page("words", lang, **{"p.words.text": "你好"})
    assert_clean(at)
    stats = next(c.value for c in at.caption if "jieba" in c.value)
    assert "1 words" not in stats and "1 distinct words" not in stats, stats
    assert ("1" in stats) and (("词表里有 1 个不同的词" in stats) if lang == "zh" else ("vocabulary: 1" in stats))
