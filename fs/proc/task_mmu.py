"""fs/proc/task_mmu.py - /proc/PID/maps: a process's VMAs, one per line,
in Linux's format (start-end perms offset dev inode, then the name padded
to column 73: a file's path, [heap], [stack], or nothing)."""

import struct

from fs.inode import dev_major, dev_minor
from mm.vma import (VM_EXEC, VM_MAYSHARE, VM_READ, VM_SHARED, VM_WRITE,
    VM_DONTCOPY, VM_DONTEXPAND, VM_GROWSDOWN, VM_LOCKED, VM_LOCKONFAULT,
    VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_SEALED)
from fs.mount import d_path
from kernel.errno import EINVAL, Errno, E2BIG, ENAMETOOLONG, ENOENT, ESRCH
from mm.mincore import settle_fault_around
from mm import physmem as _pm
from mm.pgtable import (pte_pfn, pte_present, _PAGE_AROUND, _PAGE_GUARD, _PAGE_PRESENT,
    _PAGE_PROTNONE)
from mm.physmem import PG_CACHE
from mm.uaccess import copy_from_user, copy_to_user


def is_special(v):
    """A kernel-made mapping such as [vdso]: shown by its name, without the
    file behind it (Linux's special mappings have none)."""
    return bool(v.name) and v.name.startswith("[")


def vma_name(mm, v):
    if is_special(v):
        return v.name
    if v.file is not None:
        name = v.file.proc_name      # memory of an anonymous file (io_uring)
        if name:
            return name.decode(errors="replace")
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
            dev = inode.sb_dev or inode.sb.dev
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
PM_GUARD_REGION = 1 << 58
PM_FILE = 1 << 61
PM_SWAP = 1 << 62
PM_PRESENT = 1 << 63


def pagemap_read(mm, pos, count, show_pfn):
    """Linux's /proc/PID/pagemap: one 64-bit entry per virtual page, the
    entry of page n at offset 8n (Documentation/admin-guide/mm/pagemap.rst):

      bits 0-54  the frame number, if present (0 unless show_pfn: root)
      bit 55     soft-dirty (not tracked here: 0, as with no clear_refs)
      bit 56     the page is mapped exclusively (by this one pte)
      bit 58     a guard page (MADV_GUARD_INSTALL)
      bit 61     a file page or shared anonymous memory
      bit 62     swapped (never, here)
      bit 63     present (fault-around's guesses settled first, as mincore
                 does: mm/mincore.py)

    pos and count must be multiples of 8 (EINVAL); past the end of user
    space the file ends."""
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
    settle_fault_around(mm, first << 12, last << 12)   # no fault-around guesses
    # LAB pgtbl: begin
    pm = _pm.physmem
    q = mm.pt.q
    for addr, idx, n in mm.pt.pte_pages(first << 12, last << 12):
        for i in range(n):
            pte = q[idx + i]
            a = addr + (i << 12)
            if pte & _PAGE_GUARD:
                entries[(a >> 12) - first] = PM_GUARD_REGION
            if not pte_present(pte):
                continue
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
# -- /proc/PID/smaps: the same lines, each with its memory and flags -----------------

_SMAPS_FIELDS = ("Rss", "Pss", "Pss_Dirty", "Shared_Clean", "Shared_Dirty", "Private_Clean",
                 "Private_Dirty", "Referenced", "Anonymous", "KSM", "LazyFree",
                 "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb",
                 "Private_Hugetlb", "Swap", "SwapPss", "Locked")


def vma_flag_names(v):
    """show_smap_vma_flags's two-letter names, in Linux's bit order."""
    f = v.flags
    names = [(VM_READ, "rd"), (VM_WRITE, "wr"), (VM_EXEC, "ex"), (VM_SHARED, "sh"),
             (VM_MAYREAD, "mr"), (VM_MAYWRITE, "mw"), (VM_MAYEXEC, "me"),
             (VM_MAYSHARE, "ms"), (VM_GROWSDOWN, "gd")]
    out = [n for bit, n in names if f & bit]
    uffd = v.uffd
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
    pm = _pm.physmem
    q = mm.pt.q
    rss = anon = shared = 0
    for _, first, count in mm.pt.pte_pages(v.start, v.end):
        for i in range(first, first + count):
            pte = q[i]
            if not pte & (_PAGE_PRESENT | _PAGE_PROTNONE) or pte & _PAGE_AROUND:
                continue
            rss += 1
            pfn = pte_pfn(pte)
            if not pm.flags[pfn] & PG_CACHE:
                anon += 1
            if pm.refcount[pfn] > 1:
                shared += 1
    return rss, anon, shared


def show_smaps(mm):
    if mm is None:
        return ""
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


# -- PROCMAP_QUERY: ioctl on /proc/PID/maps, one VMA at a time (Linux 6.11) --------

PROCMAP_QUERY = 0xC0686611              # _IOWR('f', 17, struct procmap_query)
Q_READABLE, Q_WRITABLE, Q_EXECUTABLE, Q_SHARED = 0x01, 0x02, 0x04, 0x08
Q_COVERING_OR_NEXT, Q_FILE_BACKED = 0x10, 0x20
Q_VALID = 0x3F


def _query_vma(mm, addr, flags):
    wanted = [(Q_READABLE, VM_READ), (Q_WRITABLE, VM_WRITE), (Q_EXECUTABLE, VM_EXEC),
              (Q_SHARED, VM_MAYSHARE | VM_SHARED)]
    while True:
        v = mm.find_vma(addr)
        if v is None:
            return None
        ok = not (flags & Q_FILE_BACKED and (v.file is None or is_special(v)))
        ok = ok and all(v.flags & bit for q, bit in wanted if flags & q)
        if ok and (flags & Q_COVERING_OR_NEXT or v.start <= addr):
            return v
        if not flags & Q_COVERING_OR_NEXT:
            return None
        addr = v.end


def _build_id(v):
    """The GNU build ID note of the ELF file behind v, or None."""
    _s = struct
    try:
        head = v.file.mapping.read(0, 4096) if v.file.mapping is not None else b""
    except Exception:
        return None
    if head[:4] != b"\x7fELF":
        return None
    is64 = head[4] == 2
    if is64:
        phoff, = _s.unpack_from("<Q", head, 32)
        phentsize, phnum = _s.unpack_from("<HH", head, 54)
    else:
        phoff, = _s.unpack_from("<I", head, 28)
        phentsize, phnum = _s.unpack_from("<HH", head, 42)
    for i in range(phnum):
        off = phoff + i * phentsize
        if off + phentsize > len(head):
            break
        if is64:
            ptype, _, poff, _, _, pfilesz = _s.unpack_from("<IIQQQQ", head, off)
        else:
            ptype, poff, _, _, pfilesz = _s.unpack_from("<IIIII", head, off)
        if ptype != 4:                              # PT_NOTE
            continue
        notes = v.file.mapping.read(poff, min(pfilesz, 4096))
        pos = 0
        while pos + 12 <= len(notes):
            namesz, descsz, ntype = _s.unpack_from("<III", notes, pos)
            name = notes[pos + 12:pos + 12 + namesz]
            dstart = pos + 12 + ((namesz + 3) & ~3)
            if ntype == 3 and name == b"GNU\0":     # NT_GNU_BUILD_ID
                return notes[dstart:dstart + descsz]
            pos = dstart + ((descsz + 3) & ~3)
    return None


def procmap_query(mm, t, arg):
    """do_procmap_query: the VMA at or after an address, its flags, file,
    name and build ID, into the caller's struct procmap_query."""
    (usize,) = struct.unpack("<Q", copy_from_user(t.mm, arg, 8))
    if usize > 4096:
        raise Errno(E2BIG)
    if usize < 24:
        raise Errno(EINVAL)
    raw = copy_from_user(t.mm, arg, usize)
    if any(raw[104:]):
        raise Errno(E2BIG)                  # copy_struct_from_user: unknown fields set
    raw = raw[:104].ljust(104, b"\0")
    (_, flags, addr, _, _, _, _, _, _, _, _, name_size, bid_size, name_addr,
     bid_addr) = struct.unpack("<QQQQQQQQQIIIIQQ", raw)
    if flags & ~Q_VALID:
        raise Errno(EINVAL)
    if bool(name_size) != bool(name_addr) or bool(bid_size) != bool(bid_addr):
        raise Errno(EINVAL)
    if mm is None or mm.users <= 0:
        raise Errno(ESRCH)
    v = _query_vma(mm, addr, flags)
    if v is None:
        raise Errno(ENOENT)
    vflags = ((Q_READABLE if v.flags & VM_READ else 0) | (Q_WRITABLE if v.flags & VM_WRITE else 0)
              | (Q_EXECUTABLE if v.flags & VM_EXEC else 0)
              | (Q_SHARED if v.flags & (VM_SHARED | VM_MAYSHARE) else 0))
    off = ino = major = minor = 0
    if v.file is not None and not is_special(v):
        inode = v.file.inode
        dev = inode.sb_dev or inode.sb.dev
        off, ino, major, minor = v.pgoff << 12, inode.ino, dev_major(dev), dev_minor(dev)
    bid = None
    if bid_size:
        bid = _build_id(v) if v.file is not None and not is_special(v) else None
        if bid is None:
            bid_size = 0
        elif bid_size < len(bid):
            raise Errno(ENAMETOOLONG)
        else:
            bid_size = len(bid)
    name = None
    if name_size:
        text = vma_name(mm, v)
        if text:
            name = text.encode() + b"\0"
            if len(name) > min(4096, name_size):
                raise Errno(ENAMETOOLONG)
            name_size = len(name)
        else:
            name_size = 0
    if name:
        copy_to_user(t.mm, name_addr, name)
    if bid:
        copy_to_user(t.mm, bid_addr, bid)
    out = struct.pack("<QQQQQQQQQIIIIQQ", usize, flags, addr, v.start, v.end, vflags, 4096,
                      off, ino, major, minor, name_size, bid_size, name_addr, bid_addr)
    copy_to_user(t.mm, arg, out[:min(104, usize)])
    return 0
