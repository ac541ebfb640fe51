"""fs/statfs.py - statfs and fstatfs: what a mounted filesystem reports
about itself (type magic, block counts, name length, mount flags)."""

import struct

from kernel.errno import EBADF
from fs.file import fget
from fs.namei import AT_FDCWD, path_lookup
from mm.uaccess import copy_to_user, strncpy_from_user

ST_RDONLY, ST_NOSUID, ST_NODEV, ST_NOEXEC = 1, 2, 4, 8
ST_NOATIME, ST_NODIRATIME, ST_RELATIME = 1024, 2048, 4096


def vfs_statfs(path):
    """(f_type, bsize, blocks, bfree, bavail, files, ffree, fsid pair,
    namelen, flags) of the filesystem path is on."""
    mnt = path.mnt
    sb = path.dentry.inode.sb
    ftype, bsize, blocks, bfree, bavail, files, ffree, namelen = sb.statfs()
    flags = mnt.flags & (ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME
                                        | ST_NODIRATIME)
    if mnt.read_only or sb.read_only:
        flags |= ST_RDONLY
    flags |= 0x20               # ST_VALID: f_flags means something
    fsid = (sb.dev & 0xFFFFFFFF, 0)
    return ftype, bsize, blocks, bfree, bavail, files, ffree, fsid, namelen, flags


def _statfs_bytes(t, path):
    ftype, bsize, blocks, bfree, bavail, files, ffree, fsid, namelen, flags = vfs_statfs(path)
    if t.arch.BITS == 64:
        return struct.pack("<qqQQQQQiiqqq32x", ftype, bsize, blocks, bfree, bavail, files,
                           ffree, fsid[0], fsid[1], namelen, bsize, flags)
    return struct.pack("<iiIIIIIiiiii16x", ftype, bsize, blocks & 0xFFFFFFFF, bfree & 0xFFFFFFFF,
                       bavail & 0xFFFFFFFF, files & 0xFFFFFFFF, ffree & 0xFFFFFFFF,
                       fsid[0], fsid[1], namelen, bsize, flags)


def sys_statfs(t, name, buf):
    path = path_lookup(t, strncpy_from_user(t.mm, name, 4096), AT_FDCWD)
    copy_to_user(t.mm, buf, _statfs_bytes(t, path))
    return 0


def sys_fstatfs(t, fd, buf):
    fd &= 0xFFFFFFFF
    f = fget(t, fd - (1 << 32) if fd & 0x80000000 else fd)
    if f is None:
        return -EBADF
    copy_to_user(t.mm, buf, _statfs_bytes(t, f.path))
    return 0
