"""io_uring/cancel.py - finding requests in flight and cancelling them:
IORING_OP_ASYNC_CANCEL, IORING_REGISTER_SYNC_CANCEL, a task's exit or
exec, and the ring's end.

A request in flight (an armed poll, a timer, a worker's call) has a
cancel_fn; cancelling calls it and the request completes with ECANCELED.
The match is Linux's io_cancel_req_match: by user_data (the default or
IORING_ASYNC_CANCEL_USERDATA), by file (IORING_ASYNC_CANCEL_FD, a fixed
one with IORING_ASYNC_CANCEL_FD_FIXED), by opcode (IORING_ASYNC_CANCEL_OP)
or anything (IORING_ASYNC_CANCEL_ANY); IORING_ASYNC_CANCEL_ALL cancels every
match and answers how many.
"""

from kernel.errno import EBADF, EINVAL, ENOENT, Errno
from io_uring.io_uring import IOSQE_BUFFER_SELECT, IOSQE_FIXED_FILE
from fs.file import fget
from io_uring.timeout import _disarm

IORING_ASYNC_CANCEL_ALL = 1 << 0
IORING_ASYNC_CANCEL_FD = 1 << 1
IORING_ASYNC_CANCEL_ANY = 1 << 2
IORING_ASYNC_CANCEL_FD_FIXED = 1 << 3
IORING_ASYNC_CANCEL_USERDATA = 1 << 4
IORING_ASYNC_CANCEL_OP = 1 << 5
CANCEL_FLAGS = (1 << 6) - 1


class CancelData:
    __slots__ = ("data", "flags", "fd", "opcode", "file")

    def __init__(self, data=0, flags=0, fd=-1, opcode=0):
        self.data = data
        self.flags = flags
        self.fd = fd
        self.opcode = opcode
        self.file = None


def _matches(req, cd):
    if cd.flags & IORING_ASYNC_CANCEL_FD and (req.file is None or req.file is not cd.file):
        return False
    if cd.flags & IORING_ASYNC_CANCEL_USERDATA and req.user_data != cd.data:
        return False
    if cd.flags & IORING_ASYNC_CANCEL_OP and req.opcode != cd.opcode:
        return False
    if not cd.flags & (IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_OP | IORING_ASYNC_CANCEL_ANY
                       | IORING_ASYNC_CANCEL_USERDATA):
        return req.user_data == cd.data
    return True


def _candidates(ctx):
    seen = []
    for r in list(ctx.inflight) + list(ctx.timeouts):
        if r not in seen and not r.done and r.cancel_fn is not None:
            seen.append(r)
    return seen


def io_try_cancel(ctx, cd):
    """Cancel what cd matches: the number cancelled, or -ENOENT."""
    n = 0
    for r in _candidates(ctx):
        if r.done or not _matches(r, cd):
            continue
        fn = r.cancel_fn
        if fn is not None and fn():
            n += 1
            if not cd.flags & IORING_ASYNC_CANCEL_ALL:
                break
    if not n:
        return -ENOENT
    return n if cd.flags & IORING_ASYNC_CANCEL_ALL else 0


def resolve_cancel_file(req_or_ctx, task, cd):
    """IORING_ASYNC_CANCEL_FD: the file its fd names (-EBADF if none)."""
    if not cd.flags & IORING_ASYNC_CANCEL_FD:
        return 0
    ctx = req_or_ctx
    if cd.flags & IORING_ASYNC_CANCEL_FD_FIXED:
        tab = ctx.file_table
        if tab is None or not 0 <= cd.fd < len(tab) or tab[cd.fd] is None:
            return -EBADF
        cd.file = tab[cd.fd]
        return 0
    f = fget(task, cd.fd)
    if f is None:
        return -EBADF
    cd.file = f
    return 0


def io_cancel_all(ctx, task):
    """Everything in flight (of one task, if given) is cancelled."""
    for r in _candidates(ctx):
        if task is not None and r.task is not task:
            continue
        fn = r.cancel_fn
        if fn is not None and not r.done:
            fn()
    for lt in list(ctx.ltimeouts):
        if task is None or lt.task is task:
            _disarm(lt.cmd)


# -- IORING_OP_ASYNC_CANCEL ----------------------------------------------------------------

def async_cancel_prep(req, sqe):
    if req.flags & IOSQE_BUFFER_SELECT:
        raise Errno(EINVAL)
    if sqe.off or sqe.splice_fd_in:
        raise Errno(EINVAL)
    flags = sqe.op_flags
    if flags & ~CANCEL_FLAGS:
        raise Errno(EINVAL)
    cd = CancelData(sqe.addr, flags)
    if flags & IORING_ASYNC_CANCEL_FD:
        if flags & IORING_ASYNC_CANCEL_ANY:
            raise Errno(EINVAL)
        cd.fd = sqe.fd
    if flags & IORING_ASYNC_CANCEL_OP:
        if flags & IORING_ASYNC_CANCEL_ANY:
            raise Errno(EINVAL)
        cd.opcode = sqe.len
    req.cmd = cd


def async_cancel_issue(req):
    cd = req.cmd
    if cd.flags & IORING_ASYNC_CANCEL_FD and req.flags & IOSQE_FIXED_FILE:
        cd.flags |= IORING_ASYNC_CANCEL_FD_FIXED
    err = resolve_cancel_file(req.ctx, req.task, cd)
    if err:
        return err
    return io_try_cancel(req.ctx, cd)
