"""mm/pgtable.py - 4-level x86-64 page tables, stored in physmem frames.

A table is one 4 KiB frame of 512 little-endian 64-bit entries with the
hardware's bit layout.  Every mm has its own tables (pgd -> pud -> pmd -> pte),
whatever the subarchitecture: an i386 guest simply uses the low 4 GiB.

Besides the hardware bits, a pte carries UML's two software bits saying the
host process does not match the pte yet:

  _PAGE_NEWPAGE  the frame changed: the host needs an mmap (or munmap)
  _PAGE_NEWPROT  only the protection changed: the host needs an mprotect

mm/tlb.py turns those into stub batches ("TLB flush").  A pte that holds a
frame but grants no access (mprotect PROT_NONE) keeps the frame and has
_PAGE_PROTNONE instead of _PAGE_PRESENT, as on Linux.

The tables are reached through physmem.q (a u64 view of all of physmem): the
entry i of the table in frame f is q[(f << 9) | i].
"""

from mm import physmem as _pm
from mm.physmem import PAGE_SHIFT, PAGE_SIZE

_PAGE_PRESENT = 1 << 0
_PAGE_RW = 1 << 1
_PAGE_USER = 1 << 2
_PAGE_ACCESSED = 1 << 5
_PAGE_DIRTY = 1 << 6
_PAGE_PROTNONE = 1 << 8         # frame held, no access (Linux reuses GLOBAL)
_PAGE_NEWPAGE = 1 << 9          # software: host mapping of the frame is stale
_PAGE_NEWPROT = 1 << 10         # software: host protection is stale
# software: an anonymous page mapped ahead by fault-around that the guest is
# not known to have touched (mincore must not call it resident while it is
# still all zeros: on Linux it would not exist yet)
_PAGE_AROUND = 1 << 11
# software (bits the hardware ignores), fs/userfaultfd.py: a page write-
# protected by UFFDIO_WRITEPROTECT (kept read-only whatever the VMA allows),
# and the marker a not-present pte holds once UFFDIO_POISON poisoned it
_PAGE_UFFD_WP = 1 << 58
_PAGE_POISON = 1 << 57
# software, mm/madvise.py: the marker a not-present pte holds in a guard
# region (MADV_GUARD_INSTALL): any access to the page is SIGSEGV
_PAGE_GUARD = 1 << 56
_PAGE_NX = 1 << 63

PTE_PFN_MASK = 0x000FFFFFFFFFF000
_PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED

PTRS_PER_TABLE = 512
PMD_SHIFT = 21
PUD_SHIFT = 30
PGDIR_SHIFT = 39
PMD_SIZE = 1 << PMD_SHIFT
PUD_SIZE = 1 << PUD_SHIFT
PGDIR_SIZE = 1 << PGDIR_SHIFT


def pte_pfn(pte):
    return (pte & PTE_PFN_MASK) >> PAGE_SHIFT


def pte_present(pte):
    """The pte holds a frame (accessible or PROT_NONE)."""
    return pte & (_PAGE_PRESENT | _PAGE_PROTNONE)


def mk_pte(pfn, prot_bits):
    return (pfn << PAGE_SHIFT) | prot_bits


def vm_prot_bits(read, write, exec_):
    """pte protection bits for a VMA's access rights."""
    if not (read or write or exec_):
        return _PAGE_PROTNONE
    bits = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED
    if write:
        bits |= _PAGE_RW | _PAGE_DIRTY
    if not exec_:
        bits |= _PAGE_NX
    return bits


PROT_BITS = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_PROTNONE | _PAGE_NX


def pte_host_prot(pte):
    """The host mmap/mprotect protection that realises this pte."""
    if not pte & _PAGE_PRESENT:
        return 0
    prot = 1                                    # PROT_READ
    if pte & _PAGE_RW:
        prot |= 2                               # PROT_WRITE
    if not pte & _PAGE_NX:
        prot |= 4                               # PROT_EXEC
    return prot


class PageTables:
    """The tables of one mm.  nr_ptes counts its pte pages exactly."""

    def __init__(self):
        pm = _pm.physmem
        self.q = pm.q
        self.pgd = pm.alloc_frame()
        self.nr_ptes = 0        # pte pages mapping user addresses
        self.nr_pmds = 0
        self.nr_puds = 0

    # -- walking -----------------------------------------------------------
    def pte_index(self, addr, alloc=False):
        """Index into physmem.q of addr's pte, or None if no pte page exists.

        With alloc=True the missing tables are allocated (raises OutOfMemory).
        """
        q = self.q
        i = (self.pgd << 9) | ((addr >> 39) & 511)
        e = q[i]
        if not e & _PAGE_PRESENT:
            if not alloc:
                return None
            e = q[i] = (_pm.physmem.alloc_frame() << PAGE_SHIFT) | _PAGE_TABLE
            self.nr_puds += 1
        i = ((e & PTE_PFN_MASK) >> 3) | ((addr >> 30) & 511)
        e = q[i]
        if not e & _PAGE_PRESENT:
            if not alloc:
                return None
            e = q[i] = (_pm.physmem.alloc_frame() << PAGE_SHIFT) | _PAGE_TABLE
            self.nr_pmds += 1
        i = ((e & PTE_PFN_MASK) >> 3) | ((addr >> 21) & 511)
        e = q[i]
        if not e & _PAGE_PRESENT:
            if not alloc:
                return None
            e = q[i] = (_pm.physmem.alloc_frame() << PAGE_SHIFT) | _PAGE_TABLE
            self.nr_ptes += 1
        return ((e & PTE_PFN_MASK) >> 3) | ((addr >> 12) & 511)

    def lookup(self, addr):
        """The pte for addr (0 if none)."""
        i = self.pte_index(addr)
        return 0 if i is None else self.q[i]

    def pte_pages(self, start, end):
        """Yield (addr of first pte, index of first pte, count) for each
        existing pte page overlapping [start, end): the way to visit a range
        without touching unpopulated parts."""
        q = self.q
        addr = start
        while addr < end:
            e = q[(self.pgd << 9) | ((addr >> 39) & 511)]
            if not e & _PAGE_PRESENT:
                addr = ((addr >> PGDIR_SHIFT) + 1) << PGDIR_SHIFT
                continue
            e = q[((e & PTE_PFN_MASK) >> 3) | ((addr >> 30) & 511)]
            if not e & _PAGE_PRESENT:
                addr = ((addr >> PUD_SHIFT) + 1) << PUD_SHIFT
                continue
            e = q[((e & PTE_PFN_MASK) >> 3) | ((addr >> 21) & 511)]
            nxt = min(((addr >> PMD_SHIFT) + 1) << PMD_SHIFT, end)
            if e & _PAGE_PRESENT:
                first = ((e & PTE_PFN_MASK) >> 3) | ((addr >> 12) & 511)
                yield addr, first, (nxt - addr) >> PAGE_SHIFT
            addr = nxt

    # -- freeing -----------------------------------------------------------
    def free_empty_tables(self, start, end):
        """Free every table below the pgd that covers part of [start, end)
        and holds no entry any more.  Called after ptes were cleared."""
        if start < end:
            self._free_empty(self.pgd, PGDIR_SHIFT, 0, start, end)

    def _free_empty(self, table, shift, base, start, end):
        q = self.q
        pm = _pm.physmem
        lo = (max(start, base) - base) >> shift
        hi = min((min(end, base + (PTRS_PER_TABLE << shift)) - 1 - base) >> shift, 511)
        for i, e in _present_entries(pm, table, lo, hi + 1):
            slot = (table << 9) | i
            child = (e & PTE_PFN_MASK) >> PAGE_SHIFT
            if shift > PMD_SHIFT:
                self._free_empty(child, shift - 9, base + (i << shift), start, end)
            if _table_empty(pm, e):
                q[slot] = 0
                pm.put_frame(child)
                if shift == PMD_SHIFT:
                    self.nr_ptes -= 1
                elif shift == PUD_SHIFT:
                    self.nr_pmds -= 1
                else:
                    self.nr_puds -= 1

    def free_pgd(self):
        """Free whatever tables remain, then the pgd (mm teardown)."""
        pm = _pm.physmem
        for _, pud_e in _present_entries(pm, self.pgd):
            pud = (pud_e & PTE_PFN_MASK) >> PAGE_SHIFT
            for _, pmd_e in _present_entries(pm, pud):
                pmd = (pmd_e & PTE_PFN_MASK) >> PAGE_SHIFT
                for _, pte_e in _present_entries(pm, pmd):
                    pm.put_frame(pte_pfn(pte_e))
                pm.put_frame(pmd)
            pm.put_frame(pud)
        pm.put_frame(self.pgd)
        self.pgd = 0


def _present_entries(pm, table, lo=0, hi=PTRS_PER_TABLE):
    """(index, entry) of the present entries lo <= index < hi of a table.
    Tables are sparse: the all-zero stretches are skipped at C speed (one
    bytes strip) before Python looks at any entry."""
    off = (table << PAGE_SHIFT) + (lo << 3)
    raw = pm.mem[off:(table << PAGE_SHIFT) + (hi << 3)].tobytes()
    tail = raw.lstrip(b"\0")
    if not tail:
        return ()
    first = lo + ((len(raw) - len(tail)) >> 3)
    last = lo + ((len(raw.rstrip(b"\0")) + 7) >> 3)
    base = table << 9
    return [(i, e) for i, e in enumerate(pm.q[base + first:base + last].tolist(), first)
            if e & _PAGE_PRESENT]


def _table_empty(pm, entry):
    off = entry & PTE_PFN_MASK
    return pm.mem[off:off + PAGE_SIZE] == _ZERO_VIEW


_ZERO_VIEW = memoryview(bytes(PAGE_SIZE))
