"""A two-layer network's backward pass written by hand, layer by layer, next to autograd.

Affine → ReLU → Affine → Softmax-with-loss on a tiny random batch (course 002 §4.4–4.7).
Each layer is a small class with ``forward`` and ``backward``, as in the course; the
hand-written backward uses no autograd. The same forward is then run with autograd and
every gradient is compared (maximum absolute difference per parameter and per layer output).

Shapes: x (N, D), W1 (D, H), b1 (H,), W2 (H, C), b2 (C,), t (N,) class labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.registry import Param
from core.threads import single_thread

INPUTS = 3  # D
CLASSES = 3  # C
INIT_STD = 0.5  # large enough that the gradients are not tiny

BATCH = Param("batch", 4, 1, 16, 1)
HIDDEN = Param("hidden", 5, 1, 16, 1)
PRECISION = Param("precision", "float64", choices=("float64", "float32"))
DTYPES = {"float64": torch.float64, "float32": torch.float32}


class Affine:
    """out = x W + b;  dx = dout Wᵀ, dW = xᵀ dout, db = Σₙ dout."""

    def __init__(self, W: torch.Tensor, b: torch.Tensor):
        self.W, self.b = W, b

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        self.dW = self.x.T @ dout
        self.db = dout.sum(0)
        return dout @ self.W.T


class Relu:
    """out = max(0, x);  dx = dout where x > 0, else 0."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.mask = x <= 0
        return x.masked_fill(self.mask, 0.0)

    def backward(self, dout: torch.Tensor) -> torch.Tensor:
        return dout.masked_fill(self.mask, 0.0)


class SoftmaxWithLoss:
    """L = −(1/N) Σₙ log softmax(s)ₙ,ₜₙ;  ds = (softmax(s) − onehot(t)) / N."""

    def forward(self, scores: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        shifted = scores - scores.max(dim=1, keepdim=True).values  # exp cannot overflow
        self.y = shifted.exp() / shifted.exp().sum(dim=1, keepdim=True)
        self.t = t
        n = scores.shape[0]
        return -self.y[torch.arange(n), t].log().mean()

    def backward(self, dout: float = 1.0) -> torch.Tensor:
        n = self.y.shape[0]
        onehot = torch.zeros_like(self.y)
        onehot[torch.arange(n), self.t] = 1.0
        return dout * (self.y - onehot) / n


@dataclass(frozen=True)
class Gradient:
    """One gradient by hand and by autograd.

    Args:
        layer: the layer whose backward produced it (``affine2``, ``relu``, ...).
        name: ``W1``, ``b1``, ... or the layer input it flows back into (``dx``, ``dh``...).
        is_param: a parameter (True) or a gradient passed on to the layer below.
    """

    layer: str
    name: str
    is_param: bool
    hand: torch.Tensor
    autograd: torch.Tensor

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.hand.shape)

    @property
    def max_diff(self) -> float:
        return float((self.hand - self.autograd).abs().max())


@dataclass(frozen=True)
class NetworkCheck:
    """The batch, both losses and every gradient, in backward order."""

    x: torch.Tensor  # (N, D)
    t: torch.Tensor  # (N,)
    loss_hand: float
    loss_autograd: float
    gradients: tuple[Gradient, ...]

    def params(self) -> list[Gradient]:
        return [g for g in self.gradients if g.is_param]


def _batch(batch: int, hidden: int, seed: int, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    data = {
        "x": torch.randn(batch, INPUTS, generator=gen, dtype=torch.float64),
        "W1": INIT_STD * torch.randn(INPUTS, hidden, generator=gen, dtype=torch.float64),
        "b1": INIT_STD * torch.randn(hidden, generator=gen, dtype=torch.float64),
        "W2": INIT_STD * torch.randn(hidden, CLASSES, generator=gen, dtype=torch.float64),
        "b2": INIT_STD * torch.randn(CLASSES, generator=gen, dtype=torch.float64),
    }
    out = {k: v.to(dtype) for k, v in data.items()}
    out["t"] = torch.randint(0, CLASSES, (batch,), generator=gen)
    return out


def two_layer_check(batch: int, hidden: int, precision: str = "float64", seed: int = 0) -> NetworkCheck:
    """Hand-written backward vs autograd for Affine → ReLU → Affine → Softmax-with-loss.

    Args:
        batch: N samples (1…16), hidden: H units (1…16), precision: ``float64`` or ``float32``,
        seed: for the batch, the labels and the weights.
    """
    batch = int(BATCH.validate(batch))
    hidden = int(HIDDEN.validate(hidden))
    dtype = DTYPES[PRECISION.validate(precision)]
    with single_thread():  # a few hundred numbers: thread hand-offs would cost more than the math
        return _check(batch, hidden, dtype, seed)


def _check(batch: int, hidden: int, dtype: torch.dtype, seed: int) -> NetworkCheck:
    d = _batch(batch, hidden, seed, dtype)

    # by hand: forward through the layers, then backward in reverse order, no autograd
    with torch.no_grad():
        affine1, relu, affine2, last = Affine(d["W1"], d["b1"]), Relu(), Affine(d["W2"], d["b2"]), SoftmaxWithLoss()
        loss_hand = last.forward(affine2.forward(relu.forward(affine1.forward(d["x"]))), d["t"])
        d_scores = last.backward()
        d_h = affine2.backward(d_scores)
        d_a1 = relu.backward(d_h)
        d_x = affine1.backward(d_a1)

    # autograd: the same forward with torch's own ops, keeping the intermediate gradients
    leaves = {k: d[k].clone().requires_grad_(True) for k in ("x", "W1", "b1", "W2", "b2")}
    a1 = leaves["x"] @ leaves["W1"] + leaves["b1"]
    h = torch.relu(a1)
    scores = h @ leaves["W2"] + leaves["b2"]
    for tensor in (a1, h, scores):
        tensor.retain_grad()
    loss = torch.nn.functional.cross_entropy(scores, d["t"])
    loss.backward()

    gradients = (
        Gradient("softmax_loss", "d_scores", False, d_scores, scores.grad),
        Gradient("affine2", "W2", True, affine2.dW, leaves["W2"].grad),
        Gradient("affine2", "b2", True, affine2.db, leaves["b2"].grad),
        Gradient("affine2", "d_h", False, d_h, h.grad),
        Gradient("relu", "d_a1", False, d_a1, a1.grad),
        Gradient("affine1", "W1", True, affine1.dW, leaves["W1"].grad),
        Gradient("affine1", "b1", True, affine1.db, leaves["b1"].grad),
        Gradient("affine1", "d_x", False, d_x, leaves["x"].grad),
    )
    return NetworkCheck(d["x"], d["t"], float(loss_hand), float(loss.detach()), gradients)


# each layer's backward rule, for the page
RULES = {
    "softmax_loss": r"\frac{\partial L}{\partial s} = \frac{1}{N}\left(\operatorname{softmax}(s) - T\right)",
    "affine2": r"\frac{\partial L}{\partial W_2} = h^\top \frac{\partial L}{\partial s},\quad "
    r"\frac{\partial L}{\partial b_2} = \sum_n \frac{\partial L}{\partial s_n},\quad "
    r"\frac{\partial L}{\partial h} = \frac{\partial L}{\partial s} W_2^\top",
    "relu": r"\frac{\partial L}{\partial a_1} = \frac{\partial L}{\partial h} \odot [a_1 > 0]",
    "affine1": r"\frac{\partial L}{\partial W_1} = x^\top \frac{\partial L}{\partial a_1},\quad "
    r"\frac{\partial L}{\partial b_1} = \sum_n \frac{\partial L}{\partial a_{1,n}},\quad "
    r"\frac{\partial L}{\partial x} = \frac{\partial L}{\partial a_1} W_1^\top",
}
FORWARD = (
    r"a_1 = x W_1 + b_1,\quad h = \max(0, a_1),\quad s = h W_2 + b_2,\quad "
    r"L = -\frac{1}{N}\sum_n \log \operatorname{softmax}(s_n)_{t_n}"
)
