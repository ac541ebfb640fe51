"""fs/open.py - open, openat, creat, close and what opening means.

Opening walks the path (creating the last component for O_CREAT), checks
the access the flags ask for against the inode's permissions, and picks the
file operations by the kind of inode: page-cache I/O for regular files, the
directory reader, a character device's driver (fs/char_dev.py), a pipe for a
FIFO.
"""

import struct

from kernel.abi import s32
from kernel.sched import is_generator
from kernel.capability import CAP_FOWNER, CAP_SYS_TTY_CONFIG, capable
from kernel.errno import (E2BIG, EAGAIN, EEXIST, EINVAL, EISDIR, ELOOP, ENOTDIR, ENXIO,
                          EPERM, Errno)
from fs.dcache import Dentry, d_add
from fs.file import (O_ACCMODE, O_CLOEXEC,
                     O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH,
                     O_RDONLY, O_TMPFILE, __O_TMPFILE, O_TRUNC, O_WRONLY, O_RDWR, O_LARGEFILE, O_NOATIME, File,
                     FileOperations, dir_fops, FMODE_CREATED)
from fs.locks import break_lease
from fs.inode import (S_IFREG, S_ISCHR, S_ISDIR, S_ISFIFO, S_ISLNK, S_ISREG,
                      S_ISSOCK, S_ISBLK)
from fs.mount import Path
from fs.namei import (AT_FDCWD, MAY_EXEC, MAY_READ, MAY_WRITE, RESOLVE_BENEATH, RESOLVE_CACHED,
                      RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV,
                      RESOLVE_SCOPED, inode_permission, may_write_path, mode_strip_sgid,
                      path_create, path_lookup)
from fs.notify.fanotify.fanotify import FAN_OPEN_PERM
from fs.notify.fsnotify import (IN_MODIFY, fsnotify_change, fsnotify_create, fsnotify_open,
                               fsnotify_perm)
from fs.read_write import generic_file_fops
from fs.pipe import fifo_fops
from block.bdev import def_blk_fops
from fs.char_dev import chrdev_fops
from drivers.tty import get_current_tty
from mm.uaccess import copy_from_user, strncpy_from_user
import security.landlock.fs as landlock

VALID_OPEN_FLAGS = 0o37777777
VALID_RESOLVE_FLAGS = (RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS |
                       RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED)
CLOSE_RANGE_UNSHARE, CLOSE_RANGE_CLOEXEC = 2, 4


class PathFileOperations(FileOperations):
    """O_PATH: a handle for *at calls and fstat, nothing else."""


path_fops = PathFileOperations()


def fops_for(inode):
    """The file operations that opening this inode gives."""
    if inode.i_fop is not None:
        return inode.i_fop
    mode = inode.mode
    if S_ISREG(mode):
        return generic_file_fops
    if S_ISDIR(mode):
        return dir_fops
    if S_ISCHR(mode):
        return chrdev_fops(inode.rdev)
    if S_ISFIFO(mode):
        return fifo_fops
    if S_ISBLK(mode):
        return def_blk_fops
    if S_ISSOCK(mode):
        raise Errno(ENXIO)
    raise Errno(ENXIO)


def vfs_create(t, parent, name, mode):
    """Create a regular file name in the directory Path parent."""
    dir_inode = parent.dentry.inode
    may_write_path(t, parent)
    landlock.path_mknod(t, parent, S_IFREG)
    inode_permission(t, dir_inode, MAY_WRITE | MAY_EXEC)
    mode = S_IFREG | (mode_strip_sgid(t, dir_inode, S_IFREG | (mode & 0o7777)) & 0o7777
                      & ~t.fs.umask)
    inode = dir_inode.create(name, mode, t.cred)
    fsnotify_create(dir_inode, name, inode)
    return Path(parent.mnt, d_add(parent.dentry, name, inode))


def do_tmpfile(t, dirfd, name, flags, mode, resolve):
    """O_TMPFILE: a regular file with no name in the file system of the
    directory name, gone at its last close unless linkat names it first
    (which O_EXCL forbids).  Its dentry is an unhashed "#ino" in that
    directory, so /proc/PID/fd shows "/dir/#ino (deleted)" as Linux."""
    if (flags & (O_TMPFILE | O_CREAT | O_PATH) != O_TMPFILE
            or flags & O_ACCMODE not in (O_WRONLY, O_RDWR)):
        raise Errno(EINVAL)
    parent = path_lookup(t, name, dirfd, follow=not flags & O_NOFOLLOW, resolve=resolve)
    dir_inode = parent.dentry.inode
    if not S_ISDIR(dir_inode.mode):
        raise Errno(ENOTDIR)
    inode_permission(t, dir_inode, MAY_WRITE | MAY_EXEC, parent.mnt)
    may_write_path(t, parent)
    landlock.path_mknod(t, parent, S_IFREG)
    mode = S_IFREG | (mode_strip_sgid(t, dir_inode, S_IFREG | (mode & 0o7777)) & 0o7777
                      & ~t.fs.umask)
    inode = dir_inode.tmpfile(mode, t.cred)
    inode.linkable = not flags & O_EXCL
    dentry = Dentry(b"#%d" % inode.ino, parent.dentry, inode)
    dentry.unhashed = True
    f = File(Path(parent.mnt, dentry), flags, fops_for(inode))
    f.mode |= FMODE_CREATED
    fsnotify_open(f)
    return f


def do_filp_open(t, dirfd, name, flags, mode, resolve=0):
    if flags & __O_TMPFILE:
        return do_tmpfile(t, dirfd, name, flags, mode, resolve)
    if flags & O_PATH:
        flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        path = path_lookup(t, name, dirfd, follow=not flags & O_NOFOLLOW, resolve=resolve)
        if flags & O_DIRECTORY and not S_ISDIR(path.dentry.inode.mode):
            raise Errno(ENOTDIR)
        return File(path, flags, path_fops)
    acc = flags & O_ACCMODE
    created = False
    if flags & O_CREAT:
        follow = not (flags & (O_EXCL | O_NOFOLLOW))
        parent, last, path = path_create(t, name, dirfd, follow, resolve=resolve)
        if path is None:
            if flags & O_DIRECTORY:
                raise Errno(EINVAL)
            path = vfs_create(t, parent, last, mode)
            created = True
        elif flags & O_EXCL:
            raise Errno(EEXIST)
    else:
        path = path_lookup(t, name, dirfd, follow=not flags & O_NOFOLLOW, resolve=resolve)
    inode = path.dentry.inode
    inode.revalidate()
    if S_ISLNK(inode.mode):
        raise Errno(ELOOP)
    if flags & O_DIRECTORY and not S_ISDIR(inode.mode):
        raise Errno(ENOTDIR)
    if S_ISDIR(inode.mode) and (acc != O_RDONLY or flags & O_CREAT and not created):
        raise Errno(EISDIR)
    if not created:
        mask = 0
        if acc in (O_RDONLY, O_RDWR) or acc == 3:
            mask |= MAY_READ
        if acc in (O_WRONLY, O_RDWR) or flags & O_TRUNC:
            mask |= MAY_WRITE
        inode_permission(t, inode, mask, path.mnt)
        if mask & MAY_WRITE and (inode.immutable or (inode.append_only and (
                not flags & O_APPEND or flags & O_TRUNC))):
            raise Errno(EPERM)                  # chattr +i or +a
    if flags & O_NOATIME and t.cred.fsuid != inode.uid and not capable(t, CAP_FOWNER):
        raise Errno(EPERM)                      # only the owner (or CAP_FOWNER)
    fop = fops_for(inode)
    lease_wait = None
    if not created and inode.i_flctx is not None:
        lease_wait = break_lease(t, inode, flags)   # leases: tell holders, maybe wait
    f = File(path, flags, fop)
    if acc == 3:                                # Linux: "ioctl only" access
        f.mode = 0
    if created:
        f.mode |= FMODE_CREATED

    def finish_open(notify=True):
        landlock.file_open(t, f)
        if fop.open is not None:
            r = fop.open(f, t)
            if is_generator(r):
                f._open_gen = r
        if notify and f._open_gen is None:
            fsnotify_open(f)
        if flags & O_TRUNC and S_ISREG(inode.mode) and f.writable() and not created:
            landlock.file_truncate(t, f)
            inode.setattr(size=0)
            fsnotify_change(path.dentry, IN_MODIFY)
    try:
        # leases: holders told, maybe a wait; a fanotify listener's permission
        waits = [w for w in (lease_wait, fsnotify_perm(t, f, FAN_OPEN_PERM)) if w is not None]
        if waits:
            f._open_gen = _open_after_waits(waits, f, finish_open)
        else:
            finish_open()
    except BaseException:
        f.put()
        raise
    return f


def _open_after_waits(waits, f, finish_open):
    """The rest of an open that waited for lease holders (fs/locks.py) or
    a fanotify listener's answer (fs/notify/fanotify/fanotify.py)."""
    for wait in waits:
        r = yield from wait
        if r is not None and r < 0:
            return r
    finish_open(notify=False)           # _finish_open tells fsnotify
    gen = f._open_gen
    if gen is not None:                 # a FIFO waiting for its peer too
        f._open_gen = None
        return (yield from gen)
    return None


def do_sys_open(t, dirfd, name_addr, flags, mode, resolve=0):
    name = strncpy_from_user(t.mm, name_addr, 4096)
    flags &= 0xFFFFFFFF
    if t.arch.BITS == 64:
        flags |= O_LARGEFILE                    # force_o_largefile()
    f = do_filp_open(t, dirfd, name, flags, mode & 0o7777, resolve)
    gen = f._open_gen
    if gen is not None:                         # a FIFO waiting for its peer
        f._open_gen = None
        return _finish_open(t, f, gen, flags)
    return _install(t, f, flags)


def _install(t, f, flags):
    try:
        return t.files.alloc_fd(t, f, cloexec=bool(flags & O_CLOEXEC))
    except BaseException:
        f.put()
        raise


def _finish_open(t, f, gen, flags):
    try:
        r = yield from gen
    except BaseException:
        f.put()
        raise
    if r is not None and r < 0:
        f.put()
        return r
    fsnotify_open(f)
    return _install(t, f, flags)


def sys_open(t, name, flags, mode):
    return do_sys_open(t, AT_FDCWD, name, flags, mode)


def sys_openat(t, dirfd, name, flags, mode):
    return do_sys_open(t, s32(dirfd), name, flags, mode)


def sys_creat(t, name, mode):
    return do_sys_open(t, AT_FDCWD, name, O_CREAT | O_WRONLY | O_TRUNC, mode)


def sys_openat2(t, dirfd, name, how, size):
    if size < 24:
        return -EINVAL
    if size > 4096:
        return -E2BIG
    raw = copy_from_user(t.mm, how, size)
    if any(raw[24:]):
        return -E2BIG
    flags, mode, resolve = struct.unpack("<QQQ", raw[:24])
    if flags & ~VALID_OPEN_FLAGS or mode & ~0o7777:
        return -EINVAL
    if mode and not flags & (O_CREAT | __O_TMPFILE):
        return -EINVAL                          # a mode means nothing without O_CREAT
    if resolve & ~VALID_RESOLVE_FLAGS or resolve & RESOLVE_SCOPED == RESOLVE_SCOPED:
        return -EINVAL                          # BENEATH and IN_ROOT contradict each other
    if resolve & RESOLVE_CACHED and flags & (O_CREAT | O_TRUNC | __O_TMPFILE):
        return -EAGAIN                          # RESOLVE_CACHED cannot create
    return do_sys_open(t, s32(dirfd), name, flags, mode, resolve)


def sys_close(t, fd):
    t.files.close(s32(fd))
    return 0


def sys_close_range(t, first, last, flags):
    first &= 0xFFFFFFFF
    last &= 0xFFFFFFFF
    if first > last or flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC):
        return -EINVAL
    if flags & CLOSE_RANGE_UNSHARE and t.files.count > 1:
        # a private copy of a shared fd table first (unshare(CLONE_FILES))
        old = t.files
        t.files = old.copy()
        old.put()
    for fd in sorted(t.files.fd, reverse=True):     # the last fputs run highest fd first
        if first <= fd <= last:
            if flags & CLOSE_RANGE_CLOEXEC:
                t.files.cloexec.add(fd)
            else:
                t.files.close(fd)
    return 0


def sys_vhangup(t):
    """vhangup(2): hang up the caller's controlling terminal (CAP_SYS_TTY_CONFIG)."""
    if not capable(t, CAP_SYS_TTY_CONFIG):
        return -EPERM
    tty = get_current_tty(t)
    if tty is not None:
        tty.hangup()
    return 0

