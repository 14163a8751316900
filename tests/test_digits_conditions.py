"""core.digits.conditions: the robustness benchmark's drawings, and the shipped best model on a fixed slice of each."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from core.data.images import load_images
from core.digits import conditions as cond
from core.digits.models import BEST, load_shipped
from core.digits.preprocess import centre_of_mass


@pytest.fixture(scope="module")
def test_set() -> tuple[np.ndarray, np.ndarray]:
    images, labels = load_images("MNIST", train=False)
    return images.numpy(), labels.numpy()


def vertical_bar() -> np.ndarray:
    digit = np.zeros((28, 28), np.uint8)
    digit[4:24, 13:16] = 255
    return digit


@pytest.mark.parametrize("name", list(cond.CONDITIONS))
def test_every_condition_is_a_seeded_canvas_picture_the_page_can_read(name, test_set):
    digits, _ = test_set
    a = cond.render(name, digits[0], seed=0, index=0)
    assert a.shape == (cond.SIDE, cond.SIDE) and a.dtype == np.uint8 and a.max() > 100
    np.testing.assert_array_equal(a, cond.render(name, digits[0], seed=0, index=0))
    assert not np.array_equal(a, cond.render(name, digits[0], seed=1, index=0))
    image = cond.prepared(name, digits[0], 0, 0)
    assert image is not None and image.shape == (28, 28)


def test_unknown_condition_names_the_choices():
    with pytest.raises(ValueError, match="blur"):
        cond.render("fog", vertical_bar(), 0, 0)


def test_zhang_suen_thins_a_bar_to_its_centre_line():
    binary = np.zeros((30, 30), bool)
    binary[5:25, 10:17] = True
    line = cond.thin(binary)
    rows = np.flatnonzero(line.any(1))
    assert line.sum(1)[rows[2:-2]].max() == 1  # one pixel wide away from the ends
    assert np.all(np.isin(np.flatnonzero(line.any(0)), [12, 13, 14]))  # in the middle of columns 10–16
    assert rows[-1] - rows[0] >= 10  # and still long


def test_pieces_are_found_and_joined_at_their_nearest_points():
    skeleton = np.array([[r, 10] for r in range(5, 20)] + [[r, 30] for r in range(5, 20)])  # two bars, 56-px grid
    assert len(cond.pieces_of(skeleton)) == 2
    (start, end),  = cond.join_pieces(skeleton)  # fmt: skip
    assert abs(abs(end[1] - start[1]) - 20 / cond.UPSAMPLE) < 1e-6  # across the gap, straight


def test_pen_width_is_what_thin_and_thick_ask_for(test_set):
    digits, _ = test_set
    ink = {name: (cond.render(name, digits[i], 0, i) > 127).sum() for name in ("thin", "thick") for i in [3]}
    assert ink["thick"] > 3 * ink["thin"]


def test_slant_leans_a_vertical_bar_by_twenty_degrees():
    picture = cond.render("slant", vertical_bar(), 0, 0).astype(np.float32) / 255
    rows = np.flatnonzero(picture.max(1) > 0.5)
    top, bottom = picture[rows[0] + 5 : rows[0] + 15], picture[rows[-1] - 15 : rows[-1] - 5]
    dx = centre_of_mass(bottom)[1] - centre_of_mass(top)[1]
    dy = (rows[-1] - 10) - (rows[0] + 10)
    assert math.degrees(math.atan(abs(dx) / dy)) == pytest.approx(20, abs=1.5)


def test_blur_and_low_resolution_soften_the_strokes(test_set):
    digits, _ = test_set

    def steepest(picture):  # the largest step between neighbouring pixels, relative to the peak
        return np.abs(np.diff(picture.astype(np.float32), axis=0)).max() / picture.max()

    assert steepest(cond.render("canvas", digits[1], 0, 1)) > 0.3  # solid strokes, a thin soft edge
    assert steepest(cond.render("blur", digits[1], 0, 1)) < 0.1
    assert steepest(cond.render("low_res", digits[1], 0, 1)) < 0.3


def test_small_drawings_are_small_and_anywhere(test_set):
    digits, _ = test_set
    for i in range(5):
        rows, cols = np.nonzero(cond.render("small", digits[i], 0, i) > 50)
        assert rows.max() - rows.min() < 75 and cols.max() - cols.min() < 75


def test_broken_strokes_have_more_pieces_than_the_pen_drawing(test_set):
    digits, _ = test_set
    points = cond.centre_line(digits[0])
    with_gaps = cond._with_gaps(points, 3, 1.5, np.random.default_rng(0))
    assert len(with_gaps) < len(points)
    assert len(cond.pieces_of(with_gaps)) > len(cond.pieces_of(points))


def test_in_pieces_moves_each_piece_one_to_two_pixels(test_set):
    digits, _ = test_set
    offsets = cond._cut_offsets(cond.centre_line(digits[0]), np.random.default_rng(0))
    distinct = np.unique(offsets, axis=0)
    assert len(distinct) >= 2
    assert np.all((np.linalg.norm(distinct, axis=1) >= 1 - 1e-6) & (np.linalg.norm(distinct, axis=1) <= 2 + 1e-6))


def test_scores_count_rejected_inputs_as_misses():
    class Always3(nn.Module):
        def forward(self, x):
            return torch.eye(10)[[3] * len(x)]

    labels = np.array([3, 3, 3, 5])
    result = cond.scores(Always3(), np.zeros((4, 28, 28), np.float32), np.array([True, True, False, True]), labels)
    assert result["accuracy"] == 0.5
    assert result["recall"][3] == pytest.approx(2 / 3) and result["recall"][5] == 0
    assert result["worst"] == (5, 0.0)


@pytest.fixture(scope="module")
def best():
    return load_shipped(BEST)


@pytest.mark.parametrize("name", list(cond.CONDITIONS))
def test_best_model_reaches_its_recorded_accuracy_on_a_fixed_slice(name, best, test_set):
    """The first SLICE test digits of every condition, rendered as the benchmark renders them.

    The slice's accuracy was recorded by `benchmarks/bench_digits_robust.py --record`: allow one
    image either way (a borderline input may flip on another CPU's float rounding). And the slice
    must agree with the full-set figure within three binomial standard deviations of SLICE draws.
    """
    model, meta = best
    digits, labels = test_set
    measured = cond.scores(model, *cond.batch(name, digits, meta["conditions_seed"], range(cond.SLICE)),
                           labels[: cond.SLICE])["accuracy"]  # fmt: skip
    assert abs(measured - meta["conditions_slice"][name]) <= 1 / cond.SLICE + 1e-9, (measured, meta)
    full = meta["conditions"][name]
    spread = 3 * math.sqrt(max(full * (1 - full), 0.01 * 0.99) / cond.SLICE)
    assert measured >= full - spread, (measured, full)


def test_cached_batch_draws_as_batch_whatever_the_workers_and_reads_its_file_back(test_set, tmp_path, monkeypatch):
    import core.data.images

    monkeypatch.setattr(core.data.images, "CACHE", tmp_path)
    digits = test_set[0][:24]
    want = cond.batch("broken", digits, 3, np.arange(24))
    drawn = cond.cached_batch("broken", digits, 3, "check", workers=2)
    for got, expected in zip(drawn, want, strict=True):
        np.testing.assert_array_equal(got, expected)
    (saved,) = (tmp_path / "digits_conditions").iterdir()
    assert saved.name.startswith("check-broken-s3-n24-")
    monkeypatch.setattr(cond, "batch", lambda *a: pytest.fail("drawn again instead of read back"))
    np.testing.assert_array_equal(cond.cached_batch("broken", digits, 3, "check", workers=1)[0], want[0])
