"""Hosted-demo safety for live runs: caps, a global FIFO queue of run slots, a session's run book.

Data-size caps live with the data sets (`core.data.limits`); model size, epochs and steps here.

A server shares its CPU/GPU among every open tab, so at most `Limits.concurrent` runs
train at once; the others wait in a first-in, first-out queue and see their position.
A session trains one run at a time and keeps a few finished ones for comparison.
Every cap is a constant here, overridable by an environment variable (``DLP_MAX_*``).
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from core.env import env_int
from core.errors import UserError
from core.train.live import LiveRun


@dataclass(frozen=True)
class Limits:
    """Caps of a hosted demo (defaults fit a 2-core server; raise them on a GPU box)."""

    params: int = 2_000_000  # trainable parameters in a model
    epochs: int = 500
    steps: int = 200_000  # optimizer steps in one run (single-sample SGD adds up fast)
    concurrent: int = 2  # runs training at once on this server, all sessions together
    kept: int = 6  # runs a session keeps for comparison

    @classmethod
    def from_env(cls) -> Limits:
        """Defaults overridden by ``DLP_MAX_PARAMS``, ``DLP_MAX_EPOCHS``,
        ``DLP_MAX_STEPS``, ``DLP_MAX_CONCURRENT_RUNS`` and ``DLP_MAX_KEPT_RUNS``."""
        d = cls()
        return cls(
            params=env_int("DLP_MAX_PARAMS", d.params),
            epochs=env_int("DLP_MAX_EPOCHS", d.epochs),
            steps=env_int("DLP_MAX_STEPS", d.steps),
            concurrent=env_int("DLP_MAX_CONCURRENT_RUNS", d.concurrent),
            kept=env_int("DLP_MAX_KEPT_RUNS", d.kept),
        )

    def check(self, *, params: int, epochs: int, steps: int) -> None:
        """Raise a UserError naming the first cap a run would exceed (data size: core.data.limits)."""
        for what, value, cap in (
            ("params", params, self.params),
            ("epochs", epochs, self.epochs),
            ("steps", steps, self.steps),
        ):
            if value > cap:
                raise UserError(
                    f"training.errors.cap_{what}", f"{what} = {value:,} exceeds the cap {cap:,}", value=value, cap=cap
                )


class RunSlots:
    """At most `limit` holders at once; the rest wait first-in, first-out.

    `position(ticket)` is 0 for a holder and 1, 2, … for the waiting ones, so a UI can
    say "you are 2nd in the queue".
    """

    def __init__(self, limit: int):
        if limit < 1:
            raise ValueError(f"limit must be ≥ 1, got {limit}")
        self.limit = limit
        self._cond = threading.Condition()
        self._holders: set[int] = set()
        self._waiting: deque[int] = deque()
        self._tickets = itertools.count(1)

    def ticket(self) -> int:
        return next(self._tickets)

    def position(self, ticket: int) -> int | None:
        """0 while holding a slot, k ≥ 1 while k-th in the queue, None otherwise."""
        with self._cond:
            if ticket in self._holders:
                return 0
            try:
                return self._waiting.index(ticket) + 1
            except ValueError:
                return None

    @property
    def running(self) -> int:
        with self._cond:
            return len(self._holders)

    @property
    def queued(self) -> int:
        with self._cond:
            return len(self._waiting)

    def acquire(
        self,
        ticket: int,
        cancelled: Callable[[], bool] = lambda: False,
        on_wait: Callable[[int], None] | None = None,
        poll: float = 0.25,
    ) -> bool:
        """Wait for a slot in FIFO order; False when `cancelled()` turned true first.

        `on_wait(position)` is called whenever the queue position changes.
        """
        with self._cond:
            self._waiting.append(ticket)
            last = None
            try:
                while True:
                    if cancelled():
                        return False
                    pos = self._waiting.index(ticket) + 1
                    if pos == 1 and len(self._holders) < self.limit:
                        self._waiting.popleft()
                        self._holders.add(ticket)
                        self._cond.notify_all()
                        return True
                    if on_wait is not None and pos != last:
                        on_wait(pos)
                        last = pos
                    self._cond.wait(poll)
            finally:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                    self._cond.notify_all()

    def release(self, ticket: int) -> None:
        with self._cond:
            self._holders.discard(ticket)
            self._cond.notify_all()

    @contextmanager
    def hold(self, run: LiveRun) -> Iterator[bool]:
        """Inside a job: wait in the queue (publishing ``queue_position``), then hold a slot.

        Yields False when the run was stopped while it waited (nothing to release then).
        """
        ticket = self.ticket()
        got = self.acquire(
            ticket,
            cancelled=lambda: run.stopping,
            on_wait=lambda pos: run.publish(status="queued", queue_position=pos),
        )
        if got:
            run.publish(queue_position=0)
        try:
            yield got
        finally:
            if got:
                self.release(ticket)


_SLOTS: RunSlots | None = None
_SLOTS_LOCK = threading.Lock()


def global_slots() -> RunSlots:
    """The server-wide slots (one per process, sized by `Limits.from_env().concurrent`)."""
    global _SLOTS
    with _SLOTS_LOCK:
        if _SLOTS is None:
            _SLOTS = RunSlots(Limits.from_env().concurrent)
        return _SLOTS


@dataclass
class RunRecord:
    """One run of a session: its id, label, plain config and the live worker."""

    id: int
    label: str
    config: dict[str, Any]
    live: LiveRun
    extra: dict[str, Any] = field(default_factory=dict)  # what the page wants kept (e.g. the data set)

    @property
    def active(self) -> bool:
        return self.live.running


class RunBook:
    """A session's runs: one active at a time, the last `kept` kept for comparison.

    `close()` stops every worker; the page calls it from the session cache's release hook
    so that closing the browser tab stops its runs.
    """

    def __init__(self, kept: int | None = None, give_way: Callable[[], bool] | None = None):
        self.kept = kept or Limits.from_env().kept
        self.give_way = give_way  # its workers rest while this says another visitor's page is drawn
        self._runs: list[RunRecord] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def runs(self) -> list[RunRecord]:
        with self._lock:
            return list(self._runs)

    def active(self) -> RunRecord | None:
        return next((r for r in self.runs if r.active), None)

    def get(self, run_id: int) -> RunRecord | None:
        return next((r for r in self.runs if r.id == run_id), None)

    def start(
        self, label: str, config: dict[str, Any], job: Callable[[LiveRun], Any], paused: bool = False, **extra: Any
    ) -> RunRecord:
        """Start `job` as a new run (`paused`: parked at its first checkpoint); a UserError while another
        run of this session is active."""
        with self._lock:
            busy = next((r for r in self._runs if r.active), None)
            if busy is not None:
                raise UserError("training.errors.one_run", f"run {busy.label!r} is still training", label=busy.label)
            run_id = next(self._ids)
            record = RunRecord(
                run_id, label, dict(config), LiveRun(job, name=f"{run_id}", give_way=self.give_way), dict(extra)
            )
            self._runs.append(record)
            finished = [r for r in self._runs if not r.active and r is not record]
            while len(self._runs) > self.kept and finished:
                self._runs.remove(finished.pop(0))
        record.live.start(paused=paused)
        return record

    def remove(self, run_id: int) -> None:
        with self._lock:
            for r in self._runs:
                if r.id == run_id:
                    r.live.stop()
            self._runs = [r for r in self._runs if r.id != run_id]

    def close(self, timeout: float = 5.0) -> None:
        """Stop every run and wait a little for the workers to end."""
        with self._lock:
            runs, self._runs = list(self._runs), []
        for r in runs:
            r.live.stop()
        for r in runs:
            r.live.join(timeout)
