"""The 平水韵 (Pingshui rhyme) table: each character's tone class (平/仄) and rhyme group(s).

Regulated Tang verse (近体诗) follows the Middle-Chinese tones as codified in the 106
rhyme groups of the 平水韵: 30 groups of the level tone (上平 15, 下平 15) make a
character *平*; the rising (上), departing (去) and entering (入) tones make it *仄*.
The entering tone (入声) ended in -p/-t/-k and is gone from Mandarin, which reads some of
its characters in the first or second tone (白 bái, 国 guó, 一 yī, 十 shí, 独 dú): they
are 仄 all the same, which is why a pinyin-tone rule is wrong for Tang verse.

A character with several readings belongs to several groups (看 is 上平十四寒 and
去十五翰) and keeps them all: it can then stand where either tone is wanted.

The table is shipped as data (``core/poetry/data/pingshui.json``, built by
`core.poetry.build_pingshui`; its source and licence are named in the file and in
``pingshui.LICENSE``): traditional characters as in the source plus their simplified forms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "pingshui.json"
PING, ZE = "平", "仄"
TONES = (PING, ZE)


@dataclass(frozen=True)
class Group:
    """One of the 106 rhyme groups: ``Group("下平", "平", "七阳")`` is 下平声七阳."""

    section: str  # 上平 下平 上 去 入
    tone: str  # 平 or 仄
    label: str  # the number and the group's first character, e.g. "七阳"

    @property
    def name(self) -> str:
        """The group's short name, e.g. ``"下平七阳"`` (unique among the 106)."""
        return self.section + self.label

    @property
    def rhyme(self) -> str:
        """The group's own character: ``"阳"`` for 七阳."""
        return self.label.lstrip("一二三四五六七八九十")


@dataclass(frozen=True)
class Table:
    """The loaded table: its groups in order and, per character, the indices of its groups."""

    groups: tuple[Group, ...]
    members: tuple[str, ...]  # characters of each group, same order
    index: dict[str, tuple[int, ...]]
    source: str

    def group_ids(self, char: str) -> tuple[int, ...]:
        return self.index.get(char, ())

    def by_name(self, name: str) -> int:
        for i, g in enumerate(self.groups):
            if g.name == name:
                return i
        raise KeyError(name)


@cache
def table(path: Path = TABLE) -> Table:
    """The 平水韵 table (loaded once)."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    groups, members, index = [], [], {}
    for i, g in enumerate(raw["groups"]):
        groups.append(Group(g["section"], g["tone"], g["label"]))
        members.append(g["chars"])
        for c in g["chars"]:
            index.setdefault(c, []).append(i)
    return Table(tuple(groups), tuple(members), {c: tuple(ids) for c, ids in index.items()}, raw["source"])


def known(char: str) -> bool:
    """True when `char` is in the table."""
    return char in table().index


@cache
def groups(char: str) -> tuple[Group, ...]:
    """Every rhyme group of `char` (``()`` when it is not in the table)."""
    t = table()
    return tuple(t.groups[i] for i in t.group_ids(char))


@cache
def tones(char: str) -> frozenset[str]:
    """The tone classes `char` can take: {平}, {仄}, {平, 仄} (several readings) or {} (not in the table)."""
    return frozenset(g.tone for g in groups(char))


def ping_groups(char: str) -> tuple[Group, ...]:
    """The level-tone (平声) groups of `char`: where it can rhyme in regulated verse."""
    return tuple(g for g in groups(char) if g.tone == PING)


def tone_mark(char: str) -> str:
    """One mark for display: 平, 仄, ◎ (either: several readings) or ？ (not in the table)."""
    found = tones(char)
    if len(found) == 2:
        return "◎"
    return next(iter(found)) if found else "？"


def shared_ping_group(chars: list[str] | tuple[str, ...]) -> Group | None:
    """A 平声 group every one of `chars` belongs to (the largest such group), None when there is none."""
    if not chars:
        return None
    common = set.intersection(*(set(ping_groups(c)) for c in chars))
    if not common:
        return None
    sizes = {g: len(chars) for g, chars in zip(table().groups, table().members, strict=True)}
    return max(common, key=lambda g: (sizes[g], g.name))


def ping_group_names() -> list[str]:
    """The 30 平声 groups' names in table order (上平一东 … 下平十五咸)."""
    return [g.name for g in table().groups if g.tone == PING]
