"""fs/attr.py - changing and checking an inode's attributes: chmod, chown,
truncate, fallocate, utimensat and friends, access/faccessat.

Who may change what (Linux's setattr_prepare and inode_change_ok):
 - mode: the owner or root; a non-root owner who is not in the file's
   group loses S_ISGID;
 - owner: root only; the group: root, or the owner to a group he is in;
   changing the owner of a non-directory clears S_ISUID (and S_ISGID when
   group-executable);
 - times: to "now", the owner, root or anyone who may write the file; to
   given times, only the owner or root;
 - size: whoever may write it.
Read-only mounts refuse all of it (EROFS).
"""

import struct

from kernel.abi import RLIMIT_FSIZE, s32, slong
from kernel.errno import (EACCES, EBADF, EFBIG, EINVAL, EISDIR, ENODEV,
                          EOPNOTSUPP, EPERM, ESPIPE, ETXTBSY, Errno)
from fs.file import FMODE_PATH, FMODE_WRITE, fget
from fs.inode import S_ISDIR, S_ISGID, S_ISLNK, S_ISREG, S_ISUID, S_IXGRP, now_ns
from fs.namei import (AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW,
                      MAY_EXEC, MAY_WRITE, generic_permission, in_group_p,
                      inode_permission, may_write_path, path_lookup)
from fs.notify.fsnotify import (IN_ACCESS, IN_ATTRIB, IN_MODIFY, fsnotify_change,
                                fsnotify_modify)
from mm.uaccess import copy_from_user, strncpy_from_user
from kernel.signal import SIGXFSZ, SigInfo, send_signal
from mm.memfd import seal_check_fallocate
from fs.locks import break_lease
from kernel.capability import CAP_CHOWN, CAP_FOWNER, CAP_FSETID, capable
import security.landlock.fs as landlock
from kernel.user_namespace import capable_wrt_inode_uidgid, make_kgid, make_kuid

UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2


def _path(t, dirfd, addr, flags, follow_default=True):
    """The Path of a *at call's (dirfd, name, flags)."""
    name = strncpy_from_user(t.mm, addr, 4096) if addr else b""
    follow = follow_default and not flags & AT_SYMLINK_NOFOLLOW
    return path_lookup(t, name, dirfd, follow=follow, empty_ok=bool(flags & AT_EMPTY_PATH))


def _is_owner(t, inode):
    return t.cred.fsuid == inode.uid or capable(t, CAP_FOWNER)


# -- chmod -------------------------------------------------------------------------

def may_setattr(inode):
    """notify_change's first check: an immutable or append-only file keeps
    its mode, owner and times."""
    if inode.immutable or inode.append_only:
        raise Errno(EPERM)


def chmod_common(t, path, mode):
    may_write_path(t, path)
    inode = path.dentry.inode
    may_setattr(inode)
    if not _is_owner(t, inode):
        raise Errno(EPERM)
    mode &= 0o7777
    if not in_group_p(t.cred, inode.gid) and not capable(t, CAP_FSETID):
        mode &= ~S_ISGID
    inode.setattr(mode=mode)
    fsnotify_change(path.dentry, IN_ATTRIB)
    return 0


def sys_fchmodat2(t, dirfd, name, mode, flags):
    flags &= 0xFFFFFFFF
    if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
        return -EINVAL
    path = _path(t, s32(dirfd), name, flags)
    if S_ISLNK(path.dentry.inode.mode):
        return -EOPNOTSUPP
    return chmod_common(t, path, mode)


def sys_fchmodat(t, dirfd, name, mode):
    return chmod_common(t, _path(t, s32(dirfd), name, 0), mode)


def sys_chmod(t, name, mode):
    return chmod_common(t, _path(t, AT_FDCWD, name, 0), mode)


def sys_fchmod(t, fd, mode):
    f = fget(t, s32(fd))
    if f is None or f.mode & FMODE_PATH:
        return -EBADF
    return chmod_common(t, f.path, mode)


# -- chown -------------------------------------------------------------------------

def chown_common(t, path, user, group):
    may_write_path(t, path)
    inode = path.dentry.inode
    may_setattr(inode)
    cred = t.cred
    # the kernel ids of the ones the caller's user namespace names (-1: unchanged)
    uid = None if user == 0xFFFFFFFF else make_kuid(cred.user_ns, user)
    gid = None if group == 0xFFFFFFFF else make_kgid(cred.user_ns, group)
    if uid is None and user != 0xFFFFFFFF or gid is None and group != 0xFFFFFFFF:
        raise Errno(EINVAL)
    if not capable_wrt_inode_uidgid(cred, inode, CAP_CHOWN):
        if uid is not None and uid != inode.uid:
            raise Errno(EPERM)
        if gid is not None and gid != inode.gid and \
                (cred.fsuid != inode.uid or not in_group_p(cred, gid)):
            raise Errno(EPERM)
        if (uid is not None or gid is not None) and cred.fsuid != inode.uid:
            raise Errno(EPERM)
    mode = None
    if not S_ISDIR(inode.mode):
        m = inode.mode & 0o7777
        if m & S_ISUID:
            m &= ~S_ISUID
        if m & S_ISGID and m & S_IXGRP:
            m &= ~S_ISGID
        if m != inode.mode & 0o7777 and not S_ISLNK(inode.mode):
            mode = m
    inode.setattr(uid=uid, gid=gid, mode=mode)
    if uid is not None or gid is not None or mode is not None:
        fsnotify_change(path.dentry, IN_ATTRIB)
    return 0


def sys_fchownat(t, dirfd, name, uid, gid, flags):
    flags &= 0xFFFFFFFF
    if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
        return -EINVAL
    return chown_common(t, _path(t, s32(dirfd), name, flags), uid & 0xFFFFFFFF, gid & 0xFFFFFFFF)


def sys_chown(t, name, uid, gid):
    return chown_common(t, _path(t, AT_FDCWD, name, 0), uid & 0xFFFFFFFF, gid & 0xFFFFFFFF)


def sys_lchown(t, name, uid, gid):
    return chown_common(t, _path(t, AT_FDCWD, name, AT_SYMLINK_NOFOLLOW),
                        uid & 0xFFFFFFFF, gid & 0xFFFFFFFF)


def sys_fchown(t, fd, uid, gid):
    f = fget(t, s32(fd))
    if f is None or f.mode & FMODE_PATH:
        return -EBADF
    return chown_common(t, f.path, uid & 0xFFFFFFFF, gid & 0xFFFFFFFF)


# -- truncate, fallocate -------------------------------------------------------------

def _check_size(t, length):
    if length < 0:
        raise Errno(EINVAL)
    if length > t.signal.rlim[RLIMIT_FSIZE][0]:
        send_signal(t, SigInfo(SIGXFSZ), group=False)
        raise Errno(EFBIG)


def do_truncate(t, path, length):
    inode = path.dentry.inode
    if S_ISDIR(inode.mode):
        raise Errno(EISDIR)
    if not S_ISREG(inode.mode):
        raise Errno(EINVAL)
    inode_permission(t, inode, MAY_WRITE, path.mnt)
    if inode.append_only:
        raise Errno(EPERM)
    if inode.i_writecount < 0:
        raise Errno(ETXTBSY)                    # a running program
    landlock.path_truncate(t, path)
    _check_size(t, length)
    if inode.i_flctx is not None:
        wait = break_lease(t, inode, 1)         # as an O_WRONLY open would
        if wait is not None:
            return _truncate_after_lease_break(wait, path, length)
    return _truncate(path, length)


def _truncate(path, length):
    inode = path.dentry.inode
    inode.setattr(size=length)
    inode.touch(m=True, c=True)
    fsnotify_change(path.dentry, IN_MODIFY)
    return 0


def _truncate_after_lease_break(wait, path, length):
    r = yield from wait
    if r is not None and r < 0:
        return r
    return _truncate(path, length)


def sys_truncate(t, name, length):
    path = path_lookup(t, strncpy_from_user(t.mm, name, 4096), AT_FDCWD)
    return do_truncate(t, path, slong(t, length))


def sys_ftruncate(t, fd, length):
    f = fget(t, s32(fd))
    if f is None or f.mode & FMODE_PATH:
        return -EBADF
    if not f.mode & FMODE_WRITE or not S_ISREG(f.inode.mode):
        return -EINVAL
    if f.inode.append_only:
        return -EPERM
    length = slong(t, length)
    _check_size(t, length)
    may_write_path(t, f.path)
    landlock.file_truncate(t, f)
    f.inode.setattr(size=length)
    f.inode.touch(m=True, c=True)
    fsnotify_change(f.path.dentry, IN_MODIFY)
    return 0


FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, FALLOC_FL_ZERO_RANGE = 1, 2, 0x10
MAX_LFS_FILESIZE = (1 << 63) - 1            # the largest file (loff_t) any file system allows


def sys_fallocate(t, fd, mode, offset, length):
    f = fget(t, s32(fd))
    if f is None or f.mode & FMODE_PATH:
        return -EBADF
    mode &= 0xFFFFFFFF
    offset, length = slong(t, offset), slong(t, length)
    if offset < 0 or length <= 0:
        return -EINVAL
    if mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE):
        return -EOPNOTSUPP
    if mode & FALLOC_FL_PUNCH_HOLE and not mode & FALLOC_FL_KEEP_SIZE:
        return -EOPNOTSUPP
    if not f.mode & FMODE_WRITE:
        return -EBADF
    inode = f.inode
    if S_ISDIR(inode.mode):
        return -EISDIR
    if not S_ISREG(inode.mode):
        return -ENODEV if not f.f_op.seekable else -ESPIPE
    end = offset + length
    if end > MAX_LFS_FILESIZE:
        return -EFBIG                       # past s_maxbytes, KEEP_SIZE or not
    if not f.f_op.fallocate_supported:
        return -EOPNOTSUPP                  # no ->fallocate (ext2, as on Linux)
    may_write_path(t, f.path)
    _check_size(t, end if not mode & FALLOC_FL_KEEP_SIZE else 0)
    if (inode.seals or 0) & ~1:         # more than F_SEAL_SEAL
        seal_check_fallocate(inode, bool(mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)), end)
    if mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE):
        stop = min(end, inode.size)
        if stop > offset:
            f.mapping.zero_range(offset, stop)
            inode.write_back_maybe()
    if not mode & FALLOC_FL_KEEP_SIZE and end > inode.size:
        inode.setattr(size=end)
    inode.touch(m=True, c=True)
    fsnotify_modify(f)
    return 0


# -- times ------------------------------------------------------------------------------

def utimes_common(t, path, times):
    """times: None (both now) or ((sec, nsec), (sec, nsec)) with UTIME_*."""
    may_write_path(t, path)
    inode = path.dentry.inode
    now = now_ns()
    if times is None:
        atime = mtime = now
        explicit = False
    else:
        (asec, ansec), (msec, mnsec) = times
        for sec, nsec in times:
            if nsec not in (UTIME_NOW, UTIME_OMIT) and not 0 <= nsec < 10**9:
                raise Errno(EINVAL)
        if ansec == UTIME_OMIT and mnsec == UTIME_OMIT:
            return 0
        atime = None if ansec == UTIME_OMIT else now if ansec == UTIME_NOW else asec * 10**9 + ansec
        mtime = None if mnsec == UTIME_OMIT else now if mnsec == UTIME_NOW else msec * 10**9 + mnsec
        explicit = ansec not in (UTIME_NOW, UTIME_OMIT) or mnsec not in (UTIME_NOW, UTIME_OMIT)
    if explicit:
        may_setattr(inode)
    elif inode.immutable:
        raise Errno(EPERM)                  # "now" is allowed on an append-only file
    if not _is_owner(t, inode):
        if explicit:
            raise Errno(EPERM)
        if not generic_permission(t.cred, inode, MAY_WRITE):
            raise Errno(EACCES)
    inode.setattr(atime=atime, mtime=mtime)
    # both times: IN_ATTRIB; one of them: as if read or written
    fsnotify_change(path.dentry, IN_ATTRIB if atime is not None and mtime is not None
                    else IN_ACCESS if atime is not None else IN_MODIFY)
    return 0


def _read_timespecs(t, addr):
    if not addr:
        return None
    a, an, m, mn = struct.unpack("<qqqq" if t.arch.BITS == 64 else "<iiii",
                                 copy_from_user(t.mm, addr, 32 if t.arch.BITS == 64 else 16))
    return ((a, an), (m, mn))


def _read_timevals(t, addr):
    if not addr:
        return None
    a, au, m, mu = struct.unpack("<qqqq" if t.arch.BITS == 64 else "<iiii",
                                 copy_from_user(t.mm, addr, 32 if t.arch.BITS == 64 else 16))
    if not (0 <= au < 10**6 and 0 <= mu < 10**6):
        raise Errno(EINVAL)
    return ((a, au * 1000), (m, mu * 1000))


def sys_utimensat(t, dirfd, name, times, flags):
    flags &= 0xFFFFFFFF
    dirfd = s32(dirfd)
    if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
        return -EINVAL
    ts = _read_timespecs(t, times)
    if not name:
        if flags & AT_SYMLINK_NOFOLLOW:
            return -EINVAL
        if dirfd == AT_FDCWD:
            return -EFAULT_
        f = fget(t, dirfd)
        if f is None:
            return -EBADF
        path = f.path
    else:
        path = _path(t, dirfd, name, flags)
    return utimes_common(t, path, ts)


EFAULT_ = 14


def sys_futimesat(t, dirfd, name, tv):
    dirfd = s32(dirfd)
    if not name:
        f = fget(t, dirfd)
        if f is None:
            return -EBADF
        path = f.path
    else:
        path = _path(t, dirfd, name, 0)
    return utimes_common(t, path, _read_timevals(t, tv))


def sys_utimes(t, name, tv):
    return utimes_common(t, _path(t, AT_FDCWD, name, 0), _read_timevals(t, tv))


def sys_utime(t, name, buf):
    times = None
    if buf:
        fmt = "<qq" if t.arch.BITS == 64 else "<ii"
        a, m = struct.unpack(fmt, copy_from_user(t.mm, buf, struct.calcsize(fmt)))
        times = ((a, 0), (m, 0))
    return utimes_common(t, _path(t, AT_FDCWD, name, 0), times)


# -- access -------------------------------------------------------------------------------

def do_faccessat(t, dirfd, name, mode, flags):
    if mode & ~7:
        return -EINVAL
    if flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
        return -EINVAL
    saved = t.cred
    if not flags & AT_EACCESS:
        c = saved.copy()
        c.fsuid, c.fsgid = c.uid, c.gid
        t.cred = c
    try:
        path = _path(t, dirfd, name, flags)
        if mode == 0:
            return 0
        inode = path.dentry.inode
        mask = (MAY_EXEC if mode & 1 else 0) | (MAY_WRITE if mode & 2 else 0) | \
            (4 if mode & 4 else 0)
        inode_permission(t, inode, mask, path.mnt)
        return 0
    finally:
        t.cred = saved


def sys_faccessat2(t, dirfd, name, mode, flags):
    return do_faccessat(t, s32(dirfd), name, mode & 0xFFFFFFFF, flags & 0xFFFFFFFF)


def sys_faccessat(t, dirfd, name, mode):
    return do_faccessat(t, s32(dirfd), name, mode & 0xFFFFFFFF, 0)


def sys_access(t, name, mode):
    return do_faccessat(t, AT_FDCWD, name, mode & 0xFFFFFFFF, 0)
