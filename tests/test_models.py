"""The model builder: every configuration builds, runs, counts its parameters and survives a checkpoint."""

import itertools
import math

import pytest
import torch
from torch import nn

from core import artifacts
from core.errors import UserError
from core.initializers import INITIALIZERS
from core.models import HIDDEN_ACTIVATIONS, MAX_PARAMS, MODELS, build_model, count_params, layer_table
from ui.i18n import LANGUAGES, table

IMAGE = [1, 28, 28]
SMALL_IMAGE = [1, 16, 16]  # keeps the grids fast; LeNet needs at least 12×12


def mlp(**kw):
    return {"kind": "mlp", "input_shape": [2], "n_outputs": 2, "hidden": [16, 16], "activation": "relu",
            "initializer": "kaiming_normal", "init_params": {}, "dropout": 0.0, "batchnorm": False, **kw}  # fmt: skip


def check(model, config, batch=5):
    """Forward shape, finite output, and a layer table whose parameters sum to count_params."""
    model.eval()
    with torch.no_grad():
        out = model(torch.randn(batch, *config["input_shape"]))
    assert out.shape == (batch, config["n_outputs"])
    assert torch.isfinite(out).all()
    rows = layer_table(model, config["input_shape"])
    assert sum(r["params"] for r in rows) == count_params(model)
    assert rows[-1]["name"] == "out" and rows[-1]["output_shape"] == (config["n_outputs"],)
    assert set(rows[0]) == {"name", "type", "output_shape", "params"}
    return rows


MLP_GRID = list(
    itertools.product(
        [[3], IMAGE],  # input shapes
        [[], [8], [16, 4]],  # hidden widths
        ["relu", "tanh", "per_layer"],
        [False, True],  # batchnorm
        [0.0, 0.3],  # dropout
    )
)


@pytest.mark.parametrize(("shape", "hidden", "activation", "batchnorm", "dropout"), MLP_GRID)
def test_mlp_grid(shape, hidden, activation, batchnorm, dropout):
    if activation == "per_layer":
        activation = ["sigmoid", "leaky_relu", "elu"][: len(hidden)]
    config = mlp(input_shape=shape, n_outputs=3, hidden=hidden, activation=activation, batchnorm=batchnorm,
                 dropout=dropout)  # fmt: skip
    model = build_model(config)
    rows = check(model, config)
    # Parameter count by hand: (fan_in + 1) · fan_out per Linear, 2 · width per BatchNorm.
    widths = [math.prod(shape), *hidden, 3]
    expected = sum((a + 1) * b for a, b in itertools.pairwise(widths)) + (2 * sum(hidden) if batchnorm else 0)
    assert count_params(model) == expected
    types = [r["type"] for r in rows]
    assert types.count("Linear") == len(hidden) + 1
    assert types.count("BatchNorm1d") == (len(hidden) if batchnorm else 0)
    assert types.count("Dropout") == (len(hidden) if dropout else 0)
    assert ("Flatten" in types) == (len(shape) > 1)


CNN_GRID = list(itertools.product([False, True], [0.0, 0.25], ["max", "avg"], [3, 5], [[8], [4, 8], [4, 8, 8]]))


@pytest.mark.parametrize(("batchnorm", "dropout", "pool", "kernel", "channels"), CNN_GRID)
def test_cnn_grid(batchnorm, dropout, pool, kernel, channels):
    config = {"kind": "cnn", "input_shape": SMALL_IMAGE, "n_outputs": 10, "channels": channels, "kernel_size": kernel,
              "hidden": [32], "pool": pool, "activation": "relu", "initializer": "kaiming_uniform",
              "batchnorm": batchnorm, "dropout": dropout}  # fmt: skip
    rows = check(build_model(config), config)
    convs = [r for r in rows if r["type"] == "Conv2d"]
    side = SMALL_IMAGE[1]
    for conv, c in zip(convs, channels, strict=True):
        assert conv["output_shape"] == (c, side, side)  # same padding
        side //= 2
    flat = next(r for r in rows if r["type"] == "Flatten")
    assert flat["output_shape"] == (channels[-1] * side * side,)
    assert any(r["type"] == ("MaxPool2d" if pool == "max" else "AvgPool2d") for r in rows)


@pytest.mark.parametrize(("batchnorm", "dropout", "pool", "activation"),
                         list(itertools.product([False, True], [0.0, 0.5], ["avg", "max"], ["sigmoid", "relu"])))  # fmt: skip
def test_lenet_grid(batchnorm, dropout, pool, activation):
    config = MODELS.get("lenet").config(IMAGE, 10, {"batchnorm": batchnorm, "dropout": dropout, "pool": pool,
                                                   "activation": activation})  # fmt: skip
    model = build_model(config)
    check(model, config)
    if not batchnorm:
        assert count_params(model) == 61_706  # LeNet-5 on 28×28 (d2l §6.6): 156+2416+48120+10164+850


def test_lenet_shapes_are_the_classic_ones():
    rows = layer_table(build_model(MODELS.get("lenet").config(IMAGE, 10)), IMAGE)
    shapes = {r["name"]: r["output_shape"] for r in rows}
    assert shapes["conv1"] == (6, 28, 28) and shapes["pool1"] == (6, 14, 14)
    assert shapes["conv2"] == (16, 10, 10) and shapes["pool2"] == (16, 5, 5)
    assert shapes["flatten"] == (400,) and shapes["fc3"] == (120,) and shapes["fc4"] == (84,)


@pytest.mark.parametrize("name", MODELS.names())
def test_every_entry_builds_from_its_defaults(name):
    spec = MODELS.get(name)
    shape = IMAGE if spec.needs_image else [2]
    config = spec.config(shape, 4)
    assert config["kind"] == name and config["input_shape"] == shape and config["n_outputs"] == 4
    check(build_model(config), config)


def test_spec_config_turns_ui_values_into_layers_and_takes_overrides():
    spec = MODELS.get("mlp")
    config = spec.config([5], 1, {"layers": 3, "width": 7, "activation": "tanh", "dropout": 0.1})
    assert config["hidden"] == [7, 7, 7] and config["activation"] == "tanh" and config["dropout"] == 0.1
    per_layer = spec.config([5], 1, {"layers": 2}, hidden=[12, 3], activation=["relu", "gelu"])
    rows = layer_table(build_model(per_layer), [5])
    assert [r["type"] for r in rows if r["name"].startswith("act")] == ["ReLU", "GELU"]
    cnn = MODELS.get("cnn").config(IMAGE, 10, {"blocks": 3, "channels": 8, "fc_width": 0})
    assert cnn["channels"] == [8, 16, 32] and cnn["hidden"] == []
    with pytest.raises(UserError):
        spec.config([5], 1, {"width": 0})


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_every_hidden_activation(activation):
    config = mlp(activation=activation)
    check(build_model(config), config)


def test_activation_parameters_reach_the_module():
    model = build_model(mlp(activation="leaky_relu", activation_params={"negative_slope": 0.2}))
    assert model.act1.negative_slope == 0.2


@pytest.mark.parametrize("initializer", INITIALIZERS.names())
def test_every_initializer_builds_every_family(initializer):
    for name in MODELS.names():
        spec = MODELS.get(name)
        config = spec.config(SMALL_IMAGE if spec.needs_image else [2], 3, {"initializer": initializer})
        check(build_model(config), config)


def test_initializer_is_applied_with_the_following_activations_gain():
    torch.manual_seed(0)
    model = build_model(mlp(input_shape=[2000], hidden=[1000], initializer="kaiming_normal"))
    assert float(model.fc1.weight.detach().std()) == pytest.approx(math.sqrt(2 / 2000), rel=0.02)  # He: gain √2
    assert float(model.out.weight.detach().std()) == pytest.approx(math.sqrt(1 / 1000), rel=0.1)  # output: gain 1
    assert float(model.fc1.bias.detach().abs().max()) == 0.0
    tanh = build_model(mlp(input_shape=[2000], hidden=[1000], activation="tanh", initializer="xavier_normal"))
    assert float(tanh.fc1.weight.detach().std()) == pytest.approx(5 / 3 * math.sqrt(2 / 3000), rel=0.02)  # gain 5/3
    zeros = build_model(mlp(initializer="zeros"))
    assert all(float(m.weight.detach().abs().max()) == 0 for m in zeros.modules() if isinstance(m, nn.Linear))


def test_same_seed_same_weights():
    torch.manual_seed(1)
    a = build_model(mlp())
    torch.manual_seed(1)
    b = build_model(mlp())
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))


def test_layer_table_keeps_the_mode_and_the_batchnorm_statistics():
    model = build_model(mlp(batchnorm=True)).train()
    before = model.bn1.running_mean.clone()
    layer_table(model, [2])
    assert model.training and torch.equal(model.bn1.running_mean, before)


@pytest.mark.parametrize("name", MODELS.names())
def test_checkpoint_round_trip(name):
    spec = MODELS.get(name)
    shape = IMAGE if spec.needs_image else [3]
    config = spec.config(shape, 4, {"batchnorm": True, "dropout": 0.2}, activation_params={})
    model = build_model(config)
    model.train()(torch.randn(8, *shape))  # move BatchNorm's running statistics away from their start
    raw = artifacts.to_bytes(artifacts.checkpoint(config, model, {"test_accuracy": 0.5}))
    ckpt = artifacts.load(raw)
    assert ckpt["config"] == config and ckpt["meta"] == {"test_accuracy": 0.5}
    restored = artifacts.restore(ckpt, build_model)
    x = torch.randn(6, *shape)
    with torch.no_grad():
        assert torch.equal(restored(x), model.eval()(x))


def test_a_checkpoint_with_another_config_is_refused():
    config = mlp()
    ckpt = artifacts.checkpoint(config, build_model(config))
    ckpt["config"] = mlp(hidden=[8])
    with pytest.raises(UserError) as info:
        artifacts.restore(ckpt, build_model)
    assert info.value.key == "bad_model_file"


def error_key(config):
    with pytest.raises(UserError) as info:
        build_model(config)
    key = info.value.key
    full = key if "." in key else f"errors.{key}"
    for lang in LANGUAGES:
        assert table(lang)[full].format(**info.value.params)
    return key


def test_bad_configs_raise_translated_user_errors():
    assert error_key(mlp(kind="transformer")) == "unknown_name"
    assert error_key(mlp(colour="red")) == "models.errors.unknown_keys"
    assert error_key(mlp(hidden=[0])) == "models.errors.int_range"
    assert error_key(mlp(hidden=[8] * 20)) == "models.errors.list"
    assert error_key(mlp(n_outputs=0)) == "models.errors.int_range"
    assert error_key(mlp(input_shape=[])) == "models.errors.input_shape"
    assert error_key(mlp(dropout=1.0)) == "models.errors.dropout"
    assert error_key(mlp(activation=["relu"])) == "models.errors.per_layer"
    assert error_key(mlp(activation="softmax")) == "unknown_name"
    assert error_key(mlp(activation=None)) == "models.errors.per_layer"
    assert error_key(mlp(activation_params=[{}, 3])) == "models.errors.per_layer"
    assert error_key(mlp(activation="leaky_relu", activation_params={"negative_slope": 5})) == "param_range"
    assert error_key(mlp(initializer="magic")) == "unknown_name"
    assert error_key(mlp(initializer="normal", init_params={"std": -1}))  # the initializers' own message
    assert error_key(mlp(input_shape=[5000, 2])) == "models.errors.int_range"
    assert error_key(mlp(input_shape=[64, 64, 2])) == "models.errors.input_too_big"
    assert error_key(mlp(input_shape=[1000], hidden=[1024] * 6)) == "models.errors.too_big"
    assert error_key({**MODELS.get("cnn").config(IMAGE, 10), "input_shape": [2]}) == "models.errors.needs_image"
    assert error_key({**MODELS.get("lenet").config(IMAGE, 10), "input_shape": [1, 8, 8]}) == "models.errors.needs_image"
    assert error_key({**MODELS.get("cnn").config(IMAGE, 10), "channels": []}) == "models.errors.no_blocks"
    assert error_key({**MODELS.get("cnn").config(IMAGE, 10), "kernel_size": 4}) == "unknown_name"
    assert error_key({**MODELS.get("cnn").config(IMAGE, 10), "pool": "median"}) == "unknown_name"
    assert error_key([1, 2]) == "models.errors.not_a_config"
    assert MAX_PARAMS >= 1_000_000
