"""arch/x86/compat.py - `int $0x80` in 64-bit code, and per-call ABI views.

A 64-bit program may execute `int $0x80`.  Linux then runs an i386 system
call: the i386 number in eax, 32-bit arguments in ebx ecx edx esi edi ebp,
and the 32-bit ("compat") layouts for whatever structures the call reads
or writes; the result comes back sign-extended in rax.  The host stops such
a call like any other (SYSEMU) with the i386 number in orig_rax; only the
instruction (cd 80) or PTRACE_GET_SYSCALL_INFO's arch field tell the two
apart (arch/x86_64's syscall_abi asks, and hands the call to INT80_ABI).

INT80_ABI dispatches with the i386 table and register convention.  While
its handler runs (a sleeping one included: each time its generator is
resumed) the task is seen through arch/x86 (task.arch), so the common
handlers, which choose structure layouts by task.arch.BITS, pick the 32-bit
ones.  The calls that create or replace tasks keep the task's own arch,
since they copy it into the new task or replace it.

with_view() is the general tool: run a handler with some task attribute
set for the length of the call, generator or not.  The *_time64 calls use it
too (arch/x86/time64.py).
"""

import sys

from kernel.syscall import is_generator, syscall_handler

_ARCH = sys.modules["arch.x86"]


def with_view(fn, enter, leave):
    """fn wrapped so that enter(t) runs before and leave(t, token) after
    every piece of it (the call, and each resumption of a generator)."""
    nargs = fn.__code__.co_argcount - 1

    def call(t, *args):
        token = enter(t)
        try:
            ret = fn(t, *args[:nargs])
        finally:
            leave(t, token)
        if is_generator(ret):
            return _resumed(t, ret, enter, leave)
        return ret

    def wrapper(t, a0=0, a1=0, a2=0, a3=0, a4=0, a5=0):
        return call(t, a0, a1, a2, a3, a4, a5)
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _resumed(t, gen, enter, leave):
    value = None
    while True:
        token = enter(t)
        try:
            sl = gen.send(value)
        except StopIteration as e:
            return e.value
        finally:
            leave(t, token)
        value = yield sl


# -- int $0x80 from 64-bit code ------------------------------------------------------

def _enter_compat(t):
    saved = t.arch
    t.arch = _ARCH
    return saved


def _leave_compat(t, saved):
    if t.arch is _ARCH:         # unless the call replaced it (a 32-bit exec)
        t.arch = saved


# calls that must see the task's own subarch
_OWN_ARCH = {"fork", "vfork", "clone", "clone3", "execve", "execveat",
             "exit", "exit_group", "sigreturn", "rt_sigreturn"}


class _Int80Overrides:
    """SYSCALL_OVERRIDES for INT80_ABI: arch/x86's entry (or the common
    handler) for each i386 name, seen through arch/x86."""

    def get(self, name):
        fn = _ARCH.SYSCALL_OVERRIDES.get(name) or syscall_handler(name)
        if fn is None:
            return None
        if name in _OWN_ARCH:
            if name in ("sigreturn", "rt_sigreturn"):
                return None     # a 32-bit frame in a 64-bit process: ENOSYS
            return fn
        return with_view(fn, _enter_compat, _leave_compat)


class INT80_ABI:
    """The i386 ABI as reached by `int $0x80` from 64-bit code."""
    NAME = "i386 (int $0x80 from 64-bit code)"
    BITS = 32
    SYSCALLS = _ARCH.SYSCALLS
    SYSCALL_OVERRIDES = _Int80Overrides()
    syscall_nr = staticmethod(_ARCH.syscall_nr)
    syscall_args = staticmethod(_ARCH.syscall_args)
