"""How people who are not MNIST's writers draw: MNIST test digits redrawn on the page's canvas under one condition each.

Every condition takes a (28, 28) uint8 MNIST digit and a numpy Generator and returns what the
canvas would hold: a (280, 280) uint8 ink picture (white ink on black). The benchmark and the
tests then pass it through the page's own preprocessing (`core.digits.preprocess.prepare`),
exactly as a drawing is. A canvas PNG is lossless, so skipping the PNG round trip changes no pixel.

The conditions (sizes in MNIST pixels are relative to the 28×28 field, whose digit spans ~20):

- ``canvas``: the canvas-like redraw of the first benchmark (scale 4–10 canvas px per MNIST px,
  random place, strokes thickened by a random max filter, solid strokes with an anti-aliased edge).
- ``blur``: the canvas drawing blurred by a Gaussian of σ = 1.5–2 MNIST px (7–10 % of the digit's height).
- ``low_res``: the digit rendered at 8–12 px tall (area averaging), then scaled up to 120–280 canvas px
  with bilinear interpolation: a phone photo of a small digit, blocky and soft.
- ``slant``: sheared by ±20° (x ↦ x + tan 20° · (centre − y)): italic writing, either way.
- ``thin`` / ``thick``: the digit's centre line (Zhang–Suen thinning) redrawn with a round pen of
  6 canvas px (2.4–4 % of the digit's height: the page's thinnest brush on a large digit) / of
  22–28 % of the digit's height (the default 18 px brush on a 70 px digit).
- ``small``: the canvas drawing made small (the 28-px field 42–70 canvas px, the digit 30–50 px) and
  placed anywhere on the canvas, off the centre; its strokes thickened by the same 1–5 canvas px as
  ``canvas``, which on a small digit makes them relatively bold (as the default brush does).
- ``broken``: the digit redrawn with a round pen of 12 % of its height, its centre line cut at 3 random
  places so that 3 gaps of 1.5 MNIST px cross the strokes (a pen that skips, a touch screen that drops points).
- ``one_stroke``: drawn without lifting the pen: the centre line's pieces joined by straight strokes
  between their nearest points, redrawn with a round pen of 12 % of the digit's height (MNIST's typical).
- ``pieces``: drawn in separate strokes that do not quite meet: the same pen drawing cut along 1–2
  straight lines through the ink's centre of mass, every piece moved 1–2 MNIST px in a random direction.

``one_stroke`` and ``pieces`` are approximations: MNIST keeps no pen trajectories, so how a
writer moved the pen is modelled on the finished picture (joined pieces vs cut-and-moved pieces).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFilter

SIDE = 280  # the page's canvas (core.digits.settings.CANVAS_SIDE)
MNIST = 28
THIN_PEN = 6  # canvas px: the stroke-width slider's minimum
SLICE = 100  # the tests check the best model on the first SLICE test digits of every condition
GAP = 0.75  # MNIST px: half the width of a gap in a broken stroke, beyond the pen's own radius

Condition = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def _solid(ink: np.ndarray) -> np.ndarray:
    """Grey MNIST strokes made solid with a thin anti-aliased edge, like a brush."""
    return np.clip((ink - 0.2) / 0.3, 0, 1)


def _place(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`ink` (h, w float) at a random position on a blank canvas (cropped if it does not fit)."""
    canvas = np.zeros((SIDE, SIDE), np.float32)
    h, w = ink.shape
    top = int(rng.integers(0, SIDE - h + 1)) if h < SIDE else 0
    left = int(rng.integers(0, SIDE - w + 1)) if w < SIDE else 0
    canvas[top : top + h, left : left + w] = ink[: SIDE - top, : SIDE - left]
    return canvas


def _grey(canvas: np.ndarray) -> np.ndarray:
    return (np.clip(canvas, 0, 1) * 255).round().astype(np.uint8)


def _enlarge(digit: np.ndarray, side: int) -> Image.Image:
    return Image.fromarray(digit).resize((side, side), Image.Resampling.BILINEAR)


def canvas(digit: np.ndarray, rng: np.random.Generator, scale: tuple[float, float] = (4, 10),
           thicken: bool = True) -> np.ndarray:  # fmt: skip
    """The canvas-like redraw: enlarged, optionally thickened, solid strokes, placed at random."""
    factor = rng.uniform(*scale)  # canvas pixels per MNIST pixel
    side = int(round(MNIST * factor))
    big = _enlarge(digit, side)
    if thicken:
        size = int(rng.integers(0, 3)) * 2 + 1  # 1 (none), 3 or 5 canvas-pixel max filter...
        size += 2 * int(rng.uniform(0, 0.6) * factor)  # ...plus up to ~0.6 MNIST pixels on each side
        ink = np.asarray(big, np.float32) / 255
        if size > 1:
            ink = max_filter(ink, size)
    else:
        ink = np.asarray(big, np.float32) / 255
    return _grey(_place(_solid(ink), rng))


def max_filter(ink: np.ndarray, size: int) -> np.ndarray:
    """A size×size max filter (as PIL's MaxFilter, zeros outside), done separably: rows, then columns."""
    t = torch.from_numpy(np.ascontiguousarray(ink))[None, None]
    t = F.max_pool2d(t, (1, size), stride=1, padding=(0, size // 2))
    t = F.max_pool2d(t, (size, 1), stride=1, padding=(size // 2, 0))
    return t[0, 0].numpy()


def _scale_of(rng: np.random.Generator, low: float = 4, high: float = 10) -> tuple[float, int]:
    factor = rng.uniform(low, high)
    return factor, int(round(MNIST * factor))


def blur(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A canvas drawing under a strong Gaussian blur (σ = 1.5–2 MNIST px)."""
    factor, side = _scale_of(rng)
    ink = _solid(np.asarray(_enlarge(digit, side), np.float32) / 255)
    sigma = rng.uniform(1.5, 2.0) * factor
    picture = Image.fromarray(_grey(_place(ink, rng)))
    return np.asarray(picture.filter(ImageFilter.GaussianBlur(sigma)))


def low_res(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The digit rendered 8–12 px tall (its 28-px field at 28·s/20 px), then scaled up bilinearly."""
    tall = rng.uniform(8, 12)
    padded = np.pad(digit, 4)  # paper all round: the enlarged picture must fade out, not end at a cut edge
    small_side = max(2, int(round(padded.shape[0] * tall / 20)))
    small = Image.fromarray(padded).resize((small_side, small_side), Image.Resampling.BOX)
    factor, _ = _scale_of(rng, 4.3, 8.5)
    side = int(round(padded.shape[0] * factor))
    big = small.resize((side, side), Image.Resampling.BILINEAR)
    return _grey(_place(np.asarray(big, np.float32) / 255, rng))


def slant(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Italic: a horizontal shear of +20° or −20° about the digit's centre row."""
    factor, side = _scale_of(rng, 4, 7)
    ink = _solid(np.asarray(_enlarge(digit, side), np.float32) / 255)
    shear = math.tan(math.radians(20)) * (1 if rng.random() < 0.5 else -1)
    pad = int(math.ceil(abs(shear) * side / 2))
    picture = Image.fromarray(_grey(np.pad(ink, ((0, 0), (pad, pad)))))
    # PIL maps output (x, y) to input (a x + b y + c, …): a shear of `shear` about the middle row.
    width = picture.width
    sheared = picture.transform((width, side), Image.Transform.AFFINE,
                                (1, shear, -shear * side / 2, 0, 1, 0), Image.Resampling.BILINEAR)  # fmt: skip
    return _grey(_place(np.asarray(sheared, np.float32) / 255, rng))


# --- the centre line of a digit, and drawing it again with a round pen -------------------------------


def _neighbours(image: np.ndarray) -> list[np.ndarray]:
    """P2..P9 of Zhang–Suen (north, then clockwise), zero outside the image."""
    p = np.pad(image, 1)
    h, w = image.shape
    at = lambda dr, dc: p[1 + dr : 1 + dr + h, 1 + dc : 1 + dc + w]  # noqa: E731
    return [at(-1, 0), at(-1, 1), at(0, 1), at(1, 1), at(1, 0), at(1, -1), at(0, -1), at(-1, -1)]


def thin(binary: np.ndarray, max_rounds: int = 50) -> np.ndarray:
    """Zhang–Suen thinning (Zhang & Suen 1984): a one-pixel-wide centre line of a binary image."""
    image = np.asarray(binary, bool).astype(np.uint8)
    for _ in range(max_rounds):
        changed = False
        for first in (True, False):
            p2, p3, p4, p5, p6, p7, p8, p9 = _neighbours(image)
            ring = [p2, p3, p4, p5, p6, p7, p8, p9, p2]
            count = sum(ring[:8])  # B(P): ink neighbours
            transitions = sum(((a == 0) & (b == 1)).astype(np.uint8) for a, b in zip(ring[:-1], ring[1:], strict=True))
            if first:
                side = (p2 * p4 * p6 == 0) & (p4 * p6 * p8 == 0)
            else:
                side = (p2 * p4 * p8 == 0) & (p2 * p6 * p8 == 0)
            remove = (image == 1) & (count >= 2) & (count <= 6) & (transitions == 1) & side
            if remove.any():
                image[remove] = 0
                changed = True
        if not changed:
            break
    return image.astype(bool)


UPSAMPLE = 2  # the centre line is found at 56×56


def centre_line(digit: np.ndarray) -> np.ndarray:
    """(K, 2) int (row, col) pixels of the digit's centre line on the 56×56 grid (`to_mnist` converts)."""
    big = np.asarray(Image.fromarray(digit).resize((MNIST * UPSAMPLE,) * 2, Image.Resampling.BILINEAR))
    rows, cols = np.nonzero(thin(big >= 128))
    return np.stack([rows, cols], 1)


def to_mnist(points: np.ndarray) -> np.ndarray:
    """Centre-line pixels → (row, col) float positions in MNIST pixels."""
    return (points.astype(np.float32) + 0.5) / UPSAMPLE - 0.5


def _segments(points: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of 8-neighbouring centre-line pixels (indices), each pair once."""
    keys = {(int(r), int(c)): i for i, (r, c) in enumerate(points)}
    pairs = []
    for (r, c), i in keys.items():
        for dr, dc in ((0, 1), (1, -1), (1, 0), (1, 1)):
            j = keys.get((r + dr, c + dc))
            if j is not None:
                pairs.append((i, j))
    return pairs


def pieces_of(points: np.ndarray) -> list[np.ndarray]:
    """The connected pieces of a centre line (8-connectivity), as lists of point indices."""
    parent = list(range(len(points)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in _segments(points):
        parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(points)):
        groups.setdefault(root(i), []).append(i)
    return [np.array(g) for g in groups.values()]


def join_pieces(points: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Straight strokes (in MNIST px) that join every piece to the nearest other (a spanning tree, greedy from the largest)."""
    groups = sorted(pieces_of(points), key=len, reverse=True)
    points = to_mnist(points)
    joined, rest, strokes = [groups[0]], groups[1:], []
    while rest:
        best = None
        for k, group in enumerate(rest):
            inside = points[np.concatenate(joined)]
            d = ((inside[:, None] - points[group][None]) ** 2).sum(-1)
            a, b = np.unravel_index(int(d.argmin()), d.shape)
            if best is None or d[a, b] < best[0]:
                best = (d[a, b], k, inside[a], points[group][b])
        _, k, start, end = best
        strokes.append((start, end))
        joined.append(rest.pop(k))
    return strokes


def draw_pen(points: np.ndarray, extra: list[tuple[np.ndarray, np.ndarray]], factor: float, pen: float,
             offsets: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """The centre line (plus `extra` strokes, in MNIST px) drawn with a round pen `pen` canvas px wide, at `factor`
    canvas px per MNIST px.

    Returns:
        (side, side) float32 ink, side = round(28·factor) plus room for the pen; `offsets` moves each point (K, 2).
    """
    moved = to_mnist(points) if offsets is None else to_mnist(points) + offsets
    side = int(round(MNIST * factor + pen))
    to_xy = lambda p: ((p[1] + 0.5) * factor + pen / 2, (p[0] + 0.5) * factor + pen / 2)  # noqa: E731
    picture = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(picture)
    r = pen / 2
    lines = [(moved[i], moved[j]) for i, j in _segments(points)] + list(extra)
    for a, b in lines:
        draw.line([to_xy(a), to_xy(b)], fill=255, width=max(1, int(round(pen))))
    for p in list(moved) + [q for line in extra for q in line]:
        x, y = to_xy(p)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    return np.asarray(picture, np.float32) / 255


def _height(points: np.ndarray) -> float:
    """The centre line's height in MNIST px (at least 1)."""
    return max(1.0, float(np.ptp(points[:, 0])) / UPSAMPLE + 1) if len(points) else 1.0


def _pen_drawing(digit: np.ndarray, rng: np.random.Generator, relative: tuple[float, float] | None,
                 absolute: float | None = None, join: bool = False, cut: bool = False,
                 gaps: int = 0) -> np.ndarray:  # fmt: skip
    """The digit's centre line redrawn with a round pen (its width relative to the digit's height, or in px)."""
    points = centre_line(digit)
    if len(points) == 0:
        return canvas(digit, rng)
    factor, _ = _scale_of(rng, 5, 9)
    tall = _height(points) * factor
    pen = absolute if absolute is not None else rng.uniform(*relative) * tall
    if gaps:
        points = _with_gaps(points, gaps, GAP + pen / 2 / factor, rng)
    extra = join_pieces(points) if join else []
    offsets = _cut_offsets(points, rng) if cut else None
    return _grey(_place(draw_pen(points, extra, factor, pen, offsets), rng))


def _cut_offsets(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per-point shifts (K, 2): 1–2 lines through the centre of mass cut the drawing, each piece moves 1–2 px."""
    points = to_mnist(points)
    centre = points.mean(0)
    label = np.zeros(len(points), int)
    for bit in range(int(rng.integers(1, 3))):
        angle = rng.uniform(0, math.pi)
        normal = np.array([math.sin(angle), math.cos(angle)])
        label += (((points - centre) @ normal) > 0).astype(int) << bit
    shifts = np.zeros((label.max() + 1, 2))
    for k in range(len(shifts)):
        direction = rng.uniform(0, 2 * math.pi)
        shifts[k] = rng.uniform(1, 2) * np.array([math.sin(direction), math.cos(direction)])
    return shifts[label].astype(np.float32)


def _with_gaps(points: np.ndarray, gaps: int, radius: float, rng: np.random.Generator) -> np.ndarray:
    """The centre line without the pixels within `radius` MNIST px of `gaps` random centre-line pixels."""
    where = to_mnist(points)
    keep = np.ones(len(points), bool)
    for k in rng.integers(0, len(points), gaps):
        keep &= ((where - where[k]) ** 2).sum(1) > radius**2
    return points[keep] if keep.any() else points


def thin_strokes(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The centre line drawn with the page's thinnest brush, 6 canvas px."""
    return _pen_drawing(digit, rng, None, absolute=THIN_PEN)


def thick_strokes(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The centre line drawn with a pen 22–28 % of the digit's height."""
    return _pen_drawing(digit, rng, (0.22, 0.28))


def small(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A small canvas drawing (30–50 canvas px tall) anywhere on the canvas."""
    return canvas(digit, rng, scale=(1.5, 2.5))


def broken(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A pen drawing (12 % of the height) with 3 gaps of 1.5 MNIST px cut across its strokes."""
    return _pen_drawing(digit, rng, (0.12, 0.12), gaps=3)


def one_stroke(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Without lifting the pen: the centre line's pieces joined, a round pen of 12 % of the height."""
    return _pen_drawing(digit, rng, (0.12, 0.12), join=True)


def in_pieces(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """In strokes that do not meet: the pen drawing cut by 1–2 lines, the pieces moved 1–2 MNIST px."""
    return _pen_drawing(digit, rng, (0.12, 0.12), cut=True)


CONDITIONS: dict[str, Condition] = {
    "canvas": canvas,
    "blur": blur,
    "low_res": low_res,
    "slant": slant,
    "thin": thin_strokes,
    "thick": thick_strokes,
    "small": small,
    "broken": broken,
    "one_stroke": one_stroke,
    "pieces": in_pieces,
}


def render(name: str, digit: np.ndarray, seed: int, index: int) -> np.ndarray:
    """Condition `name` applied to one digit with its own generator: the same (seed, index) always
    gives the same drawing, whatever else is rendered (so a test's slice is the benchmark's)."""
    if name not in CONDITIONS:
        raise ValueError(f"Unknown condition {name!r}; choose from: {', '.join(CONDITIONS)}")
    rng = np.random.default_rng([seed, list(CONDITIONS).index(name), index])
    return CONDITIONS[name](np.asarray(digit, np.uint8), rng)


def prepared(name: str, digit: np.ndarray, seed: int, index: int) -> np.ndarray | None:
    """The model input the page would make of `render(name, digit, seed, index)`, or None when the page
    would call the drawing empty (counted as a miss: the page asks for a drawing instead of answering)."""
    from core.digits.preprocess import canvas_ink, prepare  # here: preprocess imports nothing of this module
    from core.errors import UserError

    try:
        return prepare(canvas_ink(render(name, digit, seed, index))).image
    except UserError:
        return None


def batch(
    name: str, digits: np.ndarray | Mapping[int, np.ndarray], seed: int, indices: np.ndarray | list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) float32 model inputs and (N,) bool "not rejected as empty" for `digits[indices]`."""
    images = np.zeros((len(indices), 28, 28), np.float32)
    valid = np.zeros(len(indices), bool)
    for k, i in enumerate(indices):
        image = prepared(name, digits[i], seed, int(i))
        if image is not None:
            images[k], valid[k] = image, True
    return images, valid


def _source_hash() -> str:
    from core.digits import preprocess

    text = Path(__file__).read_bytes() + Path(preprocess.__file__).read_bytes()
    return hashlib.sha1(text).hexdigest()[:10]


def _drawn(job: tuple[str, np.ndarray, int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """`batch` of the digits `job[1]`, whose indices in the whole set are `job[3]` (a worker process's share)."""
    name, digits, seed, indices = job
    torch.set_num_threads(1)
    return batch(name, dict(zip(indices.tolist(), digits, strict=True)), seed, indices)


def cached_batch(name: str, digits: np.ndarray, seed: int, tag: str, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """`batch(name, digits, seed, range(len(digits)))`, rendered by `workers` processes and kept on disk
    (``$DLP_CACHE/digits_conditions``) under `tag` (which digits these are), the seed and the source of this
    module and of the page's preprocessing, so a second call only reads the file."""
    from core.data.images import CACHE

    path = CACHE / "digits_conditions" / f"{tag}-{name}-s{seed}-n{len(digits)}-{_source_hash()}.npz"
    if path.is_file():
        with np.load(path) as saved:
            return saved["images"], saved["valid"]
    # The drawing of digit i depends on (seed, name, i) only, so the split between workers changes nothing.
    jobs = [(name, digits[c], seed, c) for c in np.array_split(np.arange(len(digits)), workers * 8) if len(c)]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(_drawn, jobs))
    else:
        parts = [_drawn(job) for job in jobs]
    images, valid = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, images=images, valid=valid)
    return images, valid


@torch.no_grad()
def scores(model: torch.nn.Module, images: np.ndarray, valid: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy and per-class recall of `model` on prepared inputs (a rejected input is a miss).

    Returns:
        ``{"accuracy", "recall": [10 floats], "worst": (digit, recall), "unsure": share of valid inputs
        whose top probability is below `core.digits.predict.NOT_SURE`, "unsure_accuracy", "sure_accuracy"}``.
    """
    from core.digits.predict import NOT_SURE

    model.eval()
    probs = np.concatenate([torch.softmax(model(torch.from_numpy(images[s : s + 1000])[:, None]), 1).numpy()
                            for s in range(0, len(images), 1000)])  # fmt: skip
    guess, top = probs.argmax(1), probs.max(1)
    labels = np.asarray(labels)
    right = (guess == labels) & valid
    recall = [float(right[labels == d].mean()) if (labels == d).any() else float("nan") for d in range(10)]
    worst = int(np.nanargmin(recall))
    unsure = valid & (top < NOT_SURE)
    sure = valid & ~unsure
    return {
        "accuracy": float(right.mean()),
        "recall": recall,
        "worst": (worst, recall[worst]),
        "unsure": float(unsure.sum() / max(valid.sum(), 1)),
        "unsure_accuracy": float(right[unsure].mean()) if unsure.any() else float("nan"),
        "sure_accuracy": float(right[sure].mean()) if sure.any() else float("nan"),
    }
