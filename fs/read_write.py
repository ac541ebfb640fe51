"""fs/read_write.py - read, write, lseek and their vector and positional forms.

The system calls copy between guest memory and the bytes the file
operations take or return.  A file operation that has to wait (a pipe, the
console) returns a generator; the call then becomes one too, and the task
sleeps in it (kernel/sched.py).  Regular files go through their page cache
with generic_file_fops.
"""

import struct

from kernel.abi import RLIMIT_FSIZE, s32, s64
from kernel.sched import is_generator
from kernel.errno import (EBADF, EFAULT, EFBIG, EINVAL, ENOSPC, ENXIO, EOPNOTSUPP, EOVERFLOW,
                          ESPIPE, Errno)
from fs.file import (FMODE_READ, FMODE_WRITE, O_APPEND, SEEK_CUR, SEEK_DATA,
                     SEEK_END, SEEK_HOLE, SEEK_SET, FileOperations, fdget)
from fs.notify.fanotify.fanotify import FAN_ACCESS_PERM
from fs.notify.fsnotify import fsnotify_access, fsnotify_modify, fsnotify_perm
from mm.physmem import OutOfMemory
from mm.uaccess import copy_from_user, copy_to_user
from fs.namei import may_write_path
from kernel.signal import SIGXFSZ, SigInfo, send_signal
from mm.memfd import seal_check_write

MAX_RW_COUNT = 0x7FFFF000
UIO_MAXIOV = 1024
LLONG_MAX = (1 << 63) - 1


class GenericFileOperations(FileOperations):
    """A regular file whose data is its page cache (tmpfs, hostfs)."""
    seekable = True

    def read(self, f, t, count):
        data = self.pread(f, t, count, f.pos)
        f.pos += len(data)
        return data

    def write(self, f, t, data):
        if f.flags & O_APPEND:
            f.pos = f.inode.size
        n = self.pwrite(f, t, data, f.pos)
        f.pos += n
        return n

    def pread(self, f, t, count, pos):
        inode = f.inode
        inode.revalidate()
        data = f.mapping.read(pos, count)
        return data

    def pwrite(self, f, t, data, pos):
        may_write_path(t, f.path)
        inode = f.inode
        limit = t.signal.rlim[RLIMIT_FSIZE][0]
        if pos + len(data) > limit:
            if pos >= limit:
                send_signal(t, SigInfo(SIGXFSZ), group=False)
                raise Errno(EFBIG)
            data = data[:limit - pos]
        if (inode.seals or 0) & ~1:     # more than F_SEAL_SEAL
            data = data[:seal_check_write(inode, pos, len(data))]
        try:
            n = f.mapping.write(pos, data)
        except OutOfMemory:
            raise Errno(ENOSPC)
        inode.touch(m=True, c=True)
        inode.write_back_maybe()
        return n

    def llseek(self, f, offset, whence):
        m = f.mapping
        if whence in (SEEK_DATA, SEEK_HOLE) and m is not None and not m.backed:
            return memory_seek_hole_data(f, offset, whence)
        return generic_llseek(f, offset, whence, f.inode.size)

    def fsync(self, f):
        f.inode.sync()
        return 0


generic_file_fops = GenericFileOperations()


def generic_llseek(f, offset, whence, size):
    if whence == SEEK_SET:
        new = offset
    elif whence == SEEK_CUR:
        new = f.pos + offset
    elif whence == SEEK_END:
        new = size + offset
    elif whence == SEEK_DATA:
        if offset >= size:
            raise Errno(ENXIO)
        new = offset
    elif whence == SEEK_HOLE:
        if offset >= size:
            raise Errno(ENXIO)
        new = size
    else:
        raise Errno(EINVAL)
    if new < 0:
        raise Errno(EINVAL)
    if new > LLONG_MAX:
        raise Errno(EOVERFLOW)
    f.pos = new
    return new


def memory_seek_hole_data(f, offset, whence):
    """SEEK_DATA/SEEK_HOLE in a file that lives in its page cache (tmpfs,
    shmem, memfd): data is the pages that exist, holes the ones never
    written, page by page, as Linux's shmem_file_llseek.  A file on disk
    keeps generic_llseek's answer (all data, a hole at the end)."""
    size = f.inode.size
    if offset < 0 or offset >= size:
        raise Errno(ENXIO)
    pages = f.mapping.pages
    last = (size - 1) >> 12
    index = offset >> 12
    if whence == SEEK_DATA:
        present = [i for i in pages if index <= i <= last]
        if not present:
            raise Errno(ENXIO)
        new = max(offset, min(present) << 12)
    else:
        while index <= last and index in pages:
            index += 1
        new = min(max(offset, index << 12), size)
    f.pos = new
    return new


def _after(gen, then):
    """A generator that runs gen, then returns then(its value)."""
    res = yield from gen
    return then(res)


READ_CHUNK = 1 << 17


def _read_chunked(t, f, buf, count, pos):
    """A file that never sleeps (regular files, /dev/zero, procfs): read
    and copy a chunk at a time, so a huge read of a sparse file never makes
    the kernel hold gigabytes, and a bad buffer part way is a short read."""
    done = 0
    p = f.pos if pos is None else pos
    while done < count:
        n = min(READ_CHUNK, count - done)
        if pos is None and p != f.pos:
            f.pos = p
        data = f.f_op.pread(f, t, n, p) if f.f_op is generic_file_fops or pos is not None \
            else f.f_op.read(f, t, n)
        if isinstance(data, int):
            if done:
                fsnotify_access(f)
            return data if not done else done
        if not data:
            break
        try:
            copy_to_user(t.mm, buf + done, data)
        except Errno:
            if not done:
                raise
            break
        done += len(data)
        p += len(data)
        if len(data) < n:
            break
    if pos is None and f.f_op is generic_file_fops:
        f.pos = p
    if done:
        fsnotify_access(f)
    return done


def _when_allowed(wait, then):
    """A generator: wait for a fanotify listener's permission
    (fsnotify_perm), then return then()'s result (waited for too)."""
    r = yield from wait
    if r < 0:
        return r
    res = then()
    if is_generator(res):
        res = yield from res
    return res


def _do_read(t, f, buf, count, pos=None):
    count = min(count, MAX_RW_COUNT)
    if count and not (0 <= buf and buf + count <= t.mm.task_size):
        return -EFAULT
    wait = fsnotify_perm(t, f, FAN_ACCESS_PERM)
    if wait is not None:
        return _when_allowed(wait, lambda: _do_read_allowed(t, f, buf, count, pos))
    return _do_read_allowed(t, f, buf, count, pos)


def _do_read_allowed(t, f, buf, count, pos):
    if f.f_op.seekable and count > READ_CHUNK:
        return _read_chunked(t, f, buf, count, pos)
    if pos is None and f.f_op.read_user is not None:
        return f.f_op.read_user(f, t, buf, count)   # copies record by record itself
    if pos is None:
        res = f.f_op.read(f, t, count)
    else:
        res = f.f_op.pread(f, t, count, pos)

    def deliver(data):
        if isinstance(data, int):
            return data
        copy_to_user(t.mm, buf, data)
        if data:
            fsnotify_access(f)
        return len(data)
    if is_generator(res):
        return _after(res, deliver)
    return deliver(res)


def _do_write(t, f, buf, count, pos=None):
    count = min(count, MAX_RW_COUNT)
    data = copy_from_user(t.mm, buf, count)
    if pos is None:
        return _notify_written(f, f.f_op.write(f, t, data))
    return _notify_written(f, f.f_op.pwrite(f, t, data, pos))


def _notify_written(f, res):
    """IN_MODIFY once something was written (res: a count or a generator)."""
    def done(n):
        if isinstance(n, int) and n > 0:
            fsnotify_modify(f)
        return n
    if is_generator(res):
        return _after(res, done)
    return done(res)


def sys_read(t, fd, buf, count):
    f = fdget(t, s32(fd), FMODE_READ)
    return _do_read(t, f, buf, count)


def sys_write(t, fd, buf, count):
    f = fdget(t, s32(fd), FMODE_WRITE)
    return _do_write(t, f, buf, count)


def fdget_pos(t, fd, mode):
    """The File for a read or write at an offset: Linux asks whether the
    file has positions (ESPIPE) before whether it is open for that (EBADF)."""
    f = fdget(t, s32(fd))
    if not f.f_op.seekable:
        raise Errno(ESPIPE)
    if not f.mode & mode:
        raise Errno(EBADF)
    return f


def sys_pread64(t, fd, buf, count, pos):
    pos = s64(pos)
    if pos < 0:
        return -EINVAL
    f = fdget_pos(t, fd, FMODE_READ)
    return _do_read(t, f, buf, count, pos)


def _append_pos(f, pos):
    """Linux's pwrite on an O_APPEND file writes at the end all the same
    (see BUGS in pwrite(2)), leaving the file position alone."""
    if f.flags & O_APPEND and f.mapping is not None:
        return f.inode.size
    return pos


def sys_pwrite64(t, fd, buf, count, pos):
    pos = s64(pos)
    if pos < 0:
        return -EINVAL
    f = fdget_pos(t, fd, FMODE_WRITE)
    return _do_write(t, f, buf, count, _append_pos(f, pos))


def read_iovec(t, iov, iovcnt):
    """[(base, len)] of a guest struct iovec array."""
    iovcnt &= 0xFFFFFFFF
    if iovcnt > UIO_MAXIOV:
        raise Errno(EINVAL)
    if iovcnt == 0:
        return []
    ptr = t.arch.BITS // 8
    raw = copy_from_user(t.mm, iov, iovcnt * 2 * ptr)
    vals = struct.unpack("<%d%s" % (iovcnt * 2, "Q" if ptr == 8 else "I"), raw)
    out = []
    total = 0
    for i in range(iovcnt):
        base, ln = vals[2 * i], vals[2 * i + 1]
        # iov_len is a size_t read as ssize_t: negative is EINVAL.  A
        # 32-bit task's is a compat_ssize_t, so bit 31 is its sign
        # (Linux's copy_compat_iovec_from_user).
        if ln & (1 << (8 * ptr - 1)):
            raise Errno(EINVAL)
        total += ln
        if total > LLONG_MAX:
            raise Errno(EINVAL)
        out.append((base, ln))
    return out


def _loop_readv(t, f, vec):
    """readv of a file that copies records itself (read_user; Linux: a
    file with .read and no .read_iter): one read per segment, stopping at
    the first short one or error, as do_loop_readv_writev."""
    done = 0
    for base, ln in vec:
        if not ln:
            continue
        try:
            res = f.f_op.read_user(f, t, base, ln)
            if is_generator(res):
                res = yield from res
        except Errno as e:
            res = -e.errno
        if res < 0:
            return done or res
        done += res
        if res != ln:
            break
    return done


def _do_readv(t, f, iov, pos):
    vec = read_iovec(t, iov, 0) if iov is None else iov
    total = sum(ln for _, ln in vec)
    total = min(total, MAX_RW_COUNT)
    for base, ln in vec:
        if ln and not (0 <= base and base + ln <= t.mm.task_size):
            return -EFAULT
    wait = fsnotify_perm(t, f, FAN_ACCESS_PERM)
    if wait is not None:
        return _when_allowed(wait, lambda: _do_readv_allowed(t, f, vec, total, pos))
    return _do_readv_allowed(t, f, vec, total, pos)


def _do_readv_allowed(t, f, vec, total, pos):
    if pos is None and f.f_op.read_user is not None:
        return _loop_readv(t, f, vec)
    res = f.f_op.read(f, t, total) if pos is None else f.f_op.pread(f, t, total, pos)

    def scatter(data):
        if isinstance(data, int):
            return data
        done = 0
        for base, ln in vec:
            if done >= len(data):
                break
            chunk = data[done:done + ln]
            copy_to_user(t.mm, base, chunk)
            done += len(chunk)
        fsnotify_access(f)                  # even at end of file, as Linux's readv
        return done
    if is_generator(res):
        return _after(res, scatter)
    return scatter(res)


def _do_writev(t, f, vec, pos):
    data = b"".join(copy_from_user(t.mm, base, ln) for base, ln in vec if ln)
    data = data[:MAX_RW_COUNT]
    if pos is None:
        return _notify_written(f, f.f_op.write(f, t, data))
    return _notify_written(f, f.f_op.pwrite(f, t, data, pos))


def sys_readv(t, fd, iov, iovcnt):
    f = fdget(t, s32(fd), FMODE_READ)
    return _do_readv(t, f, read_iovec(t, iov, iovcnt), None)


def sys_writev(t, fd, iov, iovcnt):
    f = fdget(t, s32(fd), FMODE_WRITE)
    return _do_writev(t, f, read_iovec(t, iov, iovcnt), None)


def _pos_from(lo, hi, bits):
    return s64(lo | (hi << 32)) if bits == 32 else s64(lo)


def sys_preadv(t, fd, iov, iovcnt, pos_l, pos_h):
    pos = _pos_from(pos_l, pos_h, t.arch.BITS)
    if pos < 0:
        return -EINVAL
    f = fdget_pos(t, fd, FMODE_READ)
    return _do_readv(t, f, read_iovec(t, iov, iovcnt), pos)


def sys_pwritev(t, fd, iov, iovcnt, pos_l, pos_h):
    pos = _pos_from(pos_l, pos_h, t.arch.BITS)
    if pos < 0:
        return -EINVAL
    f = fdget_pos(t, fd, FMODE_WRITE)
    return _do_writev(t, f, read_iovec(t, iov, iovcnt), _append_pos(f, pos))


# preadv2/pwritev2 flags (Linux 6.10's RWF_SUPPORTED; no RWF_ATOMIC)
RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT, RWF_APPEND, RWF_NOAPPEND = 1, 2, 4, 8, 0x10, 0x20
RWF_SUPPORTED = RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND | RWF_NOAPPEND


def _rw2(t, fd, iov, iovcnt, pos_l, pos_h, flags, mode):
    """What preadv2 and pwritev2 share: offset -1 means the file position,
    then Linux's order of errors: the offset, the
    fd, seekability, the iovec, the flags (EOPNOTSUPP for unknown ones)."""
    pos = _pos_from(pos_l, pos_h, t.arch.BITS)
    if pos == -1:
        pos = None
    elif pos < 0:
        raise Errno(EINVAL)
    f = fdget(t, s32(fd), mode) if pos is None else fdget_pos(t, fd, mode)
    vec = read_iovec(t, iov, iovcnt)
    flags = s32(flags)
    if flags & ~RWF_SUPPORTED:
        raise Errno(EOPNOTSUPP)
    return f, vec, pos, flags


def sys_preadv2(t, fd, iov, iovcnt, pos_l, pos_h, flags=0):
    f, vec, pos, _flags = _rw2(t, fd, iov, iovcnt, pos_l, pos_h, flags, FMODE_READ)
    return _do_readv(t, f, vec, pos)


def sys_pwritev2(t, fd, iov, iovcnt, pos_l, pos_h, flags=0):
    f, vec, pos, flags = _rw2(t, fd, iov, iovcnt, pos_l, pos_h, flags, FMODE_WRITE)
    if flags & RWF_APPEND and f.inode.mapping is not None:
        # at the end of the file; with offset -1 the position moves there
        if pos is None:
            f.pos = f.inode.size
        else:
            pos = f.inode.size
    elif pos is not None and not flags & RWF_NOAPPEND:
        pos = _append_pos(f, pos)
    return _do_writev(t, f, vec, pos)


def sys_lseek(t, fd, offset, whence):
    f = fdget(t, s32(fd))
    whence &= 0xFFFFFFFF
    if whence > SEEK_HOLE:
        return -EINVAL
    off = s64(offset) if t.arch.BITS == 64 else s32(offset)
    return f.f_op.llseek(f, off, whence)
