"""kernel/uid16.py - the 16-bit uid/gid system calls of i386.

i386 kept its original calls with 16-bit ids (getuid, setuid, chown, ...
numbers below 200) when Linux went to 32-bit ids with new ones (getuid32 and
friends).  The old ones take and return old_uid_t, an unsigned 16-bit
value: -1 ("leave unchanged") is 0xffff, and an id that does not fit comes
back as the overflow id 65534, as Linux's high2lowuid does.

Each is the 32-bit call with its arguments widened and its results
narrowed; arch/x86 maps the i386 names to these (SYSCALL_OVERRIDES).
"""

import struct

from kernel.errno import EINVAL, ENOSYS, EPERM
from mm.uaccess import copy_from_user, copy_to_user
from kernel.syscall import syscall_handler
from kernel.sys import gid_vnr, kgid_of, may_setgroups, uid_vnr

OVERFLOWUID = OVERFLOWGID = 65534


def low2highuid(v):
    v &= 0xFFFF
    return 0xFFFFFFFF if v == 0xFFFF else v


low2highgid = low2highuid


def high2lowuid(v):
    return OVERFLOWUID if v & ~0xFFFF else v


high2lowgid = high2lowuid


def _call(name, *args):
    """The 32-bit handler (they live in other modules and are found the way
    the dispatcher finds them)."""
    fn = syscall_handler(name)
    if fn is None:
        return -ENOSYS
    return fn(*args)


def sys_getuid16(t):
    return high2lowuid(uid_vnr(t, t.cred.uid))


def sys_geteuid16(t):
    return high2lowuid(uid_vnr(t, t.cred.euid))


def sys_getgid16(t):
    return high2lowgid(gid_vnr(t, t.cred.gid))


def sys_getegid16(t):
    return high2lowgid(gid_vnr(t, t.cred.egid))


def sys_setuid16(t, uid):
    return _call("setuid", t, low2highuid(uid))


def sys_setgid16(t, gid):
    return _call("setgid", t, low2highgid(gid))


def sys_setreuid16(t, ruid, euid):
    return _call("setreuid", t, low2highuid(ruid), low2highuid(euid))


def sys_setregid16(t, rgid, egid):
    return _call("setregid", t, low2highgid(rgid), low2highgid(egid))


def sys_setresuid16(t, ruid, euid, suid):
    return _call("setresuid", t, low2highuid(ruid), low2highuid(euid), low2highuid(suid))


def sys_setresgid16(t, rgid, egid, sgid):
    return _call("setresgid", t, low2highgid(rgid), low2highgid(egid), low2highgid(sgid))


def _put_ids16(t, addrs, ids):
    for addr, v in zip(addrs, ids):
        copy_to_user(t.mm, addr, struct.pack("<H", high2lowuid(v)))
    return 0


def sys_getresuid16(t, r, e, s):
    c = t.cred
    return _put_ids16(t, (r, e, s), (uid_vnr(t, c.uid), uid_vnr(t, c.euid), uid_vnr(t, c.suid)))


def sys_getresgid16(t, r, e, s):
    c = t.cred
    return _put_ids16(t, (r, e, s), (gid_vnr(t, c.gid), gid_vnr(t, c.egid), gid_vnr(t, c.sgid)))


def sys_setfsuid16(t, uid):
    return _call("setfsuid", t, low2highuid(uid))


def sys_setfsgid16(t, gid):
    return _call("setfsgid", t, low2highgid(gid))


def sys_getgroups16(t, size, addr):
    size &= 0xFFFFFFFF
    if size & 0x80000000:
        return -EINVAL
    groups = t.cred.groups
    if size == 0:
        return len(groups)
    if size < len(groups):
        return -EINVAL
    copy_to_user(t.mm, addr, struct.pack("<%dH" % len(groups),
                                         *[high2lowgid(gid_vnr(t, g)) for g in groups]))
    return len(groups)


def sys_setgroups16(t, size, addr):
    size &= 0xFFFFFFFF
    if not may_setgroups(t):
        return -EPERM
    if size > 65536:
        return -EINVAL
    raw = copy_from_user(t.mm, addr, 2 * size) if size else b""
    t.cred.groups = tuple(kgid_of(t, low2highgid(g)) for g in struct.unpack("<%dH" % size, raw))
    return 0


def sys_chown16(t, filename, user, group):
    return _call("chown", t, filename, low2highuid(user), low2highgid(group))


def sys_lchown16(t, filename, user, group):
    return _call("lchown", t, filename, low2highuid(user), low2highgid(group))


def sys_fchown16(t, fd, user, group):
    return _call("fchown", t, fd, low2highuid(user), low2highgid(group))
