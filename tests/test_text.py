"""core.text: jieba segmentation modes, stop words, vocabulary, seeded embeddings and cosine similarity."""

import jieba
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from core.errors import UserError
from core.text.embed import DIM, cosine_matrix, neighbours, off_diagonal, one_hot, pair_summary, seeded_embedding
from core.text.explore import SHOWN_WORDS, analyse
from core.text.segment import (
    DEFAULT_TEXT,
    MAX_CHARS,
    MODES,
    Vocabulary,
    check_text,
    is_punctuation,
    load_jieba,
    remove_stopwords,
    segment,
    stopwords,
)

TEXTS = [
    DEFAULT_TEXT,
    "我来到北京清华大学",
    "他来到了网易杭研大厦 hello world, 2024！",
    "小明硕士毕业于中国科学院计算所",
]


@pytest.fixture(scope="module", autouse=True)
def _jieba():
    load_jieba()


@pytest.mark.parametrize("text", TEXTS)
def test_modes_match_jieba(text):
    def words(ws):
        return [w for w in ws if w.strip()]

    assert segment(text, "precise") == words(jieba.lcut(text))
    assert segment(text, "full") == words(jieba.lcut(text, cut_all=True))
    assert segment(text, "search") == words(jieba.lcut_for_search(text))


def test_modes_differ_as_documented():
    assert segment("我来到北京清华大学", "precise") == ["我", "来到", "北京", "清华大学"]
    full = segment("我来到北京清华大学", "full")
    assert {"清华", "清华大学", "华大", "大学"} <= set(full)  # overlapping dictionary words
    search = segment("我来到北京清华大学", "search")
    assert {"清华", "大学", "清华大学"} <= set(search) and "华大" in search
    assert set(segment(DEFAULT_TEXT)) <= set(segment(DEFAULT_TEXT, "search"))


def test_registry_lists_the_three_modes():
    assert MODES.names() == ["precise", "full", "search"]
    assert all(m.formula for m in MODES)
    with pytest.raises(UserError) as err:
        segment(DEFAULT_TEXT, "fast")
    assert "precise, full, search" in str(err.value)


def test_stopword_filter():
    words = segment(DEFAULT_TEXT)
    kept = remove_stopwords(words)
    assert "的" in words and "的" not in kept
    assert "，" in words and "，" not in kept and "。" not in kept
    assert "北京" in kept and "运动员" in kept
    assert kept == [w for w in words if w not in stopwords() and w not in "，。"]
    assert len(stopwords()) > 100 and "#" not in "".join(stopwords())
    assert is_punctuation("，。") and is_punctuation("...") and not is_punctuation("a,")


@pytest.mark.parametrize(
    "text, key",
    [("", "words.errors.empty"), ("   \n", "words.errors.empty"), ("hello world 123", "words.errors.no_chinese"),
     ("中" * (MAX_CHARS + 1), "words.errors.too_long")],
)  # fmt: skip
def test_bad_text(text, key):
    with pytest.raises(UserError) as err:
        segment(text)
    assert err.value.key == key
    if key.endswith("too_long"):
        assert err.value.params == {"n": MAX_CHARS + 1, "max": MAX_CHARS}


def test_check_text_strips_and_accepts_the_limit():
    assert check_text("  你好 ") == "你好"
    assert check_text("中" * MAX_CHARS) == "中" * MAX_CHARS
    with pytest.raises(TypeError):
        check_text(None)


def test_vocabulary_round_trip():
    words = segment(DEFAULT_TEXT)
    vocab = Vocabulary.build(words)
    assert len(vocab) == len(set(words))
    assert vocab.words == tuple(dict.fromkeys(words))  # first-appearance order
    assert vocab.decode(vocab.encode(words)) == words
    assert all(vocab.words[i] == w for w, i in vocab.word_to_index.items())
    assert vocab.counts[vocab.word_to_index["的"]] == words.count("的") == 2
    assert sum(vocab.counts) == len(words)
    with pytest.raises(KeyError):
        vocab.encode(["不存在的词"])


def test_seeded_embedding_is_nn_embedding_under_that_seed():
    torch.manual_seed(7)
    expected = nn.Embedding(12, 4).weight.detach()
    state = torch.get_rng_state()
    emb = seeded_embedding(12, 4, seed=7)
    assert torch.equal(torch.get_rng_state(), state)  # the global generator is untouched
    assert isinstance(emb, nn.Embedding) and emb.weight.shape == (12, 4)
    assert torch.equal(emb.weight.detach(), expected)
    assert not torch.equal(seeded_embedding(12, 4, seed=8).weight, emb.weight)


def test_embedding_dim_is_validated():
    for bad in (0, DIM.high + 1):
        with pytest.raises(UserError) as err:
            seeded_embedding(5, bad)
        assert err.value.key == "param_range"
    with pytest.raises(ValueError):
        seeded_embedding(0, 4)


def test_embedding_lookup_is_one_hot_times_weight():
    emb = seeded_embedding(9, 5, seed=1)
    ids = [3, 0, 8, 3]
    assert torch.allclose(one_hot(ids, 9) @ emb.weight, emb(torch.tensor(ids)))


def test_cosine_matrix_matches_torch():
    x = torch.randn(11, 6, generator=torch.Generator().manual_seed(0))
    expected = F.cosine_similarity(x[:, None, :], x[None, :, :], dim=-1)
    sim = cosine_matrix(x)
    assert sim.shape == (11, 11)
    assert torch.allclose(sim, expected, atol=1e-6)
    assert torch.allclose(sim.diagonal(), torch.ones(11), atol=1e-6)
    assert torch.allclose(sim, sim.T)
    zero = cosine_matrix(torch.zeros(2, 3))
    assert not zero.isnan().any()
    with pytest.raises(ValueError):
        cosine_matrix(torch.zeros(3))


def test_one_hot_cosine_is_identity():
    n = 7
    sim = cosine_matrix(one_hot(range(n), n))
    assert torch.equal(sim, torch.eye(n))
    assert torch.equal(off_diagonal(sim), torch.zeros(n * n - n))


def test_pair_summary_is_over_distinct_rows_only():
    sim = torch.tensor([[1.0, -0.5, 0.25], [-0.5, 1.0, 0.75], [0.25, 0.75, 1.0]])
    low, high, mean = pair_summary(sim)
    assert (low, high) == (-0.5, 0.75)
    assert mean == pytest.approx((0.5 + 0.25 + 0.75) * 2 / 6)
    with pytest.raises(ValueError):
        pair_summary(torch.ones(1, 1))


def test_neighbours():
    sim = torch.tensor([[1.0, 0.2, 0.9], [0.2, 1.0, -0.5], [0.9, -0.5, 1.0]])
    assert neighbours(sim, 0, k=2) == [(2, pytest.approx(0.9)), (1, pytest.approx(0.2))]
    assert [j for j, _ in neighbours(sim, 1, k=5)] == [0, 2]


def test_analyse():
    a = analyse(DEFAULT_TEXT, "precise", drop_stopwords=True, dim=4, seed=0)
    assert a.tokens == tuple(segment(DEFAULT_TEXT))
    kept = [t for t, r in zip(a.tokens, a.removed, strict=True) if not r]
    assert kept == remove_stopwords(a.tokens)
    assert a.vocab.decode(a.ids) == kept
    v = len(a.vocab)
    assert a.vectors.shape == (v, 4) and a.similarity.shape == (v, v)
    assert torch.equal(a.vectors, seeded_embedding(v, 4, 0).weight.detach())
    assert torch.allclose(a.similarity, cosine_matrix(a.vectors))
    assert torch.equal(a.onehot_similarity, torch.eye(v))
    again = analyse(DEFAULT_TEXT, "precise", drop_stopwords=True, dim=4, seed=0)
    assert torch.equal(again.vectors, a.vectors)
    assert not any(analyse(DEFAULT_TEXT).removed)


def test_analyse_caps_the_one_hot_comparison_at_the_shown_words():
    text = DEFAULT_TEXT + "".join(TEXTS[1:]) + "工作之余，他喜欢爬山、游泳和读唐诗。"
    a = analyse(text, dim=3)
    v = len(a.vocab)
    assert v > SHOWN_WORDS and a.similarity.shape == (v, v)
    assert torch.equal(a.onehot_similarity, torch.eye(SHOWN_WORDS))


def test_analyse_nothing_left():
    with pytest.raises(UserError) as err:
        analyse("我们的，", drop_stopwords=True)
    assert err.value.key == "words.errors.all_stopwords"
