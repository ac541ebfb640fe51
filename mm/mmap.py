"""mm/mmap.py - mmap, munmap, mprotect, brk, mremap: changing the VMAs.

These only edit VMAs and ptes.  The host process learns of the change at the
next TLB flush (mm/tlb.py): an unmap becomes one host munmap of the whole
range (and none at all if nothing in it had been faulted in), a protection
change an mprotect of the pages that are mapped.
"""

from kernel.errno import (EACCES, EBADF, EEXIST, EFAULT, EINVAL, ENODEV,
                          ENOMEM, EPERM, Errno)
from mm.memory import change_protection, zap_page_range
from mm.physmem import PAGE_SIZE
from mm.vma import (VM_EXEC, VM_GROWSDOWN, VM_MAYEXEC, VM_MAYREAD,
                    VM_MAYSHARE, VM_MAYWRITE, VM_READ, VM_SHARED, VM_WRITE,
                    VMA, prot_to_vm)  # noqa: F401

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

RLIMIT_DATA, RLIMIT_AS = 2, 9


def may_expand_vm(mm, npages):
    """RLIMIT_AS: the address space may not grow past it (mm.rlim is the
    owning process's limits, set at fork and exec)."""
    rlim = getattr(mm, "rlim", None)
    return rlim is None or (mm.total_vm + npages) * PAGE_SIZE <= rlim[RLIMIT_AS][0]


def vm_enough_memory(npages):
    """The overcommit heuristic (vm.overcommit_memory=0): one request for
    more than the whole machine's memory fails at once; anything smaller is
    allowed, and running out later is the OOM killer's business."""
    from mm import physmem as _pm
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
        vma.file.put()
        vma.file = None


def do_munmap(mm, start, length):
    if start & (PAGE_SIZE - 1) or length == 0:
        raise Errno(EINVAL)
    end = start + page_align(length)
    if end > mm.task_size or end <= start:
        raise Errno(EINVAL)
    for vma in mm.vmas_in(start, end):
        if vma.start < start:
            vma = split_vma(mm, vma, start)
        if vma.end > end:
            split_vma(mm, vma, end)
        mm.remove_vma(vma)
        _release_vma(vma)
    if zap_page_range(mm, start, end):
        mm.note_unmap(start, end)
    return 0


def get_unmapped_area(mm, length, hint=0, limit=None):
    """A free range of length bytes: at hint if it is free, else the highest
    gap below mmap_base (top-down, as Linux lays out x86-64)."""
    top = min(mm.mmap_base, limit or mm.task_size)
    if length > top - MMAP_MIN_ADDR:
        raise Errno(ENOMEM)
    if hint:
        hint = page_align(hint)
        if MMAP_MIN_ADDR <= hint and hint + length <= mm.task_size \
                and not mm.vmas_in(hint, hint + length):
            return hint
    end = top
    for vma in reversed(mm.vmas):
        if vma.start >= end:
            continue
        if vma.end <= end and end - vma.end >= length and end - length >= MMAP_MIN_ADDR:
            return end - length
        end = vma.start
    if end - length >= MMAP_MIN_ADDR:
        return end - length
    # nothing below mmap_base: try above it (bottom-up), up to TASK_SIZE
    start = top
    for vma in mm.vmas:
        if vma.end <= start:
            continue
        if vma.start >= start + length:
            break
        start = max(start, vma.end)
    if start + length <= (limit or mm.task_size):
        return start
    raise Errno(ENOMEM)


def do_mmap(mm, addr, length, prot, flags, file=None, pgoff=0, name=None):
    """Create a mapping; returns its address.  Checks that belong to the
    file (open mode, mmap support) are done by the caller."""
    if length == 0:
        raise Errno(EINVAL)
    length = page_align(length)
    if length == 0 or length > mm.task_size:
        raise Errno(ENOMEM)
    vm = prot_to_vm(prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC
    if flags & MAP_TYPE in (MAP_SHARED, MAP_SHARED_VALIDATE):
        vm |= VM_SHARED | VM_MAYSHARE
    if flags & MAP_GROWSDOWN:
        vm |= VM_GROWSDOWN
    if file is not None:
        if not file.readable():
            vm &= ~(VM_MAYREAD | VM_MAYEXEC)
        if vm & VM_SHARED and not file.writable():
            vm &= ~VM_MAYWRITE
    npages = length // PAGE_SIZE
    # (the stack is reserved whole here but grows on demand on Linux: it is
    # not accounted up front)
    if not flags & MAP_NORESERVE and vm & (VM_SHARED | VM_WRITE) == VM_WRITE \
            and name != "[stack]" and not vm_enough_memory(npages):
        raise Errno(ENOMEM)
    if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE):
        if addr & (PAGE_SIZE - 1):
            raise Errno(EINVAL)
        if addr + length > mm.task_size or addr + length < addr:
            raise Errno(ENOMEM)
        if addr < MMAP_MIN_ADDR:
            raise Errno(EPERM)
        if not may_expand_vm(mm, npages - _pages_mapped(mm, addr, addr + length)):
            raise Errno(ENOMEM)
        if flags & MAP_FIXED_NOREPLACE and not flags & MAP_FIXED:
            if mm.vmas_in(addr, addr + length):
                raise Errno(EEXIST)
        else:
            do_munmap(mm, addr, length)
    else:
        if not may_expand_vm(mm, npages):
            raise Errno(ENOMEM)
        addr = get_unmapped_area(mm, length, addr,
                                 limit=0x80000000 if flags & MAP_32BIT else None)
    if file is not None:
        file.get()
    vma = VMA(addr, addr + length, vm, file, pgoff, name)
    mm.insert_vma(vma)
    return addr


def mprotect_fixup(mm, start, end, prot):
    newflags = prot_to_vm(prot)
    vmas = mm.vmas_in(start, end)
    # the whole range must be mapped
    pos = start
    for v in vmas:
        if v.start > pos:
            raise Errno(ENOMEM)
        pos = v.end
    if pos < end:
        raise Errno(ENOMEM)
    for v in vmas:
        if newflags & VM_WRITE and not v.flags & VM_MAYWRITE:
            raise Errno(EACCES)
        if newflags & VM_READ and not v.flags & VM_MAYREAD:
            raise Errno(EACCES)
        if newflags & VM_EXEC and not v.flags & VM_MAYEXEC:
            raise Errno(EACCES)
    for v in vmas:
        if v.start < start:
            v = split_vma(mm, v, start)
        if v.end > end:
            split_vma(mm, v, end)
        v.flags = (v.flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | newflags
        change_protection(mm, v, v.start, v.end)


def do_brk(mm, newbrk):
    """brk(2): returns the new break, or the old one if it cannot move."""
    if newbrk < mm.start_brk:
        return mm.brk
    old_top, new_top = page_align(mm.brk), page_align(newbrk)
    if new_top == old_top:
        mm.brk = newbrk
        return newbrk
    if new_top < old_top:
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
    rlim = getattr(mm, "rlim", None)
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
                          | VM_MAYWRITE | VM_MAYEXEC, name="[heap]"))
    mm.brk = newbrk
    return newbrk


# -- system calls ----------------------------------------------------------------

def _check_mmap_file(t, fd, prot, flags):
    from fs.file import fget
    f = fget(t, fd)
    if f is None:
        raise Errno(EBADF)
    if f.mapping is None:
        raise Errno(ENODEV)
    if not f.readable():
        raise Errno(EACCES)
    if flags & MAP_TYPE in (MAP_SHARED, MAP_SHARED_VALIDATE) and prot & PROT_WRITE \
            and not f.writable():
        raise Errno(EACCES)
    return f


def ksys_mmap_pgoff(t, addr, length, prot, flags, fd, pgoff):
    mm = t.mm
    if flags & MAP_TYPE not in (MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE):
        raise Errno(EINVAL)
    if prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM):
        raise Errno(EINVAL)
    if length == 0:
        raise Errno(EINVAL)
    file = None
    if not flags & MAP_ANONYMOUS:
        file = _check_mmap_file(t, fd, prot, flags)
    elif flags & MAP_TYPE != MAP_PRIVATE:
        from fs.shmem import shmem_file_setup
        file = shmem_file_setup(page_align(length))
        pgoff = 0
    else:
        pgoff = 0
    try:
        return do_mmap(mm, addr, length, prot, flags, file, pgoff)
    finally:
        if file is not None and flags & MAP_ANONYMOUS:
            file.put()                  # the VMA holds its own reference


def sys_mmap(t, addr, length, prot, flags, fd, off):
    if off & (PAGE_SIZE - 1):
        return -EINVAL
    fd = fd & 0xFFFFFFFF
    fd = fd - (1 << 32) if fd & 0x80000000 else fd
    return ksys_mmap_pgoff(t, addr, length, prot, flags, fd, off >> 12)


def sys_munmap(t, addr, length):
    return do_munmap(t.mm, addr, length)


def sys_mprotect(t, start, length, prot):
    if start & (PAGE_SIZE - 1):
        return -EINVAL
    if prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP):
        return -EINVAL
    length = page_align(length)
    end = start + length
    if end < start:
        return -ENOMEM
    if end > t.mm.task_size:
        return -ENOMEM
    if length == 0:
        return 0
    mprotect_fixup(t.mm, start, end, prot & 7)
    return 0


def sys_brk(t, brk):
    return do_brk(t.mm, brk)


def sys_mremap(t, old_addr, old_len, new_len, flags, new_addr):
    """Resize a mapping in place when it can; move it with MREMAP_MAYMOVE."""
    mm = t.mm
    if old_addr & (PAGE_SIZE - 1) or flags & ~7:
        return -EINVAL
    if flags & MREMAP_FIXED and not flags & MREMAP_MAYMOVE:
        return -EINVAL
    old_len, new_len = page_align(old_len), page_align(new_len)
    if new_len == 0:
        return -EINVAL
    vma = mm.vma_at(old_addr)
    if vma is None or old_addr + old_len > vma.end:
        return -EFAULT
    if flags & MREMAP_FIXED:
        return _mremap_move(mm, vma, old_addr, old_len, new_len, new_addr, fixed=True)
    if new_len <= old_len:
        if new_len < old_len:
            do_munmap(mm, old_addr + new_len, old_len - new_len)
        return old_addr
    # grow in place if the VMA ends there and the space after it is free
    end = old_addr + new_len
    if old_addr + old_len == vma.end and end <= mm.task_size \
            and not mm.vmas_in(vma.end, end):
        mm.remove_vma(vma)
        vma.end = end
        mm.insert_vma(vma)
        return old_addr
    if not flags & MREMAP_MAYMOVE:
        return -ENOMEM
    return _mremap_move(mm, vma, old_addr, old_len, new_len, 0, fixed=False)


def _mremap_move(mm, vma, old_addr, old_len, new_len, new_addr, fixed):
    """Move [old_addr, +old_len) to a new place by moving its ptes."""
    from mm.memory import move_page_range
    if fixed:
        if new_addr & (PAGE_SIZE - 1) or new_addr + new_len > mm.task_size:
            return -EINVAL
        if new_addr < old_addr + old_len and old_addr < new_addr + new_len:
            return -EINVAL
        do_munmap(mm, new_addr, new_len)
    else:
        new_addr = get_unmapped_area(mm, new_len)
    # the part of the VMA being moved
    if vma.start < old_addr:
        vma = split_vma(mm, vma, old_addr)
    if vma.end > old_addr + old_len:
        split_vma(mm, vma, old_addr + old_len)
    mm.remove_vma(vma)
    moved = min(old_len, new_len)
    move_page_range(mm, old_addr, new_addr, moved)
    if old_len > moved:
        zap_page_range(mm, old_addr + moved, old_addr + old_len)
    mm.note_unmap(old_addr, old_addr + old_len)
    vma.start, vma.end = new_addr, new_addr + new_len
    mm.insert_vma(vma)
    return new_addr

