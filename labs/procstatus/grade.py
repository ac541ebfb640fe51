#!/usr/bin/env python3
"""Grader of lab procstatus: /proc/PID/status's signal, thread and memory lines."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gradelib import *  # noqa: E402,F401,F403

MODES = ["ids", "signals", "threads", "rss"]


def _comparable(secs):
    """A section without its 'raw:' lines (numbers only this kernel has)."""
    return {m: "".join(l + "\n" for l in body.splitlines() if not l.startswith("raw:"))
            for m, body in secs.items()}


@once
def runs():
    """Every mode in one boot per C library, and natively."""
    out = {}
    for libc in ("musl", "glibc"):
        script = modes_script(lab_prog("statustest", libc), MODES)
        # anon_fault_around=0: pyuml's speed-up maps an anonymous fault's
        # neighbours too; Linux maps the one page, and VmRSS shows it
        r = guest(script, kstate=True, boot_args=["anon_fault_around=0"])
        r.expect_no_oops()
        got = sections(r.out)
        out[libc] = (got, _comparable(got), _comparable(sections(native(script).out)), r)
    return out


def same(mode, what):
    for libc, (_, got, want, _) in runs().items():
        expect_same_section(got, want, mode, "statustest %s (%s) under pyuml and natively: %s"
                            % (mode, libc, what))


def _bits(hexmask):
    """The signal numbers a status mask names."""
    m = int(hexmask, 16)
    return [s for s in range(1, 65) if m & (1 << (s - 1))]


def _fields(text):
    """{'thread 0: SigBlk': '0000...', ...}: each line split at its last ': '."""
    return dict(l.rsplit(": ", 1) for l in text.splitlines() if ": " in l)


@test(10, "Name, Umask, State, Pid, Tgid, PPid, Uid, Gid", starter="pass")
def ids():
    same("ids", "the identity lines")


@test(30, "SigPnd, ShdPnd, SigBlk, SigIgn, SigCgt as on Linux and as the kernel holds them")
def signals():
    same("signals", "a thread's and the process's pending signals, the blocked, "
         "ignored and caught ones")
    for libc, (got, _, _, r) in runs().items():
        f = _fields(got["signals"])
        k = r.record("signals")
        expect_equal(_bits(f["SigBlk"]), k["blocked"],
                     "SigBlk names the signals the kernel's task blocks (%s)" % libc)
        expect_equal(sorted(set(_bits(f["SigPnd"]) + _bits(f["ShdPnd"]))), k["pending"],
                     "SigPnd and ShdPnd name the signals pending in the kernel (%s)" % libc)
        expect_equal(_bits(f["SigCgt"]), sorted(int(s) for s in k["handlers"]),
                     "SigCgt names the signals with handlers (%s)" % libc)


@test(30, "Threads, and each thread's own status in /proc/self/task/TID")
def threads():
    same("threads", "the thread count, each thread's Pid, Tgid and SigBlk")
    for libc, (got, _, _, r) in runs().items():
        f = _fields(got["threads"])
        for i in range(3):
            k = r.record("thread-%d" % i)
            expect_equal(_bits(f["thread %d: SigBlk" % i]), k["blocked"],
                         "thread %d's SigBlk is its own mask in the kernel (%s)" % (i, libc))
            expect_equal(int(f["process: Threads"]), k["nr_threads"],
                         "Threads is the kernel's count (%s)" % libc)


@test(30, "VmRSS: the frames the address space maps, as pages are touched and unmapped")
def rss():
    same("rss", "how VmRSS grows with 100 touched pages and falls at munmap")
    for libc, (got, _, _, r) in runs().items():
        raw = [l for l in got["rss"].splitlines() if l.startswith("raw: VmRSS")]
        expect(raw, "statustest rss printed its VmRSS readings (%s)" % libc, got["rss"])
        kb = [int(x) for x in raw[0].split()[2:5]]
        kernel = [r.record("rss-" + w)["rss"] * 4 for w in ("before", "touched", "unmapped")]
        expect_equal(kb, kernel, "VmRSS (kB) before, after touching, after munmap is the "
                     "mm's rss in pages times 4, as /dev/kstate reads it (%s)" % libc)


if __name__ == "__main__":
    run_tests()
