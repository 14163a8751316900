"""`MODELS`: the networks a learner can build (MLP, LeNet-5, a small CNN) from plain-data configs.

A model is described by a JSON-like config, so a checkpoint can rebuild it without pickled
classes (`core.artifacts`)::

    {"kind": "mlp", "input_shape": [2], "n_outputs": 2, "hidden": [16, 16],
     "activation": "relu", "activation_params": {}, "initializer": "kaiming_normal",
     "init_params": {}, "dropout": 0.0, "batchnorm": False}

Every model is an ``nn.Sequential`` of named layers (``fc1``, ``bn1``, ``act1``, ``drop1``,
…, ``out``) returning raw scores: logits for classification, one value for regression.
Activations come from `core.activations.ACTIVATIONS`, weight schemes from
`core.initializers` (each Linear/Conv layer gets the gain of the activation that follows
it; the output layer, followed by none, gets the linear gain 1).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from core.activations import ACTIVATIONS
from core.data.features import FeatureMap, check_features
from core.errors import UserError
from core.initializers import INITIALIZERS, init_module_
from core.registry import Entry, Param, Registry

MAX_LAYERS = 8  # hidden layers of an MLP / fully connected layers of a CNN head
MAX_WIDTH = 1024
MAX_BLOCKS = 4  # conv blocks of the small CNN
MAX_CHANNELS = 256
MAX_PARAMS = 5_000_000  # ~20 MB of float32 weights; bigger models do not train live on a CPU
MAX_INPUT = 4096  # input features after flattening
KERNEL_SIZES = (3, 5)
POOLS = ("max", "avg")
LENET_HIDDEN = (120, 84)  # LeCun et al. 1998, as in d2l's LeNet
LENET_CHANNELS = (6, 16)

# Hidden activations: every elementwise one (softmax normalises a whole layer, so it is no hidden unit).
HIDDEN_ACTIVATIONS = tuple(a.name for a in ACTIVATIONS if a.elementwise)
COMMON_KEYS = {"kind", "input_shape", "n_outputs", "activation", "activation_params", "initializer", "init_params",
               "dropout", "batchnorm"}  # fmt: skip


def _error(key: str, message: str, **params: Any) -> UserError:
    return UserError(f"models.errors.{key}", message, **params)


@dataclass(frozen=True)
class ModelSpec(Entry):
    """A model family: its builder, the specs of its UI parameters and capability flags.

    Flags:
        needs_image: input must be (channels, height, width) (a CNN); an MLP takes any shape.
    """

    builder: Callable[[dict[str, Any]], nn.Module] | None = None
    to_config: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    extra_keys: tuple[str, ...] = ()
    needs_image: bool = False

    def config(
        self, input_shape: Sequence[int], n_outputs: int, values: Mapping[str, Any] | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """The plain-data config for this family from its parameter values (validated).

        Args:
            input_shape: one sample's shape, e.g. ``[2]`` or ``[1, 28, 28]``.
            n_outputs: classes (logits) or 1 for regression.
            values: the UI's values for `self.params` (defaults where missing).
            **overrides: config keys set directly, e.g. per-layer ``hidden=[32, 8]`` and
                ``activation=["relu", "tanh"]``, or ``init_params`` / ``activation_params``.
        """
        values = self.resolve(values)
        config = {"kind": self.name, "input_shape": [int(s) for s in input_shape], "n_outputs": int(n_outputs)}
        config.update(self.to_config(values))
        config.update(overrides)
        return config


# -- validation ----------------------------------------------------------------


def _int_in(config: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = config.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or not low <= value <= high:
        raise _error("int_range", f"{key}={value!r} must be a whole number in [{low}, {high}]", name=key,
                     value=value, low=low, high=high)  # fmt: skip
    return int(value)


def _int_list(config: Mapping[str, Any], key: str, low: int, high: int, max_len: int) -> list[int]:
    values = config.get(key, [])
    if isinstance(values, int | float) and not isinstance(values, bool):
        values = [values]
    if not isinstance(values, list | tuple) or len(values) > max_len:
        raise _error("list", f"{key}={values!r} must be a list of at most {max_len} whole numbers", name=key,
                     value=values, max_len=max_len)  # fmt: skip
    return [_int_in({key: v}, key, low, high) for v in values]


def _shape(config: Mapping[str, Any]) -> tuple[int, ...]:
    shape = config.get("input_shape")
    if not isinstance(shape, list | tuple) or not shape or not 1 <= len(shape) <= 3:
        raise _error("input_shape", f"input_shape={shape!r} must list 1 to 3 sizes", value=shape)
    return tuple(_int_in({"input_shape": s}, "input_shape", 1, MAX_INPUT) for s in shape)


def _dropout(config: Mapping[str, Any]) -> float:
    p = config.get("dropout", 0.0)
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p < 1.0:
        raise _error("dropout", f"dropout={p!r} must be in [0, 1)", value=p)
    return float(p)


def _activations(config: Mapping[str, Any], n: int) -> list[tuple[str, dict[str, Any]]]:
    """One (name, validated params) per hidden layer; a single name/dict applies to all."""
    names = config.get("activation", "relu")
    params = config.get("activation_params", {})
    names = [names] * n if isinstance(names, str) else names
    params = [params] * n if isinstance(params, Mapping) else params
    if not isinstance(names, list | tuple) or not isinstance(params, list | tuple):
        raise _error("per_layer", f"{n} hidden layers need {n} activations, got {names!r}", layers=n, given="?")
    if len(names) != n or len(params) != n or not all(isinstance(p, Mapping) for p in params):
        raise _error("per_layer", f"{n} hidden layers need {n} activations, got {len(names)}", layers=n,
                     given=len(names))  # fmt: skip
    out = []
    for name, p in zip(names, params, strict=True):
        if name not in HIDDEN_ACTIVATIONS:
            raise UserError("unknown_name", f"Unknown activation {name!r}; choose from: {', '.join(HIDDEN_ACTIVATIONS)}",
                            family="activation", value=name, choices=", ".join(HIDDEN_ACTIVATIONS))  # fmt: skip
        out.append((name, ACTIVATIONS.get(name).values(p)))
    return out


def _activation_module(name: str, params: Mapping[str, Any]) -> nn.Module:
    return ACTIVATIONS.get(name).module(**params)


def _init(layer: nn.Module, config: Mapping[str, Any], activation: tuple[str, dict[str, Any]] | None) -> None:
    """Initialize `layer` with the config's scheme and the gain of the activation that follows it."""
    name = config.get("initializer", "torch_default")
    params = config.get("init_params", {}) or {}
    if activation is None:
        nonlinearity, slope = "linear", None
    else:
        nonlinearity, slope = activation[0], activation[1].get("negative_slope")
    try:
        init_module_(layer, name, params, nonlinearity=nonlinearity, nonlinearity_param=slope)
    except UserError:
        raise
    except (ValueError, RuntimeError) as exc:  # e.g. eye_/sparse_ accept only 2-D weights, not conv kernels
        raise _error("init_failed", f"initializer {name!r} cannot fill {layer}: {exc}", name=name) from None


def _check_keys(config: Mapping[str, Any], extra: Sequence[str]) -> None:
    unknown = sorted(set(config) - COMMON_KEYS - set(extra))
    if unknown:
        raise _error("unknown_keys", f"unknown model config key(s): {unknown}", keys=", ".join(unknown))


# -- builders --------------------------------------------------------------------


def _head(
    layers: OrderedDict,
    config: Mapping[str, Any],
    in_features: int,
    hidden: Sequence[int],
    acts: Sequence[tuple[str, dict[str, Any]]],
    n_outputs: int,
    *,
    first: int = 1,
) -> None:
    """Fully connected layers: [fc → (bn) → act → (dropout)] per hidden width, then ``out``."""
    dropout, batchnorm = _dropout(config), bool(config.get("batchnorm", False))
    width = in_features
    for i, (h, act) in enumerate(zip(hidden, acts, strict=True), start=first):
        layers[f"fc{i}"] = nn.Linear(width, h)
        _init(layers[f"fc{i}"], config, act)
        if batchnorm:
            layers[f"bn{i}"] = nn.BatchNorm1d(h)
        layers[f"act{i}"] = _activation_module(*act)
        if dropout > 0:
            layers[f"drop{i}"] = nn.Dropout(dropout)
        width = h
    layers["out"] = nn.Linear(width, n_outputs)
    _init(layers["out"], config, None)


def build_mlp(config: Mapping[str, Any]) -> nn.Module:
    """Flatten → [Linear → BatchNorm1d? → activation → Dropout?] × len(hidden) → Linear.

    With ``hidden = []`` it is logistic (softmax) regression or linear regression. With ``features``
    (2-D input only) a `FeatureMap` first turns each point into the chosen features.
    """
    shape = _shape(config)
    n_outputs = _int_in(config, "n_outputs", 1, MAX_WIDTH)
    hidden = _int_list(config, "hidden", 1, MAX_WIDTH, MAX_LAYERS)
    acts = _activations(config, len(hidden))
    in_features = math.prod(shape)
    if in_features > MAX_INPUT:
        raise _error("input_too_big", f"{in_features} input features; at most {MAX_INPUT}", features=in_features,
                     max_features=MAX_INPUT)  # fmt: skip
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    if len(shape) > 1:
        layers["flatten"] = nn.Flatten()
    if config.get("features") is not None:  # Playground's input features of a 2-D point (core.data.features)
        if shape != (2,):
            raise UserError("training.errors.features_2d", f"input features need 2-D points, got {list(shape)}",
                            shape=list(shape))  # fmt: skip
        names = check_features(config["features"])
        layers["features"] = FeatureMap(names)
        in_features = len(names)
    _head(layers, config, in_features, hidden, acts, n_outputs)
    return nn.Sequential(layers)


def _image_shape(config: Mapping[str, Any], min_size: int) -> tuple[int, int, int]:
    shape = _shape(config)
    if len(shape) != 3 or min(shape[1:]) < min_size:
        raise _error("needs_image", f"a CNN needs (channels, height, width) input of at least {min_size}×{min_size}, "
                     f"got {list(shape)}", shape=list(shape), min_size=min_size)  # fmt: skip
    return shape


def _pool(config: Mapping[str, Any], default: str) -> type[nn.Module]:
    pool = config.get("pool", default)
    if pool not in POOLS:
        raise UserError("unknown_name", f"Unknown pooling {pool!r}; choose from: {', '.join(POOLS)}",
                        family="pool", value=pool, choices=", ".join(POOLS))  # fmt: skip
    return nn.MaxPool2d if pool == "max" else nn.AvgPool2d


def _flat_size(layers: OrderedDict, shape: tuple[int, ...]) -> int:
    with torch.no_grad():
        return int(nn.Sequential(layers).eval()(torch.zeros(1, *shape)).shape[1])


def _conv_block(layers: OrderedDict, i: int, conv: nn.Conv2d, config: Mapping[str, Any],
                activation: tuple[str, dict[str, Any]], batchnorm: bool, pool: type[nn.Module]) -> None:  # fmt: skip
    """Append block `i`: the initialized conv → BatchNorm2d? → activation → 2×2 pool."""
    layers[f"conv{i}"] = conv
    _init(conv, config, activation)
    if batchnorm:
        layers[f"bn{i}"] = nn.BatchNorm2d(conv.out_channels)
    layers[f"act{i}"] = _activation_module(*activation)
    layers[f"pool{i}"] = pool(kernel_size=2, stride=2)


def build_lenet(config: Mapping[str, Any]) -> nn.Module:
    """LeNet-5 (LeCun et al. 1998; d2l §6.6): two 5×5 conv + pool stages, then 120 → 84 → outputs.

    conv1: 6 channels, padding 2 (keeps 28×28); pool 2×2; conv2: 16 channels; pool 2×2;
    for a 28×28 input the flattened feature map is 16·5·5 = 400. The original used sigmoid
    and average pooling; ReLU and max pooling train faster.
    """
    shape = _image_shape(config, 12)
    n_outputs = _int_in(config, "n_outputs", 1, MAX_WIDTH)
    acts = _activations(config, 4)
    pool, batchnorm = _pool(config, "avg"), bool(config.get("batchnorm", False))
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    in_ch = shape[0]
    for i, (out_ch, padding) in enumerate(zip(LENET_CHANNELS, (2, 0), strict=True), start=1):
        conv = nn.Conv2d(in_ch, out_ch, kernel_size=5, padding=padding)
        _conv_block(layers, i, conv, config, acts[i - 1], batchnorm, pool)
        in_ch = out_ch
    layers["flatten"] = nn.Flatten()
    flat = _flat_size(layers, shape)
    head: OrderedDict[str, nn.Module] = OrderedDict()
    _head(head, config, flat, LENET_HIDDEN, acts[2:], n_outputs, first=3)
    layers.update(head)
    return nn.Sequential(layers)


def build_cnn(config: Mapping[str, Any]) -> nn.Module:
    """[Conv k×k (same padding) → BatchNorm2d? → activation → pool 2×2] per entry of `channels`,
    then Flatten → Dropout? → the fully connected head of `hidden` widths → outputs."""
    channels = _int_list(config, "channels", 1, MAX_CHANNELS, MAX_BLOCKS)
    if not channels:
        raise _error("no_blocks", "a CNN needs at least one conv block")
    shape = _image_shape(config, 2 ** len(channels))
    n_outputs = _int_in(config, "n_outputs", 1, MAX_WIDTH)
    kernel = config.get("kernel_size", 3)
    if kernel not in KERNEL_SIZES:
        raise UserError("unknown_name", f"kernel_size={kernel!r}; choose from: {KERNEL_SIZES}",
                        family="kernel_size", value=kernel, choices=", ".join(map(str, KERNEL_SIZES)))  # fmt: skip
    hidden = _int_list(config, "hidden", 1, MAX_WIDTH, MAX_LAYERS)
    acts = _activations(config, len(channels) + len(hidden))
    pool, batchnorm, dropout = _pool(config, "max"), bool(config.get("batchnorm", False)), _dropout(config)
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    in_ch = shape[0]
    for i, out_ch in enumerate(channels, start=1):
        conv = nn.Conv2d(in_ch, out_ch, kernel_size=kernel, padding=kernel // 2)
        _conv_block(layers, i, conv, config, acts[i - 1], batchnorm, pool)
        in_ch = out_ch
    layers["flatten"] = nn.Flatten()
    if dropout > 0:
        layers["drop0"] = nn.Dropout(dropout)
    flat = _flat_size(layers, shape)
    head: OrderedDict[str, nn.Module] = OrderedDict()
    _head(head, config, flat, hidden, acts[len(channels) :], n_outputs, first=len(channels) + 1)
    layers.update(head)
    return nn.Sequential(layers)


# -- registry ----------------------------------------------------------------------

ACTIVATION = Param("activation", "relu", choices=HIDDEN_ACTIVATIONS)
INITIALIZER = Param("initializer", "kaiming_normal", choices=tuple(INITIALIZERS.names()))
DROPOUT = Param("dropout", 0.0, 0.0, 0.9, 0.05)
BATCHNORM = Param("batchnorm", False)
COMMON = {"activation", "initializer", "dropout", "batchnorm"}


def _common(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: values[k] for k in COMMON if k in values} | {"activation_params": {}, "init_params": {}}


MODELS: Registry[ModelSpec] = Registry(
    "models",
    [
        ModelSpec(
            "mlp",
            (
                Param("layers", 2, 0, MAX_LAYERS, 1),
                Param("width", 16, 1, MAX_WIDTH, 1),
                ACTIVATION,
                INITIALIZER,
                DROPOUT,
                BATCHNORM,
            ),  # fmt: skip
            r"h_0=x,\quad h_{l}=\mathrm{Dropout}\big(f(\mathrm{BN}(W_l h_{l-1}+b_l))\big),\quad \hat y=W_{L+1}h_L+b_{L+1}",
            builder=build_mlp,
            to_config=lambda v: {"hidden": [v["width"]] * v["layers"], **_common(v)},
            extra_keys=("hidden", "features"),
        ),
        ModelSpec(
            "lenet",
            (ACTIVATION, Param("pool", "avg", choices=POOLS), INITIALIZER, DROPOUT, BATCHNORM),
            r"\mathrm{conv}_{5\times5}^{6}\to\mathrm{pool}\to\mathrm{conv}_{5\times5}^{16}\to\mathrm{pool}"
            r"\to\mathrm{FC}_{120}\to\mathrm{FC}_{84}\to\mathrm{FC}_{K}",
            builder=build_lenet,
            to_config=lambda v: {"pool": v["pool"], **_common(v)},
            extra_keys=("pool",),
            needs_image=True,
        ),
        ModelSpec(
            "cnn",
            (
                Param("blocks", 2, 1, MAX_BLOCKS, 1),
                Param("channels", 16, 1, MAX_CHANNELS, 1),
                Param("kernel_size", 3, choices=KERNEL_SIZES),
                Param("fc_width", 64, 0, MAX_WIDTH, 1),
                Param("pool", "max", choices=POOLS),
                ACTIVATION,
                INITIALIZER,
                DROPOUT,
                BATCHNORM,
            ),  # fmt: skip
            r"\big[\mathrm{conv}_{k\times k}^{c\cdot2^{i}}\to\mathrm{BN}?\to f\to\mathrm{pool}_{2\times2}\big]_{i<B}"
            r"\to\mathrm{Dropout}\to\mathrm{FC}\to f\to\mathrm{FC}_{K}",
            builder=build_cnn,
            to_config=lambda v: {
                "channels": [v["channels"] * 2**i for i in range(v["blocks"])],
                "kernel_size": v["kernel_size"],
                "hidden": [v["fc_width"]] if v["fc_width"] else [],
                "pool": v["pool"],
                **_common(v),
            },
            extra_keys=("channels", "kernel_size", "hidden", "pool"),
            needs_image=True,
        ),
    ],
)


def count_params(model: nn.Module) -> int:
    """Number of learnable parameters (BatchNorm's running statistics are buffers, not counted)."""
    return sum(p.numel() for p in model.parameters())


def build_model(config: Mapping[str, Any]) -> nn.Module:
    """Build the model a plain-data config describes (see the module docstring).

    Raises:
        UserError: unknown kind or key, a value out of range, an input shape the family
            cannot take, or more than `MAX_PARAMS` parameters.
    """
    if not isinstance(config, Mapping):
        raise _error("not_a_config", f"a model config must be a dict, not {type(config).__name__}")
    spec = MODELS.get(config.get("kind"))
    _check_keys(config, spec.extra_keys)
    model = spec.builder(dict(config))
    n = count_params(model)
    if n > MAX_PARAMS:
        raise _error(
            "too_big", f"{n:,} parameters; at most {MAX_PARAMS:,}", params=f"{n:,}", max_params=f"{MAX_PARAMS:,}"
        )
    return model


def layer_table(model: nn.Module, input_shape: Sequence[int]) -> list[dict[str, Any]]:
    """One row per leaf layer: ``{"name", "type", "output_shape", "params"}``, in forward order.

    Shapes leave out the batch dimension; ``params`` counts the layer's own parameters, so the
    column sums to `count_params` (every parameter of these models sits in a leaf layer).
    The model runs once on zeros in eval mode (BatchNorm needs no batch statistics then).
    """
    rows: list[dict[str, Any]] = []
    hooks = []
    for name, module in model.named_modules():
        if name and not list(module.children()):

            def hook(mod, _inputs, output, name=name):
                rows.append({"name": name, "type": type(mod).__name__, "output_shape": tuple(output.shape[1:]),
                             "params": sum(p.numel() for p in mod.parameters(recurse=False))})  # fmt: skip

            hooks.append(module.register_forward_hook(hook))
    was_training = model.training
    try:
        param = next(model.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
        with torch.no_grad():
            model.eval()(torch.zeros(1, *input_shape, device=device))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    return rows
