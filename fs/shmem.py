"""fs/shmem.py - shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS) and
the files behind memfd_create(2).

Linux backs both with an unlinked file on an internal tmpfs ("/dev/zero
(deleted)" or "/memfd:NAME (deleted)" in /proc/PID/maps); so do we.  The
pages live in that inode's page cache, so every process that inherits the
mapping (or the descriptor) across fork maps the very same frames.
"""

from fs.dcache import Dentry
from fs.file import O_LARGEFILE, O_RDWR, File
from fs.inode import S_IFREG
from fs.mount import Mount, Path
from fs.read_write import generic_file_fops
from fs.tmpfs import TmpfsInode, make_tmpfs

_shm_mnt = None


def _mount():
    global _shm_mnt
    if _shm_mnt is None:
        sb = make_tmpfs(max_pages=None)
        _shm_mnt = Mount(sb, sb.root, source=b"shm")
    return _shm_mnt


def shmem_file_setup(size, name=b"/dev/zero", mode=0o600, cred=None):
    """An open, unlinked tmpfs file of size bytes called name (the file's
    name is what /proc shows, with " (deleted)" after it)."""
    mnt = _mount()
    uid, gid = (cred.fsuid, cred.fsgid) if cred is not None else (0, 0)
    inode = TmpfsInode(mnt.sb, S_IFREG | mode, uid, gid)
    inode.size = size
    inode.nlink = 0                         # unlinked: freed with its last user
    d = Dentry(name, mnt.root, inode)
    d.unhashed = True
    f = File(Path(mnt, d), O_RDWR | O_LARGEFILE, generic_file_fops, pseudo=True)
    f.nonotify = True                       # a pseudo file: no inotify events on reads/writes
    return f
