"""fs/xattr.py - extended attributes: get/set/list/removexattr and their
l* (no symlink following) and f* (an open file) forms (Linux's fs/xattr.c).

The VFS part is here: copying names and values (a name is 1..255 bytes,
else ERANGE; a value at most 64 KiB, else E2BIG), the namespace of a name
and who may use it (xattr_permission), and the ERANGE/E2BIG answers for a
buffer too small.  Namespaces, as Linux has them:

  user.*      regular files and directories only (others: EPERM to write,
              ENODATA to read); read and write permission on the file; a
              sticky directory only by its owner or root
  trusted.*   CAP_SYS_ADMIN only: EPERM to write, ENODATA to read,
              left out of lists for others
  security.*  anyone may read; writing needs CAP_SYS_ADMIN (commoncap)
  system.posix_acl_access, system.posix_acl_default
              POSIX ACLs (fs/posix_acl.py) where the filesystem has them
  anything else: EOPNOTSUPP

A filesystem keeps the values: an inode's get_xattr/set_xattr/list_xattr
(fs/inode.py defaults: EOPNOTSUPP).  SimpleXattrs is Linux's simple_xattr
store, which tmpfs uses; hostfs passes user.* to the host file.
Setting or removing one is an IN_ATTRIB change (fsnotify_xattr).
"""

from kernel.abi import s32
from kernel.errno import (E2BIG, EACCES, EBADF, EEXIST, EINVAL, ENODATA,
                          ENOSPC, EOPNOTSUPP, EPERM, ERANGE, Errno)
from kernel.capability import CAP_FSETID, CAP_SYS_ADMIN, capable
from kernel.user_namespace import capable_wrt_inode_uidgid, inode_owner_or_capable
from fs.file import FMODE_PATH, fget
from fs.inode import S_ISDIR, S_ISGID, S_ISLNK, S_ISREG, S_ISVTX
from fs.namei import (AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, MAY_READ, MAY_WRITE,
                      in_group_p, inode_permission, may_write_path, path_lookup)
from fs.notify.fsnotify import IN_ATTRIB, fsnotify_change
from fs import posix_acl
from mm.uaccess import copy_from_user, copy_to_user, strncpy_from_user

XATTR_CREATE, XATTR_REPLACE = 1, 2
XATTR_NAME_MAX = 255
XATTR_SIZE_MAX = 65536
XATTR_LIST_MAX = 65536

XATTR_USER_PREFIX = b"user."
XATTR_TRUSTED_PREFIX = b"trusted."
XATTR_SECURITY_PREFIX = b"security."
XATTR_SYSTEM_PREFIX = b"system."
XATTR_NAME_POSIX_ACL_ACCESS = b"system.posix_acl_access"
XATTR_NAME_POSIX_ACL_DEFAULT = b"system.posix_acl_default"
XATTR_NAME_CAPS = b"security.capability"
_PREFIXES = (XATTR_USER_PREFIX, XATTR_TRUSTED_PREFIX, XATTR_SECURITY_PREFIX)
_ACL_NAMES = (XATTR_NAME_POSIX_ACL_ACCESS, XATTR_NAME_POSIX_ACL_DEFAULT)


def capable_sys_admin(t):
    return capable(t, CAP_SYS_ADMIN)


def _owner_or_capable(t, inode):
    return inode_owner_or_capable(t.cred, inode)


class SimpleXattrs:
    """The values of one inode's xattrs, by full name (simple_xattrs).
    Listed as Linux lists its rbtree of them: names in descending order."""

    SPACE_LIMIT = 1 << 20            # bytes of user.* one inode may hold

    def __init__(self):
        self.values = {}

    def get(self, name):
        v = self.values.get(name)
        if v is None:
            raise Errno(ENODATA)
        return v

    def set(self, name, value, flags):
        """value None removes.  XATTR_CREATE: EEXIST if present;
        XATTR_REPLACE (and removal): ENODATA if absent."""
        old = self.values.get(name)
        if old is not None and flags & XATTR_CREATE:
            raise Errno(EEXIST)
        if old is None and (flags & XATTR_REPLACE or value is None):
            raise Errno(ENODATA)
        if value is None:
            del self.values[name]
            return
        if name.startswith(XATTR_USER_PREFIX):
            used = sum(len(k) + len(v) for k, v in self.values.items()
                       if k.startswith(XATTR_USER_PREFIX) and k != name)
            if used + len(name) + len(value) > self.SPACE_LIMIT:
                raise Errno(ENOSPC)
        self.values[name] = value

    def names(self):
        return sorted(self.values, reverse=True)


class SimpleXattrInode:
    """Mixin for inodes whose xattrs live in memory (tmpfs)."""

    xattrs = None

    def _store(self):
        if self.xattrs is None:
            self.xattrs = SimpleXattrs()
        return self.xattrs

    def get_xattr(self, name):
        if self.xattrs is None:
            raise Errno(ENODATA)
        return self.xattrs.get(name)

    def set_xattr(self, name, value, flags):
        self._store().set(name, value, flags)
        self.touch(c=True)

    def list_xattr(self):
        return self.xattrs.names() if self.xattrs is not None else []


# -- the checks of fs/xattr.c --------------------------------------------------

def xattr_permission(t, inode, name, mask, mnt=None):
    """May t read (MAY_READ) or change (MAY_WRITE) attribute name?"""
    write = mask & MAY_WRITE
    if write and (inode.immutable or inode.append_only):
        raise Errno(EPERM)
    if name.startswith(XATTR_SECURITY_PREFIX) or name.startswith(XATTR_SYSTEM_PREFIX):
        return
    if name.startswith(XATTR_TRUSTED_PREFIX):
        if not capable_sys_admin(t):
            raise Errno(EPERM if write else ENODATA)
        return
    if name.startswith(XATTR_USER_PREFIX):
        if not S_ISREG(inode.mode) and not S_ISDIR(inode.mode):
            raise Errno(EPERM if write else ENODATA)
        if S_ISDIR(inode.mode) and inode.mode & S_ISVTX and write \
                and not _owner_or_capable(t, inode):
            raise Errno(EPERM)
    inode_permission(t, inode, mask, mnt)


def _resolve(name):
    """Which handler takes name: 'acl', 'plain' or EOPNOTSUPP/EINVAL."""
    if name in _ACL_NAMES:
        return "acl"
    for p in _PREFIXES:
        if name.startswith(p):
            if len(name) == len(p):
                raise Errno(EINVAL)
            return "plain"
    raise Errno(EOPNOTSUPP)


def _has_acls(inode):
    return inode.sb.posix_acl


def vfs_getxattr(t, inode, name):
    xattr_permission(t, inode, name, MAY_READ)
    if _resolve(name) == "acl":
        if not _has_acls(inode) or S_ISLNK(inode.mode):
            raise Errno(EOPNOTSUPP)
        acl = inode.acl_access if name == XATTR_NAME_POSIX_ACL_ACCESS else inode.acl_default
        if acl is None:
            raise Errno(ENODATA)
        return posix_acl.acl_to_xattr(acl)
    return inode.get_xattr(name)


def _check_security_write(t, name, value):
    """commoncap's cap_inode_setxattr/removexattr."""
    if not name.startswith(XATTR_SECURITY_PREFIX):
        return
    if not capable_sys_admin(t):
        raise Errno(EPERM)
    if name == XATTR_NAME_CAPS and value is not None:
        if len(value) < 4:
            raise Errno(EINVAL)
        rev = int.from_bytes(value[:4], "little") & 0xFF000000
        sizes = {0x01000000: 12, 0x02000000: 20, 0x03000000: 24}
        if sizes.get(rev) != len(value):
            raise Errno(EINVAL)


def vfs_setxattr(t, path, name, value, flags, inode=None):
    """value None: removexattr.  inode: an open file's own (a pipe's)."""
    inode = inode if inode is not None else path.dentry.inode
    may_write_path(t, path)
    xattr_permission(t, inode, name, MAY_WRITE, path.mnt)
    if _resolve(name) == "acl":
        set_posix_acl(t, inode, name, value)
    else:
        _check_security_write(t, name, value)
        inode.set_xattr(name, value, flags)
    fsnotify_change(path.dentry, IN_ATTRIB)
    return 0


def set_posix_acl(t, inode, name, value):
    if not _has_acls(inode) or S_ISLNK(inode.mode):
        raise Errno(EOPNOTSUPP)
    acl = posix_acl.acl_from_xattr(value) if value is not None else None
    if name == XATTR_NAME_POSIX_ACL_DEFAULT and not S_ISDIR(inode.mode):
        if acl is not None:
            raise Errno(EACCES)
        return
    if not _owner_or_capable(t, inode):
        raise Errno(EPERM)
    # (removing an ACL there is none of succeeds, as on Linux)
    if name == XATTR_NAME_POSIX_ACL_DEFAULT:
        inode.acl_default = acl
        inode.touch(c=True)
        return
    if acl is not None:
        # posix_acl_update_mode: the mode follows the ACL; an ACL the
        # mode bits describe completely is not kept
        bits, equiv = posix_acl.acl_equiv_mode(acl)
        mode = (inode.mode & ~0o777) | bits
        if not in_group_p(t.cred, inode.gid) \
                and not capable_wrt_inode_uidgid(t.cred, inode, CAP_FSETID):
            mode &= ~S_ISGID
        if equiv:
            acl = None
        inode.acl_access = acl
        inode.setattr(mode=mode & 0o7777)
    else:
        inode.acl_access = None
        inode.touch(c=True)


def vfs_listxattr(t, inode):
    names = []
    if _has_acls(inode):
        if inode.acl_access is not None:
            names.append(XATTR_NAME_POSIX_ACL_ACCESS)
        if inode.acl_default is not None:
            names.append(XATTR_NAME_POSIX_ACL_DEFAULT)
    trusted = capable_sys_admin(t)
    for n in inode.list_xattr():
        if n.startswith(XATTR_TRUSTED_PREFIX) and not trusted:
            continue
        names.append(n)
    return b"".join(n + b"\0" for n in names)


# -- copying arguments ---------------------------------------------------------------

def _name(t, addr):
    try:
        n = strncpy_from_user(t.mm, addr, XATTR_NAME_MAX + 1)
    except Errno as e:
        if e.errno == 36:                       # ENAMETOOLONG: longer than 255
            raise Errno(ERANGE)
        raise
    if not n or len(n) > XATTR_NAME_MAX:
        raise Errno(ERANGE)
    return n


def _lookup(t, pathname, follow):
    return path_lookup(t, strncpy_from_user(t.mm, pathname, 4096), AT_FDCWD, follow=follow)


def _fd_path(t, fd):
    f = fget(t, s32(fd))
    if f is None or f.mode & FMODE_PATH:
        raise Errno(EBADF)
    return f.path, f.inode


def _set_args(t, attr, value, size, flags):
    flags &= 0xFFFFFFFF
    if flags & ~(XATTR_CREATE | XATTR_REPLACE):
        raise Errno(EINVAL)
    name = _name(t, attr)
    if size > XATTR_SIZE_MAX:
        raise Errno(E2BIG)
    data = copy_from_user(t.mm, value, size) if size else b""
    return name, data, flags


def _get_out(t, data, value, size):
    size = min(size, XATTR_SIZE_MAX)
    if size:
        if len(data) > size:
            raise Errno(E2BIG if size >= XATTR_SIZE_MAX else ERANGE)
        copy_to_user(t.mm, value, data)
    elif len(data) > XATTR_SIZE_MAX:
        raise Errno(E2BIG)
    return len(data)


def _list_out(t, data, lst, size):
    size = min(size, XATTR_LIST_MAX)
    if size:
        if len(data) > size:
            raise Errno(E2BIG if size >= XATTR_LIST_MAX else ERANGE)
        copy_to_user(t.mm, lst, data)
    return len(data)


# -- the system calls ----------------------------------------------------------------

def sys_setxattr(t, pathname, attr, value, size, flags):
    name, data, flags = _set_args(t, attr, value, size, flags)
    return vfs_setxattr(t, _lookup(t, pathname, True), name, data, flags)


def sys_lsetxattr(t, pathname, attr, value, size, flags):
    name, data, flags = _set_args(t, attr, value, size, flags)
    return vfs_setxattr(t, _lookup(t, pathname, False), name, data, flags)


def sys_fsetxattr(t, fd, attr, value, size, flags):
    path, inode = _fd_path(t, fd)
    name, data, flags = _set_args(t, attr, value, size, flags)
    return vfs_setxattr(t, path, name, data, flags, inode)


def sys_getxattr(t, pathname, attr, value, size):
    name = _name(t, attr)
    path = _lookup(t, pathname, True)
    return _get_out(t, vfs_getxattr(t, path.dentry.inode, name), value, size)


def sys_lgetxattr(t, pathname, attr, value, size):
    name = _name(t, attr)
    path = _lookup(t, pathname, False)
    return _get_out(t, vfs_getxattr(t, path.dentry.inode, name), value, size)


def sys_fgetxattr(t, fd, attr, value, size):
    _, inode = _fd_path(t, fd)
    name = _name(t, attr)
    return _get_out(t, vfs_getxattr(t, inode, name), value, size)


def sys_listxattr(t, pathname, lst, size):
    path = _lookup(t, pathname, True)
    return _list_out(t, vfs_listxattr(t, path.dentry.inode), lst, size)


def sys_llistxattr(t, pathname, lst, size):
    path = _lookup(t, pathname, False)
    return _list_out(t, vfs_listxattr(t, path.dentry.inode), lst, size)


def sys_flistxattr(t, fd, lst, size):
    _, inode = _fd_path(t, fd)
    return _list_out(t, vfs_listxattr(t, inode), lst, size)


def sys_removexattr(t, pathname, attr):
    name = _name(t, attr)
    return vfs_setxattr(t, _lookup(t, pathname, True), name, None, 0)


def sys_lremovexattr(t, pathname, attr):
    name = _name(t, attr)
    return vfs_setxattr(t, _lookup(t, pathname, False), name, None, 0)


def sys_fremovexattr(t, fd, attr):
    path, inode = _fd_path(t, fd)
    name = _name(t, attr)
    return vfs_setxattr(t, path, name, None, 0, inode)


# -- the *xattrat calls (Linux 6.13): a dirfd, a path and AT_* flags -----------------

XATTR_ARGS_SIZE_VER0 = 16


def _at_path(t, dfd, pathname, at_flags):
    at_flags &= 0xFFFFFFFF
    if at_flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
        raise Errno(EINVAL)
    name = strncpy_from_user(t.mm, pathname, 4096) if pathname else b""
    return path_lookup(t, name, s32(dfd), follow=not at_flags & AT_SYMLINK_NOFOLLOW,
                       empty_ok=bool(at_flags & AT_EMPTY_PATH))


def _xattr_args(t, uargs, usize):
    """struct xattr_args {u64 value; u32 size; u32 flags;}, extensible as
    copy_struct_from_user() allows (E2BIG for non-zero extra bytes)."""
    if usize < XATTR_ARGS_SIZE_VER0 or usize > 4096:
        raise Errno(EINVAL if usize < XATTR_ARGS_SIZE_VER0 else E2BIG)
    raw = copy_from_user(t.mm, uargs, usize)
    if any(raw[XATTR_ARGS_SIZE_VER0:]):
        raise Errno(E2BIG)
    value = int.from_bytes(raw[0:8], "little")
    size = int.from_bytes(raw[8:12], "little")
    flags = int.from_bytes(raw[12:16], "little")
    return value, size, flags


def sys_setxattrat(t, dfd, pathname, at_flags, attr, uargs, usize):
    value, size, flags = _xattr_args(t, uargs, usize)
    name, data, flags = _set_args(t, attr, value, size, flags)
    return vfs_setxattr(t, _at_path(t, dfd, pathname, at_flags), name, data, flags)


def sys_getxattrat(t, dfd, pathname, at_flags, attr, uargs, usize):
    value, size, flags = _xattr_args(t, uargs, usize)
    if flags:
        return -EINVAL
    name = _name(t, attr)
    path = _at_path(t, dfd, pathname, at_flags)
    return _get_out(t, vfs_getxattr(t, path.dentry.inode, name), value, size)


def sys_listxattrat(t, dfd, pathname, at_flags, lst, size):
    path = _at_path(t, dfd, pathname, at_flags)
    return _list_out(t, vfs_listxattr(t, path.dentry.inode), lst, size)


def sys_removexattrat(t, dfd, pathname, at_flags, attr):
    name = _name(t, attr)
    return vfs_setxattr(t, _at_path(t, dfd, pathname, at_flags), name, None, 0)
