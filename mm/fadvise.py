"""mm/fadvise.py - posix_fadvise (fadvise64) and readahead(2).

Both are hints about how a file will be read.  Every filesystem here keeps
its data in memory already (tmpfs) or reads a page when it is needed
(hostfs), like a Linux filesystem without a backing device: the advice is
checked as Linux checks it and then has nothing to do.

i386 passes the 64-bit offset and length in register pairs; arch/x86/
sys_ia32.py joins them and calls these.
"""

from kernel.abi import s32, s64
from kernel.errno import EBADF, EINVAL, ESPIPE
from fs.file import FMODE_PATH, FMODE_READ, fget
from fs.inode import S_ISBLK, S_ISFIFO, S_ISREG

POSIX_FADV_NORMAL, POSIX_FADV_RANDOM, POSIX_FADV_SEQUENTIAL = 0, 1, 2
POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE = 3, 4, 5


def _file(t, fd):
    f = fget(t, s32(fd))
    if f is None or f.mode & FMODE_PATH:
        return None
    return f


def vfs_fadvise(f, offset, length, advice):
    if S_ISFIFO(f.inode.mode):
        return -ESPIPE
    if length < 0:
        return -EINVAL
    if advice not in (POSIX_FADV_NORMAL, POSIX_FADV_RANDOM, POSIX_FADV_SEQUENTIAL,
                      POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE):
        return -EINVAL
    return 0


def sys_fadvise64(t, fd, offset, length, advice):
    """fadvise64(fd, loff_t offset, size_t len, int advice): a len past
    LLONG_MAX is negative as a loff_t, hence EINVAL."""
    f = _file(t, fd)
    if f is None:
        return -EBADF
    return vfs_fadvise(f, s64(offset), s64(length), s32(advice))


def sys_readahead(t, fd, offset, count):
    f = _file(t, fd)
    if f is None or not f.mode & FMODE_READ:
        return -EBADF
    # only what has a page cache to read ahead into: regular files (and
    # block devices)
    if f.mapping is None or not (S_ISREG(f.inode.mode) or S_ISBLK(f.inode.mode)):
        return -EINVAL
    return vfs_fadvise(f, s64(offset), s64(count), POSIX_FADV_WILLNEED)
