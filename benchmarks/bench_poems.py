"""Poem model figures: held-out perplexity vs unigram; per form, 500 poems each with free sampling, the
平水韵 rhyme option and the 格律 option: form, rhyme, regularity and novelty; the corpus by the same checker; latency.

For a conditioned model (form and rhyme-group tokens, `core.poetry.condition`) it also prints how
often a poem's even lines end in the very group the model drew for itself before writing.

Run: ``.venv/bin/python -m benchmarks.bench_poems`` (the planning GRU) or ``--model
assets/models/poems/tang_gru.pt`` (the plain GRU); about ten minutes each on two busy CPU cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import torch

from core import artifacts
from core.poetry import condition, gelv, rhyme
from core.poetry.constrain import PingshuiMasks
from core.poetry.corpus import FORMS, clean_poem, load_tang, poem_form, split_lines
from core.poetry.generate import DECODERS, RhymeMasks, generate
from core.poetry.metrics import heldout_report
from core.poetry.train import load_model

MODEL = Path(__file__).resolve().parent.parent / "assets" / "models" / "poems" / "tang_gru_cond.pt"
POEMS = 500  # per form
BATCH = 50
OPTIONS = {  # label → generate() options
    "free sampling": {},
    "rhyme 平水韵": {"rhyme": "pingshui"},
    "格律 option": {"gelv": True},
    "rhyme 十三辙": {"rhyme": "shisan"},
}


def sample_form(model, vocab, form, options: dict, total: int) -> list:
    """`total` poems of `form`, default sampling settings, fixed seeds."""
    defaults = DECODERS.get("sample").defaults()
    out = []
    for b in range(total // BATCH):
        out += generate(model, vocab, form, n=BATCH, seed=1000 * b + 7, **options, **defaults)
    return out


def figures(poems_lines: list[list[str]]) -> dict[str, float]:
    analyses = [gelv.analyse(lines) for lines in poems_lines]
    return {
        "pingshui": sum(map(gelv.pingshui_rhymes, poems_lines)) / len(poems_lines),
        "regular": sum(a.regular for a in analyses) / len(analyses),
        "strict": statistics.mean(a.strict_share for a in analyses),
        "shisan": rhyme.rhyme_rate(poems_lines),
    }


def timed(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def report_samples(model, vocab, masks, corpus, total: int) -> dict[str, dict[str, dict[str, float]]]:
    """Print, and return ({form: {option: figures}}), the sampled poems' figures per form and option."""
    recorded: dict[str, dict[str, dict[str, float]]] = {}
    train_lines = {line for poem in corpus.train for line in split_lines(poem)}
    for f in FORMS:
        real = [split_lines(p) for p in corpus.poems if poem_form(p).name == f.name]
        ref = figures(real)
        print(
            f"\n{f.name}: corpus reference ({len(real)} kept poems): one 平声 group {ref['pingshui']:.1%},"
            f" fully regular {ref['regular']:.1%}, strict positions in pattern {ref['strict']:.1%},"
            f" 十三辙 {ref['shisan']:.1%}"
        )
        for label, options in OPTIONS.items():
            extra = {"pingshui_masks": masks[0]} if "rhyme" in options or "gelv" in options else {}
            extra |= {"rhyme_masks": masks[1]} if options.get("rhyme") == "shisan" else {}
            poems = sample_form(model, vocab, f, {**options, **extra}, total)
            exact = sum(clean_poem(p.text) == (p.text, "ok") and poem_form(p.text).name == p.form for p in poems)
            lines = [line for p in poems for line in p.lines]
            verbatim = sum(line in train_lines for line in lines) / len(lines)
            got = figures([p.lines for p in poems])
            plan = ""
            got |= {"exact_form": exact / len(poems), "verbatim_lines": verbatim}
            if poems[0].planned is not None:
                kept = sum(bool(p.planned) and condition.rhyme_group(p.lines) == p.planned for p in poems)
                got["in_drawn_group"] = kept / len(poems)
                plan = (f", drew <韵:无> {sum(p.planned == '' for p in poems) / len(poems):.1%}, even lines in the"
                        f" drawn group {kept / len(poems):.1%}")  # fmt: skip
            recorded.setdefault(f.name, {})[label] = got
            print(
                f"  {len(poems)} poems, {label:14s}: exact form {exact / len(poems):.1%}, one 平声 group"
                f" {got['pingshui']:.1%}, fully regular {got['regular']:.1%}, strict positions {got['strict']:.1%},"
                f" 十三辙 {got['shisan']:.1%}, lines verbatim in training corpus {verbatim:.2%}{plan}"
            )
    return recorded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--poems", type=int, default=POEMS, help="poems per form and option")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--record", action="store_true", help="write the figures into the model file's meta")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model, vocab, meta = load_model(args.model)
    corpus = load_tang()
    masks = (PingshuiMasks(vocab), RhymeMasks(vocab))
    print(f"model: {args.model.name} ({args.model.stat().st_size / 1e6:.1f} MB), {meta.get('command', '')}")
    print(f"load average: {os.getloadavg()[0]:.1f} (2 cores; figures below are taken under this load)")

    report = heldout_report(model, corpus.train, corpus.heldout, vocab)
    print(
        f"held-out per-character perplexity {report['heldout_ppl']:.1f} vs unigram {report['unigram_ppl']:.1f}:"
        f" ratio {report['ppl_ratio']:.3f} (target <= 0.25); unknown characters {report['heldout_unk_rate']:.2%}"
    )
    print("bars: rhyme 平水韵 → one 平声 group 100%; 格律 option → fully regular >= 98%;"
          " free sampling → 十三辙 (the pinyin check) >= 50% in every form; exact form 100%; verbatim lines < 5%")  # fmt: skip
    sampling = report_samples(model, vocab, masks, corpus, args.poems)
    if args.record:  # the held-out metrics and the sampling figures, by this code, into the shipped file
        ckpt = artifacts.load(args.model)
        ckpt["meta"] |= {"metrics": report, "sampling": {"poems_per_form": args.poems, **sampling}}
        artifacts.save(ckpt, args.model)
        print(f"recorded in {args.model}")

    print(f"\nload average: {os.getloadavg()[0]:.1f}")
    for threads in sorted({args.threads, 1}, reverse=True):
        torch.set_num_threads(threads)
        one = timed(lambda: generate(model, vocab, "qijue", n=1, seed=1), 20)
        sixteen = timed(lambda: generate(model, vocab, "qijue", n=16, seed=1), 10)
        gelv_one = timed(lambda: generate(model, vocab, "qijue", n=1, seed=1, gelv=True, pingshui_masks=masks[0]), 20)
        print(
            f"latency ({threads} torch thread(s), median): one 七言绝句 {one:.1f} ms (target <= 100 ms);"
            f" 16 batched {sixteen:.1f} ms (target <= 300 ms); one with 格律 {gelv_one:.1f} ms"
        )
    poems = [split_lines(p) for p in corpus.heldout[:200]]
    print(f"格律 analysis: {timed(lambda: [gelv.analyse(p) for p in poems], 3) / len(poems):.2f} ms per poem")


if __name__ == "__main__":
    main()
