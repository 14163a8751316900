"""Training: reproducible with a seed, the loss falls, metrics count only characters."""

import math

import pytest
import torch

from core.poetry.corpus import compose
from core.poetry.metrics import group_by_length, heldout_report, model_nll, unigram_perplexity
from core.poetry.model import build, config
from core.poetry.train import Settings, batch_maker, train_model, warmup_cosine
from core.poetry.vocab import Vocab

CHARS = "春夏秋冬风花雪月山水云天日夜江河湖海人家东西南北"
POEMS = [compose([(CHARS[i:] + CHARS * 2)[j * 5 : j * 5 + 5] for j in range(4)]) for i in range(len(CHARS))]
POEMS += [compose([(CHARS[i:] + CHARS * 2)[j * 7 : j * 7 + 7] for j in range(4)]) for i in range(len(CHARS))]
SMALL = Settings(embed_dim=16, hidden_dim=32, epochs=5, batch_size=16, lr=2e-2)


@pytest.fixture(scope="module")
def trained():
    return train_model(POEMS, SMALL)


def test_same_seed_same_model_and_loss_falls(trained):
    a, vocab, hist = trained
    b, _, hist_b = train_model(POEMS, SMALL)
    assert hist.step_loss == hist_b.step_loss
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(pa, pb)
    assert hist.epochs[-1]["train_loss"] < 0.5 * hist.epochs[0]["train_loss"]


def test_batches_have_one_length_and_cover_every_poem_once():
    vocab = Vocab.build(POEMS)
    groups = group_by_length([vocab.encode(p) for p in POEMS])
    assert sorted(groups) == [26, 34]
    seen = 0
    for x, y in batch_maker(groups, 5, seed=0, device=torch.device("cpu"))(0):
        assert x.shape == y.shape and x.shape[0] <= 5
        torch.testing.assert_close(x[:, 1:], y[:, :-1])
        seen += x.shape[0]
    assert seen == len(POEMS)


def test_schedule_warms_up_then_decays_to_a_tenth():
    f = warmup_cosine(1000, warmup=100)
    assert f(0) == 0.01 and f(99) == 1.0
    assert math.isclose(f(1000), 0.1) and f(500) < f(200)


def test_perplexity_counts_only_known_characters():
    vocab = Vocab.build(POEMS)
    model = build(config(len(vocab), "gru", embed_dim=16, hidden_dim=16))
    _, count = model_nll(model, POEMS[:3], vocab)
    assert count == 3 * 20  # 20 characters per 五言绝句; punctuation and <s>/</s> do not count
    with torch.no_grad():  # a model that predicts the unigram distribution scores the unigram perplexity
        model.head.weight.zero_()
    report = heldout_report(model, POEMS, POEMS[:3], vocab)
    assert report["heldout_unk_rate"] == 0.0
    assert math.isclose(unigram_perplexity(POEMS, POEMS[:3], vocab), report["unigram_ppl"])


def test_trained_model_beats_unigram(trained):
    model, vocab, _ = trained
    report = heldout_report(model, POEMS, POEMS, vocab)
    assert report["ppl_ratio"] < 0.5


def test_live_job_publishes_losses_and_samples_and_can_stop():
    from core.poetry.train import LIVE, live_job, load_model, pick_subset
    from core.train import LiveRun

    values = {**LIVE.get("small").defaults(), "epochs": 2, "embed_dim": 16, "hidden_dim": 16, "batch_size": 16}
    run = LiveRun(live_job(POEMS, "rnn", values, "wujue", seed=0)).start()
    run.join(120)
    assert run.error is None, run.error_text
    snap = run.snapshot()
    assert snap["status"] == "done" and len(snap["epochs"]) == 2
    assert len(snap["losses"]) == 2 * 4  # 52 poems in two same-length groups of 26 → 2 batches each
    assert sorted(snap["samples"]) == [1, 2] and all(len(s) == 3 for s in snap["samples"].values())
    model, vocab, meta = load_model(run.result["checkpoint"])
    assert meta["poems"] == len(POEMS)
    assert pick_subset(POEMS, ["qijue"], 5, seed=0) == pick_subset(POEMS, ["qijue"], 5, seed=0)
    assert all(len(p) == 32 for p in pick_subset(POEMS, ["qijue"], 5, seed=0))
