"""平水韵 and 格律 constrained decoding: every sample meets its constraint (seeded, many samples, any weights)."""

from pathlib import Path

import pytest
import torch

from core.errors import UserError
from core.poetry import gelv, pingshui
from core.poetry.constrain import PER_RHYME, PingshuiMasks, pick_patterns
from core.poetry.corpus import FORM_BY_NAME, FORMS
from core.poetry.generate import generate, rhyme_scheme
from core.poetry.model import build, config
from core.poetry.train import load_model

MODEL_PATH = Path(__file__).resolve().parent.parent / "assets" / "models" / "poems" / "tang_gru.pt"


@pytest.fixture(scope="module")
def shipped():
    model, vocab, _ = load_model(MODEL_PATH)
    return model, vocab, PingshuiMasks(vocab)


@pytest.fixture(scope="module")
def random_lm(shipped):
    """A random GRU over the shipped vocabulary: the constraints must hold whatever the weights."""
    _, vocab, masks = shipped
    torch.manual_seed(0)
    return build(config(len(vocab), "gru", embed_dim=16, hidden_dim=16)).eval(), vocab, masks


@pytest.mark.parametrize("form", [f.name for f in FORMS])
@pytest.mark.parametrize("which", ["random_lm", "shipped"])
def test_gelv_option_makes_every_poem_fully_regular(form, which, request):
    model, vocab, masks = request.getfixturevalue(which)
    n, seeds = (64, 2) if which == "random_lm" else (16, 1)
    for seed in range(seeds):  # top-k keeps the flat random model's sampling cheap; the masks are the same
        for poem in generate(model, vocab, form, n=n, seed=seed, gelv=True, pingshui_masks=masks, top_k=50):
            a = gelv.analyse(poem.lines)
            assert a.regular, (poem.text, a.departures, a.rhyme_chars)
            template = {t.key: t for t in gelv.templates(FORM_BY_NAME[form])}[poem.pattern]
            strict = gelv.strict_positions(FORM_BY_NAME[form].chars)
            for line, tones in zip(poem.lines, template.lines, strict=True):  # the drawn pattern itself holds
                assert all(gelv.fits(line[j], tones[j]) for j in strict), (poem.text, poem.pattern)
            assert poem.rhyme_class in {g.name for g in pingshui.ping_groups(poem.lines[1][-1])}


@pytest.mark.parametrize("form", [f.name for f in FORMS])
def test_pingshui_rhyme_option_makes_even_lines_share_a_level_group(form, random_lm):
    model, vocab, masks = random_lm
    for seed in range(2):
        poems = generate(model, vocab, form, n=64, seed=seed, rhyme="pingshui", pingshui_masks=masks, top_k=50)
        for poem in poems:
            assert gelv.pingshui_rhymes(poem.lines), poem.text
            ends = [line[-1] for line in poem.lines[1::2]]
            assert len(set(ends)) == len(ends)  # no rhyme character used twice
            assert poem.pattern is None


def test_a_chosen_group_is_kept(random_lm):
    model, vocab, masks = random_lm
    for poem in generate(
        model, vocab, "qilv", n=16, seed=3, gelv=True, rhyme_group="下平七阳", pingshui_masks=masks, top_k=50
    ):
        assert all("下平七阳" in {g.name for g in pingshui.groups(poem.lines[i][-1])} for i in (1, 3, 5, 7))
        assert poem.rhyme_class == "下平七阳"


def test_a_group_with_too_few_characters_is_refused_with_suggestions(random_lm):
    model, vocab, masks = random_lm
    k = masks.names.index("上平三江")
    assert int(masks.sizes[k]) < masks.need(FORM_BY_NAME["qilv"], True)
    with pytest.raises(UserError) as err:
        generate(model, vocab, "qilv", n=1, rhyme="pingshui", rhyme_group="上平三江", pingshui_masks=masks)
    assert err.value.key == "poems.errors.rhyme_group_small"
    assert err.value.params["suggestions"].startswith("下平七阳")
    assert masks.need(FORM_BY_NAME["wujue"], False) == 2 * PER_RHYME
    generate(
        model, vocab, "wujue", n=1, rhyme="pingshui", rhyme_group="上平三江", pingshui_masks=masks, top_k=50
    )  # enough
    with pytest.raises(UserError) as err:
        generate(model, vocab, "wujue", n=1, rhyme="pingshui", rhyme_group="上平一董", pingshui_masks=masks)
    assert err.value.key == "unknown_name"


def test_start_characters_pick_a_pattern_they_fit(random_lm):
    model, vocab, masks = random_lm
    gen = torch.Generator().manual_seed(0)
    patterns = pick_patterns(FORM_BY_NAME["wujue"], 50, list("白日"), gen)  # 日 is 仄: 仄起 only
    assert {p.start for p in patterns} == {"仄"}
    for poem in generate(model, vocab, "wujue", n=16, start="白日", gelv=True, pingshui_masks=masks, seed=1, top_k=50):
        assert poem.lines[0].startswith("白日") and gelv.analyse(poem.lines).regular


def test_acrostic_heads_with_gelv(random_lm):
    model, vocab, masks = random_lm
    for poem in generate(
        model, vocab, "qijue", n=16, heads="春夏秋冬", gelv=True, pingshui_masks=masks, seed=2, top_k=50
    ):
        assert [line[0] for line in poem.lines] == list("春夏秋冬")
        assert gelv.analyse(poem.lines).regular  # the first position is free in every pattern


def test_rhyme_scheme_names():
    assert rhyme_scheme(False, False) == "none" and rhyme_scheme(True, False) == "shisan"
    assert rhyme_scheme("shisan", True) == "pingshui"  # 格律 rhymes by the 平水韵
    with pytest.raises(UserError):
        rhyme_scheme("cmu", False)
