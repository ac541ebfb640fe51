"""fs/namespace.py - where a task stands in the tree, and what is mounted:
chdir, fchdir, chroot, getcwd, mount, umount2, and the list of filesystem
types mount(2) knows (/proc/filesystems).

Mounts are fs/mount.py's Mount objects: a new filesystem, a bind mount (a
second view of a directory already in the tree), a move, or a remount that
changes the read-only flag.  Unmounting a filesystem something still uses
(an open file, a working directory, a mount below it) is EBUSY unless
MNT_DETACH asks for it to be cut loose anyway.
"""

import os

from kernel.capability import CAP_SYS_ADMIN, CAP_SYS_CHROOT, capable
from kernel.errno import (EACCES, EBADF, EBUSY, EFAULT, EINVAL, ENODEV, ENOENT,
                          ENOTDIR, EPERM, ERANGE, Errno)
from fs.file import fget
from fs.inode import S_ISDIR, SuperBlock
from fs.mount import (Mount, Path, all_mounts, attach_mount, clone_mnt, d_path, touch_mnt_namespace,
                      detach_mount, follow_mount, lookup_mnt, mount_table)
from fs import pnode
from fs.notify.fsnotify import fsnotify_dput, fsnotify_unmount
from fs.namei import (AT_FDCWD, MAY_EXEC, PATH_MAX, inode_permission,
                      path_lookup)
from mm.uaccess import copy_to_user, strncpy_from_user
from block.bdev import lookup_bdev
from block.bio import wait_for
from fs.devpts import devpts_mount
from fs.devtmpfs import devtmpfs_sb
from fs.ext2.super import ext2_fill_super
from fs.ext4.super import ext4_fill_super
from fs.hostfs import make_hostfs
from fs.hostfs_policy import open_confined
from fs.proc.root import proc_get_sb
from fs.sysfs import sysfs_sb
from fs.tmpfs import make_tmpfs
from ipc.mqueue import mount_mqueue
from kernel import task as ktask
from mm import physmem as _pm

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_SYNCHRONOUS, MS_REMOUNT, MS_MANDLOCK, MS_DIRSYNC = 16, 32, 64, 128
MS_NOSYMFOLLOW, MS_NOATIME, MS_NODIRATIME = 256, 1024, 2048
MS_BIND, MS_MOVE, MS_REC, MS_SILENT = 4096, 8192, 16384, 32768
MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE, MS_SHARED = 1 << 17, 1 << 18, 1 << 19, 1 << 20
MS_RELATIME, MS_STRICTATIME, MS_LAZYTIME = 1 << 21, 1 << 24, 1 << 25
MS_MGC_MSK, MS_MGC_VAL = 0xFFFF0000, 0xC0ED0000

MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW = 1, 2, 4, 8


# -- filesystem types -------------------------------------------------------------

def _mount_tmpfs(source, data, flags):
    mode = 0o1777
    max_pages = "half"
    for opt in data.split(b","):
        try:
            if opt.startswith(b"mode="):
                mode = int(opt[5:], 8) & 0o7777
            elif opt.startswith(b"size="):
                v = opt[5:]
                if v.endswith(b"%"):
                    max_pages = _pm.physmem.nr_frames * int(v[:-1]) // 100
                else:
                    mult = {b"k": 1 << 10, b"m": 1 << 20, b"g": 1 << 30}.get(v[-1:].lower(), 1)
                    num = v[:-1] if mult != 1 else v
                    max_pages = (int(num) * mult + 4095) // 4096
        except ValueError:
            raise Errno(EINVAL)
    return make_tmpfs(bool(flags & MS_RDONLY), mode, max_pages=max_pages)


def _mount_hostfs(source, data, flags):
    host = data.split(b",")[0] if data else b"/"
    read_only = bool(flags & MS_RDONLY)
    fd, path = open_confined(host, read_only)      # EACCES if not allowed
    try:
        return make_hostfs(path, read_only, root_fd=fd)
    except OSError as e:
        os.close(fd)
        raise Errno(e.errno or ENOENT)


def _mount_proc(source, data, flags):
    return proc_get_sb(bool(flags & MS_RDONLY))


def _mount_devtmpfs(source, data, flags):
    return devtmpfs_sb()


def _mount_devpts(source, data, flags):
    return devpts_mount(source, flags, data)


def _mount_sysfs(source, data, flags):
    return sysfs_sb()


def _mount_ext2(bdev, data, flags, fstype="ext2"):
    return ext2_fill_super(bdev, bool(flags & MS_RDONLY), data, fstype=fstype)


# name -> (needs no device, how to make a superblock); a type that needs
# a device gets the BlockDevice (block/bdev.py) instead of the source name
def _mount_ext4(bdev, data, flags, fstype="ext4"):
    return ext4_fill_super(bdev, bool(flags & MS_RDONLY), data, fstype)


def _mount_mqueue(source, data, flags):
    return mount_mqueue(source, data, flags)


FILESYSTEMS = {
    "ext2": (False, _mount_ext2),
    # ext3 is ext2 with a journal: mounted by the ext2 code, its journal
    # left alone (refused if it needs replaying), as Linux's ext2 driver does
    "ext3": (False, lambda bdev, data, flags: _mount_ext2(bdev, data, flags, "ext3")),
    "ext4": (False, _mount_ext4),
    "sysfs": (True, _mount_sysfs),
    "tmpfs": (True, _mount_tmpfs),
    "ramfs": (True, _mount_tmpfs),
    "proc": (True, _mount_proc),
    "devtmpfs": (True, _mount_devtmpfs),
    "devpts": (True, _mount_devpts),
    "hostfs": (True, _mount_hostfs),
    "mqueue": (True, _mount_mqueue),
}


def filesystems_text():
    """/proc/filesystems"""
    return "".join("%s\t%s\n" % ("nodev" if nodev else "", name)
                   for name, (nodev, _) in FILESYSTEMS.items()).encode()


# -- where a task stands ---------------------------------------------------------

def set_fs_pwd(t, path):
    old, t.fs.pwd = t.fs.pwd, path
    fsnotify_dput(old.dentry)


def _dir_path(t, path):
    if not S_ISDIR(path.dentry.inode.mode):
        raise Errno(ENOTDIR)
    inode_permission(t, path.dentry.inode, MAY_EXEC)
    return path


def sys_chdir(t, name):
    path = path_lookup(t, strncpy_from_user(t.mm, name, PATH_MAX), AT_FDCWD)
    set_fs_pwd(t, _dir_path(t, path))
    return 0


def sys_fchdir(t, fd):
    fd &= 0xFFFFFFFF
    f = fget(t, fd - (1 << 32) if fd & 0x80000000 else fd)
    if f is None:
        return -EBADF
    set_fs_pwd(t, _dir_path(t, f.path))
    return 0


def sys_chroot(t, name):
    path = path_lookup(t, strncpy_from_user(t.mm, name, PATH_MAX), AT_FDCWD)
    _dir_path(t, path)
    if not capable(t, CAP_SYS_CHROOT):
        return -EPERM
    old, t.fs.root = t.fs.root, path
    fsnotify_dput(old.dentry)
    return 0


def _reachable(path, root):
    """Is path at or below root?"""
    mnt, d = path.mnt, path.dentry
    while True:
        if mnt is root.mnt and d is root.dentry:
            return True
        if d is mnt.root:
            if mnt.parent is mnt:
                return False
            d, mnt = mnt.mountpoint, mnt.parent
            continue
        if d.parent is d:
            return False
        d = d.parent


def sys_getcwd(t, buf, size):
    pwd, root = t.fs.pwd, t.fs.root
    if pwd.dentry.unhashed and not pwd.dentry.is_root:
        return -ENOENT
    if _reachable(pwd, root):
        name = d_path(pwd, root)
    else:
        name = b"(unreachable)" + d_path(pwd)
    name += b"\0"
    if len(name) > size:
        return -ERANGE
    copy_to_user(t.mm, buf, name)
    return len(name)


# -- mount, umount ---------------------------------------------------------------------

def _str(t, addr, maxlen=PATH_MAX):
    return strncpy_from_user(t.mm, addr, maxlen) if addr else None


def _mount_busy(mnt, skip_children=False):
    if not skip_children:
        for m in all_mounts:
            if m is not mnt and m.parent is mnt:
                return True
    for tk in ktask.tasks.values():
        fs = tk.fs
        if fs is not None and (fs.pwd.mnt is mnt or fs.root.mnt is mnt):
            return True
        files = tk.files
        if files is not None:
            for f in files.fd.values():
                if f.path.mnt is mnt:
                    return True
        mm = tk.mm
        if mm is not None:
            for v in mm.vmas:
                if v.file is not None and v.file.path.mnt is mnt:
                    return True
    return False


def _flags_readonly(flags):
    return bool(flags & MS_RDONLY)


def _set_mnt_flags(mnt, flags):
    mnt.read_only = _flags_readonly(flags) or mnt.sb.read_only
    mnt.flags = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME
                         | MS_NODIRATIME | MS_RELATIME | MS_NOSYMFOLLOW)
    mnt.noexec = bool(flags & MS_NOEXEC)


def sys_mount(t, source, target, fstype, flags, data):
    if not capable(t, CAP_SYS_ADMIN):
        return -EPERM
    flags &= 0xFFFFFFFF
    if flags & MS_MGC_MSK == MS_MGC_VAL:
        flags &= ~MS_MGC_MSK
    tgt_name = _str(t, target)
    if tgt_name is None:
        return -EFAULT
    src = _str(t, source) or b"none"
    typ = _str(t, fstype, 256)
    opts = _str(t, data, 4096) or b""
    where = path_lookup(t, tgt_name, AT_FDCWD)
    types = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE
    if flags & types and not flags & (MS_REMOUNT | MS_BIND):
        kind = flags & ~(MS_REC | MS_SILENT)
        if kind & (kind - 1) or kind & ~types or where.dentry is not where.mnt.root:
            return -EINVAL                          # one type alone, on a mount's root
        change_mount_type(where.mnt, kind, bool(flags & MS_REC))
        return 0
    if where.mnt.detached:
        return -EINVAL              # in a detached tree (fs/fsmount.py): no one's namespace
    if flags & MS_REMOUNT:
        mnt = where.mnt
        if where.dentry is not mnt.root:
            return -EINVAL
        if flags & MS_BIND:
            _set_mnt_flags(mnt, flags)
            touch_mnt_namespace()
        else:
            done = reconfigure_super(mnt.sb, _flags_readonly(flags), opts)
            mnt.sb.s_flags = mnt.sb.s_flags & ~SB_REMOUNT_FLAGS | flags & SB_REMOUNT_FLAGS
            _set_mnt_flags(mnt, flags)
            touch_mnt_namespace()
            return _wait_then(t, done, 0)
        return 0
    if flags & MS_BIND:
        old = path_lookup(t, src, AT_FDCWD)
        if S_ISDIR(old.dentry.inode.mode) != S_ISDIR(where.dentry.inode.mode):
            return -ENOTDIR
        if old.mnt.unbindable:
            return -EINVAL
        mnt = Mount(old.mnt.sb, old.dentry, source=old.mnt.source)
        _set_mnt_flags(mnt, flags | (MS_RDONLY if old.mnt.read_only else 0))
        pnode.clone_type(mnt, old.mnt)
        attach_propagating(mnt, where)
        return 0
    if flags & MS_MOVE:
        old = path_lookup(t, src, AT_FDCWD)
        mnt = old.mnt
        if old.dentry is not mnt.root or mnt.parent is mnt:
            return -EINVAL
        if _inside(where, mnt):
            return -EINVAL
        if mnt.parent.group:
            return -EINVAL                  # out from below a shared mount
        del mount_table[(mnt.parent, mnt.mountpoint)]
        all_mounts.remove(mnt)
        attach_propagating(mnt, where)
        return 0
    if not S_ISDIR(where.dentry.inode.mode):
        return -ENOTDIR
    if typ is None:
        return -EINVAL
    sb = vfs_get_tree(t, typ.decode(errors="replace"), src if source else None, opts, flags)
    if not FILESYSTEMS[typ.decode(errors="replace")][0]:
        top = lookup_mnt(where) if where.dentry is where.mnt.root or lookup_mnt(where) else None
        if (top is not None and top.sb is sb) or (where.mnt.sb is sb and where.dentry is sb.root):
            return -EBUSY                       # the same file system on the same place
    mnt = Mount(sb, sb.root, source=src)
    _set_mnt_flags(mnt, flags)
    mnt.options = opts
    attach_propagating(mnt, where)
    return 0


def attach_propagating(mnt, where):
    """Attach mnt (and what is below it) at where, and copies of it below
    every mount the parent propagates to (fs/pnode.py)."""
    attach_mount(mnt, where)
    pnode.propagate_mnt(mnt, all_mounts, clone_mnt,
                        lambda c, q, mp: attach_mount(c, Path(q, mp)))


def change_mount_type(mnt, kind, recursive):
    """MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE on mnt (and below it)."""
    if recursive:
        targets = [m for m in all_mounts if _inside(Path(m, m.root), mnt)]
        if mnt not in targets:
            targets.insert(0, mnt)              # a detached mount
    else:
        targets = [mnt]
    pnode.change_type(targets, kind, all_mounts)


# the mount flags that are the superblock's (Linux's SB_* in s_flags), not
# the mount's; a remount changes these but MS_DIRSYNC (MS_RMT_MASK)
SB_FLAGS = MS_SYNCHRONOUS | MS_DIRSYNC | MS_LAZYTIME
SB_REMOUNT_FLAGS = MS_SYNCHRONOUS | MS_LAZYTIME


def vfs_get_tree(t, fstype, src, opts, flags):
    """A superblock of the filesystem type fstype (a str) for src (bytes,
    or None when no source was given), as mount(2) and fsconfig's
    FSCONFIG_CMD_CREATE both make one: the same code, so the same checks
    (fs/hostfs_policy.py's confinement for hostfs above all)."""
    entry = FILESYSTEMS.get(fstype)
    if entry is None:
        raise Errno(ENODEV)
    nodev, make = entry
    if nodev:
        return _new_sb(make, src or b"none", opts, flags)
    if not src:
        raise Errno(EINVAL)                     # "No source specified"
    return _get_tree_bdev(t, src, fstype.encode(), make, opts, flags)


def _new_sb(make, src, opts, flags):
    sb = make(src, opts, flags)
    sb.s_flags = flags & SB_FLAGS
    return sb


def reconfigure_super(sb, read_only, opts):
    """Make a superblock read-only or read-write again (mount -o remount,
    fsconfig's FSCONFIG_CMD_RECONFIGURE); returns the Completion of a
    disk's write-back, or None."""
    if hasattr(sb, "remount"):
        # a file system on a disk: going read-only writes it back first,
        # and cannot while a file on it is open for writing
        if read_only and not sb.read_only and _sb_has_writers(sb):
            raise Errno(EBUSY)
        return sb.remount(read_only, opts)
    if sb.hard_read_only and not read_only:
        raise Errno(EACCES)                     # as for a write-protected disk
    sb.read_only = read_only
    return None


def _sb_has_writers(sb):
    """Is any file of sb open for writing (sb_prepare_remount_readonly)?"""
    for tk in ktask.tasks.values():
        files = tk.files
        if files is None:
            continue
        for f in files.fd.values():
            if f.inode.sb is sb and f.writable():
                return True
    return False


def _get_tree_bdev(t, src, typ, make, opts, flags):
    """The superblock of a file system on the block device src: the one
    already mounted from it (a second mount shares it), or a new one."""
    bdev = lookup_bdev(t, src)
    holder = bdev.holder
    if isinstance(holder, SuperBlock):
        if holder.fstype != typ.decode(errors="replace"):
            raise Errno(EBUSY)
        return holder
    if holder is not None:
        raise Errno(EBUSY)                  # opened O_EXCL (mkfs, e2fsck)
    if not flags & MS_RDONLY and bdev.read_only:
        raise Errno(EACCES)
    return _new_sb(make, bdev, opts, flags)




def _inside(path, mnt):
    m = path.mnt
    while True:
        if m is mnt:
            return True
        if m.parent is m:
            return False
        m = m.parent


def sys_umount2(t, target, flags):
    flags &= 0xFFFFFFFF
    if flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW):
        return -EINVAL
    if flags & MNT_EXPIRE and flags & (MNT_FORCE | MNT_DETACH):
        return -EINVAL
    if not capable(t, CAP_SYS_ADMIN):
        return -EPERM
    if not target:
        return -EFAULT
    marked = [m for m in all_mounts if m.expiry_mark]
    path = path_lookup(t, _str(t, target), AT_FDCWD, follow=not flags & UMOUNT_NOFOLLOW)
    # the top of what is mounted there (LOOKUP_MOUNTPOINT): "/" after
    # mounting over the root names the mount on top, not the root below
    path = follow_mount(path)
    for m in marked:
        m.expiry_mark = True                # umount's own walk is not a use of the mount
    mnt = path.mnt
    if path.dentry is not mnt.root or mnt.parent is mnt or mnt.detached:
        return -EINVAL
    if flags & MNT_EXPIRE:
        # the first call marks the mount, a second one with no use of it
        # in between unmounts it (path walks into it clear the mark)
        if mnt is t.fs.root.mnt:
            return -EINVAL
        if not mnt.expiry_mark:
            mnt.expiry_mark = True
            return -EAGAIN_
    if flags & MNT_DETACH:
        copies = pnode.propagate_umount(mnt, all_mounts)
        for m in [m for m in all_mounts if _inside(Path(m, m.root), mnt)][::-1]:
            if m is not mnt and (m.parent, m.mountpoint) in mount_table:
                del mount_table[(m.parent, m.mountpoint)]
                all_mounts.remove(m)
        del mount_table[(mnt.parent, mnt.mountpoint)]
        all_mounts.remove(mnt)
        for c in copies:                    # the peers' copies go lazily too
            if c in all_mounts:
                del mount_table[(c.parent, c.mountpoint)]
                all_mounts.remove(c)
        touch_mnt_namespace()
        return _wait_then(t, _sb_gone(mnt.sb), 0)
    if _mount_busy(mnt):
        return -EBUSY
    copies = pnode.propagate_umount(mnt, all_mounts)
    detach_mount(mnt)
    for c in copies:
        if not _mount_busy(c):
            detach_mount(c)
    return _wait_then(t, _sb_gone(mnt.sb), 0)


def _sb_gone(sb):
    """Its last mount went: inotify watchers hear IN_UNMOUNT, and a file
    system on a disk writes everything back and marks itself clean
    (put_super); returns its Completion, or None."""
    if not any(m.sb is sb for m in all_mounts) and not sb.pins:
        # (pins: detached mounts and fs contexts still holding it, fs/fsmount.py)
        fsnotify_unmount(sb)
        put = getattr(sb, "put_super", None)
        if put is not None:
            return put()
    return None


def _wait_then(t, completion, result):
    """result, once completion is done (umount and remount wait for the disk)."""
    if completion is None or completion.done:
        return result

    def gen():
        yield from wait_for(t, completion)
        return result
    return gen()


EAGAIN_ = 11


def sys_umount(t, target):
    return sys_umount2(t, target, 0)


def sys_pivot_root(t, new_root, put_old):
    return -EINVAL
