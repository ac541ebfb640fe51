"""fs/nsfs.py - namespace files: what /proc/PID/ns/* lead to (Linux's
fs/nsfs.c).

pyuml has one namespace of each kind, the initial one, shared by every
task (there are no CLONE_NEW* namespaces: kernel/fork.py).  Each is an
inode of the internal "nsfs" filesystem, numbered as Linux numbers the
initial namespaces; /proc/PID/ns/NAME is a magic link to it ("ipc:[N]"),
and an open one is what setns(2) (kernel/nsproxy.py) takes.  The ioctls
answer as Linux does for initial namespaces: NS_GET_NSTYPE, NS_GET_USERNS
(a new fd of the user namespace; EPERM for the user namespace itself),
NS_GET_PARENT (EPERM: none), NS_GET_OWNER_UID.
"""

from kernel.errno import EINVAL, ENOTTY, EPERM, Errno
from fs.dcache import Dentry
from fs.file import File, FileOperations, O_RDONLY
from fs.inode import S_IFREG, Inode, SuperBlock
from fs.mount import Mount, Path
from fs.anon_inodes import install_new_file
from fs.proc.inode import ProcLink
from mm.uaccess import put_user_u32

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

# /proc/PID/ns entry -> (kind, CLONE_NEW* flag, inode number of the initial one)
NAMESPACES = {
    b"cgroup": (b"cgroup", CLONE_NEWCGROUP, 0xEFFFFFFB),
    b"ipc": (b"ipc", CLONE_NEWIPC, 0xEFFFFFFF),
    b"mnt": (b"mnt", CLONE_NEWNS, 0xF0000001),
    b"net": (b"net", CLONE_NEWNET, 0xF0000000),
    b"pid": (b"pid", CLONE_NEWPID, 0xEFFFFFFC),
    b"pid_for_children": (b"pid", CLONE_NEWPID, 0xEFFFFFFC),
    b"time": (b"time", CLONE_NEWTIME, 0xEFFFFFFA),
    b"time_for_children": (b"time", CLONE_NEWTIME, 0xEFFFFFFA),
    b"user": (b"user", CLONE_NEWUSER, 0xEFFFFFFD),
    b"uts": (b"uts", CLONE_NEWUTS, 0xEFFFFFFE),
}
ALL_FLAGS = 0
for _k, _f, _i in NAMESPACES.values():
    ALL_FLAGS |= _f


class NsInode(Inode):
    def __init__(self, sb, kind, flag, ino):
        super().__init__(sb, S_IFREG | 0o444, ino=ino)
        self.kind = kind
        self.nstype = flag
        self.i_fop = ns_file_operations

    @property
    def name(self):
        return b"%s:[%d]" % (self.kind, self.ino)


class NsFileOperations(FileOperations):
    def open(self, f, t):
        f.proc_name = f.inode.name

    def read(self, f, t, count):
        raise Errno(EINVAL)

    def ioctl(self, f, t, cmd, arg):
        ns = f.inode
        cmd &= 0xFFFFFFFF
        if cmd == NS_GET_NSTYPE:
            return ns.nstype
        if cmd == NS_GET_USERNS:
            if ns.nstype == CLONE_NEWUSER:
                return -EPERM           # the initial user namespace has no owner
            return open_related_ns(t, b"user")
        if cmd == NS_GET_PARENT:
            if ns.nstype not in (CLONE_NEWUSER, CLONE_NEWPID):
                return -EINVAL
            return -EPERM               # initial namespaces have no parent
        if cmd == NS_GET_MNTNS_ID:
            if ns.nstype != CLONE_NEWNS:
                return -EINVAL
            from fs.statmount import MNT_NS_ID
            from mm.uaccess import copy_to_user
            copy_to_user(t.mm, arg, MNT_NS_ID.to_bytes(8, "little"))
            return 0
        if cmd == NS_GET_OWNER_UID:
            if ns.nstype != CLONE_NEWUSER:
                return -EINVAL
            put_user_u32(t.mm, arg, 0)
            return 0
        return -ENOTTY


ns_file_operations = NsFileOperations()

_mnt = None
_paths = {}


def ns_path(entry):
    """The nsfs Path /proc/PID/ns/entry leads to."""
    global _mnt
    if _mnt is None:
        sb = SuperBlock("nsfs", magic=NSFS_MAGIC)
        sb.root = Dentry(b"/", None, Inode(sb, 0o040555))
        _mnt = Mount(sb, sb.root, source=b"nsfs")
    kind, flag, ino = NAMESPACES[entry]
    p = _paths.get(kind)
    if p is None:
        inode = NsInode(_mnt.sb, kind, flag, ino)
        p = _paths[kind] = Path(_mnt, Dentry(inode.name, _mnt.root, inode))
    return p


def open_related_ns(t, entry):
    f = File(ns_path(entry), O_RDONLY, ns_file_operations)
    f.proc_name = f.inode.name
    return install_new_file(t, f, True)


def proc_ns_entries(sb, tid, own):
    """The entries of /proc/PID/ns: magic links, each to its namespace."""

    def link(entry):
        return lambda: own(ProcLink(sb, ("ns", entry, tid), lambda: ns_path(entry).dentry.name,
                                    lambda: ns_path(entry)), tid)
    return {entry: link(entry) for entry in NAMESPACES}
