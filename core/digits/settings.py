"""What the digits page lets the user set, as specs (the page builds its widgets from them)."""

from __future__ import annotations

from core.registry import Entry, Param

CANVAS_SIDE = 280  # canvas size in CSS pixels: 10× MNIST's 28, big enough for a finger
STROKE_COLOR = "#FFFFFF"  # white ink on black, like MNIST
BACKGROUND = "#000000"
SHOW_FACTOR = 8  # 28×28 images are shown 8× enlarged (224 px)
MAPS_SHOWN = 32  # feature maps shown per layer
MAP_COLUMNS = 8
MAP_PIXELS = 56  # on-screen side of one feature map (28×28 maps 2×, 7×7 maps 8×)

CANVAS = Entry(
    "canvas",
    params=(
        Param("source", "draw", choices=("draw", "upload")),
        Param("stroke_width", 18, 6, 40, 1),
        Param("live", True),
    ),
)
