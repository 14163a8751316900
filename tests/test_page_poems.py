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
    assert len(at.tabs) == 7


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


def summaries(at):
    return [c.value for c in at.caption if "·" in c.value and ("合律" in c.value or "regular" in c.value)]


@pytest.mark.parametrize("lang", LANGS)
def test_every_poem_shows_its_gelv_analysis_and_the_gelv_option_makes_it_regular(lang):
    at = open_page("poems", lang, **{"p.poems.n": 3})
    assert_clean(at)
    bodies = poem_htmls(at)
    write = [b for b in bodies if 'class="poem-tones"' in b][:3]
    assert len(write) == 3
    assert all('data-verdict="regular"' in b for b in write)  # 格律 is on by default
    assert all(b.count('class="poem-tones"') == 4 and b.count('class="poem-pattern"') == 4 for b in write)
    ok = "合律 ✓" if lang == "zh" else "regular (合律) ✓"
    assert sum(ok in c.value for c in at.caption) >= 3


def test_free_sampling_still_shows_the_analysis_and_the_corpus_reference():
    at = open_page("poems", "en", **{"p.poems.n": 2, "p.poems.gelv": False, "p.poems.scheme": "none"})
    assert_clean(at)
    assert len([b for b in poem_htmls(at) if "data-verdict" in b]) >= 2
    assert any("Real Tang poems of the held-out split" in c.value for c in at.caption)


@pytest.mark.parametrize("lang", LANGS)
def test_a_rhyme_group_too_small_for_the_form_is_refused_with_a_suggestion(lang):
    at = open_page("poems", lang, **{"p.poems.n": 1, "p.poems.form": "qilv", "p.poems.text": "春夏秋冬山水风月",
                                     "p.poems.group": "上平三江"})  # fmt: skip
    assert_clean(at)
    text = " ".join(e.value for e in at.error)
    assert "上平三江" in text and "下平七阳" in text and ("险韵" in text), text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("床前明月光，疑是地上霜。举头望明月，低头思故乡。", {"zh": "古绝", "en": "not regulated verse"}),
        ("床前明月光，疑是地上霜。", {"zh": "不是格律诗", "en": "not a regular poem"}),
        ("白日依山尽，黄河入海囗。欲穷千里目，更上一层楼。", {"zh": "不在平水韵表中", "en": "Not in the 平水韵 table"}),
    ],
)
def test_pasted_poem_is_analysed_or_refused_with_a_message(lang, text, needle):
    at = open_page("poems", lang, **{"p.poems.n": 1, "p.poems.paste": text})
    assert_clean(at)
    shown = [c.value for c in at.caption] + [e.value for e in at.error] + [w.value for w in at.warning]
    assert any(needle[lang] in s for s in shown), shown


def test_real_or_generated_game_keeps_the_score():
    at = open_page("poems", "en", **{"p.poems.n": 1})
    assert any("Score this session: 0 of 0" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "A is the real one").click().run()
    assert_clean(at)
    assert any("Score this session: " in c.value and "of 1." in c.value for c in at.caption)
    assert at.success or at.error
    next(b for b in at.button if b.label == "Next round").click().run()
    assert any(b.label == "A is the real one" for b in at.button)
    assert any("of 1." in c.value for c in at.caption)


@pytest.mark.parametrize("lang", LANGS)
def test_the_model_choice_switches_between_the_planning_gru_and_the_plain_one(lang):
    planned = {"zh": ("预定韵部：", "预定：不押平声韵"), "en": ("planned rhyme:", "planned: no 平声 rhyme")}[lang]
    at = open_page("poems", lang, **{"p.poems.n": 3, "p.poems.gelv": False, "p.poems.scheme": "none"})
    assert_clean(at)
    assert at.radio(key="p.poems.model").value == "plan"
    heads = [c.value for c in at.caption if any(p in c.value for p in planned)]
    assert len(heads) == 3  # every free-sampled poem says which group its model drew before writing
    plain = open_page("poems", lang, **{"p.poems.n": 3, "p.poems.model": "gru"})
    assert_clean(plain)
    assert len(poem_htmls(plain)) >= 3 and not [c.value for c in plain.caption if any(p in c.value for p in planned)]
    assert any("805,096" in c.value for c in plain.caption)  # the plain GRU's model card
