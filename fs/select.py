"""fs/select.py - select(2) and pselect6(2): poll with fd_set bitmaps.

An fd_set is an array of longs with bit fd set for each fd of interest; the
kernel reads the three sets for fds below n, turns each file's poll mask
into "readable", "writable" and "exceptional", and writes the three result
sets back over the arguments.  As on Linux, n is clipped to the size of the
fd table, an fd in a set that is not open is EBADF, the time left is
written back to the timeout, and select is restarted transparently (with
that time left) when a signal interrupts it but no handler runs.
"""

import struct

from kernel.abi import s32
from kernel.errno import EBADF, EINTR, EINVAL, ERESTARTNOHAND, Errno
from fs.file import (POLLERR, POLLHUP, POLLIN, POLLOUT, POLLPRI, POLLRDBAND,
                     POLLRDNORM, POLLWRBAND, POLLWRNORM, fget)
from fs.poll import (NSEC_PER_SEC, deadline_after_ns, get_timespec_ns,
                     poll_wait_loop, put_remaining, restore_saved_sigmask_unless,
                     set_user_sigmask, then, time_bits, vfs_poll)
from mm.uaccess import copy_from_user, copy_to_user

POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR
POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR
POLLEX_SET = POLLPRI

NR_OPEN_DEFAULT = 64


def max_fds(t):
    """The size of the fd table as Linux would have grown it: 64 slots,
    then a power of two times 128 once an fd at or above 64 was used."""
    top = max(t.files.fd, default=0)
    if top < NR_OPEN_DEFAULT:
        return NR_OPEN_DEFAULT
    n = top // 128 + 1
    p = 1
    while p < n:
        p <<= 1
    return max(p * 128, NR_OPEN_DEFAULT)


def _fds_bytes(n, bits):
    word = bits // 8
    return (n + bits - 1) // bits * word


def _get_set(t, addr, n, bits):
    if not addr:
        return 0
    raw = copy_from_user(t.mm, addr, _fds_bytes(n, bits))
    return int.from_bytes(raw, "little") & ((1 << n) - 1)


def _put_set(t, addr, n, bits, value):
    if addr:
        copy_to_user(t.mm, addr, value.to_bytes(_fds_bytes(n, bits), "little"))


def core_sys_select(t, n, inp, outp, exp, deadline, bits):
    """The select loop.  Returns a count, -errno, or a generator."""
    n = s32(n)
    if n < 0:
        raise Errno(EINVAL)
    n = min(n, max_fds(t))
    sets = [_get_set(t, a, n, bits) for a in (inp, outp, exp)]
    want = sets[0] | sets[1] | sets[2]
    fds = []
    while want:
        low = want & -want
        fds.append(low.bit_length() - 1)
        want ^= low
    res = [0, 0, 0]

    def scan():
        count = 0
        queues = []
        r_in = r_out = r_ex = 0
        for fd in fds:
            f = fget(t, fd)
            if f is None:
                raise Errno(EBADF)
            mask, qs = vfs_poll(f, t)
            queues.extend(qs)
            bit = 1 << fd
            if sets[0] & bit and mask & POLLIN_SET:
                r_in |= bit
                count += 1
            if sets[1] & bit and mask & POLLOUT_SET:
                r_out |= bit
                count += 1
            if sets[2] & bit and mask & POLLEX_SET:
                r_ex |= bit
                count += 1
        res[:] = [r_in, r_out, r_ex]
        return count, queues

    def finish(r):
        if r >= 0:
            for addr, value in zip((inp, outp, exp), res):
                _put_set(t, addr, n, bits, value)
        return r
    return then(poll_wait_loop(t, scan, deadline), finish)


def _do_select(t, n, inp, outp, exp, tvp, deadline, zero_timeout, fmt, usec, bits):
    def finish(r):
        restore_saved_sigmask_unless(t, r == -ERESTARTNOHAND)
        if tvp and not zero_timeout:
            if not put_remaining(t, tvp, deadline, fmt, usec) and r == -ERESTARTNOHAND:
                r = -EINTR
        return r
    try:
        res = core_sys_select(t, n, inp, outp, exp, deadline, bits)
    except Errno:
        restore_saved_sigmask_unless(t, False)
        raise
    return then(res, finish)


def sys_select(t, n, inp, outp, exp, tvp):
    bits = t.arch.BITS
    fmt = "<qq" if bits == 64 else "<ii"
    deadline = None
    zero = False
    if tvp:
        sec, usec = struct.unpack(fmt, copy_from_user(t.mm, tvp, struct.calcsize(fmt)))
        # C arithmetic: the quotient truncates, the remainder keeps the sign
        q = abs(usec) // 1000000
        sec += q if usec >= 0 else -q
        nsec = (abs(usec) % 1000000) * 1000 * (1 if usec >= 0 else -1)
        if sec < 0 or nsec < 0:
            return -EINVAL
        ns = sec * NSEC_PER_SEC + nsec
        zero = ns == 0
        deadline = deadline_after_ns(ns)
    return _do_select(t, n, inp, outp, exp, tvp, deadline, zero, fmt, True, bits)


def sys_pselect6(t, n, inp, outp, exp, tsp, sig):
    bits = t.arch.BITS
    tbits = time_bits(t)
    fmt = "<qq" if tbits == 64 else "<ii"
    deadline = None
    zero = False
    if tsp:
        ns = get_timespec_ns(t, tsp, tbits)
        zero = ns == 0
        deadline = deadline_after_ns(ns)
    if sig:
        pfmt = "<QQ" if bits == 64 else "<II"
        up, size = struct.unpack(pfmt, copy_from_user(t.mm, sig, struct.calcsize(pfmt)))
        set_user_sigmask(t, up, size)
    return _do_select(t, n, inp, outp, exp, tsp, deadline, zero, fmt, False, bits)
