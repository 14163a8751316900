"""A class at once: many headless visitors on one server, its memory, and whether it stays responsive.

Each headless visitor is a Streamlit websocket session that renders pages the way a browser
does, without a browser: it sends a ``BackMsg.rerun_script`` for a page over
``/_stcore/stream`` and reads ``ForwardMsg`` messages until that run's ``script_finished``.
While they run, a probe asks ``/_stcore/health`` every half second: if page scripts starve
the server's event loop, that answer is late. Beside them, `--browsers` real Chromium visitors
do a page's main interaction over and over (train: Start a long run and watch it; draw: a
stroke on the digits canvas until the prediction is drawn; write: a new poem batch), timed
from the action to the page drawn again (`benchmarks/bench_latency.py`'s measure). They run at
the lowest CPU priority (`nice -n 19`): they stand for students' own computers, and on this
machine their drawing would otherwise take the server's CPU.

It prints, per number of visitors: render p50/p95 per page, errors (a dropped or timed-out
session) and exceptions (an exception element on a page), the health probe's p95/max, the
server's RSS, the training runs running and queued (as the training page says them to the
visitors), and the Chromium visitors' action → drawn p50. First, where the memory goes: RSS
at start, then after one visitor's first visit of each page in turn (the models, data sets
and caches that page loads). With ``--contention``: one visitor's page renders on an idle
server, then while two training runs go (started in Chromium), as a ratio per page (issue 19's
bar: ≤ 1.5×); then one of those tabs is closed and the time until its run slot is free.

    .venv/bin/python benchmarks/bench_load.py [--visitors 1,5,10,20,50] [--rounds 2] [--browsers 3]
                                              [--contention] [--python PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402  (a dependency of streamlit)
from playwright.sync_api import sync_playwright  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from benchmarks.bench_latency import LAUNCH_ARGS, OBSERVER, measure, settle_ms  # noqa: E402
from benchmarks.latency import digits, poems  # noqa: E402
from tests.e2e.conftest import _free_port, start_server, stop_server, wait_idle  # noqa: E402
from tests.e2e.test_training import long_recipe  # noqa: E402
from tests.e2e.test_training import main as page_body  # noqa: E402
from ui.i18n import table  # noqa: E402
from ui.nav import available  # noqa: E402

PAGES = ["", *[p.url for p in available()]]  # "" is the home page
PAGE_TIMEOUT_S = 300
DONE = {ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY}
# "Training on this server right now: 1 run(s); waiting in the queue: 0." in either language
SERVER_LOAD = [re.compile(re.escape(table(lang)["training.server_load"]).replace(r"\{running\}", r"(\d+)")
                          .replace(r"\{queued\}", r"(\d+)")) for lang in ("zh", "en")]  # fmt: skip


def server_load(text: str) -> tuple[int, int] | None:
    """(running, queued) from the training page's line saying them, else None."""
    for pattern in SERVER_LOAD:
        match = pattern.search(text)
        if match:
            return int(match.group(1)), int(match.group(2))
    return None


def rss_mb(pid: int) -> float:
    """Resident memory of a process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Visitor:
    """One headless session: renders pages in order, recording seconds and exceptions per page."""

    def __init__(self, port: int):
        self.port = port
        self.times: dict[str, list[float]] = defaultdict(list)
        self.exceptions = 0
        self.errors: list[str] = []
        self.runs: list[tuple[int, int]] = []  # (running, queued) each time the training page said them

    async def run(self, pages: list[str]) -> None:
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{self.port}/_stcore/stream",
                subprotocols=["streamlit"],
                origin=f"http://127.0.0.1:{self.port}",
                max_size=None,
                ping_interval=20,
                open_timeout=60,
            ) as ws:
                for page in pages:
                    await self.render(ws, page)
        except (OSError, TimeoutError, websockets.WebSocketException) as error:
            self.errors.append(f"{type(error).__name__}: {error}")

    async def render(self, ws, page: str) -> None:
        message = BackMsg()
        message.rerun_script.query_string = ""
        message.rerun_script.page_name = page
        start = time.perf_counter()
        await ws.send(message.SerializeToString())
        while True:
            forward = ForwardMsg.FromString(await asyncio.wait_for(ws.recv(), PAGE_TIMEOUT_S))
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                self.exceptions += element.WhichOneof("type") == "exception"
                if element.WhichOneof("type") == "markdown" and (runs := server_load(element.markdown.body)):
                    self.runs.append(runs)
            elif kind == "script_finished" and forward.script_finished in DONE:
                self.times[page or "home"].append(time.perf_counter() - start)
                return


class BrowserVisitor(threading.Thread):
    """A real Chromium visitor doing one page's main interaction until `stop` is set (in its own thread, with
    its own Playwright: the sync API is bound to the thread that started it).

    Roles: ``train`` (a long run started once: Start → "training" or "queued" shown, then watched), ``draw``
    (a stroke on the digits canvas → the prediction drawn) and ``write`` (a new poem batch → drawn), each
    try timed from the action to the page drawn again.
    """

    ROLES = ("train", "draw", "write")
    CASES = {"draw": digits, "write": poems}  # their first latency case is the main interaction
    SETTLE_MS = 700

    def __init__(self, url: str, role: str, stop: threading.Event, watch: bool = True):
        super().__init__(daemon=True)
        self.url, self.role, self.stop, self.watch = url, role, stop, watch
        self.drawn: list[float] = []  # ms from each action to the page drawn again
        self.error: str | None = None
        self.ready = threading.Event()  # the page is open and warm (for ``train``: its run has started)
        self.close_tab = threading.Event()  # ``train``: close the tab mid-run (the contention check)
        self.closed_at: float | None = None

    def run(self) -> None:
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=nice_chromium(), args=LAUNCH_ARGS)
                page = browser.new_page(locale="en-US", viewport={"width": 1400, "height": 1000})
                self.train(page) if self.role == "train" else self.interact(page, self.CASES[self.role])
                browser.close()
        except Exception as error:  # a benchmark reports what went wrong and goes on with the others
            self.error = f"{self.role}: {type(error).__name__}: {str(error).splitlines()[0]}"
        finally:
            self.ready.set()

    def train(self, page) -> None:
        page.goto(f"{self.url}/training")
        wait_idle(page, timeout=600_000)
        long_recipe(page)
        start = time.perf_counter()
        page_body(page).get_by_role("button", name="Start", exact=True).click()
        page.get_by_text(re.compile(r"Run #\d+ .*: (training|queued)")).first.wait_for(timeout=600_000)
        self.drawn.append((time.perf_counter() - start) * 1000)
        if not self.watch:  # go to the home page: the run trains on, and this browser stops drawing its charts
            page.locator('[data-testid="stSidebarNav"] a').first.click()
            wait_idle(page, timeout=600_000)
        self.ready.set()
        while not self.stop.is_set():
            if self.close_tab.wait(0.5):
                self.closed_at = time.perf_counter()
                page.close()  # the session disconnects; its run should stop and free its slot
                return
        if not self.watch:
            page.locator('[data-testid="stSidebarNav"] a[href$="/training"]').click()
        page_body(page).get_by_role("button", name="Stop", exact=True).click()
        page.get_by_text(re.compile(r"Run #\d+ .*: stopped")).first.wait_for(timeout=600_000)

    def interact(self, page, module) -> None:
        case = module.CASES[0]
        page.goto(f"{self.url}/{module.PAGE}")
        wait_idle(page, timeout=600_000)
        page.evaluate(OBSERVER)
        case.action(page, -1)  # warm-up: the model's first load is not what a stroke or a batch costs
        settle_ms(page, self.SETTLE_MS, timeout_s=600)
        self.ready.set()
        tries = 0
        while not self.stop.is_set():
            _, drawn = measure(page, case, 1, self.SETTLE_MS, first=tries % 16)  # strokes move right, then wrap
            self.drawn.extend(drawn)
            tries += 1


def nice_chromium() -> str:
    """Chromium at the lowest CPU priority (a wrapper script beside the temp files): these visitors stand for
    students on their own computers, so on this machine their drawing must not take the server's CPU."""
    wrapper = Path(tempfile.gettempdir()) / "dlp-nice-chromium"
    if not wrapper.exists():
        wrapper.write_text(f'#!/bin/sh\nexec nice -n 19 {shutil.which("chromium")} "$@"\n')
        wrapper.chmod(0o755)
    return str(wrapper)


def start_browsers(url: str, count: int, stop: threading.Event, roles=BrowserVisitor.ROLES,
                   watch: bool = True) -> list[BrowserVisitor]:  # fmt: skip
    """`count` Chromium visitors, `roles` in turn (train, draw, write, train, …), open and warm before the crowd."""
    browsers = [BrowserVisitor(url, roles[i % len(roles)], stop, watch) for i in range(count)]
    for b in browsers:
        b.start()
    for b in browsers:
        b.ready.wait(900)
    return browsers


async def probe_health(port: int, stop: asyncio.Event, samples: list[float]) -> None:
    """Time /_stcore/health every 0.5 s until `stop` (in a thread: the probe must not wait on our own loop)."""

    def once() -> float:
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=60):
                pass
        except OSError:
            return float("inf")
        return time.perf_counter() - start

    while not stop.is_set():
        samples.append(await asyncio.to_thread(once))
        await asyncio.sleep(0.5)


async def crowd(port: int, n: int, rounds: int) -> tuple[list[Visitor], list[float]]:
    visitors = [Visitor(port) for _ in range(n)]
    stop, health = asyncio.Event(), []
    probe = asyncio.create_task(probe_health(port, stop, health))
    await asyncio.gather(*(v.run(PAGES * rounds) for v in visitors))
    stop.set()
    await probe
    return visitors, health


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def medians(visitors: list[Visitor]) -> dict[str, float]:
    """Render p50 per page over `visitors`."""
    times = defaultdict(list)
    for v in visitors:
        for page, values in v.times.items():
            times[page].extend(values)
    return {page: statistics.median(values) for page, values in times.items()}


def runs_now(port: int) -> tuple[int, int]:
    """(running, queued) as a fresh visitor's training page says them."""
    probe = Visitor(port)
    asyncio.run(probe.run(["training"]))
    return probe.runs[-1] if probe.runs else (-1, -1)


def contention(url: str, port: int, rounds: int) -> None:
    """A visitor's renders idle, then while two training runs go; then a tab closed mid-run frees its slot.

    The two runs are started in Chromium, whose tabs then go to the home page (the runs train on): on this
    2-core machine their browsers drawing the live charts would take the CPU that the students' own
    computers spend on it, and the bar is on what the runs cost the third visitor.
    """
    print("\ncontention: one visitor's renders with the server idle, then while two training runs go (Chromium)")
    idle = Visitor(port)
    asyncio.run(idle.run(PAGES * rounds))
    stop = threading.Event()
    trainers = start_browsers(url, 2, stop, roles=("train",), watch=False)  # their browsers then rest on home
    for b in trainers:
        if b.error:
            print(f"  error: {b.error}")
    print(f"  training runs (running, queued) once both started: {runs_now(port)}")
    busy = Visitor(port)
    asyncio.run(busy.run(PAGES * rounds))
    before, after = medians([idle]), medians([busy])
    ratios = {page: after[page] / before[page] for page in before if page in after}
    print(f"  {'page':<14}{'idle p50 s':>11}{'busy p50 s':>11}{'ratio':>7}")
    for page in [p or "home" for p in PAGES]:
        if page in ratios:
            print(f"  {page:<14}{before[page]:>11.2f}{after[page]:>11.2f}{ratios[page]:>7.2f}")
    print(f"  median ratio over pages {statistics.median(ratios.values()):.2f} (bar ≤ 1.5); "
          f"errors {len(busy.errors)}, exceptions {busy.exceptions}")  # fmt: skip
    trainers[0].close_tab.set()
    deadline = time.perf_counter() + 300
    while time.perf_counter() < deadline:
        running, _ = runs_now(port)
        if trainers[0].closed_at is not None and 0 <= running < 2:
            print(f"  a tab closed mid-run: its slot free after {time.perf_counter() - trainers[0].closed_at:.1f} s "
                  f"(running now {running})")  # fmt: skip
            break
        time.sleep(0.5)
    else:
        print("  a tab closed mid-run: its run still holds a slot after 300 s")
    stop.set()
    for b in trainers:
        b.join(120)


def crowd_report(n: int, rounds: int, visitors: list[Visitor], health: list[float], rss: float,
                 browsers: list[BrowserVisitor]) -> None:  # fmt: skip
    times = defaultdict(list)
    for v in visitors:
        for page, values in v.times.items():
            times[page].extend(values)
    errors = sum(len(v.errors) for v in visitors)
    exceptions = sum(v.exceptions for v in visitors)
    runs = [r for v in visitors for r in v.runs]
    print(f"\n{n} visitors × {rounds} rounds of {len(PAGES)} pages: errors {errors}, exceptions {exceptions}, "
          f"health p95 {pct(health, 0.95):.2f} s / max {max(health, default=float('nan')):.2f} s, RSS {rss:.0f} MB; "
          f"training runs seen running {max((r for r, _ in runs), default=0)}, "
          f"queued {max((q for _, q in runs), default=0)} at most")  # fmt: skip
    for v in visitors:
        for error in v.errors[:1]:
            print(f"  error: {error}")
    print(f"  {'page':<14}{'p50 s':>8}{'p95 s':>8}{'renders':>9}")
    for page in [p or "home" for p in PAGES]:
        values = times.get(page, [])
        print(f"  {page:<14}{statistics.median(values) if values else float('nan'):>8.2f}"
              f"{pct(values, 0.95):>8.2f}{len(values):>9}")  # fmt: skip
    for b in browsers:
        if b.error:
            print(f"  Chromium visitor error: {b.error}")
        elif b.drawn:
            print(f"  Chromium visitor ({b.role}): action → drawn p50 {statistics.median(b.drawn) / 1000:.2f} s, "
                  f"max {max(b.drawn) / 1000:.2f} s over {len(b.drawn)} tries")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", default="1,5,10,20,50", help="comma-separated crowd sizes")
    parser.add_argument("--rounds", type=int, default=2, help="times each visitor opens every page")
    parser.add_argument(
        "--browsers", type=int, default=3, help="Chromium visitors beside each crowd (train, draw, write)"
    )
    parser.add_argument("--contention", action="store_true", help="renders idle vs while two runs train; a tab closed")
    parser.add_argument("--python", default=sys.executable,
                        help="the server's interpreter, e.g. a venv with the CPU build of torch, as the Dockerfile installs")  # fmt: skip
    args = parser.parse_args()
    build = subprocess.run(
        [args.python, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True
    )
    print(f"server: {args.python} (torch {build.stdout.strip() or '?'}); load {os.getloadavg()[0]:.1f}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(port, python=args.python)
    try:
        time.sleep(2)
        print(f"server RSS at start: {rss_mb(server.pid):.0f} MB")
        print("where the memory goes (one visitor's first visit of each page, in order):")
        first = Visitor(port)
        for page in PAGES:
            before = rss_mb(server.pid)
            asyncio.run(first.run([page]))
            print(
                f"  {page or 'home':<14} +{rss_mb(server.pid) - before:6.0f} MB  ({first.times[page or 'home'][-1]:.2f} s)"
            )
        print(f"server RSS after one visitor of every page: {rss_mb(server.pid):.0f} MB")
        if args.contention:
            contention(url, port, args.rounds)
        rss = {}
        for n in (int(x) for x in args.visitors.split(",")):
            stop = threading.Event()
            browsers = start_browsers(url, args.browsers, stop)
            visitors, health = asyncio.run(crowd(port, n, args.rounds))
            stop.set()
            for b in browsers:
                b.join(300)
            rss[n] = rss_mb(server.pid)
            crowd_report(n, args.rounds, visitors, health, rss[n], browsers)
        sizes = sorted(rss)
        if len(sizes) >= 2:
            slope = (rss[sizes[-1]] - rss[sizes[0]]) / (sizes[-1] - sizes[0])
            print(f"\nRSS growth per additional visitor ({sizes[0]} → {sizes[-1]} visitors): {slope:.1f} MB")
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
