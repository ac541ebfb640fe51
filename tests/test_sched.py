"""The scheduler (kernel/sched.py, kernel/sched_fair.py): its API is the
only way to the run queue, and a task that spins without sleeping cannot
take the CPU from a runnable one for good.

The policy's CPU shares by nice value are graded by labs/sched (run by
tests/test_labs.py), under sched_clock=tick so that they are counts.
"""

import os
import re

import pytest

import conftest
from conftest import differential, guest
from kernel import sched


@pytest.mark.parametrize("spin", ["getppid", "yield"])
def test_a_spinner_in_system_calls_shares_the_cpu(spin):
    n, u = differential(guest("schedspin"), [spin])
    assert "of 20" in u.out and "child killed: 1" in u.out


def test_the_run_queue_is_reached_only_through_the_api():
    """Nothing outside the scheduler touches the policy's queue or calls
    the policy's queue operations itself (the /dev/kstate driver may look)."""
    bad = []
    allowed = {"kernel/sched.py", "kernel/sched_fair.py"}
    pat = re.compile(r"policy\.(enqueue_task|dequeue_task|pick_next_task|queue)\b|"
                     r"\.queue\.(append|remove|insert|clear)\(.*# run queue")
    for top in ("kernel", "mm", "fs", "init", "skas", "arch", "drivers", "ipc", "net",
                "security", "block", "lib"):
        for d, _, files in os.walk(os.path.join(conftest.ROOT, top)):
            for f in files:
                if not f.endswith(".py"):
                    continue
                path = os.path.join(d, f)
                rel = os.path.relpath(path, conftest.ROOT)
                if rel in allowed:
                    continue
                with open(path) as fh:
                    for i, line in enumerate(fh, 1):
                        if pat.search(line):
                            bad.append("%s:%d: %s" % (rel, i, line.strip()))
    assert not bad, "\n".join(bad)


def test_time_in_the_kernel_is_a_tick(monkeypatch):
    """kernel_tick: host time the kernel spends for the running task counts
    towards its slice (the stub's timer sees only user time); user time
    does not count twice.  Driven with made-up clock readings: no timing."""

    class T:
        utime = 0.0
        sched_ticks = 0
        state = 0
        yielded = False
        vruntime = 0.0

    c, other = T(), T()
    base = sched.now()
    monkeypatch.setattr(sched, "current", c)
    monkeypatch.setattr(sched, "need_resched", False)
    monkeypatch.setattr(sched, "_run_start", base)
    monkeypatch.setattr(sched, "_run_start_utime", 0.0)
    monkeypatch.setattr(sched, "_run_kernel_ticks", 0)
    monkeypatch.setattr(sched.policy, "queue", [other])
    sched.kernel_tick(base + sched.TICK / 2)
    assert not sched.need_resched and c.sched_ticks == 0
    c.utime = sched.TICK                    # a tick's worth ran in user space
    sched.kernel_tick(base + sched.TICK * 1.5)
    assert not sched.need_resched and c.sched_ticks == 0
    sched.kernel_tick(base + sched.TICK * 2.5)
    assert sched.need_resched and c.sched_ticks == 1
    sched.kernel_tick(base + sched.TICK * 2.6)  # the same slice: no second tick
    assert c.sched_ticks == 1


def test_a_long_system_call_is_all_its_ticks_at_once(monkeypatch):
    """A system call that keeps the kernel busy for seconds (LTP sendfile09
    sends a gigabyte) earns all its ticks in one: tick()'s housekeeping,
    which comes back to kernel_tick, used to take them one per nested
    call, a RecursionError (an oops) after a few seconds."""
    from kernel import sched

    class T:
        utime = 0.0
        sched_ticks = 0
        state = 0
        yielded = False
        vruntime = 0.0

    c = T()
    base = sched.now()
    later = base + 5000 * sched.TICK
    monkeypatch.setattr(sched, "now", lambda: later)
    monkeypatch.setattr(sched, "current", c)
    monkeypatch.setattr(sched, "need_resched", False)
    monkeypatch.setattr(sched, "_next_poll", 0.0)
    monkeypatch.setattr(sched, "_run_start", base)
    monkeypatch.setattr(sched, "_run_start_utime", 0.0)
    monkeypatch.setattr(sched, "_run_kernel_ticks", 0)
    monkeypatch.setattr(sched.policy, "queue", [T()])
    sched.housekeeping()
    assert c.sched_ticks == 5000 and sched.need_resched
