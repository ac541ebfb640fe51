"""mm/mlock.py - mlock, mlock2, munlock, mlockall, munlockall.

Locking marks VMAs VM_LOCKED (VM_LOCKONFAULT too for MLOCK_ONFAULT /
MCL_ONFAULT) and faults their pages in now, as Linux does, since a locked
page must be resident.  There is no swap here, so that is all "locked"
means; /proc/PID/status reports the locked pages as VmLck (mm.locked_vm()).
mlockall(MCL_FUTURE) puts VM_LOCKED into mm.def_flags, which every later
mapping takes.  Locks belong to the address space: fork does not pass them
on, exec drops them with the old mm.

Like Linux, root (CAP_IPC_LOCK) may lock without limit; anyone else is held
to RLIMIT_MEMLOCK.
"""

from kernel.abi import RLIMIT_MEMLOCK
from kernel.errno import EAGAIN, EFAULT, EINVAL, ENOMEM, EPERM, Errno
from mm.physmem import PAGE_SIZE
from mm.vma import (VM_DONTEXPAND, VM_EXEC, VM_LOCKED, VM_LOCKED_MASK, VM_LOCKONFAULT, VM_READ,
                    VM_SHARED, VM_WRITE)
from mm.memory import VMFault, handle_mm_fault, pte_touched
from mm.mmap import split_vma
from mm.pgtable import _PAGE_PRESENT, _PAGE_PROTNONE, _PAGE_RW
from kernel.capability import CAP_IPC_LOCK, capable

MLOCK_ONFAULT = 0x01
MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT = 1, 2, 4
MASK64 = (1 << 64) - 1


def _capable(t):
    return capable(t, CAP_IPC_LOCK)


def _lock_limit(t):
    """RLIMIT_MEMLOCK in pages (None: no limit for this task)."""
    if _capable(t):
        return None
    return t.signal.rlim[RLIMIT_MEMLOCK][0] // PAGE_SIZE


def can_do_mlock(t):
    return _capable(t) or t.signal.rlim[RLIMIT_MEMLOCK][0] != 0


# -- faulting pages in ----------------------------------------------------------------

def populate_vma_range(mm, vma, start, end):
    """Fault in [start, end) of vma as an access would.  A writable private
    mapping takes write faults (copy-on-write broken now, as Linux's
    populate does); others read faults.  Inaccessible and lock-on-fault
    VMAs are left alone.  Raises Errno: EFAULT (SIGBUS-like: beyond the
    end of a file) or ENOMEM (out of memory)."""
    if vma.flags & VM_LOCKONFAULT or not vma.flags & (VM_READ | VM_WRITE | VM_EXEC):
        return
    write = vma.flags & (VM_WRITE | VM_SHARED) == VM_WRITE
    start = max(start, mm.vma_in_use_start(vma))
    pt = mm.pt
    for a in range(start, end, PAGE_SIZE):
        idx = pt.pte_index(a)
        if idx is not None:
            pte = pt.q[idx]
            if pte & (_PAGE_PRESENT | _PAGE_PROTNONE) and (not write or pte & _PAGE_RW):
                pte_touched(pt.q, idx)
                continue
        try:
            handle_mm_fault(mm, vma, a, write)
        except VMFault as e:
            raise Errno(ENOMEM if e.kind == "oom" else EFAULT)


def mm_populate(mm, start, end, ignore_errors=False):
    """Fault in every VMA part inside [start, end)."""
    for vma in mm.vmas_in(start, end):
        try:
            populate_vma_range(mm, vma, max(start, vma.start), min(end, vma.end))
        except Errno:
            if not ignore_errors:
                raise


# -- the VMA flags ----------------------------------------------------------------------

def mlock_fixup(mm, vma, start, end, newflags):
    """Give [start, end) of vma newflags (splitting it as needed)."""
    if vma.flags == newflags or vma.flags & VM_DONTEXPAND or vma.name in ("[vdso]", "[vvar]"):
        return                                  # (special mappings are never locked)
    if vma.start < start:
        vma = split_vma(mm, vma, start)
    if vma.end > end:
        split_vma(mm, vma, end)
    vma.flags = newflags


def apply_vma_lock_flags(mm, start, length, flags):
    """Set the lock flags of [start, start+length) to flags, VMA by VMA;
    ENOMEM at a hole (the VMAs before it keep their new flags)."""
    end = start + length
    if end > MASK64:
        raise Errno(EINVAL)                     # wraps around
    if end == start:
        return
    if mm.vma_at(start) is None:
        raise Errno(ENOMEM)
    pos = start
    for vma in mm.vmas_in(start, end):
        if vma.start > pos:
            raise Errno(ENOMEM)
        tmp = min(vma.end, end)
        mlock_fixup(mm, vma, pos, tmp, (vma.flags & ~VM_LOCKED_MASK) | flags)
        pos = tmp
    if pos < end:
        raise Errno(ENOMEM)


def _page_range(start, length):
    """(page-aligned length, start): the pages start..start+length touch,
    with C's wrap-around (a length near 2**64 aligns to 0)."""
    length = ((length + (start & (PAGE_SIZE - 1)) + PAGE_SIZE - 1) & MASK64) & ~(PAGE_SIZE - 1)
    return length, start & ~(PAGE_SIZE - 1)


def _mlocked_pages_in(mm, start, end):
    return sum(min(v.end, end) - max(v.start, start) for v in mm.vmas_in(start, end)
               if v.flags & VM_LOCKED) // PAGE_SIZE


def do_mlock(t, start, length, flags):
    mm = t.mm
    if not can_do_mlock(t):
        return -EPERM
    length, start = _page_range(start, length)
    limit = _lock_limit(t)
    if limit is not None:
        locked = (length >> 12) + mm.locked_vm()
        if locked > limit:
            locked -= _mlocked_pages_in(mm, start, start + length)
        if locked > limit:
            return -ENOMEM
    apply_vma_lock_flags(mm, start, length, flags)
    try:
        mm_populate(mm, start, start + length)
    except Errno as e:
        # as mlock(2) reports a failure to fault in
        return -ENOMEM if e.errno == EFAULT else -EAGAIN if e.errno == ENOMEM else -e.errno
    return 0


def sys_mlock(t, start, length):
    return do_mlock(t, start, length, VM_LOCKED)


def sys_mlock2(t, start, length, flags):
    flags &= 0xFFFFFFFF
    if flags & ~MLOCK_ONFAULT:
        return -EINVAL
    return do_mlock(t, start, length, VM_LOCKED | (VM_LOCKONFAULT if flags else 0))


def sys_munlock(t, start, length):
    length, start = _page_range(start, length)
    apply_vma_lock_flags(t.mm, start, length, 0)
    return 0


def apply_mlockall_flags(mm, flags):
    mm.def_flags &= ~VM_LOCKED_MASK
    if flags & MCL_FUTURE:
        mm.def_flags |= VM_LOCKED
        if flags & MCL_ONFAULT:
            mm.def_flags |= VM_LOCKONFAULT
        if not flags & MCL_CURRENT:
            return
    to_add = 0
    if flags & MCL_CURRENT:
        to_add = VM_LOCKED | (VM_LOCKONFAULT if flags & MCL_ONFAULT else 0)
    for vma in list(mm.vmas):
        mlock_fixup(mm, vma, vma.start, vma.end, (vma.flags & ~VM_LOCKED_MASK) | to_add)


def sys_mlockall(t, flags):
    flags &= 0xFFFFFFFF
    if not flags or flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) or flags == MCL_ONFAULT:
        return -EINVAL
    if not can_do_mlock(t):
        return -EPERM
    mm = t.mm
    limit = _lock_limit(t)
    if flags & MCL_CURRENT and limit is not None and mm.total_vm > limit:
        return -ENOMEM
    apply_mlockall_flags(mm, flags)
    if flags & MCL_CURRENT:
        mm_populate(mm, 0, mm.task_size, ignore_errors=True)
    return 0


def sys_munlockall(t):
    apply_mlockall_flags(t.mm, 0)
    return 0
