"""fs/stat.py - stat, lstat, fstat, newfstatat, statx, readlink(at).

getattr() collects an inode's attributes into a Kstat; the subarch packs
that into its struct stat (x86_64's here, i386's stat64 in arch/x86), and
statx has one layout for both.
"""

import struct

from kernel.abi import s32
from kernel.errno import EBADF, EFAULT, EINVAL, ENOENT, Errno
from fs.file import fget
from fs.inode import S_ISLNK, dev_major, dev_minor
from fs.namei import AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, dirfd_path, path_lookup
from mm.uaccess import copy_to_user, strncpy_from_user
from kernel.user_namespace import from_kgid_munged, from_kuid_munged


class Kstat:
    __slots__ = ("dev", "ino", "mode", "nlink", "uid", "gid", "rdev", "size",
                 "blksize", "blocks", "atime", "mtime", "ctime", "btime", "mnt_id")


def getattr_inode(t, inode, mnt=None):
    """What stat(2) tells t of inode (owner ids as t's user namespace names them)."""
    inode.revalidate()
    k = Kstat()
    k.dev = inode.sb_dev or inode.sb.dev
    k.ino = inode.ino
    k.mode = inode.mode
    k.nlink = inode.nlink
    k.uid = from_kuid_munged(t.cred.user_ns, inode.uid)
    k.gid = from_kgid_munged(t.cred.user_ns, inode.gid)
    k.rdev = inode.rdev
    k.size = inode.size
    k.blksize = inode.sb.blocksize     # a disk file system's block
    k.blocks = inode.blocks()
    k.atime, k.mtime, k.ctime, k.btime = inode.atime, inode.mtime, inode.ctime, inode.btime
    k.mnt_id = mnt.id if mnt is not None else 0
    return k


_STAT64 = struct.Struct("<QQQIIIIQqqqqqqqqq24x")


def pack_stat_x86_64(k):
    return _STAT64.pack(k.dev, k.ino, k.nlink, k.mode, k.uid, k.gid, 0, k.rdev,
                        k.size, k.blksize, k.blocks,
                        k.atime // 10**9, k.atime % 10**9,
                        k.mtime // 10**9, k.mtime % 10**9,
                        k.ctime // 10**9, k.ctime % 10**9)


def vfs_stat(t, dirfd, name_addr, flags):
    if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800 | 0x6000):
        raise Errno(EINVAL)
    if not name_addr and not flags & AT_EMPTY_PATH:
        raise Errno(EFAULT)             # NULL is "" only with AT_EMPTY_PATH (6.11)
    name = strncpy_from_user(t.mm, name_addr, 4096) if name_addr else b""
    if not name and flags & AT_EMPTY_PATH:
        path = dirfd_path(t, dirfd)     # the file itself (a File's inode is its dentry's)
    else:
        path = path_lookup(t, name, dirfd, follow=not flags & AT_SYMLINK_NOFOLLOW)
    return getattr_inode(t, path.dentry.inode, path.mnt)


def sys_newfstatat(t, dirfd, name, statbuf, flags):
    k = vfs_stat(t, s32(dirfd), name, flags & 0xFFFFFFFF)
    copy_to_user(t.mm, statbuf, t.arch.pack_stat(k))
    return 0


def sys_stat(t, name, statbuf):
    return sys_newfstatat(t, AT_FDCWD, name, statbuf, 0)


def sys_lstat(t, name, statbuf):
    return sys_newfstatat(t, AT_FDCWD, name, statbuf, AT_SYMLINK_NOFOLLOW)


def sys_fstat(t, fd, statbuf):
    f = fget(t, s32(fd))
    if f is None:
        return -EBADF
    copy_to_user(t.mm, statbuf, t.arch.pack_stat(getattr_inode(t, f.inode, f.path.mnt)))
    return 0


STATX_BASIC_STATS = 0x7FF
STATX_BTIME = 0x800
STATX_MNT_ID = 0x1000
STATX_MNT_ID_UNIQUE = 0x4000
_STATX = struct.Struct("<IIQIIIHHQQQQ" + "qIi" * 4 + "IIIIQII" + "96x")


STATX__RESERVED = 0x80000000        # a mask bit kept for extending struct statx
AT_STATX_SYNC_TYPE = 0x6000


def sys_statx(t, dirfd, name, flags, mask, buf):
    flags &= 0xFFFFFFFF
    if mask & STATX__RESERVED:
        return -EINVAL
    if flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE:
        return -EINVAL                  # FORCE_SYNC and DONT_SYNC at once
    k = vfs_stat(t, s32(dirfd), name, flags & ~0x6000)
    ts = []
    for v in (k.atime, k.btime, k.ctime, k.mtime):
        ts += [v // 10**9, v % 10**9, 0]
    # the 64-bit unique mount id (fs/statmount.py) when asked for, else the old one
    mnt_id, which = k.mnt_id, STATX_MNT_ID
    if mask & STATX_MNT_ID_UNIQUE and k.mnt_id:
        # cycle: fs.stat -> fs.statmount -> fs.namespace -> fs.proc.root -> kernel.configs -> arch.x86_64 -> fs.stat
        from fs.statmount import MNT_UNIQUE_ID_OFFSET
        mnt_id, which = MNT_UNIQUE_ID_OFFSET + k.mnt_id, STATX_MNT_ID_UNIQUE
    raw = _STATX.pack(STATX_BASIC_STATS | STATX_BTIME | which, k.blksize, 0,
                      k.nlink, k.uid, k.gid, k.mode, 0, k.ino, k.size, k.blocks, 0,
                      *ts,
                      dev_major(k.rdev), dev_minor(k.rdev),
                      dev_major(k.dev), dev_minor(k.dev), mnt_id, 0, 0)
    copy_to_user(t.mm, buf, raw)
    return 0


def do_readlinkat(t, dirfd, name_addr, buf, bufsiz):
    bufsiz = s32(bufsiz)
    if bufsiz <= 0:
        return -EINVAL
    name = strncpy_from_user(t.mm, name_addr, 4096)
    # an empty name is the file dirfd refers to: a symlink opened with
    # O_PATH | O_NOFOLLOW (Linux's LOOKUP_EMPTY); anything else is ENOENT
    path = path_lookup(t, name, dirfd, follow=False, empty_ok=True)
    inode = path.dentry.inode
    if not S_ISLNK(inode.mode):
        return -EINVAL if name else -ENOENT
    target = inode.readlink()[:bufsiz]
    copy_to_user(t.mm, buf, target)
    inode.touch(a=True)
    return len(target)


def sys_readlink(t, name, buf, bufsiz):
    return do_readlinkat(t, AT_FDCWD, name, buf, bufsiz)


def sys_readlinkat(t, dirfd, name, buf, bufsiz):
    return do_readlinkat(t, s32(dirfd), name, buf, bufsiz)
