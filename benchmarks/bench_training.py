"""Throughput of the live-training loop, as ratios measured in one process on the same model, data and device.

Rates are samples per second of *process CPU time* (all threads: the worker, the poller, the
DataLoader's collation), the primary figure, and of wall-clock time (best of the repeats). On a
shared machine other processes stretch wall-clock time at random, while the CPU time a loop
consumes is its own cost; on a GPU, where the CPU mostly waits, the wall-clock figures count.

1. the app's loop (recipe + fit + live snapshots, in a LiveRun worker) vs a bare PyTorch loop;
2. the app's loop vs the seeds' loop, in each of the app's batch modes (single-sample SGD, mini-batch,
   full-batch BGD): the course's idiom on the same model, data and device — TensorDataset +
   DataLoader(shuffle=True), ``torch.optim.Adam(model.parameters(), lr)`` as written (the default,
   unfused implementation) and ``loss.item()`` summed every step for the epoch's mean loss. The
   DataLoader fetches and collates one row at a time, so its cost grows with the batch while a
   small model's step barely does; the script prints the CPU milliseconds per batch of each loop
   and of the DataLoader alone, so one sees where the ratio comes from;
3. the app's loop with vs without a UI poller reading snapshots at `POLL_HZ` (the page polls at 1 Hz);
4. evaluation: the points a curve gets (`report.MIN_EVAL_POINTS` evenly spaced epochs at least) and the
   share of the run's time spent evaluating, for the page's default run (moons, 60 epochs) and this
   benchmark's tabular run (target ≤ 5 %).

What watching costs in a real browser (the page's redraws, Chromium on the same machine) is measured
by ``benchmarks/bench_training_browser.py``.

Usage: .venv/bin/python benchmarks/bench_training.py [--device cpu|cuda] [--rows 8192] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from functools import partial
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.data.task import make_task
from core.models import MODELS
from core.train import LiveRun, report
from core.train import setup as run_setup
from core.train.setup import DEFAULT_BATCH_SIZE, batch_size_for, prepare
from core.train.worker import cpu_threads, train

POLL_HZ = 4.0  # four times the page's rate (ui.live.POLL_S = 1 s), to be safe
POLL_RATES: list[float] = []  # snapshots actually read per second in the poller runs
SNAPSHOT_S: list[float] = []  # seconds the poller spent inside snapshot(), per poller run
PUBLISH_S: list[float] = []  # seconds the worker spent publishing (snapshot building + visuals), per poller run
ELAPSED_S: list[float] = []  # wall-clock seconds of each poller run
PUBLISHING = [0.0]  # running total of the current app run's publishing time


def timed_publish():
    """Wrap `Reporter.publish` so the worker's time spent publishing is summed into PUBLISH_S[-1]."""
    original = report.Reporter.publish

    def publish(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            PUBLISHING[0] += time.perf_counter() - start

    report.Reporter.publish = publish


FEATURES, EPOCHS = 20, 8
# The app's defaults: the model builder's MLP (layers × width) and the recipe's batch size.
LAYERS, WIDTH = MODELS.get("mlp").param("layers").default, MODELS.get("mlp").param("width").default
BATCH = DEFAULT_BATCH_SIZE


def tabular(rows: int, seed: int = 0):
    """A synthetic in-memory tabular classification task (rows × 20 standardized features, 2 classes)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(rows + rows // 4, FEATURES, generator=g)
    w = torch.randn(FEATURES, generator=g)
    y = (x @ w + 0.5 * torch.randn(x.shape[0], generator=g) > 0).long()
    n = rows
    return make_task("bench", "classification", x[:n].numpy(), y[:n].numpy(), x[n:].numpy(), y[n:].numpy(),
                     feature_names=[f"f{i}" for i in range(FEATURES)], class_names=["0", "1"])  # fmt: skip


def config(data, mode: str = "minibatch", batch: int | None = None, epochs: int | None = None):
    return {
        "model": MODELS.get("mlp").config(
            data.input_shape, 2, {"layers": LAYERS, "width": WIDTH, "activation": "relu"}
        ),
        "loss": {"name": "cross_entropy", "params": {}},
        "optimizer": {"name": "adam", "params": {"lr": 1e-3}},
        "scheduler": {"name": "constant", "params": {}},
        "batch_mode": mode,
        "batch_size": batch or BATCH,
        "epochs": epochs or EPOCHS,
        "seed": 0,
    }


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def app_loop(data, device, poller: bool = False, **mode) -> tuple[float, float]:
    """Samples/s of the app's job (what the page runs), optionally with a snapshot poller thread."""
    setup = prepare(config(data, **mode), data, device)
    run = LiveRun(lambda r: train(setup, r))
    done = threading.Event()
    reads = []

    def poll():
        while not done.wait(1 / POLL_HZ):
            t0 = time.perf_counter()
            reads.append(len(run.snapshot()))
            SNAPSHOT_S[-1] += time.perf_counter() - t0

    thread = threading.Thread(target=poll, daemon=True) if poller else None
    PUBLISHING[0] = 0.0
    if poller:
        SNAPSHOT_S.append(0.0)
    start, cpu = time.perf_counter(), time.process_time()
    run.start()
    if thread:
        thread.start()
    run.join()
    sync(device)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    done.set()
    if thread:
        thread.join()
    assert run.status == "done", run.error_text
    if poller:
        POLL_RATES.append(len(reads) / elapsed)
        ELAPSED_S.append(elapsed)
        PUBLISH_S.append(PUBLISHING[0])
    return run.result.history.samples / elapsed, run.result.history.samples / cpu


def bare_loop(data, device) -> tuple[float, float]:
    """The textbook loop: tensors on the device, a random permutation, slices."""
    setup = prepare(config(data), data, device)
    model, opt, loss_fn = setup.model, setup.optimizer, nn.CrossEntropyLoss()
    x, y = setup.x_train, setup.y_train
    n = x.shape[0]
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(EPOCHS):
        model.train()
        order = torch.randperm(n).to(device)
        for s in range(0, n, BATCH):
            idx = order[s : s + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
    sync(device)
    return EPOCHS * n / (time.perf_counter() - start), EPOCHS * n / (time.process_time() - cpu)


def seeds_loop(data, device, mode: str, batch: int, epochs: int) -> tuple[float, float]:
    """The seeds' loop: TensorDataset + DataLoader(shuffle=True), the default Adam, loss.item() each step."""
    setup = prepare(config(data, mode, batch, epochs), data, device)  # the same model and initial weights
    model, loss_fn = setup.model, nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=setup.batch_size, shuffle=True)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(setup.epochs):
        model.train()
        total_loss = 0.0  # the course prints total_loss / len(loader) after each epoch
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_loss += loss.item()
    sync(device)
    n = setup.epochs * data.n_train
    return n / (time.perf_counter() - start), n / (time.process_time() - cpu)


def measure(loops: dict, repeats: int) -> tuple[dict[str, float], dict[str, float]]:
    """Run every loop `repeats` times, interleaved in a rotating order so background load hits them alike.

    Returns samples/s per loop: wall clock, the best repeat (other processes only ever slow a loop
    down, as timeit takes the minimum); CPU time, the median repeat.
    """
    rates: dict[str, list[tuple[float, float]]] = {k: [] for k in loops}
    names = list(loops)
    for i in range(repeats):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            rates[name].append(loops[name]())
    wall = {k: max(r[0] for r in v) for k, v in rates.items()}
    cpu = {k: statistics.median(r[1] for r in v) for k, v in rates.items()}
    return wall, cpu


def loader_cost(data, batch: int) -> float:
    """CPU seconds the DataLoader alone spends per batch (fetching and collating rows, no training)."""
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=batch, shuffle=True)
    cpu = time.process_time()
    batches = 0
    while time.process_time() - cpu < 0.5:
        batches += sum(1 for _ in loader)
    return (time.process_time() - cpu) / batches


# The app's batch modes, each with enough epochs for a stable timing: (label, mode, batch, epochs).
SWEEP = (
    ("single-sample SGD (1)", "single", 1, 1),
    ("mini-batch 32 (default)", "minibatch", 32, 8),
    ("mini-batch 256", "minibatch", 256, 24),
    ("full batch (BGD)", "full", 0, 96),
)


def seeds_sweep(data, device, repeats: int) -> None:
    """Print app ÷ seeds' loop for every batch mode, with each loop's CPU time per batch."""
    print(f"\nthe app's loop vs the seeds' DataLoader loop ({repeats} repeats; CPU time median, wall clock best):")
    print(f"{'batch mode':>24}  {'app ÷ seeds (CPU)':>17}  {'(wall)':>6}  {'CPU ms per batch: app':>21}  "
          f"{'seeds':>6}  {'DataLoader alone':>16}")  # fmt: skip
    for label, mode, batch, epochs in SWEEP:
        wall, cpu = measure(
            {
                "app": partial(app_loop, data, device, mode=mode, batch=batch, epochs=epochs),
                "seeds": partial(seeds_loop, data, device, mode, batch, epochs),
            },
            repeats,
        )
        rows = batch_size_for(mode, batch, data.n_train)
        print(f"{label:>24}  {cpu['app'] / cpu['seeds']:17.2f}  {wall['app'] / wall['seeds']:6.2f}  "
              f"{1e3 * rows / cpu['app']:21.3f}  {1e3 * rows / cpu['seeds']:6.3f}  "
              f"{1e3 * loader_cost(data, rows):16.3f}")  # fmt: skip
    print("target: app ÷ seeds ≥ 3")


def snapshot_cost(device) -> tuple[float, int]:
    """Milliseconds one UI `snapshot()` takes for a 2-D run (decision boundary included) after 6,000 steps."""
    from core.data import DATASETS

    data = DATASETS.get("moons").load(0)
    cfg = {**config(data), "batch_mode": "single", "epochs": 20}
    cfg["model"] = MODELS.get("mlp").config(data.input_shape, 2, {})
    setup = prepare(cfg, data, device)
    run = LiveRun(lambda r: train(setup, r)).start()
    run.join()
    start = time.perf_counter()
    for _ in range(100):
        run.snapshot()
    return (time.perf_counter() - start) * 10, run.result.history.steps


def eval_share(data, device, cfg) -> tuple[int, int, float]:
    """(evaluated epochs, epochs, share of the run's wall-clock time spent in `Setup.measure`) of one run."""
    spent = [0.0]
    original = run_setup.Setup.measure

    def measure(self, model):
        start = time.perf_counter()
        try:
            return original(self, model)
        finally:
            spent[0] += time.perf_counter() - start

    run_setup.Setup.measure = measure
    try:
        setup = prepare(cfg, data, device)
        run = LiveRun(lambda r: train(setup, r)).start()
        run.join()
    finally:
        run_setup.Setup.measure = original
    history = run.result.history
    points = sum("test_eval_loss" in r for r in history.epochs)
    return points, len(history.epochs), spent[0] / history.seconds


def eval_report(data, device, repeats: int) -> None:
    """Points per curve and evaluation share for the page's default run and the tabular run (median of repeats)."""
    from core.data import DATASETS

    moons = DATASETS.get("moons").load(0)
    page_cfg = {
        **config(moons, epochs=run_setup.DEFAULT_EPOCHS),
        "model": MODELS.get("mlp").config(moons.input_shape, 2, {}),
    }
    print(f"\nevaluation (train slice + test set after an epoch; {repeats} repeats, median share):")
    for label, d, cfg in (("moons, 60 epochs of 10 steps (page default)", moons, page_cfg),
                          (f"tabular, {EPOCHS} epochs", data, config(data))):  # fmt: skip
        runs = [eval_share(d, device, cfg) for _ in range(repeats)]
        points, epochs = runs[0][0], runs[0][1]
        share = statistics.median(r[2] for r in runs)
        print(f"  {label}: {points} evaluated points of {epochs} epochs; evaluating = {100 * share:.1f} % of the run "
              f"(target ≤ 5 %)")  # fmt: skip


def main() -> None:
    global BATCH, WIDTH
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--rows", type=int, default=8192)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--width", type=int, default=WIDTH)
    parser.add_argument("--skip-sweep", action="store_true", help="leave out the seeds' DataLoader loop sweep")
    args = parser.parse_args()
    BATCH, WIDTH = args.batch, args.width
    device = torch.device(args.device)
    data = tabular(args.rows)
    threads = cpu_threads(prepare(config(data), data, device))
    if threads is not None:
        torch.set_num_threads(threads)  # the app's setting for small CPU runs, used by every loop here
    print(f"device={device.type} threads={torch.get_num_threads()} rows={data.n_train} features={FEATURES} "
          f"model=MLP {LAYERS}x{WIDTH} batch={BATCH} epochs={EPOCHS} repeats={args.repeats}")  # fmt: skip
    loops = {
        "bare": lambda: bare_loop(data, device),
        "app": lambda: app_loop(data, device),
        "app+poller": lambda: app_loop(data, device, poller=True),
    }
    timed_publish()
    loops["bare"]()  # warm-up (allocator, kernels)
    wall, cpu = measure(loops, args.repeats)
    print(f"{'loop':>12}  {'samples/CPU-s':>14}  {'samples/s wall (best)':>22}")
    for name in loops:
        print(f"{name:>12}  {cpu[name]:14,.0f}  {wall[name]:22,.0f}")
    for title, r in (("CPU time", cpu), ("wall clock", wall)):
        print(
            f"[{title}] app / bare loop = {r['app'] / r['bare']:.3f} (target ≥ 0.95);  "
            f"app with poller / app = {r['app+poller'] / r['app']:.3f} (target ≥ 0.95)"
        )
    print(f"poller read {min(POLL_RATES):.1f}–{max(POLL_RATES):.1f} snapshots/s (target ≥ 2 Hz)")
    ui_share = max((a + b) / e for a, b, e in zip(SNAPSHOT_S, PUBLISH_S, ELAPSED_S, strict=True))
    print(
        f"UI cost measured directly: worker publishing + poller copying = {100 * ui_share:.2f} % of the run's "
        f"wall-clock time at most (target ≤ 5 %)"
    )
    eval_report(data, device, args.repeats)
    ms, steps = snapshot_cost(device)
    print(f"one snapshot() of a 2-D run after {steps:,} steps: {ms:.2f} ms  (at 1 Hz: {ms / 10:.2f} % of a core)")
    if not args.skip_sweep:
        seeds_sweep(data, device, max(1, args.repeats // 2 * 2 - 1))


if __name__ == "__main__":
    main()
