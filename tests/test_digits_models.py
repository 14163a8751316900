"""core.digits: the model registry, the shipped weights, inspection and fine-tuning."""

import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn

from core import artifacts
from core.data.images import load_images
from core.digits import augment as aug
from core.digits.finetune import TEACH, teach
from core.digits.inspect import enlarge, feature_maps, mosaic, overlay, read, saliency
from core.digits.models import BEST, MODEL_DIR, MODELS, build, load_shipped, model_path, trained_epochs
from core.digits.predict import NOT_SURE, Prediction, predict
from core.digits.train import accuracy, to_float
from core.errors import UserError
from core.models import count_params
from tests.conftest import ROOT

SLICE = 2000  # a fixed slice of the MNIST test set: the first 2,000 images
MAX_TOTAL_BYTES = 5 * 2**20


def test_core_digits_does_not_import_streamlit():
    code = "import core.digits.preprocess, core.digits.models, core.digits.inspect, core.digits.finetune, sys; "
    code += "assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.parametrize("name", MODELS.names())
def test_every_model_maps_a_batch_of_images_to_ten_logits(name):
    model = MODELS.get(name).build()
    assert model(torch.rand(3, 1, 28, 28)).shape == (3, 10)


def test_parameter_counts_match_the_architectures():
    # MLP: 784·512+512 + 512·256+256 + 256·128+128 + 128·64+64 + 64·10+10
    assert count_params(MODELS.get("mlp").build()) == 575_050
    # LeNet-5: conv 6·25+6, conv 16·6·25+16, fc 400·120+120, 120·84+84, 84·10+10
    assert count_params(MODELS.get("lenet").build()) == 61_706
    # Robust (deep) CNN: conv 32·25 + BN 2·32, then per 3×3 conv c_in·c_out·9 + BN 2·c_out, linear 1152·10+10
    convs = [(32, 64), (64, 64), (64, 128), (128, 128)]
    deep = 32 * 25 + 2 * 32 + sum(a * b * 9 + 2 * b for a, b in convs) + 128 * 9 * 10 + 10
    assert count_params(MODELS.get("robust").build()) == deep == 289_642


def test_unknown_architecture_is_a_user_error():
    with pytest.raises(UserError):
        build({"arch": "resnet"})
    with pytest.raises(UserError) as info:
        model_path("resnet")
    assert "mlp" in str(info.value)


def test_shipped_weights_fit_in_five_megabytes():
    files = sorted(MODEL_DIR.glob("*.pt"))
    assert {f.stem for f in files} == set(MODELS.names())
    assert sum(f.stat().st_size for f in files) <= MAX_TOTAL_BYTES


@pytest.fixture(scope="module")
def test_slice():
    images, labels = load_images("MNIST", train=False)
    return to_float(images[:SLICE]), labels[:SLICE]


@pytest.mark.parametrize("name", MODELS.names())
def test_shipped_model_loads_safely_and_reaches_its_recorded_accuracy(name, test_slice):
    ckpt = torch.load(model_path(name), map_location="cpu", weights_only=True)  # raises on any pickled class
    assert ckpt["config"] == {"arch": name}
    model, meta = load_shipped(name)
    assert meta["test_images"] == 10_000 and meta["params"] == count_params(model)
    measured = accuracy(model, *test_slice)
    # The first 2,000 test images are a sample of the 10,000: allow ±0.5 points of sampling noise.
    assert measured >= meta["test_accuracy"] - 0.005, (measured, meta["test_accuracy"])


def test_best_model_is_the_most_accurate():
    recorded = {name: load_shipped(name)[1]["test_accuracy"] for name in MODELS.names()}
    assert max(recorded, key=recorded.get) == BEST


def test_bad_model_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError):
        artifacts.load(b"not a torch file")
    bad = artifacts.checkpoint({"arch": "lenet"}, MODELS.get("mlp").build())
    with pytest.raises(UserError):
        artifacts.restore(bad, build)


def one() -> np.ndarray:
    image = np.zeros((28, 28), np.float32)
    image[4:24, 13:15] = 1
    return image


def test_prediction_is_a_distribution():
    model, _ = load_shipped(BEST)
    p = predict(model, one())
    assert p.probs.shape == (10,) and p.probs.sum() == pytest.approx(1, abs=1e-5)
    assert p.label == 1 and p.sure


def test_feature_maps_layer_by_layer():
    model, _ = load_shipped(BEST)
    shapes = [(fm.layer, fm.maps.shape) for fm in feature_maps(model, one())]
    assert shapes == [("block1", (32, 28, 28)), ("block2a", (64, 14, 14)), ("block2b", (64, 14, 14)),
                      ("block3a", (128, 7, 7)), ("block3b", (128, 7, 7))]  # fmt: skip
    cnn = [fm.layer for fm in feature_maps(MODELS.get("cnn").build(), one())]
    assert cnn == ["block1", "block2", "block3"]
    assert all((fm.maps >= 0).all() for fm in feature_maps(model, one()))  # after ReLU
    assert feature_maps(MODELS.get("mlp").build(), one()) == []


def test_a_reading_is_the_prediction_the_tiled_maps_and_the_saliency():
    model, _ = load_shipped(BEST)
    reading = read(model, one(), columns=8, limit=32, pixels=56)
    assert reading.prediction.label == predict(model, one()).label == 1
    assert np.array_equal(reading.prediction.probs, predict(model, one()).probs)
    assert [(layer, c, h, shown) for layer, c, h, _, shown, _ in reading.layers] == [
        ("block1", 32, 28, 32), ("block2a", 64, 14, 32), ("block2b", 64, 14, 32), ("block3a", 128, 7, 32),
        ("block3b", 128, 7, 32)
    ]  # fmt: skip
    first = feature_maps(model, one())[0].maps
    assert np.array_equal(reading.layers[0][-1], enlarge(mosaic(first, columns=8, limit=32), 2))  # 28 px maps 2×
    assert np.allclose(reading.heat, saliency(model, one(), reading.prediction.label))


def test_saliency_of_a_linear_model_is_its_weight_row():
    """For s = Wx + b the gradient ∂s_c/∂x is the row W_c: the oracle is the weight itself."""
    linear = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    image = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    heat = saliency(linear, image, target=3)
    row = linear[1].weight[3].detach().abs().reshape(28, 28).numpy()
    np.testing.assert_allclose(heat, row / row.max(), rtol=1e-5)


def test_saliency_agrees_with_autograd_on_the_cnn():
    model, _ = load_shipped(BEST)
    x = torch.as_tensor(one())[None, None].requires_grad_(True)
    model(x)[0, 1].backward()
    expected = x.grad[0, 0].abs()
    np.testing.assert_allclose(saliency(model, one(), 1), (expected / expected.max()).numpy(), rtol=1e-4, atol=1e-6)


def test_teach_moves_the_copy_towards_the_label_and_leaves_the_original_alone():
    model, _ = load_shipped("lenet")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    p_before = predict(model, one()).probs[7]
    student, losses = teach(model, one(), 7, steps=15, lr=3e-3)
    assert predict(student, one()).probs[7] > p_before
    assert losses[-1] < losses[0]
    for k, v in model.state_dict().items():
        torch.testing.assert_close(v, before[k])
    assert student is not model


@pytest.mark.parametrize(("label", "values"), [(10, {}), (-1, {}), (3, {"steps": 0}), (3, {"lr": 1.0})])
def test_teach_rejects_bad_input(label, values):
    with pytest.raises(UserError):
        teach(MODELS.get("lenet").build(), one(), label, **{"steps": 5, "lr": 1e-3, **values})
    assert TEACH.defaults()["steps"] >= 1


def test_augmentation_is_reproducible_and_keeps_the_range():
    x = to_float(load_images("MNIST", train=False)[0][:16])
    a = aug.augment(x, aug.Augment(), torch.Generator().manual_seed(1))
    b = aug.augment(x, aug.Augment(), torch.Generator().manual_seed(1))
    torch.testing.assert_close(a, b)
    assert a.min() >= 0 and a.max() <= 1
    torch.testing.assert_close(aug.augment(x, aug.NONE, torch.Generator()), x)


def test_dilation_thickens_strokes():
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 5:20, 14] = 1
    assert aug.dilate(x).sum() == 17 * 3  # a 15-pixel line grows one pixel on every side


def test_display_helpers():
    assert enlarge(np.eye(2), 3).shape == (6, 6)
    tiles = mosaic(np.random.default_rng(0).random((10, 7, 7)), columns=4)
    assert tiles.shape == (3 * 8 - 1, 4 * 8 - 1) and tiles.min() >= 0 and tiles.max() <= 1
    rgb = overlay(one(), np.zeros((28, 28), np.float32))
    assert rgb.shape == (28, 28, 3) and rgb.dtype == np.uint8


def test_a_flat_distribution_is_not_sure():
    flat = Prediction(np.full(10, 0.1, np.float32), 3, 0.1)
    assert not flat.sure
    assert Prediction(np.eye(10, dtype=np.float32)[3], 3, float(NOT_SURE)).sure


def test_trained_epochs_add_up_along_the_chain_of_runs():
    assert trained_epochs({"epochs": 5}) == 5
    assert trained_epochs({"epochs": 2, "init": {"epochs": 3, "init": {"epochs": 5}}}) == 10
    assert trained_epochs({"epochs": 2, "init": {"file": "x.pt"}}) == 2  # a start without a record


def test_robust_training_mixes_in_the_drawn_training_digits_and_says_so(tmp_path, monkeypatch):
    """A smoke run of the robust recipe on 64 training digits: the pool holds those digits drawn under
    every condition (labels kept in step), and the checkpoint's meta records the share and the command."""
    import core.data.images
    from core.digits import train
    from core.digits.conditions import CONDITIONS

    monkeypatch.setattr(core.data.images, "CACHE", tmp_path)
    images, labels = load_images("MNIST", train=True)
    pool_x, pool_y, odds = train.drawn_pool(images[:64], labels[:64], seed=5, workers=1, odds={"broken": 3.0})
    assert pool_x.shape[1:] == (1, 28, 28) and len(pool_x) == len(pool_y) > 60 * len(CONDITIONS)
    assert torch.equal(pool_y[:64], labels[:64]) and float(pool_x.min()) >= 0 and float(pool_x.max()) <= 1
    assert set(odds.tolist()) == {1.0, 3.0} and int((odds == 3).sum()) <= 64
    out = tmp_path / "robust.pt"
    meta = train.main(["--model", "robust", "--out", str(out), "--limit", "64", "--epochs", "1", "--threads", "1",
                       "--seed", "5", "--drawn", "0.5"])  # fmt: skip
    saved = artifacts.load(out)["meta"]
    assert saved["drawn"] == meta["drawn"] == 0.5 and saved["train_images"] == 64 and "--drawn 0.5" in saved["command"]
