"""mm/access_vm.py - reading and writing another process's memory as a debugger.

access_remote_vm() is how ptrace's PEEK/POKE requests, /proc/PID/mem and the
GDB stub reach a process's memory: page by page through its page tables and
physmem, faulting pages in as the process itself would (never through the
host).  With force (Linux's FOLL_FORCE, what a debugger has):

 - a page may be read even where the process may not read it, if its VMA
   could be made readable (VM_MAYREAD);
 - a page may be written even where the process may not write it, in a
   private mapping that could be made writable (VM_MAYWRITE): this is how a
   breakpoint goes into program text.  The page is copied first (copy on
   write): a private file page that is still the page cache's, or a page
   another process shares after fork, is never written through - the file
   and the other process keep their bytes.  The copy stays read-only for
   the process, as its VMA says.
 - a shared mapping the process may not write stays unwritable (Linux
   refuses that too).

An address not mapped, or not accessible even with force, ends the access:
the caller gets what was done so far.
"""

from kernel.errno import Errno
from mm import physmem as _pm
from mm.memory import VMFault, handle_mm_fault, vma_prot
from mm.pgtable import _PAGE_AROUND, _PAGE_NEWPAGE, _PAGE_PRESENT, _PAGE_RW, PTE_PFN_MASK, pte_pfn
from mm.physmem import PAGE_SHIFT, PAGE_SIZE, PG_CACHE, OutOfMemory
from mm.vma import VM_MAYREAD, VM_MAYWRITE, VM_READ, VM_SHARED, VM_WRITE


def _page(mm, vma, addr, write, force):
    """physmem offset of addr's page, made accessible for the access; None
    if it cannot be."""
    flags = vma.flags
    if write:
        if not flags & VM_WRITE:
            if not force or flags & (VM_SHARED | VM_MAYWRITE) != VM_MAYWRITE:
                return None
            return _forced_cow(mm, vma, addr)
    elif not flags & VM_READ and not (force and flags & VM_MAYREAD):
        return None
    pt = mm.pt
    idx = pt.pte_index(addr)
    if idx is not None:
        pte = pt.q[idx]
        if pte & _PAGE_PRESENT and (not write or pte & _PAGE_RW):
            return pte & PTE_PFN_MASK
    try:
        handle_mm_fault(mm, vma, addr, write)
    except VMFault:
        return None
    pte = pt.q[pt.pte_index(addr)]
    if not pte & _PAGE_PRESENT and not (pte & PTE_PFN_MASK and not write):
        return None
    return pte & PTE_PFN_MASK


def _forced_cow(mm, vma, addr):
    """A forced write into a private mapping the process cannot write:
    give it a page of its own (copied), still mapped read-only."""
    pm = _pm.physmem
    try:
        handle_mm_fault(mm, vma, addr, False)           # present, as it reads
    except VMFault:
        return None
    pt = mm.pt
    idx = pt.pte_index(addr)
    if idx is None:
        return None
    pte = pt.q[idx]
    pfn = pte_pfn(pte)
    if not pfn:
        return None
    if pm.refcount[pfn] == 1 and not pm.flags[pfn] & PG_CACHE:
        return pte & PTE_PFN_MASK                       # already its own
    try:
        new = pm.alloc_frame(zero=False)
    except OutOfMemory:
        return None
    pm.copy_frame(new, pfn)
    pm.put_frame(pfn)
    page = addr & ~(PAGE_SIZE - 1)
    pt.q[idx] = (new << PAGE_SHIFT) | vma_prot(vma) | _PAGE_NEWPAGE
    mm.note_stale(page, page + PAGE_SIZE)
    return new << PAGE_SHIFT


def access_remote_vm(mm, addr, data, force=True):
    """Read (data: a length) or write (data: bytes) mm's memory at addr.
    Returns the bytes read or the number written, short at the first page
    that cannot be accessed."""
    write = not isinstance(data, int)
    n = len(data) if write else data
    mem = _pm.physmem.mem
    out = bytearray()
    done = 0
    while done < n:
        a = addr + done
        if a < 0 or a >= mm.task_size:
            break
        vma = mm.vma_at(a)
        if vma is None:
            break
        try:
            base = _page(mm, vma, a, write, force)
        except Errno:
            base = None
        if base is None:
            break
        off = a & (PAGE_SIZE - 1)
        chunk = min(n - done, PAGE_SIZE - off)
        idx = mm.pt.pte_index(a)
        if idx is not None and mm.pt.q[idx] & _PAGE_AROUND:
            mm.pt.q[idx] &= ~_PAGE_AROUND               # touched now (mincore)
        if write:
            mem[base + off:base + off + chunk] = data[done:done + chunk]
        else:
            out += mem[base + off:base + off + chunk]
        done += chunk
    return done if write else bytes(out)
