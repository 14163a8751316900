"""core.digits.preprocess: canvas/photo → 28×28 MNIST-style input."""

import io

import numpy as np
import pytest
from PIL import Image

from core.data.images import load_images
from core.digits.preprocess import (
    BOX,
    CENTRE,
    SIZE,
    canvas_ink,
    centre_of_mass,
    from_canvas,
    from_photo,
    is_empty,
    otsu_threshold,
    prepare,
    shift,
)
from core.errors import UserError


def canvas(*boxes: tuple[int, int, int, int], side: int = 280) -> np.ndarray:
    """A black RGBA canvas with white filled rectangles (top, left, bottom, right)."""
    rgba = np.zeros((side, side, 4), np.uint8)
    rgba[..., 3] = 255
    for top, left, bottom, right in boxes:
        rgba[top:bottom, left:right, :3] = 255
    return rgba


def ring(side: int = 280, radius: float = 80, width: float = 18, centre=(140, 140)) -> np.ndarray:
    rows, cols = np.indices((side, side))
    distance = np.hypot(rows - centre[0], cols - centre[1])
    rgba = np.zeros((side, side, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[np.abs(distance - radius) < width / 2, :3] = 255
    return rgba


SHAPES = {
    "vertical stroke": canvas((40, 130, 240, 150)),
    "off-centre L": canvas((10, 10, 150, 30), (130, 10, 150, 120)),
    "corner blob": canvas((200, 200, 270, 260)),
    "ring": ring(),
    "seven": canvas((30, 60, 50, 220), (50, 190, 250, 210)),
}


@pytest.mark.parametrize("name", SHAPES)
def test_shape_range_and_peak(name):
    image = from_canvas(SHAPES[name]).image
    assert image.shape == (SIZE, SIZE)
    assert image.dtype == np.float32
    assert image.min() >= 0 and image.max() <= 1
    assert image.max() == pytest.approx(1, abs=0.05)


@pytest.mark.parametrize("name", SHAPES)
def test_centre_of_mass_is_centred(name):
    row, col = centre_of_mass(from_canvas(SHAPES[name]).image)
    assert abs(row - CENTRE) <= 0.5 and abs(col - CENTRE) <= 0.5


def ink_extent(image: np.ndarray, level: float = 0.5) -> tuple[int, int]:
    rows = np.flatnonzero((image >= level).any(axis=1))
    cols = np.flatnonzero((image >= level).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


@pytest.mark.parametrize(("box", "expected"), [((40, 90, 240, 190), (20, 10)), ((100, 20, 150, 220), (5, 20))])
def test_aspect_ratio_is_kept_and_longer_side_fills_the_box(box, expected):
    height, width = ink_extent(from_canvas(canvas(box)).image)
    assert max(height, width) == BOX
    assert abs(height - expected[0]) <= 1 and abs(width - expected[1]) <= 1


def test_crop_box_is_reported_in_canvas_pixels():
    assert from_canvas(canvas((40, 130, 240, 150))).box == (40, 130, 240, 150)


def test_position_and_size_on_the_canvas_do_not_matter():
    small = from_canvas(canvas((10, 10, 60, 20))).image
    large = from_canvas(canvas((50, 100, 250, 140))).image
    assert np.abs(small - large).max() < 0.25


@pytest.mark.parametrize(
    "rgba",
    [canvas(), canvas((100, 100, 103, 103)), np.zeros((280, 280, 4), np.uint8)],
    ids=["black", "tiny dot", "transparent"],
)
def test_empty_or_nearly_empty_is_rejected(rgba):
    assert is_empty(canvas_ink(rgba))
    with pytest.raises(UserError) as info:
        from_canvas(rgba)
    assert info.value.key == "digits.errors.empty"


def test_transparent_background_counts_as_paper():
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[40:240, 130:150] = 255  # opaque white stroke, the rest fully transparent
    expected = from_canvas(canvas((40, 130, 240, 150))).image
    np.testing.assert_allclose(from_canvas(rgba).image, expected, atol=1e-6)


@pytest.mark.parametrize("shape", [(280, 280, 2), (280,), (0, 0, 4)])
def test_malformed_canvas_is_a_user_error(shape):
    with pytest.raises(UserError):
        from_canvas(np.zeros(shape, np.uint8))


def test_mnist_digits_survive_the_round_trip():
    """An MNIST digit, blown up ×10 like a canvas drawing, comes back close to itself."""
    images, _ = load_images("MNIST", train=False)
    similarity = []
    for digit in images[:50].numpy():
        big = np.kron(digit, np.ones((10, 10), np.uint8))
        prepared = from_canvas(np.stack([big, big, big, np.full_like(big, 255)], axis=-1)).image
        original = digit.astype(np.float32) / 255
        similarity.append(np.corrcoef(prepared.ravel(), original.ravel())[0, 1])
    assert np.median(similarity) > 0.9


def png(array: np.ndarray, mode: str = "L") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def test_photo_of_dark_ink_on_light_paper_is_inverted():
    rng = np.random.default_rng(0)
    paper = np.clip(rng.normal(215, 8, (400, 300)), 0, 255).astype(np.uint8)  # greyish, noisy paper
    paper[60:340, 140:170] = 40  # a dark vertical stroke
    photo = from_photo(png(paper)).image
    drawing = from_canvas(canvas((60, 140, 340, 170), side=400)).image
    assert np.corrcoef(photo.ravel(), drawing.ravel())[0, 1] > 0.9
    assert photo[0, 0] == 0 and photo[:, :5].max() == 0  # paper noise was thresholded away


def test_photo_with_light_ink_on_dark_background_is_not_inverted():
    board = np.full((240, 240), 30, np.uint8)
    board[40:200, 100:140] = 230
    board[40:80, 60:140] = 230
    expected = from_canvas(canvas((40, 100, 200, 140), (40, 60, 80, 140), side=240)).image
    assert np.corrcoef(from_photo(png(board)).image.ravel(), expected.ravel())[0, 1] > 0.9


def test_rgba_photo_with_transparent_paper():
    rgba = np.zeros((200, 200, 4), np.uint8)
    rgba[30:170, 90:110] = (0, 0, 0, 255)  # black ink, transparent elsewhere
    assert from_photo(png(rgba, "RGBA")).image.max() == pytest.approx(1, abs=0.05)


@pytest.mark.parametrize("data", [b"", b"not an image", png(np.zeros((4, 4), np.uint8))[:30]])
def test_malformed_upload_is_a_user_error(data):
    with pytest.raises(UserError) as info:
        from_photo(data)
    assert info.value.key == "digits.errors.bad_photo"


def test_blank_photo_is_empty():
    with pytest.raises(UserError) as info:
        from_photo(png(np.full((100, 100), 240, np.uint8)))
    assert info.value.key == "digits.errors.empty"


def test_otsu_splits_two_modes():
    values = np.concatenate([np.full(900, 0.1), np.full(100, 0.8)])
    assert 0.1 < otsu_threshold(values) <= 0.8


def test_prepare_rejects_non_2d():
    with pytest.raises(UserError):
        prepare(np.zeros((3, 3, 3)))


def test_prepared_records_what_was_done():
    ink = np.zeros((280, 280), np.float32)
    ink[40:240, 130:150] = 1  # a 20×200 stroke
    prepared = prepare(ink)
    assert prepared.box == (40, 130, 240, 150)
    assert prepared.scale == pytest.approx(0.1) and prepared.size == (20, 2)
    r, c = prepared.mass
    assert (r + prepared.shift[0], c + prepared.shift[1]) == pytest.approx((14, 14), abs=0.5)
    before = shift(prepared.image, -prepared.shift[0], -prepared.shift[1])  # the scaled digit before the move
    assert centre_of_mass(before) == pytest.approx(prepared.mass, abs=1e-4)
