"""Run tiny tensor work on one intra-op thread.

Models of a few thousand parameters gain nothing from parallel kernels; on a busy machine
the thread hand-offs cost far more than the arithmetic (measured: a 300-step sine fit took
~20 s with 2 threads under load and ~1 s with one). Restored afterwards; nested use is safe.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_lock = threading.Lock()
_depth = 0
_saved = 1


@contextmanager
def single_thread() -> Iterator[None]:
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = torch.get_num_threads()
            torch.set_num_threads(1)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                torch.set_num_threads(_saved)


def configured() -> int:
    """The server's intra-op thread count, also while a `single_thread` block has lowered it."""
    with _lock:
        return _saved if _depth else torch.get_num_threads()


class Turnstile:
    """At most `n` holders at once; the others wait in turn (first come, first served), each at most
    `patience` seconds, then go ahead anyway (a stuck holder must never stop the whole server).

    A page render of a crowd: all sessions' scripts share one GIL, so twenty renders at once each crawl
    at 1/20 of it and a heavy page's render takes 20× its cost; in turn, every render waits about as long
    as the others and then takes its own cost (the same throughput, a shorter render for most pages).
    """

    def __init__(self, n: int, patience: float = 60.0):
        self.n, self.patience = n, patience
        self._slots = threading.BoundedSemaphore(n)

    @contextmanager
    def turn(self) -> Iterator[None]:
        got = self._slots.acquire(timeout=self.patience)
        try:
            yield
        finally:
            if got:
                self._slots.release()
