"""arch/x86/oldsignal.py - i386's signal calls from before real-time signals.

sigaction, signal, sigprocmask, sigpending, sigsuspend, sgetmask and
ssetmask work on old_sigset_t, one 32-bit word: the first 32 signals.  The
rt_* calls replaced them, but they stay in the i386 table and old programs
(and some libcs' fallbacks) use them.  Each does what its rt_ counterpart
does to the low word of the task's 64-signal masks and leaves the rest.
"""

import struct

from kernel.abi import s32
from kernel.errno import EINVAL, ERESTARTNOHAND, Errno
from kernel.signal import (SA_NODEFER, SA_RESETHAND, SIGKILL, SIGSTOP, SIG_BLOCK, SIG_SETMASK,
                           SIG_UNBLOCK, SigAction, UNBLOCKABLE, _NSIG, set_current_blocked,
                           sig_ignored, sigmask, signal_pending)
from mm.uaccess import copy_from_user, copy_to_user, get_user_u32, put_user_u32
from kernel import sched

_M32 = 0xFFFFFFFF
_LOW = _M32
_OLD_SIGACTION = struct.Struct("<IIII")          # handler, mask, flags, restorer


def do_sigaction(t, sig, new):
    """Install new (a SigAction or None) for sig; returns the old action."""
    if sig < 1 or sig > _NSIG:
        raise _inval()
    if new is not None and sig in (SIGKILL, SIGSTOP):
        raise _inval()
    old = t.sighand.action[sig]
    if new is not None:
        new.mask &= ~UNBLOCKABLE
        t.sighand.action[sig] = new
        if sig_ignored(t, sig):
            for th in t.thread_group():
                th.pending.flush(sigmask(sig))
            t.signal.shared_pending.flush(sigmask(sig))
    return old


def _inval():
    return Errno(EINVAL)


def sys_sigaction(t, sig, act, oact):
    new = None
    if act:
        handler, mask, flags, restorer = _OLD_SIGACTION.unpack(
            copy_from_user(t.mm, act, _OLD_SIGACTION.size))
        new = SigAction(handler, flags, restorer, mask)
    old = do_sigaction(t, s32(sig), new)
    if oact:
        copy_to_user(t.mm, oact, _OLD_SIGACTION.pack(old.handler & _M32, old.mask & _LOW,
                                                     old.flags & _M32, old.restorer & _M32))
    return 0


def sys_signal(t, sig, handler):
    """signal(2) as the kernel call: a one-shot handler, not blocked
    while it runs; returns the previous handler."""
    old = do_sigaction(t, s32(sig), SigAction(handler, SA_RESETHAND | SA_NODEFER, 0, 0))
    return old.handler & _M32


def sys_sigprocmask(t, how, nset, oset):
    old = t.blocked & _LOW
    if nset:
        new = get_user_u32(t.mm, nset) & ~UNBLOCKABLE
        how = s32(how)
        if how == SIG_BLOCK:
            blocked = t.blocked | new
        elif how == SIG_UNBLOCK:
            blocked = t.blocked & ~new
        elif how == SIG_SETMASK:
            blocked = (t.blocked & ~_LOW) | new
        else:
            return -EINVAL
        set_current_blocked(t, blocked)
    if oset:
        put_user_u32(t.mm, oset, old)
    return 0


def sys_sigpending(t, uset):
    pend = (t.pending.signal | t.signal.shared_pending.signal) & t.blocked
    put_user_u32(t.mm, uset, pend & _LOW)
    return 0


def sys_sigsuspend(t, unused1, unused2, mask):
    """i386's three-argument sigsuspend: the mask is the third."""
    t.saved_sigmask = t.blocked
    set_current_blocked(t, (t.blocked & ~_LOW) | (mask & _LOW))

    def wait():
        while not signal_pending(t):
            yield sched.Sleep((), None)
        return -ERESTARTNOHAND
    return wait()


def sys_sgetmask(t):
    return t.blocked & _LOW


def sys_ssetmask(t, newmask):
    old = t.blocked & _LOW
    set_current_blocked(t, s32(newmask) & ((1 << 64) - 1))
    return old
