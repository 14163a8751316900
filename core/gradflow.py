"""Gradient-flow lab: one seeded forward + backward pass through a deep MLP, measured layer by layer.

The network is ``depth`` blocks of ``Linear(width, width) → [BatchNorm | LayerNorm] → f``,
optionally residual (``h ← h + f(norm(W h))``), then a ``Linear(width, classes)`` read-out
trained against random labels with cross-entropy: a real loss, so the weight gradients are
the ones an optimizer would see on its first step.

Per layer l we record the mean and std of the block output h_l, the std of ∂L/∂W_l, the
fraction of dead units (rectifiers: f′ = 0 for every sample of the batch) and the fraction
of saturated pre-activations (sigmoid-like: f′ below 5 % of its peak), then a computed
`verdict`: healthy, vanishing/exploding activations or gradients from layer k, or saturated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from core.activations import ACTIVATIONS, Activation
from core.errors import UserError
from core.initializers import INITIALIZERS, Initializer, Theory, init_module_, with_nonlinearity
from core.registry import Param

DEPTH_MAX = 100
WIDTH_MAX = 1024
BATCH_MAX = 1024
BATCH_MIN = 2  # BatchNorm needs two samples to have a variance
CLASSES = 10
INPUTS = ("normal", "uniform", "positive")
NORMS = ("none", "batchnorm", "layernorm")

# Verdict thresholds. FACTOR: two orders of magnitude is where a layer learns ~100× slower
# (or faster) than another with one learning rate, the practical meaning of vanishing/exploding.
FACTOR = 100.0
SATURATION_DERIVATIVE = 0.05  # a pre-activation is saturated where f′ < 5 % of f′'s peak
SATURATED_LAYER = 0.5  # a layer is saturated when at least half of its pre-activations are
DEAD_LAYER = 0.5  # noted when at least half of a layer's units are dead

# The lab's own settings (labels: ``initializers.params.<name>``). Depth, width and batch are
# typed numbers (not sliders) so an out-of-range value reaches `check` and its message.
CAP = "initializers.errors.cap"
LAB_PARAMS = (
    Param("depth", 20, 1, DEPTH_MAX, step=1, typed=True, range_key=CAP),
    Param("width", 256, 1, WIDTH_MAX, step=16, typed=True, range_key=CAP),
    Param("batch", 128, BATCH_MIN, BATCH_MAX, step=16, typed=True, range_key=CAP),
    Param("input", "normal", choices=INPUTS),
    Param("norm", "none", choices=NORMS),
    Param("residual", False),
    Param("recommended_gain", False),
)
HEATMAP_BINS = 60
HIST_SAMPLE = 8_192  # elements per layer used for the distribution views (a strided subsample)


def lab_activations() -> list[str]:
    """Activations the lab can stack: the elementwise ones (softmax normalises across units)."""
    return [e.name for e in ACTIVATIONS if e.elementwise]


@dataclass(frozen=True)
class LabConfig:
    """Everything one lab run depends on (validated by `check`)."""

    initializer: str = "kaiming_normal"
    init_params: tuple[tuple[str, Any], ...] = ()
    activation: str = "relu"
    activation_params: tuple[tuple[str, Any], ...] = ()
    depth: int = 20
    width: int = 256
    batch: int = 128
    input: str = "normal"
    norm: str = "none"
    residual: bool = False
    recommended_gain: bool = False  # take the gain for `activation` from calculate_gain
    seed: int = 0

    @classmethod
    def make(cls, initializer: str, init_params: dict | None = None, activation: str = "relu",
             activation_params: dict | None = None, **settings: Any) -> LabConfig:  # fmt: skip
        """A checked config from plain dicts (the page's raw widget values)."""
        config = cls(
            initializer=initializer,
            init_params=tuple(sorted((init_params or {}).items())),
            activation=activation,
            activation_params=tuple(sorted((activation_params or {}).items())),
            **settings,
        )
        config.check()
        return config

    def check(self) -> None:
        """Raise UserError for an unknown name, a bad parameter or a value beyond the caps."""
        for p in LAB_PARAMS:
            p.validate(getattr(self, p.name))
        self.init_values()
        self.act_values()

    @property
    def entry(self) -> Initializer:
        return INITIALIZERS.get(self.initializer)

    @property
    def act(self) -> Activation:
        act = ACTIVATIONS.get(self.activation)
        if not act.elementwise:
            raise UserError(
                "initializers.errors.not_elementwise",
                f"{self.activation} is not elementwise",
                name=self.activation,
            )
        return act

    def act_values(self) -> dict[str, Any]:
        return self.act.values(dict(self.activation_params))

    def init_values(self) -> dict[str, Any]:
        """The initializer's validated parameters, with the activation's gain when asked."""
        params = dict(self.init_params)
        if self.recommended_gain:
            slope = self.act_values().get("negative_slope")
            params = with_nonlinearity(self.initializer, params, self.activation, slope)
        return self.entry.resolve(params)


def _linear(n_in: int, n_out: int, skip_init: bool) -> nn.Linear:
    # skip_init leaves the memory unfilled: drawing PyTorch's default first would double the cost.
    return nn.utils.skip_init(nn.Linear, n_in, n_out) if skip_init else nn.Linear(n_in, n_out)


class Block(nn.Module):
    """``h ↦ f(norm(W h + b))``, plus ``h`` when residual. Returns (output, pre-activation)."""

    def __init__(self, width: int, act: nn.Module, norm: str, residual: bool, skip_init: bool = False):
        super().__init__()
        self.linear = _linear(width, width, skip_init)
        self.norm = {"none": nn.Identity, "batchnorm": nn.BatchNorm1d, "layernorm": nn.LayerNorm}[norm]
        self.norm = self.norm() if norm == "none" else self.norm(width)
        self.act = act
        self.residual = residual

    def forward(self, h: Tensor) -> tuple[Tensor, Tensor]:
        z = self.norm(self.linear(h))  # (B, W)
        a = self.act(z)
        return (h + a if self.residual else a), z


class Stack(nn.Module):
    """`depth` blocks and a linear read-out; `trace` keeps every block's output and pre-activation."""

    def __init__(self, config: LabConfig):
        super().__init__()
        act = config.act
        values = config.act_values()
        skip = config.initializer != "torch_default"  # init_module_ overwrites the default init anyway
        self.blocks = nn.ModuleList(
            Block(config.width, act.module(**values), config.norm, config.residual, skip) for _ in range(config.depth)
        )
        self.head = _linear(config.width, CLASSES, skip)

    def trace(self, x: Tensor) -> tuple[Tensor, list[Tensor], list[Tensor]]:
        outputs, pre = [], []
        h = x
        for block in self.blocks:
            h, z = block(h)
            outputs.append(h)
            pre.append(z)
        return self.head(h), outputs, pre

    def forward(self, x: Tensor) -> Tensor:
        return self.trace(x)[0]


def make_input(kind: str, batch: int, width: int, generator: torch.Generator) -> Tensor:
    """(batch, width) inputs: N(0,1), U(−√3, √3) (also unit variance) or U(0,1) (positive, like pixels)."""
    if kind == "normal":
        return torch.randn(batch, width, generator=generator)
    if kind == "uniform":
        return (torch.rand(batch, width, generator=generator) * 2 - 1) * math.sqrt(3)
    if kind == "positive":
        return torch.rand(batch, width, generator=generator)
    raise UserError("param_choice", f"input={kind!r}", name="input", value=kind, choices=", ".join(INPUTS))


def build(config: LabConfig, device: torch.device | str = "cpu") -> Stack:
    """The lab's network, initialized with the config's scheme under its seed (global RNG untouched)."""
    config.check()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed + 1)  # weights: independent of the input's stream
        model = Stack(config)
        init_module_(model, config.initializer, config.init_values())
    return model.to(device)


# --------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Finding:
    """One problem: kind is vanishing / exploding / saturated / dead; signal activations / gradients."""

    kind: str
    signal: str
    layer: int  # 1-based


@dataclass(frozen=True)
class Verdict:
    """The headline (`kind`, `signal`, `layer`) and every finding behind it."""

    kind: str  # healthy | vanishing | exploding | saturated
    signal: str | None = None
    layer: int | None = None
    findings: tuple[Finding, ...] = ()

    @property
    def key(self) -> str:
        """i18n key under ``initializers.verdicts``."""
        return self.kind if self.signal is None or self.kind == "saturated" else f"{self.kind}_{self.signal}"


@dataclass(frozen=True)
class Heatmap:
    """Per-layer histograms on shared bins: ``share[l, j]`` is the fraction of layer l's values in bin j."""

    edges: np.ndarray  # (bins + 1,)
    share: np.ndarray  # (L, bins)
    scale: str  # "linear" (x) or "log" (log10 |x|; exact zeros are left out)

    @property
    def centers(self) -> np.ndarray:
        return (self.edges[:-1] + self.edges[1:]) / 2


@dataclass(frozen=True)
class WeightView:
    """A layer's weight histogram and the scheme's theoretical density for that shape."""

    layer: int
    edges: np.ndarray
    density: np.ndarray  # histogram normalised as a density
    theory: Theory
    grid: np.ndarray
    pdf: np.ndarray
    mean: float
    std: float


@dataclass(frozen=True)
class Blank:
    """Layers whose statistic has no size to show: exactly 0 (the signal died) or inf/NaN (it overflowed).

    A log axis cannot place 0 and no axis can place NaN, so a page explains these instead of
    drawing an empty chart. `runs` are 1-based inclusive layer ranges, e.g. ((46, 50),).
    """

    signal: str  # "activations" (std of h_l) | "gradients" (std of ∂L/∂W_l)
    kind: str  # "zero" | "nonfinite"
    runs: tuple[tuple[int, int], ...]
    every_layer: bool


def layer_runs(mask: np.ndarray) -> tuple[tuple[int, int], ...]:
    """The 1-based inclusive ranges of consecutive True entries: [F, T, T, F, T] → ((2, 3), (5, 5))."""
    runs, start = [], None
    for i, hit in enumerate(np.asarray(mask, bool)):
        if hit and start is None:
            start = i + 1
        elif not hit and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(mask)))
    return tuple(runs)


def blanks(act_std: np.ndarray, grad_std: np.ndarray) -> tuple[Blank, ...]:
    """Every run of layers whose activation or gradient std is exactly 0 or not finite."""
    found = []
    for signal, values in (("activations", act_std), ("gradients", grad_std)):
        values = np.asarray(values, float)
        for kind, mask in (("nonfinite", ~np.isfinite(values)), ("zero", values == 0)):
            if mask.any():
                found.append(Blank(signal, kind, layer_runs(mask), bool(mask.all())))
    return tuple(found)


@dataclass
class LabResult:
    """Per-layer arrays (length depth, index 0 = layer 1) and everything derived from them."""

    config: LabConfig
    input_std: float
    loss: float
    act_mean: np.ndarray
    act_std: np.ndarray
    grad_std: np.ndarray  # std of ∂L/∂W_l
    dead: np.ndarray | None  # None: the activation cannot die (not a rectifier)
    saturated: np.ndarray | None  # None: the activation does not saturate
    verdict: Verdict
    heatmaps: dict[str, Heatmap] = field(default_factory=dict)  # "activations"/"gradients" × scale
    weights: WeightView | None = None

    @property
    def grad_ratio(self) -> float | None:
        """std ∂L/∂W_1 / std ∂L/∂W_L, or None where it has no value (last layer's 0, or either inf/NaN)."""
        first, last = float(self.grad_std[0]), float(self.grad_std[-1])
        if not (math.isfinite(first) and math.isfinite(last)) or last == 0:
            return None
        return first / last

    @property
    def blanks(self) -> tuple[Blank, ...]:
        """Layers whose statistics are exactly 0 or inf/NaN (see `Blank`)."""
        return blanks(self.act_std, self.grad_std)


# ------------------------------------------------------------------------------------ properties


def _derivative_peak(act: Activation, values: dict) -> tuple[float, float, float]:
    """(max |f′| on [−10, 10], |f′(−50)|, |f′(50)|) from the closed-form derivative."""
    x = torch.linspace(-10, 10, 2001)
    peak = float(act.derivative(x, **values).abs().max())
    tails = act.derivative(torch.tensor([-50.0, 50.0]), **values).abs()
    return peak, float(tails[0]), float(tails[1])


def saturates(act: Activation, values: dict) -> bool:
    """f′ dies out on both sides (sigmoid, tanh, hardtanh, softsign, ...): saturation is possible."""
    peak, left, right = _derivative_peak(act, values)
    return peak > 0 and left < SATURATION_DERIVATIVE * peak and right < SATURATION_DERIVATIVE * peak


def rectifies(act: Activation, values: dict) -> bool:
    """f is exactly flat for every negative input (ReLU, ReLU6): a unit can die."""
    x = -torch.logspace(-3, 2, 50)
    return bool(torch.all(act.fn(x, **values) == act.fn(x[:1], **values)))


# ------------------------------------------------------------------------------------ statistics


def _subsample_all(values: list[Tensor], limit: int = HIST_SAMPLE) -> Tensor:
    """(L, S) float32 CPU samples of every layer; one copy of only the sampled elements."""
    n = min(v.numel() for v in values)
    step = max(1, n // limit)
    size = min(limit, -(-n // step))
    rows = torch.stack([v.detach().reshape(-1)[::step][:size] for v in values])
    return rows.float().cpu()


def layer_histograms(values: list[Tensor], scale: str = "linear", bins: int = HEATMAP_BINS) -> Heatmap:
    """Histograms of each layer's values on one shared set of bins (a layer × value heatmap).

    linear: bins span the layers' pooled range, clipped to mean ± 4 std per layer so one
    outlier does not squash the picture (clipped values land in the edge bins).
    log: bins over log10 |x| of the non-zero finite values (vanishing and exploding are
    orders of magnitude, which a linear axis cannot show side by side).
    Each row is a fraction of all the layer's sampled values (non-finite, and for log
    exact zeros, are counted in no bin).
    """
    data = _subsample_all(values)  # (L, S)
    if scale == "log":
        data = torch.log10(data.abs())  # 0 → −inf, dropped below with the non-finite
    ok = torch.isfinite(data)  # (L, S)
    data = torch.where(ok, data, torch.nan)
    if bool(ok.any()):
        mean = torch.nanmean(data, 1)  # (L,) NaN for a layer with no finite value
        std = torch.nanmean((data - mean[:, None]) ** 2, 1).sqrt()
        rows = ok.any(1)
        lo = max(float(torch.where(ok, data, torch.inf).amin()), float((mean - 4 * std)[rows].amin()))
        hi = min(float(torch.where(ok, data, -torch.inf).amax()), float((mean + 4 * std)[rows].amax()))
    else:
        lo, hi = -1.0, 1.0
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    index = ((data.clamp(lo, hi) - lo) * (bins / (hi - lo))).nan_to_num(0).long().clamp(0, bins - 1)  # (L, S)
    counts = torch.zeros(data.shape[0], bins).scatter_add_(1, index, ok.float())
    return Heatmap(edges, (counts / data.shape[1]).numpy(), scale)


def weight_view(config: LabConfig, model: Stack, layer: int, bins: int = 80) -> WeightView:
    """Histogram of layer `layer`'s weights (1-based) next to the scheme's theoretical density."""
    if not 1 <= layer <= len(model.blocks):
        raise UserError("initializers.errors.cap", f"layer={layer}", variant="layer", name="layer", value=layer,
                        low=1, high=len(model.blocks))  # fmt: skip
    w = model.blocks[layer - 1].linear.weight.detach().cpu().reshape(-1).double()
    theory = config.entry.theory(tuple(model.blocks[layer - 1].linear.weight.shape), **config.init_values())
    lo, hi = float(w.min()), float(w.max())
    if theory.low is not None and theory.high is not None:
        lo, hi = min(lo, theory.low), max(hi, theory.high)
    if not hi > lo:
        lo, hi = lo - 0.5, hi + 0.5
    pad = 0.05 * (hi - lo)
    counts = torch.histc(w, bins=bins, min=lo - pad, max=hi + pad).numpy()
    edges = np.linspace(lo - pad, hi + pad, bins + 1)
    density = counts / (w.numel() * (edges[1] - edges[0]))
    grid = np.linspace(lo - pad, hi + pad, 400)
    return WeightView(layer, edges, density, theory, grid, theory.pdf(grid), float(w.mean()), float(w.std()))


def layer_weights(config: LabConfig, layer: int, device: torch.device | str = "cpu") -> WeightView:
    """`run_lab(config, layer=layer).weights` without the forward and backward pass.

    The weights are drawn at `build` under the config's seed, before any data passes, so the
    rebuilt network holds the very weights `run_lab` measured: a layer slider needs only this.
    """
    return weight_view(config, build(config, device), layer)


def run_lab(
    config: LabConfig, device: torch.device | str = "cpu", *, layer: int | None = None, heatmaps: bool = True
) -> LabResult:
    """One seeded forward + backward pass; every per-layer statistic, the verdict and the views.

    Args:
        layer: 1-based layer whose weight histogram to return (None: no weight view).
        heatmaps: also compute the layer × value distributions (linear and log scale).
    """
    model = build(config, device)
    model.train()
    act, values = config.act, config.act_values()
    generator = torch.Generator().manual_seed(config.seed)
    x = make_input(config.input, config.batch, config.width, generator).to(device)  # (B, W)
    y = torch.randint(0, CLASSES, (config.batch,), generator=generator).to(device)  # (B,)
    logits, outputs, pre = model.trace(x)
    loss = nn.functional.cross_entropy(logits, y)
    loss.backward()
    grads = [block.linear.weight.grad for block in model.blocks]  # (W, W) each

    with torch.no_grad():
        act_mean = np.array([float(h.mean()) for h in outputs])
        act_std = np.array([float(h.std()) for h in outputs])
        grad_std = np.array([float(g.std()) for g in grads])
        dead = saturated = None
        if rectifies(act, values):
            # a unit is dead when f′ is 0 for every sample: no gradient reaches its weights
            dead = np.array([float((act.derivative(z, **values) == 0).all(dim=0).float().mean()) for z in pre])
        if saturates(act, values):
            peak = _derivative_peak(act, values)[0]
            limit = SATURATION_DERIVATIVE * peak
            saturated = np.array([float((act.derivative(z, **values).abs() < limit).float().mean()) for z in pre])
        input_std = float(x.std())
        result = LabResult(
            config=config,
            input_std=input_std,
            loss=loss.item(),
            act_mean=act_mean,
            act_std=act_std,
            grad_std=grad_std,
            dead=dead,
            saturated=saturated,
            verdict=verdict(act_std, grad_std, input_std, saturated, dead),
        )
        if heatmaps:
            for scale in ("linear", "log"):
                result.heatmaps[f"activations.{scale}"] = layer_histograms(outputs, scale)
                result.heatmaps[f"gradients.{scale}"] = layer_histograms(grads, scale)
        if layer is not None:
            result.weights = weight_view(config, model, layer)
    return result


# --------------------------------------------------------------------------------------- verdict


def verdict(
    act_std: np.ndarray,
    grad_std: np.ndarray,
    input_std: float,
    saturated: np.ndarray | None = None,
    dead: np.ndarray | None = None,
) -> Verdict:
    """Read the per-layer statistics (index 0 = layer 1) as healthy / vanishing / exploding / saturated.

    In order of priority (the headline is the first finding):

    1. activations non-finite from layer k → exploding activations;
    2. at least half of layer k's pre-activations saturated → saturated (the cause of what follows);
    3. activation std below input std / FACTOR (above × FACTOR) from layer k, counting from the
       input → vanishing (exploding) activations;
    4. weight-gradient std below last layer's / FACTOR (above × FACTOR) from layer k, counting
       back from the output → vanishing (exploding) gradients;
    5. otherwise healthy. Dead units (≥ half of a layer) are reported as an extra finding.
    """
    findings: list[Finding] = []
    depth = len(act_std)
    bad = np.flatnonzero(~np.isfinite(act_std))
    if bad.size:
        findings.append(Finding("exploding", "activations", int(bad[0]) + 1))
    if saturated is not None and (hit := np.flatnonzero(saturated >= SATURATED_LAYER)).size:
        findings.append(Finding("saturated", "activations", int(hit[0]) + 1))
    if not bad.size:
        ref = max(input_std, 1e-30)
        for layer in range(depth):
            ratio = act_std[layer] / ref
            if ratio < 1 / FACTOR or ratio > FACTOR:
                findings.append(Finding("vanishing" if ratio < 1 / FACTOR else "exploding", "activations", layer + 1))
                break
    last = grad_std[-1]
    for layer in range(depth - 1, -1, -1):
        g = grad_std[layer]
        if not np.isfinite(g):
            findings.append(Finding("exploding", "gradients", layer + 1))
            break
        if last == 0 or not np.isfinite(last):
            if g == 0:
                findings.append(Finding("vanishing", "gradients", layer + 1))
                break
            continue
        if g / last < 1 / FACTOR or g / last > FACTOR:
            findings.append(Finding("vanishing" if g / last < 1 / FACTOR else "exploding", "gradients", layer + 1))
            break
    if dead is not None and (hit := np.flatnonzero(dead >= DEAD_LAYER)).size:
        findings.append(Finding("dead", "activations", int(hit[0]) + 1))
    main = [f for f in findings if f.kind != "dead"]
    if not main:
        return Verdict("healthy", findings=tuple(findings))
    head = main[0]
    return Verdict(head.kind, head.signal, head.layer, tuple(findings))
