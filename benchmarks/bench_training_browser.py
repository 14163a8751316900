"""What watching a run costs: training throughput with the live page open in Chromium vs on another page.

Starts the app, opens the training page in a real Chromium, starts a run from the page
(moons, the page's MLP and Adam, `--batch` rows a step, 500 epochs: minutes of training),
then alternates: `--window` seconds with the training page open (its live view polling and
redrawing), then `--window` seconds on another page of the same session (nothing polls).
Throughput in each window is the step counter's advance divided by the window's length,
read from the page's progress line (snapshot age ≤ a publish interval, small against the
window). The ratio open ÷ away is the figure: the live view's cost (target ≥ 0.90).

    .venv/bin/python benchmarks/bench_training_browser.py [--windows 3] [--window 12] [--batch 1]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.conftest import _free_port, open_from_nav, start_server, stop_server, wait_idle  # noqa: E402

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PROGRESS = re.compile(r"step (\d+)/(\d+)")
OTHER_PAGE = "home"  # the lightest page: arriving there costs the server little


def open_home(page) -> None:
    """The sidebar's first link (home, the default page, whose url is the bare root)."""
    page.locator('[data-testid="stSidebarNav"] a').first.click(timeout=180_000)
    page.wait_for_function("() => !location.pathname.endsWith('/training')")
    wait_idle(page)


def step_now(page, timeout_s: float = 60) -> tuple[float, int]:
    """(monotonic time, step) at the moment the progress line shows a new step."""
    locator = page.locator('[data-testid="stProgress"]').first
    first = PROGRESS.search(locator.inner_text(timeout=timeout_s * 1000))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        match = PROGRESS.search(locator.inner_text(timeout=timeout_s * 1000))
        if match and (first is None or match.group(1) != first.group(1)):
            return time.monotonic(), int(match.group(1))
        page.wait_for_timeout(20)
    raise TimeoutError("the step counter did not move")


def start_run(page, url: str, batch: int, epochs: int) -> None:
    page.goto(f"{url}/training")
    wait_idle(page, timeout=180_000)
    for label, value in (("Epochs", str(epochs)), ("Batch size", str(batch))):
        box = page.locator(f'input[aria-label="{label}"]')
        box.fill(value)
        box.press("Enter")
        wait_idle(page)
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Start").click()
    page.get_by_text(re.compile(r"Run #1 .*: training")).wait_for(timeout=60_000)


def report(args, open_rates: list[float], away_rates: list[float]) -> None:
    print(f"moons, MLP, Adam, batch {args.batch}; {args.windows} × ({args.window:.0f} s page open, "
          f"{args.window:.0f} s on the {OTHER_PAGE} page)")  # fmt: skip
    print("samples/s with the training page open: " + ", ".join(f"{r * args.batch:,.0f}" for r in open_rates))
    print("samples/s on another page:            " + ", ".join(f"{r * args.batch:,.0f}" for r in away_rates))
    ratio = statistics.median(open_rates) / statistics.median(away_rates)
    print(f"open ÷ away (medians) = {ratio:.3f}  (target ≥ 0.90: watching costs ≤ 10 % of throughput)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=3, help="pairs of (page open, page away) windows")
    parser.add_argument("--window", type=float, default=12.0, help="seconds per window")
    parser.add_argument("--batch", type=int, default=1, help="batch size of the run (1: a long run on moons)")
    parser.add_argument("--epochs", type=int, default=500)
    args = parser.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=LAUNCH_ARGS)
            page = browser.new_page(locale="en-US", viewport={"width": 1400, "height": 1000})
            start_run(page, url, args.batch, args.epochs)
            page.wait_for_timeout(2000)  # past the run's first second (allocator, first snapshots)
            open_rates, away_rates = [], []
            for _ in range(args.windows):
                t0, s0 = step_now(page)
                page.wait_for_timeout(args.window * 1000)
                t1, s1 = step_now(page)
                open_rates.append((s1 - s0) / (t1 - t0))
                open_home(page)
                page.wait_for_timeout(args.window * 1000)
                open_from_nav(page, "training", idle=False)
                t2, s2 = step_now(page)
                away_rates.append((s2 - s1) / (t2 - t1))
            total = PROGRESS.search(page.locator('[data-testid="stProgress"]').first.inner_text()).group(2)
            if int(total) <= s2:
                print("warning: the run ended during the measurement; use more --epochs")
            report(args, open_rates, away_rates)
            browser.close()  # the session ends: its run is stopped by the session cache's release hook
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
