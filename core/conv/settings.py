"""The convolution page's parameter specs and its small registries (sources, padding modes, pools).

Labels are ``convolution.params.<name>``; an entry's title and explanation are
``<family>.<name>.title`` / ``.desc`` in ``assets/i18n/*/convolution.json``.
"""

from __future__ import annotations

from core.conv.ops import PADDING_MODES, POOL_KINDS, out_size, pool_out_size
from core.registry import Entry, Param, Registry

FAMILY = "convolution"
DATASETS = ("MNIST", "FashionMNIST")
TEST_IMAGES = 10_000  # images in each test split

# The input picture
DATASET = Param("dataset", "MNIST", choices=DATASETS)
PICK = Param("pick", "class", choices=("class", "index"))
INDEX = Param("index", 0, low=0, high=TEST_IMAGES - 1)
LABEL = Param("label", 3, low=0, high=9)
NTH = Param("nth", 0, low=0, high=49)

# The convolution
STRIDE = Param("stride", 1, low=1, high=6)
PADDING = Param("padding", 1, low=0, high=32)
DILATION = Param("dilation", 1, low=1, high=8)

# The sliding window
PATCH = Param("patch", 4, low=2, high=8)  # output values per side of the patch

# Several channels: per-channel multipliers of the kernel, and a bias
WEIGHT_R = Param("weight_r", 1.0, low=-2.0, high=2.0, step=0.1)
WEIGHT_G = Param("weight_g", 0.0, low=-2.0, high=2.0, step=0.1)
WEIGHT_B = Param("weight_b", -1.0, low=-2.0, high=2.0, step=0.1)
BIAS = Param("bias", 0.0, low=-2.0, high=2.0, step=0.1)
CHANNEL_WEIGHTS = (WEIGHT_R, WEIGHT_G, WEIGHT_B)

# Pooling
POOL_SIZE = Param("pool_size", 2, low=1, high=8)
POOL_STRIDE = Param("pool_stride", 2, low=1, high=8)
POOL_PADDING = Param("pool_padding", 0, low=0, high=4)

# The digit CNN's first layer
FILTER = Param("filter", 1, low=1, high=32)
BN_RELU = Param("bn_relu", True)


def corner_params(ho: int, wo: int, n: int) -> tuple[Param, Param]:
    """The patch's first output row and column: anywhere in the H_out × W_out output (default: centred)."""
    return (Param("row", max((ho - n) // 2, 0), low=0, high=max(ho - 1, 1)),
            Param("col", max((wo - n) // 2, 0), low=0, high=max(wo - 1, 1)))  # fmt: skip


def step_param(steps: int) -> Param:
    """Which output value of the patch's convolution, 1..steps (reading order)."""
    return Param("step", 1, low=1, high=max(steps, 2))


SOURCES: Registry[Entry] = Registry(
    f"{FAMILY}.sources",
    (
        Entry("dataset", formula=r"x_{ij} = p_{ij} / 255 \in [0, 1],\quad 28 \times 28"),
        Entry("drawing", formula=r"x = \mathrm{centre}_{28\times28}\big(\mathrm{fit}_{20\times20}(\text{ink})\big)"),
        Entry("upload", formula=r"x_{c,ij} = p_{c,ij} / 255,\quad Y = 0.299R + 0.587G + 0.114B"),
    ),
)

PADDINGS: Registry[Entry] = Registry(
    f"{FAMILY}.paddings",
    (
        Entry(
            "zeros",
            formula=r"\begin{gathered} x^{\text{pad}}_{i} = \begin{cases} x_i & 0 \le i < H \\ 0 & i < 0 \;\lor\; i \ge H"
            r"\end{cases} \\ 0\;0 \,|\, a\;b\;c\;d \,|\, 0\;0 \end{gathered}",
        ),
        Entry(
            "reflect",
            formula=r"\begin{gathered} x^{\text{pad}}_{-i} = x_{i},\quad x^{\text{pad}}_{H-1+i} = x_{H-1-i}"
            r" \\ c\;b \,|\, a\;b\;c\;d \,|\, c\;b \end{gathered}",
        ),
        Entry(
            "replicate",
            formula=r"\begin{gathered} x^{\text{pad}}_{i} = x_{\min(\max(i,\, 0),\, H-1)}"
            r" \\ a\;a \,|\, a\;b\;c\;d \,|\, d\;d \end{gathered}",
        ),
    ),
)
assert tuple(PADDINGS.names()) == PADDING_MODES

POOLS: Registry[Entry] = Registry(
    f"{FAMILY}.pools",
    (
        Entry(
            "max",
            formula=r"y_{ij} = \max_{0 \le u, v < K} x^{\text{pad}}_{S i + u,\, S j + v},\quad x^{\text{pad}} = -\infty"
            r"\text{ outside}",
        ),
        Entry(
            "avg",
            formula=r"y_{ij} = \frac{1}{K^2} \sum_{u=0}^{K-1} \sum_{v=0}^{K-1} x^{\text{pad}}_{S i + u,\, S j + v}",
        ),
    ),
)
assert tuple(POOLS.names()) == POOL_KINDS

OUT_SIZE = r"H_{\text{out}} = \left\lfloor \frac{H + 2P - D(K-1) - 1}{S} \right\rfloor + 1"
POOL_OUT_SIZE = r"H_{\text{out}} = \left\lfloor \frac{H + 2P - K}{S} \right\rfloor + 1"
CONV = r"y_{ij} = b + \sum_{u=0}^{K-1} \sum_{v=0}^{K-1} K_{uv}\, x^{\text{pad}}_{S i + D u,\; S j + D v}"
MULTI = r"y_{ij} = b + \sum_{c \in \{R,G,B\}} \sum_{u,v} K^{(c)}_{uv}\, x^{(c)}_{i+u,\, j+v},\quad K^{(c)} = w_c K"


def size_equation(n: int, k: int, s: int, p: int, d: int, axis: str = "H") -> str:
    """`OUT_SIZE` with this picture's numbers filled in, and its value."""
    value = out_size(n, k, s, p, d)
    return (rf"{axis}_{{\text{{out}}}} = \left\lfloor \frac{{{n} + 2\cdot{p} - {d}\cdot({k}-1) - 1}}{{{s}}}"
            rf" \right\rfloor + 1 = {value}")  # fmt: skip


def pool_size_equation(n: int, k: int, s: int, p: int, axis: str = "H") -> str:
    """`POOL_OUT_SIZE` with this picture's numbers filled in, and its value."""
    value = pool_out_size(n, k, s, p)
    return rf"{axis}_{{\text{{out}}}} = \left\lfloor \frac{{{n} + 2\cdot{p} - {k}}}{{{s}}} \right\rfloor + 1 = {value}"


# the digit CNN's first layer: its convolution, then BatchNorm and ReLU
FIRST_LAYER = (r"z_o = W_o \star \frac{x - \mu}{\sigma},\qquad a_o = \mathrm{ReLU}\big(\gamma_o \frac{z_o - \hat\mu_o}"
               r"{\sqrt{\hat\sigma_o^2 + \epsilon}} + \beta_o\big)")  # fmt: skip
