#!/usr/bin/env python3
"""Grader of lab signal: signal frames and rt_sigreturn (x86_64)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gradelib import *  # noqa: E402,F401,F403

MODES = ["info", "context", "regs", "fpu", "nested", "altstack", "mask"]


@once
def runs():
    """Every mode, musl and glibc, in one boot; and natively."""
    out = {}
    for libc in ("musl", "glibc"):
        prog = lab_prog("sigtest", libc)
        script = modes_script(prog, MODES)
        r = guest(script)
        r.expect_no_oops()
        out[libc] = (sections(r.out), sections(native(script).out), r)
    return out


def same_as_linux(mode, what):
    for libc, (got, want, r) in runs().items():
        expect_same_section(got, want, mode,
                            "sigtest %s (%s): %s, under pyuml and natively"
                            % (mode, libc, what))


@test(15, "SA_SIGINFO: the siginfo of kill, sigqueue, tgkill and a fault")
def info():
    same_as_linux("info", "signo, code, pid, uid, value, fault address")


@test(15, "the ucontext: the saved mask, and a handler that moves the pc past a fault")
def context():
    same_as_linux("context", "uc_sigmask, uc_link, uc_stack, fpstate")
    same_as_linux("info", "a SIGSEGV handler that edits uc_mcontext")


@test(15, "every general register survives a handler", starter="pass")
def regs():
    same_as_linux("regs", "registers after a handler that zeroes the caller-saved ones")


@test(15, "the SSE state survives a handler that uses it")
def fpu():
    same_as_linux("fpu", "xmm1 and xmm7 around a handler")


@test(15, "a handler interrupted by another, and SA_NODEFER")
def nested():
    same_as_linux("nested", "the order handlers start and finish in")


@test(10, "sigaltstack: SA_ONSTACK handlers, a stack overflow caught")
def altstack():
    same_as_linux("altstack", "where the handlers run")


@test(10, "the mask during and after a handler, SA_RESETHAND", starter="pass")
def mask():
    same_as_linux("mask", "what is blocked")


@test(5, "busybox sh's trap", starter="pass")
def trap():
    script = ("busybox sh -c 'trap \"echo got USR1\" USR1; trap \"echo got TERM; exit 3\" TERM; "
              "kill -USR1 $$; echo after; kill -TERM $$; echo not reached'; echo rc=$?")
    r, n = guest(script), native(script)
    expect_equal(r.out, n.out, "trap handlers in busybox sh")


if __name__ == "__main__":
    run_tests()
