"""Corpus cleaning, the deterministic split, statistics and upload parsing."""

import gzip
import json

import pytest

from core.errors import UserError
from core.poetry import corpus as C

JINGYESI = "床前明月光，疑是地上霜。举头望明月，低头思故乡。"


def test_regular_poem_is_kept_and_punctuation_normalised():
    body, reason = C.clean_poem("床前明月光，疑是地上霜！举头望明月？低头思故乡。")
    assert reason == "ok"
    assert body == JINGYESI


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("床前明月光，疑是地上霜。举头望明月，低头思故乡。（一作山月）", "odd_chars"),
        ("床前明月光，疑是□上霜。举头望明月，低头思故乡。", "odd_chars"),
        ("床前明月光，疑是地上霜。", "line_count"),
        ("床前明月光，疑是地上霜。举头望明月，低头思故乡。床前明月光，疑是地上霜。", "line_count"),
        ("床前明月光，疑是地上霜。举头望明月，低头思故乡乡。", "line_length"),
        ("床前明月，疑是地上。举头望明，低头思故。", "line_length"),
        ("床前明月光，疑是地上霜。举头望明月，低头思故乡", "odd_chars"),
        ("", "odd_chars"),
    ],
)
def test_irregular_poems_are_dropped_with_a_reason(text, reason):
    assert C.clean_poem(text) == (None, reason)


def test_forms_and_lengths():
    assert C.poem_form(JINGYESI).name == "wujue"
    assert C.FORM_BY_NAME["qilv"].length == 64
    assert C.split_lines(JINGYESI) == ["床前明月光", "疑是地上霜", "举头望明月", "低头思故乡"]
    assert C.compose(["床前明月光", "疑是地上霜"]) == "床前明月光，疑是地上霜。"


def test_build_deduplicates_and_split_depends_only_on_text(tmp_path):
    poems = [C.compose([f"{a}{b}山水云" for b in "一二三四"]) for a in "春夏秋冬风花雪月天地人和"]
    texts = poems + poems[:3] + ["not a poem"]
    corpus = C.build(texts)
    assert corpus.raw == len(texts)
    assert corpus.dropped == {"duplicate": 3, "odd_chars": 1}
    assert sorted(corpus.poems) == sorted(poems)
    reversed_corpus = C.build(list(reversed(poems)))
    assert set(reversed_corpus.heldout) == set(corpus.heldout)
    assert all(C.is_heldout(p) for p in corpus.heldout)
    path = tmp_path / "p.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for p in poems:
            lines = C.split_lines(p)
            fh.write(
                json.dumps(
                    {
                        "title": "t",
                        "paragraphs": [lines[0] + "，" + lines[1] + "。"] + [lines[2] + "，" + lines[3] + "。"],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    assert sorted(C.load_tang(path).poems) == sorted(poems)


@pytest.mark.skipif(not C.TANG.exists(), reason="shared poem data not present")
def test_real_corpus_statistics():
    corpus = C.load_tang()
    stats = C.statistics(corpus)
    assert stats["raw"] == 57607
    assert 30000 < stats["kept"] < 40000
    assert 0.03 < stats["heldout"] / stats["kept"] < 0.07
    assert sum(stats["by_form"].values()) == stats["kept"]
    assert stats["top_chars"][0][0] in "不人山风"
    assert not set(corpus.train) & set(corpus.heldout)
    for poem in corpus.poems[::500]:
        assert C.clean_poem(poem) == (poem, "ok")


def test_upload_parsing_and_errors():
    data = (JINGYESI + "\n\n这不是诗\n" + "白日依山尽, 黄河入海流. 欲穷千里目, 更上一层楼.\n").encode()
    poems, skipped = C.parse_upload(data, max_bytes=10_000, max_poems=10)
    assert poems == [JINGYESI, "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"]
    assert skipped == 1
    with pytest.raises(UserError) as err:
        C.parse_upload(data, max_bytes=10, max_poems=10)
    assert err.value.key == "poems.errors.upload_size"
    with pytest.raises(UserError) as err:
        C.parse_upload("床前明月光".encode("gbk"), max_bytes=10_000, max_poems=10)
    assert err.value.key == "poems.errors.upload_encoding"
    with pytest.raises(UserError) as err:
        C.parse_upload(b"hello\nworld", max_bytes=10_000, max_poems=10)
    assert err.value.key == "poems.errors.upload_empty"
    with pytest.raises(UserError) as err:
        C.parse_upload(data, max_bytes=10_000, max_poems=1)
    assert err.value.key == "poems.errors.upload_many"
