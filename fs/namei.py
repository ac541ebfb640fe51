"""fs/namei.py - from a path name to a Path: the path walk.

Walks one component at a time from the task's root or working directory (or
a directory fd, for the *at calls): checks search permission on every
directory, steps into mounts and back out of them on "..", never climbs
above the task's root, and follows symbolic links (at most 40 in one walk:
ELOOP).  Also here: permission checks against the task's credentials.
"""

from kernel.errno import (EACCES, EBADF, ELOOP, ENAMETOOLONG, ENOENT, EPERM,
                          ENOTDIR, EROFS, EXDEV, Errno)
from fs.dcache import lookup_one
from fs.inode import S_ISDIR, S_ISGID, S_ISLNK, S_ISREG, S_IXGRP
from fs.mount import Path, follow_mount
from fs.file import fget
from kernel.capability import CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FSETID
from kernel.user_namespace import capable_wrt_inode_uidgid

AT_FDCWD = -100
AT_SYMLINK_NOFOLLOW = 0x100
AT_REMOVEDIR = 0x200
AT_SYMLINK_FOLLOW = 0x400
AT_NO_AUTOMOUNT = 0x800
AT_EMPTY_PATH = 0x1000
AT_EACCESS = 0x200

MAY_EXEC, MAY_WRITE, MAY_READ, MAY_APPEND = 1, 2, 4, 8
MAXSYMLINKS = 40
# openat2's how.resolve: how a walk may move (Linux's LOOKUP_NO_XDEV ...)
RESOLVE_NO_XDEV = 0x01          # never cross a mount point: EXDEV
RESOLVE_NO_MAGICLINKS = 0x02    # never follow /proc's magic links: ELOOP
RESOLVE_NO_SYMLINKS = 0x04      # never follow any symlink: ELOOP
RESOLVE_BENEATH = 0x08          # never leave the start directory: EXDEV
RESOLVE_IN_ROOT = 0x10          # the start directory is "/" for this walk
RESOLVE_CACHED = 0x20
RESOLVE_SCOPED = RESOLVE_BENEATH | RESOLVE_IN_ROOT
PATH_MAX = 4096
NAME_MAX = 255


# -- permissions ----------------------------------------------------------------

def in_group_p(cred, gid):
    return cred.fsgid == gid or gid in cred.groups


def mode_strip_sgid(t, dir_inode, mode):
    """A new non-directory in a setgid directory gets the directory's
    group; it keeps a setgid bit only if its creator is in that group or
    has CAP_FSETID (Linux's mode_strip_sgid, applied before the umask)."""
    if mode & (S_ISGID | S_IXGRP) != (S_ISGID | S_IXGRP):
        return mode
    if S_ISDIR(mode) or not dir_inode.mode & S_ISGID:
        return mode
    if in_group_p(t.cred, dir_inode.gid) \
            or capable_wrt_inode_uidgid(t.cred, dir_inode, CAP_FSETID):
        return mode
    return mode & ~S_ISGID


def generic_permission(cred, inode, mask):
    mode = inode.mode
    if cred.fsuid == inode.uid:
        bits = (mode >> 6) & 7
    elif inode.acl_access is not None:
        # cycle: fs.posix_acl -> fs.namei
        from fs.posix_acl import acl_permission
        return acl_permission(cred, inode, inode.acl_access, mask)
    elif in_group_p(cred, inode.gid):
        bits = (mode >> 3) & 7
    else:
        bits = mode & 7
    if (bits & mask & 7) == (mask & 7):
        return True
    # the capabilities that override the bits, as Linux's generic_permission
    mask &= 7
    if S_ISDIR(mode):
        if not mask & MAY_WRITE and capable_wrt_inode_uidgid(cred, inode, CAP_DAC_READ_SEARCH):
            return True
        return capable_wrt_inode_uidgid(cred, inode, CAP_DAC_OVERRIDE)
    if mask == MAY_READ and capable_wrt_inode_uidgid(cred, inode, CAP_DAC_READ_SEARCH):
        return True
    # executing needs at least one x bit even for CAP_DAC_OVERRIDE
    if not mask & MAY_EXEC or mode & 0o111:
        return capable_wrt_inode_uidgid(cred, inode, CAP_DAC_OVERRIDE)
    return False


def inode_permission(t, inode, mask, mnt=None):
    if mask & MAY_WRITE:
        ro = inode.sb.read_only or (mnt is not None and mnt.read_only)
        if ro and (S_ISREG(inode.mode) or S_ISDIR(inode.mode) or S_ISLNK(inode.mode)):
            raise Errno(EROFS)
        if inode.immutable:
            raise Errno(EPERM)              # chattr +i: no writing, not even root
    own = getattr(inode, "permission", None)         # Linux's i_op->permission
    if not (own(t.cred, mask) if own is not None else generic_permission(t.cred, inode, mask)):
        raise Errno(EACCES)


def may_write_path(t, path):
    if path.mnt.read_only or path.dentry.inode.sb.read_only:
        raise Errno(EROFS)


# -- walking --------------------------------------------------------------------

class Nameidata:
    __slots__ = ("t", "root", "links", "resolve", "mnt")

    def __init__(self, t, resolve=0):
        self.t = t
        self.root = t.fs.root
        self.links = 0
        self.resolve = resolve          # RESOLVE_* (openat2), 0 for every other call
        self.mnt = None                 # RESOLVE_NO_XDEV: the mount the walk started on


def dirfd_path(t, dirfd):
    """The Path a *at call's dirfd names: the cwd for AT_FDCWD; EBADF."""
    if dirfd == AT_FDCWD:
        return t.fs.pwd
    f = fget(t, dirfd)
    if f is None:
        raise Errno(EBADF)
    return f.path


def _start(t, name, dirfd, nd=None):
    resolve = nd.resolve if nd is not None else 0
    if name.startswith(b"/") and not resolve & RESOLVE_SCOPED:
        start = t.fs.root
    else:
        start = dirfd_path(t, dirfd)
        if dirfd != AT_FDCWD and not S_ISDIR(start.dentry.inode.mode):
            raise Errno(ENOTDIR)
    if resolve:
        if name.startswith(b"/") and resolve & RESOLVE_BENEATH:
            raise Errno(EXDEV)          # an absolute name is not beneath anything
        if resolve & RESOLVE_SCOPED:
            nd.root = start             # ".." and absolute symlinks stop here
        nd.mnt = start.mnt
    return start


def _check_step(nd, path):
    """RESOLVE_NO_XDEV: the walk has reached path; it may not be on another mount."""
    if nd.resolve & RESOLVE_NO_XDEV and path.mnt is not nd.mnt:
        raise Errno(EXDEV)
    return path


def _dotdot(nd, path):
    root = nd.root
    if path == root and nd.resolve & RESOLVE_BENEATH:
        raise Errno(EXDEV)              # ".." out of the start directory
    while True:
        if path == root:
            return path
        if path.dentry is not path.mnt.root:
            return Path(path.mnt, path.dentry.parent)
        if path.mnt.parent is path.mnt:
            return path
        path = Path(path.mnt.parent, path.mnt.mountpoint)


def _walk(nd, path, name, follow_last):
    """Walk name from path.  Returns (Path or None, last component).  With a
    missing last component returns (parent Path, None-flag) through
    _MissingLast."""
    if len(name) >= PATH_MAX:
        raise Errno(ENAMETOOLONG)
    comps = [c for c in name.split(b"/") if c]
    must_dir = name.endswith(b"/")
    if not comps:
        return path
    for i, comp in enumerate(comps):
        last = i == len(comps) - 1
        inode = path.dentry.inode
        if not S_ISDIR(inode.mode):
            raise Errno(ENOTDIR)
        inode_permission(nd.t, inode, MAY_EXEC)
        if comp == b".":
            continue
        if comp == b"..":
            path = _check_step(nd, _dotdot(nd, path))
            continue
        if len(comp) > NAME_MAX:
            raise Errno(ENAMETOOLONG)
        d = lookup_one(path.dentry, comp)
        if d is None:
            raise _Missing(path, comp, last, must_dir)
        child = _check_step(nd, follow_mount(Path(path.mnt, d)))
        if S_ISLNK(child.dentry.inode.mode) and (not last or follow_last or must_dir):
            if nd.resolve & RESOLVE_NO_SYMLINKS:
                raise Errno(ELOOP)
            nd.links += 1
            if nd.links > MAXSYMLINKS:
                raise Errno(ELOOP)
            if child.mnt.flags & 256:           # MS_NOSYMFOLLOW (mount_setattr)
                raise Errno(ELOOP)
            magic = getattr(child.dentry.inode, "follow_link", None)
            jump = magic() if magic is not None else None
            if jump is not None:                # /proc/PID/fd/N and friends
                if nd.resolve & RESOLVE_NO_MAGICLINKS:
                    raise Errno(ELOOP)
                if nd.resolve & RESOLVE_SCOPED:
                    raise Errno(EXDEV)          # a jump no scope can check
                _check_step(nd, jump)
                rest = b"/".join(comps[i + 1:])
                if not rest:
                    if must_dir and not S_ISDIR(jump.dentry.inode.mode):
                        raise Errno(ENOTDIR)
                    return jump
                return _walk(nd, jump, rest + (b"/" if must_dir else b""), follow_last)
            target = child.dentry.inode.readlink()
            if not target:
                raise Errno(ENOENT)
            rest = b"/".join(comps[i + 1:])
            if target.startswith(b"/") and nd.resolve & RESOLVE_BENEATH:
                raise Errno(EXDEV)
            base = _check_step(nd, nd.root) if target.startswith(b"/") else path
            newname = target + (b"/" + rest if rest else b"") + (b"/" if must_dir and rest else b"")
            if must_dir and not rest:
                newname += b"/"
            return _walk(nd, base, newname, follow_last)
        path = child
    if must_dir and not S_ISDIR(path.dentry.inode.mode):
        raise Errno(ENOTDIR)
    return path


class _Missing(Exception):
    def __init__(self, parent, name, last, must_dir):
        super().__init__(name)
        self.parent = parent
        self.name = name
        self.last = last
        self.must_dir = must_dir


def path_lookup(t, name, dirfd=AT_FDCWD, follow=True, empty_ok=False, resolve=0):
    """The Path that name names; ENOENT if it does not exist."""
    if not name:
        if empty_ok:
            # AT_EMPTY_PATH: the file dirfd refers to, whatever it is
            return dirfd_path(t, dirfd)
        raise Errno(ENOENT)
    nd = Nameidata(t, resolve)
    try:
        return _walk(nd, _start(t, name, dirfd, nd), name, follow)
    except _Missing:
        raise Errno(ENOENT)


def path_create(t, name, dirfd=AT_FDCWD, follow=True, resolve=0):
    """For calls that may create the last component (open O_CREAT, mkdir,
    symlink, link, mknod, bind): returns (parent Path, name, Path or None).
    The Path is the existing object (after following a trailing symlink if
    follow is set)."""
    if not name:
        raise Errno(ENOENT)
    nd = Nameidata(t, resolve)
    start = _start(t, name, dirfd, nd)
    try:
        p = _walk(nd, start, name, follow)
    except _Missing as m:
        if not m.last:
            raise Errno(ENOENT)
        return m.parent, m.name, None
    # it exists; find its parent and name for the caller's EEXIST logic
    comps = [c for c in name.split(b"/") if c]
    last = comps[-1] if comps else b"."
    return None, last, p


def path_parent(t, name, dirfd=AT_FDCWD):
    """(parent Path, last name) without looking the last component up
    (unlink, rmdir, rename).  "." and ".." as last component are refused by
    the callers."""
    if not name:
        raise Errno(ENOENT)
    comps = [c for c in name.split(b"/") if c]
    if not comps:
        return t.fs.root if name.startswith(b"/") else t.fs.pwd, b"."
    head = b"/".join(comps[:-1])
    if name.startswith(b"/"):
        head = b"/" + head
    parent = path_lookup(t, head or b".", dirfd)
    if not S_ISDIR(parent.dentry.inode.mode):
        raise Errno(ENOTDIR)
    return parent, comps[-1]


def lookup_child(parent, name):
    """The child Path of a directory Path, or None."""
    d = lookup_one(parent.dentry, name)
    if d is None:
        return None
    return Path(parent.mnt, d)
