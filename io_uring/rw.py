"""io_uring/rw.py - IORING_OP_READ, WRITE, READV, WRITEV, READ_FIXED and
WRITE_FIXED.

The transfer is fs/read_write.py's (through fs/aio.py's `_transfer`, which
can make it non-blocking).  It is first tried without blocking; a file
that has nothing to give (a pipe, a socket, a terminal) gets a poll armed
on it and the request is tried again when the poll fires (io_uring/poll.py:
Linux's "fast poll", IORING_FEAT_FAST_POLL).  A file opened O_NONBLOCK, or
RWF_NOWAIT, makes EAGAIN the answer instead.  An offset of -1 means the
file position (IORING_FEAT_RW_CUR_POS), which the transfer then moves.

Registered buffers (READ_FIXED/WRITE_FIXED) are looked up by buf_index and
the range must lie inside the buffer registered there (EFAULT).  Linux pins
their pages at registration; here the buffer is reached through the
registering task's address space each time.

A result shorter than asked for breaks a link (as Linux counts it).
"""

from kernel import sched
from kernel.abi import s64
from kernel.errno import (EAGAIN, EBADF, EFAULT, EINTR, EINVAL, ENOBUFS, EOPNOTSUPP,
                          ERESTART_RESTARTBLOCK, ERESTARTNOHAND, ERESTARTNOINTR,
                          ERESTARTSYS, Errno)
from fs.file import FMODE_READ, FMODE_WRITE, O_APPEND, O_NONBLOCK, POLLIN, POLLOUT
from io_uring.io_uring import (IORING_SETUP_IOPOLL, IOSQE_BUFFER_SELECT, REQ_F_NOWAIT,
                               req_complete, req_set_fail)
from kernel.ioprio import ioprio_check_cap
from fs.read_write import read_iovec
from fs.aio import _transfer
from io_uring.poll import arm_poll
from io_uring.io_wq import io_wq_submit

# preadv2/pwritev2 flags (include/uapi/linux/fs.h)
RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT, RWF_APPEND, RWF_NOAPPEND = 1, 2, 4, 8, 0x10, 0x20
RWF_ATOMIC, RWF_DONTCACHE = 0x40, 0x80
RWF_SUPPORTED = 0x7F                    # Linux 6.13: no RWF_DONTCACHE yet
MAX_RW_COUNT = 0x7FFFF000
TASK_SIZE_MAX = (1 << 47) - 4096


def restart_to_eintr(res):
    """A transfer cannot be restarted (other requests went on): EINTR."""
    if res in (-ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND, -ERESTART_RESTARTBLOCK):
        return -EINTR
    return res


class RwCmd:
    __slots__ = ("pos", "addr", "len", "rw_flags", "buf_index", "vec", "vectored", "fixed",
                 "write")


def _prep_rw(req, sqe, write, vectored=False, fixed=False):
    c = RwCmd()
    c.pos = s64(sqe.off)
    c.addr = sqe.addr
    c.len = sqe.len
    c.rw_flags = sqe.op_flags
    c.buf_index = sqe.buf_index
    c.vectored = vectored
    c.fixed = fixed
    c.write = write
    c.vec = None
    if sqe.ioprio:
        ioprio_check_cap(req.task, sqe.ioprio)
    req.cmd = c
    if req.flags & IOSQE_BUFFER_SELECT:
        if vectored and c.len != 1:
            raise Errno(EINVAL)
        return
    t = req.task
    if fixed:
        return
    if vectored:
        c.vec = read_iovec(t, c.addr, c.len)
    else:
        if c.len and not c.addr + c.len <= TASK_SIZE_MAX:
            raise Errno(EFAULT)             # import_ubuf's access_ok
        c.vec = [(c.addr, min(c.len, MAX_RW_COUNT))]


def prep_read(req, sqe):
    _prep_rw(req, sqe, False)


def prep_write(req, sqe):
    _prep_rw(req, sqe, True)


def prep_readv(req, sqe):
    _prep_rw(req, sqe, False, vectored=True)


def prep_writev(req, sqe):
    _prep_rw(req, sqe, True, vectored=True)


def prep_read_fixed(req, sqe):
    _prep_rw(req, sqe, False, fixed=True)


def prep_write_fixed(req, sqe):
    _prep_rw(req, sqe, True, fixed=True)


def _fixed_vec(req, c):
    bufs = req.ctx.user_bufs
    if not 0 <= c.buf_index < len(bufs) or bufs[c.buf_index] is None:
        raise Errno(EFAULT)
    base, length = bufs[c.buf_index][:2]
    end = c.addr + c.len
    if end >= 1 << 64 or c.addr < base or end > base + length:
        raise Errno(EFAULT)
    return [(c.addr, c.len)]


def io_read(req):
    return _io_rw(req)


def io_write(req):
    return _io_rw(req)


def _io_rw(req):
    """Issue: check, then try without blocking."""
    c = req.cmd
    f = req.file
    if not f.mode & (FMODE_WRITE if c.write else FMODE_READ):
        return -EBADF
    if req.ctx.flags & IORING_SETUP_IOPOLL:
        return -EOPNOTSUPP                  # no file here has ->iopoll
    if c.rw_flags & ~RWF_SUPPORTED or c.rw_flags & RWF_ATOMIC and not c.write:
        return -EOPNOTSUPP
    if c.rw_flags & RWF_ATOMIC:
        return -EOPNOTSUPP                  # no file here can promise an untorn write
    if req.flags & IOSQE_BUFFER_SELECT:
        return -ENOBUFS                     # no buffers are ever provided (PROVIDE_BUFFERS)
    if c.fixed:
        c.vec = _fixed_vec(req, c)
    if c.rw_flags & RWF_NOWAIT or f.flags & O_NONBLOCK:
        req.flags |= REQ_F_NOWAIT
    if f.f_op.seekable:
        if c.pos < -1:
            return -EINVAL
    return rw_attempt(req)


def _pos(req):
    c = req.cmd
    f = req.file
    if not f.f_op.seekable or c.pos == -1:
        pos = None                          # the file position (moved by the transfer)
    else:
        pos = c.pos
    if c.write and f.f_op.seekable and (f.flags & O_APPEND or c.rw_flags & RWF_APPEND) \
            and not c.rw_flags & RWF_NOAPPEND:
        if pos is not None:
            pos = f.inode.size
    total = sum(ln for _, ln in c.vec)
    if pos is not None and pos + total > (1 << 63) - 1:
        raise Errno(EINVAL)
    return pos


def rw_attempt(req):
    """One non-blocking try: the result, None when a poll was armed for the
    next one, or a generator when only blocking can finish it."""
    c = req.cmd
    f = req.file
    t = req.task
    pos = _pos(req)
    res = _transfer(t, f, c.vec, pos, c.write, True)
    if sched.is_generator(res):
        res = _run_nonblocking(res)
    if res == -EAGAIN and not req.flags & REQ_F_NOWAIT:
        mask = POLLOUT if c.write else POLLIN
        if arm_poll(req, mask, _rw_retry):
            return None
        return _blocking(req, pos)          # nothing to poll: a worker waits for it
    return _rw_result(req, res)


def _run_nonblocking(gen):
    """A transfer that still wants to sleep although told not to: it is
    abandoned at its first sleep, as EAGAIN."""
    try:
        gen.send(None)
    except StopIteration as e:
        return e.value
    except Errno as e:
        return -e.errno
    gen.close()
    return -EAGAIN


def _blocking(req, pos):
    c = req.cmd
    res = _transfer(req.task, req.file, c.vec, pos, c.write, False)
    if sched.is_generator(res):
        try:
            res = yield from res
        except Errno as e:
            res = -e.errno
    return _rw_result(req, res)


def _rw_result(req, res):
    res = restart_to_eintr(res)
    total = sum(ln for _, ln in req.cmd.vec)
    if 0 <= res < total:
        req_set_fail(req)                   # a short transfer breaks the link
    return res


def _rw_retry(req):
    """Task work after the poll fired: try again."""
    res = rw_attempt(req)
    if sched.is_generator(res):
        io_wq_submit(req, res)
    elif res is not None:
        req_complete(req, res)
