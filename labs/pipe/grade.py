#!/usr/bin/env python3
"""Grader of lab pipe: the pipe buffer, blocking and waking, O_NONBLOCK,
SIGPIPE and EPIPE."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gradelib import *  # noqa: E402,F401,F403

MODES = ["fill", "epipe", "eof", "nonblock", "atomic"]


@once
def runs():
    prog = lab_prog("pipetest")
    script = modes_script(prog, MODES)
    r = guest(script)
    r.expect_no_oops()
    return sections(r.out), sections(native(script).out)


def same(mode, what):
    got, want = runs()
    expect_same_section(got, want, mode, "pipetest %s under pyuml and natively: %s"
                        % (mode, what))


@test(25, "a pipe holds 16 pages: non-blocking writes of each size fill it as on Linux")
def capacity():
    same("fill", "bytes written before EAGAIN, for writes of 1, 100, 4096, 5000 and "
         "65536 bytes; what poll(POLLOUT) says when full and after one byte is read")


@test(20, "a writer sleeps while the pipe is full, and is woken as it drains")
def blocking():
    r = guest(lab_prog("pipetest") + " block", kstate=True)
    r.expect_no_oops()
    r.expect_out(r"^the writer sleeps$", "the 200 KiB writer went to sleep")
    full, writer = r.record("full"), r.record("writer")
    p = full.get("pipe")
    expect(p is not None, "kstate sees a pipe behind the reader's fd", full)
    expect_equal(p["nbytes"], 65536, "bytes in the pipe while the writer sleeps")
    expect(writer["state"] == "S" and writer["pid"] in p["wr_waiters"],
           "the writer sleeps on the pipe's writer queue", (writer["state"], p["wr_waiters"]))
    r.expect_out(r"^read 204800 bytes; the writer's write returned all: 1$",
                 "the reader gets all 200 KiB, and the one write() returns all of it")


@test(20, "no reader: SIGPIPE, or EPIPE when SIGPIPE is ignored")
def epipe():
    same("epipe", "the writer's fate")


@test(15, "O_NONBLOCK on an empty pipe: EAGAIN")
def nonblock():
    same("nonblock", "reads with O_NONBLOCK")


@test(10, "end of file once the last writer is gone", starter="pass")
def eof():
    same("eof", "reads after the writer exits")


@test(10, "writes of 4096 bytes are atomic; a shell pipeline works", starter="pass")
def atomic():
    same("atomic", "records from four writers")
    r = guest("busybox seq 1 20000 | busybox wc -l")
    r.expect_out(r"^20000$", "busybox seq | wc -l")


if __name__ == "__main__":
    run_tests()
