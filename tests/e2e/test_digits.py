"""Draw on the real canvas in Chromium: a vertical stroke is a 1, a closed loop is a 0, clearing prompts again."""

import io
import math
import re

import numpy as np
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import goto, open_from_nav, screenshot, set_language, wait_idle
from tests.e2e.fragments import Wire

# The canvas's key is digits_canvas, then digits_canvas_<n> after the n-th Clear (a new, blank canvas).
HOST = '[class*="st-key-digits_canvas"]'
CANVAS = f"{HOST} canvas.upper-canvas"  # fabric.js's drawing layer, inside an open shadow root
STROKES = f"{HOST} canvas.dc-canvas.lower-canvas"  # where finished strokes are painted (over the background)
# A toolbar button keeps the canvas's English label in data-label when its tooltip is translated.
RESET = f'{HOST} .dc-icon-button[data-label="Reset canvas & history"]'


def draw(page, points: list[tuple[float, float]]) -> None:
    """One pen stroke through `points` given in canvas pixels."""
    canvas = page.locator(CANVAS)
    canvas.wait_for(state="visible", timeout=60_000)
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=3)
    page.mouse.up()
    wait_idle(page)


def vertical_stroke() -> list[tuple[float, float]]:
    return [(140, 40 + 10 * i) for i in range(21)]


def loop() -> list[tuple[float, float]]:
    return [(140 + 60 * math.sin(a), 140 - 95 * math.cos(a)) for a in (2 * math.pi * i / 48 for i in range(50))]


def clear(page) -> None:
    page.locator(RESET).click()
    wait_idle(page)


def ink(page) -> int:
    """How many canvas pixels are painted (white strokes on the black background)."""
    page.locator(STROKES).wait_for(state="visible", timeout=60_000)
    return page.locator(STROKES).evaluate(
        """(c) => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++;
            return n;
        }"""
    )


def seven() -> list[list[tuple[float, float]]]:
    return [[(70 + 10 * i, 50) for i in range(15)], [(210 - 5 * i, 50 + 10 * i) for i in range(20)]]


def switch_to(page, path: str) -> None:
    """Open another page from the sidebar (same session); the nav folds long page lists behind "View more"."""
    more = page.locator('[data-testid="stSidebarNavViewButton"]', has_text="more")
    if not page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').count() and more.count():
        more.click()
    open_from_nav(page, path)


def press_clear(page) -> None:
    page.get_by_role("button", name=re.compile("^(Clear the canvas|清空画布)$")).click()
    wait_idle(page)


def test_draw_one_then_zero_then_clear(page, app_url):
    wire = Wire(page)
    goto(page, app_url, "digits")
    expect(page.get_by_text("Draw a digit (0-9)")).to_be_visible(timeout=60_000)

    wire.clear()
    draw(page, vertical_stroke())
    wire.fragment_run()  # pen up reran the reading section only, not the app (its sidebar and title)
    expect(page.get_by_text(re.compile(r"^Prediction: 1 \("))).to_be_visible(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "digits-en")
    page.set_viewport_size({"width": 1400, "height": 3000})  # the app scrolls inside its own container
    wait_idle(page)
    screenshot(page, "digits-en-full")
    page.set_viewport_size({"width": 1400, "height": 1000})

    clear(page)
    expect(page.get_by_text("Draw a digit (0-9)")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(r"^Prediction: "))).to_have_count(0)

    draw(page, loop())
    expect(page.get_by_text(re.compile(r"^Prediction: 0 \("))).to_be_visible(timeout=30_000)

    set_language(page, "简体中文")
    expect(page.get_by_text(re.compile(r"^预测：0"))).to_be_visible(timeout=30_000)
    screenshot(page, "digits-zh")
    clear(page)
    expect(page.get_by_text("在黑色画布上写一个数字")).to_be_visible(timeout=30_000)


def photo_of_a_one() -> bytes:
    """A grey 'photo' of a dark vertical stroke on light paper, as a PNG."""
    paper = np.full((240, 180), 215, np.uint8)
    paper[30:210, 80:100] = 35
    buffer = io.BytesIO()
    Image.fromarray(paper).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(page, name: str, data: bytes) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": "image/png", "buffer": data}]
    )
    wait_idle(page)


def test_upload_a_photo_and_a_broken_file(page, app_url):
    goto(page, app_url, "digits")
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Input").click()
    page.get_by_role("option", name="📷 Photo / scan").click()
    wait_idle(page)
    upload(page, "one.png", photo_of_a_one())
    expect(page.get_by_text(re.compile(r"^Prediction: 1 \("))).to_be_visible(timeout=30_000)
    upload(page, "broken.png", b"this is not an image")
    expect(page.get_by_text("This file is not a readable image")).to_be_visible(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_drawing_survives_a_page_switch(page, app_url):
    goto(page, app_url, "digits")
    draw(page, vertical_stroke())
    expect(page.get_by_text(re.compile(r"^Prediction: 1 \("))).to_be_visible(timeout=30_000)
    switch_to(page, "losses")
    switch_to(page, "digits")
    expect(page.get_by_text(re.compile(r"^Prediction: 1 \("))).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Clear the canvas").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^Prediction: "))).to_have_count(0)


def test_clear_button_empties_the_canvas_and_the_next_digit_is_read_alone(page, app_url):
    goto(page, app_url, "digits")
    for stroke in seven():
        draw(page, stroke)
    expect(page.get_by_text(re.compile(r"^Prediction: \d \("))).to_be_visible(timeout=30_000)
    assert ink(page) > 0
    press_clear(page)  # one click
    expect(page.get_by_text("Draw a digit (0-9)")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(500)
    assert ink(page) == 0
    draw(page, vertical_stroke())
    expect(page.get_by_text(re.compile(r"^Prediction: 1 \("))).to_be_visible(timeout=30_000)  # not the old 7 + a 1

    # The drawing kept across a page switch comes back, and a Clear after that clears it for good.
    switch_to(page, "losses")
    switch_to(page, "digits")
    expect(page.get_by_text(re.compile(r"^Prediction: 1 \("))).to_be_visible(timeout=30_000)
    assert ink(page) > 0
    press_clear(page)
    page.wait_for_timeout(500)
    assert ink(page) == 0
    expect(page.get_by_text("Draw a digit (0-9)")).to_be_visible(timeout=30_000)
    draw(page, loop())
    expect(page.get_by_text(re.compile(r"^Prediction: 0 \("))).to_be_visible(timeout=30_000)
    switch_to(page, "losses")
    switch_to(page, "digits")
    expect(page.get_by_text(re.compile(r"^Prediction: 0 \("))).to_be_visible(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_toolbar_tooltips_follow_the_language(page, app_url):
    goto(page, app_url, "digits")
    undo = page.locator(f'{HOST} .dc-icon-button[data-label="Undo"]')
    expect(undo).to_have_attribute("title", "Undo", timeout=30_000)
    set_language(page, "简体中文")
    expect(undo).to_have_attribute("title", "撤销", timeout=30_000)
    expect(page.locator(RESET)).to_have_attribute("aria-label", "清空画布和历史")
    page.locator(CANVAS).hover()  # the toolbar shows while the pointer is over the canvas
    page.wait_for_timeout(400)
    screenshot(page, "digits-toolbar-zh")
    english = page.locator(f"{HOST} .dc-icon-button").evaluate_all(
        "(bs) => bs.filter((b) => /[A-Za-z]/.test(b.title)).map((b) => b.title)"
    )
    assert english == []
    press_clear(page)  # the new canvas after a Clear is translated too
    expect(undo).to_have_attribute("title", "撤销", timeout=30_000)
    set_language(page, "English")
    expect(undo).to_have_attribute("title", "Undo", timeout=30_000)


def open_steps(page, title: str):
    """The preprocessing expander, opened (it opens by itself only when the model is unsure)."""
    steps = page.locator('[data-testid="stExpander"]', has_text=title)
    steps.wait_for(state="visible", timeout=30_000)
    if not steps.locator("img").first.is_visible():
        steps.locator("summary").click()
        wait_idle(page)
    return steps


def test_preprocessing_steps_show_how_a_small_digit_in_a_corner_was_moved(page, app_url):
    wire = Wire(page)
    goto(page, app_url, "digits")
    expect(page.get_by_text("Draw a digit (0-9)")).to_be_visible(timeout=60_000)
    wire.clear()
    draw(page, [(45, 30 + 6 * i) for i in range(11)])  # a short stroke in the top-left corner
    wire.fragment_run()
    expect(page.get_by_text(re.compile(r"^Prediction: \d \("))).to_be_visible(timeout=30_000)
    steps = open_steps(page, "What the preprocessing did")
    expect(steps.get_by_text(re.compile(r"Box: the ink spans \d+×\d+ px, from \(\d+, \d+\)"))).to_be_visible(
        timeout=30_000
    )
    expect(steps.get_by_text(re.compile(r"Scale: ×\d"))).to_be_visible()  # a small drawing is enlarged
    expect(steps.locator("img")).to_have_count(3)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "digits-steps-en")
    set_language(page, "简体中文")
    steps = open_steps(page, "预处理做了什么")  # a new label is a new expander: closed while the model is sure
    expect(steps.get_by_text(re.compile(r"外接框：字迹占 \d+×\d+ 像素"))).to_be_visible(timeout=30_000)
    screenshot(page, "digits-steps-zh")
