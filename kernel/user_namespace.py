"""kernel/user_namespace.py - user namespaces (Linux's
kernel/user_namespace.c).

Credentials hold kernel ids (kuids, kgids: the initial namespace's ids);
a user namespace maps ranges of its own ids onto its parent's
(/proc/PID/uid_map, gid_map: "first lower count" lines, written once),
and the system calls translate at the boundary: an id a namespace does
not map reads as the overflow id 65534 and cannot be set (EINVAL).

Anyone may make one (clone, unshare CLONE_NEWUSER): its creator gets
every capability in it, none outside (kernel/capability.py ns_capable),
and the creator's euid owns it - a task in the parent namespace with that
euid has every capability in it too.  The other namespaces a task makes
belong to its user namespace (NsCommon.user_ns): privilege over them is
privilege in that user namespace.  An unprivileged writer of a map may
map only its own euid (egid, with setgroups denied first:
/proc/PID/setgroups), with a count of 1.
"""

from kernel.errno import EINVAL, EPERM, EUSERS, Errno
from kernel.ns_common import NsCommon
from kernel.capability import (CAP_FOWNER, CAP_FULL_SET, CAP_SETGID, CAP_SETUID, CAP_SYS_ADMIN,
                               ns_capable)

CLONE_NEWUSER = 0x10000000
OVERFLOW_ID = 65534
MAX_DEPTH = 32                  # nesting limit (EUSERS)
MAX_EXTENTS = 340               # lines of a map
U32_MAX = 0xFFFFFFFF


class UserNamespace(NsCommon):
    def __init__(self, parent, owner, group, inum=None):
        super().__init__(b"user", CLONE_NEWUSER, parent, inum)
        self.parent = parent            # the namespace it was made in (None: initial)
        self.level = 0 if parent is None else parent.level + 1
        self.owner = owner              # the kuid and kgid of its creator
        self.group = group
        self.uid_map = []               # [(first, lower kuid, count)]
        self.gid_map = []
        self.setgroups_allowed = True if parent is None else parent.setgroups_allowed


init_user_ns = UserNamespace(None, 0, 0, inum=0xEFFFFFFD)
init_user_ns.uid_map = [(0, 0, U32_MAX)]
init_user_ns.gid_map = [(0, 0, U32_MAX)]


def _down(m, id):
    """The kernel id that ns id maps to, or None."""
    for first, lower, count in m:
        if first <= id < first + count:
            return lower + id - first
    return None


def _up(m, kid):
    for first, lower, count in m:
        if lower <= kid < lower + count:
            return first + kid - lower
    return None


def make_kuid(ns, uid):
    return _down(ns.uid_map, uid)


def make_kgid(ns, gid):
    return _down(ns.gid_map, gid)


def from_kuid(ns, kuid):
    """ns's id for kuid (None: not mapped)."""
    return _up(ns.uid_map, kuid)


def from_kgid(ns, kgid):
    return _up(ns.gid_map, kgid)


def from_kuid_munged(ns, kuid):
    v = from_kuid(ns, kuid)
    return OVERFLOW_ID if v is None else v


def from_kgid_munged(ns, kgid):
    v = from_kgid(ns, kgid)
    return OVERFLOW_ID if v is None else v


def in_userns(ancestor, ns):
    """Is ns ancestor itself or one of its descendants?"""
    while ns is not None:
        if ns is ancestor:
            return True
        ns = ns.parent
    return False


def set_cred_user_ns(cred, ns):
    """cred enters ns with every capability in it."""
    cred.user_ns = ns
    cred.securebits = 0
    cred.cap_inheritable = cred.cap_ambient = 0
    cred.cap_permitted = cred.cap_effective = cred.cap_bset = CAP_FULL_SET


def create_user_ns(cred):
    """Give cred (a copy the caller owns) a new user namespace, child of
    its own (clone and unshare with CLONE_NEWUSER)."""
    parent = cred.user_ns
    if parent.level + 1 > MAX_DEPTH:
        raise Errno(EUSERS)
    if from_kuid(parent, cred.euid) is None or from_kgid(parent, cred.egid) is None:
        raise Errno(EPERM)
    set_cred_user_ns(cred, UserNamespace(parent, cred.euid, cred.egid))


# -- /proc/PID/uid_map, gid_map, setgroups --------------------------------------------

def proc_show_map(ns, reader_ns, which):
    m = ns.uid_map if which == "uid" else ns.gid_map
    lower_ns = ns.parent if reader_ns is ns and ns.parent is not None else reader_ns
    up = from_kuid if which == "uid" else from_kgid
    out = ""
    for first, lower, count in m:
        shown = up(lower_ns, lower)
        out += "%10u %10u %10u\n" % (first, OVERFLOW_ID if shown is None else shown, count)
    return out


def _parse_map(data):
    extents = []
    text = bytes(data)
    if text.endswith(b"\n"):
        text = text[:-1]
    for line in text.split(b"\n"):
        words = line.split()
        if len(words) != 3:
            raise Errno(EINVAL)
        try:
            first, lower, count = (int(w) for w in words)
        except ValueError:
            raise Errno(EINVAL)
        if not (0 <= first <= U32_MAX and 0 <= lower <= U32_MAX and 0 < count <= U32_MAX):
            raise Errno(EINVAL)
        if first + count - 1 > U32_MAX or lower + count - 1 > U32_MAX:
            raise Errno(EINVAL)
        for f, lo, c in extents:            # no two may overlap, either side
            if first < f + c and f < first + count or lower < lo + c and lo < lower + count:
                raise Errno(EINVAL)
        extents.append((first, lower, count))
        if len(extents) > MAX_EXTENTS:
            raise Errno(EINVAL)
    return extents


def proc_write_map(cred, ns, which, data):
    """A write of ns's uid_map or gid_map by a task with credentials cred."""
    if len(data) >= 4096:
        raise Errno(EINVAL)
    cap = CAP_SETUID if which == "uid" else CAP_SETGID
    m = ns.uid_map if which == "uid" else ns.gid_map
    if cred.user_ns is not ns and cred.user_ns is not ns.parent:
        raise Errno(EPERM)
    if m:
        raise Errno(EPERM)                  # one write only
    if not ns_capable(cred, ns, CAP_SYS_ADMIN):
        raise Errno(EPERM)
    extents = _parse_map(data)
    if not extents:
        raise Errno(EINVAL)
    down = make_kuid if which == "uid" else make_kgid
    kernel = []
    for first, lower, count in extents:     # the lower ids are the parent's
        lo = down(ns.parent, lower)
        if lo is None or down(ns.parent, lower + count - 1) != lo + count - 1:
            raise Errno(EPERM)
        kernel.append((first, lo, count))
    if not _idmap_permitted(cred, ns, cap, kernel):
        raise Errno(EPERM)
    if which == "uid":
        ns.uid_map = kernel
    else:
        ns.gid_map = kernel


def _idmap_permitted(cred, ns, cap, extents):
    if len(extents) == 1 and extents[0][2] == 1 and ns.owner == cred.euid:
        if cap == CAP_SETUID and extents[0][1] == cred.euid:
            return True
        if cap == CAP_SETGID and extents[0][1] == cred.egid and not ns.setgroups_allowed:
            return True
    return ns_capable(cred, ns.parent, cap)


def proc_show_setgroups(ns):
    return "allow\n" if ns.setgroups_allowed else "deny\n"


def proc_write_setgroups(cred, ns, data):
    word = bytes(data).strip()
    if word not in (b"allow", b"deny"):
        raise Errno(EINVAL)
    if not ns_capable(cred, ns, CAP_SYS_ADMIN):
        raise Errno(EPERM)
    if word == b"allow":
        if not ns.setgroups_allowed:
            raise Errno(EPERM)              # once denied, for good
    else:
        if ns.gid_map:
            raise Errno(EPERM)              # too late: the gid map is written
        ns.setgroups_allowed = False


def userns_may_setgroups(ns):
    return bool(ns.gid_map) and ns.setgroups_allowed


def capable_wrt_inode_uidgid(cred, inode, cap):
    """cap over an inode (Linux's capable_wrt_inode_uidgid): held in the
    caller's user namespace, which maps the inode's owner and group."""
    ns = cred.user_ns
    return (ns_capable(cred, ns, cap) and from_kuid(ns, inode.uid) is not None
            and from_kgid(ns, inode.gid) is not None)


def inode_owner_or_capable(cred, inode):
    """May cred act as inode's owner (chattr, utimes, xattrs...)?  Its
    owner by fsuid, or CAP_FOWNER over it."""
    return cred.fsuid == inode.uid or capable_wrt_inode_uidgid(cred, inode, CAP_FOWNER)
