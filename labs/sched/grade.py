#!/usr/bin/env python3
"""Grader of lab sched: a weighted fair scheduler (labs/sched/README.md).

Every experiment runs with the boot option sched_clock=tick, so that the
scheduler's notion of time is the count of preemption ticks each task took:
the shares below are counts of time slices, read from the kernel through
/dev/kstate, and do not depend on how fast or loaded the host is.  (No
comparison with the host kernel here: on a machine shared with others and
with several CPUs its shares are neither repeatable nor one CPU's.)"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gradelib import *  # noqa: E402,F401,F403

RUNS = ["share 30 0 5", "share 45 0 10", "share 20 0 idle", "share 20 0 0", "wake", "wake batch"]


@once
def experiments():
    prog = lab_prog("schedtest")
    r = guest("".join("%s %s; " % (prog, a) for a in RUNS), kstate=True,
              boot_args=["sched_clock=tick"])
    r.expect_no_oops()
    r.expect_status(0)
    return r


def slices(first, who):
    """{child index: slices it had} in the run 'share T first who'."""
    r = experiments()
    out = {}
    for rec in r.tagged("share-%s-" % first):
        _, _, i, w = rec["tag"].split("-", 3)
        if "error" not in rec:
            out[(int(i), w)] = rec["sched_ticks"]
    return out


def _ratio(who, lo, hi, weight):
    runs = [rec for rec in experiments().tagged("share-0-1-%s" % who)]
    expect(runs, "schedtest share ... 0 %s ran and asked kstate about its children" % who,
           experiments().context())
    rec = runs[-1]
    idx = experiments().records.index(rec)
    first = experiments().records[idx - 1]
    a, b = first["sched_ticks"], rec["sched_ticks"]
    expect(b > 0, "the nice %s child ran at all" % who, "%d slices" % b)
    ratio = a / b
    expect(lo <= ratio <= hi, "a nice 0 task gets %.1fx the CPU of a %s one (weights 1024 : "
           "%d); accepted %.1f..%.1f" % (1024 / weight, "nice " + who if who.isdigit() or
                                       who.startswith("-") else who, weight, lo, hi),
           "%d slices against %d: %.2fx" % (a, b, ratio))


@test(25, "nice 5 gets a third of what nice 0 gets")
def nice5():
    _ratio("5", 2.4, 3.8, 335)


@test(20, "nice 10 gets a ninth")
def nice10():
    _ratio("10", 6.5, 13.0, 110)


@test(15, "SCHED_IDLE gets next to nothing while a nice 0 task computes")
def idle():
    rec = experiments().tagged("share-0-1-idle")
    expect(rec, "the SCHED_IDLE experiment ran", experiments().context())
    idx = experiments().records.index(rec[-1])
    a, b = experiments().records[idx - 1]["sched_ticks"], rec[-1]["sched_ticks"]
    expect(b <= max(1, a // 20), "a SCHED_IDLE task gets under 5% of the slices of a nice 0 "
           "one (weight 3 against 1024)", "%d slices against %d" % (b, a))


@test(10, "two nice 0 tasks share equally", starter="pass")
def equal():
    rec = experiments().tagged("share-0-1-0")
    expect(rec, "the equal-nice experiment ran", experiments().context())
    idx = experiments().records.index(rec[-1])
    a, b = experiments().records[idx - 1]["sched_ticks"], rec[-1]["sched_ticks"]
    expect(abs(a - b) <= 2, "equal nice, equal slices (within 2)", "%d and %d" % (a, b))


@test(20, "a woken task preempts the computing one, unless it is SCHED_BATCH")
def wakeup():
    out = experiments().out
    m = experiments().expect_out(r"^wake: .* in (\d+) of 10 rounds", "schedtest wake")
    expect(int(m.group(1)) >= 9, "a task woken through a pipe runs before the spinning "
           "waker executes one more instruction (in at least 9 of 10 rounds; the first may "
           "find them level)", m.group(0))
    m = experiments().expect_out(r"^wake batch: .* in (\d+) of 10 rounds", "schedtest wake batch")
    expect(int(m.group(1)) <= 1, "a SCHED_BATCH task never preempts on wakeup", m.group(0))
    del out


@test(10, "a shell stays usable beside two spinning tasks", starter="pass")
def shell():
    prog = lab_prog("schedtest")
    r = guest("%s share 1000000 0 5 & p=$!; n=0; for i in 1 2 3 4 5 6 7 8 9 10; do "
              "busybox true && n=$((n+1)); done; echo \"ran $n\"; kill $p; wait $p" % prog,
              boot_args=["sched_clock=tick"])
    r.expect_no_oops()
    r.expect_out(r"^ran 10$", "ten commands beside the spinners")


if __name__ == "__main__":
    run_tests()
