"""`LiveRun`: a job in a worker thread that a UI can poll, pause, resume and stop.

The worker never touches the UI: it publishes snapshots under a lock, and the UI reads
the latest one (DESIGN.md, "Training engine"). Nothing here imports streamlit.
"""

from __future__ import annotations

import copy
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

# The worker releases the GIL inside every torch op and must win it back after each one. While another
# thread runs Python (a page redrawing its charts, the server's event loop), CPython hands the GIL back
# only when that thread's switch interval (5 ms by default) expires: a small model's step of ~20 ops
# then waits ~20 × 5 ms (the "convoy effect"). A shorter interval bounds that wait.
SWITCH_INTERVAL_S = 0.0005
# All sessions' page scripts and workers share one GIL: two runs stepping flat out left a third visitor's
# page ~1/3 of it (its renders took ~2.8× as long). While `give_way()` says another visitor's page is being
# drawn, a worker rests GIVE_WAY × as long as its last step took (at most GIVE_WAY_MAX_S at a time), so two
# runs together take at most ~2/5 of the GIL from that page, and train at full speed the rest of the time.
GIVE_WAY = 3.0
GIVE_WAY_MAX_S = 0.02
rest = time.sleep  # how a worker rests (a test records the rests instead)


class LiveRun:
    """Run `job(run)` in a daemon thread; `job` calls `run.publish` and `run.checkpoint`.

    `checkpoint()` is the job's cooperative hook, to be called after each step: it blocks
    while paused and returns True when the job should stop.

    Pausing takes effect at the worker's next checkpoint, so the status reads 'pausing'
    from `pause()` until the worker is parked there (`parked`), and only then 'paused':
    from that moment on the worker takes no step, and what it published last (through
    checkpoint's `on_park`) is where it stopped. `step_once()` lets a parked worker take one step and
    park again; `start(paused=True)` starts it parked at its first checkpoint.

    `parked` is False from the moment `resume()` (or `step_once()`) is called, even though the worker
    wakes a little later: a UI that redraws right after a Resume click must see a run it has to follow
    (with a `parked` that read True until the worker woke, such a redraw stopped polling for good).
    """

    def __init__(self, job: Callable[[LiveRun], Any], name: str = "run", give_way: Callable[[], bool] | None = None):
        self.name = name
        self._job = job
        self._give_way = give_way  # True while another visitor's page is drawn (see GIVE_WAY)
        self._last_checkpoint = time.perf_counter()
        self._lock = threading.Lock()
        self._snapshot: dict[str, Any] = {}
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._parked = threading.Event()  # set while the worker waits in checkpoint() because of a pause
        self._single = False  # step_once(): park again at the next checkpoint
        self.result: Any = None
        self.error: BaseException | None = None
        self.error_text: str = ""
        self._thread = threading.Thread(target=self._main, name=f"live-{name}", daemon=True)

    def start(self, paused: bool = False) -> LiveRun:
        if paused:
            self._resume.clear()
        if sys.getswitchinterval() > SWITCH_INTERVAL_S:
            sys.setswitchinterval(SWITCH_INTERVAL_S)  # process-wide, once: see SWITCH_INTERVAL_S
        self._thread.start()
        return self

    def _main(self) -> None:
        try:
            self.result = self._job(self)
        except BaseException as exc:  # reported to the UI, never raised into it
            self.error = exc
            self.error_text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        finally:
            self._resume.set()

    # -- called by the worker -------------------------------------------------
    def publish(self, **values: Any) -> None:
        """Merge `values` into the snapshot the UI reads."""
        with self._lock:
            self._snapshot.update(values)

    def checkpoint(self, on_park: Callable[[], None] | None = None, stepped: bool = True) -> bool:
        """Block while paused; True when a stop was requested.

        Args:
            on_park: called once before blocking for a pause (e.g. publish the step it stops at),
                so the paused UI shows the final counter, which then no longer moves.
            stepped: a step was taken since the last checkpoint (False before the first step: a
                `step_once` then still lets that first step through).
        """
        self._courtesy()
        if self._single and stepped:  # one step was asked for and taken: park again
            self._single = False
            self._resume.clear()
        if not self._resume.is_set():
            if on_park is not None:
                on_park()
            self._parked.set()
            try:
                self._resume.wait()
            finally:
                self._parked.clear()
        return self._stop.is_set()

    def _courtesy(self) -> None:
        """Rest after a step while another visitor's page is drawn (GIVE_WAY)."""
        now = time.perf_counter()
        spent, self._last_checkpoint = now - self._last_checkpoint, now
        if self._give_way is not None and self._give_way():
            rest(min(GIVE_WAY * spent, GIVE_WAY_MAX_S))
            self._last_checkpoint = time.perf_counter()

    # -- called by the UI -----------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the latest snapshot, safe to read while the worker runs."""
        with self._lock:
            return copy.deepcopy(self._snapshot)

    def pause(self) -> None:
        self._resume.clear()

    def resume(self) -> None:
        self._single = False
        self._resume.set()

    def step_once(self) -> None:
        """Let the worker take one step, then park again (a running worker parks after its next step)."""
        self._single = True
        self._resume.set()

    def stop(self) -> None:
        self._stop.set()
        self._resume.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def paused(self) -> bool:
        """A pause was asked for (the worker may still be finishing its step: see `parked`)."""
        return not self._resume.is_set() and self.running

    @property
    def parked(self) -> bool:
        """The worker is waiting in checkpoint() for a resume: it takes no step until then."""
        return self._parked.is_set() and not self._resume.is_set() and self.running

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def started(self) -> bool:
        return self._thread.ident is not None

    @property
    def status(self) -> str:
        """'queued', 'running', 'pausing', 'paused', or how it ended: 'done', 'stopped', 'diverged', 'failed'.

        The job publishes ``status``; an exception that escaped the job reads 'failed'.
        """
        with self._lock:
            published = self._snapshot.get("status")
        if self.running:
            if self.paused:
                return "paused" if self.parked else "pausing"
            return published if published in ("queued", "running") else "running"
        if self.error is not None:
            return "failed"
        if published in (None, "queued", "running"):
            return "stopped" if self.stopping else ("done" if self.started else "new")
        return published

    def get(self, key: str, default: Any = None) -> Any:
        """One value of the snapshot (copied), cheaper than a full `snapshot()`."""
        with self._lock:
            value = self._snapshot.get(key, default)
        return copy.deepcopy(value)
