"""A live run's worker: waits for a slot, picks its CPU threads, fits, and ends done, stopped, diverged or failed.

`job(setup, slots)` is what a `LiveRun` runs in its thread; `divergence` judges a run whose
losses stayed finite but exploded or collapsed to chance.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import torch

from core.models import count_params
from core.threads import single_thread
from core.train.live import LiveRun
from core.train.loop import History, fit
from core.train.report import Evaluator, Reporter
from core.train.runs import RunSlots
from core.train.setup import Setup

ADVICE_NAN = "lower_lr"  # i18n: training.advice.lower_lr (every kind of divergence gets it)
# A finite loss can still explode (BCE on saturated logits grows without bound instead of turning NaN):
# a final training loss this many times the untrained model's counts as diverged, as does an accuracy
# (or R²) that fell back to chance after the model had been clearly better, or while its loss grew.
EXPLODED_FACTOR = 10.0
CHANCE_MARGIN = 0.05  # "at chance": within this of the majority-class share (accuracy) or of 0 (R²)
LEARNED_MARGIN = 0.10  # "had learned": at least this much above chance at some evaluation
# A small model's ops take microseconds: extra intra-op threads only add synchronisation, and on a
# busy 2-core server they made a 16-unit MLP ~35× slower (measured). So small CPU runs use one thread.
SMALL_MODEL_PARAMS = 200_000


@dataclass
class RunResult:
    """What a finished (or stopped, or diverged) run leaves: its history and final weights on the CPU."""

    history: History
    state_dict: dict[str, torch.Tensor]
    config: dict[str, Any]
    status: str  # done | stopped | diverged | failed
    error: str = ""  # i18n key suffix under training.errors (e.g. "oom"), empty when none


def train(setup: Setup, run: LiveRun, slots: RunSlots | None = None) -> RunResult:
    """Train `setup` inside a LiveRun's worker: wait for a slot, fit with live snapshots, return the result.

    NaN/inf losses end the run as 'diverged' (with advice), and so does a finite loss that
    exploded or a metric that collapsed to chance (`divergence`, the same advice); a GPU
    out-of-memory error ends it as 'failed' with error 'oom'. None is raised into the UI.
    """
    history = History()
    run.publish(status="queued", queue_position=None, metric=setup.metric, total_steps=setup.total_steps,
                epochs_total=setup.epochs, step=0, progress=0.0)  # fmt: skip
    if slots is not None:
        with slots.hold(run) as got:
            if not got:
                run.publish(status="stopped")
                return _result(setup, history, "stopped")
            return _fit(setup, run, history)
    return _fit(setup, run, history)


def cpu_threads(setup: Setup) -> int | None:
    """Intra-op threads for this run: 1 for a small model on the CPU, else None (leave torch's setting)."""
    if setup.device.type == "cpu" and count_params(setup.model) <= SMALL_MODEL_PARAMS:
        return 1
    return None


def _fit(setup: Setup, run: LiveRun, history: History) -> RunResult:
    run.publish(status="running", queue_position=0)
    # Small CPU runs use one intra-op thread (process-wide in torch; restored when the last such run ends).
    with single_thread() if cpu_threads(setup) == 1 else nullcontext():
        return _fit_with(setup, run, history)


def _fit_with(setup: Setup, run: LiveRun, history: History) -> RunResult:
    reporter = Reporter(setup, run, history)
    # A run started paused (a reset) parks here, at step 0, until a step or a resume.
    if reporter.should_stop(stepped=False):
        history.stopped = True
    try:
        fit(
            setup.model,
            setup.loss_fn,
            setup.optimizer,
            setup.batches,
            epochs=setup.epochs,
            scheduler=setup.scheduler,
            scheduler_per_step=True,
            evaluate=Evaluator(setup),
            on_step=reporter.on_step,
            on_epoch=reporter.on_epoch,
            should_stop=reporter.should_stop,
            history=history,
            penalty=setup.penalty,
            after_backward=reporter.grads,
        ) if not history.stopped else None  # fmt: skip
    except torch.OutOfMemoryError:
        if setup.device.type == "cuda":
            torch.cuda.empty_cache()
        reporter.publish(final=False, status="failed", error="oom")
        return _result(setup, history, "failed", "oom")
    last = history.epochs[-1] if history.epochs else None
    if last is not None and "test_eval_loss" not in last and history.diverged_at is None and setup.x_test.shape[0]:
        was_training = setup.model.training
        setup.model.eval()
        with torch.no_grad():
            last.update(setup.measure(setup.model))  # a stopped run's last record gets its metrics too
        setup.model.train(was_training)
    verdict = None if history.diverged_at is not None else divergence(untrained(setup), history.epochs, setup)
    if history.diverged_at is not None or verdict is not None:
        status = "diverged"
    elif history.stopped:
        status = "early_stopped" if reporter.early else "stopped"
    else:
        status = "done"
    reporter.publish(final=history.diverged_at is None, status=status, diverged_at=history.diverged_at,
                     divergence=verdict, advice=ADVICE_NAN if status == "diverged" else None)  # fmt: skip
    return _result(setup, history, status)


def untrained(setup: Setup) -> dict[str, float]:
    """`measure` of the model as it was before its first step (`initial_state`): the yardstick of `divergence`.

    Rebuilt after the run from the saved initial weights, so the run itself is not touched.
    """
    from core.models import build_model

    if not setup.initial_state:
        return {}
    with torch.random.fork_rng(devices=[]):  # building draws an init we overwrite: leave the global RNG as it was
        model = build_model(setup.config["model"])
    model.load_state_dict(setup.initial_state)
    model = model.to(setup.device).eval()
    with torch.no_grad():
        return setup.measure(model)


def chance_level(setup: Setup) -> float:
    """The metric of a model that ignores its input: the majority class's share (accuracy), or 0 (R²)."""
    if setup.metric != "accuracy":
        return 0.0
    counts = torch.bincount(setup.data.y_train.reshape(-1).long().cpu())
    return float(counts.max()) / max(int(counts.sum()), 1)


def divergence(initial: dict[str, float], epochs: list[dict[str, float]], setup: Setup) -> dict[str, Any] | None:
    """Why a run whose losses stayed finite still diverged, or None when it did not.

    'exploded': the last evaluated training loss is over `EXPLODED_FACTOR` × the untrained
    model's. 'collapsed': the training metric ended at chance level (`chance_level` +
    `CHANCE_MARGIN`) although it had been `LEARNED_MARGIN` above chance, or while the loss
    rose above the untrained one. A model that never learned (too small a rate, too few
    epochs) is not diverged: lowering the rate would not help it.
    """
    done = [r for r in epochs if "train_eval_loss" in r]
    if not done or "train_eval_loss" not in initial:
        return None
    start, end = initial["train_eval_loss"], done[-1]["train_eval_loss"]
    if end > EXPLODED_FACTOR * max(start, 1e-12):
        return {"reason": "exploded", "start": start, "end": end, "factor": EXPLODED_FACTOR}
    key = f"train_{setup.metric}"
    chance, last = chance_level(setup), done[-1].get(key)
    if last is None or last > chance + CHANCE_MARGIN:
        return None
    best = max([r[key] for r in done if key in r] + [initial.get(key, -math.inf)])
    if best >= chance + LEARNED_MARGIN or end > start:
        return {"reason": "collapsed", "metric": setup.metric, "value": last, "best": best, "chance": chance}
    return None


def _result(setup: Setup, history: History, status: str, error: str = "") -> RunResult:
    state = {k: v.detach().cpu().clone() for k, v in setup.model.state_dict().items()}
    return RunResult(history, state, dict(setup.config), status, error)


def job(setup: Setup, slots: RunSlots | None = None) -> Callable[[LiveRun], RunResult]:
    """The function a LiveRun runs: ``LiveRun(job(setup, global_slots())).start()``."""
    return lambda run: train(setup, run, slots)
