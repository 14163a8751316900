"""Poem model figures: held-out perplexity vs unigram, form/rhyme/novelty over 500 poems, latency.

Run: ``.venv/bin/python -m benchmarks.bench_poems`` (about two minutes on two CPU cores).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import torch

from core.poetry import rhyme
from core.poetry.corpus import FORMS, clean_poem, load_tang, poem_form, split_lines
from core.poetry.generate import DECODERS, RhymeMasks, generate
from core.poetry.metrics import heldout_report
from core.poetry.train import load_model

MODEL = Path(__file__).resolve().parent.parent / "assets" / "models" / "poems" / "tang_gru.pt"
POEMS = 500
BATCH = 25


def sample_all(model, vocab, masks, rhyme_on: bool, total: int = POEMS) -> list:
    """`total` poems, spread evenly over the four forms, default sampling settings, fixed seeds."""
    defaults = DECODERS.get("sample").defaults()
    out = []
    per_form = total // len(FORMS)
    for f in FORMS:
        for b in range(per_form // BATCH):
            out += generate(
                model, vocab, f, n=BATCH, seed=1000 * b + len(out), rhyme=rhyme_on, rhyme_masks=masks, **defaults
            )
    return out


def timed(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--poems", type=int, default=POEMS)
    args = parser.parse_args()
    torch.set_num_threads(2)
    model, vocab, meta = load_model(args.model)
    corpus = load_tang()
    masks = RhymeMasks(vocab)
    print(f"model: {args.model.name} ({args.model.stat().st_size / 1e6:.1f} MB), {meta.get('command', '')}")
    print(f"load average: {os.getloadavg()[0]:.1f} (2 cores; figures below are taken under this load)")

    report = heldout_report(model, corpus.train, corpus.heldout, vocab)
    print(
        f"held-out per-character perplexity {report['heldout_ppl']:.1f} vs unigram {report['unigram_ppl']:.1f}:"
        f" ratio {report['ppl_ratio']:.3f} (target <= 0.3); unknown characters {report['heldout_unk_rate']:.2%}"
    )

    train_lines = {line for poem in corpus.train for line in split_lines(poem)}
    for rhyme_on in (False, True):
        poems = sample_all(model, vocab, masks, rhyme_on, args.poems)
        exact = sum(clean_poem(p.text) == (p.text, "ok") and poem_form(p.text).name == p.form for p in poems)
        lines = [line for p in poems for line in p.lines]
        verbatim = sum(line in train_lines for line in lines) / len(lines)
        distinct = statistics.mean(len(set("".join(p.lines))) / len("".join(p.lines)) for p in poems)
        rate = rhyme.rhyme_rate([p.lines for p in poems])
        label = "with rhyme option" if rhyme_on else "default (no rhyme option)"
        print(
            f"{len(poems)} poems, {label}: exact form {exact / len(poems):.1%}, even lines rhyme {rate:.1%},"
            f" lines verbatim in training corpus {verbatim:.2%} (target < 5%), distinct-character ratio {distinct:.3f}"
        )
    print(
        f"corpus rhyme rate (same judgement, all {len(corpus.poems)} kept poems): {rhyme.rhyme_rate(corpus.poems):.1%}"
    )

    for threads in (2, 1):
        torch.set_num_threads(threads)
        one = timed(lambda: generate(model, vocab, "qijue", n=1, seed=1), 20)
        sixteen = timed(lambda: generate(model, vocab, "qijue", n=16, seed=1), 10)
        print(
            f"latency ({threads} torch thread(s), median): one 七言绝句 {one:.1f} ms (target <= 100 ms);"
            f" 16 batched {sixteen:.1f} ms (target <= 300 ms); batching gives {16 * one / sixteen:.1f}x poems/s"
        )


if __name__ == "__main__":
    main()
