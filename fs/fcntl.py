"""fs/fcntl.py - dup, dup2, dup3 and fcntl(2).

Descriptors are slots in the task's fd table (fs/file.py) pointing at
shared open Files: dup makes a second slot for the same File, so the two
share the position and the status flags, but not FD_CLOEXEC, which lives in
the slot.  fcntl reads and changes both kinds of flag, duplicates, and
takes record locks (fs/locks.py).
"""

import struct

from kernel.abi import RLIMIT_NOFILE, s32
from kernel.capability import CAP_FOWNER, capable
from kernel.errno import EBADF, EINVAL, EPERM, Errno
from fs.file import (O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME,
                     O_NONBLOCK, O_CLOEXEC, FMODE_READ, FMODE_WRITE, FMODE_PATH, FMODE_CREATED,
                     fget)
from fs.fasync import (f_getown, f_getown_ex, f_getsig, f_setown, f_setown_ex, f_setsig,
                       fasync_helper)
from fs.notify.dnotify import fcntl_dirnotify
from fs.locks import (F_RDLCK, F_UNLCK, F_WRLCK, OFFSET_MAX, FileLock,
                      fcntl_getlease, fcntl_setlease, find_conflict, posix_lock_file)
from mm.uaccess import copy_from_user, copy_to_user
from mm.memfd import memfd_fcntl

F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL = 0, 1, 2, 3, 4
F_GETLK, F_SETLK, F_SETLKW = 5, 6, 7
F_SETOWN, F_GETOWN, F_SETSIG, F_GETSIG = 8, 9, 10, 11
F_GETLK64, F_SETLK64, F_SETLKW64 = 12, 13, 14
F_SETOWN_EX, F_GETOWN_EX = 15, 16
F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW = 36, 37, 38
F_SETLEASE, F_GETLEASE, F_NOTIFY = 1024, 1025, 1026
F_CREATED_QUERY = 1028                  # Linux 6.12
F_DUPFD_CLOEXEC = 1030
F_SETPIPE_SZ, F_GETPIPE_SZ = 1031, 1032
F_ADD_SEALS, F_GET_SEALS = 1033, 1034
FD_CLOEXEC = 1

SETFL_MASK = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME   # O_ASYNC: fasync's to set


def _fd(t, fd):
    f = fget(t, fd)
    if f is None:
        raise Errno(EBADF)
    return f


def _nofile(t):
    return t.signal.rlim[RLIMIT_NOFILE][0]


def do_dup2(t, oldfd, newfd, cloexec):
    f = _fd(t, oldfd)
    if newfd < 0 or newfd >= _nofile(t):
        raise Errno(EBADF)
    files = t.files
    old = files.fd.get(newfd)
    files.install(newfd, f.get(), cloexec)
    if old is not None:
        files.release_file(old)
    return newfd


def sys_dup(t, fd):
    f = _fd(t, s32(fd))
    f.get()
    try:
        return t.files.alloc_fd(t, f)
    except Errno:
        f.put()
        raise


def sys_dup2(t, oldfd, newfd):
    oldfd, newfd = s32(oldfd), s32(newfd)
    if oldfd == newfd:
        _fd(t, oldfd)
        return newfd
    return do_dup2(t, oldfd, newfd, False)


def sys_dup3(t, oldfd, newfd, flags):
    oldfd, newfd = s32(oldfd), s32(newfd)
    flags &= 0xFFFFFFFF
    if flags & ~O_CLOEXEC:
        return -EINVAL
    if oldfd == newfd:
        return -EINVAL
    return do_dup2(t, oldfd, newfd, bool(flags & O_CLOEXEC))


def _dupfd(t, f, minfd, cloexec):
    if minfd < 0 or minfd >= _nofile(t):
        raise Errno(EINVAL)
    f.get()
    try:
        return t.files.alloc_fd(t, f, cloexec=cloexec, minfd=minfd)
    except Errno:
        f.put()
        raise


# -- record locks ---------------------------------------------------------------

def _flock_struct(t, cmd):
    if t.arch.BITS == 64 or cmd in (F_GETLK64, F_SETLK64, F_SETLKW64) or cmd >= F_OFD_GETLK:
        return struct.Struct("<hh4xqqi4x") if t.arch.BITS == 64 else struct.Struct("<hhqqi")
    return struct.Struct("<hhiii")


def _lock_range(f, whence, start, length):
    if whence == 0:
        base = 0
    elif whence == 1:
        base = f.pos
    elif whence == 2:
        base = f.inode.size
    else:
        raise Errno(EINVAL)
    start += base
    if start < 0:
        raise Errno(EINVAL)
    if length > 0:
        end = start + length - 1
    elif length < 0:
        end = start - 1
        start += length
        if start < 0:
            raise Errno(EINVAL)
    else:
        end = OFFSET_MAX
    return start, end


def do_lock(t, f, cmd, arg):
    st = _flock_struct(t, cmd)
    raw = copy_from_user(t.mm, arg, st.size)
    type_, whence, start, length, pid = st.unpack(raw)
    ofd = cmd in (F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW)
    if ofd and pid != 0:
        raise Errno(EINVAL)
    if type_ not in (F_RDLCK, F_WRLCK, F_UNLCK):
        raise Errno(EINVAL)
    s, e = _lock_range(f, whence, start, length)
    owner = f if ofd else t.files
    req = FileLock(owner, type_, s, e, t.tgid, ofd=ofd)
    if cmd in (F_GETLK, F_GETLK64, F_OFD_GETLK):
        if type_ == F_UNLCK:
            raise Errno(EINVAL)
        lk = find_conflict(f.inode, req)
        if lk is None:
            out = st.pack(F_UNLCK, whence, start, length, pid)
        else:
            ln = 0 if lk.end == OFFSET_MAX else lk.end - lk.start + 1
            out = st.pack(lk.type, 0, lk.start, ln, -1 if lk.ofd else lk.pid)
        copy_to_user(t.mm, arg, out)
        return 0
    if type_ == F_RDLCK and not f.mode & FMODE_READ:
        raise Errno(EBADF)
    if type_ == F_WRLCK and not f.mode & FMODE_WRITE:
        raise Errno(EBADF)
    wait = cmd in (F_SETLKW, F_SETLKW64, F_OFD_SETLKW)
    return posix_lock_file(t, f.inode, req, wait)


def sys_fcntl(t, fd, cmd, arg):
    fd = s32(fd)
    cmd &= 0xFFFFFFFF
    f = _fd(t, fd)
    if f.mode & FMODE_PATH and cmd not in (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL):
        return -EBADF
    if cmd == F_DUPFD:
        return _dupfd(t, f, s32(arg), False)
    if cmd == F_DUPFD_CLOEXEC:
        return _dupfd(t, f, s32(arg), True)
    if cmd == F_GETFD:
        return FD_CLOEXEC if fd in t.files.cloexec else 0
    if cmd == F_SETFD:
        if arg & FD_CLOEXEC:
            t.files.cloexec.add(fd)
        else:
            t.files.cloexec.discard(fd)
        return 0
    if cmd == F_GETFL:
        return f.flags
    if cmd == F_SETFL:
        if f.flags & O_APPEND and not arg & O_APPEND and f.inode.append_only:
            return -EPERM
        if arg & O_NOATIME and not f.flags & O_NOATIME and \
                t.cred.fsuid != f.inode.uid and \
                not capable(t, CAP_FOWNER):
            return -EPERM                       # only the owner (or CAP_FOWNER)
        if (arg ^ f.flags) & O_ASYNC:
            fasync_helper(t, fd, f, bool(arg & O_ASYNC))    # sets or clears O_ASYNC
        f.flags = (f.flags & ~SETFL_MASK) | (arg & SETFL_MASK)
        return 0
    if cmd in (F_GETLK, F_SETLK, F_SETLKW, F_GETLK64, F_SETLK64, F_SETLKW64,
               F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW):
        if cmd in (F_GETLK64, F_SETLK64, F_SETLKW64) and t.arch.BITS == 64:
            return -EINVAL
        return do_lock(t, f, cmd, arg)
    if cmd == F_SETOWN:
        return f_setown(t, f, s32(arg))
    if cmd == F_GETOWN:
        return f_getown(f)
    if cmd == F_SETSIG:
        return f_setsig(f, arg if arg <= 64 else -1)
    if cmd == F_GETSIG:
        return f_getsig(f)
    if cmd == F_GETOWN_EX:
        copy_to_user(t.mm, arg, struct.pack("<ii", *f_getown_ex(f)))
        return 0
    if cmd == F_SETOWN_EX:
        kind, pid = struct.unpack("<ii", copy_from_user(t.mm, arg, 8))
        return f_setown_ex(t, f, kind, pid)
    if cmd in (F_ADD_SEALS, F_GET_SEALS):
        return memfd_fcntl(f, cmd, arg)
    if cmd == F_GETLEASE:
        return fcntl_getlease(f)
    if cmd == F_SETLEASE:
        return fcntl_setlease(t, fd, f, s32(arg))
    if cmd == F_NOTIFY:
        return fcntl_dirnotify(t, fd, f, arg)
    if cmd == F_CREATED_QUERY:
        return 1 if f.mode & FMODE_CREATED else 0
    if f.f_op.fcntl is not None:                    # pipes: F_GETPIPE_SZ...
        return f.f_op.fcntl(f, t, cmd, arg)
    return -EINVAL


def sys_fcntl64(t, fd, cmd, arg):
    return sys_fcntl(t, fd, cmd, arg)
