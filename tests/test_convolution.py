"""core.conv: the course's convolution and pooling equal torch's, and bad values are refused with a message."""

import io
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from core.conv import images, ops
from core.conv.digit_filters import first_conv, first_layer
from core.conv.kernels import KERNELS, latex_matrix, parse_grid
from core.conv.settings import PADDINGS, POOLS, corner_params, step_param
from core.conv.walk import walk
from core.digits.models import build_cnn, build_lenet
from core.errors import UserError

GEOMETRIES = list(itertools.product((1, 2, 3), (0, 1, 2), (1, 2)))  # stride, padding, dilation


def _conv_module(weight, bias, stride, padding, dilation, mode):
    conv = nn.Conv2d(weight.shape[1], weight.shape[0], weight.shape[-1], stride, padding, dilation,
                     bias=bias is not None, padding_mode=mode)  # fmt: skip
    with torch.no_grad():
        conv.weight.copy_(weight)
        if bias is not None:
            conv.bias.copy_(bias)
    return conv


@pytest.mark.parametrize("mode", ops.PADDING_MODES)
@pytest.mark.parametrize(("stride", "padding", "dilation"), GEOMETRIES)
def test_im2col_and_loops_equal_torch_conv2d(mode, stride, padding, dilation):
    g = torch.Generator().manual_seed(stride * 100 + padding * 10 + dilation)
    x = torch.randn(2, 3, 11, 9, generator=g)
    w = torch.randn(4, 3, 3, 3, generator=g)
    b = torch.randn(4, generator=g)
    with torch.no_grad():
        expected = _conv_module(w, b, stride, padding, dilation, mode)(x)
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "padding_mode": mode}
    torch.testing.assert_close(ops.conv2d_im2col(x, w, b, **kwargs), expected)
    torch.testing.assert_close(ops.conv2d_loops(x, w, b, **kwargs), expected)
    torch.testing.assert_close(ops.torch_conv2d(x, w, b, **kwargs), expected)


def test_5x5_kernel_without_bias_equals_f_conv2d():
    x, w = torch.rand(1, 1, 28, 28), torch.randn(2, 1, 5, 5)
    torch.testing.assert_close(ops.conv2d_im2col(x, w, padding=2), F.conv2d(x, w, padding=2))


@pytest.mark.parametrize(("kernel", "stride", "dilation"), [(3, 1, 1), (3, 2, 2), (5, 3, 1), (2, 1, 3)])
def test_im2col_equals_f_unfold(kernel, stride, dilation):
    x = torch.randn(2, 3, 12, 10)
    ho, wo = ops.out_size(12, kernel, stride, 0, dilation), ops.out_size(10, kernel, stride, 0, dilation)
    expected = F.unfold(x, kernel, dilation=dilation, stride=stride)
    torch.testing.assert_close(ops.im2col(x, kernel, stride, dilation, (ho, wo)), expected)


@pytest.mark.parametrize("mode", ops.PADDING_MODES)
@pytest.mark.parametrize("padding", [0, 1, 3, 6])
def test_pad_equals_f_pad(mode, padding):
    x = torch.randn(1, 2, 7, 8)
    torch_mode = "constant" if mode == "zeros" else mode
    torch.testing.assert_close(ops.pad(x, padding, mode), F.pad(x, (padding,) * 4, mode=torch_mode))


def test_replicate_padding_may_exceed_the_image():
    x = torch.randn(1, 1, 3, 3)
    torch.testing.assert_close(ops.pad(x, 5, "replicate"), F.pad(x, (5,) * 4, mode="replicate"))


@pytest.mark.parametrize(
    ("n", "k", "s", "p", "d"), [(28, 3, 1, 1, 1), (28, 5, 2, 0, 1), (28, 3, 3, 2, 2), (9, 5, 1, 0, 2), (10, 3, 4, 1, 3)]
)
def test_output_size_formula_matches_torch(n, k, s, p, d):
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d)
    assert ops.out_size(n, k, s, p, d) == out.shape[-1]


@pytest.mark.parametrize("kind", ops.POOL_KINDS)
@pytest.mark.parametrize(
    ("kernel", "stride", "padding"), [(2, 2, 0), (3, 1, 1), (3, 2, 1), (4, 3, 2), (1, 1, 0), (5, 2, 2)]
)
def test_pooling_equals_torch(kind, kernel, stride, padding):
    x = torch.randn(2, 3, 13, 11)
    expected = (F.max_pool2d if kind == "max" else F.avg_pool2d)(x, kernel, stride, padding)
    torch.testing.assert_close(ops.pool2d(x, kind, kernel, stride, padding), expected)
    torch.testing.assert_close(ops.torch_pool2d(x, kind, kernel, stride, padding), expected)


def test_torch_refuses_what_we_refuse():
    x = torch.randn(1, 1, 6, 6)
    with pytest.raises(RuntimeError):
        F.max_pool2d(x, 2, 2, 2)  # pad > half the kernel
    with pytest.raises(UserError) as err:
        ops.pool2d(x, "max", 2, 2, 2)
    assert err.value.key == "convolution.errors.pool_padding"
    with pytest.raises(RuntimeError):
        F.pad(x, (6,) * 4, mode="reflect")  # reflect pad ≥ the image
    with pytest.raises(UserError) as err:
        ops.pad(x, 6, "reflect")
    assert err.value.key == "convolution.errors.reflect_too_large"
    with pytest.raises(RuntimeError):
        F.conv2d(x, torch.zeros(1, 1, 3, 3), dilation=4)  # the output would be empty
    with pytest.raises(UserError) as err:
        ops.conv2d_im2col(x, torch.zeros(1, 1, 3, 3), dilation=4)
    assert err.value.key == "convolution.errors.empty_output"
    assert err.value.params == {"span": 9, "h": 6, "w": 6}


@pytest.mark.parametrize(("kwargs", "key"), [
    ({"stride": 0}, "convolution.errors.stride"),
    ({"dilation": 0}, "convolution.errors.dilation"),
    ({"padding": -1}, "convolution.errors.padding_negative"),
])  # fmt: skip
def test_bad_geometry_is_a_user_error(kwargs, key):
    with pytest.raises(UserError) as err:
        ops.conv2d_im2col(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), **kwargs)
    assert err.value.key == key


def test_bad_pool_values_are_user_errors():
    x = torch.zeros(1, 1, 4, 4)
    for args, key in [((0, 1, 0), "pool_size"), ((2, 0, 0), "stride"), ((8, 1, 0), "pool_empty")]:
        with pytest.raises(UserError) as err:
            ops.pool2d(x, "avg", *args)
        assert err.value.key == f"convolution.errors.{key}"


def test_a_nan_kernel_is_refused():
    w = torch.zeros(1, 1, 3, 3)
    w[0, 0, 1, 1] = float("nan")
    with pytest.raises(UserError) as err:
        ops.conv2d_im2col(torch.zeros(1, 1, 5, 5), w)
    assert err.value.key == "convolution.errors.kernel_not_finite"


@pytest.mark.parametrize("name", [n for n in KERNELS.names() if not KERNELS.get(n).editable])
def test_every_preset_kernel(name):
    kernel = KERNELS.get(name)
    matrix = kernel.matrix()
    assert matrix.shape in ((3, 3), (5, 5))
    assert torch.isfinite(matrix).all()
    assert kernel.formula
    if "size" in kernel.defaults():
        assert kernel.matrix({"size": 5}).shape == (5, 5)
    x = torch.rand(1, 1, 10, 10)
    w = matrix[None, None]
    torch.testing.assert_close(ops.conv2d_im2col(x, w, padding=1), F.conv2d(x, w, padding=1))


def test_preset_kernels_do_what_they_say():
    x = torch.rand(1, 1, 8, 8)

    def conv(name, **values):
        kernel = KERNELS.get(name).matrix(values)
        return F.conv2d(x, kernel[None, None], padding=kernel.shape[-1] // 2)

    torch.testing.assert_close(conv("identity"), x)
    torch.testing.assert_close(conv("identity", size=5), x)
    assert float(KERNELS.get("box_blur").matrix().sum()) == pytest.approx(1.0)
    assert float(KERNELS.get("gaussian").matrix({"size": 5, "sigma": 2.0}).sum()) == pytest.approx(1.0)
    ramp = torch.arange(8.0).repeat(8, 1)[None, None]  # brightness grows to the right
    gx = F.conv2d(ramp, KERNELS.get("sobel_x").matrix()[None, None])
    gy = F.conv2d(ramp, KERNELS.get("sobel_y").matrix()[None, None])
    assert torch.all(gx == 8) and torch.all(gy == 0)
    laplacian = F.conv2d(ramp, KERNELS.get("laplacian").matrix()[None, None])
    assert torch.all(laplacian == 0)  # a linear ramp has no curvature


def test_kernel_values_are_validated():
    with pytest.raises(UserError):
        KERNELS.get("gaussian").matrix({"sigma": 0.0})
    with pytest.raises(UserError):
        KERNELS.get("box_blur").matrix({"size": 4})


def test_parse_grid():
    grid = parse_grid([[1, 0, "-1"], [2, 0, -2.5], [1, 0, -1]])
    assert grid.shape == (3, 3) and grid[1, 2] == -2.5
    assert parse_grid(np.ones((5, 5))).shape == (5, 5)


@pytest.mark.parametrize(("rows", "key", "params"), [
    ([[1, 0, 1], [0, None, 0], [1, 0, 1]], "kernel_cell", {"row": 2, "col": 2, "value": "∅"}),
    ([[1, 0, 1], [0, float("nan"), 0], [1, 0, 1]], "kernel_cell", {"row": 2, "col": 2, "value": "nan"}),
    ([[1, 0, 1], [0, 0, 0], [1, "", 1]], "kernel_cell", {"row": 3, "col": 2, "value": "∅"}),
    ([[1, 0, 1], [0, "abc", 0], [1, 0, 1]], "kernel_cell", {"row": 2, "col": 2, "value": "abc"}),
    ([[1, 0, float("inf")], [0, 0, 0], [1, 0, 1]], "kernel_cell", {"row": 1, "col": 3, "value": "inf"}),
    ([], "kernel_empty", {}),
    ([[1, 2], [3, 4]], "kernel_shape", {"rows": 2, "cols": 2}),
])  # fmt: skip
def test_bad_grids_name_the_cell(rows, key, params):
    with pytest.raises(UserError) as err:
        parse_grid(rows)
    assert err.value.key == f"convolution.errors.{key}"
    assert err.value.params == params


def test_latex_matrix():
    assert latex_matrix(torch.tensor([[1.0, -0.5], [0.0, 1 / 3]])) == r"\begin{bmatrix}1&-0.5\\0&0.333\end{bmatrix}"


def test_registries_have_formulas():
    for registry in (KERNELS, PADDINGS, POOLS):
        assert all(entry.formula for entry in registry)


@pytest.mark.parametrize("mode", ops.PADDING_MODES)
@pytest.mark.parametrize(
    ("stride", "padding", "dilation", "i0", "j0"), [(1, 1, 1, 0, 0), (2, 1, 2, 1, 2), (3, 2, 1, 9, 9)]
)
def test_walk_steps_equal_the_convolution(mode, stride, padding, dilation, i0, j0):
    picture = torch.rand(12, 11).numpy()
    kernel = KERNELS.get("sobel_y").matrix().numpy()
    w = walk(picture, kernel, stride=stride, padding=padding, dilation=dilation, padding_mode=mode, i0=i0, j0=j0, n=3)
    full = ops.torch_conv2d(torch.as_tensor(picture)[None, None], torch.as_tensor(kernel)[None, None],
                            stride=stride, padding=padding, dilation=dilation, padding_mode=mode)[0, 0]  # fmt: skip
    ho, wo = full.shape
    a, b = min(i0, ho - 1), min(j0, wo - 1)
    np.testing.assert_allclose(w.output, full[a : a + 3, b : b + 3].numpy(), rtol=1e-5, atol=1e-6)
    assert (w.i0, w.j0) == (a, b)
    padded = ops.pad(torch.as_tensor(picture)[None, None], padding, mode)[0, 0].numpy()
    for n in range(w.steps):
        step = w.step(n)
        assert step.value == pytest.approx(float(full[step.i, step.j]), abs=1e-5)
        assert step.rows == tuple(stride * step.i + dilation * u - padding for u in range(3))
        np.testing.assert_allclose(
            step.window, padded[np.ix_([r + padding for r in step.rows], [c + padding for c in step.cols])]
        )
        np.testing.assert_allclose(step.products, step.window * kernel)
    with pytest.raises(ValueError):
        w.step(w.steps)


def test_patch_corner_and_step_params():
    row, col = corner_params(28, 28, 4)
    assert (row.default, col.default, row.high) == (12, 12, 27)
    assert corner_params(1, 1, 4)[0].high == 1  # a slider needs two ends
    assert step_param(36).high == 36


def test_dataset_pictures():
    data = torch.randint(0, 256, (5, 28, 28), dtype=torch.uint8)
    labels = torch.tensor([3, 1, 3, 0, 3])
    picture = images.split_image(data, 4)
    assert picture.shape == (1, 28, 28) and picture.dtype == np.float32
    np.testing.assert_allclose(picture[0], data[4].numpy() / 255, rtol=1e-6)
    assert images.index_of_class(labels, 3, 1) == 2
    assert images.index_of_class(labels, 3, 4) == 2  # wraps around the class's images
    with pytest.raises(UserError):
        images.index_of_class(labels, 7, 0)
    with pytest.raises(UserError):
        images.split_image(data, 5)


def _png(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def test_decode_photo_shrinks_and_keeps_colour():
    photo = images.decode_photo(_png(Image.new("RGB", (300, 150), (255, 0, 0))))
    assert photo.shape == (3, 48, 96)
    assert photo[0].min() == 1.0 and photo[1].max() == 0.0
    grey = images.to_grey(photo)
    assert grey.shape == (1, 48, 96) and grey.max() == pytest.approx(0.299)
    transparent = images.decode_photo(_png(Image.new("RGBA", (10, 10), (0, 0, 0, 0))))
    assert transparent.min() == 1.0  # transparent is white paper
    assert images.to_rgb(grey).shape == (3, 48, 96)


@pytest.mark.parametrize(("data", "key"), [
    (b"", "photo_empty"),
    (b"this is not an image", "photo_bad"),
    (_png(Image.new("RGB", (20, 20)))[:40], "photo_bad"),  # truncated
    (b"0" * (images.MAX_PHOTO_BYTES + 1), "photo_bytes"),
], ids=["empty", "text", "truncated", "too_large"])  # fmt: skip
def test_bad_uploads_are_user_errors(data, key):
    with pytest.raises(UserError) as err:
        images.decode_photo(data)
    assert err.value.key == f"convolution.errors.{key}"


def test_drawing_is_prepared_like_the_digits_page():
    canvas = np.zeros((100, 100, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[20:80, 45:55, :3] = 255  # a white "1"
    picture = images.drawing_image(_png(Image.fromarray(canvas, "RGBA")))
    assert picture.shape == (1, 28, 28) and picture.max() == pytest.approx(1.0)


def test_colour_picture():
    picture = images.colour_picture()
    assert picture.shape == (3, 40, 40) and picture.min() >= 0 and picture.max() <= 1
    assert not np.allclose(picture[0], picture[2])


@pytest.mark.parametrize("build", [build_cnn, build_lenet])
def test_first_layer_equals_the_networks_own_activations(build):
    torch.manual_seed(0)
    model = build()
    for module in model.modules():  # non-trivial running statistics
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    model.eval()
    conv, bn = first_conv(model)
    seen = {}
    relu = next(m for m in model.modules() if isinstance(m, nn.ReLU))
    conv.register_forward_hook(lambda m, i, o: seen.setdefault("conv", o))
    relu.register_forward_hook(lambda m, i, o: seen.setdefault("relu", o))
    picture = torch.rand(1, 28, 28)
    with torch.no_grad():
        model(picture[None])
    layer = first_layer(model, picture.numpy())
    assert (bn is not None) == (build is build_cnn)
    np.testing.assert_allclose(layer.conv, seen["conv"][0].numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.activated, seen["relu"][0].numpy(), rtol=1e-4, atol=1e-5)
    assert layer.filters.shape == (conv.out_channels, 5, 5)
    assert not model.training


def test_first_layer_works_on_any_size():
    layer = first_layer(build_cnn().eval(), np.random.rand(1, 40, 64).astype(np.float32))
    assert layer.conv.shape == (32, 40, 64)


def test_the_pages_checked_results_agree_with_pytorch():
    from core.conv import checked

    rng = np.random.default_rng(0)
    grey, rgb = rng.random((1, 9, 9), dtype=np.float32), rng.random((3, 9, 9), dtype=np.float32)
    kernel = rng.standard_normal((3, 3)).astype(np.float32)
    out, error = checked.convolve(grey, kernel, 2, 1, 1, "zeros")
    assert out.shape == (5, 5) and error < 1e-5
    per_channel, total, error = checked.channels(rgb, kernel, (0.5, 1.0, -1.0), 0.25)
    assert per_channel.shape == (3, 9, 9) and np.allclose(per_channel.sum(0) + 0.25, total, atol=1e-5)
    assert error < 1e-5
    pooled, error = checked.pool(grey, "max", 2, 2, 0)
    assert pooled.shape == (4, 4) and error == 0


def test_the_multiply_add_lists_every_product_and_the_sum():
    from core.conv.walk import multiply_add, walk

    picture = np.arange(16, dtype=np.float32).reshape(4, 4)
    kernel = np.array([[1, 0], [0, -1]], dtype=np.float32)
    step = walk(picture, kernel, stride=1, padding=0, dilation=1, padding_mode="zeros", i0=0, j0=0, n=1).step(0)
    tex = multiply_add(step, kernel)
    assert r"y_{0,0} &= 1\cdot0 + 0\cdot1\\&+ 0\cdot4 + (-1)\cdot5" in tex and tex.endswith(r"&= -5.0000 \end{aligned}")
