"""fs/sync.py - sync, syncfs, fsync, fdatasync, sync_file_range and msync:
getting dirty data to where it is kept.

tmpfs keeps nothing anywhere else, so for it these are no-ops; hostfs
writes its dirty page-cache pages (those of MAP_SHARED mappings) to the
host file; file systems on disks (ext2) and the disks themselves write
back through fs/fs_writeback.py, and the calls sleep until the host has
the data (the ubd I/O thread's fdatasync).  msync(MS_SYNC or MS_ASYNC) of a shared file mapping does the
same for the files mapped in the range (mm/ keeps no dirty bits of its own:
a shared file page is taken as dirty once it is mapped writable).
"""

from kernel.abi import s64
from kernel.errno import EBADF, EBUSY, EINVAL, ENOMEM, ESPIPE, Errno
from fs.file import FMODE_PATH, fget
from mm.physmem import PAGE_SIZE
from block.bio import all_of, wait_for
from fs.fs_writeback import sync_all, sync_filesystem
from fs.mount import all_mounts
from fs.pagecache import dirty_vma_pages
from mm.vma import VM_LOCKED, VM_SHARED
from fs.inode import S_ISBLK, S_ISDIR, S_ISLNK, S_ISREG

MS_ASYNC, MS_INVALIDATE, MS_SYNC = 1, 2, 4


def _all_inodes_sync():
    seen = set()
    for m in all_mounts:
        sb = m.sb
        if id(sb) in seen:
            continue
        seen.add(id(sb))
        sync_sb(sb)


def sync_sb(sb):
    inodes = sb.inodes
    if inodes:
        for inode in list(inodes.values()):
            try:
                inode.sync()
            except Errno:
                pass


def sys_sync(t):
    """Host-backed files (hostfs) now; file systems on disks and the disks
    themselves through fs/fs_writeback.py, waiting until the host has it."""
    _all_inodes_sync()
    return _wait_done(t, sync_all(), False)


def _wait_done(t, completion, report_errors):
    """Sleep until completion; its error is the call's only if report_errors
    (sync(2) returns void, syncfs reports)."""
    st = yield from wait_for(t, completion)
    return st if st and report_errors else 0


def sys_syncfs(t, fd):
    f = _file(t, fd)
    sb = f.inode.sb
    sync_sb(sb)
    return _wait_done(t, sync_filesystem(sb), True)


def _file(t, fd):
    fd &= 0xFFFFFFFF
    f = fget(t, fd - (1 << 32) if fd & 0x80000000 else fd)
    if f is None or f.mode & FMODE_PATH:
        raise Errno(EBADF)
    return f


def sys_fsync(t, fd):
    f = _file(t, fd)
    if f.f_op.fsync is None:
        return -EINVAL
    return f.f_op.fsync(f)


def sys_fdatasync(t, fd):
    return sys_fsync(t, fd)


def sys_sync_file_range(t, fd, offset, nbytes, flags):
    """Linux's order: the range and flags (EINVAL), the fd (EBADF), then a
    file that has no data to write back (ESPIPE: pipes, sockets)."""
    offset, nbytes = s64(offset), s64(nbytes)
    flags &= 0xFFFFFFFF
    if flags & ~7 or offset < 0 or nbytes < 0 or offset + nbytes < 0:
        return -EINVAL
    f = _file(t, fd)
    if not (S_ISREG(f.inode.mode) or S_ISDIR(f.inode.mode) or S_ISLNK(f.inode.mode)
            or S_ISBLK(f.inode.mode)):
        return -ESPIPE
    if f.inode.start_writeback is not None:
        f.inode.start_writeback()       # SYNC_FILE_RANGE_WRITE: start, do not wait
    else:
        f.inode.sync()
    return 0



def sys_msync(t, start, length, flags):
    if start & (PAGE_SIZE - 1):
        return -EINVAL
    if flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC):
        return -EINVAL
    if flags & MS_ASYNC and flags & MS_SYNC:
        return -EINVAL
    end = start + ((length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
    if end < start:
        return -ENOMEM
    if end == start:
        return 0
    mm = t.mm
    pos = start
    unmapped = False
    waits = []
    for vma in mm.vmas_in(start, end):
        if vma.start > pos:
            unmapped = True
        pos = vma.end
        if flags & MS_INVALIDATE and vma.flags & VM_LOCKED:
            return -EBUSY               # mlocked pages cannot be invalidated
        if vma.file is not None and vma.flags & VM_SHARED:
            dirty_vma_pages(vma, start, end)
            vma.file.inode.sync()
            m = vma.file.mapping
            if flags & MS_SYNC and hasattr(m, "writeback") and m not in waits:
                waits.append(m)             # a file or disk on a disk: write back, wait
    if pos < end or unmapped:
        return -ENOMEM
    if waits:
        done = [m.writeback() for m in waits]
        done += [b.sync() for b in {id(m.bdev): m.bdev for m in waits}.values()]
        return _wait_done(t, all_of(done), True)
    return 0
