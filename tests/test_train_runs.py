"""Hosted-demo safety: caps from the environment, the global FIFO run queue, a session's run book."""

import threading
import time

import pytest

from core.errors import UserError
from core.train import LiveRun
from core.train.runs import Limits, RunBook, RunSlots


def wait_for(cond, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def slot_job(slots: RunSlots, release: threading.Event, log: list):
    """A job that queues for a slot, then trains until `release` is set (or it is stopped)."""

    def job(run: LiveRun):
        with slots.hold(run) as got:
            if not got:
                run.publish(status="stopped")
                return "cancelled"
            run.publish(status="running")
            log.append(run.name)
            while not release.wait(0.01):
                if run.checkpoint():
                    run.publish(status="stopped")
                    return "stopped"
            run.publish(status="done")
            return "done"

    return job


def test_two_runs_train_at_once_and_the_third_waits_with_its_position():
    slots = RunSlots(2)
    release = threading.Event()
    log: list[str] = []
    runs = [LiveRun(slot_job(slots, release, log), name=f"r{i}") for i in range(4)]
    for r in runs[:2]:
        r.start()
    wait_for(lambda: slots.running == 2)
    runs[2].start()
    wait_for(lambda: runs[2].get("queue_position") == 1)
    runs[3].start()
    wait_for(lambda: runs[3].get("queue_position") == 2)
    assert runs[2].status == "queued" and runs[3].status == "queued"
    assert [r.get("status") for r in runs[:2]] == ["running", "running"]
    assert slots.queued == 2
    release.set()
    for r in runs:
        r.join(20)
    assert [r.result for r in runs] == ["done"] * 4
    assert log[2:] == ["r2", "r3"]  # first in, first out
    assert slots.running == 0 and slots.queued == 0


def test_the_queue_moves_up_when_a_holder_finishes():
    slots = RunSlots(1)
    first, second = threading.Event(), threading.Event()
    log: list[str] = []
    a = LiveRun(slot_job(slots, first, log), name="a").start()
    wait_for(lambda: slots.running == 1)
    b = LiveRun(slot_job(slots, second, log), name="b").start()
    c = LiveRun(slot_job(slots, second, log), name="c").start()
    wait_for(lambda: c.get("queue_position") == 2)
    first.set()
    a.join(10)
    wait_for(lambda: c.get("queue_position") == 1)
    wait_for(lambda: b.get("status") == "running")
    second.set()
    b.join(10)
    c.join(10)
    assert log == ["a", "b", "c"]


def test_stopping_a_queued_run_leaves_the_queue():
    slots = RunSlots(1)
    release = threading.Event()
    log: list[str] = []
    a = LiveRun(slot_job(slots, release, log), name="a").start()
    wait_for(lambda: slots.running == 1)
    b = LiveRun(slot_job(slots, release, log), name="b").start()
    wait_for(lambda: b.get("queue_position") == 1)
    b.stop()
    b.join(10)
    assert b.result == "cancelled" and b.status == "stopped"
    assert slots.queued == 0
    release.set()
    a.join(10)
    assert log == ["a"]


def test_position_of_unknown_ticket_is_none():
    slots = RunSlots(1)
    t = slots.ticket()
    assert slots.position(t) is None
    assert slots.acquire(t)
    assert slots.position(t) == 0
    slots.release(t)
    assert slots.position(t) is None
    with pytest.raises(ValueError):
        RunSlots(0)


def test_limits_read_the_environment(monkeypatch):
    monkeypatch.setenv("DLP_MAX_EPOCHS", "7")
    monkeypatch.setenv("DLP_MAX_CONCURRENT_RUNS", "3")
    limits = Limits.from_env()
    assert limits.epochs == 7 and limits.concurrent == 3
    assert limits.params == Limits().params
    monkeypatch.setenv("DLP_MAX_PARAMS", "many")
    with pytest.raises(ValueError, match="DLP_MAX_PARAMS"):
        Limits.from_env()
    monkeypatch.setenv("DLP_MAX_PARAMS", "0")
    with pytest.raises(ValueError, match="≥ 1"):
        Limits.from_env()


@pytest.mark.parametrize("what", ["params", "epochs", "steps"])
def test_limits_check_names_the_cap(what):
    limits = Limits(params=100, epochs=10, steps=1000)
    ok = {"params": 100, "epochs": 10, "steps": 1000}
    limits.check(**ok)
    with pytest.raises(UserError) as info:
        limits.check(**{**ok, what: ok[what] + 1})
    assert info.value.key == f"training.errors.cap_{what}"
    assert info.value.params == {"value": ok[what] + 1, "cap": ok[what]}


def waiting_job(release: threading.Event):
    def job(run):
        while not release.wait(0.01):
            if run.checkpoint():
                return "stopped"
        return "done"

    return job


def test_run_book_allows_one_active_run_per_session_and_keeps_the_last_few():
    book = RunBook(kept=2)
    release = threading.Event()
    first = book.start("a", {"epochs": 1}, waiting_job(release))
    with pytest.raises(UserError) as info:
        book.start("b", {}, waiting_job(release))
    assert info.value.key == "training.errors.one_run"
    release.set()
    first.live.join(10)
    second = book.start("b", {}, waiting_job(release))
    second.live.join(10)
    third = book.start("c", {}, waiting_job(release))
    third.live.join(10)
    assert [r.label for r in book.runs] == ["b", "c"]  # oldest finished run dropped
    assert book.get(third.id) is third
    book.remove(third.id)
    assert [r.label for r in book.runs] == ["b"]


def test_closing_the_run_book_stops_its_workers():
    book = RunBook()
    never = threading.Event()
    record = book.start("a", {}, waiting_job(never))
    book.close()
    assert not record.live.running
    assert record.live.result == "stopped"
    assert book.runs == []
