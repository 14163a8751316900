"""LiveRun's pause: 'pausing' until the worker is parked, then 'paused' with a counter that no longer moves."""

import threading
import time

import torch

from core.data import DATASETS
from core.models import MODELS
from core.train import LiveRun
from core.train import live as live_module
from core.train.runs import RunBook
from core.train.setup import prepare
from core.train.worker import train


def wait_for(cond, timeout=60.0):
    """Wait for a state (generous timeout: a busy machine is slow, never wrong)."""
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_pause_reads_pausing_until_the_worker_is_parked_then_paused():
    in_step, finish_step = threading.Event(), threading.Event()
    steps = []

    def job(run: LiveRun):
        while True:
            if len(steps) == 3:  # the 4th step is held until the test lets it finish
                in_step.set()
                finish_step.wait(60)
            steps.append(1)
            run.publish(step=len(steps))
            if run.checkpoint(on_park=lambda: run.publish(step=len(steps), parked_at=len(steps))):
                return "stopped"

    run = LiveRun(job).start()
    assert in_step.wait(60)
    run.pause()
    assert run.paused and not run.parked
    assert run.status == "pausing"  # the worker is still inside its step: it has not stopped stepping
    finish_step.set()
    wait_for(lambda: run.parked)
    assert run.status == "paused"
    stopped_at = run.get("step")
    assert stopped_at == len(steps) == 4 and run.get("parked_at") == 4  # published on parking: the true count
    time.sleep(0.2)
    assert run.get("step") == len(steps) == stopped_at  # parked: no step is taken
    run.resume()
    wait_for(lambda: len(steps) > stopped_at)
    assert run.status == "running" and not run.parked
    run.stop()
    run.join(60)
    assert run.result == "stopped" and run.status == "stopped"


def test_a_paused_training_run_publishes_its_last_step_and_takes_no_more():
    data = DATASETS.get("moons").load(0)
    config = {
        "model": MODELS.get("mlp").config(data.input_shape, 2, {}),
        "loss": {"name": "cross_entropy", "params": {}},
        "optimizer": {"name": "adam", "params": {"lr": 0.01}},
        "scheduler": {"name": "constant", "params": {}},
        "batch_mode": "single",
        "epochs": 50,
        "seed": 0,
    }
    setup = prepare(config, data, torch.device("cpu"))
    taken = []
    setup.model.register_forward_hook(lambda *_: taken.append(1) if setup.model.training else None)
    run = LiveRun(lambda r: train(setup, r)).start()
    wait_for(lambda: (run.get("step") or 0) > 0)
    run.pause()
    wait_for(lambda: run.parked)
    assert run.status == "paused"
    at = run.get("step")
    assert at == len(taken) > 0  # the counter the page shows is the step the worker stopped at
    time.sleep(0.3)
    assert run.get("step") == len(taken) == at
    run.stop()
    run.join(60)
    assert run.status == "stopped" and run.result.history.steps == at < setup.total_steps


def rests_of(monkeypatch, give_way, steps: int = 5) -> list[float]:
    """The rests (seconds) a LiveRun's worker takes over `steps` checkpoints with this `give_way` check."""
    rests: list[float] = []
    monkeypatch.setattr(live_module, "rest", rests.append)  # recorded, not slept
    run = LiveRun(lambda r: [r.checkpoint() for _ in range(steps)], give_way=give_way).start()
    run.join(60)
    assert not run.running and run.error is None
    return rests


def test_a_worker_rests_after_each_step_while_another_page_is_drawn_and_not_otherwise(monkeypatch):
    busy = rests_of(monkeypatch, lambda: True)
    assert len(busy) == 5  # once per checkpoint
    assert all(0 <= rest <= live_module.GIVE_WAY_MAX_S for rest in busy)
    assert rests_of(monkeypatch, lambda: False) == []
    assert rests_of(monkeypatch, None) == []


def test_a_run_book_hands_its_give_way_check_to_every_run():
    asked = []
    book = RunBook(give_way=lambda: asked.append(1) or False)
    record = book.start("job", {}, lambda r: [r.checkpoint() for _ in range(3)])
    record.live.join(60)
    assert len(asked) == 3


def test_only_another_sessions_script_thread_counts_as_a_page_being_drawn():
    from streamlit.runtime.scriptrunner_utils.script_run_context import SCRIPT_RUN_CONTEXT_ATTR_NAME

    from ui.live import SCRIPT_THREAD, others_drawing

    release = threading.Event()

    def script(session_id: str, name: str = SCRIPT_THREAD) -> threading.Thread:
        thread = threading.Thread(target=release.wait, name=name, daemon=True)
        setattr(thread, SCRIPT_RUN_CONTEXT_ATTR_NAME, type("Ctx", (), {"session_id": session_id})())
        thread.start()
        return thread

    check = others_drawing("mine")
    assert not check()
    threads = [script("mine"), script("other", name="some-worker")]  # my own page; not a script thread
    assert not check()
    threads.append(script("other"))
    assert check()
    release.set()
    for thread in threads:
        thread.join(10)
    assert not check()
