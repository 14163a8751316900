"""Latency cases of the training page: Pause, Resume, Step and Stop on a live run (issue 13's bar: median ≤ 300 ms).

`CASES` (run by ``benchmarks/bench_latency.py --pages training``) presses Pause and Resume in
turn on a run that trains for minutes (500 epochs of single-sample steps), so every try acts on
a live run: a Pause while the view polls the run, a Resume of a parked one.

Stop ends the run, so each of its tries needs a new live run first, which must not be timed;
the shared runner has no untimed step between tries. Run as a script, this module times each
of the three on its own with the same browser timer, cycle by cycle (start a run untimed, then
Pause, Resume, Stop), optionally beside the page of an earlier commit on the same machine:

    .venv/bin/python benchmarks/latency/training.py [--tries 5] [--baseline 020743c]

Each press is timed three ways: to the run's new status on screen ("paused", "training", "stopped":
what the learner waits for), to the script idle, and to the last change drawn. A resumed view polls
its run, so it is never idle while it trains: Resume has only the first figure. On this machine the
server handles a Pause in about 50 ms (the callback, the worker parked, the view redrawn once); the rest
is the browser, whose main thread the live view keeps busy drawing (the click waits its turn) and
which then draws the paused view.

Stop reruns the page, whose files section then makes the stopped run's files once: the exported
script replays the schedule over every step of the run (`core.train.export.hyper_tables`), 150,000
optimizer steps for this recipe, so that is most of Stop's figure until the replay gets cheaper.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_latency import LAUNCH_ARGS, MAIN, OBSERVER, Case, click, settle_ms, summary  # noqa: E402
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


def paused_run(page) -> None:
    """A live run, paused (the one the Pause/Resume case left, or a new one): Step acts on a parked worker."""
    if page.locator(f"{MAIN} button:visible", has_text="Start").first.is_enabled():
        live_run(page)
    pause = page.locator(f"{MAIN} button:visible", has_text="Pause").first
    if pause.count() and pause.is_enabled():
        pause.click()
        page.get_by_text(": paused").first.wait_for(timeout=180_000)
    wait_idle(page, timeout=180_000, settle_ms=300)


CASES = [
    click("Pause ↔ Resume (live run)", ("Pause", "Resume"), opener=live_run),
    click("Step (paused run)", ("Step",), opener=paused_run),  # one batch, then parked again (issue 15)
]


def press(text: str) -> Case:
    """Press the live view's button reading `text` (one try)."""
    return Case(text, lambda page, i: page.locator(f"{MAIN} button:visible", has_text=text).first.click())


SHOWS = {"Pause": ": paused", "Resume": ": training", "Stop": ": stopped"}  # the run's status line after each press


def shown(page, text: str) -> float:
    """Press `text`; the browser time (ms) from the press to the run's new status on screen."""
    start = page.evaluate("() => performance.now()")
    page.locator(f"{MAIN} button:visible", has_text=text).first.click()
    page.get_by_text(SHOWS[text]).first.wait_for(timeout=180_000)
    return page.evaluate("() => performance.now()") - start


def cycles(page, tries: int, settle: int) -> dict[str, list[tuple[float, float, float]]]:
    """`tries` times: start a live run (untimed), then time Pause, Resume (of the parked run) and Stop.

    Per press: (status shown, idle, drawn). A resumed view polls its run (the curves every second, the
    network several times a second), so its script is never idle for `settle` ms while it trains:
    for Resume only the status figure means something (idle and drawn are NaN).
    """
    times = {"Pause": [], "Resume": [], "Stop": []}
    for _ in range(tries):
        live_run(page)
        for text, values in times.items():
            page.evaluate("() => { window.__states = []; window.__drawn = 0; }")
            start = page.evaluate("() => performance.now()")
            status = shown(page, text)
            if text == "Resume":
                values.append((status, math.nan, math.nan))
                page.wait_for_timeout(1500)  # let it train a little before Stop
                continue
            idle_at = settle_ms(page, settle)
            values.append((status, idle_at - start, max(idle_at, page.evaluate("() => window.__drawn")) - start))
    return times


def main() -> None:
    from playwright.sync_api import sync_playwright

    from benchmarks.bench_render import checkout

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=5)
    parser.add_argument("--settle", type=int, default=700, help="ms the script must stay idle")
    parser.add_argument("--baseline", help="also measure this commit's page (git ref), e.g. 020743c")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; median and p90 of {args.tries} tries, ms")
    print(
        f"{'app':<10}{'interaction':<24}{'status p50':>11}{'p90':>7}{'idle p50':>9}{'p90':>7}{'drawn p50':>10}{'p90':>7}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        roots = {"now": ROOT} | ({args.baseline: checkout(args.baseline, Path(tmp))} if args.baseline else {})
        for name, root in roots.items():
            port = _free_port()
            server = start_server(port, root)
            try:
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=LAUNCH_ARGS)
                    page = browser.new_page(locale="en-US", viewport={"width": 1400, "height": 1000})
                    page.goto(f"http://127.0.0.1:{port}/{PAGE}")
                    wait_idle(page, timeout=180_000)
                    page.evaluate(OBSERVER)
                    for text, values in cycles(page, args.tries, args.settle).items():
                        (s50, s90), (i50, i90), (d50, d90) = (summary([v[k] for v in values]) for k in range(3))
                        print(f"{name:<10}{text + ' (live run)':<24}{s50:>11.0f}{s90:>7.0f}{i50:>9.0f}{i90:>7.0f}"
                              f"{d50:>10.0f}{d90:>7.0f}")  # fmt: skip
                    browser.close()
            finally:
                stop_server(server)


if __name__ == "__main__":
    main()
