"""Server time per page render (headless, warm), against a baseline commit run in the same process.

A headless visitor (``bench_load.Visitor``: a websocket session that sends
``BackMsg.rerun_script`` and waits for ``script_finished``) opens every page once to warm the
server's caches, then ``--renders`` more times; the median of those is the page's warm render
time: what one full page run costs the server, the unit of work a crowd of visitors shares.

The baseline is the same measurement on a second server started from ``git archive <ref>``
(default: the commit before instant feedback, issue 13) with the same Python; the ratio
(now / baseline) is printed beside each page. Bar: every page ≤ 250 ms.

    .venv/bin/python benchmarks/bench_render.py [--renders 5] [--pages home,losses] [--baseline REF | --no-baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_load import PAGES, Visitor  # noqa: E402
from core.env import data_root  # noqa: E402
from tests.e2e.conftest import _free_port, start_server, stop_server  # noqa: E402

BASELINE = "9278292"  # main before issue 13: every interaction reruns the whole page
BAR_MS = 250


def measure(root: Path, renders: int, pages: list[str]) -> dict[str, float]:
    """Median warm render seconds per page of the app checked out at `root`."""
    port = _free_port()
    server = start_server(port, root)
    try:
        visitor = Visitor(port)
        asyncio.run(visitor.run(pages))  # warm: models, data sets and caches loaded
        visitor.times.clear()
        asyncio.run(visitor.run(pages * renders))
        if visitor.errors:
            raise RuntimeError(f"{root}: {visitor.errors[0]}")
        return {page: statistics.median(values) for page, values in visitor.times.items()}
    finally:
        stop_server(server)


def checkout(ref: str, into: Path) -> Path:
    """The tree of commit `ref` extracted under `into` (beside a link to the shared data)."""
    archive = into / "baseline.tar"
    subprocess.run(["git", "archive", "--format=tar", "-o", str(archive), ref], cwd=ROOT, check=True)
    tree = into / "main"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=5, help="warm renders per page (median)")
    parser.add_argument("--baseline", default=BASELINE, help="git ref to compare against")
    parser.add_argument("--no-baseline", action="store_true", help="measure this checkout only")
    parser.add_argument("--pages", help="comma-separated url paths, home for the home page (default: all)")
    args = parser.parse_args()
    pages = [("" if p == "home" else p) for p in args.pages.split(",")] if args.pages else PAGES
    os.environ["DLP_DATA"] = str(data_root().resolve())  # the baseline tree has no ../shared beside it
    now = measure(ROOT, args.renders, pages)
    base: dict[str, float] = {}
    if not args.no_baseline:
        with tempfile.TemporaryDirectory() as tmp:
            base = measure(checkout(args.baseline, Path(tmp)), args.renders, pages)
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs; median of {args.renders} warm renders")
    print(f"{'page':<14}{'now ms':>8}{'base ms':>9}{'ratio':>7}  bar ≤ {BAR_MS} ms")
    for page in [p or "home" for p in pages]:
        ms = now[page] * 1000
        b = base.get(page)
        ratio = f"{ms / (b * 1000):>7.2f}" if b else f"{'—':>7}"
        base_text = f"{b * 1000:>9.0f}" if b else f"{'—':>9}"
        print(f"{page:<14}{ms:>8.0f}{base_text}{ratio}  {'ok' if ms <= BAR_MS else 'over'}")


if __name__ == "__main__":
    main()
