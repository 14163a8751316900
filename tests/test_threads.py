"""core.threads: one intra-op thread for tiny work; a turnstile that lets `n` holders in at once, in turn."""

import threading

from core.threads import Turnstile


def test_a_turnstile_lets_n_in_and_the_next_one_in_when_a_holder_leaves():
    gate = Turnstile(2)
    inside, entered = threading.Barrier(3), []
    leave = threading.Event()

    def visitor(name: str) -> None:
        with gate.turn():
            entered.append(name)
            if name in ("a", "b"):
                inside.wait(30)
                leave.wait(30)

    first = [threading.Thread(target=visitor, args=(n,)) for n in ("a", "b")]
    for thread in first:
        thread.start()
    inside.wait(30)  # both holders are in
    late = threading.Thread(target=visitor, args=("c",))
    late.start()
    late.join(0.2)
    assert late.is_alive() and sorted(entered) == ["a", "b"]  # the third waits its turn
    leave.set()
    for thread in [*first, late]:
        thread.join(30)
    assert entered[-1] == "c"


def test_a_turnstile_never_waits_past_its_patience_and_frees_a_slot_on_an_error():
    gate = Turnstile(1, patience=0.05)
    with gate.turn(), gate.turn():  # the second goes ahead after its patience: a stuck holder stops no one
        pass
    try:
        with gate.turn():
            raise KeyError("a page that failed")
    except KeyError:
        pass
    assert gate._slots.acquire(timeout=1)  # the failed holder's slot came back
