"""mm/mmap.py - mmap, munmap, mprotect, brk, mremap: changing the VMAs.

These only edit VMAs and ptes.  The host process learns of the change at the
next TLB flush (mm/tlb.py): an unmap becomes one host munmap of the whole
range (and none at all if nothing in it had been faulted in), a protection
change an mprotect of the pages that are mapped.
"""

from kernel.abi import RLIMIT_AS, RLIMIT_DATA, RLIMIT_MEMLOCK, RLIMIT_STACK
from kernel.capability import CAP_IPC_LOCK, capable
from kernel.errno import (EACCES, EAGAIN, EBADF, EEXIST, EFAULT, EINVAL, ENODEV, ENOMEM,
                          EOPNOTSUPP, EOVERFLOW, EPERM, Errno)
from mm.memory import change_protection, move_page_range, zap_page_range
from mm.physmem import PAGE_SIZE
from mm.vma import (VMA, VM_EXEC, VM_GROWSDOWN, VM_LOCKED, VM_LOCKONFAULT, VM_MAYEXEC, VM_MAYREAD,
                    VM_MAYSHARE, VM_MAYWRITE, VM_READ, VM_SEALED, VM_SHARED, VM_WRITE,
                    prot_to_vm)  # noqa: F401
from fs.file import File, fget
from fs.pagecache import filemap_close
from fs.shmem import shmem_file_setup
from mm import physmem as _pm
from mm.memfd import memfd_check_seals_mmap
from mm.secretmem import secretmem_mmap_flags

PROT_READ, PROT_WRITE, PROT_EXEC, PROT_SEM = 1, 2, 4, 8
PROT_GROWSDOWN, PROT_GROWSUP = 0x01000000, 0x02000000

MAP_SHARED = 0x01
MAP_PRIVATE = 0x02
MAP_SHARED_VALIDATE = 0x03
MAP_TYPE = 0x0F
MAP_FIXED = 0x10
MAP_ANONYMOUS = 0x20
MAP_32BIT = 0x40
MAP_GROWSDOWN = 0x0100
MAP_DENYWRITE = 0x0800
MAP_EXECUTABLE = 0x1000
MAP_LOCKED = 0x2000
MAP_NORESERVE = 0x4000
MAP_POPULATE = 0x8000
MAP_NONBLOCK = 0x10000
MAP_STACK = 0x20000
MAP_HUGETLB = 0x40000
MAP_SYNC = 0x80000
MAP_FIXED_NOREPLACE = 0x100000

MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP = 1, 2, 4

MMAP_MIN_ADDR = 0x10000                 # vm.mmap_min_addr


def page_align(n):
    return (n + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)


# -- limits -----------------------------------------------------------------------


def may_expand_vm(mm, npages):
    """RLIMIT_AS: the address space may not grow past it (mm.rlim is the
    owning process's limits, set at fork and exec)."""
    rlim = mm.rlim
    return rlim is None or (mm.total_vm + npages) * PAGE_SIZE <= rlim[RLIMIT_AS][0]


def _memlock_limit(mm):
    rlim = mm.rlim
    return rlim[RLIMIT_MEMLOCK][0] if rlim is not None else None


def mlock_future_ok(mm, vm_flags, nbytes, cred_root):
    """May a new locked mapping of nbytes be made?  RLIMIT_MEMLOCK, unless
    the process may lock without limit (root: CAP_IPC_LOCK)."""
    if not vm_flags & VM_LOCKED or cred_root:
        return True
    limit = _memlock_limit(mm)
    return limit is None or (nbytes >> 12) + mm.locked_vm() <= limit >> 12


overcommit_memory = 0                   # /proc/sys/vm/overcommit_memory
# /proc/sys/vm/max_map_count: how many VMAs an mm may have; mmap, and the
# munmap or mprotect that would split one more, fail with ENOMEM beyond it
sysctl_max_map_count = 65530


def vm_enough_memory(npages):
    """vm.overcommit_memory 0, the heuristic: one request for more than the
    whole machine's memory fails at once; anything smaller is allowed, and
    running out later is the OOM killer's business.  1: always allowed.
    2 (Linux: strict accounting of every commitment): here, a request for
    more than is free now fails."""
    if overcommit_memory == 1:
        return True
    if overcommit_memory == 2:
        return npages <= _pm.physmem.nr_free
    return npages <= _pm.physmem.nr_frames


def _pages_mapped(mm, start, end):
    return sum(min(v.end, end) - max(v.start, start) for v in mm.vmas_in(start, end)) // PAGE_SIZE


# -- the VMA list -------------------------------------------------------------

def split_vma(mm, vma, addr):
    """Cut vma at addr; returns the new upper part (already in the list)."""
    upper = vma.split_copy(addr, vma.end)
    mm.remove_vma(vma)
    vma.end = addr
    if vma.zero_from is not None and vma.zero_from >= addr:
        vma.zero_from = None
    mm.insert_vma(vma)
    mm.insert_vma(upper)
    return upper


def _release_vma(vma):
    if vma.file is not None:
        filemap_close(vma)
        vma.file.put()
        vma.file = None


def do_munmap(mm, start, length):
    if start & (PAGE_SIZE - 1) or length == 0:
        raise Errno(EINVAL)
    end = start + page_align(length)
    if end > mm.task_size or end <= start:
        raise Errno(EINVAL)
    if mm.vmas and _sealed_in(mm, start, end):
        raise Errno(EPERM)                      # mm/mseal.py
    vmas = mm.vmas_in(start, end)
    if vmas and vmas[0].start < start and end < vmas[0].end \
            and len(mm.vmas) >= sysctl_max_map_count:
        raise Errno(ENOMEM)         # a hole in one VMA would make one too many
    for vma in vmas:
        if vma.start < start:
            vma = split_vma(mm, vma, start)
        if vma.end > end:
            split_vma(mm, vma, end)
        mm.remove_vma(vma)
        _release_vma(vma)
    if zap_page_range(mm, start, end):
        mm.note_unmap(start, end)
    return 0


def _sealed_in(mm, start, end):
    return any(v.flags & VM_SEALED for v in mm.vmas_in(start, end))


ADDR_COMPAT_LAYOUT = 0x0200000                  # personality(2)
_SIZE_128M = 128 << 20


def arch_pick_mmap_layout(mm, rlim_stack, personality):
    """Where exec's new mm places mappings (x86's arch_pick_mmap_layout):
    top-down below a gap for the stack as large as RLIMIT_STACK (at least
    128 MiB, at most 5/6 of the address space: an unlimited stack too, x86
    has no legacy layout for it), or - with ADDR_COMPAT_LAYOUT - the legacy
    layout, bottom-up from a third of the address space."""
    task_size = mm.task_size
    if personality & ADDR_COMPAT_LAYOUT:
        mm.mmap_legacy = True
        mm.mmap_base = page_align(task_size // 3)
        return
    gap = min(max(rlim_stack + STACK_GUARD_GAP, _SIZE_128M), task_size // 6 * 5)
    mm.mmap_legacy = False
    mm.mmap_base = (task_size - gap) & ~(PAGE_SIZE - 1)


def get_unmapped_area(mm, length, hint=0, limit=None, map32=False):
    """A free range of length bytes: at hint if it is free, else the highest
    gap below mmap_base (top-down, as Linux lays out x86-64), or the lowest
    above it in the legacy layout.  MAP_32BIT ignores the hint and searches
    bottom-up from 1 GiB to 2 GiB, as x86-64 Linux does."""
    if map32:
        return _bottom_up(mm, length, 0x40000000, 0x80000000)
    top = min(mm.mmap_base, limit or mm.task_size)
    if length > (limit or mm.task_size if mm.mmap_legacy else top) - MMAP_MIN_ADDR:
        raise Errno(ENOMEM)
    if hint:
        hint &= ~(PAGE_SIZE - 1)
        if MMAP_MIN_ADDR <= hint and hint + length <= mm.task_size \
                and not mm.vmas_in(hint, hint + length):
            nxt = mm.find_vma(hint)
            if nxt is None or hint + length <= _start_gap(nxt):
                return hint
    if mm.mmap_legacy:
        try:
            return _bottom_up(mm, length, top, limit or mm.task_size)
        except Errno:
            return _top_down(mm, length, top)      # then below the base
    return _top_down(mm, length, top, limit)


def _top_down(mm, length, top, limit=None):
    end = top
    for vma in reversed(mm.vmas):
        if vma.start >= end:
            continue
        # the gap [vma.end, end): end already keeps the upper VMA's guard
        if vma.end <= end and end - vma.end >= length and end - length >= MMAP_MIN_ADDR:
            return end - length
        end = _start_gap(vma)
    if end - length >= MMAP_MIN_ADDR:
        return end - length
    # nothing below mmap_base: try above it (bottom-up), up to TASK_SIZE
    return _bottom_up(mm, length, top, limit or mm.task_size)


STACK_GUARD_GAP = 256 * PAGE_SIZE          # Linux's stack_guard_gap


def expand_stack(mm, address):
    """A fault at address, below a VM_GROWSDOWN VMA (a MAP_GROWSDOWN
    mapping: a thread's stack, say): the VMA grows down over it, as
    Linux's expand_downwards, unless that comes within the guard gap of an
    accessible mapping below, goes past RLIMIT_STACK or RLIMIT_AS.
    Returns the VMA, or None (the fault is a SIGSEGV).  (exec maps the main
    stack's whole rlimit at once: this is for the stacks programs make.)"""
    vma = mm.find_vma(address)
    if vma is None or not vma.flags & VM_GROWSDOWN or vma.start <= address:
        return None
    address &= ~(PAGE_SIZE - 1)
    if address < MMAP_MIN_ADDR:
        return None
    i = mm.vmas.index(vma)
    prev = mm.vmas[i - 1] if i else None
    if prev is not None and not prev.flags & VM_GROWSDOWN \
            and prev.flags & (VM_READ | VM_WRITE | VM_EXEC) \
            and address - prev.end < STACK_GUARD_GAP:
        return None
    rlim = mm.rlim
    if rlim is not None and vma.end - address > rlim[RLIMIT_STACK][0]:
        return None
    if not may_expand_vm(mm, (vma.start - address) // PAGE_SIZE):
        return None
    mm.remove_vma(vma)
    vma.start = address                 # anonymous: pages go by address
    mm.insert_vma(vma)
    return vma


def _start_gap(vma):
    """Where a VMA starts for placement: a stack (VM_GROWSDOWN) keeps a
    guard gap below it free, as Linux's vm_start_gap()."""
    if vma.flags & VM_GROWSDOWN:
        return max(vma.start - STACK_GUARD_GAP, 0)
    return vma.start


def _bottom_up(mm, length, low, high):
    start = low
    for vma in mm.vmas:
        if vma.end <= start:
            continue
        if _start_gap(vma) >= start + length:
            break
        start = max(start, vma.end)
    if start + length <= high:
        return start
    raise Errno(ENOMEM)


# the flags MAP_SHARED_VALIDATE accepts (Linux's LEGACY_MAP_MASK)
LEGACY_MAP_MASK = (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE
                   | MAP_EXECUTABLE | 0x4000000 | MAP_GROWSDOWN | MAP_LOCKED
                   | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)
MAP_DROPPABLE = 0x08


def do_mmap(mm, addr, length, prot, flags, file=None, pgoff=0, name=None, cred_root=True):
    """Create a mapping; returns its address.  The checks come in Linux's
    order, so a call that is wrong in several ways gets the errno Linux
    gives (tests/test_fuzz.py holds us to it)."""
    if length == 0:
        raise Errno(EINVAL)
    if flags & MAP_FIXED_NOREPLACE:
        flags |= MAP_FIXED
    if not flags & MAP_FIXED:
        addr &= ~(PAGE_SIZE - 1)                # round_hint_to_min
        if addr and addr < MMAP_MIN_ADDR:
            addr = MMAP_MIN_ADDR
    length = page_align(length)
    if length == 0:
        raise Errno(ENOMEM)
    if pgoff + (length >> 12) >= 1 << 64:            # C overflow
        raise Errno(EOVERFLOW)
    if len(mm.vmas) > sysctl_max_map_count:      # too many mappings
        raise Errno(ENOMEM)
    # the address (get_unmapped_area)
    if length > mm.task_size - MMAP_MIN_ADDR:
        raise Errno(ENOMEM)
    if not flags & MAP_FIXED:
        addr = get_unmapped_area(mm, length, addr,
                                 map32=bool(flags & MAP_32BIT) and mm.arch.BITS == 64)
    if addr > mm.task_size - length:
        raise Errno(ENOMEM)
    if addr & (PAGE_SIZE - 1):
        raise Errno(EINVAL)
    if addr < MMAP_MIN_ADDR and not cred_root:
        raise Errno(EPERM)                      # needs CAP_SYS_RAWIO
    if flags & MAP_FIXED_NOREPLACE and mm.vmas_in(addr, addr + length):
        raise Errno(EEXIST)
    vm = prot_to_vm(prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | mm.def_flags
    if flags & MAP_LOCKED:
        if not cred_root and _memlock_limit(mm) == 0:
            raise Errno(EPERM)                  # can_do_mlock
        vm |= VM_LOCKED
    if not mlock_future_ok(mm, vm, length, cred_root):
        raise Errno(EAGAIN)
    if flags & MAP_GROWSDOWN:
        vm |= VM_GROWSDOWN
    vm, flags, file, pgoff = _mmap_type_checks(mm, file, pgoff, length, prot, flags, vm,
                                               cred_root)
    if file is None:
        pgoff = 0
    return mmap_region(mm, addr, length, vm, flags, file, pgoff, name)


def _mmap_type_checks(mm, file, pgoff, length, prot, flags, vm, cred_root):
    """MAP_SHARED/PRIVATE/... against the file (or none): the VM_* flags
    the mapping gets, the flags as Linux goes on with them, and the file
    and offset really mapped (a ring's memory, /dev/zero's none)."""
    kind = flags & MAP_TYPE
    if file is not None:
        mmap_file = file.f_op.mmap_file
        if mmap_file is not None:
            # a file that maps memory of another (io_uring's rings): that
            # file, at its own offset, less the VM flags it forbids
            file, pgoff, vm_clear = mmap_file(file, pgoff, length, prot)
            vm &= ~vm_clear
        if kind == MAP_SHARED:
            flags &= LEGACY_MAP_MASK
        if kind in (MAP_SHARED, MAP_SHARED_VALIDATE):
            if flags & ~LEGACY_MAP_MASK:
                raise Errno(EOPNOTSUPP)
            if prot & PROT_WRITE and not file.writable():
                raise Errno(EACCES)
            vm |= VM_SHARED | VM_MAYSHARE
            if not file.writable():
                vm &= ~(VM_MAYWRITE | VM_SHARED)
        if kind in (MAP_SHARED, MAP_SHARED_VALIDATE, MAP_PRIVATE):
            if not file.readable():
                raise Errno(EACCES)
            if file.mapping is None and not file.f_op.mmap_zero:
                raise Errno(ENODEV)
            if vm & VM_GROWSDOWN:
                raise Errno(EINVAL)
        else:
            raise Errno(EINVAL)
        if file.inode.seals:
            vm = memfd_check_seals_mmap(file, vm)
        if file.inode.secretmem:
            vm = secretmem_mmap_flags(file, vm, cred_root, mm, length)
        if file.f_op.mmap_zero:
            # /dev/zero: private is anonymous memory, shared a fresh shmem
            # object (below), as Linux's mmap_zero
            file, pgoff = None, 0
    else:
        if kind == MAP_SHARED:
            if vm & VM_GROWSDOWN:
                raise Errno(EINVAL)
            vm |= VM_SHARED | VM_MAYSHARE
        elif kind not in (MAP_PRIVATE, MAP_DROPPABLE):
            raise Errno(EINVAL)
    return vm, flags, file, pgoff


def mmap_region(mm, addr, length, vm, flags, file, pgoff, name):
    """The address-space limits, replace whatever was there, charge the
    memory, insert the VMA; returns addr."""
    npages = length // PAGE_SIZE
    already = _pages_mapped(mm, addr, addr + length) if flags & MAP_FIXED else 0
    if not may_expand_vm(mm, npages - already):
        raise Errno(ENOMEM)
    if flags & MAP_FIXED:
        do_munmap(mm, addr, length)
    if file is not None and file.mmap_check is not None:
        # what the file's own mmap refuses once the old mapping is gone
        # (a System V segment removed by that unmap: ipc/shm.py)
        file.mmap_check()
    # (the stack is reserved whole here but grows on demand on Linux: it is
    # not charged up front)
    if not flags & MAP_NORESERVE and vm & (VM_SHARED | VM_WRITE) == VM_WRITE \
            and name != "[stack]" and not vm_enough_memory(npages):
        raise Errno(ENOMEM)
    if file is None and vm & VM_SHARED:
        file = shmem_file_setup(length)         # the VMA's own reference
    elif file is not None:
        file.get()
    vma = VMA(addr, addr + length, vm, file, pgoff, name)
    mm.insert_vma(vma)
    # LAB lazy: begin
    # LAB lazy: starter
    #> if file is None:
    #>     # eager: every page of private anonymous memory gets its frame now
    #>     # (of the stack, which is reserved whole, the top 256 KiB)
    #>     from mm.memory import populate_anon
    #>     low = max(vma.start, vma.end - (256 << 10)) if name == "[stack]" else vma.start
    #>     populate_anon(mm, vma, low, vma.end)
    # LAB lazy: end
    return addr


def mprotect_fixup(mm, start, end, prot):
    """Give [start, end) the protection prot, VMA by VMA in address order,
    as Linux does: a hole or a forbidden VMA stops the walk with ENOMEM or
    EACCES, and the VMAs before it keep their new protection."""
    newflags = prot_to_vm(prot)
    if _sealed_in(mm, start, end):
        raise Errno(EPERM)                      # mm/mseal.py: all or nothing
    pos = start
    for v in mm.vmas_in(start, end):
        if v.start > pos:
            raise Errno(ENOMEM)
        if newflags & VM_WRITE and not v.flags & VM_MAYWRITE or \
                newflags & VM_READ and not v.flags & VM_MAYREAD or \
                newflags & VM_EXEC and not v.flags & VM_MAYEXEC:
            raise Errno(EACCES)
        if (v.start < start or v.end > end) and len(mm.vmas) >= sysctl_max_map_count \
                and (v.flags & (VM_READ | VM_WRITE | VM_EXEC)) != newflags:
            raise Errno(ENOMEM)     # the split would make one VMA too many
        if v.start < start:
            v = split_vma(mm, v, start)
        if v.end > end:
            split_vma(mm, v, end)
        v.flags = (v.flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | newflags
        change_protection(mm, v, v.start, v.end)
        # LAB lazy: begin
        # LAB lazy: starter
        #> if v.file is None and v.name != "[stack]":
        #>     from mm.memory import populate_anon
        #>     populate_anon(mm, v, v.start, v.end)     # accessible now: eager
        # LAB lazy: end
        pos = v.end
    if pos < end:
        raise Errno(ENOMEM)


def do_brk(mm, newbrk):
    """brk(2): returns the new break, or the old one if it cannot move."""
    if newbrk < mm.start_brk:
        return mm.brk
    old_top, new_top = page_align(mm.brk), page_align(newbrk)
    if new_top == old_top:
        mm.brk = newbrk
        return newbrk
    if new_top < old_top:
        if _sealed_in(mm, new_top, old_top):
            return mm.brk
        do_munmap(mm, new_top, old_top - new_top)
        mm.brk = newbrk
        return newbrk
    # grow: the new part must not collide with anything (a stack guard gap
    # of one page included, as Linux keeps)
    nxt = mm.find_vma(old_top)
    if nxt is not None and nxt.start < new_top + PAGE_SIZE:
        return mm.brk
    if new_top > mm.task_size:
        return mm.brk
    rlim = mm.rlim
    if rlim is not None and (newbrk - mm.start_brk) + (mm.end_data - mm.start_data) \
            > rlim[RLIMIT_DATA][0]:
        return mm.brk                   # check_data_rlimit
    grow = (new_top - old_top) // PAGE_SIZE
    if not may_expand_vm(mm, grow) or not vm_enough_memory(grow):
        return mm.brk
    heap = mm.vma_at(old_top - 1) if old_top > mm.start_brk else None
    if heap is not None and heap.name == "[heap]":
        mm.remove_vma(heap)
        heap.end = new_top
        mm.insert_vma(heap)
    else:
        mm.insert_vma(VMA(old_top, new_top, VM_READ | VM_WRITE | VM_MAYREAD
                          | VM_MAYWRITE | VM_MAYEXEC | mm.def_flags, name="[heap]"))
    # LAB lazy: begin
    # LAB lazy: starter
    #> from mm.memory import populate_anon
    #> populate_anon(mm, mm.vma_at(old_top), old_top, new_top)   # eager
    # LAB lazy: end
    mm.brk = newbrk
    if mm.def_flags & VM_LOCKED:                   # mlockall(MCL_FUTURE)
        # cycle: mm.mlock -> mm.mmap
        from mm.mlock import mm_populate
        mm_populate(mm, old_top, new_top, ignore_errors=True)
    return newbrk


# -- system calls ----------------------------------------------------------------

def ksys_mmap_pgoff(t, addr, length, prot, flags, fd, pgoff):
    file = None
    if not flags & MAP_ANONYMOUS:
        file = fget(t, fd)
        if file is None or file.mode & 4:           # missing or O_PATH
            raise Errno(EBADF)
        if flags & MAP_HUGETLB:
            raise Errno(EINVAL)
    elif flags & MAP_HUGETLB:
        raise Errno(EINVAL)                         # no hstate: a kernel without hugetlb
    addr = do_mmap(t.mm, addr, length, prot, flags, file, pgoff,
                   cred_root=capable(t, CAP_IPC_LOCK))
    vma = t.mm.vma_at(addr)
    if vma is not None and (vma.flags & (VM_LOCKED | VM_LOCKONFAULT) == VM_LOCKED
                            or flags & (MAP_POPULATE | MAP_NONBLOCK) == MAP_POPULATE):
        # a locked mapping is resident from the start; MAP_POPULATE asks
        # for the same (a failure to fault in is not mmap's)
        # cycle: mm.mlock -> mm.mmap
        from mm.mlock import mm_populate
        mm_populate(t.mm, addr, addr + page_align(length), ignore_errors=True)
    return addr


def sys_mmap(t, addr, length, prot, flags, fd, off):
    if off & (PAGE_SIZE - 1):
        return -EINVAL
    fd = fd & 0xFFFFFFFF
    fd = fd - (1 << 32) if fd & 0x80000000 else fd
    return ksys_mmap_pgoff(t, addr, length, prot, flags, fd, off >> 12)


def sys_munmap(t, addr, length):
    return do_munmap(t.mm, addr, length)


def sys_mprotect(t, start, length, prot):
    prot &= 0xFFFFFFFF
    grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP)
    prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP)
    if grows == PROT_GROWSDOWN | PROT_GROWSUP:
        return -EINVAL
    if start & (PAGE_SIZE - 1):
        return -EINVAL
    if length == 0:
        return 0
    length = page_align(length) & MASK64
    end = (start + length) & MASK64
    if end <= start:
        return -ENOMEM
    if prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM):
        return -EINVAL
    if end > t.mm.task_size:
        end = max(t.mm.task_size, start)
        if not t.mm.vmas_in(start, end):
            return -ENOMEM
        mprotect_fixup(t.mm, start, end, prot & 7)
        return -ENOMEM
    mprotect_fixup(t.mm, start, end, prot & 7)
    return 0


def sys_brk(t, brk):
    mm = t.mm
    if brk > mm.brk and not mlock_future_ok(mm, mm.def_flags, page_align(brk) - page_align(mm.brk),
                                            capable(t, CAP_IPC_LOCK)):
        return mm.brk
    return do_brk(mm, brk)


MASK64 = (1 << 64) - 1


def sys_mremap(t, addr, old_len, new_len, flags, new_addr):
    res = do_mremap(t, addr, old_len, new_len, flags, new_addr)
    old_len, new_len = page_align(old_len) & MASK64, page_align(new_len) & MASK64
    if res >= 0 and new_len > old_len:
        vma = t.mm.vma_at(res)
        if vma is not None and vma.flags & (VM_LOCKED | VM_LOCKONFAULT) == VM_LOCKED:
            # cycle: mm.mlock -> mm.mmap
            from mm.mlock import mm_populate        # a locked mapping grew
            mm_populate(t.mm, res + old_len, res + new_len, ignore_errors=True)
    return res


def do_mremap(t, addr, old_len, new_len, flags, new_addr):
    """Resize a mapping in place when it can; move it with MREMAP_MAYMOVE.
    Checks in the host kernel's order (tests/test_fuzz.py compares)."""
    mm = t.mm
    if flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP):
        return -EINVAL
    if flags & MREMAP_FIXED and not flags & MREMAP_MAYMOVE:
        return -EINVAL
    old_len = page_align(old_len) & MASK64         # C arithmetic: may wrap to 0
    new_len = page_align(new_len) & MASK64
    if flags & MREMAP_DONTUNMAP and (not flags & MREMAP_MAYMOVE or old_len != new_len):
        return -EINVAL
    if addr & (PAGE_SIZE - 1):
        return -EINVAL
    if new_len == 0 or new_len > mm.task_size:
        return -EINVAL
    moving = bool(flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
    if moving:
        if new_addr > mm.task_size - new_len or new_addr & (PAGE_SIZE - 1):
            return -EINVAL
        if (addr + old_len) & MASK64 > new_addr and new_addr + new_len > addr:
            return -EINVAL
    vma = mm.vma_at(addr)
    if vma is None:
        return -EFAULT
    if _sealed_in(mm, addr, addr + max(old_len, PAGE_SIZE)):
        return -EPERM                           # mm/mseal.py
    if moving:
        # Linux's mremap_to: free the target, drop the tail a shrink loses,
        # and only then check what is left of the old range
        if flags & MREMAP_FIXED:
            do_munmap(mm, new_addr, new_len)
        if old_len > new_len:
            do_munmap(mm, addr + new_len, old_len - new_len)
            old_len = new_len
        vma = mm.vma_at(addr)
        if vma is None:
            return -EFAULT
    if moving or new_len > old_len:
        if old_len == 0 and not vma.flags & (VM_SHARED | VM_MAYSHARE):
            return -EINVAL
        if vma.flags & VM_DONTEXPAND_:
            return -EFAULT
        if old_len > vma.end - addr:
            return -EFAULT
    if moving:
        return _mremap_move(mm, vma, addr, old_len, new_len, new_addr,
                            fixed=bool(flags & MREMAP_FIXED),
                            dontunmap=bool(flags & MREMAP_DONTUNMAP))
    if old_len >= new_len:
        if old_len > new_len:
            do_munmap(mm, addr + new_len, old_len - new_len)
        return addr
    # grow in place if the VMA ends there and the space after it is free
    if old_len == vma.end - addr:
        end = addr + new_len
        nxt = mm.find_vma(vma.end)
        if end <= mm.task_size and (nxt is None or nxt.start >= end):
            mm.remove_vma(vma)
            vma.end = end
            mm.insert_vma(vma)
            return addr
    if not flags & MREMAP_MAYMOVE:
        return -ENOMEM
    return _mremap_move(mm, vma, addr, old_len, new_len, 0, fixed=False)


VM_DONTEXPAND_ = 0x40000


def _mremap_move(mm, vma, old_addr, old_len, new_len, new_addr, fixed, dontunmap=False):
    """Move [old_addr, +old_len) to a new place by moving its ptes."""
    if not fixed:
        new_addr = get_unmapped_area(mm, new_len, new_addr)
    # the part of the VMA being moved
    if vma.start < old_addr:
        vma = split_vma(mm, vma, old_addr)
    if vma.end > old_addr + old_len:
        split_vma(mm, vma, old_addr + old_len)
    moved = min(old_len, new_len)
    if dontunmap:
        # the old range stays, empty (anonymous pages read as zero again)
        new = vma.split_copy(vma.start, vma.end)
        vma.flags &= ~(VM_LOCKED | VM_LOCKONFAULT)     # the locks move too
        move_page_range(mm, old_addr, new_addr, moved)
        mm.note_unmap(old_addr, old_addr + old_len)
        new.start, new.end = new_addr, new_addr + new_len
        mm.insert_vma(new)
        return new_addr
    mm.remove_vma(vma)
    move_page_range(mm, old_addr, new_addr, moved)
    if old_len > moved:
        zap_page_range(mm, old_addr + moved, old_addr + old_len)
    mm.note_unmap(old_addr, old_addr + old_len)
    vma.start, vma.end = new_addr, new_addr + new_len
    mm.insert_vma(vma)
    return new_addr


def sys_remap_file_pages(t, start, size, prot, pgoff, flags):
    """The old non-linear mapping call, emulated as Linux has since 4.0:
    [start, start+size) of a shared file mapping is mapped afresh, MAP_FIXED,
    from file page pgoff with the mapping's own protections.  prot must be
    0; flags other than MAP_NONBLOCK are ignored.  Returns 0."""
    mm = t.mm
    if prot:
        return -EINVAL
    start &= ~(PAGE_SIZE - 1)
    size &= ~(PAGE_SIZE - 1)
    limit = 1 << mm.arch.BITS
    if start + size <= start or start + size >= limit:
        return -EINVAL
    if pgoff + (size >> 12) >= limit:                # pgoff wraps
        return -EINVAL
    vma = mm.vma_at(start)
    if vma is None or not vma.flags & VM_SHARED or vma.file is None:
        return -EINVAL
    if start + size > vma.end:
        # the range may go on through VMAs of the same file and flags
        end = vma.end
        for v in mm.vmas_in(vma.end, start + size):
            if v.start != end or v.file is not vma.file or v.flags != vma.flags:
                return -EINVAL
            end = v.end
        if end < start + size:
            return -EINVAL
    prot = (PROT_READ if vma.flags & VM_READ else 0) | \
        (PROT_WRITE if vma.flags & VM_WRITE else 0) | \
        (PROT_EXEC if vma.flags & VM_EXEC else 0)
    mflags = (flags & MAP_NONBLOCK) | MAP_SHARED | MAP_FIXED | MAP_POPULATE
    if vma.flags & VM_LOCKED:
        mflags |= MAP_LOCKED
    file = vma.file
    # a reference of the call's own while the unmap drops the VMA's (a
    # file's, not a new attachment of a System V segment)
    File.get(file)
    try:
        do_mmap(mm, start, size, prot, mflags, file, pgoff,
                cred_root=capable(t, CAP_IPC_LOCK))
    finally:
        File.put(file)
    if not flags & MAP_NONBLOCK:
        # cycle: mm.mlock -> mm.mmap
        from mm.mlock import mm_populate
        mm_populate(mm, start, start + size, ignore_errors=True)
    return 0
