"""Word vectors: a seeded ``nn.Embedding`` over a vocabulary, one-hot vectors, cosine similarity.

An embedding layer is a lookup table ``W`` of shape (V, D): word ``i`` is row ``W[i]``. That
row is exactly ``one_hot(i) @ W``, so an embedding is a one-hot vector multiplied by a
learnable matrix, a dense D-number summary instead of a sparse V-number one.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from core.registry import Param

DIM = Param("dim", 4, low=1, high=64, step=1)  # the course's example uses embedding_dim=4
COSINE = r"\cos(\mathbf u,\mathbf v)=\frac{\mathbf u\cdot\mathbf v}{\lVert\mathbf u\rVert\,\lVert\mathbf v\rVert}"
EPS = 1e-8  # as torch.nn.functional.cosine_similarity


def seeded_embedding(num_words: int, dim: int = DIM.default, seed: int = 0) -> nn.Embedding:
    """``torch.manual_seed(seed); nn.Embedding(num_words, dim)``, without touching the global RNG.

    nn.Embedding initialises its weight from N(0, 1); the global generator is forked so
    the caller's random state is unchanged.

    Raises:
        UserError: `dim` outside `DIM`'s range.
        ValueError: an empty vocabulary.
    """
    dim = DIM.validate(dim)
    if num_words < 1:
        raise ValueError(f"num_words must be at least 1, got {num_words}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Embedding(num_words, dim)


def one_hot(ids: Sequence[int] | torch.Tensor, num_words: int) -> torch.Tensor:
    """One-hot rows of `ids` as floats, shape (len(ids), num_words)."""
    return F.one_hot(torch.as_tensor(ids, dtype=torch.long), num_words).float()


def cosine_matrix(x: torch.Tensor) -> torch.Tensor:
    """Pairwise cosine similarity of the rows of `x` (N, D) → (N, N).

    Norms are clamped at `EPS` so an all-zero row gives 0, not NaN.
    """
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {tuple(x.shape)}")
    unit = x / x.norm(dim=1, keepdim=True).clamp_min(EPS)  # (N, D)
    return unit @ unit.T  # (N, N)


def off_diagonal(sim: torch.Tensor) -> torch.Tensor:
    """The entries of a square matrix off its diagonal, flattened (the pairs of distinct words)."""
    n = sim.shape[0]
    return sim[~torch.eye(n, dtype=torch.bool, device=sim.device)]


def pair_summary(sim: torch.Tensor) -> tuple[float, float, float]:
    """(lowest, highest, mean |value|) of a similarity matrix's pairs of distinct rows.

    Raises:
        ValueError: fewer than two rows (there is no pair).
    """
    if sim.shape[0] < 2:
        raise ValueError(f"need at least 2 rows for a pair, got {sim.shape[0]}")
    pairs = off_diagonal(sim)
    return float(pairs.min()), float(pairs.max()), float(pairs.abs().mean())


def neighbours(sim: torch.Tensor, i: int, k: int = 5) -> list[tuple[int, float]]:
    """The `k` rows most similar to row `i` (itself excluded), most similar first."""
    scores = sim[i].clone()
    scores[i] = -torch.inf
    k = min(k, sim.shape[0] - 1)
    values, idx = torch.topk(scores, k)
    return [(int(j), float(v)) for j, v in zip(idx, values, strict=True)]
