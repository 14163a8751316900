"""Every built-in data set: contract shapes and dtypes, determinism, and the rules that define it."""

import math

import numpy as np
import pytest
import torch

from core.data import CLASSIFICATION, DATASETS, REGRESSION, TaskData
from core.data.images import default_root, load_images, read_idx
from core.errors import UserError

SMALL = {"mnist": {"n_train": 300, "n_test": 200}, "fashion_mnist": {"n_train": 300, "n_test": 200}}


def needs_images(name):
    if DATASETS.get(name).is_image and default_root() is None:
        pytest.skip("no MNIST/FashionMNIST data directory (../shared/data)")


def load(name, seed=0, **params):
    needs_images(name)
    return DATASETS.get(name).load(seed, **{**SMALL.get(name, {}), **params})


@pytest.mark.parametrize("name", DATASETS.names())
def test_contract_shapes_dtypes_and_flags(name):
    spec = DATASETS.get(name)
    data = load(name)
    assert isinstance(data, TaskData)
    assert data.name == name and data.task == spec.task
    for x, y in ((data.x_train, data.y_train), (data.x_test, data.y_test)):
        assert x.dtype == torch.float32
        assert tuple(x.shape[1:]) == data.input_shape
        assert x.shape[0] == y.shape[0] > 0
        assert torch.isfinite(x).all()
        if data.task == CLASSIFICATION:
            assert y.dtype == torch.int64 and y.dim() == 1
            assert int(y.min()) >= 0 and int(y.max()) < data.n_classes
        else:
            assert y.dtype == torch.float32 and y.shape[1:] == (1,)
            assert torch.isfinite(y).all()
    if data.task == CLASSIFICATION:
        assert data.n_classes == len(data.class_names) >= 2
        assert set(data.y_train.tolist()) == set(range(data.n_classes))  # every class is in the training split
        assert data.n_outputs == data.n_classes
    else:
        assert data.n_classes == 0 and data.class_names == [] and data.n_outputs == 1
    if data.feature_names:
        assert len(data.feature_names) == data.input_shape[0]
    assert spec.is_2d == (data.input_shape == (2,))
    assert spec.is_image == (data.input_shape == (1, 28, 28))


@pytest.mark.parametrize("name", DATASETS.names())
def test_deterministic_under_a_seed(name):
    a, b, c = load(name, seed=3), load(name, seed=3), load(name, seed=4)
    for field in ("x_train", "y_train", "x_test", "y_test"):
        assert torch.equal(getattr(a, field), getattr(b, field)), field
    assert not torch.equal(a.x_train, c.x_train)


@pytest.mark.parametrize("name", [s.name for s in DATASETS if any(p.name == "test_ratio" for p in s.params)])
def test_test_ratio_sets_the_split(name):
    data = load(name, test_ratio=0.4)
    n = data.n_train + data.n_test
    assert data.n_test == math.ceil(0.4 * n)


@pytest.mark.parametrize("name", [s.name for s in DATASETS if any(p.name == "n_samples" for p in s.params)])
def test_n_samples(name):
    data = load(name, n_samples=120)
    assert data.n_train + data.n_test == 120


def test_sum3_labels_follow_the_rule():
    data = load("sum3", n_samples=3000)
    for x, y in ((data.x_train, data.y_train), (data.x_test, data.y_test)):
        assert ((x >= 0) & (x <= 1)).all()
        s = x.double().sum(dim=1)
        expected = torch.where(s < 1, 0, torch.where(s <= 2, 1, 2))
        assert torch.equal(y, expected)
    # P(sum < 1) = P(sum > 2) = 1/6 for three U(0, 1) (Irwin–Hall).
    share = torch.bincount(data.y_train, minlength=3).double() / data.n_train
    assert share.tolist() == pytest.approx([1 / 6, 2 / 3, 1 / 6], abs=0.03)


def test_sine_is_sin_plus_noise_of_the_given_size():
    data = load("sine", n_samples=4000, noise=0.2)
    x, y = data.x_train[:, 0], data.y_train[:, 0]
    assert float(x.min()) >= -math.pi and float(x.max()) <= math.pi
    residual = y - torch.sin(x)
    assert float(residual.mean()) == pytest.approx(0.0, abs=0.02)
    assert float(residual.std()) == pytest.approx(0.2, rel=0.05)
    clean = load("sine", noise=0.0)
    assert torch.allclose(clean.y_train[:, 0], torch.sin(clean.x_train[:, 0]), atol=1e-6)


def test_xor_labels_are_the_quadrants_without_noise():
    data = load("xor", noise=0.0)
    x, y = data.x_train, data.y_train
    assert torch.equal(y, (x[:, 0] * x[:, 1] < 0).long())
    assert (x.abs() >= 0.1 - 1e-6).all()  # padding from the axes


def test_moons_and_circles_match_scikit_learn():
    from sklearn.datasets import make_circles, make_moons

    for name, make in (("moons", make_moons), ("circles", make_circles)):
        data = load(name, n_samples=200, noise=0.0, seed=5)
        x = torch.cat([data.x_train, data.x_test]).double()
        ref, _ = make(200, noise=0.0, random_state=5, **({"factor": 0.5} if name == "circles" else {}))
        # Same points, split differently: compare as sorted rows.
        got = np.array(sorted(map(tuple, x.numpy().round(5))))
        want = np.array(sorted(map(tuple, ref.round(5))))
        assert np.allclose(got, want, atol=1e-5)


@pytest.mark.parametrize(("name", "param", "value"), [("spirals", "arms", 4), ("blobs", "centers", 5)])
def test_class_count_parameters(name, param, value):
    data = load(name, **{param: value})
    assert data.n_classes == value
    counts = torch.bincount(torch.cat([data.y_train, data.y_test]))
    assert counts.min() >= counts.max() - 2  # balanced


def test_classification_split_is_stratified():
    data = load("breast_cancer", test_ratio=0.25)
    train_share = data.y_train.double().mean()
    test_share = data.y_test.double().mean()
    assert float(train_share) == pytest.approx(float(test_share), abs=0.02)


@pytest.mark.parametrize("name", ["breast_cancer", "diabetes"])
def test_tables_are_standardized_with_training_statistics(name):
    data = load(name)
    x = data.x_train.double()
    assert torch.allclose(x.mean(0), torch.zeros(x.shape[1], dtype=torch.float64), atol=1e-5)
    assert torch.allclose(x.std(0, unbiased=False), torch.ones(x.shape[1], dtype=torch.float64), atol=1e-4)
    # The test split is transformed with the training statistics, so its mean is not exactly 0.
    assert not torch.allclose(data.x_test.double().mean(0), torch.zeros(x.shape[1], dtype=torch.float64), atol=1e-5)


def test_diabetes_target_scale_undoes_standardization():
    from sklearn.datasets import load_diabetes

    data = load("diabetes")
    assert float(data.y_train.mean()) == pytest.approx(0.0, abs=1e-5)
    original = data.y_train[:, 0].double() * data.target_std + data.target_mean
    assert set(np.round(original.numpy(), 3)) <= set(np.round(load_diabetes().target, 3))


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_images_are_normalized_with_the_training_subset(name):
    data = load(name)
    assert data.n_train == 300 and data.n_test == 200 and data.n_classes == 10
    assert float(data.x_train.mean()) == pytest.approx(0.0, abs=1e-4)
    assert float(data.x_train.std()) == pytest.approx(1.0, abs=1e-3)
    mean, std = data.pixel_scale
    pixels = torch.cat([data.x_train, data.x_test]) * std + mean
    assert float(pixels.min()) >= -1e-5 and float(pixels.max()) <= 1 + 1e-5
    assert 0.05 < mean < 0.5  # MNIST ≈ 0.13, Fashion-MNIST ≈ 0.29


def test_bad_parameters_raise_user_errors():
    with pytest.raises(UserError) as info:
        DATASETS.get("moons").load(0, n_samples=10**9)
    assert info.value.key == "param_range"
    with pytest.raises(UserError) as info:
        DATASETS.get("moons").load(0, arms=3)
    assert info.value.key == "param_unknown"
    with pytest.raises(UserError) as info:
        DATASETS.get("nope")
    assert info.value.key == "unknown_name"


def test_missing_image_directory_is_a_user_error(tmp_path):
    with pytest.raises(UserError) as info:
        DATASETS.get("mnist").load(0, root=tmp_path, n_train=100, n_test=100)
    assert info.value.key == "no_image_data"


def _idx(path, array, header=None):
    """Write `array` (uint8) as an IDX file, gzipped when the name ends in .gz."""
    import gzip
    import struct

    data = (
        header if header is not None else bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    )
    data += array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


def test_idx_files_are_read_gzipped_or_plain(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    images, labels = rng.integers(0, 256, (5, 28, 28)), rng.integers(0, 10, 5)
    _idx(raw / "t10k-images-idx3-ubyte.gz", images)
    _idx(raw / "t10k-labels-idx1-ubyte", labels)
    x, y = load_images("MNIST", train=False, root=str(tmp_path))
    assert x.dtype == torch.uint8 and y.dtype == torch.int64
    assert np.array_equal(x.numpy(), images) and np.array_equal(y.numpy(), labels)


@pytest.mark.parametrize("header", [b"\x00\x00\x0d\x01\x00\x00\x00\x05", b"\x00\x00\x08\x01\x00\x00\x00\x09", b"\x08"])
def test_a_malformed_idx_file_is_a_user_error(tmp_path, header):
    path = tmp_path / "t10k-labels-idx1-ubyte"
    _idx(path, np.arange(5), header=header)
    with pytest.raises(UserError) as info:
        read_idx(path)
    assert info.value.key == "bad_image_data"


def test_regression_sets_have_the_regression_flag():
    assert {s.name for s in DATASETS if s.task == REGRESSION} == {"sine", "diabetes"}


def test_blob_centers_lie_on_the_circle():
    data = load("blobs", n_samples=4000, centers=4, cluster_std=0.3)
    radii = [float(data.x_train[data.y_train == k].mean(0).norm()) for k in range(4)]
    assert radii == pytest.approx([3.0] * 4, abs=0.05)


def test_to_device_moves_every_tensor():
    data = load("moons").to("cpu")
    assert data.x_train.device.type == "cpu" and data.y_test.device.type == "cpu"
    assert data.input_shape == (2,)
