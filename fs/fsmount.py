"""fs/fsmount.py - mounts as file descriptors: fsmount(2), open_tree(2),
move_mount(2), mount_setattr(2) (the new mount API's
half of Linux's fs/namespace.c; the filesystem contexts are fs/fsopen.py).

A *detached* mount is a Mount (fs/mount.py) in no one's tree: fsmount()
makes one from a filesystem context whose superblock is made, and
open_tree(OPEN_TREE_CLONE) makes one as a copy of a mount already in the
tree (with AT_RECURSIVE, of the mounts below it too, as a bind mount
-o rbind copies them).  The caller gets an O_PATH descriptor on its root:
files are reachable through it (openat(fd, "x")), and move_mount() attaches
it, with the mounts below it, at a place in the tree.  A detached mount is
its own parent, as the root mount is, so ".." stops at its root; it is not
in all_mounts, so /proc/mounts does not show it.  Closing the last
descriptor of one never attached dissolves it (Linux's FMODE_NEED_UNMOUNT):
its superblock goes if nothing else holds it.

move_mount() moves an attached mount as MS_MOVE does, or attaches a
detached one; MOVE_MOUNT_BENEATH slides it under the top mount at the
target, so that unmounting the top one reveals it.  mount_setattr()
changes the per-mount flags (read-only, nosuid, nodev, noexec, the atime
mode, nodiratime, nosymfollow) of one mount or, with AT_RECURSIVE, of the
mounts below it too, and its propagation type (fs/pnode.py).  Idmapped mounts (MOUNT_ATTR_IDMAP) are refused with
EINVAL, what Linux says for a filesystem that cannot be idmapped: no
filesystem here can.
"""

from kernel.abi import s32
import struct

from kernel.errno import E2BIG, EBADF, EBUSY, EINVAL, ELOOP, ENOTDIR, EPERM, Errno
from kernel.capability import CAP_SYS_ADMIN, capable
from fs.anon_inodes import install_new_file
from fs.file import O_CLOEXEC, O_PATH, File, fget
from fs.fsopen import AWAITING_MOUNT, fscontext_of
from fs.inode import S_ISDIR
from fs.mount import (Mount, Path, all_mounts, attach_mount, clone_mnt, mount_table,
                      touch_mnt_namespace)
from fs.namei import AT_EMPTY_PATH, AT_NO_AUTOMOUNT, AT_SYMLINK_NOFOLLOW, path_lookup
from fs.namespace import (MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID,
                          MS_NOSYMFOLLOW, MS_PRIVATE, MS_RDONLY, MS_RELATIME, MS_SHARED,
                          MS_SLAVE, MS_UNBINDABLE, _inside, _sb_gone)
from fs.open import PathFileOperations, path_fops
from fs import pnode
from mm.uaccess import copy_from_user, strncpy_from_user

FSMOUNT_CLOEXEC = 1
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC = 1, 2, 4, 8
MOUNT_ATTR__ATIME, MOUNT_ATTR_RELATIME, MOUNT_ATTR_NOATIME = 0x70, 0x00, 0x10
MOUNT_ATTR_STRICTATIME, MOUNT_ATTR_NODIRATIME = 0x20, 0x80
MOUNT_ATTR_IDMAP, MOUNT_ATTR_NOSYMFOLLOW = 0x100000, 0x200000
MOUNT_ATTR_SIZE_VER0 = 32
_ATTRS = (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC
          | MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW)
# a MOUNT_ATTR_ bit -> the mount flag (fs/namespace.py's MS_ bits) it is
_ATTR_TO_MS = ((MOUNT_ATTR_RDONLY, MS_RDONLY), (MOUNT_ATTR_NOSUID, MS_NOSUID),
               (MOUNT_ATTR_NODEV, MS_NODEV), (MOUNT_ATTR_NOEXEC, MS_NOEXEC),
               (MOUNT_ATTR_NODIRATIME, MS_NODIRATIME), (MOUNT_ATTR_NOSYMFOLLOW, MS_NOSYMFOLLOW))

OPEN_TREE_CLONE = 1
OPEN_TREE_CLOEXEC = O_CLOEXEC
AT_RECURSIVE = 0x8000

MOVE_MOUNT_F_SYMLINKS, MOVE_MOUNT_F_AUTOMOUNTS, MOVE_MOUNT_F_EMPTY_PATH = 1, 2, 4
MOVE_MOUNT_T_SYMLINKS, MOVE_MOUNT_T_AUTOMOUNTS, MOVE_MOUNT_T_EMPTY_PATH = 0x10, 0x20, 0x40
MOVE_MOUNT_SET_GROUP, MOVE_MOUNT_BENEATH = 0x100, 0x200
MOVE_MOUNT__MASK = 0x377


# -- detached mounts ------------------------------------------------------------

def _detach_tree(mounts):
    """Mark mounts (a tree: its root first) as detached, holding their
    superblocks."""
    mounts[0].tree = mounts
    for m in mounts:
        m.detached = True
        m.sb.pins += 1


def _unpin(m):
    m.detached = False
    m.sb.pins -= 1


class DetachedMountOperations(PathFileOperations):
    """The O_PATH descriptor fsmount and open_tree(OPEN_TREE_CLONE) give."""

    def release(self, f):
        root = f.path.mnt
        if root.detached and root.tree:
            dissolve(root)


detached_fops = DetachedMountOperations()


def dissolve(root):
    """Unmount a detached tree nobody attached (umount_tree on the last fput)."""
    tree, root.tree = root.tree, None
    for m in reversed(tree):
        if m is not root and mount_table.get((m.parent, m.mountpoint)) is m:
            del mount_table[(m.parent, m.mountpoint)]
        _unpin(m)
        _sb_gone(m.sb)


def _install_detached(t, root, cloexec):
    f = File(Path(root, root.root), O_PATH, detached_fops)
    return install_new_file(t, f, cloexec)


def _flags_from_attrs(attrs):
    """MOUNT_ATTR_ bits -> MS_ mount flags (the atime mode already checked)."""
    flags = 0
    for attr, ms in _ATTR_TO_MS:
        if attrs & attr:
            flags |= ms
    atime = attrs & MOUNT_ATTR__ATIME
    if atime == MOUNT_ATTR_NOATIME:
        flags |= MS_NOATIME
    elif atime == MOUNT_ATTR_RELATIME:
        flags |= MS_RELATIME
    return flags


def _set_flags(m, flags):
    m.flags = flags
    m.read_only = bool(flags & MS_RDONLY) or m.sb.read_only
    m.noexec = bool(flags & MS_NOEXEC)


def _below(d, top):
    while True:
        if d is top:
            return True
        if d.parent is d:
            return False
        d = d.parent


def copy_tree(path, recursive):
    """A detached copy of the mount at path, rooted at path's dentry (and,
    recursive, of the mounts below it): [root, submounts...]."""
    root = clone_mnt(path.mnt, path.dentry)
    tree = [root]
    if recursive:
        copies = {path.mnt: root}
        for m in list(all_mounts):          # in mount order: parents first
            p = m.parent
            if m is p or p not in copies:
                continue
            if p is path.mnt and not _below(m.mountpoint, path.dentry):
                continue
            c = clone_mnt(m, m.root)
            c.parent, c.mountpoint = copies[p], m.mountpoint
            mount_table[(c.parent, c.mountpoint)] = c
            copies[m] = c
            tree.append(c)
    _detach_tree(tree)
    return root


# -- the system calls -------------------------------------------------------------


def _name(t, addr):
    return strncpy_from_user(t.mm, addr, 4096) if addr else b""


def sys_fsmount(t, fs_fd, flags, attr_flags):
    if not capable(t, CAP_SYS_ADMIN):      # may_mount
        return -EPERM
    flags &= 0xFFFFFFFF
    attr_flags &= 0xFFFFFFFF
    if flags & ~FSMOUNT_CLOEXEC:
        return -EINVAL
    if attr_flags & ~_ATTRS:
        return -EINVAL
    if attr_flags & MOUNT_ATTR__ATIME not in (MOUNT_ATTR_RELATIME, MOUNT_ATTR_NOATIME,
                                              MOUNT_ATTR_STRICTATIME):
        return -EINVAL
    ctx = fscontext_of(t, s32(fs_fd))
    if ctx.sb is None:
        return -EINVAL
    if ctx.phase != AWAITING_MOUNT:
        return -EBUSY
    sb = ctx.sb
    mnt = Mount(sb, sb.root, source=ctx.source or b"none")
    _set_flags(mnt, _flags_from_attrs(attr_flags))
    mnt.options = ctx.data_used if sb.fstype != "hostfs" else b""
    _detach_tree([mnt])
    return _install_detached(t, mnt, flags & FSMOUNT_CLOEXEC)


def _open_tree(t, dfd, filename, flags):
    flags &= 0xFFFFFFFF
    if flags & ~(AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW
                 | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC):
        raise Errno(EINVAL)
    if flags & (AT_RECURSIVE | OPEN_TREE_CLONE) == AT_RECURSIVE:
        raise Errno(EINVAL)
    clone = bool(flags & OPEN_TREE_CLONE)
    if clone and not capable(t, CAP_SYS_ADMIN):
        raise Errno(EPERM)
    path = path_lookup(t, _name(t, filename), s32(dfd),
                       follow=not flags & AT_SYMLINK_NOFOLLOW,
                       empty_ok=bool(flags & AT_EMPTY_PATH))
    if not clone:
        return None, install_new_file(t, File(path, O_PATH, path_fops), flags & O_CLOEXEC)
    if path.mnt not in all_mounts and not path.mnt.detached:
        raise Errno(EINVAL)                 # not a mount of this namespace
    if path.mnt.unbindable:
        raise Errno(EINVAL)
    root = copy_tree(path, bool(flags & AT_RECURSIVE))
    return root, _install_detached(t, root, flags & O_CLOEXEC)


def sys_open_tree(t, dfd, filename, flags):
    return _open_tree(t, dfd, filename, flags)[1]


def _attach_tree(root, where, beneath):
    """Put a detached tree (or an attached mount being moved) at where."""
    tree = root.tree
    if beneath:
        top = where.mnt
        del mount_table[(top.parent, top.mountpoint)]
        attach_mount(root, Path(top.parent, top.mountpoint))
        all_mounts.remove(top)
        all_mounts.insert(all_mounts.index(root) + 1, top)
        top.parent, top.mountpoint = root, root.root
        mount_table[(root, root.root)] = top
    else:
        attach_mount(root, where)
    if tree is not None:
        root.tree = None
        for m in tree:
            if m is not root:
                all_mounts.append(m)
            _unpin(m)
    if not beneath:
        pnode.propagate_mnt(root, all_mounts, clone_mnt,
                            lambda c, q, mp: attach_mount(c, Path(q, mp)))


def sys_move_mount(t, from_dfd, from_pathname, to_dfd, to_pathname, flags):
    flags &= 0xFFFFFFFF
    if flags & ~MOVE_MOUNT__MASK:
        return -EINVAL
    if flags & (MOVE_MOUNT_BENEATH | MOVE_MOUNT_SET_GROUP) == \
            MOVE_MOUNT_BENEATH | MOVE_MOUNT_SET_GROUP:
        return -EINVAL
    if not capable(t, CAP_SYS_ADMIN):      # may_mount
        return -EPERM
    src = path_lookup(t, _name(t, from_pathname), s32(from_dfd),
                      follow=bool(flags & MOVE_MOUNT_F_SYMLINKS),
                      empty_ok=bool(flags & MOVE_MOUNT_F_EMPTY_PATH))
    dst = path_lookup(t, _name(t, to_pathname), s32(to_dfd),
                      follow=bool(flags & MOVE_MOUNT_T_SYMLINKS),
                      empty_ok=bool(flags & MOVE_MOUNT_T_EMPTY_PATH))
    if flags & MOVE_MOUNT_SET_GROUP:
        return 0                            # no peer groups: nothing to share
    mnt = src.mnt
    if src.dentry is not mnt.root:
        return -EINVAL
    detached = mnt.detached
    if detached:
        if mnt.tree is None:
            return -EINVAL                  # inside a detached tree, not its root
    elif mnt.parent is mnt or mnt not in all_mounts:
        return -EINVAL
    if dst.mnt.detached:
        return -EINVAL                      # into a detached tree: no one's namespace
    if S_ISDIR(src.dentry.inode.mode) != S_ISDIR(dst.dentry.inode.mode):
        return -ENOTDIR
    beneath = bool(flags & MOVE_MOUNT_BENEATH)
    if beneath:
        top = dst.mnt
        if dst.dentry is not top.root or top.parent is top or top is mnt:
            return -EINVAL                  # beneath the top of a mount stack only
        if top.detached:
            return -EINVAL
    if not detached:
        if _inside(dst, mnt):
            return -ELOOP                   # into itself
        if mnt.parent.group:
            return -EINVAL                  # out from below a shared mount
        del mount_table[(mnt.parent, mnt.mountpoint)]
        all_mounts.remove(mnt)
    _attach_tree(mnt, dst, beneath)
    return 0


def _read_mount_attr(t, uattr, usize):
    usize &= 0xFFFFFFFFFFFFFFFF
    if usize > 4096:
        raise Errno(E2BIG)
    if usize < MOUNT_ATTR_SIZE_VER0:
        raise Errno(EINVAL)
    raw = copy_from_user(t.mm, uattr, usize)
    if any(raw[MOUNT_ATTR_SIZE_VER0:]):
        raise Errno(E2BIG)                  # a newer field this kernel does not know
    return struct.unpack("<QQQQ", raw[:MOUNT_ATTR_SIZE_VER0])


def _check_mount_attr(t, attr_set, attr_clr, propagation, userns_fd):
    """build_mount_kattr: (flags to set, flags to clear), or Errno."""
    if propagation & ~(MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE):
        raise Errno(EINVAL)
    if bin(propagation).count("1") > 1:
        raise Errno(EINVAL)
    if (attr_set | attr_clr) >> 32:
        raise Errno(EINVAL)
    if (attr_set | attr_clr) & ~(_ATTRS | MOUNT_ATTR_IDMAP):
        raise Errno(EINVAL)
    if attr_set & MOUNT_ATTR_IDMAP:
        if userns_fd > 0x7FFFFFFF:
            raise Errno(EINVAL)
        if fget(t, userns_fd) is None:
            raise Errno(EBADF)
        raise Errno(EINVAL)                 # no filesystem here can be idmapped
    if attr_clr & MOUNT_ATTR_IDMAP:
        raise Errno(EINVAL)
    set_ms = _flags_from_attrs(attr_set & ~MOUNT_ATTR__ATIME)
    clr_ms = _flags_from_attrs(attr_clr & ~MOUNT_ATTR__ATIME) & ~MS_RELATIME
    set_ms &= ~MS_RELATIME
    if (attr_set | attr_clr) & MOUNT_ATTR__ATIME:
        if attr_clr & MOUNT_ATTR__ATIME != MOUNT_ATTR__ATIME:
            raise Errno(EINVAL)             # an atime mode replaces the whole mode
        clr_ms |= MS_RELATIME | MS_NOATIME
        atime = attr_set & MOUNT_ATTR__ATIME
        if atime not in (MOUNT_ATTR_RELATIME, MOUNT_ATTR_NOATIME, MOUNT_ATTR_STRICTATIME):
            raise Errno(EINVAL)
        set_ms |= _flags_from_attrs(atime) & (MS_RELATIME | MS_NOATIME)
    return set_ms, clr_ms


def _apply_attr(path, recursive, set_ms, clr_ms, propagation=0):
    mnt = path.mnt
    if path.dentry is not mnt.root:
        raise Errno(EINVAL)
    if mnt.detached:
        tree = mnt.tree or [mnt]
        targets = tree if recursive else [mnt]
    elif mnt in all_mounts:
        targets = [m for m in all_mounts if m is mnt or (recursive and _inside(Path(m, m.root), mnt))]
    else:
        raise Errno(EINVAL)
    for m in targets:
        _set_flags(m, (m.flags & ~clr_ms) | set_ms)
    if not mnt.detached:
        touch_mnt_namespace()
    if propagation:
        pnode.change_type(targets, propagation, all_mounts)


def sys_mount_setattr(t, dfd, path, flags, uattr, usize):
    flags &= 0xFFFFFFFF
    if flags & ~(AT_EMPTY_PATH | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT):
        return -EINVAL
    attr_set, attr_clr, propagation, userns_fd = _read_mount_attr(t, uattr, usize)
    if not (attr_set or attr_clr or propagation):
        return 0                            # nothing asked: nothing looked up
    set_ms, clr_ms = _check_mount_attr(t, attr_set, attr_clr, propagation, userns_fd)
    if not capable(t, CAP_SYS_ADMIN):      # may_mount
        return -EPERM
    where = path_lookup(t, _name(t, path), s32(dfd), follow=not flags & AT_SYMLINK_NOFOLLOW,
                        empty_ok=bool(flags & AT_EMPTY_PATH))
    _apply_attr(where, bool(flags & AT_RECURSIVE), set_ms, clr_ms, propagation)
    return 0
