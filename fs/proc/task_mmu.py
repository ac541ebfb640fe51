"""fs/proc/task_mmu.py - /proc/PID/maps: a process's VMAs, one per line,
in Linux's format (start-end perms offset dev inode, then the name padded
to column 73: a file's path, [heap], [stack], or nothing)."""

from fs.inode import dev_major, dev_minor
from mm.vma import VM_EXEC, VM_MAYSHARE, VM_READ, VM_SHARED, VM_WRITE


def is_special(v):
    """A kernel-made mapping such as [vdso]: shown by its name, without the
    file behind it (Linux's special mappings have none)."""
    return bool(v.name) and v.name.startswith("[")


def vma_name(mm, v):
    from fs.mount import d_path
    if is_special(v):
        return v.name
    if v.file is not None:
        return d_path(v.file.path).decode(errors="replace")
    if v.name:
        return v.name
    if mm.start_brk <= v.start < mm.brk or (v.start <= mm.start_brk < v.end and mm.brk > mm.start_brk):
        return "[heap]"
    return ""


def show_maps(mm):
    if mm is None:
        return ""
    out = []
    for v in mm.vmas:
        f = v.flags
        perms = ("r" if f & VM_READ else "-") + ("w" if f & VM_WRITE else "-") + \
            ("x" if f & VM_EXEC else "-") + ("s" if f & VM_MAYSHARE else "p")
        dev = ino = off = 0
        if v.file is not None and not is_special(v):
            inode = v.file.inode
            dev = getattr(inode, "sb_dev", None) or inode.sb.dev
            ino = inode.ino
            off = v.pgoff << 12
        line = "%08x-%08x %s %08x %02x:%02x %d " % (v.start, v.end, perms, off,
                                                    dev_major(dev), dev_minor(dev), ino)
        name = vma_name(mm, v)
        if name:
            line = line.ljust(73) + name
        out.append(line)
    return "\n".join(out) + ("\n" if out else "")


# -- /proc/PID/pagemap ------------------------------------------------------------

PM_ENTRY_BYTES = 8
PM_PFRAME_MASK = (1 << 55) - 1
PM_SOFT_DIRTY = 1 << 55
PM_MMAP_EXCLUSIVE = 1 << 56
PM_FILE = 1 << 61
PM_SWAP = 1 << 62
PM_PRESENT = 1 << 63


def pagemap_read(mm, pos, count, show_pfn):
    """Linux's /proc/PID/pagemap: one 64-bit entry per virtual page, the
    entry of page n at offset 8n (Documentation/admin-guide/mm/pagemap.rst):

      bits 0-54  the frame number, if present (0 unless show_pfn: root)
      bit 55     soft-dirty (not tracked here: 0, as with no clear_refs)
      bit 56     the page is mapped exclusively (by this one pte)
      bit 61     a file page or shared anonymous memory
      bit 62     swapped (never, here)
      bit 63     present (fault-around's guesses settled first, as mincore
                 does: mm/mincore.py)

    pos and count must be multiples of 8 (EINVAL); past the end of user
    space the file ends."""
    import struct
    from kernel.errno import EINVAL, Errno
    if pos % PM_ENTRY_BYTES or count % PM_ENTRY_BYTES:
        raise Errno(EINVAL)
    if mm is None:
        return b""
    first = pos // PM_ENTRY_BYTES
    last = min(first + count // PM_ENTRY_BYTES, mm.task_size >> 12)
    if first >= last:
        return b""
    last = min(last, first + 65536)            # a short read, as Linux's chunking
    entries = [0] * (last - first)
    from mm.mincore import settle_fault_around
    settle_fault_around(mm, first << 12, last << 12)   # no fault-around guesses
    # LAB pgtbl: begin
    from mm import physmem as _pm
    from mm.pgtable import pte_pfn, pte_present
    from mm.physmem import PG_CACHE
    pm = _pm.physmem
    q = mm.pt.q
    for addr, idx, n in mm.pt.pte_pages(first << 12, last << 12):
        for i in range(n):
            pte = q[idx + i]
            if not pte_present(pte):
                continue
            a = addr + (i << 12)
            pfn = pte_pfn(pte)
            e = PM_PRESENT | (pfn & PM_PFRAME_MASK if show_pfn else 0)
            cache = bool(pm.flags[pfn] & PG_CACHE)
            vma = mm.vma_at(a)
            if cache or (vma is not None and vma.flags & VM_SHARED):
                e |= PM_FILE
            if pm.refcount[pfn] - (1 if cache else 0) == 1:
                e |= PM_MMAP_EXCLUSIVE
            entries[(a >> 12) - first] = e
    # LAB pgtbl: starter
    # LAB pgtbl: end
    return struct.pack("<%dQ" % len(entries), *entries)
