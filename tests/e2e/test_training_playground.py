"""The training page's 2-D playground in Chromium: click three points onto the plane, train, watch the neuron
maps change, step once, change the learning rate while paused and resume."""

import re

from tests.e2e.conftest import goto, screenshot, set_language, wait_idle
from tests.e2e.test_training import long_recipe, main, progress_step

PLANE = '[class*="st-key-training_points_chart"] .js-plotly-plot'
NETWORK = '[class*="st-key-live-"][class*="-network"] .js-plotly-plot'  # a key's dots become dashes
_NEURON_JS = """() => {
    const plot = document.querySelector('NETWORK');
    if (!plot || !plot.layout || !plot.layout.images) return null;
    return plot.layout.images[0].source;  // every node's map in one picture (ui.training_network_charts.board)
}""".replace("NETWORK", NETWORK)


ADDED_JS = """() => {
    const m = /(\\d+) point\\(s\\) added/.exec(document.body.innerText);
    return m ? Number(m[1]) : 0;
}"""


def added(page) -> int:
    """Points clicked onto the plane so far, as the editor's summary says."""
    return page.evaluate(ADDED_JS)


def neuron_picture(page):
    return page.evaluate(_NEURON_JS)


def click_plane(page, fx: float, fy: float) -> None:
    """Click at a fraction (fx, fy) of the plane's plot area (the invisible grid of clickable points is there)."""
    page.locator(PLANE).first.scroll_into_view_if_needed(timeout=60_000)
    box = page.locator(f"{PLANE} .nsewdrag").first.bounding_box(timeout=60_000)
    page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])


def test_click_points_train_watch_the_neurons_step_and_change_the_rate_while_paused(page, app_url):
    goto(page, app_url, "training")
    wait_idle(page, timeout=180_000)
    main(page).locator('[data-testid="stExpander"] summary').filter(has_text="Shape the data").first.click(
        timeout=60_000, force=True
    )
    page.locator(PLANE).first.wait_for(timeout=60_000)
    spots = iter([(0.2, 0.2), (0.5, 0.8), (0.8, 0.3), (0.3, 0.6), (0.7, 0.7), (0.6, 0.2), (0.4, 0.4), (0.25, 0.8)])
    while added(page) < 3:  # a click on a busy machine can land before plotly listens: click again elsewhere
        before = added(page)
        click_plane(page, *next(spots))
        try:
            page.wait_for_function(f"() => ({ADDED_JS})() > {before}", timeout=30_000)
        except Exception:
            continue
        wait_idle(page, timeout=180_000)
    count = added(page)
    page.get_by_text(re.compile(rf"· {300 + count} training / 100 test samples")).wait_for(timeout=60_000)  # joined
    screenshot(page, "training-points-en")
    long_recipe(page)
    main(page).get_by_role("button", name="Start", exact=True).click(timeout=120_000)
    page.get_by_text(re.compile(r"Run #\d+ .*: training")).wait_for(timeout=60_000)
    page.wait_for_function(f"() => ({_NEURON_JS})() !== null", timeout=120_000)
    first = neuron_picture(page)
    page.wait_for_function(f"(first) => {{ const s = ({_NEURON_JS})(); return s !== null && s !== first; }}", arg=first,
                           timeout=120_000)  # fmt: skip

    main(page).get_by_role("button", name="Pause").click(timeout=120_000)
    page.get_by_text(re.compile(r"Run #\d+ .*: paused$")).wait_for(timeout=60_000)
    wait_idle(page, timeout=180_000)
    paused_at = progress_step(page)
    screenshot(page, "training-neurons-en")  # (paused: a full-page shot of a polling page can outlast its timeout)
    main(page).get_by_role("button", name="Step", exact=True).click(timeout=120_000)
    page.wait_for_function(
        f"() => {{ const m = /step (\\d+)\\//.exec(document.querySelector('[data-testid=\"stProgress\"]').innerText);"
        f" return m && Number(m[1]) === {paused_at + 1}; }}",
        timeout=60_000,
    )
    wait_idle(page, timeout=180_000)
    page.wait_for_timeout(1000)
    assert progress_step(page) == paused_at + 1  # one step, then parked again
    box = page.locator('[class*="st-key-p-training-knob-"][class*="-lr"] input').first
    box.fill("0.002")
    box.press("Enter")
    page.get_by_text(re.compile(r"Will apply on resume: Learning rate 0.01 → 0.002")).wait_for(timeout=60_000)
    wait_idle(page, timeout=180_000)
    main(page).get_by_role("button", name="Resume").click(timeout=120_000)
    page.get_by_text(re.compile(rf"Changed at step {paused_at + 1}: Learning rate 0.01 → 0.002")).wait_for(
        timeout=120_000
    )
    page.wait_for_function(
        f"() => {{ const m = /step (\\d+)\\//.exec(document.querySelector('[data-testid=\"stProgress\"]').innerText);"
        f" return m && Number(m[1]) > {paused_at + 1}; }}",
        timeout=120_000,
    )
    main(page).get_by_role("button", name="Stop").click(timeout=120_000)
    page.get_by_text(re.compile(r"Run #\d+ .*: stopped")).wait_for(timeout=60_000)
    wait_idle(page, timeout=180_000)
    page.get_by_text(re.compile(rf"Changed at step {paused_at + 1}: Learning rate")).wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "training-changed-en")
    set_language(page, "简体中文")
    page.get_by_text(re.compile(r"在第 \d+ 步修改")).first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "training-changed-zh")
    set_language(page, "English")
