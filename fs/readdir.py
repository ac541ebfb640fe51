"""fs/readdir.py - getdents64 and getdents: reading a directory's entries.

A directory File snapshots its entries (".", "..", then what the inode's
readdir() lists) when reading starts at position 0; the position is an
index into that list, so lseek(fd, 0, SEEK_SET) starts over with a fresh
listing, and an entry added meanwhile shows up then, as on Linux.
"""

import struct

from kernel.abi import s32
from kernel.errno import EINVAL, ENOENT, ENOTDIR, Errno
from fs.file import fdget
from fs.inode import DT_DIR, S_ISDIR
from fs.notify.fsnotify import fsnotify_access
from mm.uaccess import copy_to_user

_DIRENT64 = struct.Struct("<QqHB")          # d_ino, d_off, d_reclen, d_type


def parent_ino(path):
    """The inode number ".." has in a directory Path."""
    mnt, d = path.mnt, path.dentry
    while d is mnt.root and mnt.parent is not mnt:
        d, mnt = mnt.mountpoint, mnt.parent
    return d.parent.inode.ino


def dir_entries(f):
    if f.dir_cache is None:
        inode = f.inode
        if inode.nlink == 0 or f.path.dentry.unhashed:
            f.dir_cache = []                    # a removed directory is empty
        else:
            f.dir_cache = [(b".", inode.ino, DT_DIR), (b"..", parent_ino(f.path), DT_DIR)] \
                + list(inode.readdir())
    return f.dir_cache


def iterate_dir(t, f, count, pack):
    """Pack entries from f.pos while they fit in count bytes."""
    inode = f.inode
    if not S_ISDIR(inode.mode):
        raise Errno(ENOTDIR)
    if inode.nlink == 0 and f.pos == 0:
        raise Errno(ENOENT)
    if inode.nlink:
        fsnotify_access(f)              # every getdents, even at the end or EINVAL
    ents = dir_entries(f)
    out = bytearray()
    pos = f.pos
    while pos < len(ents):
        name, ino, dt = ents[pos]
        rec = pack(name, ino, dt, pos + 1)
        if len(out) + len(rec) > count:
            if not out:
                raise Errno(EINVAL)
            break
        out += rec
        pos += 1
    f.pos = pos
    inode.touch(a=False)
    return bytes(out)


def _pack64(name, ino, dt, off):
    reclen = (_DIRENT64.size + len(name) + 1 + 7) & ~7
    return _DIRENT64.pack(ino, off, reclen, dt) + name + bytes(reclen - _DIRENT64.size - len(name))


def _pack_old(bits):
    ptr = "Q" if bits == 64 else "I"
    head = struct.Struct("<" + ptr + ptr + "H")
    align = bits // 8

    def pack(name, ino, dt, off):
        reclen = (head.size + len(name) + 2 + align - 1) & ~(align - 1)
        pad = reclen - head.size - len(name) - 1
        return head.pack(ino & ((1 << bits) - 1), off, reclen) + name + bytes(pad) + bytes([dt])
    return pack


def sys_getdents64(t, fd, dirent, count):
    f = fdget(t, s32(fd))
    data = iterate_dir(t, f, count & 0xFFFFFFFF, _pack64)
    copy_to_user(t.mm, dirent, data)
    return len(data)


def sys_getdents(t, fd, dirent, count):
    f = fdget(t, s32(fd))
    data = iterate_dir(t, f, count & 0xFFFFFFFF, _pack_old(t.arch.BITS))
    copy_to_user(t.mm, dirent, data)
    return len(data)
