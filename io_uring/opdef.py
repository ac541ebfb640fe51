"""io_uring/opdef.py - the opcode table: for each IORING_OP_*, what its SQE
must look like (prep) and what it does (issue), with the properties the
submission path checks (a file to look up, ioprio allowed, IOPOLL rings).

prep(req, sqe) reads and checks the SQE (an Errno is the request's CQE
result); issue(req) runs it and returns its result, or None when the
request stays in flight (an armed poll, a timer) and completes itself
later, or a generator when it has to wait in io_uring_enter.  An opcode
this kernel does not implement answers EOPNOTSUPP, as Linux does for an
opcode configured out, and IORING_REGISTER_PROBE does not list it.

The opcodes of Linux 6.13 (IORING_OP_LAST 58) are known; which are
supported is the `supported` column below.
"""

from kernel import sched
from kernel.task import PF_EXITING
from kernel.errno import EACCES, EBADF, EINVAL, EOPNOTSUPP, Errno
from io_uring import cancel, fs, io_uring as iou, net, poll, rw, timeout
from io_uring.io_uring import (IOSQE_ASYNC, IOSQE_BUFFER_SELECT, IOSQE_CQE_SKIP_SUCCESS,
                               IOSQE_FIXED_FILE, IOSQE_IO_DRAIN, IOSQE_IO_HARDLINK,
                               IOSQE_IO_LINK, IORING_SETUP_IOPOLL, REQ_F_ARM_LTIMEOUT,
                               SQE_VALID_FLAGS, req_complete)
from fs.file import FMODE_PATH, fget
from io_uring.io_wq import io_wq_submit
from io_uring.timeout import io_queue_linked_timeout
from io_uring.register import check_restriction

SQE_COMMON_FLAGS = IOSQE_FIXED_FILE | IOSQE_IO_LINK | IOSQE_IO_HARDLINK | IOSQE_ASYNC
IORING_OP_LAST = 58


class OpDef:
    __slots__ = ("name", "prep", "issue", "needs_file", "ioprio", "iopoll",
                 "buffer_select", "supported")

    def __init__(self, name, prep=None, issue=None, needs_file=False, ioprio=False,
                 iopoll=False, buffer_select=False):
        self.name = name
        self.prep = prep
        self.issue = issue
        self.needs_file = needs_file
        self.ioprio = ioprio
        self.iopoll = iopoll
        self.buffer_select = buffer_select
        self.supported = issue is not None


def _eopnotsupp_prep(req, sqe):
    raise Errno(EOPNOTSUPP)


def _table():
    rw_props = dict(needs_file=True, ioprio=True, iopoll=True)
    ops = [
        ("NOP", fs.nop_prep, fs.nop_issue, dict(iopoll=True)),
        ("READV", rw.prep_readv, rw.io_read, dict(rw_props, buffer_select=True)),
        ("WRITEV", rw.prep_writev, rw.io_write, rw_props),
        ("FSYNC", fs.fsync_prep, fs.fsync_issue, dict(needs_file=True)),
        ("READ_FIXED", rw.prep_read_fixed, rw.io_read, rw_props),
        ("WRITE_FIXED", rw.prep_write_fixed, rw.io_write, rw_props),
        ("POLL_ADD", poll.poll_add_prep, poll.poll_add_issue, dict(needs_file=True)),
        ("POLL_REMOVE", poll.poll_remove_prep, poll.poll_remove_issue, {}),
        ("SYNC_FILE_RANGE", fs.sfr_prep, fs.sfr_issue, dict(needs_file=True)),
        ("SENDMSG", net.sendmsg_prep, net.sendmsg_issue, dict(needs_file=True, ioprio=True)),
        ("RECVMSG", net.recvmsg_prep, net.recvmsg_issue,
         dict(needs_file=True, ioprio=True, buffer_select=True)),
        ("TIMEOUT", timeout.timeout_prep, timeout.timeout_issue, {}),
        ("TIMEOUT_REMOVE", timeout.timeout_remove_prep, timeout.timeout_remove_issue, {}),
        ("ACCEPT", net.accept_prep, net.accept_issue, dict(needs_file=True, ioprio=True)),
        ("ASYNC_CANCEL", cancel.async_cancel_prep, cancel.async_cancel_issue, {}),
        ("LINK_TIMEOUT", timeout.link_timeout_prep, timeout.link_timeout_issue, {}),
        ("CONNECT", net.connect_prep, net.connect_issue, dict(needs_file=True)),
        ("FALLOCATE", fs.fallocate_prep, fs.fallocate_issue, dict(needs_file=True)),
        ("OPENAT", fs.openat_prep, fs.open_issue, {}),
        ("CLOSE", fs.close_prep, fs.close_issue, {}),
        ("FILES_UPDATE", fs.files_update_prep, fs.files_update_issue, dict(iopoll=True)),
        ("STATX", fs.statx_prep, fs.statx_issue, {}),
        ("READ", rw.prep_read, rw.io_read, dict(rw_props, buffer_select=True)),
        ("WRITE", rw.prep_write, rw.io_write, rw_props),
        ("FADVISE", fs.fadvise_prep, fs.fadvise_issue, dict(needs_file=True)),
        ("MADVISE", fs.madvise_prep, fs.madvise_issue, {}),
        ("SEND", net.send_prep, net.send_issue, dict(needs_file=True, ioprio=True)),
        ("RECV", net.recv_prep, net.recv_issue,
         dict(needs_file=True, ioprio=True, buffer_select=True)),
        ("OPENAT2", fs.openat2_prep, fs.open_issue, {}),
        ("EPOLL_CTL", None, None, {}),
        ("SPLICE", None, None, dict(needs_file=True)),
        ("PROVIDE_BUFFERS", None, None, dict(iopoll=True)),
        ("REMOVE_BUFFERS", None, None, dict(iopoll=True)),
        ("TEE", None, None, dict(needs_file=True)),
        ("SHUTDOWN", net.shutdown_prep, net.shutdown_issue, dict(needs_file=True)),
        ("RENAMEAT", fs.renameat_prep, fs.renameat_issue, {}),
        ("UNLINKAT", fs.unlinkat_prep, fs.unlinkat_issue, {}),
        ("MKDIRAT", fs.mkdirat_prep, fs.mkdirat_issue, {}),
        ("SYMLINKAT", fs.symlinkat_prep, fs.symlinkat_issue, {}),
        ("LINKAT", fs.linkat_prep, fs.linkat_issue, {}),
        ("MSG_RING", None, None, dict(needs_file=True, iopoll=True)),
        ("FSETXATTR", None, None, dict(needs_file=True)),
        ("SETXATTR", None, None, {}),
        ("FGETXATTR", None, None, dict(needs_file=True)),
        ("GETXATTR", None, None, {}),
        ("SOCKET", net.socket_prep, net.socket_issue, {}),
        ("URING_CMD", None, None, dict(needs_file=True)),
        ("SEND_ZC", None, None, dict(needs_file=True, ioprio=True)),
        ("SENDMSG_ZC", None, None, dict(needs_file=True, ioprio=True)),
        ("READ_MULTISHOT", None, None, dict(needs_file=True, ioprio=True)),
        ("WAITID", None, None, {}),
        ("FUTEX_WAIT", None, None, {}),
        ("FUTEX_WAKE", None, None, {}),
        ("FUTEX_WAITV", None, None, {}),
        ("FIXED_FD_INSTALL", None, None, dict(needs_file=True)),
        ("FTRUNCATE", fs.ftruncate_prep, fs.ftruncate_issue, dict(needs_file=True)),
        ("BIND", net.bind_prep, net.bind_issue, dict(needs_file=True)),
        ("LISTEN", net.listen_prep, net.listen_issue, dict(needs_file=True)),
    ]
    assert len(ops) == IORING_OP_LAST
    out = []
    for name, prep, issue, props in ops:
        out.append(OpDef(name, prep or _eopnotsupp_prep, issue, **props))
    return out


_ops = None


def io_op_defs():
    global _ops
    if _ops is None:
        _ops = _table()
    return _ops


def op_name(opcode):
    defs = io_op_defs()
    return defs[opcode].name if 0 <= opcode < len(defs) else "INVALID"


# -- preparing a request --------------------------------------------------------------------

def io_init_req(t, ctx, req, sqe):
    """Fill req from sqe; 0, or the errno its CQE will carry."""
    req.opcode = op = sqe.opcode
    req.flags = flags = sqe.flags
    req.user_data = sqe.user_data
    if op >= IORING_OP_LAST:
        req.opcode = 0
        return EINVAL
    d = io_op_defs()[op]
    if flags & ~SQE_COMMON_FLAGS:
        if flags & ~SQE_VALID_FLAGS:
            return EINVAL
        if flags & IOSQE_BUFFER_SELECT:
            if not d.buffer_select:
                return EOPNOTSUPP
        if flags & IOSQE_CQE_SKIP_SUCCESS:
            ctx.drain_disabled = True
        if flags & IOSQE_IO_DRAIN:
            if ctx.drain_disabled:
                return EOPNOTSUPP
            ctx.drain_active = True
            if ctx.link_head is not None:
                ctx.link_head.flags |= IOSQE_IO_DRAIN
                ctx.drain_next = True
    if ctx.restricted or ctx.drain_active or ctx.drain_next:
        if ctx.restricted:
            if not check_restriction(ctx, op, flags):
                return EACCES
        if ctx.drain_next and ctx.link_head is None:
            ctx.drain_next = False
            ctx.drain_active = True
            req.flags |= IOSQE_IO_DRAIN
    if not d.ioprio and sqe.ioprio:
        return EINVAL
    if not d.iopoll and ctx.flags & IORING_SETUP_IOPOLL:
        return EINVAL
    if d.needs_file:
        req.fd = sqe.fd
    if sqe.personality:
        cred = ctx.personalities.get(sqe.personality)
        if cred is None:
            return EINVAL
        req.personality = sqe.personality
        req.cred = cred
    try:
        d.prep(req, sqe)
    except Errno as e:
        return e.errno
    return 0


# -- issuing it ----------------------------------------------------------------------------------

def io_file_get(req, fd, fixed):
    """The file fd names, held for the request (None if there is none)."""
    ctx = req.ctx
    if fixed:
        tab = ctx.file_table
        if tab is None or not 0 <= fd < len(tab) or tab[fd] is None:
            return None
        return tab[fd].get()
    f = fget(req.task, fd)
    if f is None or f.mode & FMODE_PATH:    # O_PATH files are not for I/O
        return None
    return f.get()


def _task_gone(req):
    t = req.task
    return t.flags & PF_EXITING or t.mm is not req.mm   # exiting, or it exec'd


_issuing = None


def io_issue_sqe(req):
    """Run the request: it completes now (its CQE posted), or stays in
    flight, or (a generator) waits in the caller."""
    global _issuing
    d = io_op_defs()[req.opcode]
    if _task_gone(req):
        req_complete(req, -125)             # ECANCELED
        return None
    if d.needs_file and req.file is None:
        req.file = io_file_get(req, req.fd, bool(req.flags & IOSQE_FIXED_FILE))
        if req.file is None:
            req_complete(req, -EBADF)
            return None
    t = req.task
    saved_cred = None
    if req.cred is not None:
        saved_cred, t.cred = t.cred, req.cred
    prev, _issuing = _issuing, req
    try:
        res = d.issue(req)
    except Errno as e:
        res = -e.errno
    finally:
        _issuing = prev
        if saved_cred is not None:
            t.cred = saved_cred
    if sched.is_generator(res):
        res = io_wq_submit(req, res)
    if res is None:
        if req.flags & REQ_F_ARM_LTIMEOUT and not req.done:
            io_queue_linked_timeout(req)
        return None
    req_complete(req, res)
    return None


def issued_inline(req):
    """Is req completing inside its own submission (not async)?"""
    return _issuing is req and not iou._in_task_work
