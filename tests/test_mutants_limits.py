"""Tests written against the mutants of regioncount/enumeration/limits.py
(benchmarks/mutation.py, docs/benchmarks.md "Mutation score"): the limits at their boundaries,
deadlines carried between clocks, and the interrupt flag with its handlers put back."""

from __future__ import annotations

import logging
import math
import os
import signal
import threading
import time

import pytest

from regioncount.enumeration.limits import (NO_LIMITS, STOP_SIGNALS, Interrupt, Limits,
                                            deadline_from_wall)


def test_limits_at_their_boundaries():
    lim = Limits.starting(100.0, 5.0, 3)
    assert lim.deadline == 105.0 and lim.max_regions == 3
    assert lim.reached(2, 104.999) == ""
    assert lim.reached(3, 0.0) == "region limit"            # exactly the limit: reached
    assert lim.reached(2, 105.0) == "time limit"
    assert Limits.starting(100.0, None, None).deadline == math.inf
    assert NO_LIMITS.reached(10 ** 9, 1e18) == "" and not NO_LIMITS.interrupted()
    stop = Limits.starting(0.0, None, None, interrupt=lambda: 1)
    assert stop.interrupted() is True and stop.reached(0, 0.0) == "interrupted"


def test_deadlines_between_clocks():
    assert Limits().wall_deadline() == math.inf and deadline_from_wall(math.inf) == math.inf
    lim = Limits.starting(time.monotonic(), 100.0, None)
    wall = lim.wall_deadline()
    assert abs(wall - (time.time() + 100.0)) < 1.0
    back = deadline_from_wall(wall)
    assert abs(back - lim.deadline) < 1.0
    # a wall deadline already past: now, never earlier
    now = time.monotonic()
    assert now <= deadline_from_wall(time.time() - 50.0) <= time.monotonic()


def test_interrupt_sets_its_flag_and_puts_the_handlers_back(caplog):
    before = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    intr = Interrupt()
    assert intr() is False and intr.signal_name == ""
    with caplog.at_level(logging.WARNING, logger="regioncount.enumeration.limits"):
        with intr as got:
            assert got is intr
            assert all(signal.getsignal(s) == intr._handler for s in STOP_SIGNALS)
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            os.kill(os.getpid(), signal.SIGINT)      # the first signal's name is kept
            time.sleep(0.05)
            assert intr() is True and intr.signal_name == "SIGTERM"
    assert {s: signal.getsignal(s) for s in STOP_SIGNALS} == before
    assert caplog.messages == ["SIGTERM received: the count stopped early"]


def test_interrupt_without_a_signal_logs_nothing_and_lets_errors_through(caplog):
    with caplog.at_level(logging.WARNING, logger="regioncount.enumeration.limits"):
        with pytest.raises(KeyError):
            with Interrupt():
                raise KeyError("x")
    assert caplog.messages == []


def test_a_handler_that_was_none_comes_back_as_the_default(monkeypatch):
    intr = Interrupt()
    intr._old = {signal.SIGTERM: None}
    calls = []
    monkeypatch.setattr(signal, "signal", lambda s, h: calls.append((s, h)))
    intr.__exit__(None, None, None)
    assert calls == [(signal.SIGTERM, signal.SIG_DFL)] and intr._old == {}


def test_interrupt_outside_the_main_thread_leaves_the_handlers_alone():
    before = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    seen = {}

    def run():
        with Interrupt() as intr:
            seen["old"] = dict(intr._old)
            seen["now"] = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert seen["old"] == {} and seen["now"] == before
