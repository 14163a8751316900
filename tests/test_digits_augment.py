"""core.digits.augment's robust distortions (issue 18): each one checked on a picture whose answer is known."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.data.images import load_images
from core.digits import augment as aug
from core.digits.preprocess import centre_of_mass, prepare
from core.digits.train import to_float


def bar(rows=slice(6, 22), cols=slice(13, 15), side=28) -> torch.Tensor:
    x = torch.zeros(1, 1, side, side)
    x[0, 0, rows, cols] = 1
    return x


@pytest.fixture(scope="module")
def digits() -> torch.Tensor:
    return to_float(load_images("MNIST", train=False)[0][:32])


def test_gaussian_blur_is_a_normalised_separable_gaussian():
    x = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    sigma = torch.tensor([0.7, 1.5, 2.5])
    out = aug.gaussian_blur(x, sigma)
    for i, s in enumerate(sigma.tolist()):
        r = math.ceil(3 * 2.5)
        k = torch.exp(-(torch.arange(-r, r + 1.0) ** 2) / (2 * s * s))
        kernel = torch.outer(k, k) / k.sum() ** 2  # the 2-D Gaussian, the oracle
        expected = F.conv2d(x[i : i + 1], kernel[None, None], padding=r)
        torch.testing.assert_close(out[i : i + 1], expected, rtol=1e-4, atol=1e-5)


def test_elastic_of_strength_zero_is_the_identity_and_otherwise_moves_ink(digits):
    g = torch.Generator().manual_seed(0)
    torch.testing.assert_close(aug.elastic(digits, 0.0, 3.0, g), digits, rtol=0, atol=1e-5)
    moved = aug.elastic(digits, 2.0, 3.0, g)
    assert (moved - digits).abs().mean() > 0.01
    assert moved.sum() == pytest.approx(digits.sum().item(), rel=0.1)  # ink is moved, not made


def test_slant_shears_a_vertical_bar_by_the_angle():
    spec = aug.Augment(rotate=0, scale=0, shift=0, thicken=0)
    x = bar()
    torch.testing.assert_close(aug.slant_affine(x, spec, 0.0, torch.Generator()), x, rtol=0, atol=1e-5)
    # slant=20 draws U(±20°); find the drawn angle from the bar's top and bottom rows
    sheared = aug.slant_affine(x, spec, 20.0, torch.Generator().manual_seed(3))[0, 0].numpy()
    top, bottom = sheared[7:9], sheared[19:21]
    dx = centre_of_mass(bottom)[1] - centre_of_mass(top)[1]
    angle = math.degrees(math.atan2(-dx, 12))
    assert 0.5 < abs(angle) <= 20.5


def test_stroke_width_changes():
    x = bar(cols=slice(12, 16))  # a 4-px wide bar
    assert aug.dilate(x).sum() > x.sum()
    assert aug.erode(x).sum() == pytest.approx(14 * 2)  # one pixel off every side
    thinner = aug.thinner(x, 1)
    assert thinner.sum() == pytest.approx(3 * 15)  # ½ px off every side: 4 × 16 → 3 × 15


def test_low_resolution_keeps_the_size_and_softens(digits):
    sides = torch.full((len(digits),), 8)
    soft = aug.low_resolution(digits, sides)
    assert soft.shape == digits.shape
    edges = lambda t: (t[..., 1:, :] - t[..., :-1, :]).abs().sum()  # noqa: E731  total variation
    assert edges(soft) < 0.8 * edges(digits)


def test_broken_strokes_only_remove_ink(digits):
    out = aug.break_strokes(digits, 3, 1.5, torch.Generator().manual_seed(0))
    assert (out <= digits + 1e-6).all()
    lost = (digits - out).sum((1, 2, 3))
    assert (lost > 0).all()


def test_pieces_move_part_of_the_ink_and_keep_most_of_it(digits):
    out = aug.in_pieces(digits, torch.Generator().manual_seed(0))
    assert (out - digits).abs().sum() > 0
    assert out.sum() == pytest.approx(digits.sum().item(), rel=0.15)


def test_renormalize_does_what_the_page_preprocessing_does():
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 2:8, 3:6] = 1  # a small off-centre blob, 6 rows × 3 cols
    out = aug.renormalize(x)[0, 0].numpy()
    page = prepare(x[0, 0].numpy()).image
    rows = np.flatnonzero((out >= 0.2).any(1))
    # The longer side fills the 20-px box; bilinear sampling across the box's edge (the page
    # interpolates the crop alone) adds up to ~0.3 source px, here 3.3× enlarged, on each side.
    assert 20 <= rows[-1] - rows[0] + 1 <= 22
    r, c = centre_of_mass(out)
    assert abs(r - 14) <= 0.5 + 1e-4 and abs(c - 14) <= 0.5 + 1e-4
    assert abs(centre_of_mass(page)[0] - r) <= 1 + 1e-4 and abs(centre_of_mass(page)[1] - c) <= 1 + 1e-4
    assert out.max() == pytest.approx(1)
    torch.testing.assert_close(aug.renormalize(torch.zeros(2, 1, 28, 28)), torch.zeros(2, 1, 28, 28))


def test_renormalize_leaves_mnist_nearly_alone_as_the_page_does(digits):
    # MNIST is already in its 20-px box with its centre of mass at the centre
    out = aug.renormalize(digits)
    assert (out - digits).abs().mean() < 0.03
    page = torch.stack([torch.from_numpy(prepare(d[0].numpy()).image) for d in digits])[:, None]
    assert (out - page).abs().mean() < 0.03


def test_robust_augmentation_is_reproducible_and_keeps_the_range(digits):
    a = aug.robust_augment(digits, aug.Robust(), torch.Generator().manual_seed(1))
    b = aug.robust_augment(digits, aug.Robust(), torch.Generator().manual_seed(1))
    torch.testing.assert_close(a, b)
    assert a.shape == digits.shape and a.min() >= 0 and a.max() <= 1
    c = aug.robust_augment(digits, aug.Robust(), torch.Generator().manual_seed(2))
    assert (a - c).abs().sum() > 0
