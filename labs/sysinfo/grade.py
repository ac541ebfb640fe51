#!/usr/bin/env python3
"""Grader of lab sysinfo: the sysinfo(2) system call."""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gradelib import *  # noqa: E402,F401,F403


@once
def shown():
    """One boot: /proc/uptime, sysinfo (64- and 32-bit) with a kstate
    snapshot right after each, /proc/uptime again, busybox free/uptime."""
    p64, p32 = lab_prog("sysinfotest"), lab_prog("sysinfotest", "glibc32")
    r = guest("cat /proc/uptime; %s show; %s show; cat /proc/uptime; echo '== free'; "
              "busybox free; echo '== uptime'; busybox uptime; cat /proc/loadavg"
              % (p64, p32), kstate=True)
    r.expect_no_oops()
    lines = r.out.splitlines()
    fields = [parse_kv(l) for l in lines if l.startswith("r=")]
    expect(len(fields) == 2 and all(f.get("r") == 0 for f in fields),
           "sysinfo(2) succeeds for the 64-bit and the 32-bit sysinfotest", r.context())
    after = [x for x in r.records if x["tag"] == "after"]
    tasks = [x for x in r.records if x["tag"] == "tasks"]
    return r, lines, fields, after, tasks


@test(25, "sysinfo(2) answers as on Linux (64-bit, musl and glibc)")
def facts():
    for libc in ("musl", "glibc"):
        prog = lab_prog("sysinfotest", libc)
        r, n = guest(prog), native(prog)
        r.expect_no_oops()
        expect_equal(r.out, n.out, "sysinfotest facts (%s) under pyuml and natively" % libc)


@test(20, "totalram and freeram are the kernel's own counts of frames")
def memory():
    r, lines, fields, after, tasks = shown()
    f = fields[0]
    mem = after[0]
    expect_equal(f["totalram"] * f["mem_unit"], mem["nr_frames"] * 4096,
                 "totalram * mem_unit: the machine's memory (kstate: nr_frames * 4096)")
    expect_equal(f["freeram"] * f["mem_unit"], mem["nr_free"] * 4096,
                 "freeram * mem_unit against the free frames the kernel counted right after")
    expect_equal(f["mem_unit"], 1, "a 64-bit task gets bytes: mem_unit")


@test(10, "procs is the number of tasks in the kernel")
def procs():
    r, lines, fields, after, tasks = shown()
    expect_equal(fields[0]["procs"], len(tasks[0]["tasks"]),
                 "procs against the tasks kstate lists at that moment")


@test(15, "uptime agrees with /proc/uptime (whole seconds, rounded up)")
def uptime():
    r, lines, fields, after, tasks = shown()
    ups = [float(l.split()[0]) for l in lines if l.count(" ") == 1 and l[0].isdigit()]
    expect(len(ups) == 2, "two readings of /proc/uptime", lines)
    lo, hi = math.floor(ups[0]), math.ceil(ups[1])
    for f in fields:
        expect(lo <= f["uptime"] <= hi, "sysinfo's uptime lies between the two readings of "
               "/proc/uptime (%.2f and %.2f)" % tuple(ups), f["uptime"])


@test(15, "the i386 layout: 32-bit fields, mem_unit 1 while memory fits in 32 bits")
def i386():
    prog = lab_prog("sysinfotest", "glibc32")
    g, n = guest(prog), native(prog)
    expect_equal(g.out, n.out, "32-bit sysinfotest facts under pyuml and natively")
    r, lines, fields, after, tasks = shown()
    f = fields[1]
    expect_equal((f["mem_unit"], f["totalram"]), (1, after[1]["nr_frames"] * 4096),
                 "(mem_unit, totalram) for a 32-bit task with mem=128M (Linux's compat rule)")
    expect_equal(f["freeram"], after[1]["nr_free"] * 4096, "the 32-bit freeram")


@test(15, "busybox free and uptime show the same")
def busybox():
    r, lines, fields, after, tasks = shown()
    free = r.out.split("== free\n", 1)[1].splitlines()
    mem = [l.split() for l in free if l.startswith("Mem:")]
    expect(mem, "busybox free prints a Mem: line", free)
    expect_equal(int(mem[0][1]), after[0]["nr_frames"] * 4, "free's total (KiB)")
    up = r.out.split("== uptime\n", 1)[1].splitlines()
    expect(len(up) >= 2 and "load average:" in up[0], "busybox uptime prints the loads", up)
    loads = up[0].split("load average:")[1].replace(",", " ").split()
    expect_equal(loads, up[1].split()[:3], "uptime's load averages against /proc/loadavg")


if __name__ == "__main__":
    run_tests()
