"""Draw on the real canvas in Chromium: a vertical stroke is a 1, a closed loop is a 0, clearing prompts again."""

import io
import math
import re

import numpy as np
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import goto, open_from_nav, screenshot, set_language, wait_idle

CANVAS = ".st-key-digits_canvas canvas.upper-canvas"  # fabric.js's drawing layer, inside an open shadow root
RESET = '.st-key-digits_canvas [aria-label="Reset canvas & history"]'


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


def test_draw_one_then_zero_then_clear(page, app_url):
    goto(page, app_url, "digits")
    expect(page.get_by_text("Draw a digit (0-9)")).to_be_visible(timeout=60_000)

    draw(page, vertical_stroke())
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
    open_from_nav(page, "losses")
    open_from_nav(page, "digits")
    expect(page.get_by_text(re.compile(r"^Prediction: 1 \("))).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Clear the canvas").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"^Prediction: "))).to_have_count(0)
