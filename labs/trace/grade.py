#!/usr/bin/env python3
"""Grader of lab trace: a per-process system call trace mask."""

import errno
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gradelib import *  # noqa: E402,F401,F403

LINE = re.compile(r"^\[[ \d.]+\] (\d+): syscall (\w+|#\d+) -> (-?\d+)$")


def traced(r):
    """[(pid, name, result)] of the kernel's trace lines."""
    return [(int(m.group(1)), m.group(2), int(m.group(3)))
            for m in map(LINE.match, r.log.splitlines()) if m]


def per_pid(seq):
    """{n: [(name, result)]}, processes numbered in order of appearance, and
    pids in results replaced by those numbers (pids differ between runs)."""
    order = {}
    for pid, _, _ in seq:
        order.setdefault(pid, len(order))
    out = {}
    for pid, name, ret in seq:
        if name in ("getpid", "fork", "clone", "wait4", "vfork") and ret in order:
            ret = "pid%d" % order[ret]
        out.setdefault(order[pid], []).append((name, ret))
    return out


def host_strace(calls, argv):
    """The same program under the host's strace -f: [(pid, name, result)]."""
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as f:
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=" + calls, "-o", f.name] + argv,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
                       cwd="/")
        text = f.read()
    out = []
    for line in text.splitlines():
        if "<unfinished" in line or "+++" in line or "---" in line:
            continue
        m = re.match(r"^(\d+) +(?:<\.\.\. (\w+) resumed>|(\w+)\().*\) += (-?\d+)(?: (E\w+))?", line)
        if not m:
            continue
        ret = int(m.group(4))
        if ret == -1 and m.group(5):
            ret = -getattr(errno, m.group(5))
        out.append((int(m.group(1)), m.group(2) or m.group(3), ret))
    return out


def tracer(calls, *args):
    return "%s %s %s %s" % (lab_prog("trace"), calls, lab_prog("tracetest"), " ".join(args))


@test(20, "trace getpid: each getpid logged with its result")
def getpid():
    r = guest(tracer("getpid", "getpid", "3"))
    r.expect_no_oops()
    m = r.expect_out(r"^pid (\d+)$", "tracetest prints its pid")
    pid = int(m.group(1))
    expect_equal(traced(r), [(pid, "getpid", pid)] * 3,
                 "the trace lines: three times 'PID: syscall getpid -> PID'")


@test(20, "only the calls in the mask, with the results the host's strace shows")
def mask():
    calls = "openat,read,write,close"
    r = guest(tracer(calls, "files", "/etc/passwd"))
    r.expect_status(0)
    host = host_strace(calls, [lab_prog("tracetest"), "files", "/etc/passwd"])
    expect(host, "the host's strace saw the calls")
    expect_equal(per_pid(traced(r)), per_pid(host), "(call, result) in order, traced by "
                 "pyuml (the mask: %s) and by the host's strace" % calls)


@test(15, "the mask is inherited across fork and kept across execve")
def family():
    calls = "getpid,fork,clone,execve,wait4"
    r = guest(tracer(calls, "family"))
    r.expect_status(0)
    host = host_strace(calls, [lab_prog("tracetest"), "family"])
    got = per_pid(traced(r))
    expect(len(got) == 2, "lines from the parent and from its child", traced(r))
    expect_equal(got, per_pid(host), "each process's traced calls and results, against the "
                 "host's strace -f")


@test(10, "a process nobody traced logs nothing")
def untraced():
    t = lab_prog("tracetest")
    r = guest("%s getpid 5 > /tmp/a & %s; wait; cat /tmp/a" % (t, tracer("getpid", "getpid", "2")))
    r.expect_no_oops()
    pids = [int(x) for x in re.findall(r"^pid (\d+)$", r.out, re.M)]
    expect(len(pids) == 2, "both tracetests ran", r.out)
    lines = traced(r)
    expect(lines and {p for p, _, _ in lines} == {pids[0]},
           "only the traced process (pid %d) has trace lines, two of them" % pids[0], lines)
    expect_equal(len(lines), 2, "the number of trace lines")


@test(15, "a call that sleeps is logged when it returns")
def sleeping():
    r = guest(tracer("read,wait4", "sleep"))
    r.expect_status(0)
    got = [(n, ret) for _, n, ret in traced(r)]
    expect(len(got) == 2 and got[0] == ("read", 5) and got[1][0] == "wait4" and got[1][1] > 0,
           "the parent's read of the pipe (5 bytes, after sleeping until the child wrote) "
           "and its wait4 (the child's pid)", got)


@test(10, "trace(2): EFAULT, EINVAL, and a NULL mask turns tracing off")
def api():
    r = guest(lab_prog("tracetest") + " api")
    r.expect_status(0)
    expect_equal(r.out.splitlines(), ["bad pointer: -1 Bad address",
                                      "too big: -1 Invalid argument", "getpid on: 0",
                                      "off: 0", "done"], "tracetest api")
    expect_equal([n for _, n, _ in traced(r)], ["getpid"], "calls traced between on and off")


@test(10, "trace all through a busybox pipeline: every line well formed")
def everything():
    r = guest("%s all busybox sh -c 'busybox echo hi | busybox tr a-z A-Z'" % lab_prog("trace"))
    r.expect_no_oops()
    r.expect_status(0)
    expect("HI" in r.out, "the pipeline's output", r.out)
    lines = traced(r)
    names = {n for _, n, _ in lines}
    expect(len({p for p, _, _ in lines}) >= 3 and {"execve", "read", "write"} <= names,
           "lines from the shell and both of its children, execve, read and write among them",
           sorted(names))
    bad = [l for l in r.log.splitlines() if ": syscall " in l and not LINE.match(l)]
    expect(not bad, "every trace line is 'PID: syscall NAME -> RESULT'", bad[:3])


if __name__ == "__main__":
    run_tests()
