"""格律: the four patterns per form, and the analyser on known poems (静夜思 古绝, 登高 strict 七律)."""

import pytest

from core.errors import UserError
from core.poetry import gelv
from core.poetry.corpus import FORM_BY_NAME

JINGYESI = "床前明月光，疑是地上霜。举头望明月，低头思故乡。"
DENGGAO = (
    "风急天高猿啸哀，渚清沙白鸟飞回。无边落木萧萧下，不尽长江滚滚来。"
    "万里悲秋常作客，百年多病独登台。艰难苦恨繁霜鬓，潦倒新停浊酒杯。"
)
CHUNWANG = "国破山河在，城春草木深。感时花溅泪，恨别鸟惊心。烽火连三月，家书抵万金。白头搔更短，浑欲不胜簪。"
DENG_GUANQUE = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"
JIANGXUE = "千山鸟飞绝，万径人踪灭。孤舟蓑笠翁，独钓寒江雪。"


def test_templates_follow_nian_and_dui():
    for form in FORM_BY_NAME.values():
        ts = gelv.templates(form)
        assert {t.key for t in ts} == {"ping_in", "ping_out", "ze_in", "ze_out"}
        for t in ts:
            assert t.lines[0][1] == t.start
            assert all(len(line) == form.chars for line in t.lines) and len(t.lines) == form.lines
            for a in range(form.lines - 1):
                same = t.lines[a][1] == t.lines[a + 1][1]
                assert same == (a % 2 == 1)  # 对 inside a couplet, 粘 across
            for i in t.rhyme_lines():
                assert t.lines[i][-1] == "平"
            assert t.lines[0][-1] == ("平" if t.first_rhymes else "仄")
    qilv = {t.key: t for t in gelv.templates(FORM_BY_NAME["qilv"])}
    assert qilv["ze_in"].lines[:2] == ("仄仄平平仄仄平", "平平仄仄仄平平")
    assert qilv["ze_in"].lines[4] == "仄仄平平平仄仄"  # the second half goes on without 入韵


def test_denggao_is_a_strict_qilv():
    a = gelv.analyse_text(DENGGAO)
    assert a.form.name == "qilv"
    assert a.template.key == "ze_in"  # 仄起首句入韵
    assert a.regular and a.verdict == "regular" and a.departures == []
    assert a.rhyme_chars == tuple("哀回来台杯") and a.rhyme_group.name == "上平十灰"
    assert all(link.ok for link in a.links) and len(a.links) == 7
    assert [c.mark for c in a.cells[1]][3] == "仄"  # 白: entering tone


def test_jingyesi_is_an_ancient_jueju_and_departs():
    a = gelv.analyse_text(JINGYESI)
    assert a.form.name == "wujue"
    assert not a.regular and a.verdict == "ancient"
    assert a.departures  # strict positions outside every pattern
    assert any(link.ok is False for link in a.links)  # 失粘
    assert a.rhyme_group.name == "下平七阳"  # it still rhymes: 光 霜 乡


def test_regular_wujue_and_wulv():
    a = gelv.analyse_text(DENG_GUANQUE)
    assert a.regular and a.template.key == "ze_out" and a.rhyme_group.name == "下平十一尤"
    b = gelv.analyse_text(CHUNWANG)
    assert b.regular and b.form.name == "wulv" and b.rhyme_group.name == "下平十二侵"


def test_oblique_rhyme_is_not_regular():
    a = gelv.analyse_text(JIANGXUE)
    assert not a.rhymes and a.verdict == "ancient"


def test_cells_mark_tones_and_strict_positions():
    a = gelv.analyse_text(DENG_GUANQUE)
    first = a.cells[0]
    assert "".join(c.char for c in first) == "白日依山尽"
    assert [c.strict for c in first] == [False, True, False, True, True]
    assert "".join(c.mark for c in first) == "仄仄平平仄"
    assert a.strict_share == 1.0


def test_pasted_text_with_line_breaks_and_spaces():
    text = "白日依山尽\n黄河入海流\n欲穷千里目 \n更上一层楼"
    assert gelv.analyse_text(text).regular


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "poems.errors.gelv_empty"),
        ("床前明月光，疑是地上霜。", "poems.errors.not_regular"),
        ("床前明月光，疑是地上霜。举头望明月，低头思故乡啊。", "poems.errors.not_regular"),
        ("床前明月光，疑是地上霜。举头望明月，低头思故x。", "poems.errors.gelv_chars"),
    ],
)
def test_bad_pasted_text_is_refused_with_a_message(text, key):
    with pytest.raises(UserError) as err:
        gelv.analyse_text(text)
    assert err.value.key == key


def test_characters_outside_the_table_are_listed_and_undecided():
    a = gelv.analyse(["白日依山尽", "黄河入海囗", "欲穷千里目", "更上一层楼"])
    assert a.unknown == ("囗",)
    assert a.undecided == [(1, 4)] and not a.regular


def test_shares():
    assert gelv.regular_share([gelv.analyse_text(DENGGAO).cells and DENGGAO.replace("，", "。").split("。")[:8]]) == 1.0
    assert gelv.pingshui_rhymes(["床前明月光", "疑是地上霜", "举头望明月", "低头思故乡"])
    with pytest.raises(ValueError):
        gelv.regular_share([])
