"""security/landlock/syscalls.py - Landlock's three system calls.

landlock_create_ruleset makes a ruleset and gives it an fd
("anon_inode:[landlock-ruleset]", close-on-exec), or with
LANDLOCK_CREATE_RULESET_VERSION answers the ABI version; landlock_add_rule
adds a path-beneath or net-port rule to it; landlock_restrict_self stacks
it on the calling thread's domain (security/landlock/ruleset.py).  The
checks come in Linux's order, so each bad argument gets Linux's errno.
"""

import struct

from kernel.capability import CAP_SYS_ADMIN, capable
from kernel.errno import E2BIG, EBADF, EBADFD, EFAULT, EINVAL, ENOMSG, EPERM, Errno
from kernel.abi import s32
from fs.anon_inodes import ANON_INODE_FS_MAGIC, anon_inode_getfile, install_new_file
from fs.file import FMODE_PATH, FMODE_READ, FMODE_WRITE, O_RDWR, FileOperations, fget
from fs.inode import S_ISDIR
from mm.uaccess import copy_from_user
from security.landlock.ruleset import (ACCESS_FILE, MASK_ACCESS_FS, MASK_ACCESS_NET, MASK_SCOPE,
                                       MAX_NUM_LAYERS, Ruleset, merge_ruleset)

# the ABI of the Linux this kernel says it is (6.13): scopes came with 6
LANDLOCK_ABI_VERSION = 6
LANDLOCK_CREATE_RULESET_VERSION = 1 << 0
LANDLOCK_RULE_PATH_BENEATH, LANDLOCK_RULE_NET_PORT = 1, 2

RULESET_ATTR_SIZE = 24          # handled_access_fs, handled_access_net, scoped
RULESET_ATTR_SIZE_VER0 = 8      # handled_access_fs alone
PAGE_SIZE = 4096


class RulesetOperations(FileOperations):
    """A ruleset fd is only a handle: read and write are EINVAL."""
    splice_read = splice_write = False      # an anonymous inode's: Linux's has neither


ruleset_fops = RulesetOperations()


def _copy_min_struct(t, addr, size, ksize, ksize_min):
    """copy_min_struct_from_user: a NULL pointer is EFAULT, a size below
    the first version EINVAL, above a page E2BIG; fields this kernel does
    not know must be zero (E2BIG); short ones read as zero."""
    if not addr:
        raise Errno(EFAULT)
    if size < ksize_min:
        raise Errno(EINVAL)
    if size > PAGE_SIZE:
        raise Errno(E2BIG)
    raw = copy_from_user(t.mm, addr, size)
    if any(raw[ksize:]):
        raise Errno(E2BIG)
    return raw[:ksize].ljust(ksize, b"\0")


def sys_landlock_create_ruleset(t, attr, size, flags):
    flags &= 0xFFFFFFFF
    if flags:
        if flags == LANDLOCK_CREATE_RULESET_VERSION and not attr and not size:
            return LANDLOCK_ABI_VERSION
        return -EINVAL
    raw = _copy_min_struct(t, attr, size, RULESET_ATTR_SIZE, RULESET_ATTR_SIZE_VER0)
    fs, net, scoped = struct.unpack("<QQQ", raw)
    if fs & ~MASK_ACCESS_FS or net & ~MASK_ACCESS_NET or scoped & ~MASK_SCOPE:
        return -EINVAL
    if not (fs or net or scoped):
        return -ENOMSG                  # a ruleset that restricts nothing
    f = anon_inode_getfile(b"[landlock-ruleset]", ruleset_fops,
                           Ruleset(fs, net, scoped), O_RDWR)
    return install_new_file(t, f, cloexec=True)


def get_ruleset_from_fd(t, fd, mode):
    f = fget(t, s32(fd))
    if f is None or f.mode & FMODE_PATH:
        raise Errno(EBADF)
    if f.f_op is not ruleset_fops:
        raise Errno(EBADFD)
    if not f.mode & mode:
        raise Errno(EPERM)
    return f.private


def _get_path_from_fd(t, fd):
    """The Path a rule hangs on: any fd (O_PATH too) of a real
    filesystem - not a ruleset, nor an internal one (sockets, pipes,
    anonymous inodes)."""
    f = fget(t, fd)
    if f is None:
        raise Errno(EBADF)
    sb = f.path.mnt.sb
    if f.f_op is ruleset_fops or sb.magic == ANON_INODE_FS_MAGIC or sb.fstype in (
            "sockfs", "pipefs"):
        raise Errno(EBADFD)
    return f.path


def _add_rule_path_beneath(t, ruleset, rule_attr):
    raw = copy_from_user(t.mm, rule_attr, 12)   # packed: u64 allowed_access, s32 parent_fd
    allowed, parent_fd = struct.unpack("<Qi", raw)
    if not allowed:
        return -ENOMSG                  # a rule granting nothing means nothing
    if allowed & ~ruleset.handled_fs:
        return -EINVAL
    path = _get_path_from_fd(t, parent_fd)
    if not S_ISDIR(path.dentry.inode.mode) and allowed & ~ACCESS_FILE:
        return -EINVAL                  # a file takes only rights on files
    ruleset.add_fs_rule(path.dentry.inode, allowed)
    return 0


def _add_rule_net_port(t, ruleset, rule_attr):
    allowed, port = struct.unpack("<QQ", copy_from_user(t.mm, rule_attr, 16))
    if not allowed:
        return -ENOMSG
    if allowed & ~ruleset.handled_net:
        return -EINVAL
    if port > 0xFFFF:
        return -EINVAL
    ruleset.add_net_rule(port, allowed)
    return 0


def sys_landlock_add_rule(t, ruleset_fd, rule_type, rule_attr, flags):
    if flags & 0xFFFFFFFF:
        return -EINVAL
    ruleset = get_ruleset_from_fd(t, ruleset_fd, FMODE_WRITE)
    rule_type = s32(rule_type)
    if rule_type == LANDLOCK_RULE_PATH_BENEATH:
        return _add_rule_path_beneath(t, ruleset, rule_attr)
    if rule_type == LANDLOCK_RULE_NET_PORT:
        return _add_rule_net_port(t, ruleset, rule_attr)
    return -EINVAL


def sys_landlock_restrict_self(t, ruleset_fd, flags):
    if flags & 0xFFFFFFFF:
        return -EINVAL
    # as for seccomp filters: no_new_privs, or the privilege to do without
    if not t.no_new_privs and not capable(t, CAP_SYS_ADMIN):
        return -EPERM
    ruleset = get_ruleset_from_fd(t, ruleset_fd, FMODE_READ)
    domain = t.cred.landlock
    if domain is not None and len(domain) >= MAX_NUM_LAYERS:
        return -E2BIG
    cred = t.cred.copy()                # this thread's alone from now on
    cred.landlock = merge_ruleset(domain, ruleset)
    t.cred = cred
    return 0
