"""fs/dir.py - the system calls that change directories: mkdir, rmdir,
unlink, rename, link, symlink, mknod (and their *at forms).

The VFS does the checks every filesystem shares, in Linux's order (see
may_create and may_delete in fs/namei.c): the parent must be searchable and
writable, not on a read-only mount, and in a sticky directory only the
owner of the entry or of the directory (or root) may remove or replace it.
A mount point cannot be removed or renamed (EBUSY); a rename between mounts
is EXDEV; a directory cannot move into itself (EINVAL).  The filesystem then
does the change (fs/tmpfs.py, fs/hostfs.py) and the dentry cache follows.
"""

from kernel.abi import s32
from kernel.errno import (EBADF, EBUSY, EEXIST, EINVAL, EISDIR, ENAMETOOLONG, ENOENT, ENOTDIR,
                          ENOTEMPTY, EPERM, EXDEV, Errno)
from fs.dcache import d_add, d_drop, d_move
from fs.inode import (S_IFCHR, S_IFBLK, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG,
                      S_IFSOCK, S_ISDIR, S_ISVTX)
from fs.mount import Path, all_mounts, mount_table
from fs.namei import (AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, MAY_EXEC,
                      MAY_WRITE, PATH_MAX, inode_permission, lookup_child, may_write_path,
                      mode_strip_sgid, path_create, path_lookup, path_parent)
from fs.notify.fsnotify import (d_delete_notify, fsnotify_create, fsnotify_link,
                                fsnotify_move, fsnotify_unlink)
from mm.uaccess import strncpy_from_user
from fs.file import fget
from kernel.capability import CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_MKNOD, capable
import security.landlock.fs as landlock

RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT = 1, 2, 4


def _name(t, addr):
    return strncpy_from_user(t.mm, addr, PATH_MAX)


def is_mountpoint(path):
    """Something is mounted on path, or path is a mount's root."""
    if (path.mnt, path.dentry) in mount_table:
        return True
    for m in all_mounts:
        if m.mountpoint is path.dentry and m.parent is path.mnt:
            return True
    return path.dentry is path.mnt.root


def may_create(t, dir_path):
    may_write_path(t, dir_path)
    inode = dir_path.dentry.inode
    if inode.nlink == 0 or dir_path.dentry.unhashed and not dir_path.dentry.is_root:
        raise Errno(ENOENT)
    inode_permission(t, inode, MAY_WRITE | MAY_EXEC, dir_path.mnt)


def check_sticky(t, dir_inode, inode):
    cred = t.cred
    if not dir_inode.mode & S_ISVTX or capable(t, CAP_FOWNER):
        return False
    return cred.fsuid != inode.uid and cred.fsuid != dir_inode.uid


def may_delete(t, dir_path, victim, isdir):
    may_write_path(t, dir_path)
    dir_inode = dir_path.dentry.inode
    inode_permission(t, dir_inode, MAY_WRITE | MAY_EXEC, dir_path.mnt)
    inode = victim.dentry.inode
    if check_sticky(t, dir_inode, inode) or dir_inode.append_only or inode.immutable \
            or inode.append_only:
        raise Errno(EPERM)
    if isdir:
        if not S_ISDIR(inode.mode):
            raise Errno(ENOTDIR)
        if victim.dentry is t.fs.root.dentry and victim.mnt is t.fs.root.mnt:
            raise Errno(EBUSY)
    elif S_ISDIR(inode.mode):
        raise Errno(EISDIR)


def _real_child(parent, name):
    """The dentry name names in parent, not crossing a mount on it."""
    return lookup_child(parent, name)


# -- mkdir, mknod, symlink ------------------------------------------------------------

def _create_target(t, dirfd, name, mode):
    """The parent Path and last name for a new node of type mode."""
    parent, last, existing = path_create(t, name, dirfd, follow=False)
    if existing is not None:
        raise Errno(EEXIST)
    if len(last) > 255:
        raise Errno(ENAMETOOLONG)
    landlock.path_mknod(t, parent, mode)
    may_create(t, parent)
    return parent, last


def vfs_mkdir(t, dirfd, name, mode):
    parent, last = _create_target(t, dirfd, name, S_IFDIR)
    mode = mode & 0o1777 & ~t.fs.umask
    inode = parent.dentry.inode.mkdir(last, mode, t.cred)
    fsnotify_create(parent.dentry.inode, last, inode)
    d_add(parent.dentry, last, inode)
    return 0


def sys_mkdirat(t, dirfd, name, mode):
    return vfs_mkdir(t, s32(dirfd), _name(t, name), mode & 0xFFFFFFFF)


def sys_mkdir(t, name, mode):
    return vfs_mkdir(t, AT_FDCWD, _name(t, name), mode & 0xFFFFFFFF)


def vfs_mknod(t, dirfd, name, mode, rdev=0):
    """Create a node; returns its Path.  Also the hook for binding a unix
    socket to a path (mode S_IFSOCK): the caller sets inode.socket."""
    kind = mode & S_IFMT
    if kind == 0:
        kind = S_IFREG
    if kind == S_IFDIR:
        raise Errno(EPERM)
    if kind not in (S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK):
        raise Errno(EINVAL)
    if kind in (S_IFCHR, S_IFBLK) and not capable(t, CAP_MKNOD):
        raise Errno(EPERM)
    parent, last = _create_target(t, dirfd, name, kind)
    mode = kind | (mode_strip_sgid(t, parent.dentry.inode, kind | (mode & 0o7777)) & 0o7777
                   & ~t.fs.umask)
    inode = parent.dentry.inode.create(last, mode, t.cred,
                                       rdev if kind in (S_IFCHR, S_IFBLK) else 0)
    fsnotify_create(parent.dentry.inode, last, inode)
    return Path(parent.mnt, d_add(parent.dentry, last, inode))


def sys_mknodat(t, dirfd, name, mode, dev):
    vfs_mknod(t, s32(dirfd), _name(t, name), mode & 0xFFFFFFFF, dev & 0xFFFFFFFF)
    return 0


def sys_mknod(t, name, mode, dev):
    return sys_mknodat(t, AT_FDCWD, name, mode, dev)


def do_symlinkat(t, target_addr, dirfd, name_addr):
    target = _name(t, target_addr)
    name = _name(t, name_addr)
    if not target:
        return -ENOENT
    parent, last = _create_target(t, dirfd, name, S_IFLNK)
    inode = parent.dentry.inode.symlink(last, target, t.cred)
    fsnotify_create(parent.dentry.inode, last, inode)
    d_add(parent.dentry, last, inode)
    return 0


def sys_symlinkat(t, target, dirfd, name):
    return do_symlinkat(t, target, s32(dirfd), name)


def sys_symlink(t, target, name):
    return do_symlinkat(t, target, AT_FDCWD, name)


# -- link ----------------------------------------------------------------------------

def do_linkat(t, olddfd, oldname, newdfd, newname, flags):
    if flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH):
        return -EINVAL
    old_name = _name(t, oldname)
    if not old_name and flags & AT_EMPTY_PATH:
        if not capable(t, CAP_DAC_READ_SEARCH):
            return -ENOENT
        f = fget(t, olddfd)
        if f is None:
            return -EBADF
        old = f.path
    else:
        old = path_lookup(t, old_name, olddfd, follow=bool(flags & AT_SYMLINK_FOLLOW))
    new_name = _name(t, newname)
    parent, last, existing = path_create(t, new_name, newdfd, follow=False)
    if existing is not None:
        return -EEXIST
    if parent.mnt is not old.mnt:
        return -EXDEV
    landlock.path_refer(t, Path(old.mnt, old.dentry.parent), old, parent, None, False, False)
    may_create(t, parent)
    inode = old.dentry.inode
    if S_ISDIR(inode.mode) or inode.append_only or inode.immutable:
        return -EPERM
    if inode.nlink == 0 and not inode.linkable:
        return -ENOENT                      # unlinked, or O_TMPFILE | O_EXCL
    parent.dentry.inode.link(last, inode)
    inode.linkable = False
    fsnotify_link(parent.dentry.inode, inode, last)
    d_add(parent.dentry, last, inode)
    return 0


def sys_linkat(t, olddfd, oldname, newdfd, newname, flags):
    return do_linkat(t, s32(olddfd), oldname, s32(newdfd), newname, flags & 0xFFFFFFFF)


def sys_link(t, oldname, newname):
    return do_linkat(t, AT_FDCWD, oldname, AT_FDCWD, newname, 0)


# -- unlink, rmdir ---------------------------------------------------------------------

def do_rmdir(t, dirfd, name):
    parent, last = path_parent(t, name, dirfd)
    if last == b".":
        raise Errno(EINVAL)
    if last == b"..":
        raise Errno(ENOTEMPTY)
    if not name.strip(b"/"):
        raise Errno(EBUSY)
    child = _real_child(parent, last)
    if child is None:
        raise Errno(ENOENT)
    landlock.path_rmdir(t, parent)
    may_delete(t, parent, child, True)
    if is_mountpoint(child):
        raise Errno(EBUSY)
    parent.dentry.inode.rmdir(last, child.dentry.inode)
    d_drop(child.dentry)
    fsnotify_unlink(parent.dentry.inode, child.dentry, child.dentry.inode)
    return 0


def do_unlink(t, dirfd, name):
    parent, last = path_parent(t, name, dirfd)
    if last in (b".", b"..") or not name.strip(b"/"):
        raise Errno(EISDIR)
    child = _real_child(parent, last)
    if name.endswith(b"/"):
        if child is None:
            raise Errno(ENOENT)
        raise Errno(EISDIR if S_ISDIR(child.dentry.inode.mode) else ENOTDIR)
    if child is None:
        raise Errno(ENOENT)
    landlock.path_unlink(t, parent)
    may_delete(t, parent, child, False)
    if is_mountpoint(child):
        raise Errno(EBUSY)
    parent.dentry.inode.unlink(last, child.dentry.inode)
    d_drop(child.dentry)
    fsnotify_unlink(parent.dentry.inode, child.dentry, child.dentry.inode)
    return 0


def sys_unlinkat(t, dirfd, name, flags):
    flags &= 0xFFFFFFFF
    if flags & ~AT_REMOVEDIR:
        return -EINVAL
    n = _name(t, name)
    if flags & AT_REMOVEDIR:
        return do_rmdir(t, s32(dirfd), n)
    return do_unlink(t, s32(dirfd), n)


def sys_unlink(t, name):
    return do_unlink(t, AT_FDCWD, _name(t, name))


def sys_rmdir(t, name):
    return do_rmdir(t, AT_FDCWD, _name(t, name))


# -- rename ---------------------------------------------------------------------------

def _is_ancestor(anc, d):
    """Is dentry anc d or one of d's ancestors (in one filesystem)?"""
    while True:
        if d is anc:
            return True
        if d.parent is d:
            return False
        d = d.parent


def do_renameat2(t, olddfd, oldname, newdfd, newname, flags):
    if flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT):
        return -EINVAL
    if flags & RENAME_NOREPLACE and flags & RENAME_EXCHANGE:
        return -EINVAL
    if flags & RENAME_WHITEOUT:
        return -EINVAL
    old_n, new_n = _name(t, oldname), _name(t, newname)
    old_parent, old_last = path_parent(t, old_n, olddfd)
    new_parent, new_last = path_parent(t, new_n, newdfd)
    if old_parent.mnt is not new_parent.mnt:
        return -EXDEV
    if old_last in (b".", b"..") or not old_n.strip(b"/"):
        return -EBUSY
    if new_last in (b".", b"..") or not new_n.strip(b"/"):
        return -EEXIST if flags & RENAME_NOREPLACE else -EBUSY
    old = _real_child(old_parent, old_last)
    if old is None:
        return -ENOENT
    new = _real_child(new_parent, new_last)
    if flags & RENAME_EXCHANGE and new is None:
        return -ENOENT
    if flags & RENAME_NOREPLACE and new is not None:
        return -EEXIST
    old_inode = old.dentry.inode
    isdir = S_ISDIR(old_inode.mode)
    if not isdir and (old_n.endswith(b"/") or (new_n.endswith(b"/") and not flags & RENAME_EXCHANGE)):
        return -ENOTDIR
    # the source may not be an ancestor of the target, nor the target of it
    if _is_ancestor(old.dentry, new_parent.dentry):
        return -EINVAL
    if new is not None and not flags & RENAME_EXCHANGE and _is_ancestor(new.dentry, old_parent.dentry):
        return -ENOTEMPTY
    if new is not None and flags & RENAME_EXCHANGE and _is_ancestor(new.dentry, old_parent.dentry):
        return -EINVAL
    landlock.path_refer(t, old_parent, old, new_parent, new, True, bool(flags & RENAME_EXCHANGE))
    if new is not None and new.dentry.inode is old_inode:
        return 0                                    # hard links of one file
    may_delete(t, old_parent, old, isdir)
    if new is None:
        may_create(t, new_parent)
    else:
        new_isdir = S_ISDIR(new.dentry.inode.mode)
        may_delete(t, new_parent, new, isdir if not flags & RENAME_EXCHANGE else new_isdir)
        if flags & RENAME_EXCHANGE:
            if new_isdir and new_parent.dentry is not old_parent.dentry:
                inode_permission(t, new.dentry.inode, MAY_WRITE)
        elif isdir and new.dentry.inode.entries:
            return -ENOTEMPTY
    if isdir and new_parent.dentry is not old_parent.dentry:
        inode_permission(t, old_inode, MAY_WRITE)
    if is_mountpoint(old) or (new is not None and is_mountpoint(new)):
        return -EBUSY
    old_dir, new_dir = old_parent.dentry.inode, new_parent.dentry.inode
    if flags:
        old_dir.rename(old_last, new_dir, new_last, flags)
    else:
        old_dir.rename(old_last, new_dir, new_last)
    if flags & RENAME_EXCHANGE:
        od, nd = old.dentry, new.dentry
        d_drop(od)
        d_drop(nd)
        d_move(od, new_parent.dentry, new_last)
        d_move(nd, old_parent.dentry, old_last)
        _moved(nd.inode, old_dir, old_last)
    else:
        if new is not None:
            d_drop(new.dentry)
        d_move(old.dentry, new_parent.dentry, new_last)
    _moved(old_inode, new_dir, new_last)
    if flags & RENAME_EXCHANGE:
        fsnotify_move(old_dir, new_dir, old_last, new_last, isdir, None, old_inode)
        fsnotify_move(new_dir, old_dir, new_last, old_last, S_ISDIR(nd.inode.mode), None, nd.inode)
    else:
        victim = new.dentry.inode if new is not None else None
        fsnotify_move(old_dir, new_dir, old_last, new_last, isdir, victim, old_inode)
        if victim is not None:
            d_delete_notify(new.dentry, victim)
    return 0


def _moved(inode, new_dir, new_name):
    if inode.moved is not None:
        inode.moved(new_dir, new_name)


def sys_renameat2(t, olddfd, oldname, newdfd, newname, flags):
    return do_renameat2(t, s32(olddfd), oldname, s32(newdfd), newname, flags & 0xFFFFFFFF)


def sys_renameat(t, olddfd, oldname, newdfd, newname):
    return do_renameat2(t, s32(olddfd), oldname, s32(newdfd), newname, 0)


def sys_rename(t, oldname, newname):
    return do_renameat2(t, AT_FDCWD, oldname, AT_FDCWD, newname, 0)
