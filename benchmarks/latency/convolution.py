"""Latency cases of the convolution page: slider steps and selections, each rerunning only its own fragment."""

from benchmarks.bench_latency import select, slider

PAGE = "convolution"
CASES = [
    slider("stride slider step", "Stride S"),
    slider("dilation slider step", "Dilation D"),
    select("kernel preset", "Kernel", ("Sobel x (vertical edges)", "Box blur (mean)")),
    slider("patch: output value step", "Output value"),
    slider("RGB: red weight step", "Red weight w_R"),
    slider("pool size step", "Pool size K"),
    slider("CNN filter step", "Filter"),
]
