"""Convolution page in Chromium: a preset kernel and the stride slider change the output size and image; a bad upload is a message."""

from tests.e2e.conftest import goto, screenshot, set_language, wait_idle
from tests.e2e.fragments import Wire

MAIN = '[data-testid="stMain"]'


def _formulas(page) -> str:
    """The TeX of every formula on the page (KaTeX keeps its source in a MathML annotation)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stMain"] annotation')].map(a => a.textContent).join(' ')"""
    )


def _output(page):
    """The convolution's output chart (keyed conv-out), scrolled into view so plotly draws it."""
    chart = page.locator(f"{MAIN} .st-key-conv-out")
    chart.scroll_into_view_if_needed(timeout=60_000)
    chart.locator(".gtitle").wait_for(timeout=60_000)
    return chart


def _output_title(page) -> str:
    """E.g. "Output y (28 × 28)"."""
    return _output(page).locator(".gtitle").text_content()


def _output_image(page) -> str:
    """The output heatmap's picture (plotly draws a heatmap as one data-URL image)."""
    return _output(page).locator("image").first.get_attribute("href")


def _open(page, app_url: str) -> None:
    """Open the page and wait until its picture is drawn (on a fresh server the blank page can look idle)."""
    goto(page, app_url, "convolution")
    page.locator(f"{MAIN} .st-key-conv-input").wait_for(timeout=180_000)
    wait_idle(page)


def _pick(page, label: str, option: str) -> None:
    box = page.locator(f'{MAIN} [data-testid="stSelectbox"]', has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def test_preset_kernel_and_stride_change_the_output(page, app_url):
    wire = Wire(page)
    _open(page, app_url)
    assert r"\right\rfloor + 1 = 28" in _formulas(page)
    assert _output_title(page) == "Output y (28 × 28)"
    sobel = _output_image(page)

    _pick(page, "Kernel", "Box blur (mean)")
    page.wait_for_function(
        """(before) => document.querySelector('.st-key-conv-out image')?.getAttribute('href') !== before""",
        arg=sobel,
        timeout=60_000,
    )
    blurred = _output_image(page)
    assert blurred != sobel

    stride = page.locator(f'{MAIN} [data-testid="stSlider"] input[type="range"][aria-label="Stride S"]')
    wire.clear()
    stride.focus()
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    wire.fragment_run(most=2)  # the convolution section and the sliding window inside it
    page.wait_for_function(
        """() => document.querySelector('.st-key-conv-out .gtitle')?.textContent === 'Output y (14 × 14)'""",
        timeout=60_000,
    )
    assert r"{2} \right\rfloor + 1 = 14" in _formulas(page)
    assert _output_image(page) != blurred
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "convolution-en")

    where = page.get_by_text("the 3 × 3 window starts at").first
    before = where.text_content()
    value = page.locator(f'{MAIN} [data-testid="stSlider"] input[type="range"][aria-label="Output value"]')
    wire.clear()
    value.focus()
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    wire.fragment_run()  # the sliding window alone (not even the convolution section around it)
    page.wait_for_function(
        "before => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')]"
        ".some(c => c.textContent.includes('window starts at') && c.textContent !== before)",
        arg=before,
        timeout=60_000,
    )  # the next output value: its window moved

    set_language(page, "简体中文")
    page.get_by_text("卷积核与卷积").first.wait_for(timeout=60_000)
    page.wait_for_function(
        """() => document.querySelector('.st-key-conv-out .gtitle')?.textContent === '输出 y（14 × 14）'""",
        timeout=60_000,
    )
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "convolution-zh")


def test_an_undecodable_upload_is_a_message(page, app_url, tmp_path):
    _open(page, app_url)
    _pick(page, "Picture", "Uploaded photo")
    bad = tmp_path / "photo.png"
    bad.write_bytes(b"this is not a picture")
    page.locator(f'{MAIN} [data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(bad))
    error = page.locator('[data-testid="stAlertContentError"]').first
    error.wait_for(timeout=60_000)
    assert "could not be read as a picture" in error.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "convolution-bad-upload-en")
