"""fs/statfs.py - statfs and fstatfs: what a mounted filesystem reports
about itself (type magic, block counts, name length, mount flags)."""

from kernel.abi import s32
import struct

from kernel.errno import EBADF, EINVAL
from fs.file import fget
from fs.namei import AT_FDCWD, path_lookup
from mm.uaccess import copy_to_user, strncpy_from_user
from fs.mount import all_mounts

ST_RDONLY, ST_NOSUID, ST_NODEV, ST_NOEXEC = 1, 2, 4, 8
ST_NOATIME, ST_NODIRATIME, ST_RELATIME, ST_NOSYMFOLLOW = 1024, 2048, 4096, 0x2000


def vfs_statfs(path):
    """(f_type, bsize, blocks, bfree, bavail, files, ffree, fsid pair,
    namelen, flags) of the filesystem path is on."""
    mnt = path.mnt
    sb = path.dentry.inode.sb
    ftype, bsize, blocks, bfree, bavail, files, ffree, namelen = sb.statfs()
    flags = mnt.flags & (ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME
                                        | ST_NODIRATIME)
    if mnt.flags & 256:         # MS_NOSYMFOLLOW
        flags |= ST_NOSYMFOLLOW
    if mnt.flags & (1 << 21):   # MS_RELATIME
        flags |= ST_RELATIME
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


def user_get_super(dev):
    """The mounted superblock whose device number is dev (hostfs answers
    for the host devices it shows too), or None."""
    for m in all_mounts:
        sb = m.sb
        if sb.dev == dev or sb.devs is not None and dev in sb.devs.values():
            return sb
    return None


def sys_ustat(t, dev, ubuf):
    """ustat(2): free blocks and inodes of a mounted filesystem."""
    sb = user_get_super(dev & 0xFFFFFFFF)
    if sb is None:
        return -EINVAL
    _, _, _, bfree, _, _, ffree, _ = sb.statfs()
    if t.arch.BITS == 64:
        # f_tfree is a C int: the count is truncated to it, as Linux does
        data = struct.pack("<iiQ6s6s4x", s32(bfree), 0, ffree, b"", b"")
    else:
        data = struct.pack("<iI6s6s", s32(bfree), ffree & 0xFFFFFFFF, b"", b"")
    copy_to_user(t.mm, ubuf, data)
    return 0

