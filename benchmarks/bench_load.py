"""A class at once: many headless visitors on one server, its memory, and whether it stays responsive.

Each headless visitor is a Streamlit websocket session that renders pages the way a browser
does, without a browser: it sends a ``BackMsg.rerun_script`` for a page over
``/_stcore/stream`` and reads ``ForwardMsg`` messages until that run's ``script_finished``.
While they run, a probe asks ``/_stcore/health`` every half second: if page scripts starve
the server's event loop, that answer is late.

It prints, per number of visitors: render p50/p95 per page, errors (a dropped or timed-out
session) and exceptions (an exception element on a page), the health probe's p95/max, and
the server's RSS. First, where the memory goes: RSS at start, then after one visitor's
first visit of each page in turn (the models, data sets and caches that page loads).

    .venv/bin/python benchmarks/bench_load.py [--visitors 1,5,10,20] [--rounds 2] [--python PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402  (a dependency of streamlit)
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from tests.e2e.conftest import _free_port, start_server, stop_server  # noqa: E402
from ui.nav import available  # noqa: E402

PAGES = ["", *[p.url for p in available()]]  # "" is the home page
PAGE_TIMEOUT_S = 300
DONE = {ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY}


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
                self.exceptions += forward.delta.new_element.WhichOneof("type") == "exception"
            elif kind == "script_finished" and forward.script_finished in DONE:
                self.times[page or "home"].append(time.perf_counter() - start)
                return


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", default="1,5,10,20", help="comma-separated crowd sizes")
    parser.add_argument("--rounds", type=int, default=2, help="times each visitor opens every page")
    parser.add_argument("--python", default=sys.executable,
                        help="the server's interpreter, e.g. a venv with the CPU build of torch, as the Dockerfile installs")  # fmt: skip
    args = parser.parse_args()
    build = subprocess.run(
        [args.python, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True
    )
    print(f"server: {args.python} (torch {build.stdout.strip() or '?'})")
    port = _free_port()
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
        rss = {}
        for n in (int(x) for x in args.visitors.split(",")):
            visitors, health = asyncio.run(crowd(port, n, args.rounds))
            rss[n] = rss_mb(server.pid)
            times = defaultdict(list)
            for v in visitors:
                for page, values in v.times.items():
                    times[page].extend(values)
            errors = sum(len(v.errors) for v in visitors)
            exceptions = sum(v.exceptions for v in visitors)
            print(f"\n{n} visitors × {args.rounds} rounds of {len(PAGES)} pages: errors {errors}, exceptions {exceptions}, "
                  f"health p95 {pct(health, 0.95):.2f} s / max {max(health, default=float('nan')):.2f} s, "
                  f"RSS {rss[n]:.0f} MB")  # fmt: skip
            for v in visitors:
                for error in v.errors[:1]:
                    print(f"  error: {error}")
            print(f"  {'page':<14}{'p50 s':>8}{'p95 s':>8}{'renders':>9}")
            for page in [p or "home" for p in PAGES]:
                values = times.get(page, [])
                print(f"  {page:<14}{statistics.median(values) if values else float('nan'):>8.2f}"
                      f"{pct(values, 0.95):>8.2f}{len(values):>9}")  # fmt: skip
        sizes = sorted(rss)
        if len(sizes) >= 2:
            slope = (rss[sizes[-1]] - rss[sizes[0]]) / (sizes[-1] - sizes[0])
            print(f"\nRSS growth per additional visitor ({sizes[0]} → {sizes[-1]} visitors): {slope:.1f} MB")
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
