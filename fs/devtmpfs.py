"""fs/devtmpfs.py - devtmpfs: the kernel's own /dev.

One tmpfs instance that the kernel fills with a node for every device it
has (null, zero, full, random, urandom, tty, console, and what drivers add
with devtmpfs_create_node); every mount of devtmpfs shows that same
instance, as on Linux.  The guest may add and remove nodes like in any
tmpfs.  When the root is a host directory (hostfs), it is mounted on /dev
at boot (CONFIG_DEVTMPFS_MOUNT), so host device nodes are never used.
"""

from fs.dcache import d_add, d_drop
from fs.inode import S_IFCHR, S_IFDIR, S_ISDIR, mkdev
from fs.tmpfs import make_tmpfs
from fs.mount import Mount, attach_mount
from fs.namei import lookup_child
from kernel.task import Cred

# name, mode, (major, minor)
DEVICES = [
    (b"null", 0o666, (1, 3)),
    (b"zero", 0o666, (1, 5)),
    (b"full", 0o666, (1, 7)),
    (b"random", 0o666, (1, 8)),
    (b"urandom", 0o666, (1, 9)),
    (b"kmsg", 0o644, (1, 11)),
    (b"tty", 0o666, (5, 0)),
    (b"console", 0o600, (5, 1)),
]
LINKS = [(b"fd", b"/proc/self/fd"), (b"stdin", b"/proc/self/fd/0"),
         (b"stdout", b"/proc/self/fd/1"), (b"stderr", b"/proc/self/fd/2")]
DIRS = [b"pts", b"shm"]

_sb = None
_extra = []


def _root_cred():
    return Cred()


def _add_node(name, mode, major, minor, kind=S_IFCHR):
    """A node at name, which may be in a directory (net/tun): the
    directories are made as needed, as a device's nodename makes them."""
    parent = _sb.root
    *dirs, name = name.split(b"/")
    for d in dirs:
        if d not in parent.children:
            inode = parent.inode.mkdir(d, 0o755, _root_cred())
            inode.mode = S_IFDIR | 0o755
            d_add(parent, d, inode)
        parent = parent.children[d]
    if name in parent.children:
        return
    inode = parent.inode.create(name, kind | mode, _root_cred(), mkdev(major, minor))
    inode.mode = kind | mode
    d_add(parent, name, inode)


def devtmpfs_create_node(name, mode, major, minor, kind=S_IFCHR):
    """A driver's device appears in /dev (now, or when devtmpfs is made);
    kind is S_IFCHR or S_IFBLK (a disk: block/genhd.py); name may have a
    directory (net/tun)."""
    _extra.append((name, mode, (major, minor), kind))
    if _sb is not None:
        _add_node(name, mode, major, minor, kind)


def devtmpfs_delete_node(name):
    """A device went away (a loop device removed): so does its node."""
    _extra[:] = [e for e in _extra if e[0] != name]
    if _sb is None:
        return
    root = _sb.root
    d = root.children.get(name)
    inode = root.inode.lookup(name)
    if inode is not None:
        try:
            root.inode.unlink(name, inode)
        except Exception:
            pass
    if d is not None:
        d_drop(d)


def devtmpfs_sb():
    global _sb
    if _sb is None:
        _sb = make_tmpfs(mode=0o755, fstype="devtmpfs")
        root = _sb.root
        cred = _root_cred()
        for name, mode, (major, minor) in DEVICES:
            _add_node(name, mode, major, minor)
        for name, mode, (major, minor), kind in _extra:
            _add_node(name, mode, major, minor, kind)
        for name in DIRS:
            inode = root.inode.mkdir(name, 0o755 if name == b"pts" else 0o1777, cred)
            inode.mode = S_IFDIR | (0o755 if name == b"pts" else 0o1777)
            d_add(root, name, inode)
        for name, target in LINKS:
            d_add(root, name, root.inode.symlink(name, target, cred))
    return _sb


def devtmpfs_mount_on_dev(root_path):
    """Mount devtmpfs on root_path/dev if that is a directory."""
    try:
        dev = lookup_child(root_path, b"dev")
    except Exception:
        return False
    if dev is None or not S_ISDIR(dev.dentry.inode.mode):
        return False
    sb = devtmpfs_sb()
    attach_mount(Mount(sb, sb.root, source=b"devtmpfs"), dev)
    return True
