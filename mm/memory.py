"""mm/memory.py - filling, copying and clearing ptes.

handle_mm_fault() makes one address usable: demand-zero anonymous pages,
file pages from the page cache, copy-on-write.  It maps a little ahead of the
fault too (fault-around), because every fault is three host stops and
mapping sixteen pages costs barely more than one.

zap_page_range() clears ptes (munmap, exit), copy_page_range() duplicates
them for fork with copy-on-write.  Every change to a pte that the host
process must see is marked NEWPAGE/NEWPROT and noted for mm/tlb.py.
"""

from mm import physmem as _pm
from mm.pgtable import (_PAGE_AROUND, _PAGE_GUARD, _PAGE_NEWPAGE, _PAGE_NEWPROT, _PAGE_PRESENT,
                        _PAGE_PROTNONE, _PAGE_RW, _PAGE_UFFD_WP, PROT_BITS, PTE_PFN_MASK,
                        vm_prot_bits, pte_pfn)
from mm.physmem import PAGE_SHIFT, PAGE_SIZE, PG_CACHE, OutOfMemory
from mm.vma import VM_EXEC, VM_READ, VM_SHARED, VM_WRITE

FAULT_AROUND_PAGES = 16
anon_fault_around = True        # boot option anon_fault_around= (init/switches.py)
fork_mprotect_ranges = True     # boot option fork_mprotect_ranges=


class VMFault(Exception):
    """A fault the mm cannot resolve: becomes SIGBUS (or an OOM kill)."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind            # "sigbus", "sigsegv" (a guard page) or "oom"


def vma_prot(vma):
    f = vma.flags
    return vm_prot_bits(f & VM_READ, f & VM_WRITE, f & VM_EXEC)


def page_exclusive(pm, pfn):
    """May a private mapping write this frame in place?"""
    return pm.refcount[pfn] == 1 and not pm.flags[pfn] & PG_CACHE


def pte_prot_for(vma, pm, pfn):
    """Protection bits for a pte mapping pfn in vma: a private page that is
    shared with anyone stays read-only so that a write copies it."""
    bits = vma_prot(vma)
    if bits & _PAGE_RW and not vma.flags & VM_SHARED and not page_exclusive(pm, pfn):
        bits &= ~_PAGE_RW
    return bits


# -- faults -----------------------------------------------------------------

def handle_mm_fault(mm, vma, addr, write):
    """Make addr accessible in vma for a read or write; the caller checked
    that the VMA permits the access.  Raises VMFault."""
    pt = mm.pt
    addr &= ~(PAGE_SIZE - 1)
    try:
        idx = pt.pte_index(addr, alloc=True)
    except OutOfMemory:
        raise VMFault("oom")
    q = pt.q
    pte = q[idx]
    if pte & _PAGE_GUARD:
        raise VMFault("sigsegv")        # a guard region (mm/madvise.py)
    if pte & (_PAGE_PRESENT | _PAGE_PROTNONE):
        if write and not pte & _PAGE_RW:
            do_wp_page(mm, vma, addr, idx, pte)
        else:
            # Present and permitted: the host mapping is behind (another
            # thread's fault, a protection change); make it whole again.
            q[idx] = (pte & ~_PAGE_AROUND) | _PAGE_NEWPAGE
            mm.note_stale(addr, addr + PAGE_SIZE)
        return
    if vma.file is None and not vma.flags & VM_SHARED:
        do_anonymous_page(mm, vma, addr, idx)
    else:
        do_file_page(mm, vma, addr, idx, write)


def pte_touched(q, idx):
    """The page of pte q[idx] has been used (by the guest or the kernel
    for it): it is no longer a fault-around guess."""
    if q[idx] & _PAGE_AROUND:
        q[idx] &= ~_PAGE_AROUND


def _around(vma, addr, idx):
    """The fault-around window: up to FAULT_AROUND_PAGES aligned pages around
    addr, inside the VMA and inside addr's pte page."""
    if vma.uffd is not None:
        return addr, addr + PAGE_SIZE, idx  # each page is the handler's (uffd_disable_fault_around)
    span = FAULT_AROUND_PAGES * PAGE_SIZE
    start = max(addr & ~(span - 1), vma.start, addr & ~((1 << 21) - 1))
    end = min((addr & ~(span - 1)) + span, vma.end, (addr | ((1 << 21) - 1)) + 1)
    first = idx - ((addr - start) >> PAGE_SHIFT)
    return start, end, first


def do_anonymous_page(mm, vma, addr, idx):
    """A first touch of private anonymous memory (a heap, a stack, an
    anonymous mmap): a zeroed frame for the page at addr (pte q[idx]), and
    with fault-around for the pages around it that have none yet."""
    # LAB lazy: begin
    pm = _pm.physmem
    q = mm.pt.q
    bits = vma_prot(vma) | _PAGE_NEWPAGE
    if anon_fault_around and mm.anon_fault_around:
        start, end, first = _around(vma, addr, idx)
    else:
        start, end, first = addr, addr + PAGE_SIZE, idx     # mm/mincore.py
    empty = [i for i in range((end - start) >> PAGE_SHIFT) if not q[first + i]]
    pfns = pm.alloc_some(len(empty))
    fault_i = (addr - start) >> PAGE_SHIFT
    if len(pfns) < len(empty):
        # short of memory: the faulting page first, pages ahead are a bonus
        if not pfns:
            raise VMFault("oom")
        empty = [fault_i] + [i for i in empty if i != fault_i][:len(pfns) - 1]
        empty.sort()
    for i, pfn in zip(empty, pfns):
        q[first + i] = (pfn << PAGE_SHIFT) | bits | (_PAGE_AROUND if i != fault_i else 0)
    mm.rss += len(pfns)
    mm.note_stale(start, end)
    # LAB lazy: starter
    #> # The starter gives anonymous memory its frames when it is mapped
    #> # (populate_anon, below): a page without one is never touched.
    #> raise VMFault("sigbus")
    # LAB lazy: end


# LAB lazy: begin
# LAB lazy: starter
#> def populate_anon(mm, vma, start, end):
#>     """The starter's eager allocation: a zeroed frame now for every page
#>     of [start, end) in vma that has none (none at all for PROT_NONE)."""
#>     from kernel.errno import ENOMEM, Errno
#>     bits = vma_prot(vma)
#>     if not bits & _PAGE_PRESENT:
#>         return
#>     pm = _pm.physmem
#>     q = mm.pt.q
#>     try:
#>         for a in range(start, end, PAGE_SIZE):
#>             idx = mm.pt.pte_index(a, alloc=True)
#>             if not q[idx]:
#>                 q[idx] = (pm.alloc_frame() << PAGE_SHIFT) | bits | _PAGE_NEWPAGE
#>                 mm.rss += 1
#>     except OutOfMemory:
#>         raise Errno(ENOMEM)
#>     finally:
#>         mm.note_stale(start, end)
# LAB lazy: end


def do_file_page(mm, vma, addr, idx, write):
    """A page of a file mapping (or of shared anonymous memory)."""
    pm = _pm.physmem
    q = mm.pt.q
    mapping = vma.file.mapping
    shared = vma.flags & VM_SHARED
    start, end, first = (addr, addr + PAGE_SIZE, idx)
    if not write:
        start, end, first = _around(vma, addr, idx)
    base_pgoff = vma.pgoff + ((start - vma.start) >> PAGE_SHIFT)
    for i in range((end - start) >> PAGE_SHIFT):
        a = start + (i << PAGE_SHIFT)
        if q[first + i]:
            continue
        pgoff = base_pgoff + i
        if a != addr:
            # around the fault: only pages already in the cache, as Linux
            pfn = mapping.find_page(pgoff)
            if pfn is None or (vma.zero_from is not None and a + PAGE_SIZE > vma.zero_from):
                continue
        try:
            if vma.zero_from is not None and a + PAGE_SIZE > vma.zero_from and not shared:
                pfn = _private_partial_page(mapping, pgoff, vma.zero_from - a)
                bits = vma_prot(vma)
            else:
                pfn = mapping.read_page(pgoff)
                if pfn is None:                 # beyond the end of the file
                    if a == addr:
                        raise VMFault("sigbus")
                    continue
                pm.get_frame(pfn)
                if shared:
                    # LAB mmap: begin
                    bits = vma_prot(vma)
                    mapping.mark_dirty(pgoff)
                    # LAB mmap: starter
                    #> # The starter's MAP_SHARED is a private snapshot: a
                    #> # frame of its own, which nothing writes back.
                    #> copy = pm.alloc_frame()
                    #> pm.copy_frame(copy, pfn)
                    #> pm.put_frame(pfn)
                    #> pfn = copy
                    #> bits = vma_prot(vma)
                    # LAB mmap: end
                else:
                    bits = vma_prot(vma) & ~_PAGE_RW
        except OutOfMemory:
            if a == addr:
                raise VMFault("oom")
            continue
        q[first + i] = (pfn << PAGE_SHIFT) | bits | _PAGE_NEWPAGE
        mm.rss += 1
    mm.note_stale(start, end)
    if write and not shared:
        pte = q[idx]
        if not pte & _PAGE_RW:
            do_wp_page(mm, vma, addr, idx, pte)


def _private_partial_page(mapping, pgoff, keep):
    """A private copy of a file page with everything from `keep` on zeroed
    (ELF: .data and .bss sharing a page)."""
    pm = _pm.physmem
    pfn = pm.alloc_frame()
    src = mapping.read_page(pgoff)
    if src is not None and keep > 0:
        off, s = pfn << PAGE_SHIFT, src << PAGE_SHIFT
        pm.mem[off:off + keep] = pm.mem[s:s + keep]
    return pfn


def do_wp_page(mm, vma, addr, idx, pte):
    """Write to a present, read-only pte of a writable VMA: copy on write."""
    pm = _pm.physmem
    q = mm.pt.q
    old = pte_pfn(pte)
    # LAB cow: begin
    if vma.flags & VM_SHARED or page_exclusive(pm, old):
    # LAB cow: starter
    #> if vma.flags & VM_SHARED:
    # LAB cow: end
        q[idx] = (pte & ~(PROT_BITS | _PAGE_AROUND | _PAGE_UFFD_WP)) | vma_prot(vma) | _PAGE_NEWPROT
    else:
        try:
            new = pm.alloc_frame(zero=False)
        except OutOfMemory:
            raise VMFault("oom")
        pm.copy_frame(new, old)
        pm.put_frame(old)
        q[idx] = (new << PAGE_SHIFT) | vma_prot(vma) | _PAGE_NEWPAGE
    mm.note_stale(addr, addr + PAGE_SIZE)


# -- clearing and copying ---------------------------------------------------

def zap_page_range(mm, start, end, free_tables=True, keep_guards=False):
    """Drop every pte in [start, end).  Returns True if any was mapped.
    Tables left empty are freed unless the caller frees them all at once
    (exit_mmap).  keep_guards leaves guard markers (MADV_DONTNEED, FREE
    and REMOVE take the pages, not the guards)."""
    pm = _pm.physmem
    q = mm.pt.q
    any_mapped = False
    mm.update_hiwater_rss()             # rss is about to drop: keep its peak
    for _, first, count in mm.pt.pte_pages(start, end):
        for i in range(first, first + count):
            pte = q[i]
            if pte and not (keep_guards and pte & _PAGE_GUARD):
                if pte & (_PAGE_PRESENT | _PAGE_PROTNONE):
                    pm.put_frame(pte_pfn(pte))
                    mm.rss -= 1
                q[i] = 0
                any_mapped = True
    if free_tables:
        mm.pt.free_empty_tables(start, end)
    return any_mapped


def change_protection(mm, vma, start, end):
    """vma's rights changed over [start, end): re-derive each pte's bits."""
    pm = _pm.physmem
    q = mm.pt.q
    changed = False
    for _, first, count in mm.pt.pte_pages(start, end):
        for i in range(first, first + count):
            pte = q[i]
            if not pte & (_PAGE_PRESENT | _PAGE_PROTNONE):
                continue
            bits = pte_prot_for(vma, pm, pte_pfn(pte))
            if pte & _PAGE_UFFD_WP:
                bits &= ~_PAGE_RW               # userfaultfd write protection stays
            new = (pte & ~PROT_BITS) | bits
            if new != pte:
                q[i] = new | _PAGE_NEWPROT
                changed = True
    if changed:
        mm.note_stale(start, end)


def copy_page_range(dst, src, vma):
    """fork: give dst the ptes src has in vma, write-protecting private
    pages in both, so that the first write in either copies the page.

    The host process of src must lose write access to those pages before
    it forks the child's: the plain path marks src's ptes _PAGE_NEWPROT
    (the TLB flush dup_mm runs next turns them into host mprotects); with
    the fork_mprotect_ranges fast path the ranges are returned instead, and
    dup_mm mprotects each in one host call without walking the ptes again.
    Returns those ranges ([] on the plain path)."""
    pm = _pm.physmem
    q = src.pt.q
    cow = not vma.flags & VM_SHARED
    fast = fork_mprotect_ranges
    protect = []
    # LAB cow: begin
    for addr, first, count in src.pt.pte_pages(vma.start, vma.end):
        didx = None
        for i in range(count):
            pte = q[first + i]
            if not pte & (_PAGE_PRESENT | _PAGE_PROTNONE):
                if pte & _PAGE_GUARD:           # the child is guarded too
                    if didx is None:
                        didx = dst.pt.pte_index(addr + (i << PAGE_SHIFT), alloc=True) - i
                    q[didx + i] = _PAGE_GUARD
                continue
            a = addr + (i << PAGE_SHIFT)
            if didx is None:
                didx = dst.pt.pte_index(a, alloc=True) - i
            pm.get_frame(pte_pfn(pte))
            if cow and pte & _PAGE_RW:
                pte &= ~_PAGE_RW
                if not fast:
                    q[first + i] = pte | _PAGE_NEWPROT
                    src.note_stale(a, a + PAGE_SIZE)
                else:
                    # the caller's pre-fork batch mprotects these on the host
                    q[first + i] = pte
                    if protect and protect[-1][1] == a:
                        protect[-1][1] = a + PAGE_SIZE
                    else:
                        protect.append([a, a + PAGE_SIZE])
            q[didx + i] = pte & ~(_PAGE_NEWPAGE | _PAGE_NEWPROT | _PAGE_UFFD_WP)
            dst.rss += 1
    # LAB cow: starter
    #> # The starter copies every private page at fork (page-cache pages,
    #> # mapped read-only, and shared mappings are shared).  The child's host
    #> # process starts as a copy of the parent's, mapping the parent's
    #> # frames: its ptes get _PAGE_NEWPAGE so that its first TLB flush maps
    #> # its own copies instead.
    #> for addr, first, count in src.pt.pte_pages(vma.start, vma.end):
    #>     for i in range(count):
    #>         pte = q[first + i]
    #>         if not pte & (_PAGE_PRESENT | _PAGE_PROTNONE):
    #>             continue
    #>         a = addr + (i << PAGE_SHIFT)
    #>         didx = dst.pt.pte_index(a, alloc=True)
    #>         pfn = (pte & PTE_PFN_MASK) >> PAGE_SHIFT
    #>         if cow and not pm.flags[pfn] & PG_CACHE:
    #>             new = pm.alloc_frame(zero=False)
    #>             pm.copy_frame(new, pfn)
    #>             q[didx] = (new << PAGE_SHIFT) | (pte & ~PTE_PFN_MASK & ~_PAGE_NEWPROT) \
    #>                 | _PAGE_NEWPAGE
    #>             dst.note_stale(a, a + PAGE_SIZE)
    #>         else:
    #>             pm.get_frame(pfn)
    #>             q[didx] = pte & ~(_PAGE_NEWPAGE | _PAGE_NEWPROT)
    #>         dst.rss += 1
    # LAB cow: end
    return protect


def move_page_range(mm, old, new, length):
    """mremap: carry the ptes of [old, old+length) over to new."""
    pt = mm.pt
    q = pt.q
    moves = []
    for addr, first, count in pt.pte_pages(old, old + length):
        for i in range(count):
            pte = q[first + i]
            if pte:
                moves.append((addr + (i << PAGE_SHIFT) - old, pte))
                q[first + i] = 0
    for delta, pte in moves:
        try:
            idx = pt.pte_index(new + delta, alloc=True)
        except OutOfMemory:
            raise VMFault("oom")
        q[idx] = pte | _PAGE_NEWPAGE
    pt.free_empty_tables(old, old + length)
    if moves:
        mm.note_stale(new, new + length)
