"""fs/splice.py - moving data between two files without a user buffer:
sendfile, copy_file_range, splice and tee.

Linux moves page references; here the kernel reads from one file's
operations and writes to the other's in chunks, which is what the guest
can observe anyway (the data, the offsets, the counts).  When either side
has to wait (a pipe or a terminal) the call sleeps like read and write do,
so these calls are generators (kernel/sched.py).
"""

import struct

from kernel.abi import s32, s64
from kernel.sched import is_generator
from kernel.errno import (EBADF, EINVAL, EISDIR, EOVERFLOW, ESPIPE, Errno)
from fs.file import FMODE_READ, FMODE_WRITE, O_APPEND, O_NONBLOCK, fdget
from fs.inode import S_ISDIR, S_ISREG
from fs.read_write import MAX_RW_COUNT
from mm.uaccess import copy_from_user, copy_to_user
from fs.notify.fsnotify import fsnotify_access, fsnotify_modify

CHUNK = 1 << 16
SPLICE_F_NONBLOCK = 2



def _call(res):
    """Run a file operation's result: a generator is waited for."""
    if is_generator(res):
        res = yield from res
    return res


def _get_off(t, addr):
    if not addr:
        return None
    (v,) = struct.unpack("<q", copy_from_user(t.mm, addr, 8))
    if v < 0:
        raise Errno(EINVAL)
    return v


def _put_off(t, addr, v):
    copy_to_user(t.mm, addr, struct.pack("<q", v))


def transfer(t, fin, in_off, fout, out_off, count, stop_short=True, modify_first=False):
    """Copy up to count bytes; returns (bytes moved, new in_off, new out_off).
    Watchers hear IN_ACCESS on fin and IN_MODIFY on fout (splice tells the
    IN_MODIFY first, sendfile and copy_file_range the IN_ACCESS)."""
    done = 0
    while done < count:
        n = min(CHUNK, count - done)
        if in_off is None:
            data = yield from _call(fin.f_op.read(fin, t, n))
        else:
            data = yield from _call(fin.f_op.pread(fin, t, n, in_off))
        if isinstance(data, int):
            if data < 0:
                if done:
                    break
                raise Errno(-data)
            data = b""
        if not data:
            break
        if in_off is not None:
            in_off += len(data)
        try:
            if out_off is None:
                w = yield from _call(fout.f_op.write(fout, t, data))
            else:
                w = yield from _call(fout.f_op.pwrite(fout, t, data, out_off))
        except Errno:
            if done:
                break
            raise
        if isinstance(w, int) and w < 0:
            if done:
                break
            return w, in_off, out_off
        done += w
        if out_off is not None:
            out_off += w
        if w < len(data):
            if in_off is not None:
                in_off -= len(data) - w
            break
        if len(data) < n and stop_short:
            break
    if done:
        if modify_first:
            fsnotify_modify(fout)
        fsnotify_access(fin)
        if not modify_first:
            fsnotify_modify(fout)
    return done, in_off, out_off


MAX_NON_LFS = (1 << 31) - 1


def _sendfile(t, out_fd, in_fd, offset_addr, count, off32=False):
    """off32: i386's sendfile, whose offset is a 32-bit off_t: it may not
    move past 2 GiB - 1 (EOVERFLOW), as Linux's compat entry."""
    fin = fdget(t, s32(in_fd), FMODE_READ)
    fout = fdget(t, s32(out_fd), FMODE_WRITE)
    if not fin.f_op.seekable or fin.mapping is None:
        return -EINVAL
    if fout.flags & O_APPEND:
        return -EINVAL
    count = min(count, MAX_RW_COUNT)
    if off32 and offset_addr:
        (off,) = struct.unpack("<i", copy_from_user(t.mm, offset_addr, 4))
        if off < 0:
            return -EINVAL
        if off + count > MAX_NON_LFS:
            if off >= MAX_NON_LFS:
                return -EOVERFLOW
            count = MAX_NON_LFS - off
    else:
        off = _get_off(t, offset_addr)
    if off is None:
        n, _, _ = yield from transfer(t, fin, fin.pos, fout, None, count)
        if n > 0:
            fin.pos += n
        return n
    n, new_off, _ = yield from transfer(t, fin, off, fout, None, count)
    if n >= 0:
        end = off + max(n, 0)
        copy_to_user(t.mm, offset_addr, struct.pack("<i", end) if off32 else struct.pack("<q", end))
    return n


def sys_sendfile64(t, out_fd, in_fd, offset, count):
    return _sendfile(t, out_fd, in_fd, offset, count)


def sys_sendfile(t, out_fd, in_fd, offset, count):
    return _sendfile(t, out_fd, in_fd, offset, count)


def _copy_file_range(t, fd_in, off_in, fd_out, off_out, length, flags):
    if flags:
        return -EINVAL
    fin = fdget(t, s32(fd_in), FMODE_READ)
    fout = fdget(t, s32(fd_out), FMODE_WRITE)
    if S_ISDIR(fin.inode.mode) or S_ISDIR(fout.inode.mode):
        return -EISDIR
    if not S_ISREG(fin.inode.mode) or not S_ISREG(fout.inode.mode):
        return -EINVAL
    if fout.flags & O_APPEND:
        return -EBADF
    pin = _get_off(t, off_in)
    pout = _get_off(t, off_out)
    a = fin.pos if pin is None else pin
    b = fout.pos if pout is None else pout
    length = max(0, min(length, MAX_RW_COUNT, fin.inode.size - a))
    if fin.inode is fout.inode and a < b + length and b < a + length:
        return -EINVAL
    n, a2, b2 = yield from transfer(t, fin, a, fout, b, length)
    if pin is None:
        fin.pos = a + n
    else:
        _put_off(t, off_in, a + n)
    if pout is None:
        fout.pos = b + n
    else:
        _put_off(t, off_out, b + n)
    return n


def sys_copy_file_range(t, fd_in, off_in, fd_out, off_out, length, flags):
    return _copy_file_range(t, fd_in, off_in, fd_out, off_out, length, flags & 0xFFFFFFFF)


def _is_pipe(f):
    return f.inode.pipe is not None or getattr(f.f_op, "is_pipe", False)


def _splice(t, fd_in, off_in, fd_out, off_out, length, flags):
    fin = fdget(t, s32(fd_in), FMODE_READ)
    fout = fdget(t, s32(fd_out), FMODE_WRITE)
    if not _is_pipe(fin) and not _is_pipe(fout):
        return -EINVAL
    if (off_in and _is_pipe(fin)) or (off_out and _is_pipe(fout)):
        return -ESPIPE
    if fout.flags & O_APPEND:
        return -EINVAL
    pin = _get_off(t, off_in)
    pout = _get_off(t, off_out)
    length = min(length, MAX_RW_COUNT)
    if length == 0:
        return 0
    nonblock = flags & SPLICE_F_NONBLOCK
    saved = (fin.flags, fout.flags)
    if nonblock:
        fin.flags |= O_NONBLOCK
        fout.flags |= O_NONBLOCK
    try:
        n, a, b = yield from transfer(t, fin, pin, fout, pout, length, modify_first=True)
    finally:
        if nonblock:
            fin.flags = (fin.flags & ~O_NONBLOCK) | (saved[0] & O_NONBLOCK)
            fout.flags = (fout.flags & ~O_NONBLOCK) | (saved[1] & O_NONBLOCK)
    if pin is not None:
        _put_off(t, off_in, a)
    if pout is not None:
        _put_off(t, off_out, b)
    return n


def sys_splice(t, fd_in, off_in, fd_out, off_out, length, flags):
    return _splice(t, fd_in, off_in, fd_out, off_out, length, flags & 0xFFFFFFFF)
