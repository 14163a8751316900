"""格律 of regulated verse (近体诗): the tonal patterns of 绝句/律诗 and an analyser for a poem.

Every line of a 五言 poem is one of four tonal lines (平 level tone, 仄 oblique)::

    A 仄仄平平仄    B 平平仄仄平    C 平平平仄仄    D 仄仄仄平平

and a 七言 line puts two opposite tones in front (A 平平仄仄平平仄, B 仄仄平平仄仄平,
C 仄仄平平平仄仄, D 平平仄仄仄平平). A poem follows one of four sequences of those lines,
named by the 2nd character of its first line (平起 / 仄起) and by whether the first line
already rhymes (首句入韵)::

    不入韵  A B C D (五言 仄起, 七言 平起)      C D A B (五言 平起, 七言 仄起)
    入韵    D B C D (五言 仄起, 七言 平起)      B D A B (五言 平起, 七言 仄起)

律诗 go on with the 不入韵 sequence of the same start (ABCD ABCD, DBCD ABCD, …). The sequences are the rules of 对
(the two lines of a couplet have opposite tones at the 2nd character) and 粘 (the first line
of a couplet has the tone of the line before it at the 2nd character).

"一三五不论，二四六分明": the 2nd, 4th (and 6th) characters and the last one are *strict*:
a character there outside the pattern is a departure; the other positions may take either
tone. A character with readings in both tones (◎) fits either. The rhyme characters (the
last of every even line, and of the first line when it 入韵) must share one 平声 group of
the 平水韵 (`core.poetry.pingshui`).

What this checker does not know: 拗救 (a departure the poet compensates for elsewhere),
孤平, and which reading of a polyphonic character the poet meant (all readings count), so a
poem it calls regular may still have a flaw a teacher would point out, and a famous poem
with a compensated departure is reported as departing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import UserError
from core.poetry import pingshui
from core.poetry.corpus import Form, form_of
from core.poetry.pingshui import PING, ZE, Group

FIVE = {"A": "仄仄平平仄", "B": "平平仄仄平", "C": "平平平仄仄", "D": "仄仄仄平平"}
SEQUENCES = {False: ("ABCD", "CDAB"), True: ("DBCD", "BDAB")}  # 首句入韵 → the two sequences


def flip(tone: str) -> str:
    return ZE if tone == PING else PING


def tone_line(letter: str, chars: int) -> str:
    """The tonal line `letter` (A–D) for 5 or 7 characters per line."""
    five = FIVE[letter]
    return five if chars == 5 else flip(five[0]) * 2 + five


def strict_positions(chars: int) -> tuple[int, ...]:
    """0-based strict positions of a line: the 2nd, 4th (6th) and the last character."""
    return (1, 3, 4) if chars == 5 else (1, 3, 5, 6)


@dataclass(frozen=True)
class Template:
    """One required pattern: its lines of 平/仄 and its name parts."""

    start: str  # 平 or 仄: the tone of the first line's 2nd character (平起 / 仄起)
    first_rhymes: bool  # 首句入韵
    lines: tuple[str, ...]

    @property
    def key(self) -> str:
        """``"ping_in"``, ``"ze_out"`` …: 平起/仄起 and 首句入韵 or not (for translated labels)."""
        return ("ping" if self.start == PING else "ze") + ("_in" if self.first_rhymes else "_out")

    def rhyme_lines(self) -> tuple[int, ...]:
        """The lines whose last character rhymes: the even ones, and the first when it 入韵."""
        even = tuple(range(1, len(self.lines), 2))
        return ((0,) if self.first_rhymes else ()) + even


def templates(form: Form) -> tuple[Template, ...]:
    """The four patterns of `form` (五言/七言 × 绝句/律诗): 平起/仄起 × 首句入韵 or not."""
    out = []
    for first_rhymes in (False, True):
        for seq, plain in zip(SEQUENCES[first_rhymes], SEQUENCES[False], strict=True):
            letters = (seq + plain)[: form.lines]
            lines = tuple(tone_line(c, form.chars) for c in letters)
            out.append(Template(lines[0][1], first_rhymes, lines))
    return tuple(sorted(out, key=lambda t: (t.start != PING, t.first_rhymes)))


def fits(char: str, tone: str) -> bool | None:
    """Whether `char` can take `tone` (None: not in the table)."""
    found = pingshui.tones(char)
    return (tone in found) if found else None


@dataclass(frozen=True)
class Cell:
    """One character of the analysed poem."""

    char: str
    mark: str  # 平 仄 ◎ (either) ？ (not in the table)
    required: str  # the pattern's tone here
    strict: bool  # a strict position (二四六 and the last)
    ok: bool | None  # fits the required tone (None: not in the table)

    @property
    def departs(self) -> bool:
        return self.strict and self.ok is False


@dataclass(frozen=True)
class Link:
    """粘 or 对 between line `a` and line `a + 1` at the 2nd character."""

    a: int
    kind: str  # "dui" (对, inside a couplet: opposite tones) or "nian" (粘, across couplets: same tone)
    ok: bool | None  # None: a character is not in the table


@dataclass(frozen=True)
class Analysis:
    """The 格律 of one poem against the best-fitting pattern of its form."""

    form: Form
    template: Template
    cells: tuple[tuple[Cell, ...], ...]  # per line, per character
    rhyme_chars: tuple[str, ...]  # in the order of `template.rhyme_lines()`
    rhyme_group: Group | None  # the 平声 group they share, None when none
    links: tuple[Link, ...]
    unknown: tuple[str, ...]  # characters outside the table, in order of appearance

    @property
    def departures(self) -> list[tuple[int, int]]:
        """(line, position) of every strict character outside the pattern."""
        return [(i, j) for i, line in enumerate(self.cells) for j, c in enumerate(line) if c.departs]

    @property
    def undecided(self) -> list[tuple[int, int]]:
        """(line, position) of strict characters outside the table (their tone is unknown)."""
        return [(i, j) for i, line in enumerate(self.cells) for j, c in enumerate(line) if c.strict and c.ok is None]

    @property
    def rhymes(self) -> bool:
        """The rhyme characters share one 平声 group."""
        return self.rhyme_group is not None

    @property
    def regular(self) -> bool:
        """Fully regular: every strict position in pattern (and known) and the rhymes in one 平声 group."""
        return not self.departures and not self.undecided and self.rhymes

    @property
    def verdict(self) -> str:
        """ "regular" (合律); "departs" (rhymes and 粘对 hold, some strict positions depart: 拗/出律);
        "ancient" (古绝/古体: no shared 平声 rhyme, or 失粘/失对)."""
        if self.regular:
            return "regular"
        if self.rhymes and all(link.ok is not False for link in self.links):
            return "departs"
        return "ancient"

    @property
    def strict_share(self) -> float:
        """Share of the strict positions that fit the pattern."""
        strict = [c for line in self.cells for c in line if c.strict]
        return sum(c.ok is True for c in strict) / len(strict)


def _score(lines: Sequence[str], template: Template) -> tuple[int, bool]:
    strict = strict_positions(len(lines[0]))
    hits = sum(bool(fits(line[j], tone[j])) for line, tone in zip(lines, template.lines, strict=True) for j in strict)
    rhyme = [lines[i][-1] for i in template.rhyme_lines()]
    return hits, pingshui.shared_ping_group(rhyme) is not None


def _links(lines: Sequence[str]) -> tuple[Link, ...]:
    out = []
    for a in range(len(lines) - 1):
        x, y = pingshui.tones(lines[a][1]), pingshui.tones(lines[a + 1][1])
        kind = "dui" if a % 2 == 0 else "nian"
        if not x or not y:
            out.append(Link(a, kind, None))
        elif kind == "dui":
            out.append(Link(a, kind, any(s != t for s in x for t in y)))
        else:
            out.append(Link(a, kind, bool(x & y)))
    return tuple(out)


def analyse(lines: Sequence[str]) -> Analysis:
    """The 格律 of a poem given as its lines (4 or 8 lines of 5 or 7 Chinese characters).

    The pattern is the one of the form's four that fits most strict positions; on a tie, the
    one under which the rhyme characters share a 平声 group, then 平起 before 仄起 and 首句不入韵
    before 入韵 (the order of `templates`).

    Raises:
        UserError: not 4 or 8 lines of 5 or 7 characters each.
    """
    lines = [str(line) for line in lines]
    form = check_shape(lines)
    scored = [(_score(lines, t), -k, t) for k, t in enumerate(templates(form))]
    template = max(scored, key=lambda s: (s[0], s[1]))[2]
    strict = strict_positions(form.chars)
    cells = tuple(
        tuple(Cell(c, pingshui.tone_mark(c), tone[j], j in strict, fits(c, tone[j])) for j, c in enumerate(line))
        for line, tone in zip(lines, template.lines, strict=True)
    )
    rhyme = tuple(lines[i][-1] for i in template.rhyme_lines())
    unknown = tuple(dict.fromkeys(c for line in lines for c in line if not pingshui.known(c)))
    return Analysis(form, template, cells, rhyme, pingshui.shared_ping_group(rhyme), _links(lines), unknown)


def check_shape(lines: Sequence[str]) -> Form:
    """The form of `lines`, or a UserError saying why they are not a regular poem."""
    from core.poetry.rhyme import is_chinese

    bad = "".join(dict.fromkeys(c for line in lines for c in line if not is_chinese(c)))
    if bad:
        raise UserError("poems.errors.gelv_chars", f"{bad!r} are not Chinese characters", chars=bad)
    lengths = sorted({len(line) for line in lines})
    form = form_of(lengths[0], len(lines)) if len(lengths) == 1 else None
    if form is None:
        raise UserError(
            "poems.errors.not_regular",
            f"{len(lines)} lines of {'/'.join(map(str, lengths)) or 0} characters: a 绝句/律诗 has 4 or 8 lines"
            " of 5 or 7 characters each",
            lines=len(lines),
            chars="/".join(map(str, lengths)) or "0",
        )
    return form


def analyse_text(text: str) -> Analysis:
    """`analyse` of a pasted poem: lines split at ，。！？；、 and line breaks, spaces ignored.

    Raises:
        UserError: empty, not Chinese, or not a regular shape.
    """
    from core.poetry.rhyme import split_lines

    lines = split_lines(text.replace(" ", "").replace("\u3000", ""))
    if not lines:
        raise UserError("poems.errors.gelv_empty", "paste a poem: 4 or 8 lines of 5 or 7 characters")
    return analyse(lines)


def regular_share(poems: Sequence[Sequence[str]]) -> float:
    """Share of `poems` (each a list of lines) that are fully regular (`Analysis.regular`)."""
    if not poems:
        raise ValueError("regular_share needs at least one poem")
    return sum(analyse(p).regular for p in poems) / len(poems)


def pingshui_rhymes(lines: Sequence[str]) -> bool:
    """The last characters of the even lines share one 平声 group of the 平水韵."""
    return pingshui.shared_ping_group([line[-1] for line in lines[1::2]]) is not None
