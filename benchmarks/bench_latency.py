"""What a learner feels: action → page idle again, per page and interaction, in a real Chromium.

Each page's interactions are cases in ``benchmarks/latency/<page>.py``: a module with
``PAGE`` (its url path) and ``CASES``, a list of ``Case(name, action)``, where ``action(page,
i)`` performs the i-th try of the interaction (move a slider one step, pick another option,
press a button) on a Playwright page that is already open and idle.

The time is taken in the browser: a MutationObserver records every change of the app's
``data-test-script-state``; the figure is from the action's start to the last moment the
script (a full rerun or a fragment) became ``notRunning``, once it has stayed idle for
``--settle`` ms ("idle"), and to the last change of the page's main area before that
("drawn": charts redrawn, numbers updated — plotly draws after the script has finished).
So the settle wait itself is not counted. The bars of issue 13 are on "drawn".

    .venv/bin/python benchmarks/bench_latency.py [--tries 7] [--pages linear,backprop]
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.conftest import _free_port, start_server, stop_server, wait_idle  # noqa: E402

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
OBSERVER = """() => {
  window.__states = [];
  window.__drawn = 0;
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => window.__states.push(
    [performance.now(), app.getAttribute('data-test-script-state')]
  )).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  const main = document.querySelector('[data-testid="stMain"]');
  new MutationObserver(() => { window.__drawn = performance.now(); })
    .observe(main, {subtree: true, childList: true, attributes: true, characterData: true});
}"""


@dataclass(frozen=True)
class Case:
    """One interaction: ``action(page, i)`` performs its i-th try."""

    name: str
    action: Callable[[object, int], None]


MAIN = '[data-testid="stMain"]'
Opener = Callable[[object], None]


def tab(n: int) -> Opener:
    """Before the warm-up try: open the page's `n`-th tab."""

    def open_tab(page) -> None:
        page.get_by_role("tab").nth(n).click(timeout=180_000)
        wait_idle(page, timeout=180_000)

    return open_tab


def section(text: str) -> Opener:
    """Before the warm-up try: pick the section button (a segmented control) reading `text`."""

    def open_section(page) -> None:
        page.locator('[data-testid="stButtonGroup"] button', has_text=text).click(timeout=180_000)
        wait_idle(page, timeout=180_000)

    return open_section


def _ready(page, selector: str, opener: Opener | None) -> None:
    """Before the warm-up try: open the control's tab or section, wait until it is drawn."""
    if opener is not None:
        opener(page)
    page.locator(selector).first.wait_for(timeout=180_000)
    wait_idle(page, timeout=180_000)


def slider(name: str, label: str, *, opener: Opener | None = None, first: str = "ArrowRight") -> Case:
    """Move the visible slider labelled `label` one step, `first` way then back, in turn.

    Every try must change the value (an unchanged slider starts no run for the timer to see),
    so try −1 (the warm-up) goes `first`, 0 back, 1 `first`, … from the slider's default.
    """
    selector = f'{MAIN} [data-testid="stSlider"] input[type="range"][aria-label="{label}"]:visible'
    back = "ArrowLeft" if first == "ArrowRight" else "ArrowRight"

    def action(page, i: int) -> None:
        if i < 0:
            _ready(page, selector, opener)
        page.locator(selector).first.focus()
        page.keyboard.press(first if i < 0 or i % 2 else back)

    return Case(name, action)


def select(name: str, label: str, options: tuple[str, str], *, opener: Opener | None = None) -> Case:
    """Pick the other option of the visible select box labelled `label` on each try (try −1 picks options[1])."""
    selector = f'{MAIN} [data-testid="stSelectbox"]:visible'

    def action(page, i: int) -> None:
        if i < 0:
            _ready(page, selector, opener)
        page.locator(selector, has_text=label).first.click()
        page.get_by_role("option", name=options[i % 2], exact=True).click()

    return Case(name, action)


def click(name: str, buttons: tuple[str, ...], *, opener: Opener | None = None) -> Case:
    """Press the visible buttons reading `buttons` in turn (try −1 presses the first)."""

    def action(page, i: int) -> None:
        text = buttons[(i + 1) % len(buttons)]
        button = page.locator(f"{MAIN} button:visible", has_text=text).first
        if i < 0:
            if opener is not None:
                opener(page)
            button.wait_for(timeout=180_000)
        button.click()

    return Case(name, action)


def settle_ms(page, settle: int, timeout_s: float = 120) -> float:
    """Wait until the script has stayed idle for `settle` ms; the browser time it became idle."""
    deadline = time.monotonic() + timeout_s
    first = None
    while time.monotonic() < deadline:
        now, state, states = page.evaluate(
            """() => [performance.now(),
                     document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state'),
                     window.__states]"""
        )
        first = now if first is None else first
        if state == "notRunning":
            idle_at = max((t for t, s in states if s == "notRunning"), default=None)
            if idle_at is not None and now - idle_at >= settle:
                return idle_at
            if idle_at is None and not states and now - first >= 4 * settle:
                return first  # the action started no script run at all (nothing to wait for)
        page.wait_for_timeout(50)
    raise TimeoutError("the page did not settle")


def measure(page, case: Case, tries: int, settle: int, first: int = 0) -> tuple[list[float], list[float]]:
    """Milliseconds from each try's action to the script idle again, and to the page's last change.

    The second figure ends at the last DOM change in the main area (charts redrawn, numbers
    updated) before the page had stayed idle for `settle` ms: what the learner sees finish.
    The tries are numbered from `first` (a case may do something different on each).
    """
    idle, drawn = [], []
    for i in range(first, first + tries):
        page.evaluate("() => { window.__states = []; window.__drawn = 0; }")
        start = page.evaluate("() => performance.now()")
        case.action(page, i)
        idle_at = settle_ms(page, settle)
        last_change = page.evaluate("() => window.__drawn")
        idle.append(max(idle_at - start, 0.0))
        drawn.append(max(idle_at, last_change) - start)
    return idle, drawn


def summary(values: list[float]) -> tuple[float, float]:
    """(median, p90) of `values`."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def modules(names: list[str] | None):
    for info in pkgutil.iter_modules([str(ROOT / "benchmarks" / "latency")]):
        module = importlib.import_module(f"benchmarks.latency.{info.name}")
        if names is None or module.PAGE in names:
            yield module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=7)
    parser.add_argument("--settle", type=int, default=700, help="ms the script must stay idle")
    parser.add_argument("--pages", help="comma-separated url paths (default: every page with cases)")
    args = parser.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=LAUNCH_ARGS)
            print(f"load average {os.getloadavg()[0]:.2f}; median and p90 of {args.tries} tries, ms")
            print(f"{'page':<14}{'interaction':<36}{'idle p50':>9}{'p90':>7}{'drawn p50':>10}{'p90':>7}")
            for module in modules(args.pages.split(",") if args.pages else None):
                page = browser.new_page(locale="en-US", viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}/{module.PAGE}")
                wait_idle(page, timeout=180_000)
                page.evaluate(OBSERVER)
                for case in module.CASES:
                    case.action(page, -1)  # warm-up try: caches and the first draw are not what a slider step costs
                    settle_ms(page, args.settle)
                    idle, drawn = measure(page, case, args.tries, args.settle)
                    (i50, i90), (d50, d90) = summary(idle), summary(drawn)
                    print(f"{module.PAGE:<14}{case.name:<36}{i50:>9.0f}{i90:>7.0f}{d50:>10.0f}{d90:>7.0f}", flush=True)
                page.close()
            browser.close()
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
