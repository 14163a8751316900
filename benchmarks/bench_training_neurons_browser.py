"""How often the neuron view redraws in Chromium while a run trains (4 hidden layers × 8 neurons; target ≥ 2 Hz).

Starts the app, opens the training page, sets the MLP to `--layers` × `--width` (its sliders, by
keyboard) and a long recipe (500 epochs of batch 1), starts the run, then for `--seconds` samples
the network chart in the page every 50 ms: a redraw is counted when the nodes' picture (one PNG
layout image, as plotly holds it) differs from the last sample. Redraws ÷ seconds is the figure.
It counts what the learner sees: the worker's maps (2 Hz), the poll (0.5 s), the server's
serialising and the browser's plotly draw all included.

    .venv/bin/python benchmarks/bench_training_neurons_browser.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks.bench_latency import LAUNCH_ARGS  # noqa: E402
from tests.e2e.conftest import _free_port, start_server, stop_server, wait_idle  # noqa: E402
from tests.e2e.test_training_playground import NETWORK  # noqa: E402  (the network chart, as the e2e test finds it)

SIGNATURE_JS = """() => {
    const plot = document.querySelector('NETWORK');
    if (!plot || !plot.layout || !plot.layout.images) return null;
    const source = plot.layout.images[0].source;  // every node's map in one picture
    let h = 0;  // a hash of the picture: a redraw of any neuron counts
    for (let i = 0; i < source.length; i += 7) h = (h * 31 + source.charCodeAt(i)) | 0;
    const picks = plot.data.find((trace) => trace.name === 'pick');  // one invisible marker per hidden neuron
    return [picks ? picks.x.length : 0, h];
}""".replace("NETWORK", NETWORK)


def main_thread_seconds(cdp) -> float:
    """Seconds the page's main thread has spent on tasks so far (Chromium's TaskDuration metric)."""
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return float(metrics["TaskDuration"])


def set_slider(page, label: str, value: int) -> None:
    """Move a Streamlit slider (react-aria: an input[type=range]) to `value` with the arrow keys."""
    box = page.locator('[data-testid="stSlider"]').filter(has_text=label).first
    thumb = box.locator('input[type="range"]').first
    for _ in range(5):  # a key press that lands during a rerun can be lost: press again until it reads `value`
        current = int(float(thumb.get_attribute("aria-valuenow") or thumb.input_value()))
        if current == value:
            return
        thumb.focus()
        key = "ArrowRight" if value > current else "ArrowLeft"
        for _ in range(abs(value - current)):
            thumb.press(key)
        wait_idle(page, timeout=120_000)
    raise RuntimeError(f"the {label!r} slider did not reach {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--width", type=int, default=8)
    args = parser.parse_args()
    port = _free_port()
    server = start_server(port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=LAUNCH_ARGS)
            page = browser.new_page(locale="en-US", viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/training")
            wait_idle(page, timeout=180_000)
            set_slider(page, "Hidden layers", args.layers)
            set_slider(page, "Units per hidden layer", args.width)
            for label, value in (("Epochs", "500"), ("Batch size", "1")):
                box = page.locator(f'input[aria-label="{label}"]')
                box.fill(value)
                box.press("Enter")
                wait_idle(page)
            page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Start", exact=True).click()
            page.get_by_text(re.compile(r"Run #1 .*: training")).wait_for(timeout=120_000)
            page.wait_for_function(f"() => ({SIGNATURE_JS})() !== null", timeout=120_000)
            page.wait_for_timeout(2000)
            first = page.evaluate(SIGNATURE_JS)
            neurons = first[0]
            if neurons != args.layers * args.width:
                raise RuntimeError(f"{neurons} hidden neurons drawn, {args.layers} × {args.width} asked")
            cdp = page.context.new_cdp_session(page)  # the browser's main-thread time over the same window
            cdp.send("Performance.enable")
            busy0 = main_thread_seconds(cdp)
            last, redraws, t0 = first, 0, time.monotonic()
            while time.monotonic() - t0 < args.seconds:
                now = page.evaluate(SIGNATURE_JS)
                if now is not None and now != last:
                    redraws, last = redraws + 1, now
                page.wait_for_timeout(50)
            elapsed = time.monotonic() - t0
            busy = main_thread_seconds(cdp) - busy0
            print(f"MLP {args.layers}×{args.width} ({neurons} hidden neurons drawn) on moons, batch 1; "
                  f"{elapsed:.1f} s watched; load {os.getloadavg()[0]:.1f}")  # fmt: skip
            print(f"neuron view redraws: {redraws} → {redraws / elapsed:.2f} Hz  (target ≥ 2 Hz)")
            print(f"browser main thread busy {busy:.1f} s of {elapsed:.1f} s ({busy / elapsed:.0%}; scripts, "
                  "layout and paint of every chart on the page, this benchmark's 50 ms samples included)")  # fmt: skip
            browser.close()
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
