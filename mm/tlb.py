"""mm/tlb.py - "flushing the TLB": making the host process match the ptes.

In skas0 the host process's mappings play the part of the TLB.  Whatever
changed in the page tables (ptes marked _PAGE_NEWPAGE / _PAGE_NEWPROT inside
mm.tlb_ranges, whole ranges in mm.pending_unmaps) becomes a list of host
operations here; adjacent pages backed by adjacent frames with the same
protection become one mmap, so a fault-around of sixteen fresh pages is
usually a single host call.  The operations run as one stub batch
(skas/mem.py), on the way back to the guest.
"""

from mm.pgtable import (_PAGE_NEWPAGE, _PAGE_NEWPROT, _PAGE_PRESENT,
                        _PAGE_PROTNONE, PTE_PFN_MASK, pte_host_prot)
from mm.physmem import PAGE_SHIFT, PAGE_SIZE
from skas.mem import run_syscall_stub

_STALE = _PAGE_NEWPAGE | _PAGE_NEWPROT


def _merged(ranges):
    out = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def flush_ops(mm, limit=None):
    """The host operations that bring mm's host process up to date; the
    stale bits are cleared as they are collected.  With a limit (what one
    stub batch holds), at most that many are returned and the rest stays
    pending - stale bits and ranges kept - for the next flush: an op left
    out must never be lost, or the host would stay more permissive than
    the ptes."""
    unmaps = _merged(mm.pending_unmaps)
    if limit is not None and len(unmaps) >= limit:
        mm.pending_unmaps = unmaps[limit:]
        return [("munmap", s, e - s) for s, e in unmaps[:limit]]
    ops = [("munmap", s, e - s) for s, e in unmaps]
    mm.pending_unmaps = []
    q = mm.pt.q
    last = None             # the op being extended: [kind, addr, len, prot, off]
    ranges = _merged(mm.tlb_ranges)
    for r, (start, end) in enumerate(ranges):
        for addr, first, count in mm.pt.pte_pages(start, end):
            for i in range(first, first + count):
                pte = q[i]
                if not pte & _STALE:
                    continue
                a = addr + ((i - first) << PAGE_SHIFT)
                if pte & _PAGE_NEWPAGE:
                    if pte & (_PAGE_PRESENT | _PAGE_PROTNONE):
                        kind, off = "mmap", pte & PTE_PFN_MASK
                    else:
                        kind, off = "munmap", 0
                else:
                    kind, off = "mprotect", 0
                prot = pte_host_prot(pte)
                if (last is not None and last[0] == kind and last[3] == prot
                        and last[1] + last[2] == a
                        and (kind != "mmap" or last[4] + last[2] == off)):
                    q[i] = pte & ~_STALE
                    last[2] += PAGE_SIZE
                    continue
                if limit is not None and len(ops) + (last is not None) >= limit:
                    # the batch is full: this page and all after it wait
                    if last is not None:
                        ops.append(_op(last))
                    mm.tlb_ranges = [[a, end]] + ranges[r + 1:]
                    return ops
                q[i] = pte & ~_STALE
                if last is not None:
                    ops.append(_op(last))
                last = [kind, a, PAGE_SIZE, prot, off]
    if last is not None:
        ops.append(_op(last))
    mm.tlb_ranges = []
    return ops


def _op(o):
    kind, addr, length, prot, off = o
    if kind == "mmap":
        return ("mmap", addr, length, prot, off)
    if kind == "munmap":
        return ("munmap", addr, length)
    return ("mprotect", addr, length, prot)


def flush_tlb_mm(mm):
    """Run the pending updates now, in one stub round trip (when the guest
    is not stopped inside the SIGSEGV handler)."""
    ops = flush_ops(mm)
    if ops:
        run_syscall_stub(mm.context, ops)
