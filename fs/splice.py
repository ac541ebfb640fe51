"""fs/splice.py - moving data between two files without a user buffer:
sendfile, copy_file_range, splice and tee.

Linux moves page references; here the kernel reads from one file's
operations and writes to the other's in chunks, which is what the guest
can observe anyway (the data, the offsets, the counts).  When either side
has to wait (a pipe or a terminal) the call sleeps like read and write do,
so these calls are generators (kernel/sched.py).
"""

import struct

from kernel.abi import RLIMIT_FSIZE, s32
from kernel.sched import is_generator
from kernel.errno import (EBADF, EFAULT, EFBIG, EINVAL, EISDIR, EOVERFLOW, EPERM, ESPIPE,
    Errno, EAGAIN, ERESTARTSYS, EPIPE)
from fs.file import (FMODE_READ, FMODE_WRITE, O_APPEND, O_LARGEFILE, O_NONBLOCK, fdget,
    POLLIN, POLLRDNORM, fget, POLLOUT, POLLWRNORM)
from fs.inode import S_ISDIR, S_ISREG
from fs.read_write import MAX_RW_COUNT, read_iovec
from mm.uaccess import copy_from_user, copy_to_user
from fs.notify.fsnotify import fsnotify_access, fsnotify_modify
from fs.pipe import PipeOperations, _sigpipe, PipeBuffer, PAGE_SIZE
from kernel import sched
from kernel.signal import SIGXFSZ, SigInfo, send_signal, signal_pending
from kernel.task import RLIM_INFINITY
from fs.attr import MAX_LFS_FILESIZE

CHUNK = 1 << 16
SPLICE_F_NONBLOCK = 2
SPLICE_F_ALL = 0xF              # MOVE | NONBLOCK | MORE | GIFT


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
    """In Linux's order: the descriptors, the offsets, the flags, then
    generic_copy_file_checks (file kinds and modes, immutable, wrapping
    offsets, the copy cut at the source's end, the target's size limits,
    overlap within one file)."""
    fin, fout = fget(t, s32(fd_in)), fget(t, s32(fd_out))
    if fin is None or fout is None:
        return -EBADF
    pin = _get_off(t, off_in)
    pout = _get_off(t, off_out)
    if flags:
        return -EINVAL
    a = fin.pos if pin is None else pin
    b = fout.pos if pout is None else pout
    if S_ISDIR(fin.inode.mode) or S_ISDIR(fout.inode.mode):
        return -EISDIR
    if not S_ISREG(fin.inode.mode) or not S_ISREG(fout.inode.mode):
        return -EINVAL
    if not fin.mode & FMODE_READ or not fout.mode & FMODE_WRITE or fout.flags & O_APPEND:
        return -EBADF
    if fout.inode.immutable:
        return -EPERM
    if a + length >= 1 << 64 or b + length >= 1 << 64:
        return -EOVERFLOW                   # (loff_t + size_t wraps)
    length = 0 if a >= fin.inode.size else min(length, fin.inode.size - a)
    length = _write_check_limits(t, fout, b, length)
    if fin.inode is fout.inode and b + length > a and b < a + length:
        return -EINVAL
    length = min(length, MAX_RW_COUNT)
    if length == 0:
        return 0
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


def _write_check_limits(t, f, pos, count):
    """generic_write_check_limits: a write at pos may not start past
    RLIMIT_FSIZE (SIGXFSZ) or the largest file; count is cut to fit."""
    limit = t.signal.rlim[RLIMIT_FSIZE][0]
    if limit != RLIM_INFINITY:
        if pos >= limit:
            send_signal(t, SigInfo(SIGXFSZ), group=False)
            raise Errno(EFBIG)
        count = min(count, limit - pos)
    max_size = MAX_LFS_FILESIZE if f.flags & O_LARGEFILE else MAX_NON_LFS
    if pos >= max_size:
        raise Errno(EFBIG)
    return min(count, max_size - pos)


def sys_copy_file_range(t, fd_in, off_in, fd_out, off_out, length, flags):
    return _copy_file_range(t, fd_in, off_in, fd_out, off_out, length, flags & 0xFFFFFFFF)


def _is_pipe(f):
    return f.inode.pipe is not None


def _splice(t, fd_in, off_in, fd_out, off_out, length, flags):
    # as Linux's sys_splice: a length of 0 and the flags before the fds
    if length == 0:
        return 0
    if flags & ~SPLICE_F_ALL:
        return -EINVAL
    fin = fdget(t, s32(fd_in), FMODE_READ)
    fout = fdget(t, s32(fd_out), FMODE_WRITE)
    if not _is_pipe(fin) and not _is_pipe(fout):
        return -EINVAL
    if (off_in and _is_pipe(fin)) or (off_out and _is_pipe(fout)):
        return -ESPIPE
    if fout.flags & O_APPEND:
        return -EINVAL
    # a kind of file with no ->splice_read or ->splice_write (a directory,
    # epoll, eventfd, signalfd, timerfd, pidfd, /proc/PID's files ...) is
    # EINVAL before the call would wait on the pipe (Linux waits for room
    # in a full output pipe first)
    if not _is_pipe(fin) and not fin.f_op.splice_read:
        return -EINVAL
    if not _is_pipe(fout) and not fout.f_op.splice_write:
        return -EINVAL
    pin = _get_off(t, off_in)
    pout = _get_off(t, off_out)
    length = min(length, MAX_RW_COUNT)
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


# -- tee and vmsplice: pipe buffers themselves ------------------------------------


def get_pipe_info(f):
    """The Pipe behind a pipe or FIFO end, else None."""
    return f.private if isinstance(f.f_op, PipeOperations) else None


def _ipipe_prep(t, pipe, nonblock):
    """tee's input: wait for something to duplicate (or no writers left)."""
    while not pipe.bufs:
        if not pipe.writers:
            return 0
        if nonblock:
            return -EAGAIN
        if signal_pending(t):
            return -ERESTARTSYS
        yield sched.Sleep((pipe.rd_wait,))
    return 0


def _opipe_prep(t, pipe, nonblock):
    """The output pipe: wait for a free slot; no reader is SIGPIPE/EPIPE."""
    while pipe.full():
        if not pipe.readers:
            _sigpipe(t)
            return -EPIPE
        if nonblock:
            return -EAGAIN
        if signal_pending(t):
            return -ERESTARTSYS
        yield sched.Sleep((pipe.wr_wait,))
    return 0


def link_pipe(t, ipipe, opipe, length):
    """Duplicate up to length bytes of ipipe's buffers into opipe without
    consuming them (Linux shares the pages; the bytes are immutable here
    until read, so a copy is the same)."""
    ret = 0
    i = 0
    while length:
        if not opipe.readers:
            _sigpipe(t)
            if not ret:
                ret = -EPIPE
            break
        if i >= len(ipipe.bufs) or opipe.full():
            break
        ibuf = ipipe.bufs[i]
        data = bytes(ibuf.data[:length])
        obuf = PipeBuffer(data, ibuf.packet)
        obuf.offset = ibuf.offset
        obuf.can_merge = False          # a shared page: no one may append to it
        opipe.bufs.append(obuf)
        ret += len(data)
        length -= len(data)
        i += 1
    if ret > 0:
        opipe.rd_wait.wake_up(POLLIN | POLLRDNORM)
    return ret


def _do_tee(t, fin, fout, length, flags):
    if not fin.mode & FMODE_READ or not fout.mode & FMODE_WRITE:
        return -EBADF
    ipipe, opipe = get_pipe_info(fin), get_pipe_info(fout)
    if ipipe is None or opipe is None or ipipe is opipe:
        return -EINVAL
    nonblock = bool(flags & SPLICE_F_NONBLOCK or (fin.flags | fout.flags) & O_NONBLOCK)
    ret = yield from _ipipe_prep(t, ipipe, nonblock)
    if ret:
        return ret
    ret = yield from _opipe_prep(t, opipe, nonblock)
    if ret:
        return ret
    return link_pipe(t, ipipe, opipe, length)


def sys_tee(t, fdin, fdout, length, flags):
    flags &= 0xFFFFFFFF
    if flags & ~SPLICE_F_ALL:
        return -EINVAL
    if t.arch.BITS == 32:
        length &= 0xFFFFFFFF
    if not length:
        return 0
    fin, fout = fget(t, s32(fdin)), fget(t, s32(fdout))
    if fin is None or fout is None:
        return -EBADF
    return _do_tee(t, fin, fout, length, flags)


def sys_vmsplice(t, fd, uiov, nr_segs, flags):
    """User memory into a pipe (an end open for writing) or a pipe's
    contents into user memory (one open for reading only)."""
    flags &= 0xFFFFFFFF
    if flags & ~SPLICE_F_ALL:
        return -EINVAL
    f = fget(t, s32(fd))
    if f is None or not f.mode & (FMODE_READ | FMODE_WRITE):
        return -EBADF
    to_pipe = bool(f.mode & FMODE_WRITE)
    if nr_segs > 1024:                  # UIO_MAXIOV (an unsigned long: no truncation)
        return -EINVAL
    vec = read_iovec(t, uiov, nr_segs)
    for base, ln in vec:
        if ln and base + ln > t.mm.task_size:
            return -EFAULT
    if not sum(ln for _, ln in vec):
        return 0
    pipe = get_pipe_info(f)            # (the file's O_NONBLOCK does not count)
    if pipe is None:
        return -EBADF
    if to_pipe:
        return _vmsplice_to_pipe(t, pipe, vec, flags)
    return _vmsplice_to_user(t, pipe, vec, flags)


def _wait_for_space(t, pipe, flags):
    while True:
        if not pipe.readers:
            _sigpipe(t)
            return -EPIPE
        if not pipe.full():
            return 0
        if flags & SPLICE_F_NONBLOCK:
            return -EAGAIN
        if signal_pending(t):
            return -ERESTARTSYS
        yield sched.Sleep((pipe.wr_wait,))


def _vmsplice_to_pipe(t, pipe, vec, flags):
    """iter_to_pipe: one buffer per user page the data lies in, while slots
    are free; a page that cannot be read ends it."""
    ret = yield from _wait_for_space(t, pipe, flags)
    if ret:
        return ret
    done = 0
    for base, ln in vec:
        pos = base
        while pos < base + ln and not pipe.full():
            chunk = min(base + ln - pos, PAGE_SIZE - (pos & (PAGE_SIZE - 1)))
            try:
                data = copy_from_user(t.mm, pos, chunk)
            except Errno as e:
                if not done:
                    return -e.errno
                break
            buf = PipeBuffer(data)
            buf.offset = pos & (PAGE_SIZE - 1)
            buf.can_merge = False
            pipe.bufs.append(buf)
            done += chunk
            pos += chunk
        else:
            continue
        break
    if done:
        pipe.rd_wait.wake_up(POLLIN | POLLRDNORM)
    return done


def _vmsplice_to_user(t, pipe, vec, flags):
    """__splice_from_pipe with pipe_to_user: wait for data, then copy what
    is there into the iovec, buffer by buffer (a bad address stops it and
    leaves that buffer in the pipe)."""
    while not pipe.bufs:
        if not pipe.writers:
            return 0
        if flags & SPLICE_F_NONBLOCK:
            return -EAGAIN
        if signal_pending(t):
            return -ERESTARTSYS
        yield sched.Sleep((pipe.rd_wait,))
    done = 0
    seg, segoff = 0, 0
    err = 0
    while pipe.bufs and seg < len(vec):
        base, ln = vec[seg]
        if segoff >= ln:
            seg, segoff = seg + 1, 0
            continue
        buf = pipe.bufs[0]
        n = min(len(buf.data), ln - segoff)
        try:
            copy_to_user(t.mm, base + segoff, bytes(buf.data[:n]))
        except Errno as e:
            err = -e.errno
            break
        del buf.data[:n]
        buf.offset += n
        if not buf.data:
            pipe.bufs.pop(0)
        done += n
        segoff += n
    if done:
        pipe.wr_wait.wake_up(POLLOUT | POLLWRNORM)
    return done if done else err
