"""Words page and rhyme figures: jieba start-up, segmentation throughput, page compute latency, rhyme.

- jieba start-up: ``import jieba; jieba.initialize()`` in a fresh interpreter (median of runs;
  jieba keeps a prefix-dictionary cache in the temp dir, so this is the warm-cache figure a
  restarted server pays once, which the page hides behind ``st.cache_resource``).
- Segmentation throughput (characters/s) of each mode on Tang-poem text, and the ratio to
  precise mode.
- ``core.text.explore.analyse`` latency (segment → vocabulary → embedding → cosine matrix)
  for the course's sentence and for a text at the size cap.
- Rhyme: the 十三辙 rhyme rate of the regular poems (4/8 lines of 5/7 characters) of
  唐诗三百首 and of the full Tang corpus, and rhyme-report throughput.

    .venv/bin/python benchmarks/bench_words.py [--runs 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.poetry.rhyme import rhyme_rate, split_lines  # noqa: E402
from core.text.explore import analyse  # noqa: E402
from core.text.segment import DEFAULT_TEXT, MAX_CHARS, MODES, load_jieba, segment  # noqa: E402

POEMS = ROOT.parent / "shared" / "data" / "poems"
STARTUP = "import logging, jieba; jieba.setLogLevel(logging.WARNING); jieba.initialize()"


def timed(fn, runs: int) -> float:
    """Median wall time of `runs` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def poems(name: str) -> list[list[str]]:
    """Regular poems (4 or 8 lines, all 5 or all 7 characters) of a corpus file, as lines."""
    out = []
    with gzip.open(POEMS / name, "rt", encoding="utf-8") as f:
        for row in f:
            lines = split_lines("".join(json.loads(row)["paragraphs"]))
            if len(lines) in (4, 8) and len({len(x) for x in lines}) == 1 and len(lines[0]) in (5, 7):
                out.append(lines)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    startup = timed(lambda: subprocess.run([sys.executable, "-c", STARTUP], check=True), args.runs)
    bare = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), args.runs)
    print(f"jieba import + initialize (fresh interpreter, minus bare start-up): {startup - bare:.2f} s")

    load_jieba()
    tang300 = poems("tang300.jsonl.gz")
    chunks = ["，".join(p) + "。" for p in tang300]  # one poem a call, as the page would see it
    n_chars = sum(len(c) for c in chunks)
    rates = {}
    for mode in MODES.names():
        seconds = timed(lambda m=mode: [segment(c, m) for c in chunks], args.runs)
        rates[mode] = n_chars / seconds
    for mode, rate in rates.items():
        print(f"segment {mode:8s}: {rate / 1e3:7.1f} k chars/s  ({rate / rates['precise']:.2f}× precise)")

    long_text = ("".join(chunks) * 2)[:MAX_CHARS]
    for label, text in (("course sentence", DEFAULT_TEXT), (f"{MAX_CHARS}-char text", long_text)):
        seconds = timed(lambda t=text: analyse(t, "precise", drop_stopwords=True, dim=4, seed=0), args.runs)
        vocab = len(analyse(text, drop_stopwords=True).vocab)
        print(f"analyse ({label}, vocab {vocab}): {seconds * 1e3:.1f} ms")

    tang = poems("tang.jsonl.gz")
    print(f"rhyme rate of regular poems, 唐诗三百首: {rhyme_rate(tang300):.3f} ({len(tang300)} poems)")
    seconds = timed(lambda: rhyme_rate(tang), 1)
    print(f"rhyme rate of regular poems, 全唐诗: {rhyme_rate(tang):.3f} ({len(tang)} poems)")
    print(f"rhyme judgement throughput: {len(tang) / seconds / 1e3:.1f} k poems/s")


if __name__ == "__main__":
    main()
