"""mm/mseal.py - mseal(2): make a range of mappings immutable.

A sealed VMA (VM_SEALED, inherited by fork, gone with the address space)
can no longer be unmapped, moved, resized, replaced by a MAP_FIXED mmap or
given another protection, and a read-only private anonymous one can no
longer be emptied by madvise (DONTNEED, FREE, REMOVE, WIPEONFORK...):
each such call fails with EPERM before it changes anything.  The checks
live where the changes are made (mm/mmap.py, mm/madvise.py) and ask
`range_sealed` / `madvise_sealed_ok` here.
"""

from kernel.errno import EINVAL, ENOMEM
from mm.physmem import PAGE_SIZE
from mm.vma import VM_SEALED, VM_SHARED, VM_WRITE
from mm.mmap import split_vma

MASK64 = (1 << 64) - 1


def range_sealed(mm, start, end):
    """Is any VMA over [start, end) sealed?"""
    return any(v.flags & VM_SEALED for v in mm.vmas_in(start, end))



def _ro_anon(vma):
    return vma.file is None and not vma.flags & VM_SHARED and not vma.flags & VM_WRITE


def madvise_sealed_ok(mm, start, end):
    """Discarding advice on a sealed read-only anonymous range would change
    what it reads: refused."""
    return not any(v.flags & VM_SEALED and _ro_anon(v) for v in mm.vmas_in(start, end))


def sys_mseal(t, start, length, flags):
    if flags:
        return -EINVAL
    if start & (PAGE_SIZE - 1):
        return -EINVAL
    alen = (length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1) & MASK64
    if length and not alen:
        return -EINVAL
    end = start + alen
    if end > MASK64:
        return -EINVAL
    if end == start:
        return 0
    mm = t.mm
    pos = start
    for v in mm.vmas_in(start, end):
        if v.start > pos:
            return -ENOMEM
        pos = v.end
    if pos < end or end > mm.task_size:
        return -ENOMEM
    for v in mm.vmas_in(start, end):
        if v.start < start:
            v = split_vma(mm, v, start)
        if v.end > end:
            split_vma(mm, v, end)
        v.flags |= VM_SEALED
    return 0
