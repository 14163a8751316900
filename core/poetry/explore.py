"""What the poems page shows, computed: the model card, a batch of poems, the model's view of
the next character, the embedding map, and the poems a live run trains on.

The page only reads widgets and draws; every number, every check that can fail with a
message (`UserError`) and every index into the vocabulary is here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from core.errors import UserError
from core.models import count_params
from core.poetry import condition
from core.poetry.constrain import PingshuiMasks
from core.poetry.corpus import FORM_BY_NAME
from core.poetry.generate import (
    DECODERS,
    MAX_CANDIDATES,
    Poem,
    RhymeMasks,
    embedding_matrix,
    generate,
    nearest,
    next_char_distribution,
    pca_2d,
    temperature_curves,
)
from core.poetry.train import LIVE, pick_subset
from core.poetry.vocab import FIRST_CHAR_ID, Vocab
from core.threads import single_thread

MODES = ("start", "acrostic")  # the poem opens with given characters, or every line with one (藏头诗)
SOURCES = ("tang", "upload")  # a live run trains on part of the Tang corpus or on an uploaded file
THINK_TEMPERATURES = (0.5, 1.0, 2.0)  # drawn beside the learner's own temperature
TEMPERATURE = DECODERS.get("sample").param("temperature")  # the think tab's slider: the decoder's own spec
MAX_BATCH = MAX_CANDIDATES // 4  # candidates the page offers (a batch of 16 still draws in a blink)
TOP = 10  # next characters drawn in the think chart
PCA_CHARS = 250  # most frequent characters drawn in the embedding map
NEIGHBOURS = 10
BATCHES_PER_SEED = 1000  # "New batch" presses per sidebar seed before two seeds share a sampling seed


def model_card(model: nn.Module, vocab: Vocab, meta: Mapping[str, Any]) -> dict[str, Any]:
    """The shipped model's facts: cell, parameter count, vocabulary size and held-out metrics.

    Metrics missing from `meta` are NaN (the text still reads, with "nan").
    Keys: cell, params, vocab, chars (real characters, without specials and punctuation),
    ppl, unigram, ratio, unk (the share of held-out characters outside the vocabulary).
    """
    metrics = meta.get("metrics", {})
    return {
        "cell": str(model.cell).upper(),
        "params": count_params(model),
        "vocab": len(vocab),
        "chars": len(vocab.characters()),
        "ppl": metrics.get("heldout_ppl", math.nan),
        "unigram": metrics.get("unigram_ppl", math.nan),
        "ratio": metrics.get("ppl_ratio", math.nan),
        "unk": metrics.get("heldout_unk_rate", math.nan),
    }


def batch_seed(seed: int, batch: int) -> int:
    """The sampling seed of the `batch`-th "New batch" press under the sidebar's `seed`."""
    return int(seed) * BATCHES_PER_SEED + int(batch)


def write(
    model: nn.Module,
    vocab: Vocab,
    form: str,
    mode: str,
    text: str,
    *,
    n: int,
    decoder: str,
    values: Mapping[str, Any],
    seed: int,
    rhyme: bool | str,
    masks: RhymeMasks | None = None,
    gelv: bool = False,
    rhyme_group: str | None = None,
    pingshui_masks: PingshuiMasks | None = None,
) -> list[Poem]:
    """`n` poems of `form` that open with `text` (mode "start") or carry it as line heads ("acrostic").

    `values` are the decoder's raw widget values, validated once by `generate` against the
    decoder's spec. The model is tiny, so it runs on one intra-op thread (on a busy 2-core
    server two threads made a batch 10× slower: every op waits for the other thread).

    Raises:
        UserError: unknown form or mode, no head characters, or what `generate` refuses.
    """
    if mode not in MODES:
        raise UserError("unknown_name", f"Unknown mode {mode!r}; choose from: {', '.join(MODES)}",
                        family="poems.modes", value=mode, choices=", ".join(MODES))  # fmt: skip
    if form not in FORM_BY_NAME:
        raise UserError("unknown_name", f"Unknown form {form!r}; choose from: {', '.join(FORM_BY_NAME)}",
                        family="poems.forms", value=form, choices=", ".join(FORM_BY_NAME))  # fmt: skip
    lines = FORM_BY_NAME[form].lines
    if mode == "acrostic" and not text.strip():
        raise UserError("poems.errors.empty", "enter one head character per line", lines=lines)
    opening = {"start": text} if mode == "start" else {"heads": text}
    with single_thread():
        return generate(model, vocab, form, n=n, decoder=decoder, seed=seed, rhyme=rhyme, rhyme_masks=masks,
                        gelv=gelv, rhyme_group=rhyme_group or None, pingshui_masks=pingshui_masks,
                        **opening, **dict(values))  # fmt: skip


@dataclass(frozen=True)
class Thought:
    """The model's next-character distribution at one position of a poem.

    Attributes:
        prefix: the text before the position; the model scores what comes after it.
        chosen: the character actually written at the position.
        labels: the `TOP` most likely next characters at T = 1, most likely first.
        temperatures: the temperatures drawn, ascending (`THINK_TEMPERATURES` and the learner's).
        curves: per temperature, the probabilities of `labels` (same order).
        probability: p(chosen) at T = 1, over the whole vocabulary.
        rank: 1 + the number of tokens the model scores higher than `chosen`.
    """

    prefix: str
    chosen: str
    labels: list[str]
    temperatures: list[float]
    curves: dict[float, list[float]]
    probability: float
    rank: int


def think(model: nn.Module, vocab: Vocab, text: str, position: int, temperature: float) -> Thought:
    """What the model expects at `position` of `text` (a whole poem with its punctuation).

    `temperature` is validated against the sampling decoder's spec (`TEMPERATURE`).

    Raises:
        UserError: `temperature` outside the spec; `position` not in the text.
    """
    temperature = float(TEMPERATURE.validate(temperature))
    if not 0 <= position < len(text):
        raise UserError("poems.errors.position", f"position {position} outside 0..{len(text) - 1}",
                        position=position + 1, length=len(text))  # fmt: skip
    prefix, chosen = text[:position], text[position]
    with single_thread():
        logits = next_char_distribution(model, vocab, prefix, condition.controls_for(vocab, text))  # (V,)
    temperatures = sorted({*THINK_TEMPERATURES, temperature})
    ids, curves = temperature_curves(logits, temperatures, k=TOP)
    target = vocab.id(chosen)
    return Thought(
        prefix=prefix,
        chosen=chosen,
        labels=[vocab.tokens[i] for i in ids],
        temperatures=temperatures,
        curves=curves,
        probability=float(logits.softmax(-1)[target]),
        rank=int((logits > logits[target]).sum()) + 1,
    )


def embedding_map(model: nn.Module, vocab: Vocab) -> torch.Tensor:
    """(C, 2): every character's embedding (specials, punctuation and controls left out) on its two leading PCs.

    Row i is the character ``vocab.characters()[i]``, most frequent first.
    """
    return pca_2d(embedding_matrix(model)[FIRST_CHAR_ID : vocab.char_end])


@dataclass(frozen=True)
class Neighbourhood:
    """A character and its nearest characters by cosine similarity of their embeddings.

    Attributes:
        chars: the chosen character, then its neighbours, nearest first.
        rows: each one's row in `embedding_map`.
        similarity: the neighbours' cosine similarities (one fewer than `chars`).
    """

    chars: list[str]
    rows: list[int]
    similarity: list[float]


def neighbourhood(model: nn.Module, vocab: Vocab, char: str, k: int = NEIGHBOURS) -> Neighbourhood:
    """`char` (spaces around it ignored) and its `k` nearest characters, with their map rows.

    Raises:
        UserError: not exactly one known Chinese character.
    """
    target = char.strip()
    near = nearest(model, vocab, target, k=k)
    chars = [target] + [c for c, _ in near]
    return Neighbourhood(chars, [vocab.id(c) - FIRST_CHAR_ID for c in chars], [s for _, s in near])


def live_plan(
    values: Mapping[str, Any],
    source: str,
    *,
    tang: Callable[[], Sequence[str]],
    forms: Sequence[str],
    uploaded: Sequence[str] | None,
    seed: int,
) -> tuple[list[str], dict[str, Any]]:
    """The poems a live run trains on and its settings, validated once against the live spec.

    Args:
        values: raw widget values of `LIVE["small"]`.
        source: "tang" (a seeded subset of `tang()`'s poems of `forms`) or "upload".
        tang: the Tang training split, read only when it is the source.
        uploaded: the parsed upload's poems (None: no file chosen).

    Raises:
        UserError: a bad setting, no poem of the chosen forms, or no file uploaded.
    """
    settings = LIVE.get("small").resolve(values)
    limit = int(settings["max_poems"])
    if source not in SOURCES:
        raise UserError("unknown_name", f"Unknown source {source!r}; choose from: {', '.join(SOURCES)}",
                        family="poems.sources", value=source, choices=", ".join(SOURCES))  # fmt: skip
    if source == "tang":
        return pick_subset(tang(), forms, limit, seed), settings
    if uploaded is None:
        raise UserError("poems.errors.no_upload", "choose a text file first")
    return list(uploaded[:limit]), settings
