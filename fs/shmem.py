"""fs/shmem.py - shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS).

Linux backs it with an unlinked file on an internal tmpfs ("/dev/zero
(deleted)" in /proc/PID/maps); so do we.  The pages live in that inode's
page cache, so every process that inherits the mapping across fork maps the
very same frames.
"""

from fs.dcache import Dentry
from fs.file import O_RDWR, File
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


def shmem_file_setup(size, name=b"/dev/zero"):
    mnt = _mount()
    inode = TmpfsInode(mnt.sb, S_IFREG | 0o600)
    inode.size = size
    inode.nlink = 0                         # unlinked: freed with its last user
    d = Dentry(name, mnt.root, inode)
    d.unhashed = True
    return File(Path(mnt, d), O_RDWR, generic_file_fops)
