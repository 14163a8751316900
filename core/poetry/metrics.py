"""Per-character perplexity of a poem model next to a unigram baseline on the same positions.

Only positions whose target is a real, known character count: punctuation is fixed by
the form, ``<s>``/``</s>``/``<pad>`` are structure, and ``<unk>`` lumps hundreds of rare
characters into one cheap class, so counting it would flatter both models.

A conditioned model (`core.poetry.condition`) reads control tokens before the poem: its
form and its rhyme group. It pays for them: each control token's −log p (predicted by the
model itself) is added to the sum, not to N, so what it is told is counted against it and its
perplexity compares with the plain model's (conservatively: the plain model is never charged
for the form, which it learns from the uncounted punctuation).

.. math:: \\mathrm{PPL} = \\exp\\Big(-\\frac{1}{N}\\sum_{t\\in\\mathcal{C}} \\log p(x_t \\mid x_{<t})\\Big)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from core.poetry import condition
from core.poetry.vocab import FIRST_CHAR_ID, UNK_ID, Vocab


def group_by_length(ids: Sequence[Sequence[int]]) -> dict[int, torch.Tensor]:
    """Encoded poems stacked per length: {T: (N_T, T) long}. Regular forms need no padding."""
    groups: dict[int, list[Sequence[int]]] = {}
    for seq in ids:
        groups.setdefault(len(seq), []).append(seq)
    return {n: torch.tensor(rows, dtype=torch.long) for n, rows in sorted(groups.items())}


def counted(targets: torch.Tensor, char_end: int | None = None) -> torch.Tensor:
    """Bool mask of the targets that count: known characters only (ids below `char_end`, controls excluded)."""
    mask = targets >= FIRST_CHAR_ID
    return mask if char_end is None else mask & (targets < char_end)


@torch.no_grad()
def model_nll(model: nn.Module, poems: Sequence[str], vocab: Vocab, batch_size: int = 256) -> tuple[float, int]:
    """(summed negative log-likelihood in nats, number of counted positions)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    total, count = 0.0, 0
    for seqs in group_by_length([condition.encode(vocab, p) for p in poems]).values():
        for start in range(0, len(seqs), batch_size):
            batch = seqs[start : start + batch_size].to(device)
            logits = model(batch[:, :-1])  # (B, T-1, V)
            targets = batch[:, 1:]
            mask = counted(targets, vocab.char_end)
            nll = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")  # (B, T-1)
            total += float(nll[mask | (targets >= vocab.char_end)].sum())  # characters, and controls are paid for
            count += int(mask.sum())
    model.train(was_training)
    return total, count


def perplexity(model: nn.Module, poems: Sequence[str], vocab: Vocab) -> float:
    total, count = model_nll(model, poems, vocab)
    return math.exp(total / max(count, 1))


def unigram_logprobs(train: Sequence[str], vocab: Vocab) -> torch.Tensor:
    """(V,) log p(c) over characters (and ``<unk>``) from training counts, add-one smoothed."""
    counts = torch.zeros(len(vocab), dtype=torch.float64)
    for poem in train:
        ids = torch.tensor(vocab.encode(poem, bos=False, eos=False))
        counts += torch.bincount(ids, minlength=len(vocab)).double()
    support = torch.zeros(len(vocab), dtype=torch.bool)
    support[FIRST_CHAR_ID : vocab.char_end] = True
    support[UNK_ID] = True
    counts = torch.where(support, counts + 1, torch.zeros_like(counts))
    return torch.where(support, (counts / counts.sum()).log(), torch.full_like(counts, -math.inf))


def unigram_perplexity(train: Sequence[str], heldout: Sequence[str], vocab: Vocab) -> float:
    """Perplexity of the unigram model of `train` on the counted positions of `heldout`."""
    logp = unigram_logprobs(train, vocab)
    total, count = 0.0, 0
    for poem in heldout:
        ids = torch.tensor(vocab.encode(poem, bos=False, eos=False))
        ids = ids[counted(ids)]
        total -= float(logp[ids].sum())
        count += ids.numel()
    return math.exp(total / max(count, 1))


def unknown_rate(poems: Sequence[str], vocab: Vocab) -> float:
    """Share of character positions that fall outside the vocabulary."""
    unk = total = 0
    for poem in poems:
        ids = vocab.encode(poem, bos=False, eos=False)
        chars = [i for i in ids if i >= FIRST_CHAR_ID or i == UNK_ID]
        unk += sum(1 for i in chars if i == UNK_ID)
        total += len(chars)
    return unk / max(total, 1)


def heldout_report(model: nn.Module, train: Sequence[str], heldout: Sequence[str], vocab: Vocab) -> dict[str, float]:
    """The figures recorded in a shipped model's meta."""
    ppl = perplexity(model, heldout, vocab)
    uni = unigram_perplexity(train, heldout, vocab)
    return {
        "heldout_ppl": ppl,
        "unigram_ppl": uni,
        "ppl_ratio": ppl / uni,
        "heldout_unk_rate": unknown_rate(heldout, vocab),
    }
