"""fs/proc/task_mmu.py - /proc/PID/maps: a process's VMAs, one per line,
in Linux's format (start-end perms offset dev inode, then the name padded
to column 73: a file's path, [heap], [stack], or nothing)."""

from fs.inode import dev_major, dev_minor
from mm.vma import VM_EXEC, VM_MAYSHARE, VM_READ, VM_WRITE


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


# -- /proc/PID/smaps: the same lines, each with its memory and flags -----------------

_SMAPS_FIELDS = ("Rss", "Pss", "Pss_Dirty", "Shared_Clean", "Shared_Dirty", "Private_Clean",
                 "Private_Dirty", "Referenced", "Anonymous", "KSM", "LazyFree",
                 "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb",
                 "Private_Hugetlb", "Swap", "SwapPss", "Locked")


def vma_flag_names(v):
    """show_smap_vma_flags's two-letter names, in Linux's bit order."""
    from mm.vma import (VM_DONTCOPY, VM_DONTEXPAND, VM_GROWSDOWN, VM_LOCKED, VM_LOCKONFAULT,
                        VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_SEALED, VM_SHARED)
    f = v.flags
    names = [(VM_READ, "rd"), (VM_WRITE, "wr"), (VM_EXEC, "ex"), (VM_SHARED, "sh"),
             (VM_MAYREAD, "mr"), (VM_MAYWRITE, "mw"), (VM_MAYEXEC, "me"),
             (VM_MAYSHARE, "ms"), (VM_GROWSDOWN, "gd")]
    out = [n for bit, n in names if f & bit]
    uffd = getattr(v, "uffd", None)
    if uffd is not None and uffd[1] & 1:
        out.append("um")
    if f & VM_LOCKED:
        out.append("lo")
    if uffd is not None and uffd[1] & 2:
        out.append("uw")
    out += [n for bit, n in ((VM_DONTCOPY, "dc"), (VM_DONTEXPAND, "de"),
                             (VM_LOCKONFAULT, "lf")) if f & bit]
    if not f & VM_SHARED and f & VM_WRITE or v.file is None and not f & VM_SHARED:
        out.append("ac")                    # VM_ACCOUNT: private writable memory
    if uffd is not None and uffd[1] & 4:
        out.append("ui")
    if f & VM_SEALED:
        out.append("sl")
    return out


def _vma_pages(mm, v):
    """(resident pages, anonymous pages, shared pages) of v."""
    from mm import physmem as _pm
    from mm.pgtable import _PAGE_AROUND, _PAGE_PRESENT, _PAGE_PROTNONE, PTE_PFN_MASK
    from mm.physmem import PG_CACHE
    pm = _pm.physmem
    q = mm.pt.q
    rss = anon = shared = 0
    for _, first, count in mm.pt.pte_pages(v.start, v.end):
        for i in range(first, first + count):
            pte = q[i]
            if not pte & (_PAGE_PRESENT | _PAGE_PROTNONE) or pte & _PAGE_AROUND:
                continue
            rss += 1
            pfn = (pte & PTE_PFN_MASK) >> 12
            if not pm.flags[pfn] & PG_CACHE:
                anon += 1
            if pm.refcount[pfn] > 1:
                shared += 1
    return rss, anon, shared


def show_smaps(mm):
    if mm is None:
        return ""
    from mm.vma import VM_LOCKED
    lines = show_maps(mm).splitlines()
    out = []
    for line, v in zip(lines, mm.vmas):
        rss, anon, shared = _vma_pages(mm, v)
        kb = {"Rss": rss * 4, "Pss": (rss - shared) * 4 + shared * 2,
              "Shared_Clean": shared * 4 if v.file is not None else 0,
              "Shared_Dirty": shared * 4 if v.file is None else 0,
              "Private_Clean": (rss - shared) * 4 if v.file is not None else 0,
              "Private_Dirty": (rss - shared) * 4 if v.file is None else 0,
              "Referenced": rss * 4, "Anonymous": anon * 4,
              "Locked": rss * 4 if v.flags & VM_LOCKED else 0}
        kb["Pss_Dirty"] = kb["Private_Dirty"] + kb["Shared_Dirty"] // 2
        out.append(line)
        out.append("%-16s%8d kB" % ("Size:", (v.end - v.start) >> 10))
        out.append("%-16s%8d kB" % ("KernelPageSize:", 4))
        out.append("%-16s%8d kB" % ("MMUPageSize:", 4))
        out += ["%-16s%8d kB" % (name + ":", kb.get(name, 0)) for name in _SMAPS_FIELDS]
        out.append("THPeligible:    0")
        out.append("VmFlags: " + " ".join(vma_flag_names(v)) + " ")
    return "\n".join(out) + ("\n" if out else "")
