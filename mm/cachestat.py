"""mm/cachestat.py - cachestat(2): how much of a file's range is in the
page cache, and in what state.

Counts the file's page-cache pages (fs/pagecache.py) over the range: all
cached, dirty (hostfs pages awaiting writeback; tmpfs pages are not, as on
Linux, where shmem pages count as dirty only once reclaim looks at them),
under writeback (never: writeback here is synchronous) and evicted
(never: nothing is reclaimed).
Files without a page cache (pipes, sockets) report zeros, as an empty
mapping does on Linux.  As Linux since 6.14, only a file the caller could
write may be asked about (the page-cache state of others is a side
channel); there is no hugetlbfs to refuse.
"""

import struct

from kernel.errno import EBADF, EINVAL, EPERM
from kernel.user_namespace import inode_owner_or_capable
from mm.uaccess import copy_from_user, copy_to_user
from fs.file import FMODE_WRITE, fget
from fs.namei import generic_permission

PAGE_SHIFT = 12


def _may_cachestat(t, f):
    """can_do_cachestat: open for writing, owned by the caller, or
    writable by it."""
    if f.mode & FMODE_WRITE:
        return True
    inode = f.inode
    if inode_owner_or_capable(t.cred, inode):
        return True
    return generic_permission(t.cred, inode, 2)


def sys_cachestat(t, fd, cstat_range, cstat, flags):
    fd &= 0xFFFFFFFF
    f = fget(t, fd - (1 << 32) if fd & 0x80000000 else fd)
    if f is None or f.mode & 4:                 # O_PATH does not count
        return -EBADF
    off, length = struct.unpack("<QQ", copy_from_user(t.mm, cstat_range, 16))
    if not _may_cachestat(t, f):
        return -EPERM
    if flags & 0xFFFFFFFF:
        return -EINVAL
    first = off >> PAGE_SHIFT
    last = (1 << 64) - 1 if length == 0 else ((off + length - 1) & ((1 << 64) - 1)) >> PAGE_SHIFT
    cached = dirty = 0
    mapping = f.mapping
    if mapping is not None:
        for index in mapping.pages:
            if first <= index <= last:
                cached += 1
                if mapping.backed and index in mapping.dirty:
                    dirty += 1
    copy_to_user(t.mm, cstat, struct.pack("<5Q", cached, dirty, 0, 0, 0))
    return 0
