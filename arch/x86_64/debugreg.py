"""arch/x86_64/debugreg.py - a traced thread's debug registers (DR0-DR7).

A debugger reads and writes them with PTRACE_PEEKUSER/POKEUSER at
offsetof(struct user, u_debugreg[n]) (gdb writes DR7 = 0 when it first
resumes a thread, and reads DR6 after every SIGTRAP to see whether a
watchpoint fired).  As in Linux each thread keeps:

 - DR0..DR3, the breakpoint addresses (user addresses only);
 - DR7, the control word: which of them are enabled, for what access
   (execute, write, read/write) and how long; validated as Linux's
   ptrace_write_dr7 does (no I/O breakpoints, aligned lengths, execute
   breakpoints of length 1);
 - the "virtual DR6": what the last debug exception was (a single step
   sets DR_STEP, a hardware breakpoint DR_TRAPn).  Linux stores it with
   the reserved bits flipped (virtual_dr6); reads give back the hardware
   polarity, 0xffff0ff0 when nothing happened.

Enabled breakpoints are the host CPU's: the guest runs on it, so the
thread's DR0-3 and DR7 are written into its host process when it is
switched in (load_debugregs, from skas/userspace.py), and a debug trap the
host reports is read back into the virtual DR6 (debug_trap).  A thread with
DR7 == 0 costs nothing.  A new task starts without any (Task.debugregs is
None), as Linux's fork does.
"""

from kernel.errno import EINVAL, EIO, Errno
from skas import ptrace

HBP_NUM = 4
DR6_RESERVED = 0xFFFF0FF0
DR_STEP = 0x4000
DR_TRAP_BITS = 0xF
DR_CONTROL_RESERVED = 0xFC00          # bits Linux clears from DR7 writes
TASK_SIZE_MAX = 0x7FFFFFFFF000

# offsetof(struct user, u_debugreg) in each view
USER64_DEBUGREG = 848
USER32_DEBUGREG = 252

_LEN_BYTES = {0: 1, 1: 2, 3: 4, 2: 8}  # DR7 LENn encoding -> bytes


class DebugRegs:
    __slots__ = ("addr", "dr7", "virtual_dr6")

    def __init__(self):
        self.addr = [0, 0, 0, 0]
        self.dr7 = 0
        self.virtual_dr6 = 0


def _regs(t, create=False):
    d = t.debugregs
    if d is None and create:
        d = t.debugregs = DebugRegs()
    return d


def _decode(dr7, i):
    """(enabled, length in bytes, type) of breakpoint i in a DR7 value."""
    enabled = (dr7 >> (i * 2)) & 3
    ctl = (dr7 >> (16 + i * 4)) & 0xF
    return bool(enabled), _LEN_BYTES[ctl >> 2], ctl & 3


def _check(addr, length, rw):
    """Linux's arch_build_bp_info + checks: EINVAL for what it refuses."""
    if rw == 2:                                     # I/O breakpoints
        raise Errno(EINVAL)
    if rw == 0 and length != 1:                     # execute: length 1 only
        raise Errno(EINVAL)
    if addr & (length - 1):
        raise Errno(EINVAL)
    if addr + length > TASK_SIZE_MAX:
        raise Errno(EINVAL)


def get_debugreg(t, n):
    d = _regs(t)
    if n < HBP_NUM:
        return d.addr[n] if d else 0
    if n == 6:
        return (d.virtual_dr6 if d else 0) ^ DR6_RESERVED
    if n == 7:
        return d.dr7 if d else 0
    return 0


def set_debugreg(t, n, val):
    """POKEUSER of u_debugreg[n]; raises Errno as Linux fails."""
    if n < HBP_NUM:
        d = _regs(t, True)
        if val >= TASK_SIZE_MAX:
            raise Errno(EINVAL)
        en, length, rw = _decode(d.dr7, n)
        if en:
            _check(val, length, rw)
        d.addr[n] = val
    elif n == 6:
        _regs(t, True).virtual_dr6 = val ^ DR6_RESERVED
    elif n == 7:
        d = _regs(t, True)
        val &= ~DR_CONTROL_RESERVED
        for i in range(HBP_NUM):
            en, length, rw = _decode(val, i)
            if en:
                _check(d.addr[i], length, rw)
        d.dr7 = val
    else:
        raise Errno(EIO)                            # there is no DR4 or DR5
    _mark_changed(t)


def _mark_changed(t):
    ctx = t.mm.context if t.mm is not None else None
    if ctx is not None and ctx.dr_task is t:
        ctx.dr_task = None                          # reload at the next switch


# -- the host side ---------------------------------------------------------------

def load_debugregs(ctx, t):
    """t is about to run in ctx's host process: give the host CPU t's
    enabled breakpoints (and clear another thread's)."""
    if ctx.dr_task is t:
        return
    d = _regs(t)
    want = d.dr7 if d else 0
    have = ctx.dr7_loaded
    if want or have:
        pid = ctx.pid
        off = USER64_DEBUGREG
        ptrace.ptrace(ptrace.PTRACE_POKEUSER, pid, off + 7 * 8, 0)
        if want:
            for i in range(HBP_NUM):
                ptrace.ptrace(ptrace.PTRACE_POKEUSER, pid, off + i * 8, d.addr[i])
            ptrace.ptrace(ptrace.PTRACE_POKEUSER, pid, off + 7 * 8, want)
        ctx.dr7_loaded = want
    ctx.dr_task = t


def debug_trap(t, ctx, si_code):
    """The host reported a debug exception (SIGTRAP, TRAP_TRACE or
    TRAP_HWBKPT) for t: note it in t's virtual DR6, as Linux's
    exc_debug_user does (DR_STEP, and the breakpoints that fired)."""
    d = _regs(t)
    if d is None and si_code != 2:                  # TRAP_TRACE
        return
    d = _regs(t, True)
    d.virtual_dr6 = DR_STEP if si_code == 2 else 0
    if d.dr7 and ctx.dr7_loaded:
        try:
            dr6 = ptrace.ptrace(ptrace.PTRACE_PEEKUSER, ctx.pid, USER64_DEBUGREG + 6 * 8)
        except ptrace.PtraceError:
            return
        d.virtual_dr6 |= ((dr6 & 0xFFFFFFFFFFFFFFFF) ^ DR6_RESERVED) & DR_TRAP_BITS
