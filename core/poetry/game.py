""" "Real or generated?": a held-out Tang poem beside a generated poem of the same form.

A round is fixed by its seed: the real poem is a seeded draw among the held-out poems of
the form (never seen in training), the generated one is sampled with the decoder's default
settings and the chosen decoding options, and a coin decides which one is shown first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from core.errors import UserError
from core.poetry.corpus import FORM_BY_NAME, poem_form, split_lines
from core.poetry.generate import DECODERS, generate
from core.poetry.vocab import Vocab
from core.threads import single_thread


@dataclass(frozen=True)
class Round:
    """Two poems of one form; `real` is the index (0 or 1) of the real one."""

    form: str
    poems: tuple[list[str], list[str]]
    real: int

    def judge(self, pick: int) -> bool:
        """True when the learner's `pick` (0 or 1) is the real poem."""
        if pick not in (0, 1):
            raise ValueError(f"pick must be 0 or 1, got {pick!r}")
        return pick == self.real


def make_round(
    model: nn.Module,
    vocab: Vocab,
    heldout: Sequence[str],
    form: str,
    seed: int,
    *,
    rhyme: str = "pingshui",
    gelv: bool = True,
    masks=None,
) -> Round:
    """The round of `seed`: a held-out poem of `form` and a generated one, in a seeded order.

    Raises:
        UserError: unknown form, or no held-out poem of that form.
    """
    if form not in FORM_BY_NAME:
        raise UserError("unknown_name", f"Unknown form {form!r}; choose from: {', '.join(FORM_BY_NAME)}",
                        family="poems.forms", value=form, choices=", ".join(FORM_BY_NAME))  # fmt: skip
    pool = [p for p in heldout if poem_form(p).name == form]
    if not pool:
        raise UserError("poems.errors.game_empty", f"no held-out poem of form {form}")
    gen = torch.Generator().manual_seed(int(seed))
    real = split_lines(pool[int(torch.randint(len(pool), (1,), generator=gen))])
    first = int(torch.randint(2, (1,), generator=gen))
    with single_thread():
        (fake,) = generate(model, vocab, form, n=1, seed=int(seed), rhyme=rhyme, gelv=gelv, pingshui_masks=masks,
                           **DECODERS.get("sample").defaults())  # fmt: skip
    poems = (real, fake.lines) if first == 0 else (fake.lines, real)
    return Round(form, poems, first)
