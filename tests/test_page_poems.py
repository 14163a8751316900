"""The poems page in both languages: poems generated, acrostic heads in place, bad input → error box."""

import pytest

from core.poetry.corpus import clean_poem
from tests.apptest import LANGS, assert_clean, open_page


def poem_htmls(at):
    return [h.proto.body for h in at.get("html") if 'class="poem"' in h.proto.body]


@pytest.mark.parametrize("lang", LANGS)
def test_page_generates_acrostic_poems_in_both_languages(lang):
    at = open_page("poems", lang, **{"p.poems.text": "春夏秋冬", "p.poems.n": 2})
    assert_clean(at)
    assert not at.error
    poems = poem_htmls(at)
    assert len(poems) == 2
    for body in poems:
        lines = [seg.split("<span")[0].rsplit(">", 1)[-1] for seg in body.split('class="poem-line"')[1:]]
        assert [line[0] for line in lines] == list("春夏秋冬")
        assert all(len(line) == 7 for line in lines)
        assert clean_poem("".join(line + "，。"[i % 2] for i, line in enumerate(lines)))[1] == "ok"
    assert len(at.tabs) == 5


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("春夏秋", {"zh": "4 行", "en": "4 lines"}),
        ("abcd", {"zh": "不是汉字", "en": "not Chinese"}),
        ("春夏秋龘", {"zh": "不认识", "en": "does not know"}),
        ("", {"zh": "藏头字", "en": "head characters"}),
    ],
)
def test_bad_input_shows_an_error_box(lang, text, needle):
    at = open_page("poems", lang, **{"p.poems.text": text, "p.poems.n": 1})
    assert_clean(at)
    assert any(needle[lang] in e.value for e in at.error), [e.value for e in at.error]
    assert not poem_htmls(at)


def test_start_mode_and_unknown_embedding_character():
    at = open_page(
        "poems", "en", **{"p.poems.mode": "start", "p.poems.text": "明月", "p.poems.n": 1, "p.poems.embed.char": "a"}
    )
    assert_clean(at)
    (body,) = poem_htmls(at)
    assert body.split('class="poem-line"')[1].split("<span")[0].rsplit(">", 1)[-1].startswith("明月")
    assert any("not Chinese" in e.value for e in at.error)


def test_live_training_runs_and_shows_samples():
    import time

    state = {
        "p.poems.n": 1,
        "p.poems.live.small.max_poems": 50,
        "p.poems.live.small.epochs": 1,
        "p.poems.live.small.embed_dim": 16,
        "p.poems.live.small.hidden_dim": 16,
    }
    # zh: AppTest re-applies selectbox format functions outside the session, where t() speaks Chinese
    at = open_page("poems", "zh", **state)
    start = next(b for b in at.button if b.label == "开始训练")
    start.click().run()
    assert_clean(at)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any("第 1 个 epoch 后" in m.value for m in at.markdown):
        time.sleep(1)
        at.run()
    assert any("第 1 个 epoch 后" in m.value for m in at.markdown)
    assert_clean(at)


@pytest.mark.parametrize("lang", LANGS)
def test_messages_read_right_for_one_item(lang):
    # one bad character, one head: "「A」 are not …" and "There are 1 head characters" read wrong
    at = open_page("poems", lang, **{"p.poems.text": "A", "p.poems.n": 1})
    assert_clean(at)
    text = " ".join(e.value for e in at.error)
    assert "「A」" in text and "」 are not" not in text, text
    at = open_page("poems", lang, **{"p.poems.text": "春", "p.poems.n": 1})
    text = " ".join(e.value for e in at.error)
    assert "1 head characters" not in text and ("输入了 1 个" in text if lang == "zh" else "you typed 1" in text), text


@pytest.mark.parametrize("lang", LANGS)
def test_head_field_help_describes_the_single_line_input(lang):
    at = open_page("poems", lang, **{"p.poems.n": 1})
    box = at.text_input(key="p.poems.text")
    assert "one per line" not in box.label and "每行一个" not in box.label, box.label
    assert "春夏秋冬" in box.help  # an example of what to type on the one line
