"""Conditioned poem models: control tokens in the vocabulary, the plan layer, fair perplexity, planned decoding."""

import math
from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

from core.poetry import condition, gelv, pingshui, rhyme
from core.poetry.constrain import PingshuiMasks
from core.poetry.corpus import FORMS, clean_poem, compose, poem_form, split_lines
from core.poetry.generate import DECODERS, generate, nearest, next_char_distribution
from core.poetry.metrics import model_nll, unigram_perplexity
from core.poetry.model import build, config
from core.poetry.train import Settings, load_model, prepare
from core.poetry.vocab import BOS_ID, EOS_ID, FIRST_CHAR_ID, Vocab

JINGYESI = "床前明月光，疑是地上霜。举头望明月，低头思故乡。"  # 霜/乡: 下平七阳
CHARS = "春夏秋冬风花雪月山水云天日夜江河湖海人家东西南北光长香乡霜明清声情城生行时知诗床前疑是地上举头望低思故"
POEMS = [JINGYESI] + [compose([(CHARS[i:] + CHARS)[j * 5 : j * 5 + 5] for j in range(4)]) for i in range(30)]
MODELS = Path(__file__).resolve().parent.parent / "assets" / "models" / "poems"


@pytest.fixture(scope="module")
def plain():
    vocab = Vocab.build(POEMS)
    torch.manual_seed(0)
    return build(config(len(vocab), "gru", embed_dim=16, hidden_dim=24, tied=True)).eval(), vocab


@pytest.fixture(scope="module")
def conditioned(plain):
    model, vocab = plain
    copy = build(config(len(vocab), "gru", embed_dim=16, hidden_dim=24, tied=True))
    copy.load_state_dict(model.state_dict())
    new_vocab = condition.extend(copy, vocab)
    torch.manual_seed(1)
    with torch.no_grad():
        copy.plan.weight.normal_(0, 0.3)  # a plan that does something, on the input and the output side
        copy.plan_out.weight.normal_(0, 0.3)
    return copy.eval(), new_vocab


def test_controls_follow_the_characters_and_stay_out_of_every_character_view(plain):
    _, vocab = plain
    cond = vocab.with_controls(condition.control_tokens())
    assert cond.char_end == len(vocab) and cond.characters() == vocab.characters()
    assert len(cond.controls) == 4 + 30 + 1 and condition.is_conditioned(cond) and not condition.is_conditioned(vocab)
    assert not cond.char_mask()[cond.char_end :].any() and cond.char_mask().sum() == vocab.char_mask().sum()
    assert "<韵:下平七阳>" not in cond and "月" in cond
    ids = condition.encode(cond, JINGYESI)
    assert ids[:3] == [BOS_ID, cond.index["<wujue>"], cond.index["<韵:下平七阳>"]] and ids[-1] == EOS_ID
    assert cond.decode(ids) == JINGYESI  # controls are stripped like <s>
    assert condition.encode(vocab, JINGYESI) == vocab.encode(JINGYESI)  # a plain vocabulary: no controls
    with pytest.raises(ValueError, match="after every character"):
        Vocab(cond.tokens + ["字"])


@pytest.mark.parametrize(
    ("poem", "group"),
    [
        (JINGYESI, "下平七阳"),
        ("千山鸟飞绝，万径人踪灭。孤舟蓑笠翁，独钓寒江雪。", None),  # 江雪 rhymes in 入声 (灭/雪): no 平声 group
        ("白日依山尽，黄河入海流。欲穷千里目，更上一层楼。", "下平十一尤"),
    ],
)
def test_the_rhyme_token_is_the_even_lines_shared_ping_group(poem, group):
    assert condition.rhyme_group(split_lines(poem)) == group
    assert condition.poem_controls(poem) == [f"<{poem_form(poem).name}>", condition.rhyme_token(group)]
    assert condition.group_of(condition.rhyme_token(group)) == group


def test_extending_keeps_the_plain_model_until_it_learns(plain):
    """With the plan at zero and no control token in the input, the extended model is the plain one."""
    model, vocab = plain
    copy = build(config(len(vocab), "gru", embed_dim=16, hidden_dim=24, tied=True))
    copy.load_state_dict(model.state_dict())
    new_vocab = condition.extend(copy.eval(), vocab)
    ids = torch.tensor([vocab.encode(POEMS[3])])
    assert torch.allclose(copy(ids)[..., : len(vocab)], model(ids), atol=1e-6)
    assert copy.embed.weight.shape[0] == len(new_vocab) and copy.head.weight is copy.embed.weight
    # a rhyme token starts at the mean embedding of its group's characters
    members = [vocab.index[c] for c in vocab.characters() if "下平七阳" in {g.name for g in pingshui.groups(c)}]
    row = copy.embed.weight[new_vocab.index["<韵:下平七阳>"]]
    assert {"光", "香", "乡", "霜"} <= {vocab.tokens[i] for i in members}
    assert torch.allclose(row, model.embed.weight[members].mean(0), atol=1e-6)


def test_the_plan_is_carried_in_the_state_step_by_step_as_in_one_pass(conditioned):
    model, vocab = conditioned
    ids = torch.tensor([condition.encode(vocab, JINGYESI)])
    whole = model(ids)
    out, state = [], None
    for t in range(ids.shape[1]):
        logits, state = model.step(ids[:, t : t + 1], state)
        out.append(logits)
    assert torch.allclose(torch.cat(out, 1), whole, atol=1e-5)
    other = ids.clone()
    other[0, 2] = vocab.index["<韵:上平一东>"]
    assert not torch.allclose(model(other)[0, 3:], whole[0, 3:])  # the told group changes every later step


def test_perplexity_pays_for_the_control_tokens_but_counts_only_characters(conditioned, plain):
    model, vocab = conditioned
    poems = POEMS[:5]
    total, count = model_nll(model, poems, vocab)
    want_total, want_count = 0.0, 0
    for p in poems:
        ids = torch.tensor(condition.encode(vocab, p))
        with torch.no_grad():
            nll = F.cross_entropy(model(ids[None, :-1])[0], ids[1:], reduction="none")
        chars = (ids[1:] >= FIRST_CHAR_ID) & (ids[1:] < vocab.char_end)
        want_total += float(nll[chars].sum() + nll[0] + nll[1])  # targets 0 and 1: the form and rhyme tokens
        want_count += int(chars.sum())
    assert count == want_count and math.isclose(total, want_total, rel_tol=1e-5)
    # the unigram baseline is the plain vocabulary's: controls are not characters
    assert math.isclose(unigram_perplexity(POEMS, poems, vocab), unigram_perplexity(POEMS, poems, plain[1]))


def test_prepare_extends_an_initial_model_or_builds_a_conditioned_one(plain):
    model, vocab = plain
    copy = build(config(len(vocab), "gru", embed_dim=16, hidden_dim=24, tied=True))
    copy.load_state_dict(model.state_dict())
    new_vocab, new_model, groups = prepare(POEMS, Settings(conditioned=True), (copy, vocab))
    assert condition.is_conditioned(new_vocab) and new_model.control_start == vocab.char_end
    assert all(int(g[0, 2]) in condition.rhyme_ids(new_vocab).tolist() for g in groups.values())
    fresh_vocab, fresh, _ = prepare(POEMS, Settings(conditioned=True, embed_dim=16, hidden_dim=16))
    assert fresh.control_start == fresh_vocab.char_end and fresh.plan is not None


def test_decoding_draws_a_plan_or_takes_the_given_group_and_never_writes_a_control(conditioned):
    model, vocab = conditioned
    free = generate(model, vocab, "wujue", n=24, seed=3)
    groups = {p.planned for p in free}
    assert len(groups) > 1 and all(g == "" or f"<韵:{g}>" in vocab.index for g in groups)
    assert all(clean_poem(p.text)[1] == "ok" and all(c in vocab for line in p.lines for c in line) for p in free)
    assert [p.text for p in generate(model, vocab, "wujue", n=24, seed=3)] == [p.text for p in free]
    masks = PingshuiMasks(vocab)
    given = generate(model, vocab, "wujue", n=4, seed=3, rhyme="pingshui", rhyme_group="下平七阳", pingshui_masks=masks)
    assert {p.planned for p in given} == {"下平七阳"} and {p.rhyme_class for p in given} == {"下平七阳"}
    # the 平水韵 option keeps each poem to the group its model planned (a model that always plans 下平七阳)
    keen = build(config(len(vocab), "gru", embed_dim=16, hidden_dim=24, tied=True, control_start=vocab.char_end))
    keen.load_state_dict(model.state_dict())
    with torch.no_grad():
        keen.head.bias[vocab.index["<韵:下平七阳>"]] += 30
    planned = generate(keen.eval(), vocab, "wujue", n=8, seed=5, rhyme="pingshui", pingshui_masks=masks)
    assert {p.planned for p in planned} == {"下平七阳"} == {p.rhyme_class for p in planned}


def test_views_of_a_conditioned_model_tell_it_the_poem_and_leave_controls_out(conditioned):
    model, vocab = conditioned
    told = next_char_distribution(model, vocab, "床前", condition.poem_controls(JINGYESI))
    assert not torch.allclose(told, next_char_distribution(model, vocab, "床前"))
    assert all(c in vocab for c, _ in nearest(model, vocab, "月", k=len(vocab.characters()) - 1))


@pytest.fixture(scope="module")
def shipped():
    return load_model(MODELS / "tang_gru_cond.pt")


def test_shipped_planner_loads_and_records_how_it_was_made(shipped):
    model, vocab, meta = shipped
    assert condition.is_conditioned(vocab) and model.control_start == vocab.char_end
    assert meta["settings"]["conditioned"] and "--conditioned" in meta["command"]
    plain_model, plain_vocab, _ = load_model(MODELS / "tang_gru.pt")
    assert vocab.characters() == plain_vocab.characters()  # same characters, same ids


@pytest.mark.parametrize("form", [f.name for f in FORMS])
def test_shipped_planner_rhymes_on_its_own_in_most_free_samples(shipped, form):
    """A fixed slice of free sampling (no rhyme option): the pinyin check finds rhyming even lines in most poems."""
    model, vocab, _ = shipped
    poems = generate(model, vocab, form, n=40, seed=11, **DECODERS.get("sample").defaults())
    assert rhyme.rhyme_rate([p.lines for p in poems]) >= 0.4
    assert sum(gelv.pingshui_rhymes(p.lines) for p in poems) >= 0.3 * len(poems)
