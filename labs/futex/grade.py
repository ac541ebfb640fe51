#!/usr/bin/env python3
"""Grader of lab futex: futex wait and wake, behind real pthreads."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gradelib import *  # noqa: E402,F401,F403

MODES = ["errors", "timeout", "wake", "shared", "pthreads"]


@once
def runs():
    out = {}
    for libc in ("musl", "glibc"):
        prog = lab_prog("futextest", libc)
        script = modes_script(prog, MODES)
        r = guest(script, kstate=True)
        r.expect_no_oops()
        out[libc] = (sections(r.out), sections(native(script).out), r)
    return out


def same(mode, what):
    for libc, (got, want, _) in runs().items():
        expect_same_section(got, want, mode, "futextest %s (%s) under pyuml and "
                            "natively: %s" % (mode, libc, what))


@test(15, "FUTEX_WAIT refuses a changed word, bad and unaligned addresses", starter="pass")
def errors():
    same("errors", "EAGAIN, EINVAL, EFAULT, a wake of nobody")


@test(20, "FUTEX_WAIT with a timeout: ETIMEDOUT")
def timeout():
    same("timeout", "a 50 ms wait nobody ends")


@test(20, "two sleeping waiters: FUTEX_WAKE wakes and counts them")
def wake():
    same("wake", "both asleep, then what each wake returns")


@test(20, "a thread blocked in pthread_mutex_lock sleeps on the mutex's futex")
def mutex():
    for libc in ("musl", "glibc"):
        r = guest(lab_prog("futextest", libc) + " mutex", kstate=True)
        r.expect_no_oops()
        r.expect_out(r"^the locker sleeps: 1$", "the second locker went to sleep (%s)" % libc)
        tag = [x["tag"] for x in r.records if (x.get("tag") or "").startswith("mutex-")]
        expect(tag, "futextest asked kstate about the mutex", r.context())
        rec = r.record(tag[0])
        _, tid, addr = tag[0].split("-")
        tid, addr = int(tid), int(addr, 16)
        # the lock word is somewhere in the pthread_mutex_t (offset 0 in
        # glibc's, 4 in musl's)
        queues = [(q["addr"] - addr, q["waiters"], q["states"]) for q in rec["queues"]
                  if q["addr"] is not None and 0 <= q["addr"] - addr < 40]
        expect(len(queues) == 1 and queues[0][1:] == ([tid], ["S"]),
               "thread %d alone, asleep, queued on a futex inside the mutex (%s)" % (tid, libc),
               "queues (offset in the mutex, waiters, states): %s; all: %s"
               % (queues, rec["queues"]))
        r.expect_out(r"^joined$", "the locker got the mutex once it was unlocked")


@test(15, "a futex in MAP_SHARED memory works between processes")
def shared():
    same("shared", "a child waits, the parent wakes it (and a private wake misses it)")
    for libc, (_, _, r) in runs().items():
        recs = r.tagged("shared-")
        expect(recs, "futextest shared asked kstate about its child (%s)" % libc, r.context())
        rec = recs[-1]
        child = int(rec["tag"].split("-")[1])
        queues = [(q["key"], q["waiters"], q["states"]) for q in rec.get("queues", [])]
        expect(queues == [("shared", [child], ["S"])],
               "the child %d alone asleep on one queue with a shared key (the page "
               "cache's object and offset, not its address space) (%s)" % (child, libc),
               "queues (key, waiters, states): %s" % queues)


@test(10, "producers and consumers on pthread mutexes and condvars", starter="pass")
def pthreads():
    same("pthreads", "the sum the consumers took")


if __name__ == "__main__":
    run_tests()
