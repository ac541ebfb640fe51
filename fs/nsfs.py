"""fs/nsfs.py - namespace files: what /proc/PID/ns/* lead to (Linux's
fs/nsfs.c).

Each namespace (kernel/ns_common.py) is an inode of the internal "nsfs"
filesystem, numbered by the namespace; /proc/PID/ns/NAME is a magic link
to the one the task is in ("uts:[N]"), and an open one is what setns(2)
(kernel/nsproxy.py) takes.  The ioctls: NS_GET_NSTYPE, NS_GET_USERNS (a
new fd of the owning user namespace, a user namespace's parent; EPERM if
there is none or it is not the caller's or below it), NS_GET_PARENT (a
user namespace's parent, likewise; EPERM for the initial PID namespace,
the only one; EINVAL for other kinds), NS_GET_OWNER_UID (a user
namespace's creator, as the caller names uids).
"""

from kernel.errno import EINVAL, ENOTTY, EPERM, ESRCH, Errno
from kernel.task import find_task
from kernel.user_namespace import from_kuid_munged, in_userns
from fs.dcache import Dentry
from fs.file import File, FileOperations, O_RDONLY
from fs.inode import S_IFREG, Inode, SuperBlock
from fs.mount import Mount, Path
from fs.anon_inodes import install_new_file
from fs.proc.inode import ProcLink
from mm.uaccess import copy_to_user, put_user_u32

NSFS_MAGIC = 0x6E736673

CLONE_NEWTIME = 0x00000080
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

NS_GET_USERNS, NS_GET_PARENT, NS_GET_NSTYPE, NS_GET_OWNER_UID = 0xB701, 0xB702, 0xB703, 0xB704
NS_GET_MNTNS_ID = 0x8008B705        # _IOR(0xb7, 5, __u64): the mount namespace's id

# /proc/PID/ns entry -> the namespace of a task it names
NAMESPACES = {
    b"cgroup": lambda t: t.nsproxy.cgroup_ns,
    b"ipc": lambda t: t.nsproxy.ipc_ns,
    b"mnt": lambda t: t.nsproxy.mnt_ns,
    b"net": lambda t: t.nsproxy.net_ns,
    b"pid": lambda t: t.nsproxy.pid_ns_for_children,      # no PID namespaces: the same
    b"pid_for_children": lambda t: t.nsproxy.pid_ns_for_children,
    b"time": lambda t: t.nsproxy.time_ns,
    b"time_for_children": lambda t: t.nsproxy.time_ns_for_children,
    b"user": lambda t: t.cred.user_ns,
    b"uts": lambda t: t.nsproxy.uts_ns,
}
ALL_FLAGS = (CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID
             | CLONE_NEWTIME | CLONE_NEWUSER | CLONE_NEWUTS)


def ns_name(ns):
    return b"%s:[%d]" % (ns.kind, ns.inum)


class NsInode(Inode):
    def __init__(self, sb, ns):
        super().__init__(sb, S_IFREG | 0o444, ino=ns.inum)
        self.ns = ns
        self.i_fop = ns_file_operations


class NsFileOperations(FileOperations):
    def open(self, f, t):
        f.proc_name = ns_name(f.inode.ns)

    def read(self, f, t, count):
        raise Errno(EINVAL)

    def ioctl(self, f, t, cmd, arg):
        ns = f.inode.ns
        cmd &= 0xFFFFFFFF
        if cmd == NS_GET_NSTYPE:
            return ns.nstype
        if cmd == NS_GET_USERNS:
            return _open_visible(t, ns.user_ns)
        if cmd == NS_GET_PARENT:
            if ns.nstype == CLONE_NEWUSER:
                return _open_visible(t, ns.parent)
            if ns.nstype != CLONE_NEWPID:
                return -EINVAL
            return -EPERM               # the initial PID namespace has no parent
        if cmd == NS_GET_MNTNS_ID:
            if ns.nstype != CLONE_NEWNS:
                return -EINVAL
            # cycle: fs.nsfs -> fs.statmount -> fs.namespace -> fs.proc.root -> fs.proc.base -> fs.nsfs
            from fs.statmount import MNT_NS_ID
            copy_to_user(t.mm, arg, MNT_NS_ID.to_bytes(8, "little"))
            return 0
        if cmd == NS_GET_OWNER_UID:
            if ns.nstype != CLONE_NEWUSER:
                return -EINVAL
            put_user_u32(t.mm, arg, from_kuid_munged(t.cred.user_ns, ns.owner))
            return 0
        return -ENOTTY


ns_file_operations = NsFileOperations()

_mnt = None


def ns_path(ns):
    """The nsfs Path of namespace ns (made at the first open, then kept)."""
    global _mnt
    if _mnt is None:
        sb = SuperBlock("nsfs", magic=NSFS_MAGIC)
        sb.root = Dentry(b"/", None, Inode(sb, 0o040555))
        _mnt = Mount(sb, sb.root, source=b"nsfs")
    if ns.stashed is None:
        inode = NsInode(_mnt.sb, ns)
        ns.stashed = Path(_mnt, Dentry(ns_name(ns), _mnt.root, inode))
    return ns.stashed


def _open_visible(t, user_ns):
    """A new fd of user_ns - if the caller's user namespace is it or above
    it (EPERM: none, or out of the caller's sight)."""
    if user_ns is None or not in_userns(t.cred.user_ns, user_ns):
        return -EPERM
    return open_related_ns(t, user_ns)


def open_related_ns(t, ns):
    f = File(ns_path(ns), O_RDONLY, ns_file_operations)
    f.proc_name = ns_name(ns)
    return install_new_file(t, f, True)


def proc_ns_entries(sb, tid, own):
    """The entries of /proc/PID/ns: magic links, each to its namespace."""

    def ns_of(entry):
        t = find_task(tid)
        if t is None:
            raise Errno(ESRCH)
        return NAMESPACES[entry](t)

    def link(entry):
        return lambda: own(ProcLink(sb, ("ns", entry, tid), lambda: ns_name(ns_of(entry)),
                                    lambda: ns_path(ns_of(entry))), tid)
    return {entry: link(entry) for entry in NAMESPACES}
