"""mm/madvise.py - madvise(2): what a process says about how it will use
a range of its memory.

Most advice is a hint this kernel has no use for (WILLNEED, SEQUENTIAL,
RANDOM, ...) and is accepted as is.  Some changes what the process sees:
 - MADV_DONTNEED (and MADV_FREE, which Linux may treat the same way): the
   pages go (EINVAL for mlocked ones); the next touch of a private anonymous page gives zeros, of a
   private file page the file's data again, of a shared page the shared
   data (nothing is lost for shared mappings);
 - MADV_REMOVE: a shared tmpfs range is punched out of the file;
 - MADV_DONTFORK / MADV_DOFORK: whether fork copies the range;
 - MADV_GUARD_INSTALL / MADV_GUARD_REMOVE (Linux 6.13): guard regions, a
   marker in each pte (_PAGE_GUARD) instead of a VMA of its own: an access
   is SIGSEGV (EFAULT for the kernel's), whatever the VMA allows.  Installing
   drops the pages there; DONTNEED/FREE/REMOVE and mprotect leave the
   markers, fork copies them, munmap and GUARD_REMOVE clear them.
Like Linux, a range with holes is still handled where it is mapped and then
reported as ENOMEM.
"""

from kernel.abi import s32
from kernel.errno import EACCES, EFAULT, EINVAL, ENOMEM, EPERM, ESRCH, Errno
from kernel.capability import CAP_SYS_NICE, capable
from mm.memory import VMFault, handle_mm_fault, zap_page_range
from mm.pgtable import _PAGE_GUARD
from mm.physmem import PAGE_SIZE, OutOfMemory
from mm.vma import (VM_DONTCOPY, VM_DONTDUMP, VM_DONTEXPAND, VM_LOCKED, VM_LOCKED_MASK,
                    VM_SHARED, VM_WIPEONFORK, VM_WRITE)
from mm.memfd import F_SEAL_FUTURE_WRITE, F_SEAL_WRITE
from mm.mmap import split_vma
from mm.mseal import madvise_sealed_ok
from fs.read_write import read_iovec
from kernel.pidfd import _target, pidfd_get
from kernel.ptrace_access import ptrace_may_access

MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED = 0, 1, 2, 3, 4
MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK = 8, 9, 10, 11
MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE = 12, 13, 14, 15
MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK = 16, 17, 18, 19
MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE = 20, 21, 22, 23
MADV_COLLAPSE = 25
MADV_DONTNEED_LOCKED = 24
MADV_GUARD_INSTALL, MADV_GUARD_REMOVE = 102, 103

# No KSM and no transparent huge pages (kernel/configs.py): their advice
# (MERGEABLE, HUGEPAGE, COLLAPSE...) is EINVAL, as on such a Linux.
_HINTS = {MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
          MADV_COLD, MADV_PAGEOUT}
_KNOWN = _HINTS | {MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK,
                   MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_DONTDUMP, MADV_DODUMP,
                   MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_GUARD_INSTALL,
                   MADV_GUARD_REMOVE}
_FLAG_ADVICE = {MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK,
                MADV_DONTDUMP, MADV_DODUMP}


def _dontneed(mm, vma, start, end):
    if zap_page_range(mm, start, end, keep_guards=True):
        mm.note_unmap(start, end)


def _guard_vma_ok(vma, allow_locked):
    """is_valid_guard_vma: not a special mapping (VM_DONTEXPAND stands for
    VM_SPECIAL here); installing may not drop locked pages."""
    return not vma.flags & (VM_DONTEXPAND | (0 if allow_locked else VM_LOCKED_MASK))


def _guard_install(mm, vma, start, end):
    if not _guard_vma_ok(vma, allow_locked=False):
        raise Errno(EINVAL)
    if zap_page_range(mm, start, end, free_tables=False):
        mm.note_unmap(start, end)
    pt = mm.pt
    try:
        for a in range(start, end, PAGE_SIZE):
            pt.q[pt.pte_index(a, alloc=True)] = _PAGE_GUARD
    except OutOfMemory:
        pt.free_empty_tables(start, end)
        raise Errno(ENOMEM)


def _guard_remove(mm, vma, start, end):
    if not _guard_vma_ok(vma, allow_locked=True):
        raise Errno(EINVAL)
    q = mm.pt.q
    for _, first, count in mm.pt.pte_pages(start, end):
        for i in range(first, first + count):
            if q[i] & _PAGE_GUARD:
                q[i] = 0
    mm.pt.free_empty_tables(start, end)


def _remove(mm, vma, start, end):
    if vma.flags & VM_LOCKED:
        raise Errno(EINVAL)
    if not vma.flags & VM_SHARED or vma.file is None or vma.file.mapping is None:
        raise Errno(EINVAL)
    if not vma.flags & VM_WRITE:
        raise Errno(EACCES)
    if (vma.file.inode.seals or 0) & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE):
        raise Errno(EPERM)                              # as fallocate's punch
    mapping = vma.file.mapping
    first = vma.pgoff + ((start - vma.start) >> 12)
    size = vma.file.inode.size
    lo, hi = first << 12, min((first + ((end - start) >> 12)) << 12, size)
    if hi > lo:
        mapping.zero_range(lo, hi)
        vma.file.inode.write_back_maybe()
    _dontneed(mm, vma, start, end)


def _populate(mm, vma, start, end, write):
    if write and not vma.flags & VM_WRITE:
        raise Errno(EINVAL)
    for a in range(start, end, PAGE_SIZE):
        try:
            handle_mm_fault(mm, vma, a, write)
        except VMFault as e:
            raise Errno(EFAULT if e.kind == "sigsegv" or not write else ENOMEM)


def sys_madvise(t, start, length, advice):
    return _madvise_mm(t, t.mm, start, length, advice)


def _madvise_mm(t, mm, start, length, advice):
    """do_madvise on mm (the caller's own, or process_madvise's target)."""
    advice &= 0xFFFFFFFF
    if start & (PAGE_SIZE - 1):
        return -EINVAL
    if advice not in _KNOWN:
        return -EINVAL
    end = start + ((length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
    if end < start:
        return -EINVAL
    if end == start:
        return 0
    if end > mm.task_size:
        return -ENOMEM
    if advice in _HINTS:
        vmas = mm.vmas_in(start, end)
        return 0 if _covers(vmas, start, end) else -ENOMEM
    if advice in (MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_WIPEONFORK,
                  MADV_DONTNEED_LOCKED):
        if not madvise_sealed_ok(mm, start, end):
            return -EPERM
    vmas = mm.vmas_in(start, end)
    for vma in vmas:
        s, e = max(start, vma.start), min(end, vma.end)
        if advice in (MADV_DONTNEED, MADV_FREE):
            if vma.flags & VM_LOCKED:
                raise Errno(EINVAL)             # locked pages stay
            if advice == MADV_FREE and vma.file is not None:
                raise Errno(EINVAL)             # only anonymous memory is freed lazily
            _dontneed(mm, vma, s, e)
        elif advice == MADV_REMOVE:
            _remove(mm, vma, s, e)
        elif advice in _FLAG_ADVICE:
            if advice == MADV_WIPEONFORK and (vma.file is not None or vma.flags & VM_SHARED):
                raise Errno(EINVAL)             # private anonymous memory only
            if vma.start < s:
                vma = split_vma(mm, vma, s)
            if vma.end > e:
                split_vma(mm, vma, e)
            setbit, clearbit = {MADV_DONTFORK: (VM_DONTCOPY, 0), MADV_DOFORK: (0, VM_DONTCOPY),
                                MADV_WIPEONFORK: (VM_WIPEONFORK, 0),
                                MADV_KEEPONFORK: (0, VM_WIPEONFORK),
                                MADV_DONTDUMP: (VM_DONTDUMP, 0),
                                MADV_DODUMP: (0, VM_DONTDUMP)}[advice]
            vma.flags = (vma.flags | setbit) & ~clearbit
        elif advice in (MADV_POPULATE_READ, MADV_POPULATE_WRITE):
            _populate(mm, vma, s, e, advice == MADV_POPULATE_WRITE)
        elif advice == MADV_GUARD_INSTALL:
            _guard_install(mm, vma, s, e)
        elif advice == MADV_GUARD_REMOVE:
            _guard_remove(mm, vma, s, e)
    return 0 if _covers(vmas, start, end) else -ENOMEM


def _covers(vmas, start, end):
    pos = start
    for v in vmas:
        if v.start > pos:
            return False
        pos = v.end
    return pos >= end


# -- process_madvise: advice for another process, or oneself, by pidfd ------------

PROCESS_MADV_REMOTE = (MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED, MADV_COLLAPSE)


def sys_process_madvise(t, pidfd, vec, vlen, advice, flags):
    """Each iovec range gets the advice, in order; the bytes advised, or
    the first error if none was.  Another process may only be given the
    hints that change nothing it can see (COLD, PAGEOUT, WILLNEED,
    COLLAPSE), and only by a caller with CAP_SYS_NICE."""
    if flags & 0xFFFFFFFF:
        return -EINVAL
    if vlen > 1024:
        return -EINVAL
    iov = read_iovec(t, vec, vlen)
    ctx, _ = pidfd_get(t, pidfd)
    target = _target(ctx)
    if target.mm is None:
        return -ESRCH
    if target.mm is not t.mm and not ptrace_may_access(t, target):
        return -EACCES                  # mm_access

    advice = s32(advice)
    if target.mm is not t.mm:
        if advice not in PROCESS_MADV_REMOTE:
            return -EINVAL
        if not capable(t, CAP_SYS_NICE):
            return -EPERM
    done = 0
    for base, length in iov:
        try:
            r = _madvise_mm(t, target.mm, base, length, advice)
        except Errno as e:
            r = -e.errno
        if r < 0:
            return done or r
        done += length
    return done

