"""io_uring/timeout.py - IORING_OP_TIMEOUT, TIMEOUT_REMOVE and LINK_TIMEOUT.

A timeout is a kernel timer (kernel/sched.py's add_timer).  It completes
with ETIME when the timer fires, or with 0 once `off` other completions
have been posted since it was queued (its target sequence; the CQEs of
timeouts do not count, as ctx.cq_timeouts keeps them apart).  A timeout
with IORING_TIMEOUT_MULTISHOT fires again and again (off times, or for
ever with off 0), each CQE with IORING_CQE_F_MORE but the last.

IORING_TIMEOUT_ABS takes the time as a point on the chosen clock
(monotonic, IORING_TIMEOUT_BOOTTIME - the same here - or
IORING_TIMEOUT_REALTIME).  TIMEOUT_REMOVE cancels one (ECANCELED) or, with
IORING_TIMEOUT_UPDATE / IORING_LINK_TIMEOUT_UPDATE, sets it a new time.

A LINK_TIMEOUT follows the request it bounds in a link: it is armed when
that request goes in flight, cancels it if it fires first (its CQE: ETIME),
and is itself cancelled (ECANCELED) when the request completes first.
"""

import struct

from kernel import sched, timekeeping
from kernel.errno import EALREADY, EINVAL, ENOENT, ETIME, Errno
from mm.uaccess import copy_from_user
from io_uring.io_uring import (IORING_CQE_F_MORE, REQ_F_ARM_LTIMEOUT, req_complete,
                               req_set_fail)

IORING_TIMEOUT_ABS = 1 << 0
IORING_TIMEOUT_UPDATE = 1 << 1
IORING_TIMEOUT_BOOTTIME = 1 << 2
IORING_TIMEOUT_REALTIME = 1 << 3
IORING_LINK_TIMEOUT_UPDATE = 1 << 4
IORING_TIMEOUT_ETIME_SUCCESS = 1 << 5
IORING_TIMEOUT_MULTISHOT = 1 << 6
IORING_TIMEOUT_CLOCK_MASK = IORING_TIMEOUT_BOOTTIME | IORING_TIMEOUT_REALTIME
IORING_TIMEOUT_UPDATE_MASK = IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE
IORING_OP_LINK_TIMEOUT = 15
ECANCELED = 125


class TimeoutCmd:
    __slots__ = ("off", "target_seq", "repeats", "flags", "ns", "timer", "head", "link")


def _get_ts(t, addr):
    """A struct __kernel_timespec (64-bit fields on every ABI), in ns."""
    sec, nsec = struct.unpack("<qq", copy_from_user(t.mm, addr, 16))
    if sec < 0 or nsec < 0:
        raise Errno(EINVAL)
    return sec * 1000000000 + nsec


def _popcount(v):
    return bin(v).count("1")


def _prep(req, sqe, is_link):
    if sqe.buf_index or sqe.len != 1 or sqe.splice_fd_in:
        raise Errno(EINVAL)
    off = sqe.off & 0xFFFFFFFF
    if off and is_link:
        raise Errno(EINVAL)
    flags = sqe.op_flags
    if flags & ~(IORING_TIMEOUT_ABS | IORING_TIMEOUT_CLOCK_MASK | IORING_TIMEOUT_ETIME_SUCCESS
                 | IORING_TIMEOUT_MULTISHOT):
        raise Errno(EINVAL)
    if _popcount(flags & IORING_TIMEOUT_CLOCK_MASK) > 1:
        raise Errno(EINVAL)
    if flags & IORING_TIMEOUT_MULTISHOT and flags & IORING_TIMEOUT_ABS:
        raise Errno(EINVAL)             # multishot is relative only
    c = TimeoutCmd()
    c.off = off
    c.repeats = off if flags & IORING_TIMEOUT_MULTISHOT else 0
    c.flags = flags
    c.timer = None
    c.head = None
    c.link = is_link
    c.target_seq = 0
    c.ns = _get_ts(req.task, sqe.addr)
    req.cmd = c
    if is_link:
        ctx = req.ctx
        if ctx.link_head is None:
            raise Errno(EINVAL)
        if ctx.link_last.opcode == IORING_OP_LINK_TIMEOUT:
            raise Errno(EINVAL)
        c.head = ctx.link_last
        ctx.link_last.flags |= REQ_F_ARM_LTIMEOUT


def timeout_prep(req, sqe):
    _prep(req, sqe, False)


def link_timeout_prep(req, sqe):
    _prep(req, sqe, True)


def _deadline(c, ns):
    """When the timer fires, on sched.now()'s (monotonic) clock."""
    if not c.flags & IORING_TIMEOUT_ABS:
        return sched.now() + ns / 1e9
    if c.flags & IORING_TIMEOUT_REALTIME:
        return sched.now() + (ns - timekeeping.ktime_get_real_ns()) / 1e9
    return ns / 1e9                     # CLOCK_MONOTONIC / BOOTTIME: sched.now()'s clock


def _noseq(c):
    return not c.off or c.flags & IORING_TIMEOUT_MULTISHOT


def _arm(req, fn):
    c = req.cmd
    c.timer = sched.add_timer(_deadline(c, c.ns), lambda: fn(req))


def _disarm(c):
    if c.timer is not None:
        sched.del_timer(c.timer)
        c.timer = None


# -- IORING_OP_TIMEOUT ----------------------------------------------------------------------

def timeout_issue(req):
    ctx = req.ctx
    c = req.cmd
    if not _noseq(c):
        tail = (ctx.cached_cq_tail - ctx.cq_timeouts) & 0xFFFFFFFF
        c.target_seq = (tail + c.off) & 0xFFFFFFFF
        ctx.cq_last_tm_flush = tail
    ctx.timeouts.append(req)
    req.cancel_fn = lambda: _timeout_cancel(req)
    _arm(req, _timeout_fired)
    return None


def _finish(c):
    if not c.flags & IORING_TIMEOUT_MULTISHOT:
        return True
    if not c.off:
        return False
    c.repeats -= 1
    return c.repeats <= 0


def _timeout_fired(req):
    ctx = req.ctx
    c = req.cmd
    c.timer = None
    if req.done or ctx.dead:
        return
    if not _finish(c):
        ctx.post_cqe(req.user_data, -ETIME, IORING_CQE_F_MORE, None, req, timeout=True)
        _arm(req, _timeout_fired)
        return
    _remove(req)
    if not c.flags & IORING_TIMEOUT_ETIME_SUCCESS:
        req_set_fail(req)
    _complete_timeout(req, -ETIME)


def _complete_timeout(req, res):
    """A timeout's own CQE (fired or reached its count): it is not one of
    the completions other timeouts count."""
    req_complete(req, res, timeout=True)


def _remove(req):
    ctx = req.ctx
    if req in ctx.timeouts:
        ctx.timeouts.remove(req)
    req.cancel_fn = None


def _timeout_cancel(req):
    _disarm(req.cmd)
    _remove(req)
    req_complete(req, -ECANCELED)
    return True


def io_flush_timeouts(ctx):
    """A CQE was posted: the counted timeouts whose count is reached
    complete with 0."""
    seq = (ctx.cached_cq_tail - ctx.cq_timeouts) & 0xFFFFFFFF
    last = ctx.cq_last_tm_flush
    due = []
    for req in ctx.timeouts:
        c = req.cmd
        if _noseq(c):
            continue
        needed = (c.target_seq - last) & 0xFFFFFFFF
        got = (seq - last) & 0xFFFFFFFF
        if got >= needed:
            due.append(req)
    ctx.cq_last_tm_flush = seq
    for req in due:
        if req.done:
            continue
        _disarm(req.cmd)
        _remove(req)
        _complete_timeout(req, 0)


# -- IORING_OP_TIMEOUT_REMOVE -------------------------------------------------------------------

class TimeoutRem:
    __slots__ = ("addr", "flags", "ns", "ltimeout")


def timeout_remove_prep(req, sqe):
    if req.flags & (1 | 32):                # FIXED_FILE, BUFFER_SELECT
        raise Errno(EINVAL)
    if sqe.buf_index or sqe.len or sqe.splice_fd_in:
        raise Errno(EINVAL)
    r = TimeoutRem()
    r.addr = sqe.addr
    r.flags = flags = sqe.op_flags
    r.ltimeout = False
    r.ns = 0
    if flags & IORING_TIMEOUT_UPDATE_MASK:
        if _popcount(flags & IORING_TIMEOUT_CLOCK_MASK) > 1:
            raise Errno(EINVAL)
        if flags & IORING_LINK_TIMEOUT_UPDATE:
            r.ltimeout = True
        if flags & ~(IORING_TIMEOUT_UPDATE_MASK | IORING_TIMEOUT_ABS):
            raise Errno(EINVAL)
        r.ns = _get_ts(req.task, sqe.off)
    elif flags:
        raise Errno(EINVAL)
    req.cmd = r


def _find(lst, user_data):
    for req in lst:
        if req.user_data == user_data and not req.done:
            return req
    return None


def timeout_remove_issue(req):
    r = req.cmd
    ctx = req.ctx
    if not r.flags & IORING_TIMEOUT_UPDATE_MASK:
        target = _find(ctx.timeouts, r.addr)
        if target is None:
            ret = -ENOENT
        elif target.cmd.timer is None:
            ret = -EALREADY
        else:
            _timeout_cancel(target)
            ret = 0
    else:
        target = _find(ctx.ltimeouts if r.ltimeout else ctx.timeouts, r.addr)
        if target is None:
            ret = -ENOENT
        elif target.cmd.timer is None:
            ret = -EALREADY
        else:
            c = target.cmd
            _disarm(c)
            c.ns = r.ns
            c.flags = (c.flags & ~IORING_TIMEOUT_ABS) | (r.flags & IORING_TIMEOUT_ABS)
            if not r.ltimeout:
                c.off = 0                   # now a pure timer
                _arm(target, _timeout_fired)
            else:
                _arm(target, _link_timeout_fired)
            ret = 0
    if ret < 0:
        req_set_fail(req)
    return ret


# -- IORING_OP_LINK_TIMEOUT ------------------------------------------------------------------------

def link_timeout_issue(req):
    # only reached when its request could not be issued before it: a
    # link timeout never runs by itself
    return -ECANCELED


def io_queue_linked_timeout(head):
    """head went in flight: its link timeout starts."""
    lt = head.link
    if lt is None or lt.opcode != IORING_OP_LINK_TIMEOUT or lt.done:
        return
    c = lt.cmd
    if c.timer is not None:
        return
    lt.issued = True
    lt.ctx.ltimeouts.append(lt)
    _arm(lt, _link_timeout_fired)


def io_disarm_link_timeout(head, lt):
    """head completed first: its link timeout ends with ECANCELED, and
    what followed it is head's next."""
    head.flags &= ~REQ_F_ARM_LTIMEOUT
    nxt = lt.link
    lt.link = None
    c = lt.cmd
    _disarm(c)
    if lt in lt.ctx.ltimeouts:
        lt.ctx.ltimeouts.remove(lt)
    if not lt.done:
        req_complete(lt, -ECANCELED)
    return nxt


def _link_timeout_fired(lt):
    ctx = lt.ctx
    c = lt.cmd
    c.timer = None
    if lt in ctx.ltimeouts:
        ctx.ltimeouts.remove(lt)
    if lt.done or ctx.dead:
        return
    head = c.head
    ret = 0
    if head is not None and not head.done and head.link is lt:
        # take the timeout out of the link, then cancel its request
        head.link = lt.link
        lt.link = None
        head.flags &= ~REQ_F_ARM_LTIMEOUT
        fn = head.cancel_fn
        if fn is not None and fn():
            ret = 0
        else:
            ret = -EALREADY
    req_complete(lt, ret or -ETIME)



