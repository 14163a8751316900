"""What the poems page shows, computed in core: a tiny random model, torch as the oracle."""

import math

import pytest
import torch

from core.errors import UserError
from core.poetry import explore
from core.poetry.generate import generate, pca_2d
from core.poetry.train import LIVE
from core.poetry.vocab import FIRST_CHAR_ID
from tests import test_poetry_generate as generate_tests

POEMS = generate_tests.POEMS
lm = generate_tests.lm  # the same tiny random model (a module-scoped fixture)


def test_model_card_counts_every_parameter_and_leaves_missing_metrics_nan(lm):
    model, vocab = lm
    card = explore.model_card(model, vocab, {"metrics": {"heldout_ppl": 80.0, "heldout_unk_rate": 0.01}})
    assert card["params"] == sum(p.numel() for p in model.parameters())
    assert card["cell"] == "GRU" and card["vocab"] == len(vocab) and card["chars"] == len(vocab.characters())
    assert card["ppl"] == 80.0 and card["unk"] == 0.01
    assert math.isnan(card["unigram"]) and math.isnan(card["ratio"])


def test_batch_seeds_differ_per_press_and_per_seed():
    seeds = {explore.batch_seed(s, b) for s in range(3) for b in range(50)}
    assert len(seeds) == 150


def test_write_is_generate_with_the_opening_and_raw_decoder_values(lm):
    model, vocab = lm
    values = {"temperature": 1.3, "top_k": 5, "top_p": 0.8}
    poems = explore.write(model, vocab, "wujue", "acrostic", "春夏秋冬", n=3, decoder="sample", values=values,
                          seed=7, rhyme=False)  # fmt: skip
    expected = generate(model, vocab, "wujue", n=3, heads="春夏秋冬", decoder="sample", seed=7, **values)
    assert [p.lines for p in poems] == [p.lines for p in expected]
    (poem,) = explore.write(model, vocab, "wujue", "start", "明月", n=1, decoder="greedy", values={}, seed=0,
                            rhyme=True)  # fmt: skip
    assert poem.lines[0].startswith("明月")


@pytest.mark.parametrize(
    ("form", "mode", "text", "values", "error"),
    [
        ("wujue", "acrostic", "  ", {}, "poems.errors.empty"),
        ("wujue", "sideways", "春", {}, "unknown_name"),
        ("sonnet", "start", "春", {}, "unknown_name"),
        ("wujue", "start", "春", {"temperature": 9.0, "top_k": 0, "top_p": 0.9}, "param_range"),
    ],
)
def test_write_refuses_bad_input_with_a_message(lm, form, mode, text, values, error):
    model, vocab = lm
    with pytest.raises(UserError) as info:
        explore.write(model, vocab, form, mode, text, n=1, decoder="sample" if values else "greedy", values=values,
                      seed=0, rhyme=False)  # fmt: skip
    assert info.value.key == error


def test_think_matches_torch_softmax_and_rank(lm):
    model, vocab = lm
    text = POEMS[3]
    position = 7
    seen = explore.think(model, vocab, text, position, 0.7)
    ids = torch.tensor([vocab.encode(text[:position], eos=False)])
    logits = model(ids)[0, -1].detach()  # (V,)
    target = vocab.id(text[position])
    assert seen.prefix == text[:position] and seen.chosen == text[position]
    assert seen.probability == pytest.approx(float(torch.softmax(logits, -1)[target]), rel=1e-5)
    order = torch.argsort(logits, descending=True).tolist()
    assert seen.rank == order.index(target) + 1
    assert seen.labels == [vocab.tokens[i] for i in order[: explore.TOP]]
    assert seen.temperatures == sorted({*explore.THINK_TEMPERATURES, 0.7})
    for temperature, curve in seen.curves.items():
        expected = torch.softmax(logits / temperature, -1)[order[: explore.TOP]]
        assert curve == pytest.approx(expected.tolist(), rel=1e-5)


def test_think_uses_the_decoders_temperature_spec(lm):
    model, vocab = lm
    assert explore.TEMPERATURE.name == "temperature"
    with pytest.raises(UserError) as info:
        explore.think(model, vocab, POEMS[0], 1, explore.TEMPERATURE.high + 1)
    assert info.value.key == "param_range"
    with pytest.raises(UserError) as info:
        explore.think(model, vocab, POEMS[0], len(POEMS[0]), 1.0)
    assert info.value.key == "poems.errors.position"


def test_embedding_map_rows_are_the_characters_and_neighbours_index_them(lm):
    model, vocab = lm
    xy = explore.embedding_map(model, vocab)
    assert xy.shape == (len(vocab.characters()), 2)
    assert torch.allclose(xy, pca_2d(model.embed.weight.detach()[FIRST_CHAR_ID:]))
    hood = explore.neighbourhood(model, vocab, " 月 ", k=4)
    assert hood.chars[0] == "月" and len(hood.chars) == 5 and len(hood.similarity) == 4
    assert [vocab.characters()[r] for r in hood.rows] == hood.chars
    emb = model.embed.weight.detach()
    for char, sim in zip(hood.chars[1:], hood.similarity, strict=True):
        oracle = torch.nn.functional.cosine_similarity(emb[vocab.id("月")], emb[vocab.id(char)], dim=0)
        assert sim == pytest.approx(float(oracle), abs=1e-6)
    with pytest.raises(UserError):
        explore.neighbourhood(model, vocab, "a")


def test_live_plan_validates_once_and_picks_the_poems():
    values = {**LIVE.get("small").defaults(), "max_poems": 50}
    poems, settings = explore.live_plan(values, "upload", tang=lambda: pytest.fail("read the corpus"),
                                        forms=[], uploaded=POEMS * 3, seed=0)  # fmt: skip
    assert poems == (POEMS * 3)[:50] and settings == LIVE.get("small").resolve(values)
    poems, _ = explore.live_plan(values, "tang", tang=lambda: POEMS, forms=["wujue"], uploaded=None, seed=0)
    assert set(poems) == set(POEMS)  # fewer than the limit: all of them
    for source, uploaded, bad, error in (
        ("upload", None, {}, "poems.errors.no_upload"),
        ("tang", None, {"epochs": 0}, "param_range"),
        ("tang", None, {}, "poems.errors.no_poems"),
        ("elsewhere", None, {}, "unknown_name"),
    ):
        with pytest.raises(UserError) as info:
            explore.live_plan({**values, **bad}, source, tang=lambda: POEMS, forms=["qilv"], uploaded=uploaded,
                              seed=0)  # fmt: skip
        assert info.value.key == error
