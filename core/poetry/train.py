"""Training a poem model: the reproducible commands for the shipped weights, and the live job.

The shipped models were trained on a busy, shared two-core CPU in seeded stages, each
continuing the previous file with a fresh Adam and schedule; the README lists every command
(the plain GRU: twelve stages; the planning GRU: the plain one extended with control tokens
by ``--conditioned`` and fine-tuned, `core.poetry.condition`). The first stage was::

    python -m core.poetry.train --out assets/models/poems/tang_gru.pt --seed 0

Poems of one form have one length, so batches are drawn per form and need no padding.
The learning rate warms up linearly and then follows a cosine to 10 % (per step), and
gradients are clipped to norm 1 (RNNs occasionally produce exploding gradients).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from core import artifacts
from core.device import seed_everything
from core.poetry import condition
from core.poetry import corpus as corpus_mod
from core.poetry.metrics import group_by_length, heldout_report, perplexity
from core.poetry.model import build, config, parameter_count
from core.poetry.vocab import PAD_ID, Vocab
from core.registry import Entry, Param, Registry
from core.threads import single_thread
from core.train import History, StepInfo, fit

WARMUP_STEPS = 200
PLAN_LR_SCALE = 10  # the plan layers of a conditioned model learn this much faster (they start at zero)
FINAL_LR_FRACTION = 0.1
CLIP_NORM = 1.0


def loss_fn(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over every non-padding next token (punctuation included)."""
    return F.cross_entropy(logits.transpose(1, 2), targets, ignore_index=PAD_ID)  # (B, V, T) vs (B, T)


def batch_maker(
    groups: dict[int, torch.Tensor], batch_size: int, seed: int, device: torch.device
) -> Callable[[int], Iterator[tuple[torch.Tensor, torch.Tensor]]]:
    """`batches(epoch)`: shuffled same-length batches, in shuffled order, reproducible per epoch."""
    groups = {n: g.to(device) for n, g in groups.items()}

    def batches(epoch: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        gen = torch.Generator().manual_seed(seed * 1000 + epoch)
        plan = []
        for n, seqs in groups.items():
            order = torch.randperm(len(seqs), generator=gen)
            plan += [(n, order[i : i + batch_size]) for i in range(0, len(seqs), batch_size)]
        for j in torch.randperm(len(plan), generator=gen).tolist():
            n, idx = plan[j]
            seqs = groups[n][idx.to(device)]
            yield seqs[:, :-1], seqs[:, 1:]

    return batches


def param_groups(model: nn.Module, lr: float) -> list[dict[str, Any]]:
    """Adam's parameter groups: everything at `lr`, a conditioned model's plan layers at `PLAN_LR_SCALE`·lr.

    Fine-tuning a trained GRU on the control tokens, the plan layer (from zero) is the part to
    learn and the rest should move little: at one rate for all, after an epoch the true rhyme
    token raised the log-probability of the rhyme character by only 0.3 nats over a wrong one.
    """
    plan = [p for n, p in model.named_parameters() if n.startswith("plan")]
    rest = [p for n, p in model.named_parameters() if not n.startswith("plan")]
    return [{"params": rest}] + ([{"params": plan, "lr": lr * PLAN_LR_SCALE}] if plan else [])


def steps_per_epoch(groups: dict[int, torch.Tensor], batch_size: int) -> int:
    return sum(math.ceil(len(g) / batch_size) for g in groups.values())


def warmup_cosine(total_steps: int, warmup: int = WARMUP_STEPS) -> Callable[[int], float]:
    """LR multiplier: linear warm-up, then cosine from 1 to FINAL_LR_FRACTION."""
    warmup = min(warmup, max(1, total_steps // 10))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(1, total_steps - warmup))
        return FINAL_LR_FRACTION + (1 - FINAL_LR_FRACTION) * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


@dataclass
class Settings:
    """Everything that defines a training run (recorded in the model's meta)."""

    cell: str = "gru"
    embed_dim: int = 128
    hidden_dim: int = 256
    num_layers: int = 1
    dropout: float = 0.0
    tied: bool = False
    conditioned: bool = False  # form and rhyme-group tokens before each poem (`core.poetry.condition`)
    min_count: int = 1
    epochs: int = 5
    batch_size: int = 64
    lr: float = 3e-3
    seed: int = 0

    def arch(self) -> dict[str, Any]:
        return {
            "embed_dim": self.embed_dim,
            "hidden_dim": self.hidden_dim,
            "num_layers": self.num_layers,
            "dropout": self.dropout,
            "tied": self.tied,
        }


def prepare(
    train: Sequence[str], settings: Settings, init: tuple[nn.Module, Vocab] | None = None
) -> tuple[Vocab, nn.Module, dict[int, torch.Tensor]]:
    """Vocabulary, a freshly seeded model (or `init`, continued) and the encoded training groups."""
    seed_everything(settings.seed)
    if init is not None:
        model, vocab = init
        if settings.conditioned and not condition.is_conditioned(vocab):  # a plain model learns the tokens
            vocab = condition.extend(model, vocab)
    else:
        vocab = Vocab.build(train, min_count=settings.min_count)
        if settings.conditioned:
            vocab = vocab.with_controls(condition.control_tokens())
        start = vocab.char_end if settings.conditioned else 0
        model = build(config(len(vocab), settings.cell, start, **settings.arch()))
    groups = group_by_length([condition.encode(vocab, p) for p in train])
    return vocab, model, groups


def make_checkpoint(model: nn.Module, vocab: Vocab, meta: dict[str, Any], half: bool = False) -> dict[str, Any]:
    """An artifact with the vocabulary in its meta; `half` stores fp16 weights (restored to fp32)."""
    cfg = {
        "kind": "poem_lm",
        "vocab_size": len(vocab),
        "cell": model.cell,
        "embed_dim": model.embed.embedding_dim,
        "hidden_dim": model.rnn.hidden_size,
        "num_layers": model.rnn.num_layers,
        "dropout": model.drop.p,
        "tied": model.tied,
        "control_start": model.control_start,
    }
    ckpt = artifacts.checkpoint(cfg, model, {**meta, "vocab": list(vocab.tokens)})
    if half:
        ckpt["state_dict"] = {k: v.half() if v.is_floating_point() else v for k, v in ckpt["state_dict"].items()}
    return ckpt


def load_model(source: Any) -> tuple[nn.Module, Vocab, dict[str, Any]]:
    """(model in eval mode, vocabulary, meta) from a saved poem model."""
    from core.errors import UserError

    ckpt = artifacts.load(source)
    tokens = ckpt["meta"].get("vocab")
    if not isinstance(tokens, list) or len(tokens) != ckpt["config"].get("vocab_size"):
        raise UserError("bad_model_file", "poem model file lacks a vocabulary that matches its config")
    try:
        vocab = Vocab(tokens)
    except ValueError as exc:
        raise UserError("bad_model_file", f"poem model vocabulary is malformed: {exc}") from None
    model = artifacts.restore(ckpt, build)
    return model, vocab, ckpt["meta"]


def train_model(
    train: Sequence[str],
    settings: Settings,
    *,
    heldout: Sequence[str] = (),
    device: torch.device | None = None,
    on_step: Callable[[StepInfo, nn.Module, Vocab], None] | None = None,
    on_epoch: Callable[[int, dict[str, float], nn.Module, Vocab], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    init: tuple[nn.Module, Vocab] | None = None,
    max_steps: int = 0,
) -> tuple[nn.Module, Vocab, History]:
    """Train a fresh model (or continue `init`) on `train`; held-out perplexity after each epoch when given."""
    device = device or torch.device("cpu")
    vocab, model, groups = prepare(train, settings, init)
    model.to(device)
    optimizer = torch.optim.Adam(param_groups(model, settings.lr), lr=settings.lr)
    total = steps_per_epoch(groups, settings.batch_size) * settings.epochs
    if max_steps:  # a run cut short: the schedule still ends at 10 % on its last step
        total = min(total, max_steps)
        stop_at = should_stop

        def should_stop() -> bool:
            return state_steps[0] >= max_steps or (stop_at is not None and stop_at())

    state_steps = [0]
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(total))

    def evaluate(m: nn.Module) -> dict[str, float]:
        return {"heldout_ppl": perplexity(m, heldout, vocab)} if heldout else {}

    def step_done(info: StepInfo) -> None:
        state_steps[0] = info.step
        if on_step is not None:
            on_step(info, model, vocab)

    def epoch_done(epoch: int, record: dict[str, float]) -> None:
        if on_epoch is not None:
            on_epoch(epoch, record, model, vocab)

    history = fit(
        model,
        loss_fn,
        optimizer,
        batch_maker(groups, settings.batch_size, settings.seed, device),
        epochs=settings.epochs,
        scheduler=scheduler,
        scheduler_per_step=True,
        evaluate=evaluate,
        on_step=step_done,
        on_epoch=epoch_done,
        should_stop=should_stop,
        clip_grad_norm=CLIP_NORM,
    )
    return model.eval(), vocab, history


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the shipped Tang poem model.")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=corpus_mod.TANG)
    defaults = Settings(
        embed_dim=128, hidden_dim=256, num_layers=1, tied=True, min_count=10, epochs=1, batch_size=64, lr=3e-3
    )
    for name, value in vars(defaults).items():
        flag = f"--{name.replace('_', '-')}"
        if isinstance(value, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=value)
        else:
            parser.add_argument(flag, type=type(value), default=value)
    parser.add_argument("--init", type=Path, default=None, help="continue training this saved model")
    parser.add_argument(
        "--max-steps", type=int, default=0, help="stop after this many steps (the LR schedule ends there)"
    )
    # One thread: on a shared, busy CPU, OpenMP threads that wait for each other cost more than they give.
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--half", action="store_true", help="store fp16 weights")
    parser.add_argument("--save-every", type=int, default=100, help="also save (with held-out metrics) every N steps")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    settings = Settings(**{k: getattr(args, k) for k in vars(defaults)})
    init = None
    previous: dict[str, Any] = {}
    if args.init is not None:  # continue a saved model (its vocabulary and architecture win)
        init_model, init_vocab, previous = load_model(args.init)
        init = (init_model.train(), init_vocab)
    corpus = corpus_mod.load_tang(args.data)
    print(f"corpus: {len(corpus.train)} train / {len(corpus.heldout)} held-out poems", flush=True)
    start = time.perf_counter()
    state = {"steps": 0, "saved": -1}
    command = "python -m core.poetry.train " + " ".join(sys.argv[1:] if argv is None else argv)

    def on_step(info: StepInfo, model: nn.Module, vocab: Vocab) -> None:
        state["steps"] = info.step
        if info.step % 25 == 0:
            rate = info.samples / (time.perf_counter() - start)
            print(f"step {info.step} loss {info.loss:.3f} lr {info.lr:.2e} {rate:.1f} poems/s", flush=True)
        if args.save_every and info.step % args.save_every == 0:
            save(model, vocab, info.epoch, info.step)

    def on_epoch(epoch: int, record: dict[str, float], model: nn.Module, vocab: Vocab) -> None:
        epoch_records.append(record)
        save(model, vocab, epoch + 1, state["steps"])

    def save(model: nn.Module, vocab: Vocab, epochs_done: int, steps: int) -> None:
        report = heldout_report(model, corpus.train, corpus.heldout, vocab)
        model.train()
        state["saved"] = steps
        meta = {
            "settings": vars(settings),
            "epochs_done": epochs_done,
            "steps_done": steps,
            "metrics": report,
            "epoch_records": list(epoch_records),
            "corpus": {"train": len(corpus.train), "heldout": len(corpus.heldout), "by_form": corpus.by_form()},
            "parameters": parameter_count(model),
            "train_seconds": time.perf_counter() - start,
            "command": command,
            "continued_from": {k: previous[k] for k in ("command", "steps_done", "metrics") if k in previous},
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        artifacts.save(make_checkpoint(model, vocab, meta, half=args.half), args.out)
        print(f"step {steps}: {report} saved {args.out}", flush=True)

    epoch_records: list[dict[str, float]] = []
    model, vocab, history = train_model(
        corpus.train,
        settings,
        heldout=corpus.heldout,
        on_step=on_step,
        on_epoch=on_epoch,
        init=init,
        max_steps=args.max_steps,
    )
    if state["saved"] != history.steps:  # stopped between two saves
        save(model, vocab, len(history.epochs), history.steps)
    print(f"done: {history.steps} steps in {history.seconds:.0f} s", flush=True)


if __name__ == "__main__":
    main()


# -- live training in the browser -------------------------------------------------------


@dataclass(frozen=True)
class LiveSpec(Entry):
    """Settings of a small model trained in the browser."""


LIVE = Registry(
    "poems.live",
    (
        LiveSpec(
            "small",
            params=(
                Param("max_poems", 800, 50, 5000, 50),
                Param("epochs", 8, 1, 50, 1),
                Param("embed_dim", 64, 16, 256, 16),
                Param("hidden_dim", 128, 16, 512, 16),
                Param("batch_size", 32, 4, 256, 4),
                Param("lr", 5e-3, 1e-4, 5e-2, log=True),
            ),
            formula=r"\mathcal{L} = -\frac{1}{T}\sum_{t=1}^{T} \log p_\theta(x_t \mid x_{<t})",
        ),
    ),
)
LIVE_SAMPLES = 3  # poems written after each epoch
MAX_UPLOAD_BYTES = 2**20  # 1 MB
MAX_UPLOAD_POEMS = 5000


def pick_subset(poems: Sequence[str], forms: Sequence[str], limit: int, seed: int) -> list[str]:
    """Up to `limit` poems of the chosen forms, a seeded random choice."""
    from core.errors import UserError

    wanted = set(forms)
    chosen = [p for p in poems if corpus_mod.poem_form(p).name in wanted]
    if not chosen:
        raise UserError("poems.errors.no_poems", "no poem of the chosen forms")
    if len(chosen) > limit:
        order = torch.randperm(len(chosen), generator=torch.Generator().manual_seed(seed))[:limit]
        chosen = [chosen[i] for i in sorted(order.tolist())]
    return chosen


def live_job(poems: Sequence[str], cell: str, values: dict[str, Any], sample_form: str, seed: int, device=None):
    """A `LiveRun` job: train on `poems`, publish the loss each step and samples each epoch.

    Publishes ``steps``/``losses`` (per step), ``epochs`` (records), ``samples``
    ({epoch: [poem text]}), ``status``; returns ``{"checkpoint": bytes}``.
    """
    from core.poetry.generate import generate
    from core.train.runs import Limits, global_slots

    settings = Settings(
        cell=cell,
        embed_dim=int(values["embed_dim"]),
        hidden_dim=int(values["hidden_dim"]),
        epochs=int(values["epochs"]),
        batch_size=int(values["batch_size"]),
        lr=float(values["lr"]),
        min_count=1,
        seed=seed,
    )
    Limits.from_env().check(params=0, epochs=settings.epochs, steps=0)

    def job(run) -> dict[str, Any]:
        with global_slots().hold(run) as got:
            if not got:
                return {}
            run.publish(status="training", losses=[], epochs=[], samples={}, poems=len(poems))
            losses: list[float] = []

            def on_step(info: StepInfo, model: nn.Module, vocab: Vocab) -> None:
                losses.append(info.loss)
                run.publish(losses=list(losses), step=info.step, epoch=info.epoch)

            def on_epoch(epoch: int, record: dict[str, float], model: nn.Module, vocab: Vocab) -> None:
                poems_out = generate(model, vocab, sample_form, n=LIVE_SAMPLES, seed=seed + epoch)
                snap = run.snapshot()
                samples = dict(snap.get("samples", {}))
                samples[epoch + 1] = [p.text for p in poems_out]
                run.publish(epochs=[*snap.get("epochs", []), record], samples=samples)

            # One intra-op thread on the CPU, as `core.train.worker` does for small models: on the busy 2-core
            # box two epochs of 200 poems took 32 s with two threads and 12 s with one (load average 10).
            on_cpu = device is None or torch.device(device).type == "cpu"
            with single_thread() if on_cpu else nullcontext():
                model, vocab, history = train_model(
                    poems, settings, device=device, on_step=on_step, on_epoch=on_epoch, should_stop=run.checkpoint
                )
            meta = {"settings": vars(settings), "poems": len(poems), "epoch_records": history.epochs}
            ckpt = artifacts.to_bytes(make_checkpoint(model.cpu(), vocab, meta))
            run.publish(status="stopped" if history.stopped else "done")
            return {"checkpoint": ckpt}

    return job
