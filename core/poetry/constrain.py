"""Masks for constrained decoding by the 平水韵 and the tonal patterns (格律).

Two rules act on the (n, V) mask of allowed characters at each free slot of `generate`:

- `PingshuiRule` (rhyme by the 平水韵): the last slot of every rhyme line (the even lines;
  with 格律 also the first line when its pattern 入韵) keeps to characters of one 平声
  group. Until the first rhyme character is drawn a poem may take any group with enough
  characters; after it, only the groups every rhyme character so far belongs to (a
  polyphonic character can open several groups; the next rhyme narrows them), and a
  rhyme character is not used twice while the group has others.
- `ToneRule` (格律): each poem draws one of its form's four patterns (`gelv.templates`), and
  every strict slot (二四六 and the last) keeps to characters that can take the pattern's
  tone there. The other slots stay free ("一三五不论").

A group with fewer than `PER_RHYME` known characters per rhyme line of the form is a 险韵
for the model (上平三江 and 下平十五咸 for a 律诗): it would be pushed onto characters it
finds implausible, so such a group is refused with a suggestion when asked for, and not
drawn when the model picks the rhyme itself.
"""

from __future__ import annotations

import torch

from core.errors import UserError
from core.poetry import gelv, pingshui
from core.poetry.corpus import Form
from core.poetry.pingshui import PING
from core.poetry.vocab import FIRST_CHAR_ID, Vocab

PER_RHYME = 4
NEIGHBOURS = {"上平三江": ("下平七阳", "上平二冬"), "下平十五咸": ("下平十四盐", "下平十三覃")}  # 邻韵 of the 险韵


class PingshuiMasks:
    """The vocabulary seen through the 平水韵: (G, V) membership of the 30 平声 groups, (2, V) tone masks."""

    def __init__(self, vocab: Vocab):
        t = pingshui.table()
        rows = [i for i, g in enumerate(t.groups) if g.tone == PING]
        self.names = [t.groups[i].name for i in rows]
        where = {gid: k for k, gid in enumerate(rows)}
        self.member = torch.zeros(len(rows), len(vocab), dtype=torch.bool)  # (G, V)
        self.tone = torch.zeros(2, len(vocab), dtype=torch.bool)  # (平, 仄) × V: can take that tone
        for j, tok in enumerate(vocab.tokens):
            if j < FIRST_CHAR_ID:
                continue
            for gid in t.group_ids(tok):
                if gid in where:
                    self.member[where[gid], j] = True
                self.tone[0 if t.groups[gid].tone == PING else 1, j] = True
        self.sizes = self.member.sum(1)  # (G,)

    def need(self, form: Form, gelv_on: bool) -> int:
        """Known characters a group needs for `form`: `PER_RHYME` per rhyme line (first line counted with 格律)."""
        return PER_RHYME * (form.lines // 2 + (1 if gelv_on else 0))

    def eligible(self, form: Form, gelv_on: bool) -> torch.Tensor:
        """(G,) bool: groups with enough characters for `form`."""
        return self.sizes >= self.need(form, gelv_on)

    def group_index(self, name: str, form: Form, gelv_on: bool) -> int:
        """The index of 平声 group `name`, checked to hold enough characters for `form`.

        Raises:
            UserError: not a 平声 group, or one with too few characters (with suggestions).
        """
        if name not in self.names:
            raise UserError("unknown_name", f"Unknown rhyme group {name!r}; choose from: {', '.join(self.names)}",
                            family="poems.rhyme_groups", value=name, choices=", ".join(self.names))  # fmt: skip
        k = self.names.index(name)
        need = self.need(form, gelv_on)
        if int(self.sizes[k]) < need:
            raise UserError(
                "poems.errors.rhyme_group_small",
                f"{name} has {int(self.sizes[k])} known characters; a {form.name} needs {need}: try"
                f" {' '.join(self.suggest(k, form, gelv_on))}",
                group=name,
                count=int(self.sizes[k]),
                need=need,
                suggestions="、".join(self.suggest(k, form, gelv_on)),
            )
        return k

    def suggest(self, k: int, form: Form, gelv_on: bool, limit: int = 3) -> list[str]:
        """Groups to offer instead of group `k`: its 邻韵 first, then the nearest in table order with enough characters."""
        ok = self.eligible(form, gelv_on)
        near = list(NEIGHBOURS.get(self.names[k], ()))
        near += [self.names[j] for j in sorted(range(len(self.names)), key=lambda j: abs(j - k))]
        return list(dict.fromkeys(n for n in near if n != self.names[k] and bool(ok[self.names.index(n)])))[:limit]


class PingshuiRule:
    """Rhyme slots keep to one 平声 group per poem (see the module docstring).

    Args:
        rhyme_lines: (n, lines) bool, the rhyme lines of each poem.
        group: a fixed group index for every poem, or None (each poem's first rhyme picks it).
    """

    def __init__(self, masks: PingshuiMasks, form: Form, rhyme_lines: torch.Tensor, gelv_on: bool, group: int | None):
        n = rhyme_lines.shape[0]
        self.masks, self.form, self.rhyme_lines = masks, form, rhyme_lines
        if group is None:
            self.active = masks.eligible(form, gelv_on).expand(n, -1).clone()  # (n, G)
        else:
            self.active = torch.zeros(n, len(masks.names), dtype=torch.bool)
            self.active[:, group] = True
        self.used = torch.zeros(n, masks.member.shape[1], dtype=torch.bool)  # (n, V)

    def follow(self, planned: list[str | None]) -> None:
        """Keep each poem to the group a conditioned model planned (`core.poetry.condition`), where it may rhyme in it."""
        for r, name in enumerate(planned):
            if name in self.masks.names:
                k = self.masks.names.index(name)
                if bool(self.active[r, k]):
                    self.active[r] = False
                    self.active[r, k] = True

    def restrict(self, allowed: torch.Tensor, line: int, col: int) -> None:
        if col != self.form.chars - 1:
            return
        rows = self.rhyme_lines[:, line]  # (n,)
        cand = (self.active.float() @ self.masks.member.float()) > 0  # (n, V)
        fresh = cand & ~self.used
        pick = torch.where(fresh.any(-1, keepdim=True), fresh, cand)
        allowed[rows] &= pick[rows].to(allowed.device)

    def record(self, choice: torch.Tensor, line: int, col: int) -> None:
        if col != self.form.chars - 1:
            return
        for r in torch.nonzero(self.rhyme_lines[:, line]).flatten().tolist():
            c = int(choice[r])
            narrowed = self.active[r] & self.masks.member[:, c]
            if bool(narrowed.any()):
                self.active[r] = narrowed
            self.used[r, c] = True

    def group_names(self) -> list[str | None]:
        """Per poem, its 平声 group once narrowed to one (the largest when several remain), else None."""
        out = []
        for r in range(self.active.shape[0]):
            ids = torch.nonzero(self.active[r]).flatten().tolist()
            out.append(self.masks.names[max(ids, key=lambda k: int(self.masks.sizes[k]))] if ids else None)
        return out


class ToneRule:
    """Strict slots keep to the tone of each poem's pattern (see the module docstring)."""

    def __init__(self, masks: PingshuiMasks, form: Form, patterns: list[gelv.Template]):
        self.masks, self.form = masks, form
        self.strict = set(gelv.strict_positions(form.chars))
        self.req = torch.tensor([[[0 if t == PING else 1 for t in line] for line in p.lines] for p in patterns])

    def restrict(self, allowed: torch.Tensor, line: int, col: int) -> None:
        if col in self.strict:
            allowed &= self.masks.tone[self.req[:, line, col]].to(allowed.device)  # (n, V)

    def record(self, choice: torch.Tensor, line: int, col: int) -> None:
        """Nothing to remember: the pattern was fixed up front."""


def pick_patterns(form: Form, n: int, start: list[str], gen: torch.Generator) -> list[gelv.Template]:
    """One pattern per poem, uniformly among those that the given start characters fit best."""
    options = gelv.templates(form)
    strict = gelv.strict_positions(form.chars)
    clashes = [sum(j in strict and gelv.fits(c, t.lines[0][j]) is False for j, c in enumerate(start)) for t in options]
    best = [t for t, k in zip(options, clashes, strict=True) if k == min(clashes)]
    draws = torch.randint(len(best), (n,), generator=gen).tolist()
    return [best[i] for i in draws]


def rhyme_lines(form: Form, patterns: list[gelv.Template] | None, n: int) -> torch.Tensor:
    """(n, lines) bool: each poem's rhyme lines (the even lines, plus the first where its pattern 入韵)."""
    out = torch.zeros(n, form.lines, dtype=torch.bool)
    out[:, 1::2] = True
    if patterns is not None:
        out[:, 0] = torch.tensor([p.first_rhymes for p in patterns])
    return out
