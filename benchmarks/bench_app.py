"""App start-up and page render times, measured in a real Chromium.

Cold start: from launching ``streamlit run app.py`` to the home page drawn and idle.
Warm render: each page opened a second time (server and caches warm), from navigation
to the script finishing; the median of several visits.

    .venv/bin/python benchmarks/bench_app.py [--visits 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.conftest import _free_port, start_server, stop_server, wait_idle  # noqa: E402
from ui.nav import available  # noqa: E402

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def visit(page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url)
    wait_idle(page, timeout=180_000)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=3)
    args = parser.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=LAUNCH_ARGS)
        page = browser.new_page(locale="en-US", viewport={"width": 1400, "height": 1000})
        start = time.perf_counter()
        server = start_server(port)
        healthy = time.perf_counter() - start
        try:
            first = visit(page, url) + healthy
            print(f"cold start: server healthy {healthy:.2f} s, home page drawn and idle {first:.2f} s")
            print(f"{'page':<14}{'first visit s':>14}{'warm median s':>15}")
            for spec in [None, *available()]:
                path = f"{url}/{spec.url}" if spec else url
                times = [visit(page, path) for _ in range(args.visits + 1)]
                print(f"{spec.name if spec else 'home':<14}{times[0]:>14.2f}{statistics.median(times[1:]):>15.2f}")
        finally:
            stop_server(server)
            browser.close()


if __name__ == "__main__":
    main()
