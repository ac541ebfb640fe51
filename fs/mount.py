"""fs/mount.py - struct vfsmount: filesystems attached to the tree.

A Mount puts a superblock's root dentry on top of a dentry (the mount point)
of its parent mount.  A place in the tree is therefore a Path: a mount and a
dentry inside it; the path walk steps into a mount when it reaches its mount
point and back out when ".." leaves its root.
"""

import itertools

from kernel.errno import EBUSY, EINVAL, Errno
from kernel.sched import WaitQueue

_ids = itertools.count(1)


class Path:
    __slots__ = ("mnt", "dentry")

    def __init__(self, mnt, dentry):
        self.mnt = mnt
        self.dentry = dentry

    @property
    def inode(self):
        return self.dentry.inode

    def __eq__(self, other):
        return isinstance(other, Path) and self.mnt is other.mnt and self.dentry is other.dentry

    def __hash__(self):
        return hash((id(self.mnt), id(self.dentry)))

    def __repr__(self):
        return "<Path %s>" % d_path(self).decode(errors="replace")


class Mount:
    noexec = False                      # MS_NOEXEC (also in flags)
    options = b""                       # its mount options for /proc/mounts
    detached = False                    # fsmount/open_tree(OPEN_TREE_CLONE): in no namespace yet
    tree = None                         # a detached tree's root: its mounts, root first

    def __init__(self, sb, root, parent=None, mountpoint=None, flags=0, source=b"none"):
        self.id = next(_ids)
        self.sb = sb
        self.root = root                    # root dentry of this mount
        self.parent = parent if parent is not None else self
        self.mountpoint = mountpoint if mountpoint is not None else root
        self.flags = flags
        self.source = source
        self.read_only = sb.read_only
        self.expiry_mark = False            # umount2(MNT_EXPIRE) asked once, unused since
        # shared subtrees (fs/pnode.py): peer group, the group it is a slave of
        self.group = 0
        self.master = 0
        self.unbindable = False

    def __repr__(self):
        return "<Mount %d %s>" % (self.id, self.sb.fstype)


class MntNamespace:
    """The mount namespace's change count and the queue its /proc/PID/mounts
    pollers wait on (Linux's mnt_namespace event and poll)."""
    __slots__ = ("event", "poll")

    def __init__(self):
        self.event = 0
        self.poll = WaitQueue()


mnt_ns = MntNamespace()


def touch_mnt_namespace():
    """A mount was attached, detached, moved or changed its flags."""
    mnt_ns.event += 1
    mnt_ns.poll.wake_up()


mount_table = {}            # (parent Mount, mountpoint Dentry) -> Mount
all_mounts = []             # in mount order, for /proc/mounts
root_mount = None


def lookup_mnt(path):
    return mount_table.get((path.mnt, path.dentry))


def follow_mount(path):
    while True:
        m = lookup_mnt(path)
        if m is None:
            return path
        m.expiry_mark = False
        path = Path(m, m.root)


def attach_mount(mnt, where):
    """Mount mnt on the Path where."""
    mnt.parent = where.mnt
    mnt.mountpoint = where.dentry
    old = lookup_mnt(where)
    if old is not None:
        # stacking: the new mount goes on top of the old one's root
        where = follow_mount(where)
        mnt.parent = where.mnt
        mnt.mountpoint = where.dentry
    mount_table[(mnt.parent, mnt.mountpoint)] = mnt
    all_mounts.append(mnt)
    touch_mnt_namespace()


def clone_mnt(m, dentry):
    """A new mount of m's filesystem at dentry, with m's mount flags (a bind
    mount, a copy open_tree or propagation makes)."""
    c = Mount(m.sb, dentry, source=m.source)
    c.flags = m.flags
    c.read_only = m.read_only
    c.noexec = m.noexec
    c.options = m.options
    return c


def set_root_mount(mnt):
    global root_mount
    root_mount = mnt
    all_mounts.insert(0, mnt)


def detach_mount(mnt):
    if mnt is root_mount:
        raise Errno(EINVAL)
    for child in all_mounts:
        if child is not mnt and child.parent is mnt:
            raise Errno(EBUSY)
    del mount_table[(mnt.parent, mnt.mountpoint)]
    all_mounts.remove(mnt)
    touch_mnt_namespace()


def d_path(path, root=None):
    """The absolute name of a Path, as seen from root (a Path)."""
    parts = []
    mnt, d = path.mnt, path.dentry
    deleted = d.unhashed
    while True:
        if root is not None and mnt is root.mnt and d is root.dentry:
            break
        if d is mnt.root:
            if mnt.parent is mnt:
                break
            d = mnt.mountpoint
            mnt = mnt.parent
            continue
        parts.append(d.name)
        d = d.parent
    name = b"/" + b"/".join(reversed(parts))
    if deleted:
        name += b" (deleted)"
    return name
