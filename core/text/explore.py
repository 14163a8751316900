"""The words explorer in one call: segment → stop words → vocabulary → embedding → similarity."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.errors import UserError
from core.text.embed import DIM, cosine_matrix, one_hot, seeded_embedding
from core.text.segment import Vocabulary, is_stopword, segment

SHOWN_WORDS = 30  # heatmaps show at most this many words (the first ones of the vocabulary)


@dataclass(frozen=True)
class Analysis:
    """Everything the words page draws.

    Attributes:
        tokens: jieba's words, in order (stop words included).
        removed: per token, True when the stop-word filter dropped it.
        vocab: the vocabulary of the kept words.
        ids: the kept words as vocabulary indices.
        vectors: the embedding rows, (V, D).
        similarity: cosine similarity of the embedding rows, (V, V).
        onehot_similarity: cosine similarity of the one-hot vectors (length V) of the first
            n = min(V, SHOWN_WORDS) words, (n, n): the identity. Only the shown words are
            compared because the full (V, V) product costs O(V³) to draw an identity.
    """

    tokens: tuple[str, ...]
    removed: tuple[bool, ...]
    vocab: Vocabulary
    ids: tuple[int, ...]
    vectors: torch.Tensor
    similarity: torch.Tensor
    onehot_similarity: torch.Tensor


def analyse(
    text: str, mode: str = "precise", *, drop_stopwords: bool = False, dim: int = DIM.default, seed: int = 0
) -> Analysis:
    """Segment `text`, optionally drop stop words, index the words and embed them.

    Raises:
        UserError: bad text or mode (see `segment`), bad `dim`, or nothing left after the
            stop-word filter.
    """
    dim = DIM.validate(dim)
    tokens = segment(text, mode)
    removed = tuple(drop_stopwords and is_stopword(t) for t in tokens)
    kept = [t for t, r in zip(tokens, removed, strict=True) if not r]
    if not kept:
        raise UserError("words.errors.all_stopwords", "Every word is a stop word; nothing is left to embed.")
    vocab = Vocabulary.build(kept)
    ids = tuple(vocab.encode(kept))
    with torch.no_grad():
        vectors = seeded_embedding(len(vocab), dim, seed).weight.detach().clone()  # (V, D)
        similarity = cosine_matrix(vectors)  # (V, V)
        shown = min(len(vocab), SHOWN_WORDS)
        onehot_similarity = cosine_matrix(one_hot(range(shown), len(vocab)))  # (n, n)
    return Analysis(tuple(tokens), removed, vocab, ids, vectors, similarity, onehot_similarity)
