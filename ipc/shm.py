"""ipc/shm.py - System V shared memory: shmget, shmat, shmdt, shmctl.

A segment is an unlinked file on the internal shmem mount (fs/shmem.py)
named "SYSV<key>", so /proc/PID/maps shows "/SYSV0000002a (deleted)" as on
Linux and every attachment maps the frames of its one page cache: two
processes, or a parent and the fork children that inherit its attachments,
see each other's writes.

Each shmat opens its own File on the segment (ShmFile); the VMAs made from
it hold references to it (split and fork take more), and the segment counts
those as its attachments (shm_nattch), as Linux counts the VMAs through
shm_open/shm_close.  So exit and exec, which drop every VMA, detach too.
IPC_RMID marks a segment that is still attached SHM_DEST (and makes its key
private); it is destroyed when the last attachment goes.
"""

import struct

from fs.file import O_RDONLY, O_RDWR, File
from fs.read_write import generic_file_fops
from ipc.util import (IPC_64, IPC_INFO, IPC_RMID, IPC_SET, IPC_STAT, S_IRUGO,
                      S_IWUGO, S_IXUGO, KernIpcPerm, check_owner,
                      check_perms, ipcget, pack_perm, pack_time, perm_size,
                      s32, set_perm, ulong)
from kernel import sched, timekeeping
from kernel.capability import CAP_IPC_LOCK, capable
from kernel.errno import EIDRM, EINVAL, ENOMEM, ENOSPC, EPERM, Errno
from mm.physmem import PAGE_SIZE
from mm.uaccess import copy_from_user, copy_to_user
from fs.shmem import shmem_file_setup
from mm.mmap import (MAP_FIXED, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE, do_mmap, do_munmap,
                     vm_enough_memory)

SHM_RDONLY = 0o10000
SHM_RND = 0o20000
SHM_REMAP = 0o40000
SHM_EXEC = 0o100000

SHM_DEST = 0o1000
SHM_LOCKED = 0o2000

SHM_LOCK, SHM_UNLOCK, SHM_STAT, SHM_INFO, SHM_STAT_ANY = 11, 12, 13, 14, 15

SHMLBA = PAGE_SIZE
SHMMIN = 1
SHMMNI = 4096
SHMMAX = (1 << 64) - 1 - (1 << 24)       # Linux's default: ULONG_MAX - 2^24
SHMALL = SHMMAX                          # (a new IPC namespace's kernel.shmmax, shmall)


def _pid(t):
    return t.tgid if t is not None else 0


class ShmSegment(KernIpcPerm):
    def __init__(self, t, key, flg, size):
        super().__init__(t, key, flg)
        self.segsz = size
        self.file = shmem_file_setup(size, name=b"SYSV%08x" % (key & 0xFFFFFFFF))
        self.cpid = t.tgid
        self.lpid = 0
        self.atime = self.dtime = 0
        self.nattch = 0
        self.flags = 0                   # SHM_DEST, SHM_LOCKED

    def pages(self):
        return (self.segsz + PAGE_SIZE - 1) // PAGE_SIZE


def shm_destroy(seg):
    seg.ns.shm_ids.remove(seg)
    seg.ns.shm_tot -= seg.pages()
    f, seg.file = seg.file, None
    if f is not None:
        f.put()


def shm_may_destroy(seg):
    if seg.nattch == 0 and seg.flags & SHM_DEST and not seg.deleted:
        shm_destroy(seg)


class ShmFile(File):
    """One shmat's file: its references are the VMAs that map it."""

    def __init__(self, seg, flags):
        super().__init__(seg.file.path, flags, generic_file_fops, inode=seg.file.inode)
        self.seg = seg

    def get(self):                       # shm_open: a VMA more
        seg = self.seg
        seg.nattch += 1
        seg.atime = timekeeping.ktime_get_real_seconds()
        seg.lpid = _pid(sched.current)
        return super().get()

    def put(self):                       # shm_close: a VMA less
        seg = self.seg
        seg.nattch -= 1
        seg.dtime = timekeeping.ktime_get_real_seconds()
        seg.lpid = _pid(sched.current) or seg.lpid
        File.put(self)
        shm_may_destroy(seg)

    def mmap_check(self):
        """shm_mmap: the segment must still be there.  Gone, its slot
        is empty (EINVAL) or holds a new segment (EIDRM), as Linux's
        lookup by index finds."""
        seg = self.seg
        if seg.deleted or seg.file is None:
            raise Errno(EIDRM if seg.ns.shm_ids.by_index(seg.id) is not None else EINVAL)

    def drop_initial(self):
        """The reference shmat held while mapping (not an attachment)."""
        File.put(self)


# -- shmget -----------------------------------------------------------------------

SHM_HUGETLB = 0o4000


def _newseg(t, key, flg, size):
    ns = t.nsproxy.ipc_ns
    if size < SHMMIN or size > ns.shm_ctlmax:
        raise Errno(EINVAL)
    npages = (size + PAGE_SIZE - 1) // PAGE_SIZE
    if ns.shm_tot + npages > ns.shm_ctlall:
        raise Errno(ENOSPC)
    if flg & SHM_HUGETLB:
        raise Errno(EINVAL)                 # no huge page sizes (a kernel without hugetlb)
    if not vm_enough_memory(npages):
        raise Errno(ENOMEM)
    seg = ShmSegment(t, key, flg, size)
    try:
        ns.shm_ids.add(seg)
    except Errno:
        seg.file.put()
        raise
    ns.shm_tot += npages
    seg.file.inode.ino = seg.id          # /proc/PID/maps shows it, as Linux
    return seg.id


def sys_shmget(t, key, size, shmflg):
    flg = s32(shmflg)
    size &= (1 << t.arch.BITS) - 1

    def more_checks(seg):
        if seg.segsz < size:
            raise Errno(EINVAL)

    return ipcget(t, t.nsproxy.ipc_ns.shm_ids, key, flg, lambda: _newseg(t, s32(key), flg, size),
                  more_checks)


# -- shmat / shmdt --------------------------------------------------------------------

def do_shmat(t, shmid, addr, shmflg):
    shmid, shmflg = s32(shmid), s32(shmflg)
    if shmid < 0:
        raise Errno(EINVAL)
    flags = MAP_SHARED
    if addr:
        if addr & (SHMLBA - 1):
            if not shmflg & SHM_RND:
                raise Errno(EINVAL)
            addr &= ~(SHMLBA - 1)
            if not addr and shmflg & SHM_REMAP:
                raise Errno(EINVAL)
        flags |= MAP_FIXED
    elif shmflg & SHM_REMAP:
        raise Errno(EINVAL)
    if shmflg & SHM_RDONLY:
        prot, acc, fflags = PROT_READ, S_IRUGO, O_RDONLY
    else:
        prot, acc, fflags = PROT_READ | PROT_WRITE, S_IRUGO | S_IWUGO, O_RDWR
    if shmflg & SHM_EXEC:
        prot |= PROT_EXEC
        acc |= S_IXUGO
    seg = t.nsproxy.ipc_ns.shm_ids.obtain(shmid)
    check_perms(t, seg, acc)
    if seg.deleted or seg.file is None:
        raise Errno(EIDRM)
    size = seg.segsz
    if addr and not shmflg & SHM_REMAP:
        if addr + size > t.mm.task_size or t.mm.vmas_in(addr, addr + size):
            raise Errno(EINVAL)
    f = ShmFile(seg, fflags)
    seg.nattch += 1                      # keeps the segment while it maps
    try:
        addr = do_mmap(t.mm, addr, size, prot, flags, f, 0, cred_root=__import__("kernel.capability").capability.capable(t, 14))
    finally:
        seg.nattch -= 1
        f.drop_initial()
        shm_may_destroy(seg)
    return addr


def sys_shmat(t, shmid, shmaddr, shmflg):
    return do_shmat(t, shmid, shmaddr, shmflg)


def sys_shmdt(t, shmaddr):
    """Unmap the attachment that starts at shmaddr: every VMA of its file
    within the segment's size from there."""
    mm = t.mm
    if shmaddr & (PAGE_SIZE - 1):
        return -EINVAL
    found = None
    for v in list(mm.vmas):
        if v.end <= shmaddr:
            continue
        if isinstance(v.file, ShmFile) and (v.start - shmaddr) // PAGE_SIZE == v.pgoff:
            found = v.file
            break
    if found is None:
        return -EINVAL
    size = (found.seg.segsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)
    for v in list(mm.vmas):
        if v.start < shmaddr or v.end - shmaddr > size:
            continue
        if v.file is found and (v.start - shmaddr) // PAGE_SIZE == v.pgoff:
            do_munmap(mm, v.start, v.end - v.start)
    return 0


# -- shmctl ----------------------------------------------------------------------

def _shmid_ds(t, seg):
    mode_extra = seg.flags
    out = pack_perm(t, seg, mode_extra) + ulong(t, seg.segsz)
    out += pack_time(t, seg.atime) + pack_time(t, seg.dtime) + pack_time(t, seg.ctime)
    out += struct.pack("<ii", seg.cpid, seg.lpid)
    out += ulong(t, seg.nattch) + ulong(t, 0) + ulong(t, 0)
    return out


def _shminfo(t):
    # struct shminfo64: shmmax, shmmin, shmmni, shmseg, shmall, 4 unused
    # a 32-bit task sees shmmax capped at INT_MAX, the rest truncated
    ns = t.nsproxy.ipc_ns
    shmmax = ns.shm_ctlmax if t.arch.BITS == 64 else min(ns.shm_ctlmax, 0x7FFFFFFF)
    vals = (shmmax, SHMMIN, SHMMNI, SHMMNI, ns.shm_ctlall, 0, 0, 0, 0)
    return b"".join(ulong(t, v) for v in vals)


def ksys_shmctl(t, shmid, cmd, buf, version=IPC_64):
    shmid, cmd = s32(shmid), s32(cmd)
    shm_ids = t.nsproxy.ipc_ns.shm_ids
    if cmd < 0 or shmid < 0:
        return -EINVAL
    if cmd == IPC_INFO:
        copy_to_user(t.mm, buf, _shminfo(t))
        return max(list(shm_ids.slots) or [0])
    if cmd == SHM_INFO:
        # struct shm_info: used_ids (int), then shm_tot, shm_rss, shm_swp,
        # swap_attempts, swap_successes (unsigned longs)
        rss = sum(s.file.inode.mapping.nrpages() for s in shm_ids.all() if s.file)
        data = struct.pack("<i", len(shm_ids.slots))
        if t.arch.BITS == 64:
            data += b"\0" * 4
        data += b"".join(ulong(t, v) for v in (t.nsproxy.ipc_ns.shm_tot, rss, 0, 0, 0))
        copy_to_user(t.mm, buf, data)
        return max(list(shm_ids.slots) or [0])
    if cmd in (IPC_STAT, SHM_STAT, SHM_STAT_ANY):
        seg = shm_ids.obtain_for_stat(t, shmid, by_index=cmd != IPC_STAT, check=cmd != SHM_STAT_ANY)
        copy_to_user(t.mm, buf, _shmid_ds(t, seg))
        return 0 if cmd == IPC_STAT else seg.id
    if cmd == IPC_SET:
        data = copy_from_user(t.mm, buf, perm_size(t))
        seg = shm_ids.obtain(shmid)
        check_owner(t, seg)
        set_perm(t, seg, data)
        return 0
    if cmd == IPC_RMID:
        seg = shm_ids.obtain(shmid)
        check_owner(t, seg)
        if seg.nattch:
            seg.flags |= SHM_DEST
            shm_ids.make_private(seg)
        else:
            shm_destroy(seg)
        return 0
    if cmd in (SHM_LOCK, SHM_UNLOCK):
        seg = shm_ids.obtain(shmid)
        if not capable(t, CAP_IPC_LOCK):
            return -EPERM
        if cmd == SHM_LOCK:
            seg.flags |= SHM_LOCKED
        else:
            seg.flags &= ~SHM_LOCKED
        return 0
    return -EINVAL


def sys_shmctl(t, shmid, cmd, buf):
    return ksys_shmctl(t, shmid, cmd, buf)
