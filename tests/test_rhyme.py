"""Rhyme finals and classes (core.poetry.rhyme), judged on known Tang poems."""

import pytest
from pypinyin import Style, pinyin

from core.poetry.rhyme import (
    FINAL_TO_CLASS,
    RHYME_CLASSES,
    classes,
    final,
    is_chinese,
    last_char,
    poem_rhyme,
    poem_rhymes,
    readings,
    rhyme_class,
    rhyme_classes,
    rhyme_rate,
    rhyme_report,
    rhymes,
    split_lines,
    syllable_final,
)

JING_YE_SI = ["床前明月光", "疑是地上霜", "举头望明月", "低头思故乡"]  # 静夜思, 江阳
CHUN_XIAO = ["春眠不觉晓", "处处闻啼鸟", "夜来风雨声", "花落知多少"]  # 春晓, 遥条
DENG_GUAN_QUE_LOU = ["白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"]  # 登鹳雀楼, 油求
SHAN_XING = "远上寒山石径斜，白云生处有人家。停车坐爱枫林晚，霜叶红于二月花。"  # 山行: 斜 xiá
MADE_UP = ["今天天气很好", "我们一起去公园", "小狗跑得很快", "晚上慢慢回家"]  # 园 üan vs 家 ia
NOT_RHYMING = ["春风吹绿柳", "明月照高楼", "江水向东去", "山中多白云"]  # 楼 ou vs 云 ün


@pytest.mark.parametrize(
    "syllable, expected",
    [
        ("guang", "uang"), ("xiang", "iang"), ("shi", "-i"), ("zi", "-i"), ("ri", "-i"), ("li", "i"),
        ("ju", "ü"), ("lv", "ü"), ("nüe", "üe"), ("yu", "ü"), ("yue", "üe"), ("yuan", "üan"), ("yun", "ün"),
        ("yi", "i"), ("ying", "ing"), ("you", "iou"), ("yong", "iong"), ("wu", "u"), ("wei", "uei"),
        ("weng", "ueng"), ("liu", "iou"), ("gui", "uei"), ("dun", "uen"), ("jun", "ün"), ("er", "er"),
        ("a", "a"), ("bo", "o"), ("zhuang", "uang"), ("n", ""), ("ng", ""), ("hm", ""), ("，", ""), ("", ""),
    ],
)  # fmt: skip
def test_syllable_final(syllable, expected):
    assert syllable_final(syllable) == expected


def test_final_matches_pypinyin_finals_except_the_apical_i():
    # pypinyin's own FINALS style (strict) is the oracle, written with v for ü and i for -i.
    for char in "光霜乡晓鸟少流楼家花声云军远学月水归人春风来开":
        expected = pinyin(char, style=Style.FINALS)[0][0].replace("v", "ü")
        assert final(char) == expected, char
    assert final("诗") == "-i" and pinyin("诗", style=Style.FINALS)[0][0] == "i"


def test_every_final_has_one_class():
    finals = [f for group in RHYME_CLASSES.values() for f in group]
    assert len(finals) == len(set(finals)) == len(FINAL_TO_CLASS)
    assert len(RHYME_CLASSES) == 13


def test_non_chinese_has_no_final():
    for token in ["a", "，", "。", "<s>", "1", "", "光光"]:
        assert final(token) == "" and rhyme_class(token) is None and classes(token) == ()
        assert not rhymes(token, "光")
    assert not is_chinese("A") and is_chinese("龍")


def test_rhymes_pairs():
    assert rhymes("光", "霜") and rhymes("霜", "乡")
    assert rhymes("晓", "鸟") and rhymes("鸟", "少")
    assert rhymes("流", "楼")
    assert rhymes("诗", "期")  # 支 and 齐 merge in 一七辙, as in Tang verse
    assert not rhymes("光", "楼")
    assert not rhymes("春", "花")


def test_polyphonic_char_rhymes_in_any_reading():
    assert "发花" in classes("斜") and "乜斜" in classes("斜")
    assert rhymes("斜", "家") and rhymes("斜", "谢")
    assert len(readings("斜")) >= 2


@pytest.mark.parametrize(
    "poem, rhyme",
    [(JING_YE_SI, "江阳"), (CHUN_XIAO, "遥条"), (DENG_GUAN_QUE_LOU, "油求"), (split_lines(SHAN_XING), "发花")],
)
def test_known_poems_rhyme(poem, rhyme):
    assert poem_rhyme(poem) == rhyme
    assert poem_rhymes(poem)
    report = rhyme_report(poem)
    assert [r["even"] for r in report] == [False, True, False, True]
    assert all(r["rhymes"] for r in report if r["even"])
    assert all(r["rhymes"] is None for r in report if not r["even"])


def test_report_fields_for_jing_ye_si():
    report = rhyme_report([line + "，" for line in JING_YE_SI])  # trailing punctuation ignored
    assert [r["char"] for r in report] == ["光", "霜", "月", "乡"]
    assert [r["final"] for r in report] == ["uang", "uang", "üe", "iang"]
    assert [r["rhyme_class"] for r in report] == ["江阳", "江阳", "乜斜", "江阳"]
    assert [r["in_rhyme"] for r in report] == [True, True, False, True]  # first line 入韵


def test_made_up_quatrains_do_not_rhyme():
    for poem in (MADE_UP, NOT_RHYMING):
        assert not poem_rhymes(poem)
        assert [r["rhymes"] for r in rhyme_report(poem)][1::2].count(False) == 1


def test_majority_and_tie_break():
    # Even lines end in 楼 (油求), 光 (江阳), 霜 (江阳): the majority wins over the first even line.
    assert poem_rhyme(["一", "高楼", "二", "月光", "三", "秋霜"]) == "江阳"
    # A tie goes to the first even line's class.
    assert poem_rhyme(["一", "高楼", "二", "月光"]) == "油求"


def test_lines_without_chinese():
    assert poem_rhyme(["abc", "123"]) is None
    report = rhyme_report(["abc", "123"])
    assert report[1]["char"] is None and report[1]["final"] == "" and report[1]["rhymes"] is False
    assert not poem_rhymes(["床前明月光"])  # no even line
    assert last_char("abc") is None and last_char("明月光。") == "光"


def test_rhyme_classes_indexes_a_vocabulary():
    vocab = ["<pad>", "<s>", "，", "光", "霜", "楼", "流", "斜", "家", "a"]
    groups = rhyme_classes(vocab)
    assert set(groups) == set(RHYME_CLASSES)
    assert groups["江阳"] == [3, 4]
    assert groups["油求"] == [5, 6]
    assert 7 in groups["发花"] and 7 in groups["乜斜"] and 8 in groups["发花"]
    indexed = {i for ids in groups.values() for i in ids}
    assert indexed.isdisjoint({0, 1, 2, 9})


def test_rhyme_rate():
    poems = [JING_YE_SI, CHUN_XIAO, DENG_GUAN_QUE_LOU, MADE_UP]
    assert rhyme_rate(poems) == pytest.approx(0.75)
    assert rhyme_rate([SHAN_XING, "今天天气很好，我们一起去公园。小狗跑得很快，晚上慢慢回家。"]) == 0.5
    with pytest.raises(ValueError):
        rhyme_rate([])


def test_split_lines():
    assert split_lines(SHAN_XING) == ["远上寒山石径斜", "白云生处有人家", "停车坐爱枫林晚", "霜叶红于二月花"]
