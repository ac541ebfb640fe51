"""mm/mincore.py - mincore(2): which pages of a range are resident.

One byte per page, bit 0 set when the page is in memory.  As on Linux the
answer comes from the page tables first: a mapped pte (PROT_NONE included)
is resident.  Where no pte maps the page, a file mapping (shared anonymous
memory included: it is a tmpfs file) asks the file's page cache, so a page
another process or read() brought in counts; an anonymous page without a
pte does not exist yet.

Fault-around maps anonymous pages ahead of the one that faulted, which
Linux does not do; such a page carries _PAGE_AROUND until something is
known to have used it, and counts as resident only once it holds anything
but zeros (the guest wrote it).  The guest's own reads of such a page
cannot be seen (they take no fault), so a process that asks mincore gets
exact answers from then on: its all-zero fault-around pages are unmapped
(their contents are zeros either way) and its anonymous faults map one
page at a time.  Only a read (or a store of zeros) before the first
mincore call can still be missed.

There is no swap, so nothing once resident is ever reported missing.
"""

from kernel.errno import EFAULT, EINVAL, ENOMEM
from kernel.user_namespace import inode_owner_or_capable
from mm import physmem as _pm
from mm.memory import zap_page_range
from mm.pgtable import _PAGE_AROUND, _PAGE_GUARD, _PAGE_PRESENT, _PAGE_PROTNONE, PTE_PFN_MASK
from mm.physmem import PAGE_SHIFT, PAGE_SIZE
from fs.namei import MAY_WRITE, generic_permission
from mm.uaccess import access_ok, copy_to_user

_ZERO_PAGE = bytes(PAGE_SIZE)


def _can_do_mincore(t, vma):
    """Linux reports the page cache of a file only to whoever could write
    it (or owns it); others are told every page is resident.  Shared
    anonymous memory belongs to the process that made it."""
    if vma.file is None or vma.file.path.dentry.name == b"/dev/zero":     # fs/shmem.py
        return True
    inode = vma.file.inode
    return inode_owner_or_capable(t.cred, inode) or generic_permission(t.cred, inode, MAY_WRITE)


def _vma_vec(t, mm, vma, start, end):
    n = (end - start) >> PAGE_SHIFT
    if not _can_do_mincore(t, vma):
        return b"\1" * n
    pm = _pm.physmem
    q = mm.pt.q
    vec = bytearray(n)
    mapped = [False] * n
    unused = []                     # all-zero fault-around pages
    for addr, first, count in mm.pt.pte_pages(start, end):
        base = (addr - start) >> PAGE_SHIFT
        for i in range(count):
            pte = q[first + i]
            if not pte & (_PAGE_PRESENT | _PAGE_PROTNONE):
                if pte & _PAGE_GUARD:
                    mapped[base + i] = True     # a guard page is never resident
                continue
            mapped[base + i] = True
            if pte & _PAGE_AROUND:
                off = pte & PTE_PFN_MASK
                if pm.mem[off:off + PAGE_SIZE] == _ZERO_PAGE:
                    unused.append(start + ((base + i) << PAGE_SHIFT))
                    continue            # never touched as far as we know
                q[first + i] = pte & ~_PAGE_AROUND
            vec[base + i] = 1
    for a in unused:
        # from now on a touch of this page is a fault we see
        if zap_page_range(mm, a, a + PAGE_SIZE):
            mm.note_unmap(a, a + PAGE_SIZE)
    f = vma.file
    if f is not None and f.mapping is not None:
        pages = f.mapping.pages
        pgoff = vma.pgoff + ((start - vma.start) >> PAGE_SHIFT)
        for i in range(n):
            if not mapped[i] and pgoff + i in pages:
                vec[i] = 1
    return bytes(vec)


def sys_mincore(t, start, length, vec):
    mm = t.mm
    if start & (PAGE_SIZE - 1):
        return -EINVAL
    if not access_ok(mm, start, length):
        return -ENOMEM
    pages = (length + PAGE_SIZE - 1) >> PAGE_SHIFT
    if not access_ok(mm, vec, pages):
        return -EFAULT
    end = start + (pages << PAGE_SHIFT)
    mm.anon_fault_around = False        # see above: exact answers from now on
    while start < end:
        vma = mm.vma_at(start)
        if vma is None:
            return -ENOMEM
        stop = min(vma.end, end, start + (PAGE_SIZE << PAGE_SHIFT))
        data = _vma_vec(t, mm, vma, start, stop)
        copy_to_user(mm, vec, data)         # EFAULT: the vector is not writable
        vec += len(data)
        start = stop
    return 0


def settle_fault_around(mm, start, end):
    """Make [start, end) of mm exact for a reader of residency other than
    mincore (/proc/PID/pagemap): fault-around pages the guest wrote count
    as touched, all-zero ones are unmapped, and the mm maps one page per
    fault from now on, as after a mincore call."""
    pm = _pm.physmem
    q = mm.pt.q
    unused = []
    for addr, first, count in mm.pt.pte_pages(start, end):
        for i in range(count):
            pte = q[first + i]
            if pte & _PAGE_AROUND and pte & (_PAGE_PRESENT | _PAGE_PROTNONE):
                off = pte & PTE_PFN_MASK
                if pm.mem[off:off + PAGE_SIZE] == _ZERO_PAGE:
                    unused.append(addr + (i << PAGE_SHIFT))
                else:
                    q[first + i] = pte & ~_PAGE_AROUND
    for a in unused:
        if zap_page_range(mm, a, a + PAGE_SIZE):
            mm.note_unmap(a, a + PAGE_SIZE)
    mm.anon_fault_around = False

