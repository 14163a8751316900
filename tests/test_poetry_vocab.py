"""Vocabulary: special tokens first, frequency order, round-trip, unknown characters."""

import pytest

from core.poetry.vocab import BOS_ID, COMMA_ID, EOS_ID, FIRST_CHAR_ID, PERIOD_ID, UNK_ID, Vocab

POEMS = ["床前明月光，疑是地上霜。举头望明月，低头思故乡。", "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"]


def test_layout_and_frequency_order():
    vocab = Vocab.build(POEMS)
    assert vocab.tokens[:FIRST_CHAR_ID] == ["<pad>", "<unk>", "<s>", "</s>", "，", "。"]
    # 上 头 明 月 are each seen twice, the rest once; ties are broken by code point
    assert vocab.tokens[FIRST_CHAR_ID : FIRST_CHAR_ID + 4] == sorted("上头明月")
    assert len(vocab) == FIRST_CHAR_ID + len(set("".join(POEMS)) - set("，。"))


@pytest.mark.parametrize("poem", POEMS)
def test_round_trip(poem):
    vocab = Vocab.build(POEMS)
    ids = vocab.encode(poem)
    assert ids[0] == BOS_ID and ids[-1] == EOS_ID
    assert ids[6] == COMMA_ID and ids[12] == PERIOD_ID
    assert vocab.decode(ids) == poem
    assert Vocab(vocab.tokens).encode(poem) == ids


def test_min_count_maps_rare_characters_to_unk():
    vocab = Vocab.build(POEMS, min_count=2)
    assert set(vocab.characters()) == {"上", "明", "月", "头"}
    ids = vocab.encode("床前明月光", bos=False, eos=False)
    assert ids.count(UNK_ID) == 3
    assert vocab.decode(ids) == "<unk><unk>明月<unk>"
    assert "明" in vocab and "床" not in vocab and "，" not in vocab and "<s>" not in vocab
    assert vocab.char_mask().sum() == 4


def test_bad_vocabularies_are_rejected():
    with pytest.raises(ValueError):
        Vocab(["a", "b"])
    with pytest.raises(ValueError):
        Vocab(Vocab.build(POEMS).tokens + ["明"])
    with pytest.raises(ValueError):
        Vocab.build(POEMS, min_count=0)
