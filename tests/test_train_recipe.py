"""Recipes from plain configs: seeded runs that learn, losses matched to tasks, batch modes, caps, live jobs."""

import threading
import time

import pytest
import torch

from core.data import DATASETS
from core.errors import UserError
from core.models import MODELS
from core.train import LiveRun
from core.train.report import thin
from core.train.runs import Limits, RunSlots
from core.train.setup import batch_size_for, loss_tasks, matching_losses, prepare
from core.train.worker import train

CPU = torch.device("cpu")


def config(data, *, loss="cross_entropy", optimizer="adam", lr=0.01, scheduler="constant", mode="minibatch",
           batch=32, epochs=60, seed=0, width=16, activation="tanh", **model):  # fmt: skip
    return {
        "model": MODELS.get("mlp").config(
            data.input_shape, 1, {"layers": 2, "width": width, "activation": activation, **model}
        ),
        "loss": {"name": loss, "params": {}},
        "optimizer": {"name": optimizer, "params": {"lr": lr}},
        "scheduler": {"name": scheduler, "params": {}},
        "batch_mode": mode,
        "batch_size": batch,
        "epochs": epochs,
        "seed": seed,
    }


def run_to_end(setup, slots=None):
    run = LiveRun(lambda r: train(setup, r, slots)).start()
    run.join(120)
    assert not run.running
    return run


@pytest.mark.parametrize("name", ["moons", "xor"])
def test_seeded_runs_reach_95_percent_test_accuracy(name):
    data = DATASETS.get(name).load(0)
    run = run_to_end(prepare(config(data), data, CPU))
    assert run.status == "done", run.error_text
    last = run.result.history.epochs[-1]
    assert last["test_accuracy"] >= 0.95, last
    snap = run.snapshot()
    assert snap["progress"] == 1.0 and snap["step"] == snap["total_steps"] == 60 * 10
    assert snap["eta_s"] == 0.0 and snap["samples_per_s"] > 0
    assert len(snap["boundary"]["label"]) == len(snap["boundary"]["y"])  # a 2-D task draws its boundary
    assert len(snap["epochs"]) == 60


def test_same_seed_same_run_different_seed_different_run():
    data = DATASETS.get("moons").load(0, n_samples=100)
    a = run_to_end(prepare(config(data, epochs=3), data, CPU)).result.history.step_loss
    b = run_to_end(prepare(config(data, epochs=3), data, CPU)).result.history.step_loss
    c = run_to_end(prepare(config(data, epochs=3, seed=1), data, CPU)).result.history.step_loss
    assert a == b
    assert a != c


def test_loss_choices_follow_the_task():
    moons = DATASETS.get("moons").load(0, n_samples=100)
    sine = DATASETS.get("sine").load(0)
    spirals = DATASETS.get("spirals").load(0, arms=3)
    assert loss_tasks(moons) == ("binary", "multiclass")
    assert loss_tasks(sine) == ("regression",)
    assert loss_tasks(spirals) == ("multiclass",)
    assert "mse" in matching_losses(sine) and "cross_entropy" not in matching_losses(sine)
    assert {"bce_logits", "cross_entropy"} <= set(matching_losses(moons))
    assert "bce" not in matching_losses(spirals)
    with pytest.raises(UserError) as info:
        prepare(config(sine, loss="cross_entropy"), sine, CPU)
    assert info.value.key == "training.errors.loss_task"


@pytest.mark.parametrize("loss", ["bce_logits", "bce", "hinge"])
def test_binary_losses_train_a_single_logit(loss):
    data = DATASETS.get("moons").load(0, n_samples=100)
    setup = prepare(config(data, loss=loss, epochs=2), data, CPU)
    assert setup.model(setup.x_train[:3]).shape == (3, 1)
    assert setup.y_train.shape == (data.n_train, 1) and setup.y_train.dtype == torch.float32
    run = run_to_end(setup)
    assert run.status == "done", run.error_text
    assert 0 <= run.result.history.epochs[-1]["test_accuracy"] <= 1


def test_regression_on_sine_draws_the_fitted_curve():
    data = DATASETS.get("sine").load(0)
    run = run_to_end(prepare(config(data, loss="mse", epochs=100, lr=0.02), data, CPU))
    assert run.status == "done", run.error_text
    snap = run.snapshot()
    assert snap["metric"] == "r2"
    assert snap["epochs"][-1]["test_r2"] > 0.8
    assert len(snap["curve"]["x"]) == len(snap["curve"]["y"]) == 200


def test_many_input_classification_has_a_confusion_matrix():
    data = DATASETS.get("sum3").load(0, n_samples=300)
    run = run_to_end(prepare(config(data, epochs=2), data, CPU))
    snap = run.snapshot()
    confusion = snap["confusion"]
    assert len(confusion) == 3 and sum(map(sum, confusion)) == data.n_test
    assert "boundary" not in snap


@pytest.mark.parametrize(("mode", "size", "expected"), [("full", 7, 90), ("single", 7, 1), ("minibatch", 7, 7),
                                                        ("minibatch", 500, 90)])  # fmt: skip
def test_batch_modes(mode, size, expected):
    assert batch_size_for(mode, size, 90) == expected


def test_bad_batch_settings_are_user_errors():
    with pytest.raises(UserError):
        batch_size_for("huge", 7, 90)
    with pytest.raises(UserError):
        batch_size_for("minibatch", 0, 90)


def test_full_batch_takes_one_step_an_epoch():
    data = DATASETS.get("moons").load(0, n_samples=100)
    setup = prepare(config(data, mode="full", epochs=5), data, CPU)
    assert setup.steps_per_epoch == 1 and setup.total_steps == 5
    assert run_to_end(setup).result.history.steps == 5


def test_caps_refuse_oversized_runs():
    data = DATASETS.get("moons").load(0, n_samples=100)
    with pytest.raises(UserError) as info:
        prepare(config(data, epochs=11), data, CPU, Limits(epochs=10))
    assert info.value.key == "training.errors.cap_epochs"
    with pytest.raises(UserError) as info:
        prepare(config(data, width=64), data, CPU, Limits(params=1000))
    assert info.value.key == "training.errors.cap_params"
    with pytest.raises(UserError) as info:
        prepare(config(data, mode="single", epochs=20), data, CPU, Limits(steps=1000))
    assert info.value.key == "training.errors.cap_steps"
    with pytest.raises(UserError):
        prepare(config(data, epochs=0), data, CPU)


def test_unknown_names_and_bad_values_are_user_errors():
    data = DATASETS.get("moons").load(0, n_samples=100)
    for bad in ({"optimizer": {"name": "adamm", "params": {}}}, {"loss": {"name": "nope", "params": {}}},
                {"optimizer": {"name": "adam", "params": {"lr": -1}}}):  # fmt: skip
        with pytest.raises(UserError):
            prepare({**config(data), **bad}, data, CPU)


def test_a_huge_learning_rate_is_reported_as_diverged_with_advice():
    data = DATASETS.get("sine").load(0)
    run = run_to_end(prepare(config(data, loss="mse", optimizer="sgd", lr=10.0, activation="relu"), data, CPU))
    assert run.status == "diverged"
    snap = run.snapshot()
    assert snap["advice"] == "lower_lr" and snap["diverged_at"] >= 1


def test_the_lr_curve_follows_the_scheduler():
    data = DATASETS.get("moons").load(0, n_samples=100)
    run = run_to_end(prepare(config(data, scheduler="cosine", epochs=4), data, CPU))
    lr = run.result.history.lr
    assert lr[0] == pytest.approx(0.01) and lr[-1] < lr[0] / 10
    assert all(b <= a + 1e-12 for a, b in zip(lr, lr[1:], strict=False))


def test_stopping_a_recipe_run_keeps_the_partial_history_and_weights():
    data = DATASETS.get("moons").load(0)
    setup = prepare(config(data, mode="single", epochs=50), data, CPU)
    reached, go_on = threading.Event(), threading.Event()
    loss_fn, calls = setup.loss_fn, []

    def held_at_step_20(output, labels):  # the worker waits in its 21st step until the test has asked it to stop
        calls.append(1)
        if len(calls) == 21:
            reached.set()
            go_on.wait(60)
        return loss_fn(output, labels)

    setup.loss_fn = held_at_step_20
    run = LiveRun(lambda r: train(setup, r)).start()
    assert reached.wait(60)
    run.stop()  # however fast the machine, the run is at step 20 now: the stop takes effect after step 21
    go_on.set()
    run.join(60)
    result = run.result
    assert result.status == "stopped" and run.status == "stopped"
    assert 20 <= result.history.steps < setup.total_steps
    assert set(result.state_dict) == set(setup.model.state_dict())


def test_two_sessions_train_at_once_and_a_third_waits_in_the_queue():
    data = DATASETS.get("moons").load(0, n_samples=100)
    slots = RunSlots(2)
    gate = threading.Event()
    holders = [slots.ticket(), slots.ticket()]
    for t in holders:  # two other sessions hold the slots
        assert slots.acquire(t)
    setup = prepare(config(data, epochs=2), data, CPU)
    run = LiveRun(lambda r: train(setup, r, slots)).start()
    deadline = time.monotonic() + 20
    while run.get("queue_position") != 1:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert run.status == "queued" and run.get("step") == 0
    slots.release(holders[0])
    gate.set()
    run.join(60)
    assert run.status == "done"
    slots.release(holders[1])
    both = [prepare(config(data, epochs=3, seed=s), data, CPU) for s in (0, 1)]
    runs = [LiveRun(lambda r, s=s: train(s, r, slots)).start() for s in both]
    for r in runs:
        r.join(60)
    assert [r.status for r in runs] == ["done", "done"]
    assert slots.running == 0


def test_thin_keeps_the_ends():
    steps, values = thin(list(range(10_000)), points=100)
    assert steps[0] == 1 and steps[-1] == 10_000 and values[-1] == 9_999
    assert len(steps) <= 102
    assert thin([]) == ([], [])


def test_out_of_memory_is_reported_not_raised():
    data = DATASETS.get("moons").load(0, n_samples=100)
    setup = prepare(config(data, epochs=2), data, CPU)
    calls = []

    def exhausted(output, labels):
        calls.append(1)
        if len(calls) > 2:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return torch.nn.functional.cross_entropy(output, labels)

    setup.loss_fn = exhausted
    run = run_to_end(setup)
    assert run.status == "failed" and run.error is None  # reported in the snapshot, not raised
    assert run.snapshot()["error"] == "oom"
    assert run.result.error == "oom" and run.result.history.steps == 2


@pytest.mark.parametrize(("every", "evaluated"), [(0.0, 20), (1e9, 2)])
def test_short_epochs_are_evaluated_at_a_bounded_rate(monkeypatch, every, evaluated):
    from core.train import report

    monkeypatch.setattr(report, "EVAL_EVERY_S", every)
    monkeypatch.setattr(report, "MIN_EVAL_POINTS", 0)  # the time throttle alone (the points floor: tests below)
    data = DATASETS.get("moons").load(0, n_samples=100)
    run = run_to_end(prepare(config(data, mode="full", epochs=20), data, CPU))
    epochs = run.result.history.epochs
    assert len(epochs) == 20
    assert sum("test_accuracy" in r for r in epochs) == evaluated
    assert "test_accuracy" in epochs[0] and "test_accuracy" in epochs[-1]


def test_a_small_cpu_run_uses_one_thread_and_gives_the_count_back():
    data = DATASETS.get("moons").load(0)
    setup = prepare(config(data, epochs=1), data, CPU)
    seen = []
    setup.model.register_forward_hook(lambda *_: seen.append(torch.get_num_threads()))
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert run_to_end(setup).status == "done"
        assert seen and set(seen) == {1}  # tiny model: thread hand-offs would cost more than the arithmetic
        assert torch.get_num_threads() == 2  # the rest of the server gets its threads back
    finally:
        torch.set_num_threads(before)


def test_a_short_run_still_draws_a_curve_of_about_32_points(monkeypatch):
    from core.train import report

    monkeypatch.setattr(report, "EVAL_EVERY_S", 1e9)  # as if every epoch were instantaneous: only the points floor
    data = DATASETS.get("moons").load(0)
    run = run_to_end(prepare(config(data, epochs=60), data, CPU))
    evaluated = [r["epoch"] for r in run.result.history.epochs if "test_accuracy" in r]
    assert 30 <= len(evaluated) <= report.MIN_EVAL_POINTS + 1  # was 2 (first and last) on a fast machine
    assert evaluated[0] == 1 and evaluated[-1] == 60
    assert max(b - a for a, b in zip(evaluated, evaluated[1:], strict=False)) <= 2  # evenly spaced


@pytest.mark.parametrize("epochs", [1, 5, 31, 32, 60, 61, 500, 10_000])
def test_the_evaluated_epochs_are_evenly_spaced_and_bounded(epochs):
    from core.train import report

    data = DATASETS.get("moons").load(0, n_samples=100)
    setup = prepare(config(data, mode="full", epochs=epochs), data, CPU, Limits(epochs=10_000))
    due = [e for e in range(1, epochs + 1) if report.Evaluator(setup).due(e)]
    assert due[0] == 1 and due[-1] == epochs
    assert len(due) == epochs if epochs <= report.MIN_EVAL_POINTS else 30 <= len(due) <= report.MIN_EVAL_POINTS + 1


@pytest.mark.parametrize(("loss", "reason"), [("bce", "exploded"), ("hinge", "collapsed")])
def test_a_finite_loss_that_explodes_or_an_accuracy_back_at_chance_is_diverged(loss, reason):
    data = DATASETS.get("moons").load(0)  # SGD at lr 10: BCE saturates at 50 (never NaN), hinge ends at chance
    run = run_to_end(prepare(config(data, loss=loss, optimizer="sgd", lr=10.0, activation="relu"), data, CPU))
    assert run.status == "diverged" and run.result.status == "diverged"
    snap = run.snapshot()
    assert snap["advice"] == "lower_lr"  # the same advice as a NaN loss on a regression task
    assert snap["divergence"]["reason"] == reason and snap["diverged_at"] is None


@pytest.mark.parametrize("lr", [0.01, 1e-5])
def test_a_run_that_learned_or_never_moved_is_not_diverged(lr):
    data = DATASETS.get("moons").load(0)  # 1e-5: still at its initial accuracy, a smaller rate would not help
    run = run_to_end(prepare(config(data, loss="bce", optimizer="sgd" if lr < 1e-3 else "adam", lr=lr,
                                    activation="relu"), data, CPU))  # fmt: skip
    assert run.status == "done" and run.snapshot()["divergence"] is None


def test_divergence_rules_on_recorded_metrics():
    from core.train.worker import divergence

    data = DATASETS.get("moons").load(0, n_samples=100)
    setup = prepare(config(data, epochs=2), data, CPU)
    start = {"train_eval_loss": 0.7, "train_accuracy": 0.5}

    def rec(loss, acc):
        return {"epoch": 1.0, "train_eval_loss": loss, "train_accuracy": acc}

    assert divergence(start, [rec(0.2, 0.95)], setup) is None
    assert divergence(start, [rec(7.1, 0.5)], setup)["reason"] == "exploded"
    assert divergence(start, [rec(0.3, 0.9), rec(0.69, 0.52)], setup)["reason"] == "collapsed"  # learned, fell back
    assert divergence(start, [rec(0.69, 0.5), rec(0.68, 0.51)], setup) is None  # never learned, loss not worse
    assert divergence(start, [rec(0.9, 0.51)], setup)["reason"] == "collapsed"  # at chance while the loss grew
    assert divergence(start, [{"epoch": 1.0, "train_loss": 0.1}], setup) is None  # nothing evaluated


@pytest.mark.parametrize(("field", "value", "key"), [("epochs", 0, "training.errors.epochs"),
                                                     ("epochs", 501, "training.errors.cap_epochs"),
                                                     ("batch_size", 0, "training.errors.batch_size"),
                                                     ("batch_size", 100_000, "training.errors.batch_size")])  # fmt: skip
def test_out_of_range_epochs_and_batch_sizes_are_refused_not_replaced(field, value, key):
    data = DATASETS.get("moons").load(0, n_samples=100)
    with pytest.raises(UserError) as info:
        prepare({**config(data), field: value}, data, CPU, Limits(epochs=500))
    assert info.value.key == key and info.value.params["value"] == value
