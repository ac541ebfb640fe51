"""arch/x86/stat.py - i386's two struct stats and the stat64 calls.

fs/stat.py collects a file's attributes into a Kstat; a 32-bit program
reads them in one of two layouts:

 - struct stat (stat, lstat, fstat): 32-bit fields, 16-bit mode, nlink and
   ids.  What does not fit is EOVERFLOW (an inode number or size beyond 32
   bits, too many links), ids beyond 16 bits read as 65534, as Linux's
   cp_compat_stat does.
 - struct stat64 (stat64, lstat64, fstat64, fstatat64): 64-bit device,
   inode (twice: a truncated copy first, for old programs) and size.  Linux
   writes it field by field and leaves the padding bytes as the program
   had them, so do we.
"""

import struct

from kernel.abi import s32
from kernel.errno import EBADF, EOVERFLOW, Errno
from fs.file import fget
from fs.stat import getattr_inode, vfs_stat
from mm.uaccess import copy_from_user, copy_to_user

_STAT = struct.Struct("<IIHHHHIIIIIIIIIIII")            # 64 bytes
MAX_NON_LFS = 0x7FFFFFFF

# struct stat64 (packed): field -> (offset, format)
_STAT64_FIELDS = (
    ("dev", 0, "<Q"), ("ino32", 12, "<I"), ("mode", 16, "<I"), ("nlink", 20, "<I"),
    ("uid", 24, "<I"), ("gid", 28, "<I"), ("rdev", 32, "<Q"), ("size", 44, "<q"),
    ("blksize", 52, "<I"), ("blocks", 56, "<Q"), ("atime", 64, "<I"),
    ("atime_nsec", 68, "<I"), ("mtime", 72, "<I"), ("mtime_nsec", 76, "<I"),
    ("ctime", 80, "<I"), ("ctime_nsec", 84, "<I"), ("ino", 88, "<Q"),
)
STAT64_SIZE = 96


def _ts(ns):
    return (ns // 10**9) & 0xFFFFFFFF, ns % 10**9


def _id16(v):
    return 65534 if v & ~0xFFFF else v


def pack_stat32(k):
    """struct stat (the compat one); raises EOVERFLOW like cp_compat_stat."""
    if k.ino > 0xFFFFFFFF or k.nlink > 0xFFFF or k.size > MAX_NON_LFS:
        raise Errno(EOVERFLOW)
    a, m, c = _ts(k.atime), _ts(k.mtime), _ts(k.ctime)
    return _STAT.pack(k.dev & 0xFFFFFFFF, k.ino, k.mode & 0xFFFF, k.nlink,
                      _id16(k.uid), _id16(k.gid), k.rdev & 0xFFFFFFFF,
                      k.size, k.blksize, k.blocks & 0xFFFFFFFF,
                      a[0], a[1], m[0], m[1], c[0], c[1], 0, 0)


def put_stat64(t, addr, k):
    """Write k as a struct stat64 at addr, field by field."""
    buf = bytearray(copy_from_user(t.mm, addr, STAT64_SIZE))
    a, m, c = _ts(k.atime), _ts(k.mtime), _ts(k.ctime)
    vals = dict(dev=k.dev, ino32=k.ino & 0xFFFFFFFF, mode=k.mode, nlink=k.nlink,
                uid=k.uid, gid=k.gid, rdev=k.rdev, size=k.size, blksize=k.blksize,
                blocks=k.blocks, atime=a[0], atime_nsec=a[1], mtime=m[0],
                mtime_nsec=m[1], ctime=c[0], ctime_nsec=c[1], ino=k.ino)
    for name, off, fmt in _STAT64_FIELDS:
        struct.pack_into(fmt, buf, off, vals[name])
    copy_to_user(t.mm, addr, bytes(buf))


def sys_fstatat64(t, dirfd, name, statbuf, flags):
    put_stat64(t, statbuf, vfs_stat(t, s32(dirfd), name, flags & 0xFFFFFFFF))
    return 0


def sys_stat64(t, name, statbuf):
    return sys_fstatat64(t, -100, name, statbuf, 0)


def sys_lstat64(t, name, statbuf):
    return sys_fstatat64(t, -100, name, statbuf, 0x100)     # AT_SYMLINK_NOFOLLOW


def sys_fstat64(t, fd, statbuf):
    f = fget(t, s32(fd))
    if f is None:
        return -EBADF
    put_stat64(t, statbuf, getattr_inode(t, f.inode, f.path.mnt))
    return 0
