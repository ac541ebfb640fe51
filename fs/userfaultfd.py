"""fs/userfaultfd.py - userfaultfd(2) and /dev/userfaultfd: page faults
handled by a thread of the program.

A userfaultfd is a file bound to the address space that made it.  After
UFFDIO_API, UFFDIO_REGISTER marks ranges of anonymous or shmem memory
(VMAs, split at the range's ends; `vma.uffd` = (ctx, modes)):

  MISSING  a fault on a page that does not exist yet
  WP       a write to a page write-protected with UFFDIO_WRITEPROTECT
  MINOR    (shmem) a fault on a page that is in the page cache but not
           mapped

Such a fault does not resolve: its task sleeps, and a struct uffd_msg
(UFFD_EVENT_PAGEFAULT, the address, WRITE/WP/MINOR flags, the thread id)
becomes readable on the file.  The handler fills the page with UFFDIO_COPY,
UFFDIO_ZEROPAGE, UFFDIO_CONTINUE, UFFDIO_MOVE or UFFDIO_POISON, or lifts
the protection with UFFDIO_WRITEPROTECT, and the sleepers of that range wake
(unless DONTWAKE; UFFDIO_WAKE wakes them alone) and retry their access, as
Linux's handle_userfault returns VM_FAULT_RETRY.  A signal ends the sleep
too: the handler runs and the access faults again.  With UFFD_FEATURE_SIGBUS
the fault is a SIGBUS instead; so is touching a page UFFDIO_POISON marked
(BUS_ADRERR: not a hardware error), until something fills or unmaps it.

What the kernel itself copies to or from a registered page that is missing
(a read(2) into it) is EFAULT here: uaccess cannot sleep in this kernel,
where Linux would wait for the handler.

Closing the file unregisters everything and wakes every sleeper; fork does
not carry registrations to the child (no UFFD_FEATURE_EVENT_FORK).  Callers
without CAP_SYS_PTRACE need UFFD_USER_MODE_ONLY unless vm.unprivileged_userfaultfd is 1.
"""

import struct

from kernel import sched
from kernel.errno import (EAGAIN, EBUSY, EEXIST, EFAULT, EINTR, EINVAL, ENOENT,
                          ENOTTY, EPERM, ESRCH, Errno)
from kernel.capability import CAP_SYS_PTRACE, capable
from fs.anon_inodes import anon_inode_getfile, install_new_file
from fs.file import (O_CLOEXEC, O_NONBLOCK, O_RDONLY, POLLERR, POLLIN, POLLRDNORM,
                     FileOperations)
from mm import physmem as _pm
from mm.physmem import PAGE_SHIFT, PAGE_SIZE, OutOfMemory
from mm.uaccess import copy_from_user, copy_to_user
from fs.tmpfs import TmpfsInode
from mm.vma import (VM_SHARED, VM_MAYWRITE, VM_EXEC, VM_LOCKED, VM_READ,
    VM_WRITE)
from mm.pgtable import (_PAGE_PRESENT, _PAGE_PROTNONE, _PAGE_UFFD_WP,
    _PAGE_POISON, _PAGE_NEWPAGE, _PAGE_RW, _PAGE_NEWPROT, PTE_PFN_MASK)
from kernel.signal import (BUS_ADRERR, SIGBUS, SigInfo, signal_pending,
    fatal_signal_pending)
from kernel.syscall import NO_RETURN_VALUE
from fs.char_dev import register_chrdev
from fs.devtmpfs import devtmpfs_create_node
from mm.mmap import MMAP_MIN_ADDR, split_vma
from mm.memory import vma_prot, page_exclusive

UFFD_API = 0xAA
UFFD_USER_MODE_ONLY = 1

UFFD_EVENT_PAGEFAULT = 0x12
UFFD_PAGEFAULT_FLAG_WRITE, UFFD_PAGEFAULT_FLAG_WP, UFFD_PAGEFAULT_FLAG_MINOR = 1, 2, 4

UFFD_FEATURE_PAGEFAULT_FLAG_WP = 1 << 0
UFFD_FEATURE_EVENT_FORK = 1 << 1
UFFD_FEATURE_MISSING_SHMEM = 1 << 5
UFFD_FEATURE_SIGBUS = 1 << 7
UFFD_FEATURE_THREAD_ID = 1 << 8
UFFD_FEATURE_MINOR_SHMEM = 1 << 10
UFFD_FEATURE_EXACT_ADDRESS = 1 << 11
UFFD_FEATURE_POISON = 1 << 14
UFFD_FEATURE_MOVE = 1 << 16
# what this kernel can do: no hugetlbfs, no fork/remap/remove/unmap events,
# no write protection of shmem or of pages not populated yet
UFFD_API_FEATURES = (UFFD_FEATURE_PAGEFAULT_FLAG_WP | UFFD_FEATURE_MISSING_SHMEM
                     | UFFD_FEATURE_SIGBUS | UFFD_FEATURE_THREAD_ID
                     | UFFD_FEATURE_MINOR_SHMEM | UFFD_FEATURE_EXACT_ADDRESS
                     | UFFD_FEATURE_POISON | UFFD_FEATURE_MOVE)

MODE_MISSING, MODE_WP, MODE_MINOR = 1, 2, 4
_UFFDIO_REGISTER, _UFFDIO_UNREGISTER, _UFFDIO_WAKE, _UFFDIO_COPY = 0x00, 0x01, 0x02, 0x03
_UFFDIO_ZEROPAGE, _UFFDIO_MOVE, _UFFDIO_WRITEPROTECT, _UFFDIO_CONTINUE = 0x04, 0x05, 0x06, 0x07
_UFFDIO_POISON, _UFFDIO_API = 0x08, 0x3F
UFFD_API_IOCTLS = 1 << _UFFDIO_REGISTER | 1 << _UFFDIO_UNREGISTER | 1 << _UFFDIO_API
UFFD_API_RANGE_IOCTLS = (1 << _UFFDIO_WAKE | 1 << _UFFDIO_COPY | 1 << _UFFDIO_ZEROPAGE
                         | 1 << _UFFDIO_MOVE | 1 << _UFFDIO_WRITEPROTECT
                         | 1 << _UFFDIO_CONTINUE | 1 << _UFFDIO_POISON)
MODE_DONTWAKE = 1                       # every *_MODE_DONTWAKE
UFFDIO_COPY_MODE_WP = 2
UFFDIO_WRITEPROTECT_MODE_WP = 1         # (and MODE_DONTWAKE is 2 there)
UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES = 2
UFFDIO_CONTINUE_MODE_WP = 2


def _IOWR(nr, size):
    return (3 << 30) | (size << 16) | (UFFD_API << 8) | nr


def _IOR(nr, size):
    return (2 << 30) | (size << 16) | (UFFD_API << 8) | nr


UFFDIO_API = _IOWR(_UFFDIO_API, 24)
UFFDIO_REGISTER = _IOWR(_UFFDIO_REGISTER, 32)
UFFDIO_UNREGISTER = _IOR(_UFFDIO_UNREGISTER, 16)
UFFDIO_WAKE = _IOR(_UFFDIO_WAKE, 16)
UFFDIO_COPY = _IOWR(_UFFDIO_COPY, 40)
UFFDIO_ZEROPAGE = _IOWR(_UFFDIO_ZEROPAGE, 32)
UFFDIO_MOVE = _IOWR(_UFFDIO_MOVE, 40)
UFFDIO_WRITEPROTECT = _IOWR(_UFFDIO_WRITEPROTECT, 24)
UFFDIO_CONTINUE = _IOWR(_UFFDIO_CONTINUE, 32)
UFFDIO_POISON = _IOWR(_UFFDIO_POISON, 32)
USERFAULTFD_IOC_NEW = (UFFD_API << 8) | 0x00

UFFD_MSG = struct.Struct("<BBHIQQI4x")          # struct uffd_msg, 32 bytes

unprivileged_userfaultfd = 0                    # /proc/sys/vm/unprivileged_userfaultfd

FAULT_RETRY = object()          # handle_userfault's "the task sleeps, then refaults"


class UserfaultfdCtx:
    def __init__(self, mm, flags):
        self.mm = mm
        self.flags = flags
        self.features = 0
        self.initialized = False
        self.pending = []               # faults not read yet
        self.reported = []              # read, not woken yet
        self.fd_wqh = sched.WaitQueue()
        self.released = False


class UserfaultWait:
    """One sleeping fault (Linux's userfaultfd_wait_queue)."""

    def __init__(self, msg, address):
        self.msg = msg
        self.address = address          # page-aligned
        self.waken = False
        self.wq = sched.WaitQueue()


# -- the fault side -------------------------------------------------------------------

def _is_shmem(vma):
    f = vma.file
    return f is not None and isinstance(f.inode, TmpfsInode) and f.mapping is not None \
        and not f.mapping.backed


def _is_anon(vma):
    return vma.file is None and not vma.flags & VM_SHARED


def _pte(mm, addr):
    idx = mm.pt.pte_index(addr)
    return (mm.pt.q[idx] if idx is not None else 0), idx


def _pgoff(vma, addr):
    return vma.pgoff + ((addr - vma.start) >> PAGE_SHIFT)


def userfault_reason(mm, vma, addr, write):
    """Which registered mode this access trips (a MODE_*), or 0."""
    if vma.uffd is None:
        return 0
    ctx, modes = vma.uffd
    pte, _ = _pte(mm, addr & ~(PAGE_SIZE - 1))
    if pte & (_PAGE_PRESENT | _PAGE_PROTNONE):
        if write and modes & MODE_WP and pte & _PAGE_UFFD_WP:
            return MODE_WP
        return 0
    if pte:
        return 0                        # a marker (poison)
    if _is_shmem(vma):
        cached = vma.file.mapping.find_page(_pgoff(vma, addr)) is not None
        if cached:
            return MODE_MINOR if modes & MODE_MINOR else 0
    return MODE_MISSING if modes & MODE_MISSING else 0


def is_poisoned(mm, addr):
    pte, _ = _pte(mm, addr & ~(PAGE_SIZE - 1))
    return pte == _PAGE_POISON


def handle_userfault(t, vma, address, write, trapno):
    """Called by mm/fault.py for a fault in a registered VMA (or anywhere
    once something was poisoned).  Returns None to go on with the normal
    fault, a SigInfo to force, or FAULT_RETRY with t.kstack set: the task
    sleeps until the handler wakes this address, then refaults."""
    mm = t.mm
    if is_poisoned(mm, address):
        return SigInfo(SIGBUS, BUS_ADRERR, addr=address, trapno=trapno)
    reason = userfault_reason(mm, vma, address, write)
    if not reason:
        return None
    ctx = vma.uffd[0]
    if ctx.released:
        return None
    if ctx.features & UFFD_FEATURE_SIGBUS:
        return SigInfo(SIGBUS, BUS_ADRERR, addr=address, trapno=trapno)
    flags = UFFD_PAGEFAULT_FLAG_WRITE if write else 0
    if reason == MODE_WP:
        flags |= UFFD_PAGEFAULT_FLAG_WP
    elif reason == MODE_MINOR:
        flags |= UFFD_PAGEFAULT_FLAG_MINOR
    page = address & ~(PAGE_SIZE - 1)
    shown = address if ctx.features & UFFD_FEATURE_EXACT_ADDRESS else page
    ptid = t.pid if ctx.features & UFFD_FEATURE_THREAD_ID else 0
    uwq = UserfaultWait(UFFD_MSG.pack(UFFD_EVENT_PAGEFAULT, 0, 0, 0, flags, shown, ptid), page)
    ctx.pending.append(uwq)
    ctx.fd_wqh.wake_up(POLLIN)
    t.kstack = _fault_sleep(t, ctx, uwq)
    return FAULT_RETRY


def _fault_sleep(t, ctx, uwq):
    while not uwq.waken and not ctx.released:
        if signal_pending(t):
            break
        yield sched.Sleep((uwq.wq,))
    for lst in (ctx.pending, ctx.reported):
        if uwq in lst:
            lst.remove(uwq)
    return NO_RETURN_VALUE


def wake_userfault(ctx, start, length):
    """Every fault sleeping on [start, start+length) retries."""
    end = start + length
    for lst in (ctx.pending, ctx.reported):
        for uwq in [w for w in lst if start <= w.address < end]:
            lst.remove(uwq)
            uwq.waken = True
            uwq.wq.wake_up()


def uaccess_faults(mm, vma, addr, write):
    """uaccess would have to wait for the handler here: it gives EFAULT."""
    return bool(userfault_reason(mm, vma, addr, write))


# -- the file -----------------------------------------------------------------------

class UserfaultfdOps(FileOperations):
    splice_read = splice_write = False      # an anonymous inode's: Linux's has neither

    def read(self, f, t, count):
        ctx = f.private
        if not ctx.initialized:
            raise Errno(EINVAL)
        if count < UFFD_MSG.size:
            raise Errno(EINVAL)
        if not ctx.pending:
            if f.flags & O_NONBLOCK:
                raise Errno(EAGAIN)
            return self._read_wait(f, t, count)
        return self._take(ctx, count)

    def _take(self, ctx, count):
        out = b""
        while ctx.pending and len(out) + UFFD_MSG.size <= count:
            uwq = ctx.pending.pop(0)
            ctx.reported.append(uwq)
            out += uwq.msg
        return out

    def _read_wait(self, f, t, count):
        ctx = f.private
        r = yield from sched.wait_event(t, ctx.fd_wqh, lambda: ctx.pending)
        if r < 0:
            return r
        return self._take(ctx, count)

    def poll(self, f, t):
        """A blocking userfaultfd polls as POLLERR, as on Linux: a fault
        may be woken before it is read, so poll cannot promise a read."""
        ctx = f.private
        if not f.flags & O_NONBLOCK or not ctx.initialized:
            return POLLERR, (ctx.fd_wqh,)
        return (POLLIN | POLLRDNORM if ctx.pending else 0), (ctx.fd_wqh,)

    def ioctl(self, f, t, cmd, arg):
        ctx = f.private
        if cmd == UFFDIO_API:
            return userfaultfd_api(t, ctx, arg)
        handler = _IOCTLS.get(cmd)
        if handler is None:
            return -EINVAL if cmd >> 8 & 0xFF == UFFD_API else -ENOTTY
        if not ctx.initialized:
            return -EINVAL
        return handler(t, ctx, arg)

    def release(self, f):
        """userfaultfd_release: every registration goes, every sleeper wakes."""
        ctx = f.private
        ctx.released = True
        mm = ctx.mm
        if mm is not None:
            for vma in mm.vmas:
                if vma.uffd is not None and vma.uffd[0] is ctx:
                    vma.uffd = None
        for lst in (ctx.pending, ctx.reported):
            for uwq in lst:
                uwq.waken = True
                uwq.wq.wake_up()
        ctx.pending, ctx.reported = [], []
        ctx.fd_wqh.wake_up()

    def show_fdinfo(self, f):
        ctx = f.private
        return "pending:\t%d\ntotal:\t%d\nAPI:\t%x:%x:%x\n" % (
            len(ctx.reported), len(ctx.pending) + len(ctx.reported), UFFD_API,
            ctx.features, UFFD_API_IOCTLS | UFFD_API_RANGE_IOCTLS)


userfaultfd_fops = UserfaultfdOps()


def new_userfaultfd(t, flags):
    if flags & ~(O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY):
        return -EINVAL
    ctx = UserfaultfdCtx(t.mm, flags)
    f = anon_inode_getfile(b"[userfaultfd]", userfaultfd_fops, ctx,
                           O_RDONLY | (flags & O_NONBLOCK))
    return install_new_file(t, f, flags & O_CLOEXEC)


def sys_userfaultfd(t, flags):
    flags &= 0xFFFFFFFF
    if not (unprivileged_userfaultfd or flags & UFFD_USER_MODE_ONLY
            or capable(t, CAP_SYS_PTRACE)):
        return -EPERM                   # userfaultfd_syscall_allowed
    return new_userfaultfd(t, flags)


class DevUserfaultfdOps(FileOperations):
    """/dev/userfaultfd: USERFAULTFD_IOC_NEW makes one (who may open the
    device may use it: no vm.unprivileged_userfaultfd check)."""

    def ioctl(self, f, t, cmd, arg):
        if cmd != USERFAULTFD_IOC_NEW:
            return -EINVAL
        return new_userfaultfd(t, arg & 0xFFFFFFFF)

    def read(self, f, t, count):
        raise Errno(EINVAL)


def userfaultfd_init():
    """The misc device /dev/userfaultfd (10, dynamic minor)."""
    register_chrdev(10, 257, DevUserfaultfdOps())
    devtmpfs_create_node(b"userfaultfd", 0o600, 10, 257)


# -- the ioctls ----------------------------------------------------------------------

def userfaultfd_api(t, ctx, arg):
    api, features, _ = struct.unpack("<QQQ", copy_from_user(t.mm, arg, 24))

    def fail(err):
        copy_to_user(t.mm, arg, bytes(24))
        return -err
    if api != UFFD_API:
        return fail(EINVAL)
    if features & UFFD_FEATURE_EVENT_FORK and not capable(t, CAP_SYS_PTRACE):
        return fail(EPERM)
    if features & ~UFFD_API_FEATURES:
        return fail(EINVAL)
    copy_to_user(t.mm, arg, struct.pack("<QQQ", UFFD_API, UFFD_API_FEATURES, UFFD_API_IOCTLS))
    if ctx.initialized:
        return fail(EINVAL)
    ctx.features = features
    ctx.initialized = True
    return 0


def _mm_of(ctx):
    mm = ctx.mm
    if mm is None or mm.users <= 0:
        raise Errno(ESRCH)
    return mm


def validate_range(mm, start, length):
    if start & (PAGE_SIZE - 1) or length & (PAGE_SIZE - 1) or not length:
        raise Errno(EINVAL)
    if start < MMAP_MIN_ADDR or start >= mm.task_size or length > mm.task_size - start:
        raise Errno(EINVAL)


def vma_can_userfault(vma, modes):
    if modes & MODE_MINOR and not _is_shmem(vma):
        return False
    if modes & MODE_WP and not _is_anon(vma):
        return False                    # no pte markers for shmem write protection
    return _is_anon(vma) or _is_shmem(vma)


def _split_to(mm, start, end):
    """The VMAs covering [start, end), split at the ends."""
    out = []
    for vma in mm.vmas_in(start, end):
        if vma.start < start:
            vma = split_vma(mm, vma, start)
        if vma.end > end:
            split_vma(mm, vma, end)
        out.append(vma)
    return out


def _read_range(t, arg):
    return struct.unpack("<QQ", copy_from_user(t.mm, arg, 16))


def userfaultfd_register(t, ctx, arg):
    start, length, modes = struct.unpack("<QQQ", copy_from_user(t.mm, arg, 24))
    if not modes or modes & ~(MODE_MISSING | MODE_WP | MODE_MINOR):
        return -EINVAL
    mm = _mm_of(ctx)
    validate_range(mm, start, length)
    end = start + length
    vmas = mm.vmas_in(start, end)
    if not vmas:
        return -EINVAL
    for vma in vmas:
        if not vma_can_userfault(vma, modes):
            return -EINVAL
        if not vma.flags & VM_MAYWRITE:
            return -EPERM
        if vma.uffd is not None and vma.uffd[0] is not ctx:
            return -EBUSY
    for vma in _split_to(mm, start, end):
        vma.uffd = (ctx, modes)
    ioctls = UFFD_API_RANGE_IOCTLS
    if not modes & MODE_WP:
        ioctls &= ~(1 << _UFFDIO_WRITEPROTECT)
    if not modes & MODE_MINOR:
        ioctls &= ~(1 << _UFFDIO_CONTINUE)
    copy_to_user(t.mm, arg + 24, struct.pack("<Q", ioctls))
    return 0


def userfaultfd_unregister(t, ctx, arg):
    start, length = _read_range(t, arg)
    mm = _mm_of(ctx)
    validate_range(mm, start, length)
    end = start + length
    vmas = mm.vmas_in(start, end)
    if not vmas:
        return -EINVAL
    for vma in vmas:
        if not (_is_anon(vma) or _is_shmem(vma)):
            return -EINVAL
    for vma in _split_to(mm, start, end):
        if vma.uffd is not None and vma.uffd[0] is ctx:
            vma.uffd = None
    wake_userfault(ctx, start, length)
    return 0


def userfaultfd_wake(t, ctx, arg):
    start, length = _read_range(t, arg)
    validate_range(_mm_of(ctx), start, length)
    wake_userfault(ctx, start, length)
    return 0


def _dst_vma(mm, ctx, start, length):
    """The registered VMA that holds the whole destination (ENOENT)."""
    vma = mm.vma_at(start)
    if vma is None or start + length > vma.end or vma.uffd is None or vma.uffd[0] is not ctx:
        raise Errno(ENOENT)
    if not (_is_anon(vma) or _is_shmem(vma)):
        raise Errno(EINVAL)
    return vma


def _install(mm, vma, addr, pfn, wp=False, writable=True):
    """Map frame pfn at addr (its reference is the caller's to give)."""
    idx = mm.pt.pte_index(addr, alloc=True)
    bits = vma_prot(vma)
    if wp or not writable:
        bits &= ~_PAGE_RW
    if wp:
        bits |= _PAGE_UFFD_WP
    mm.pt.q[idx] = (pfn << PAGE_SHIFT) | bits | _PAGE_NEWPAGE
    mm.rss += 1
    mm.note_stale(addr, addr + PAGE_SIZE)


def _fill_one(t, mm, vma, addr, kind, src=None, wp=False):
    """One page of COPY (src bytes), ZEROPAGE, CONTINUE or POISON."""
    pm = _pm.physmem
    pte, idx = _pte(mm, addr)
    if pte and (kind == "poison" or pte != _PAGE_POISON):
        raise Errno(EEXIST)             # a poison marker may be filled over
    if kind == "poison":
        idx = mm.pt.pte_index(addr, alloc=True)
        mm.pt.q[idx] = _PAGE_POISON
        mm.uffd_poisoned = True
        return
    shared_shmem = _is_shmem(vma) and vma.flags & VM_SHARED
    if kind == "continue":
        mapping = vma.file.mapping
        pfn = mapping.find_page(_pgoff(vma, addr))
        if pfn is None:
            raise Errno(EFAULT)
        pm.get_frame(pfn)
        _install(mm, vma, addr, pfn, wp, writable=bool(vma.flags & VM_SHARED))
        return
    if shared_shmem:
        mapping = vma.file.mapping
        index = _pgoff(vma, addr)
        if index << PAGE_SHIFT >= vma.file.inode.size:
            raise Errno(EFAULT)
        if mapping.find_page(index) is not None:
            raise Errno(EEXIST)
        pfn = mapping.grab_page(index)
        if src is not None:
            pm.frame_view(pfn)[:] = src
        pm.get_frame(pfn)
        _install(mm, vma, addr, pfn, wp)
        return
    pfn = pm.alloc_frame()
    if src is not None:
        pm.frame_view(pfn)[:] = src
    _install(mm, vma, addr, pfn, wp)


def _mfill(t, ctx, dst, length, kind, src=None, wp=False):
    """mfill_atomic: page by page; the bytes done, or the first error."""
    mm = _mm_of(ctx)
    try:
        vma = _dst_vma(mm, ctx, dst, length)
        if wp and not vma.uffd[1] & MODE_WP:
            raise Errno(EINVAL)
        if kind == "continue" and not _is_shmem(vma):
            raise Errno(EINVAL)
    except Errno as e:
        return -e.errno                 # reported in the result field too
    done = 0
    err = 0
    while done < length:
        try:
            data = None
            if src is not None:
                data = copy_from_user(t.mm, src + done, PAGE_SIZE)
            _fill_one(t, mm, vma, dst + done, kind, data, wp)
        except OutOfMemory:
            err = -12
            break
        except Errno as e:
            err = -e.errno
            break
        done += PAGE_SIZE
        if fatal_signal_pending(t):
            err = -EINTR
            break
    return done if done else err


def _finish_fill(t, ctx, arg, off, dst, length, res, mode):
    """Write the result field, wake the range, say if all of it was done."""
    copy_to_user(t.mm, arg + off, struct.pack("<q", res))
    if res < 0:
        return res
    if not mode & MODE_DONTWAKE:
        wake_userfault(ctx, dst, res)
    return 0 if res == length else -EAGAIN


def userfaultfd_copy(t, ctx, arg):
    dst, src, length, mode = struct.unpack("<QQQQ", copy_from_user(t.mm, arg, 32))
    validate_range(_mm_of(ctx), dst, length)
    if src + length >= 1 << 64 or src + length <= src:
        return -EINVAL
    if mode & ~(MODE_DONTWAKE | UFFDIO_COPY_MODE_WP):
        return -EINVAL
    res = _mfill(t, ctx, dst, length, "copy", src, bool(mode & UFFDIO_COPY_MODE_WP))
    return _finish_fill(t, ctx, arg, 32, dst, length, res, mode)


def _range_mode(t, arg):
    return struct.unpack("<QQQ", copy_from_user(t.mm, arg, 24))


def userfaultfd_zeropage(t, ctx, arg):
    start, length, mode = _range_mode(t, arg)
    validate_range(_mm_of(ctx), start, length)
    if mode & ~MODE_DONTWAKE:
        return -EINVAL
    res = _mfill(t, ctx, start, length, "zero")
    return _finish_fill(t, ctx, arg, 24, start, length, res, mode)


def userfaultfd_continue(t, ctx, arg):
    start, length, mode = _range_mode(t, arg)
    validate_range(_mm_of(ctx), start, length)
    if mode & ~(MODE_DONTWAKE | UFFDIO_CONTINUE_MODE_WP):
        return -EINVAL
    res = _mfill(t, ctx, start, length, "continue", wp=bool(mode & UFFDIO_CONTINUE_MODE_WP))
    return _finish_fill(t, ctx, arg, 24, start, length, res, mode)


def userfaultfd_poison(t, ctx, arg):
    start, length, mode = _range_mode(t, arg)
    validate_range(_mm_of(ctx), start, length)
    if mode & ~MODE_DONTWAKE:
        return -EINVAL
    res = _mfill(t, ctx, start, length, "poison")
    return _finish_fill(t, ctx, arg, 24, start, length, res, mode)


def userfaultfd_writeprotect(t, ctx, arg):
    start, length, mode = _range_mode(t, arg)
    mm = _mm_of(ctx)
    validate_range(mm, start, length)
    if mode & ~(UFFDIO_WRITEPROTECT_MODE_WP | 2):
        return -EINVAL
    enable = bool(mode & UFFDIO_WRITEPROTECT_MODE_WP)
    dontwake = bool(mode & 2)
    if enable and dontwake:
        return -EINVAL
    end = start + length
    vmas = mm.vmas_in(start, end)
    if not vmas:
        return -ENOENT
    for vma in vmas:
        if vma.uffd is None or vma.uffd[0] is not ctx or not vma.uffd[1] & MODE_WP:
            return -ENOENT
    pm = _pm.physmem
    q = mm.pt.q
    for vma in vmas:
        lo, hi = max(vma.start, start), min(vma.end, end)
        for a in range(lo, hi, PAGE_SIZE):
            pte, idx = _pte(mm, a)
            if not pte & _PAGE_PRESENT:
                continue
            if enable:
                new = (pte | _PAGE_UFFD_WP) & ~_PAGE_RW
            else:
                new = pte & ~_PAGE_UFFD_WP
                if vma.flags & VM_WRITE and (vma.flags & VM_SHARED or
                                             page_exclusive(pm, (pte >> PAGE_SHIFT) & 0xFFFFFFFFFF)):
                    new |= _PAGE_RW
            if new != pte:
                q[idx] = new | _PAGE_NEWPROT
                mm.note_stale(a, a + PAGE_SIZE)
    if not enable and not dontwake:
        wake_userfault(ctx, start, length)
    return 0


def userfaultfd_move(t, ctx, arg):
    """UFFDIO_MOVE: anonymous pages of this process move, ptes and all."""
    dst, src, length, mode = struct.unpack("<QQQQ", copy_from_user(t.mm, arg, 32))
    mm = _mm_of(ctx)
    if mm is not t.mm:
        return -EINVAL
    validate_range(mm, dst, length)
    validate_range(mm, src, length)
    if mode & ~(MODE_DONTWAKE | UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES):
        return -EINVAL
    if dst < src + length and src < dst + length:
        return -EINVAL
    dvma, svma = mm.vma_at(dst), mm.vma_at(src)
    if dvma is None or svma is None:
        res = -ENOENT
    elif not _move_areas_ok(ctx, svma, dvma, src, dst, length):
        res = -EINVAL
    else:
        pm = _pm.physmem
        q = mm.pt.q
        res = 0
        while res < length:
            spte, sidx = _pte(mm, src + res)
            dpte, _ = _pte(mm, dst + res)
            if dpte:
                err = -EEXIST
            elif not spte & _PAGE_PRESENT:
                if spte == 0 and mode & UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES:
                    res += PAGE_SIZE
                    continue
                err = -ENOENT
            elif not page_exclusive(pm, (spte >> PAGE_SHIFT) & 0xFFFFFFFFFF):
                err = -EBUSY
            else:
                err = 0
            if err:
                res = res or err
                break
            didx = mm.pt.pte_index(dst + res, alloc=True)
            q[didx] = (spte & PTE_PFN_MASK) | vma_prot(dvma) | _PAGE_NEWPAGE
            q[sidx] = 0
            mm.note_stale(dst + res, dst + res + PAGE_SIZE)
            mm.note_unmap(src + res, src + res + PAGE_SIZE)
            res += PAGE_SIZE
    return _finish_fill(t, ctx, arg, 32, dst, length, res, mode)


def _move_areas_ok(ctx, svma, dvma, src, dst, length):
    """validate_move_areas: whole ranges, alike writable anonymous VMAs,
    the destination registered with this userfaultfd."""
    acc = VM_READ | VM_WRITE | VM_EXEC
    return (src + length <= svma.end and dst + length <= dvma.end
            and svma.flags & acc == dvma.flags & acc
            and svma.flags & VM_LOCKED == dvma.flags & VM_LOCKED
            and svma.flags & VM_WRITE
            and dvma.uffd is not None and dvma.uffd[0] is ctx
            and _is_anon(svma) and _is_anon(dvma))


_IOCTLS = {
    UFFDIO_REGISTER: userfaultfd_register,
    UFFDIO_UNREGISTER: userfaultfd_unregister,
    UFFDIO_WAKE: userfaultfd_wake,
    UFFDIO_COPY: userfaultfd_copy,
    UFFDIO_ZEROPAGE: userfaultfd_zeropage,
    UFFDIO_MOVE: userfaultfd_move,
    UFFDIO_WRITEPROTECT: userfaultfd_writeprotect,
    UFFDIO_CONTINUE: userfaultfd_continue,
    UFFDIO_POISON: userfaultfd_poison,
}
