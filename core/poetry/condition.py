"""Conditioning tokens: a poem's form and its 平水韵 rhyme group, told to the model before the poem.

A conditioned model reads ``<s> <form> <韵:group> 床前明月光，…</s>``. The form token is the
poem's shape (``<qijue>`` …); the rhyme token is the 平声 group shared by the last characters
of its even lines (`pingshui.shared_ping_group`), or ``<韵:无>`` when they share none (a 仄韵
poem, or one that does not rhyme by the Tang rhyme book). Knowing the group *before* the
first line lets the model plan; the model also feeds what its control tokens said to every
later step (`PoemLM.add_plan`), so the group is in view when it writes the 2nd line's last
character instead of having to survive the whole line in the recurrent state (with the tokens
alone, a GRU fine-tuned on them for two epochs kept to its drawn group in 0–1 % of poems).

When the learner names no group, the decoder lets the model *draw* its rhyme token from its
own distribution after the form token, so free sampling picks a rhyme and keeps to it; when
the learner names one, that token is given.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from core.poetry import pingshui
from core.poetry.corpus import FORMS, Form, poem_form, split_lines
from core.poetry.vocab import FIRST_CHAR_ID, Vocab

RHYME_NONE = "<韵:无>"


def form_token(form: Form | str) -> str:
    return f"<{form if isinstance(form, str) else form.name}>"


def rhyme_token(group: str | None) -> str:
    """``<韵:下平七阳>`` for a 平声 group's name, ``<韵:无>`` for None."""
    return f"<韵:{group}>" if group else RHYME_NONE


def group_of(token: str) -> str | None:
    """The group name of a rhyme token (None for ``<韵:无>``)."""
    return None if token == RHYME_NONE else token[len("<韵:") : -1]


def control_tokens() -> list[str]:
    """Every control token, in a fixed order: the four forms, the 30 平声 groups, then none."""
    return [form_token(f) for f in FORMS] + [rhyme_token(g) for g in pingshui.ping_group_names()] + [RHYME_NONE]


def is_conditioned(vocab: Vocab) -> bool:
    return RHYME_NONE in vocab.index


def rhyme_ids(vocab: Vocab) -> torch.Tensor:
    """(R,) ids of the rhyme tokens, the groups' first and ``<韵:无>`` last."""
    return torch.tensor([vocab.index[t] for t in vocab.controls if t.startswith("<韵:")], dtype=torch.long)


def rhyme_group(lines: Sequence[str]) -> str | None:
    """The 平声 group shared by the last characters of the even lines, None when none is."""
    group = pingshui.shared_ping_group([line[-1] for line in lines[1::2] if line])
    return group.name if group else None


def poem_controls(poem: str) -> list[str]:
    """The control tokens of a whole poem body: its form and its rhyme group."""
    return [form_token(poem_form(poem)), rhyme_token(rhyme_group(split_lines(poem)))]


def controls_for(vocab: Vocab, poem: str) -> list[str]:
    """What a model of `vocab` is told before the whole poem `poem`: its control tokens, or nothing (a plain model)."""
    return poem_controls(poem) if is_conditioned(vocab) else []


def encode(vocab: Vocab, poem: str) -> list[int]:
    """The poem's ids for training and scoring: with its control tokens when the model is conditioned."""
    return vocab.encode(poem, controls=controls_for(vocab, poem))


def extend(model: nn.Module, vocab: Vocab) -> Vocab:
    """Give a plain model (in place) and its vocabulary the control tokens; returns the new vocabulary.

    A rhyme token's embedding starts as the mean embedding of its group's characters (so the
    tokens differ from the first step and each already points at its rhymes); a form token and
    ``<韵:无>`` start at the mean character embedding plus a little noise. The output bias of a
    new token starts at the lowest character bias, so the model does not predict control
    tokens inside poems before it has learnt where they go. The plan layers start at zero:
    the extended model first behaves as the plain one.
    """
    new_vocab = vocab.with_controls(control_tokens())
    extra = len(new_vocab) - len(vocab)
    emb = model.embed.weight.data
    chars = emb[FIRST_CHAR_ID : vocab.char_end]
    table = pingshui.table()
    rows = []
    for token in new_vocab.tokens[len(vocab) :]:
        group = group_of(token) if token.startswith("<韵:") else None
        ids = [vocab.index[c] for c in (table.members[table.by_name(group)] if group else "") if c in vocab]
        rows.append(emb[ids].mean(0) if ids else chars.mean(0) + 0.1 * chars.std() * torch.randn(emb.shape[1]))
    rows = torch.stack(rows)
    model.embed = nn.Embedding.from_pretrained(torch.cat([emb, rows]), freeze=False)
    head = model.head
    new_head = nn.Linear(head.in_features, len(new_vocab))
    if model.tied:
        new_head.weight = model.embed.weight
    else:
        w_rows = head.weight.data[FIRST_CHAR_ID : vocab.char_end]
        new_head.weight.data = torch.cat([head.weight.data, w_rows.mean(0, keepdim=True).expand(extra, -1).clone()])
    low = head.bias.data[FIRST_CHAR_ID : vocab.char_end].min()
    new_head.bias.data = torch.cat([head.bias.data, low.expand(extra).clone()])
    model.head = new_head
    model.add_plan(vocab.char_end)  # starts as the plain model: what the plan adds is learnt
    return new_vocab
