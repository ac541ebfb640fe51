"""fs/anon_inodes.py - open files that have no name in any filesystem.

eventfd, epoll and similar objects are files (they have fds, they can be
polled, passed and closed) but live in no directory.  Linux gives them all
one shared inode on an internal filesystem, "anon_inodefs"; a File of one
of them is named "anon_inode:[kind]" in /proc/PID/fd.  The inode has no
file type bits, only rw for its owner, exactly as fstat shows on Linux.
"""

from fs.dcache import Dentry
from fs.file import O_ACCMODE, O_NONBLOCK, File
from fs.inode import Inode, SuperBlock
from fs.mount import Mount, Path

ANON_INODE_FS_MAGIC = 0x09041934

_mnt = None
_inode = None


def _mount():
    global _mnt, _inode
    if _mnt is None:
        sb = SuperBlock("anon_inodefs", magic=ANON_INODE_FS_MAGIC)
        root_inode = Inode(sb, 0o040755)
        sb.root = Dentry(b"/", None, root_inode)
        _mnt = Mount(sb, sb.root, source=b"anon_inodefs")
        _inode = Inode(sb, 0o600)
    return _mnt


def anon_inode_getfile(name, fops, private, flags):
    """A File of the shared anonymous inode, called "anon_inode:name"."""
    mnt = _mount()
    d = Dentry(b"anon_inode:" + name, mnt.root, _inode)
    f = File(Path(mnt, d), flags & (O_ACCMODE | O_NONBLOCK), fops, inode=_inode)
    f.private = private
    f.proc_name = d.name                # what /proc/PID/fd/N reads
    f.nonotify = True                   # no inotify events (FMODE_NONOTIFY)
    return f


def install_new_file(t, f, cloexec):
    """Give a freshly made File the lowest free fd (dropping it on EMFILE)."""
    try:
        return t.files.alloc_fd(t, f, cloexec=bool(cloexec))
    except BaseException:
        f.put()
        raise
