"""io_uring/fs.py - the file and path opcodes: NOP, FSYNC, SYNC_FILE_RANGE,
OPENAT, OPENAT2, CLOSE, FILES_UPDATE, STATX, FALLOCATE, FADVISE, MADVISE, FTRUNCATE,
RENAMEAT, UNLINKAT, MKDIRAT, SYMLINKAT, LINKAT.

Each prep checks the SQE fields its opcode leaves unused (EINVAL, as
Linux) and keeps the ones it uses; each issue is the system call of the
same name, run for the request's task (so it resolves paths against that
task's root and working directory, and its fds).  A call that must sleep
(an open of a FIFO waiting for its peer) returns a generator, which
io_uring/io_wq.py runs as the worker.

FSYNC uses the file the request holds, so it honours IOSQE_FIXED_FILE;
the other fd-taking opcodes here name the fd in the task's table (a fixed
file is refused with EBADF rather than reaching a different file).
"""

from kernel.abi import s32
from kernel.errno import EBADF, EINVAL, Errno
from io_uring.io_uring import IOSQE_BUFFER_SELECT, IOSQE_FIXED_FILE, is_io_uring_file
from fs.sync import sys_sync_file_range
from fs.open import sys_openat, sys_openat2
from fs.file import fget
from io_uring.register import files_update
from fs.stat import sys_statx
from fs.attr import sys_fallocate, sys_ftruncate
from mm.fadvise import sys_fadvise64
from mm.madvise import sys_madvise
from fs.dir import sys_linkat, sys_mkdirat, sys_renameat2, sys_symlinkat, sys_unlinkat

IORING_FSYNC_DATASYNC = 1 << 0
# IORING_OP_NOP's sqe->nop_flags
IORING_NOP_INJECT_RESULT = 1 << 0
NOP_FLAGS = IORING_NOP_INJECT_RESULT


class Cmd:
    """The SQE fields an opcode keeps (named as the system call's arguments)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def _unused(*fields):
    """SQE fields the opcode does not use must be zero (EINVAL)."""
    if any(fields):
        raise Errno(EINVAL)


def _no_fixed(req):
    """An opcode that takes an fd number, not a file: no IOSQE_FIXED_FILE."""
    if req.flags & IOSQE_FIXED_FILE:
        raise Errno(EBADF)


def _no_direct(sqe):
    """sqe->file_index asks for a direct descriptor (a fixed-file slot),
    which these opcodes do not install here."""
    if sqe.file_index:
        raise Errno(EINVAL)


# -- NOP -----------------------------------------------------------------------------------------

def nop_prep(req, sqe):
    flags = sqe.op_flags
    if flags & ~NOP_FLAGS:
        raise Errno(EINVAL)
    req.cmd = Cmd(result=s32(sqe.len) if flags & IORING_NOP_INJECT_RESULT else 0)


def nop_issue(req):
    return req.cmd.result


# -- FSYNC, SYNC_FILE_RANGE --------------------------------------------------------------------

def fsync_prep(req, sqe):
    _unused(sqe.addr, sqe.buf_index, sqe.splice_fd_in)
    if sqe.op_flags & ~IORING_FSYNC_DATASYNC:
        raise Errno(EINVAL)
    req.cmd = Cmd(off=sqe.off, len=sqe.len, datasync=bool(sqe.op_flags))


def fsync_issue(req):
    f = req.file
    if f.f_op.fsync is None:                # as fs/sync.py's sys_fsync
        return -EINVAL
    return f.f_op.fsync(f)


def sfr_prep(req, sqe):
    _unused(sqe.addr, sqe.buf_index, sqe.splice_fd_in)
    _no_fixed(req)
    req.cmd = Cmd(off=sqe.off, len=sqe.len, flags=sqe.op_flags)


def sfr_issue(req):
    c = req.cmd
    return sys_sync_file_range(req.task, req.fd, c.off, c.len, c.flags)


# -- OPENAT, OPENAT2, CLOSE --------------------------------------------------------------------

def _open_common(req, sqe):
    _unused(sqe.buf_index)
    _no_fixed(req)
    _no_direct(sqe)


def openat_prep(req, sqe):
    _open_common(req, sqe)
    req.cmd = Cmd(two=False, dfd=sqe.fd, path=sqe.addr, flags=sqe.op_flags, mode=sqe.len)


def openat2_prep(req, sqe):
    _open_common(req, sqe)
    req.cmd = Cmd(two=True, dfd=sqe.fd, path=sqe.addr, how=sqe.off, size=sqe.len)


def open_issue(req):
    c = req.cmd
    if c.two:
        return sys_openat2(req.task, c.dfd, c.path, c.how, c.size)
    return sys_openat(req.task, c.dfd, c.path, c.flags | 0o100000, c.mode)  # O_LARGEFILE always


def close_prep(req, sqe):
    _unused(sqe.off, sqe.addr, sqe.len, sqe.op_flags, sqe.buf_index)
    _no_fixed(req)
    _no_direct(sqe)
    req.cmd = Cmd(fd=s32(sqe.fd))


def close_issue(req):
    t = req.task
    fd = req.cmd.fd
    f = fget(t, fd)
    if f is None or is_io_uring_file(f):
        return -EBADF                   # a ring is not closed through a ring
    t.files.close(fd)
    return 0


# -- FILES_UPDATE ----------------------------------------------------------------------------------

def files_update_prep(req, sqe):
    if req.flags & (IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT):
        raise Errno(EINVAL)
    _unused(sqe.op_flags, sqe.splice_fd_in)
    if not sqe.len:
        raise Errno(EINVAL)
    off = sqe.off & 0xFFFFFFFF
    if off == 0xFFFFFFFF:
        raise Errno(EINVAL)             # IORING_FILE_INDEX_ALLOC: no allocation range here
    req.cmd = Cmd(off=off, fds=sqe.addr, nr=sqe.len)


def files_update_issue(req):
    c = req.cmd
    return files_update(req.task, req.ctx, c.off, c.fds, c.nr)


# -- STATX ---------------------------------------------------------------------------------------

def statx_prep(req, sqe):
    _unused(sqe.buf_index, sqe.splice_fd_in)
    _no_fixed(req)
    req.cmd = Cmd(dfd=sqe.fd, path=sqe.addr, mask=sqe.len, buf=sqe.off, flags=sqe.op_flags)


def statx_issue(req):
    c = req.cmd
    return sys_statx(req.task, c.dfd, c.path, c.flags, c.mask, c.buf)


# -- FALLOCATE, FADVISE, MADVISE, FTRUNCATE -------------------------------------------------------

def fallocate_prep(req, sqe):
    _unused(sqe.buf_index, sqe.op_flags, sqe.splice_fd_in)
    _no_fixed(req)
    req.cmd = Cmd(off=sqe.off, len=sqe.addr, mode=sqe.len)


def fallocate_issue(req):
    c = req.cmd
    return sys_fallocate(req.task, req.fd, c.mode, c.off, c.len)


def fadvise_prep(req, sqe):
    _unused(sqe.buf_index, sqe.addr, sqe.splice_fd_in)
    _no_fixed(req)
    req.cmd = Cmd(off=sqe.off, len=sqe.len, advice=sqe.op_flags)


def fadvise_issue(req):
    c = req.cmd
    return sys_fadvise64(req.task, req.fd, c.off, c.len, c.advice)


def madvise_prep(req, sqe):
    _unused(sqe.buf_index, sqe.off, sqe.splice_fd_in)
    req.cmd = Cmd(addr=sqe.addr, len=sqe.len, advice=sqe.op_flags)


def madvise_issue(req):
    c = req.cmd
    return sys_madvise(req.task, c.addr, c.len, c.advice)


def ftruncate_prep(req, sqe):
    _unused(sqe.addr, sqe.len, sqe.op_flags, sqe.buf_index, sqe.splice_fd_in)
    _no_fixed(req)
    req.cmd = Cmd(len=sqe.off)


def ftruncate_issue(req):
    return sys_ftruncate(req.task, req.fd, req.cmd.len)


# -- the path calls -------------------------------------------------------------------------------

def _path_prep(req, sqe):
    _unused(sqe.buf_index, sqe.splice_fd_in)
    _no_fixed(req)


def renameat_prep(req, sqe):
    _path_prep(req, sqe)
    req.cmd = Cmd(olddfd=sqe.fd, old=sqe.addr, newdfd=sqe.len, new=sqe.off, flags=sqe.op_flags)


def renameat_issue(req):
    c = req.cmd
    return sys_renameat2(req.task, c.olddfd, c.old, c.newdfd, c.new, c.flags)


def unlinkat_prep(req, sqe):
    _path_prep(req, sqe)
    _unused(sqe.off, sqe.len)
    req.cmd = Cmd(dfd=sqe.fd, path=sqe.addr, flags=sqe.op_flags)


def unlinkat_issue(req):
    c = req.cmd
    return sys_unlinkat(req.task, c.dfd, c.path, c.flags)


def mkdirat_prep(req, sqe):
    _path_prep(req, sqe)
    _unused(sqe.off, sqe.op_flags)
    req.cmd = Cmd(dfd=sqe.fd, path=sqe.addr, mode=sqe.len)


def mkdirat_issue(req):
    c = req.cmd
    return sys_mkdirat(req.task, c.dfd, c.path, c.mode)


def symlinkat_prep(req, sqe):
    _path_prep(req, sqe)
    _unused(sqe.len, sqe.op_flags)
    req.cmd = Cmd(dfd=sqe.fd, target=sqe.addr, path=sqe.off)


def symlinkat_issue(req):
    c = req.cmd
    return sys_symlinkat(req.task, c.target, c.dfd, c.path)


def linkat_prep(req, sqe):
    _path_prep(req, sqe)
    req.cmd = Cmd(olddfd=sqe.fd, old=sqe.addr, newdfd=sqe.len, new=sqe.off, flags=sqe.op_flags)


def linkat_issue(req):
    c = req.cmd
    return sys_linkat(req.task, c.olddfd, c.old, c.newdfd, c.new, c.flags)
