"""Latency cases of the training page: Pause, Resume and Stop on a live run (issue 13's bar: median ≤ 300 ms).

`CASES` (run by ``benchmarks/bench_latency.py --pages training``) presses Pause and Resume in
turn on a run that trains for minutes (500 epochs of single-sample steps), so every try acts on
a live run: a Pause while the view polls the run, a Resume of a parked one.

Stop ends the run, so each of its tries needs a new live run first, which must not be timed;
the shared runner has no untimed step between tries, so Stop is measured by this module run as
a script, with the same browser timer:

    .venv/bin/python benchmarks/latency/training.py [--tries 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_latency import LAUNCH_ARGS, MAIN, OBSERVER, click, settle_ms, summary  # noqa: E402
from tests.e2e.conftest import _free_port, start_server, stop_server, wait_idle  # noqa: E402

PAGE = "training"
LONG_RECIPE = (("Epochs", "500"), ("Batch size", "1"))  # minutes of steps even on a fast idle machine


def live_run(page) -> None:
    """Set the long recipe (once) and start a run; return when it is training and the page idle between polls."""
    for label, value in LONG_RECIPE:
        box = page.locator(f'input[aria-label="{label}"]')
        if box.input_value() != value:
            box.fill(value)
            box.press("Enter")
            wait_idle(page, timeout=180_000)
    page.locator(f"{MAIN} button:visible", has_text="Start").first.click(timeout=180_000)
    page.get_by_text(": training").first.wait_for(timeout=180_000)
    wait_idle(page, timeout=180_000, settle_ms=300)


CASES = [click("Pause ↔ Resume (live run)", ("Pause", "Resume"), opener=live_run)]


def measure_stop(page, tries: int, settle: int) -> tuple[list[float], list[float]]:
    """Like `bench_latency.measure` for Stop: each try starts a live run first (untimed), then presses Stop."""
    idle, drawn = [], []
    for _ in range(tries):
        live_run(page)
        page.evaluate("() => { window.__states = []; window.__drawn = 0; }")
        start = page.evaluate("() => performance.now()")
        page.locator(f"{MAIN} button:visible", has_text="Stop").first.click()
        idle_at = settle_ms(page, settle)
        last_change = page.evaluate("() => window.__drawn")
        idle.append(max(idle_at - start, 0.0))
        drawn.append(max(idle_at, last_change) - start)
    return idle, drawn


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=5)
    parser.add_argument("--settle", type=int, default=700, help="ms the script must stay idle")
    args = parser.parse_args()
    port = _free_port()
    server = start_server(port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=LAUNCH_ARGS)
            page = browser.new_page(locale="en-US", viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/{PAGE}")
            wait_idle(page, timeout=180_000)
            page.evaluate(OBSERVER)
            print(f"load average {os.getloadavg()[0]:.2f}; median and p90 of {args.tries} tries, ms")
            idle, drawn = measure_stop(page, args.tries, args.settle)
            (i50, i90), (d50, d90) = summary(idle), summary(drawn)
            print(f"{'page':<14}{'interaction':<36}{'idle p50':>9}{'p90':>7}{'drawn p50':>10}{'p90':>7}")
            print(f"{PAGE:<14}{'Stop (live run)':<36}{i50:>9.0f}{i90:>7.0f}{d50:>10.0f}{d90:>7.0f}")
            browser.close()
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
