"""io_uring/poll.py - polls: IORING_OP_POLL_ADD / POLL_REMOVE, and the
internal poll a read, write, send or receive arms when its file is not
ready (Linux's io_arm_poll_handler).

A poll is a callback on each of the file's wait queues (what f_op.poll
returns).  A wake-up whose key cannot concern the poll is ignored; any
other queues task work that asks the file again (f_op.poll) and acts on
what it says: an internal poll retries its request, a POLL_ADD completes
with the events (POLLERR and POLLHUP always count; the mask is the CQE's
res).  With IORING_POLL_ADD_MULTI it stays armed and posts a CQE with
IORING_CQE_F_MORE for each event, until it is removed or cancelled.
Nothing is done inside the wake-up itself: that is another task's system
call, in the middle of changing the file.
"""

from kernel.errno import EINVAL, ENOENT, Errno
from fs.file import POLLERR, POLLHUP
from io_uring.io_uring import (IORING_CQE_F_MORE, IOSQE_CQE_SKIP_SUCCESS, req_complete)

IORING_POLL_ADD_MULTI = 1 << 0
IORING_POLL_UPDATE_EVENTS = 1 << 1
IORING_POLL_UPDATE_USER_DATA = 1 << 2
IORING_POLL_ADD_LEVEL = 1 << 3
POLLNVAL, POLLRDHUP = 0x20, 0x2000
EPOLLEXCLUSIVE, EPOLLONESHOT, EPOLLET = 1 << 28, 1 << 30, 1 << 31
IO_POLL_UNMASK = POLLERR | POLLHUP | POLLNVAL | POLLRDHUP
ECANCELED = 125


class PollWait:
    """Callbacks on a file's wait queues; fire() runs once per wake-up."""

    def __init__(self, req, events, queues, fire):
        self.req = req
        self.events = events
        self.queues = queues
        self.fire = fire
        self.queued = False
        for q in queues:
            q.callbacks.append(self._wake)

    def _wake(self, key=0):
        if key and not key & self.events:
            return
        if self.queued or self.req.done:
            return
        self.queued = True
        self.req.ctx.queue_tw(self.req, self._run)

    def _run(self, req):
        self.queued = False
        self.fire(self)

    def detach(self):
        for q in self.queues:
            try:
                q.callbacks.remove(self._wake)
            except ValueError:
                pass
        self.queues = ()


def _file_poll(req):
    f = req.file
    return f.f_op.poll(f, req.task)


# -- the poll a request arms for itself ---------------------------------------------------

def arm_poll(req, mask, retry):
    """req got EAGAIN: retry(req) as task work once its file has mask
    ready.  False if the file cannot be polled."""
    ctx = req.ctx
    ready, queues = _file_poll(req)
    events = mask | POLLERR | POLLHUP
    if ready & events:
        ctx.queue_tw(req, retry)            # it became ready meanwhile
        return True
    if not queues:
        return False

    def fire(pw):
        m, _ = _file_poll(req)
        if not m & events:
            pw.queued = False               # spurious: keep waiting
            return
        pw.detach()
        if req in ctx.inflight:
            ctx.inflight.remove(req)
        req.cancel_fn = None
        retry(req)

    pw = PollWait(req, events, tuple(queues), fire)

    def cancel():
        pw.detach()
        if req in ctx.inflight:
            ctx.inflight.remove(req)
        req_complete(req, -ECANCELED)
        return True

    req.cancel_fn = cancel
    ctx.inflight.append(req)
    return True


# -- IORING_OP_POLL_ADD --------------------------------------------------------------------

class PollCmd:
    __slots__ = ("events", "multi", "pw")


def _parse_events(sqe, flags):
    events = sqe.op_flags                   # poll32_events (x86: no swapping)
    if not flags & IORING_POLL_ADD_MULTI:
        events |= EPOLLONESHOT
    if not flags & IORING_POLL_ADD_LEVEL:
        events |= EPOLLET
    return events


def poll_add_prep(req, sqe):
    if sqe.buf_index or sqe.off or sqe.addr:
        raise Errno(EINVAL)
    flags = sqe.len
    if flags & ~(IORING_POLL_ADD_MULTI | IORING_POLL_ADD_LEVEL):
        raise Errno(EINVAL)
    if flags & IORING_POLL_ADD_MULTI and req.flags & IOSQE_CQE_SKIP_SUCCESS:
        raise Errno(EINVAL)
    c = PollCmd()
    c.events = _parse_events(sqe, flags)
    c.pw = None
    req.cmd = c


def _mask(c):
    return (c.events & 0xFFFF) | IO_POLL_UNMASK


def poll_add_issue(req):
    c = req.cmd
    c.multi = not c.events & EPOLLONESHOT
    ready, queues = _file_poll(req)
    ready &= _mask(c)
    if ready:
        if not c.multi:
            return ready
        req.ctx.post_cqe(req.user_data, ready, IORING_CQE_F_MORE, None, req)
    _poll_arm(req, queues)
    return None


def _poll_arm(req, queues):
    ctx = req.ctx
    c = req.cmd

    def fire(pw):
        m, _ = _file_poll(req)
        m &= _mask(c)
        if not m:
            pw.queued = False
            return
        if c.multi:
            ctx.post_cqe(req.user_data, m, IORING_CQE_F_MORE, None, req)
            return
        _poll_remove_entry(req)
        req_complete(req, m)

    c.pw = PollWait(req, _mask(c), tuple(queues), fire)
    req.cancel_fn = lambda: _poll_cancel(req)
    ctx.inflight.append(req)


def _poll_remove_entry(req):
    c = req.cmd
    if c.pw is not None:
        c.pw.detach()
        c.pw = None
    if req in req.ctx.inflight:
        req.ctx.inflight.remove(req)
    req.cancel_fn = None


def _poll_cancel(req):
    _poll_remove_entry(req)
    req_complete(req, -ECANCELED)
    return True


# -- IORING_OP_POLL_REMOVE -----------------------------------------------------------------

class PollUpdate:
    __slots__ = ("old_user_data", "new_user_data", "update_events", "update_user_data",
                 "events")


def poll_remove_prep(req, sqe):
    if sqe.buf_index or sqe.splice_fd_in:
        raise Errno(EINVAL)
    flags = sqe.len
    if flags & ~(IORING_POLL_UPDATE_EVENTS | IORING_POLL_UPDATE_USER_DATA | IORING_POLL_ADD_MULTI):
        raise Errno(EINVAL)
    if flags == IORING_POLL_ADD_MULTI:      # meaningless without an update
        raise Errno(EINVAL)
    u = PollUpdate()
    u.old_user_data = sqe.addr
    u.update_events = bool(flags & IORING_POLL_UPDATE_EVENTS)
    u.update_user_data = bool(flags & IORING_POLL_UPDATE_USER_DATA)
    u.new_user_data = sqe.off
    if not u.update_user_data and u.new_user_data:
        raise Errno(EINVAL)
    if u.update_events:
        u.events = _parse_events(sqe, flags)
    elif sqe.op_flags:
        raise Errno(EINVAL)
    req.cmd = u


POLL_ADD = 6


def poll_remove_issue(req):
    u = req.cmd
    ctx = req.ctx
    target = None
    for r in ctx.inflight:
        if r.opcode == POLL_ADD and r.user_data == u.old_user_data and not r.done:
            target = r
            break
    if target is None:
        return -ENOENT
    if not (u.update_events or u.update_user_data):
        _poll_cancel(target)
        return 0
    _poll_remove_entry(target)
    c = target.cmd
    if u.update_events:
        c.events = (c.events & ~0xFFFF) | (u.events & 0xFFFF)
        c.events = u.events
    if u.update_user_data:
        target.user_data = u.new_user_data
    # re-arm with what it now asks for (it may complete at once)
    res = poll_add_issue(target)
    if res is not None:
        req_complete(target, res)
    return 0
