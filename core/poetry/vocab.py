"""Character vocabulary: special tokens, line punctuation, then characters by frequency.

Ids 0–3 are ``<pad>``, ``<unk>``, ``<s>`` (start of poem), ``</s>`` (end of poem); 4 and
5 are the line punctuation ``，`` and ``。``; characters follow, most frequent first
(ties by code point, so the order is deterministic). Characters seen fewer than
`min_count` times in training map to ``<unk>``: capping the vocabulary keeps the output
softmax, which dominates the cost of a character RNN, affordable on a CPU.

A conditioned model's vocabulary ends with *control tokens* (``<qijue>``, ``<韵:下平七阳>``, …,
`core.poetry.condition`): several characters long and in angle brackets, after every
character, so the ids of the characters are the same as in the vocabulary they extend.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import torch

from core.poetry.corpus import COMMA, PERIOD, char_counts

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<s>", "</s>"
SPECIALS = (PAD, UNK, BOS, EOS)
PUNCT = (COMMA, PERIOD)
PAD_ID, UNK_ID, BOS_ID, EOS_ID, COMMA_ID, PERIOD_ID = range(6)
FIRST_CHAR_ID = len(SPECIALS) + len(PUNCT)


class Vocab:
    """A token ↔ id map; `encode(poem)` adds ``<s>`` … ``</s>``."""

    def __init__(self, tokens: Sequence[str]):
        tokens = list(tokens)
        if tuple(tokens[:FIRST_CHAR_ID]) != SPECIALS + PUNCT:
            raise ValueError(f"a poem vocabulary starts with {SPECIALS + PUNCT}, got {tokens[:FIRST_CHAR_ID]}")
        if len(set(tokens)) != len(tokens):
            raise ValueError("duplicate tokens in vocabulary")
        self.tokens = tokens
        self.index = {tok: i for i, tok in enumerate(tokens)}
        controls = [i for i, tok in enumerate(tokens) if i >= FIRST_CHAR_ID and is_control(tok)]
        self.char_end = controls[0] if controls else len(tokens)  # characters are ids FIRST_CHAR_ID..char_end-1
        if any(not is_control(tok) for tok in tokens[self.char_end :]):
            raise ValueError("control tokens must come after every character")

    @property
    def controls(self) -> list[str]:
        """The control tokens (empty for a plain vocabulary)."""
        return self.tokens[self.char_end :]

    def with_controls(self, controls: Sequence[str]) -> Vocab:
        """This vocabulary with `controls` appended (those it already has are kept once)."""
        return Vocab(self.tokens + [c for c in controls if c not in self.index])

    @classmethod
    def build(cls, poems: Iterable[str], min_count: int = 1, max_size: int | None = None) -> Vocab:
        """Characters of `poems` seen at least `min_count` times (at most `max_size`)."""
        if min_count < 1:
            raise ValueError(f"min_count must be ≥ 1, got {min_count}")
        counts: Counter[str] = char_counts(poems)
        ranked = sorted((c for c, n in counts.items() if n >= min_count), key=lambda c: (-counts[c], c))
        if max_size is not None:
            ranked = ranked[: max(0, max_size - FIRST_CHAR_ID)]
        return cls([*SPECIALS, *PUNCT, *ranked])

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, char: object) -> bool:
        return isinstance(char, str) and FIRST_CHAR_ID <= self.index.get(char, UNK_ID) < self.char_end

    def id(self, token: str) -> int:
        return self.index.get(token, UNK_ID)

    def encode(self, poem: str, bos: bool = True, eos: bool = True, controls: Sequence[str] = ()) -> list[int]:
        """``<s>``, the `controls` (ids of control tokens), the poem's characters, ``</s>``."""
        ids = [self.index.get(ch, UNK_ID) for ch in poem]
        head = [BOS_ID, *(self.index[c] for c in controls)] if bos else []
        return head + ids + ([EOS_ID] if eos else [])

    def decode(self, ids: Iterable[int], strip: bool = True) -> str:
        """Text of `ids`; `strip` drops ``<s>``/``</s>``/``<pad>`` and control tokens (``<unk>`` stays visible)."""
        out = []
        for i in ids:
            i = int(i)
            if strip and (i in (PAD_ID, BOS_ID, EOS_ID) or i >= self.char_end):
                continue
            out.append(self.tokens[i])
        return "".join(out)

    def char_mask(self) -> torch.Tensor:
        """(V,) bool: True for real characters (not special, not punctuation)."""
        mask = torch.zeros(len(self), dtype=torch.bool)
        mask[FIRST_CHAR_ID : self.char_end] = True
        return mask

    def characters(self) -> list[str]:
        return self.tokens[FIRST_CHAR_ID : self.char_end]


def is_control(token: str) -> bool:
    """A control token: ``<…>``, longer than one character."""
    return len(token) > 2 and token[0] == "<" and token[-1] == ">"
