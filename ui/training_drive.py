"""Driving a live run: Start, Step, Pause/Resume, Stop, Reset, the speed, and the knobs changed mid-run.

Start, Stop and Reset rerun the page once (the comparison and the downloads change with them); Pause,
Resume and Step are button callbacks, so only the live view redraws, once, in its new state. A Pause
or a Step waits for the worker to park after its step, so the view stops polling at once; a Resume
needs no wait (`LiveRun.parked` reads False from the moment it is asked).
"""

from __future__ import annotations

import time

import streamlit as st

from core.data import TaskData
from core.train.controls import KNOBS, SPEEDS
from core.train.runs import Limits, global_slots
from core.train.setup import prepare
from core.train.worker import job
from ui.feedback import user_errors
from ui.i18n import t
from ui.sidebar import device
from ui.state import init, key
from ui.training_settings import label_of

PARK_WAIT_S = 1.0  # Pause / Step wait this long at most for the worker to park (it parks after its current step)
SPEED_KEY = key("training", "speed")


def following(live) -> bool:
    """The worker is stepping (a parked one publishes nothing new: nothing to poll)."""
    return live.running and not live.parked


class UntilEnd:
    """The run as `ui.live.poll` should see it here: running until it ends, never parked. A pause is this
    section's business (Pause waits for the park, then the section draws the run without the poller); a poll
    that came in with the click (Streamlit runs it first) must not take the park for an end and rerun the page."""

    def __init__(self, live) -> None:
        self.live, self.parked = live, False

    @property
    def running(self) -> bool:
        return self.live.running

    def snapshot(self) -> dict:
        return self.live.snapshot()


def wait_parked(live) -> None:
    deadline = time.monotonic() + PARK_WAIT_S
    while following(live) and time.monotonic() < deadline:
        time.sleep(0.002)


def pause_or_resume(live, action: str) -> None:
    """A button callback. It says what the button read: Streamlit can deliver one click twice when a poll of
    the view was under way (the second must not undo the first)."""
    if action == "resume":
        live.resume()
        return
    live.pause()
    wait_parked(live)


def step_once(live) -> None:
    live.step_once()
    wait_parked(live)


def start_run(book, config: dict, data: TaskData, limits: Limits, *, paused: bool = False, step: bool = False):
    """A new run of the settings shown: running, parked at step 0 (`paused`), or taking one step (`step`)."""
    setup = prepare(config, data, device(), limits)
    setup.controls.set_speed(st.session_state.get(SPEED_KEY, 0))
    record = book.start(label_of(config), setup.config, job(setup, global_slots()), paused=paused or step,
                        setup=setup, data=data)  # fmt: skip
    if step:
        record.live.step_once()
    return record


def buttons(book, config: dict | None, data: TaskData | None, limits: Limits) -> None:
    active = book.active()
    live = active.live if active is not None else None
    c1, c2, c3, c4, c5 = st.columns(5)
    if c1.button(t("training.buttons.start"), type="primary", disabled=config is None or active is not None,
                 width="stretch"):  # fmt: skip
        with user_errors():
            start_run(book, config, data, limits)
            st.rerun(scope="app")
    if live is not None:
        c2.button(t("training.buttons.step"), width="stretch", on_click=step_once, args=(live,),
                  help=t("training.buttons.step_help"))  # fmt: skip
    elif c2.button(t("training.buttons.step"), width="stretch", disabled=config is None,
                   help=t("training.buttons.step_help")):  # fmt: skip
        with user_errors():
            start_run(book, config, data, limits, step=True)
            st.rerun(scope="app")
    action = "resume" if live is not None and live.paused else "pause"
    c3.button(t(f"training.buttons.{action}"), disabled=live is None, width="stretch", on_click=pause_or_resume,
              args=(live, action))  # fmt: skip
    if c4.button(t("training.buttons.stop"), disabled=live is None, width="stretch"):
        live.stop()
        live.join(5)
        st.rerun(scope="app")  # the run joins the comparison and the downloads
    if c5.button(t("training.buttons.reset"), disabled=config is None, width="stretch",
                 help=t("training.buttons.reset_help")):  # fmt: skip
        if live is not None:
            live.stop()
            live.join(5)
        with user_errors():
            start_run(book, config, data, limits, paused=True)
            st.rerun(scope="app")


def speed_control(record) -> None:
    """Steps per second at most, for this run at once and for the next ones."""
    init(SPEED_KEY, 0)
    speed = st.select_slider(t("training.drive.speed"), SPEEDS, key=SPEED_KEY, help=t("training.drive.speed_help"),
                             format_func=lambda n: t("training.drive.max") if n == 0 else t("training.drive.per_s", n=n))  # fmt: skip
    setup = record.extra.get("setup") if record is not None else None
    if setup is not None and setup.controls is not None and record.live.running:
        setup.controls.set_speed(speed)


def describe(changes: dict, old: dict) -> str:
    return ", ".join(f"{t(f'training.drive.{k}')} {old[k]:g} → {v:g}" for k, v in changes.items())


def knobs(record) -> None:
    """Learning rate, L1/L2 rates and batch size of the run under way: a change is applied at its next step."""
    setup = record.extra.get("setup")
    if setup is None or setup.controls is None or not record.live.running:
        return
    controls = setup.controls
    st.caption(t("training.drive.knobs"))
    values = {}
    for col, name in zip(st.columns(len(KNOBS)), KNOBS, strict=True):
        widget = key("training", "knob", record.id, name)
        init(widget, controls.values[name])
        minibatch = setup.config.get("batch_mode") == "minibatch"
        values[name] = col.number_input(t(f"training.drive.{name}"), key=widget, step=1 if name == "batch_size" else
                                        0.001, format=None if name == "batch_size" else "%g",
                                        disabled=name == "batch_size" and not minibatch,
                                        help=t("training.drive.batch_note") if name == "batch_size" else None)  # fmt: skip
    with user_errors():
        controls.request(**values)
        pending = controls.pending
        if pending:
            st.info(t("training.drive.pending", changes=describe(pending, controls.values)))
