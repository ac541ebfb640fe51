"""fs/poll.py - poll(2) and ppoll(2), and the waiting loop select shares.

Every kind of file answers "what could I do now without blocking?" through
its f_op.poll(f, t), which returns the ready mask and the wait queues a
change would be announced on.  poll() asks each file in turn; if nothing is
ready it sleeps on all their queues at once (with the deadline), and asks
again when any of them is woken, as Linux's do_poll() does.

Signals: poll returns EINTR to a handler whatever SA_RESTART says, and
restarts transparently (with the time left) when no handler runs; ppoll and
pselect run the wait with the caller's temporary signal mask, which is put
back when the call returns, or after the handler of the signal that
interrupted it (the handler's frame saves the original mask).
"""

import struct

from kernel.abi import RLIMIT_NOFILE, s16, s32
from kernel.sched import is_generator
from kernel import sched
from kernel.errno import EFAULT, EINTR, EINVAL, ERESTARTNOHAND, ERESTART_RESTARTBLOCK, Errno
from kernel.signal import UNBLOCKABLE, signal_pending
from fs.file import POLLERR, POLLHUP, POLLNVAL, fget
from mm.uaccess import copy_from_user, copy_to_user
from kernel.time import RestartBlock

NSEC_PER_SEC = 10**9
_POLLFD = struct.Struct("<ihh")


def vfs_poll(f, t):
    """(mask, wait queues) of an open file."""
    return f.f_op.poll(f, t)


# -- timeouts and signal masks ----------------------------------------------------

def deadline_after_ns(ns):
    """A scheduler deadline ns nanoseconds from now (None: forever)."""
    if ns is None:
        return None
    return sched.now() + ns / NSEC_PER_SEC


def time_left_ns(deadline):
    if deadline is None:
        return None
    return max(0, int((deadline - sched.now()) * NSEC_PER_SEC))


def set_user_sigmask(t, uaddr, size):
    """ppoll, pselect6, epoll_pwait: run the wait with another signal mask."""
    if not uaddr:
        return
    if size != 8:
        raise Errno(EINVAL)
    mask = int.from_bytes(copy_from_user(t.mm, uaddr, 8), "little")
    t.saved_sigmask = t.blocked
    t.blocked = mask & ~UNBLOCKABLE


def restore_saved_sigmask_unless(t, interrupted):
    """Put the caller's mask back now, unless a signal is about to be
    delivered: then its frame saves the original mask (kernel/signal.py)."""
    if t.saved_sigmask is None:
        return
    if interrupted and signal_pending(t):
        return
    t.blocked = t.saved_sigmask
    t.saved_sigmask = None


# -- the wait loop -------------------------------------------------------------------

def poll_wait_loop(t, scan, deadline):
    """Call scan() -> (count, queues) until it finds something, the deadline
    passes (0) or a signal arrives (-ERESTARTNOHAND).  Returns the count, or
    a generator when it must sleep."""
    count, queues = scan()
    if count or (deadline is not None and sched.now() >= deadline):
        return count
    if signal_pending(t):
        return -ERESTARTNOHAND
    return _sleep_loop(t, scan, deadline, queues)


def _sleep_loop(t, scan, deadline, queues):
    while True:
        yield sched.Sleep(tuple(queues), deadline)
        count, queues = scan()
        if count or (deadline is not None and sched.now() >= deadline):
            return count
        if signal_pending(t):
            return -ERESTARTNOHAND


def then(res, fn):
    """Apply fn to a result that may be a generator's."""
    if is_generator(res):
        return _then_gen(res, fn)
    return fn(res)


def _then_gen(gen, fn):
    r = yield from gen
    return fn(r)


# -- poll ------------------------------------------------------------------------------

def _read_pollfds(t, ufds, nfds):
    nfds &= 0xFFFFFFFF
    if nfds > t.signal.rlim[RLIMIT_NOFILE][0]:
        raise Errno(EINVAL)
    raw = copy_from_user(t.mm, ufds, nfds * _POLLFD.size) if nfds else b""
    return [list(e) for e in _POLLFD.iter_unpack(raw)]


def _poll_scan(t, entries):
    def scan():
        count = 0
        queues = []
        for e in entries:
            fd, events = e[0], e[1] & 0xFFFF
            if fd < 0:
                e[2] = 0
                continue
            f = fget(t, fd)
            if f is None:
                e[2] = POLLNVAL
                count += 1
                continue
            mask, qs = vfs_poll(f, t)
            queues.extend(qs)
            mask &= events | POLLERR | POLLHUP
            e[2] = s16(mask)
            if mask:
                count += 1
        return count, queues
    return scan


def _write_revents(t, ufds, entries):
    if entries:
        copy_to_user(t.mm, ufds, b"".join(_POLLFD.pack(*e) for e in entries))


def do_sys_poll(t, ufds, nfds, deadline):
    entries = _read_pollfds(t, ufds, nfds)

    def finish(r):
        if r >= 0:
            _write_revents(t, ufds, entries)
        return r
    return then(poll_wait_loop(t, _poll_scan(t, entries), deadline), finish)


def sys_poll(t, ufds, nfds, timeout_msecs):
    ms = s32(timeout_msecs)
    deadline = deadline_after_ns(ms * 1000000) if ms >= 0 else None
    return _poll_restartable(t, ufds, nfds, deadline)


def _poll_restartable(t, ufds, nfds, deadline):
    def finish(r):
        if r == -ERESTARTNOHAND:
            # no handler: restart_syscall(2) resumes with the time left
            t.restart_block = RestartBlock(
                lambda t2: _poll_restartable(t2, ufds, nfds, deadline))
            return -ERESTART_RESTARTBLOCK
        return r
    return then(do_sys_poll(t, ufds, nfds, deadline), finish)


def time_bits(t):
    """Width of a struct timespec's fields for t: 32 for i386 calls, but 64
    for i386's *_time64 calls (arch/x86 sets t.time64 for those)."""
    return 64 if t.arch.BITS == 64 or t.time64 else 32


def get_timespec_ns(t, addr, bits=None):
    """A guest struct timespec in ns; EINVAL if it is not a valid one."""
    bits = bits or time_bits(t)
    fmt = "<qq" if bits == 64 else "<ii"
    sec, nsec = struct.unpack(fmt, copy_from_user(t.mm, addr, struct.calcsize(fmt)))
    if sec < 0 or not 0 <= nsec < NSEC_PER_SEC:
        raise Errno(EINVAL)
    return sec * NSEC_PER_SEC + nsec


STICKY_TIMEOUTS = 0x4000000             # personality(2)


def put_remaining(t, addr, deadline, fmt, usec=False):
    """Write the time left back to the guest (select, pselect6, ppoll do).
    Returns False if the guest's memory is not writable."""
    if t.personality & STICKY_TIMEOUTS:
        return True                     # the timeout is left as the caller gave it
    left = time_left_ns(deadline)
    sec, ns = divmod(left, NSEC_PER_SEC)
    try:
        copy_to_user(t.mm, addr, struct.pack(fmt, sec, ns // 1000 if usec else ns))
    except Errno as e:
        if e.errno == EFAULT:
            return False
        raise
    return True


def sys_ppoll(t, ufds, nfds, tsp, sigmask, sigsetsize):
    bits = time_bits(t)
    deadline = None
    timeout_ns = None
    if tsp:
        timeout_ns = get_timespec_ns(t, tsp, bits)
        deadline = deadline_after_ns(timeout_ns)
    set_user_sigmask(t, sigmask, sigsetsize)

    def finish(r):
        restore_saved_sigmask_unless(t, r == -ERESTARTNOHAND)
        if tsp and timeout_ns:
            fmt = "<qq" if bits == 64 else "<ii"
            if not put_remaining(t, tsp, deadline, fmt) and r == -ERESTARTNOHAND:
                r = -EINTR
        return r
    try:
        res = do_sys_poll(t, ufds, nfds, deadline)
    except Errno:
        restore_saved_sigmask_unless(t, False)
        raise
    return then(res, finish)
