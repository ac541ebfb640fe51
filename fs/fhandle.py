"""fs/fhandle.py - name_to_handle_at(2) and open_by_handle_at(2) (Linux's
fs/fhandle.c with the export operations of the filesystems here).

A handle names a file by what its filesystem can find it again by
(AT_HANDLE_FID asks only for an identifier, which any file has),
independent of any path: here, as tmpfs's shmem_encode_fh does, three
32-bit words - a generation number and the 64-bit inode number (type
1) - for tmpfs, hostfs and the other filesystems whose files stay
findable (procfs, pipes and anonymous files have no export operations:
EOPNOTSUPP).  A superblock remembers the dentries it has handed handles
for (`sb.fh_dentries`, weakly), which is how a handle finds its file;
one whose file is gone, or given to a mount of another filesystem, is
ESTALE.  Opening by handle needs CAP_DAC_READ_SEARCH and opens the file
as open(2) would, without a path walk (a symlink is ELOOP).
"""

import random
import struct
import weakref

from kernel.abi import s32
from kernel.errno import (EBADF, EFAULT, EINVAL, ELOOP, EOPNOTSUPP, EOVERFLOW, EPERM,
                          ESTALE, Errno)
from fs.file import File, O_ACCMODE, O_CLOEXEC, O_PATH, fget
from fs.inode import S_ISLNK
from fs.mount import Path
from kernel.capability import CAP_DAC_READ_SEARCH, capable
from fs.namei import AT_EMPTY_PATH, AT_FDCWD, MAY_READ, MAY_WRITE, inode_permission, path_lookup
from mm.uaccess import copy_from_user, copy_to_user, put_user_u32, strncpy_from_user
from fs.open import _install, fops_for, path_fops
import security.landlock.fs as landlock
from fs.statmount import unique_id

MAX_HANDLE_SZ = 128
AT_SYMLINK_FOLLOW = 0x400
AT_HANDLE_FID = 0x200
AT_HANDLE_MNT_ID_UNIQUE = 0x001
AT_HANDLE_CONNECTABLE = 0x002
FILEID_INO32_GEN = 1
FILEID_INVALID = 0xFF
_EXPORTABLE = ("tmpfs", "hostfs", "devtmpfs", "rootfs", "ramfs")


def _generation(inode):
    g = inode.i_generation
    if g is None:
        g = inode.i_generation = random.getrandbits(32)
    return g


def exportfs_encode_fh(path, fid=False):
    """A file identifier (AT_HANDLE_FID) any filesystem can give; a handle
    to open by, only an exportable one."""
    inode = path.dentry.inode
    if path.mnt.sb.fstype not in _EXPORTABLE and not fid:
        raise Errno(EOPNOTSUPP)
    gen = _generation(inode)
    sb = inode.sb
    table = sb.fh_dentries
    if table is None:
        table = sb.fh_dentries = weakref.WeakValueDictionary()
    table[(inode.ino, gen)] = path.dentry
    return FILEID_INO32_GEN, struct.pack("<III", gen, inode.ino & 0xFFFFFFFF, inode.ino >> 32)


def sys_name_to_handle_at(t, dfd, name, handle, mnt_id, flag):
    flag &= 0xFFFFFFFF
    if flag & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH | AT_HANDLE_FID | AT_HANDLE_MNT_ID_UNIQUE
                | AT_HANDLE_CONNECTABLE):
        return -EINVAL
    if flag & AT_HANDLE_CONNECTABLE and flag & (AT_HANDLE_FID | AT_HANDLE_MNT_ID_UNIQUE):
        return -EINVAL
    path = path_lookup(t, strncpy_from_user(t.mm, name, 4096) if name else b"", s32(dfd),
                       follow=bool(flag & AT_SYMLINK_FOLLOW), empty_ok=bool(flag & AT_EMPTY_PATH))
    (handle_bytes,) = struct.unpack("<I", copy_from_user(t.mm, handle, 4))
    if handle_bytes > MAX_HANDLE_SZ:
        return -EINVAL
    fh_type, fh = exportfs_encode_fh(path, fid=bool(flag & AT_HANDLE_FID))
    if flag & AT_HANDLE_MNT_ID_UNIQUE:
        # the 64-bit unique mount id (fs/statmount.py), not the old 32-bit one
        copy_to_user(t.mm, mnt_id, struct.pack("<Q", unique_id(path.mnt)))
    else:
        put_user_u32(t.mm, mnt_id, path.mnt.id)     # even with EOVERFLOW, as Linux
    if len(fh) > handle_bytes:
        copy_to_user(t.mm, handle, struct.pack("<Ii", len(fh), FILEID_INVALID))
        return -EOVERFLOW
    copy_to_user(t.mm, handle, struct.pack("<Ii", len(fh), fh_type) + fh)
    return 0


def _mount_of(t, mountdirfd):
    if mountdirfd == AT_FDCWD:
        return t.fs.pwd.mnt
    f = fget(t, mountdirfd)
    if f is None:
        raise Errno(EBADF)
    return f.path.mnt


def exportfs_decode_fh(mnt, fh_type, fh):
    if fh_type != FILEID_INO32_GEN or len(fh) < 12:
        raise Errno(ESTALE)
    gen, lo, hi = struct.unpack_from("<III", fh)
    table = mnt.sb.fh_dentries
    d = table.get(((hi << 32) | lo, gen)) if table is not None else None
    if d is None or d.inode is None or (d.inode.nlink <= 0 and d.inode.opens <= 0):
        raise Errno(ESTALE)
    return Path(mnt, d)


def sys_open_by_handle_at(t, mountdirfd, handle, flags):
    if not capable(t, CAP_DAC_READ_SEARCH):
        return -EPERM                   # a handle bypasses the path's permissions
    raw = copy_from_user(t.mm, handle, 8)
    handle_bytes, fh_type = struct.unpack("<Ii", raw)
    if handle_bytes == 0 or handle_bytes > MAX_HANDLE_SZ:
        return -EINVAL
    fh = copy_from_user(t.mm, handle + 8, handle_bytes)
    mnt = _mount_of(t, s32(mountdirfd))
    path = exportfs_decode_fh(mnt, fh_type, fh)
    flags &= 0xFFFFFFFF
    inode = path.dentry.inode
    if flags & O_PATH:
        return _install(t, File(path, flags & (O_PATH | O_CLOEXEC), path_fops), flags)
    if S_ISLNK(inode.mode):
        return -ELOOP
    acc = flags & O_ACCMODE
    mask = (MAY_READ if acc in (0, 2) else 0) | (MAY_WRITE if acc in (1, 2) else 0)
    inode_permission(t, inode, mask, path.mnt)
    fop = fops_for(inode)
    f = File(path, flags, fop)
    try:
        landlock.file_open(t, f)
        if fop.open is not None:
            fop.open(f, t)
    except BaseException:
        f.put()
        raise
    return _install(t, f, flags)


__all__ = ["EFAULT"]
