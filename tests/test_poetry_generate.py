"""Constrained decoding with a tiny random model: the form is exact whatever the weights."""

import math

import pytest
import torch

from core.errors import UserError
from core.poetry import rhyme
from core.poetry.corpus import FORMS, clean_poem, compose
from core.poetry.generate import (
    DECODERS,
    RhymeMasks,
    candidates,
    filter_logits,
    generate,
    nearest,
    pca_2d,
    reshape,
    suggestions,
    temperature_curves,
    top_next,
)
from core.poetry.model import build, config
from core.poetry.vocab import Vocab

CHARS = "春夏秋冬风花雪月山水云天日夜江河湖海人家东西南北光长香乡霜明清声情城生行时知诗"
POEMS = [compose([(CHARS[i:] + CHARS)[j * 5 : j * 5 + 5] for j in range(4)]) for i in range(len(CHARS))]


@pytest.fixture(scope="module")
def lm():
    vocab = Vocab.build(POEMS)
    torch.manual_seed(0)
    model = build(config(len(vocab), "gru", embed_dim=16, hidden_dim=16)).eval()
    return model, vocab


@pytest.mark.parametrize("form", [f.name for f in FORMS])
@pytest.mark.parametrize("decoder", DECODERS.names())
def test_form_is_always_exact(lm, form, decoder):
    model, vocab = lm
    for poem in generate(model, vocab, form, n=8, decoder=decoder, temperature=2.0, seed=3):
        body, reason = clean_poem(poem.text)
        assert reason == "ok" and body == poem.text
        assert all(len(line) == len(poem.lines[0]) for line in poem.lines)
        assert set("".join(poem.lines)) <= set(vocab.characters())


def test_acrostic_heads_and_start_in_place(lm):
    model, vocab = lm
    for poem in generate(model, vocab, "qilv", n=5, heads="春夏秋冬风花雪月", seed=1):
        assert [line[0] for line in poem.lines] == list("春夏秋冬风花雪月")
        assert len(poem.lines) == 8 and all(len(line) == 7 for line in poem.lines)
    for poem in generate(model, vocab, "wujue", n=3, start="明月", seed=2):
        assert poem.lines[0].startswith("明月")


def test_same_seed_same_poems_and_batch_differs(lm):
    model, vocab = lm
    a = [p.text for p in generate(model, vocab, "wujue", n=6, seed=7, temperature=1.5)]
    b = [p.text for p in generate(model, vocab, "wujue", n=6, seed=7, temperature=1.5)]
    assert a == b
    assert len(set(a)) > 1


def test_rhyme_option_makes_even_lines_rhyme(lm):
    model, vocab = lm
    masks = RhymeMasks(vocab)
    for poem in generate(model, vocab, "wulv", n=6, rhyme=True, rhyme_masks=masks, seed=4, temperature=1.5):
        ends = [line[-1] for line in poem.lines[1::2]]
        assert all(poem.rhyme_class in rhyme.classes(c) for c in ends), (poem.text, poem.rhyme_class)
        assert rhyme.poem_rhymes(poem.lines)


def test_filter_logits_top_k_and_top_p():
    logits = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]]))
    assert torch.isinf(filter_logits(logits, top_k=2)).tolist() == [[False, False, True, True]]
    assert torch.isinf(filter_logits(logits, top_p=0.7)).tolist() == [[False, False, True, True]]
    assert torch.isinf(filter_logits(logits, top_p=0.75)).tolist() == [[False, False, True, True]]
    assert torch.isinf(filter_logits(logits, top_p=0.81)).tolist() == [[False, False, False, True]]
    assert torch.isinf(filter_logits(logits, top_p=0.01)).tolist() == [[False, True, True, True]]
    assert not torch.isinf(filter_logits(logits)).any()


def test_temperature_reshapes_one_distribution():
    logits = torch.tensor([2.0, 1.0, 0.0])
    torch.testing.assert_close(reshape(logits, 1.0), torch.softmax(logits, 0))
    assert reshape(logits, 0.5)[0] > reshape(logits, 1.0)[0] > reshape(logits, 2.0)[0]
    ids, curves = temperature_curves(logits, [0.5, 1.0, 2.0], k=2)
    assert ids == [0, 1] and len(curves[2.0]) == 2
    with pytest.raises(ValueError):
        reshape(logits, 0)


def test_thinking_embeddings_and_suggestions(lm):
    model, vocab = lm
    top = top_next(model, vocab, "春夏", k=5)
    assert len(top) == 5 and abs(sum(p for _, p in top) - sum(sorted((p for _, p in top), reverse=True))) < 1e-9
    near = nearest(model, vocab, "月", k=4)
    assert len(near) == 4 and "月" not in [c for c, _ in near]
    assert near == sorted(near, key=lambda x: -x[1])
    xy = pca_2d(torch.randn(30, 8))
    assert xy.shape == (30, 2)
    assert "霜" in suggestions("双", vocab) or "霜" in suggestions("爽", vocab)


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"heads": "春夏秋"}, "poems.errors.head_count"),
        ({"heads": "春夏秋冬", "form": "wulv"}, "poems.errors.head_count"),
        ({"start": "abc"}, "poems.errors.not_chinese"),
        ({"start": "龘"}, "poems.errors.unknown_char"),
        ({"heads": "春夏秋𪩘"}, "poems.errors.unknown_char"),
        ({"start": "春夏秋冬风花"}, "poems.errors.start_long"),
        ({"n": 0}, "poems.errors.candidates"),
        ({"temperature": 0.0}, "param_range"),
        ({"form": "sonnet"}, "unknown_name"),
    ],
)
def test_bad_input_raises_user_errors(lm, kwargs, key):
    model, vocab = lm
    kwargs = {"form": "wujue", **kwargs}
    with pytest.raises(UserError) as err:
        generate(model, vocab, **kwargs)
    assert err.value.key == key


@pytest.mark.parametrize(("top_k", "top_p"), [(0, 1.0), (0, 0.9), (0, 0.3), (5, 1.0), (5, 0.5), (300, 0.95)])
@pytest.mark.parametrize("scale", [0.3, 3.0, 30.0])  # very flat (falls back to the full sort) to very peaked
def test_candidates_equal_the_filtered_softmax(top_k, top_p, scale):
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(4, 1000, generator=gen) * scale
    logits[:, :3] = -math.inf  # masked tokens stay impossible
    ids, probs = candidates(logits, top_k, top_p)
    dense = torch.zeros_like(logits).scatter(1, ids, probs)
    torch.testing.assert_close(dense, filter_logits(logits, top_k, top_p).softmax(-1))


def test_a_decoder_entry_carries_its_rule():
    from core.poetry.generate import Decoder

    assert all(callable(DECODERS.get(n).rule) for n in DECODERS.names())
    with pytest.raises(TypeError, match="rule"):
        Decoder("beam")
