"""What the server sends a browser after an action: proof that only one section was redrawn.

`Wire(page)` listens on the page's websocket and decodes every ``ForwardMsg``. After an
action, `wire.fragment_run()` asserts that the run it caused was a fragment rerun (the
script finished as ``FINISHED_FRAGMENT_RUN_SUCCESSFULLY``, not a whole-page run) and that
every element it sent belongs to that one fragment, so the other sections' elements were
not re-sent and keep their identity in the browser.

    wire = Wire(page)
    ... open the page, wait_idle ...
    wire.clear()
    move_slider(...); wait_idle(page)
    deltas = wire.fragment_run()
"""

from __future__ import annotations

import time

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FRAGMENT_DONE = ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
PAGE_DONE = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
CUT_SHORT = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN  # a newer key press took over


class Wire:
    """The ForwardMsgs received by one Playwright page since the last `clear()`."""

    def __init__(self, page) -> None:
        self.messages: list[ForwardMsg] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if isinstance(payload, bytes | bytearray):
            self.messages.append(ForwardMsg.FromString(bytes(payload)))

    def clear(self) -> None:
        self.messages.clear()

    def finished(self) -> list[int]:
        return [m.script_finished for m in self.messages if m.WhichOneof("type") == "script_finished"]

    def fragment_run(self, timeout_s: float = 30, most: int = 1) -> list:
        """Assert the runs since `clear()` were fragment reruns of one section; return their deltas.

        `most`: how many fragments the elements may come from — 2 for a section that holds a
        fragment of its own (its rerun redraws the inner one too).
        """
        deadline = time.monotonic() + timeout_s
        while not self.finished() and time.monotonic() < deadline:  # the last frame can trail the idle flag
            time.sleep(0.05)
        statuses = self.finished()
        assert statuses, "no script run finished after the action"
        assert PAGE_DONE not in statuses, f"the whole page reran (statuses {statuses})"
        assert statuses[-1] == FRAGMENT_DONE and set(statuses) <= {FRAGMENT_DONE, CUT_SHORT}, statuses
        deltas = [m.delta for m in self.messages if m.WhichOneof("type") == "delta"]
        assert deltas, "the fragment sent nothing"
        fragments = {d.fragment_id for d in deltas}
        assert len(fragments) <= most and "" not in fragments, f"elements from more than one section: {fragments}"
        return deltas
