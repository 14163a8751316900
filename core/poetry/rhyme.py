"""Rhyme of Chinese characters: finals from pypinyin, grouped into the 十三辙 rhyme classes.

A character's *final* (韵母) is what is left of its Mandarin syllable once the initial
(声母) is removed, without tone: 光 guāng → ``uang``, 乡 xiāng → ``iang``. Two finals rhyme
when they share a *rhyme class*. We use the 十三辙 (thirteen rhyme tracks) of northern
folk verse and opera, which groups the Mandarin finals like this:

=========  ==========================================
class      finals
=========  ==========================================
发花        a ia ua
梭波        o e uo
乜斜        ie üe ê
一七        i ü er, and the apical -i of zhi/chi/shi/ri/zi/ci/si
姑苏        u
怀来        ai uai
灰堆        ei uei
遥条        ao iao
油求        ou iou
言前        an ian uan üan
人辰        en in uen ün
江阳        ang iang uang
中东        eng ing ueng ong iong
=========  ==========================================

Why 十三辙 and not the modern 中华新韵 (14 rhymes): Tang poets rhymed by the 切韵/平水韵
tradition, in which 支/之 characters such as 时 shí, 知 zhī, 诗 shī rhyme with 期 qī, 离 lí.
Mandarin split those into the apical -i and i; 中华新韵 keeps them apart (支 vs 齐),
十三辙 merges them again (一七辙), which fits Tang verse better. Modern readings cannot
recover every Middle-Chinese rhyme (entering-tone characters such as 月 and 雪 moved
around), so this is an approximation, the same one a reader of Tang poems in Mandarin makes.

Polyphonic characters (多音字) have several readings (pypinyin ``heteronym=True``); a
character belongs to the class of *every* reading, so 斜 (xié / xiá) rhymes with both
乜斜 and 发花, as it must in 远上寒山石径斜 … 白云生处有人家. Characters that are not
Chinese (punctuation, Latin letters, special tokens) have no final and rhyme with nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from pypinyin import Style, pinyin

# Rhyme class → finals. ``ü`` is written as such (pypinyin writes ``v``); ``-i`` is the
# apical vowel of zhi/chi/shi/ri/zi/ci/si, which pypinyin's FINALS style writes as ``i``.
RHYME_CLASSES: dict[str, tuple[str, ...]] = {
    "发花": ("a", "ia", "ua"),
    "梭波": ("o", "e", "uo", "io"),
    "乜斜": ("ie", "üe", "ê"),
    "一七": ("i", "ü", "er", "-i"),
    "姑苏": ("u",),
    "怀来": ("ai", "uai"),
    "灰堆": ("ei", "uei"),
    "遥条": ("ao", "iao"),
    "油求": ("ou", "iou"),
    "言前": ("an", "ian", "uan", "üan"),
    "人辰": ("en", "in", "uen", "ün"),
    "江阳": ("ang", "iang", "uang"),
    "中东": ("eng", "ing", "ueng", "ong", "iong"),
}
FINAL_TO_CLASS: dict[str, str] = {f: name for name, finals in RHYME_CLASSES.items() for f in finals}

_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s")
_APICAL = {"zh", "ch", "sh", "r", "z", "c", "s"}  # their "i" is the apical -i, not i
_PALATAL = {"j", "q", "x"}  # their "u" is ü
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def is_chinese(char: str) -> bool:
    """True for one CJK ideograph (basic block, extension A or compatibility)."""
    return len(char) == 1 and _CJK.match(char) is not None


def syllable_final(syllable: str) -> str:
    """The final of a toneless pinyin syllable: ``"guang"`` → ``"uang"``, ``"shi"`` → ``"-i"``.

    Spelling rules undone: y/w (``yu`` → ü, ``you`` → iou, ``wei`` → uei), ü after j/q/x
    (``ju`` → ü), and the contracted finals iu/ui/un (→ iou/uei/uen). Syllabic nasals
    (``n``, ``ng``, ``m``, ``hm``) and anything not a pinyin syllable give ``""``.
    """
    s = syllable.lower().replace("v", "ü")
    if not s.isalpha() or not all(c.isascii() or c == "ü" for c in s) or s in {"n", "ng", "m", "hm", "hng"}:
        return ""
    if s.startswith("y"):
        rest = s[1:]
        if rest.startswith("u"):  # yu yue yuan yun
            return "ü" + rest[1:]
        return rest if rest.startswith("i") else "i" + rest  # yi yin ying / ya ye yao you yan yang yong
    if s.startswith("w"):
        rest = s[1:]
        return rest if rest.startswith("u") else "u" + rest  # wu / wa wo wai wei wan wen wang weng
    initial = next((i for i in _INITIALS if s.startswith(i) and len(s) > len(i)), "")
    rest = s[len(initial) :]
    if initial in _PALATAL and rest.startswith("u"):
        rest = "ü" + rest[1:]
    if initial in _APICAL and rest == "i":
        return "-i"
    return {"iu": "iou", "ui": "uei", "un": "uen"}.get(rest, rest)


@lru_cache(maxsize=65536)
def readings(char: str) -> tuple[str, ...]:
    """Every final of `char` (one per distinct reading, most common first); ``()`` if not Chinese."""
    if not is_chinese(char):
        return ()
    syllables = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    finals = (syllable_final(s) for s in (syllables[0] if syllables else ()))
    return tuple(dict.fromkeys(f for f in finals if f))


def final(char: str) -> str:
    """The final of `char`'s most common reading (``"光"`` → ``"uang"``); ``""`` for no final."""
    found = readings(char)
    return found[0] if found else ""


@lru_cache(maxsize=65536)
def classes(char: str) -> tuple[str, ...]:
    """The rhyme classes of every reading of `char` (most common reading first)."""
    return tuple(dict.fromkeys(FINAL_TO_CLASS[f] for f in readings(char) if f in FINAL_TO_CLASS))


def rhyme_class(char: str) -> str | None:
    """The rhyme class of `char`'s most common reading (``"光"`` → ``"江阳"``), None if none."""
    found = classes(char)
    return found[0] if found else None


def rhymes(a: str, b: str) -> bool:
    """True when some reading of `a` and some reading of `b` fall into one rhyme class."""
    return bool(set(classes(a)) & set(classes(b)))


def rhyme_classes(chars: Sequence[str]) -> dict[str, list[int]]:
    """Rhyme class → indices into `chars` of the characters in it (for constrained decoding).

    A polyphonic character is listed under every class it can rhyme in; tokens that are not
    a single Chinese character (punctuation, ``<s>``…) are in no class. Every class of
    `RHYME_CLASSES` is a key, possibly with an empty list.
    """
    out: dict[str, list[int]] = {name: [] for name in RHYME_CLASSES}
    for i, char in enumerate(chars):
        for name in classes(char):
            out[name].append(i)
    return out


_LINE_BREAK = re.compile(r"[，。！？；、,.!?;\s]+")


def split_lines(poem: str) -> list[str]:
    """A poem written as one string → its lines (split at ，。！？； and whitespace)."""
    return [line for line in _LINE_BREAK.split(poem) if line]


def last_char(line: str) -> str | None:
    """The last Chinese character of `line` (trailing punctuation ignored), None if none."""
    for char in reversed(line):
        if is_chinese(char):
            return char
    return None


def poem_rhyme(lines: Sequence[str]) -> str | None:
    """The poem's rhyme class: the class shared by most even lines (2nd, 4th, …).

    Each even line votes for every class its last character can rhyme in; ties go to the
    class of the first even line's main reading, then to the class seen first. None when
    no even line ends in a Chinese character.
    """
    ends = [last_char(line) for line in lines[1::2]]
    votes: Counter[str] = Counter()
    order: list[str] = []
    for char in ends:
        for name in classes(char) if char else ():
            votes[name] += 1
            if name not in order:
                order.append(name)
    if not votes:
        return None
    first = next((rhyme_class(c) for c in ends if c and rhyme_class(c)), None)
    return max(order, key=lambda name: (votes[name], name == first, -order.index(name)))


def rhyme_report(lines: Sequence[str]) -> list[dict]:
    """Per line: its last character, that character's final and rhyme class, and whether it rhymes.

    Returns one dict per line with keys

    - ``index``: 0-based line number; ``even``: True for the 2nd, 4th, … line (the lines
      that must rhyme in a 绝句/律诗);
    - ``char``: the last Chinese character (None if the line has none);
    - ``final`` (``""`` if none), ``rhyme_class`` (None if none): of its main reading;
      ``classes``: the classes of all its readings;
    - ``rhymes``: for even lines, whether it can rhyme in the poem's class (`poem_rhyme`);
      None for odd lines;
    - ``in_rhyme``: for every line, whether it can rhyme in the poem's class (an odd line
      that does is 入韵, common for the first line of a 七言 poem).
    """
    target = poem_rhyme(lines)
    report = []
    for i, line in enumerate(lines):
        char = last_char(line)
        found = classes(char) if char else ()
        in_rhyme = target is not None and target in found
        even = i % 2 == 1
        report.append(
            {
                "index": i,
                "even": even,
                "char": char,
                "final": final(char) if char else "",
                "rhyme_class": found[0] if found else None,
                "classes": list(found),
                "rhymes": in_rhyme if even else None,
                "in_rhyme": in_rhyme,
            }
        )
    return report


def poem_rhymes(lines: Sequence[str]) -> bool:
    """True when the poem has at least one even line and every even line rhymes."""
    report = rhyme_report(lines)
    even = [r for r in report if r["even"]]
    return bool(even) and all(r["rhymes"] for r in even)


def rhyme_rate(poems: Iterable[Sequence[str] | str]) -> float:
    """Share of `poems` whose even lines all rhyme (`poem_rhymes`).

    A poem is a list of lines or one string (split with `split_lines`).

    Raises:
        ValueError: `poems` is empty.
    """
    total = hits = 0
    for poem in poems:
        lines = split_lines(poem) if isinstance(poem, str) else list(poem)
        total += 1
        hits += poem_rhymes(lines)
    if total == 0:
        raise ValueError("rhyme_rate needs at least one poem")
    return hits / total
