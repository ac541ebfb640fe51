"""fs/coredump.py - a process killed by a core-dumping signal leaves "core".

SIGQUIT, SIGILL, SIGABRT, SIGFPE, SIGSEGV, SIGBUS, SIGSYS, SIGTRAP,
SIGXCPU and SIGXFSZ kill with a core dump by default.  When RLIMIT_CORE
allows one, the kernel writes an ELF file of type ET_CORE named by
/proc/sys/kernel/core_pattern ("core", in the process's working directory,
unless changed) and only then reports WCOREDUMP in the wait status.  The file is what gdb reads:

  PT_NOTE   per thread NT_PRSTATUS (signal, ids, times, general registers)
            and NT_FPREGSET (the fxsave area); for the process NT_PRPSINFO
            (state, ids, command), NT_SIGINFO (the killing signal), NT_AUXV
            and NT_FILE (which file is mapped where);
  PT_LOAD   one per VMA, with the memory Linux's default coredump_filter
            (0x33) keeps: anonymous and written-to private memory, shared
            memory of unlinked (anonymous) objects, and the first page of an
            ELF file mapping; the rest has p_filesz 0 (gdb reads it from the
            files).  Pages never touched are holes in the file.

i386 processes get an ELFCLASS32 core with their own layouts.  The file
stops growing at RLIMIT_CORE bytes, as on Linux.
"""

from kernel.abi import RLIMIT_CORE
import struct

from kernel import timekeeping
from kernel.errno import Errno
from mm.physmem import PAGE_SIZE
from fs.dir import do_unlink
from fs.file import O_CREAT, O_EXCL, O_NOFOLLOW, O_WRONLY
from fs.mount import d_path
from fs.namei import AT_FDCWD
from fs.open import do_filp_open
from fs.proc.array import task_state_char
from fs.proc.task_mmu import is_special, vma_name
from kernel.printk import pr_err
from mm import physmem as _pm
from mm.pgtable import PTE_PFN_MASK, _PAGE_PRESENT, pte_pfn
from mm.uaccess import copy_from_user, peek_user
from mm.vma import VM_DONTDUMP, VM_EXEC, VM_READ, VM_SHARED, VM_WRITE
from skas import fpu

core_pattern = b"core"                  # /proc/sys/kernel/core_pattern
core_uses_pid = 0                       # /proc/sys/kernel/core_uses_pid

ET_CORE = 4
PT_LOAD, PT_NOTE = 1, 4
PF_X, PF_W, PF_R = 1, 2, 4
NT_PRSTATUS, NT_FPREGSET, NT_PRPSINFO, NT_AUXV = 1, 2, 3, 6
NT_SIGINFO = 0x53494749
NT_FILE = 0x46494C45

# i386 elf_gregset_t order, by the names of the 64-bit user_regs_struct
_GREGS32 = ("rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rax", "ds", "es", "fs", "gs",
            "orig_rax", "rip", "cs", "eflags", "rsp", "ss")


def _note(name, ntype, desc, align=4):
    name = name + b"\0"
    pad = lambda b: b + bytes(-len(b) % align)
    return struct.pack("<III", len(name), len(desc), ntype) + pad(name) + pad(desc)


def _timeval(sec, bits):
    s = int(sec)
    us = int((sec - s) * 1e6)
    return struct.pack("<qq" if bits == 64 else "<ii", s, us)


def _prstatus(t, sig, bits, fpvalid):
    ids = struct.pack("<iiii", t.pid, t.real_parent.tgid if t.real_parent else 0,
                      t.signal.pgrp, t.signal.session)
    times = b"".join(_timeval(x, bits) for x in (t.utime, t.stime, t.signal.cutime,
                                                   t.signal.cstime))
    pend = t.pending.signal if t.pending is not None else 0
    if bits == 64:
        regs = bytes(t.regs)[:27 * 8]
        head = struct.pack("<iiihxxQQ", sig, 0, 0, sig, pend & (2**64 - 1), t.blocked)
        return head + ids + times + regs + struct.pack("<ixxxx", fpvalid)
    regs = struct.pack("<17I", *[getattr(t.regs, n) & 0xFFFFFFFF for n in _GREGS32])
    head = struct.pack("<iiihxxII", sig, 0, 0, sig, pend & 0xFFFFFFFF, t.blocked & 0xFFFFFFFF)
    return head + ids + times + regs + struct.pack("<i", fpvalid)


def _prpsinfo(t, bits):
    state = task_state_char(t)
    args = b""
    try:
        mm = t.mm
        args = copy_from_user(mm, mm.arg_start, min(mm.arg_end - mm.arg_start, 80))
    except (Errno, AttributeError):
        pass
    args = args.rstrip(b"\0").replace(b"\0", b" ")[:79]
    fname = t.comm[:15]
    nice = 0
    if bits == 64:
        return struct.pack("<bbbbxxxxQII4i16s80s", "RSDTZW".find(state), ord(state), 0, nice,
                           t.flags, t.cred.uid, t.cred.gid, t.pid,
                           t.real_parent.tgid if t.real_parent else 0,
                           t.signal.pgrp, t.signal.session, fname, args)
    return struct.pack("<bbbbIHH4i16s80s", "RSDTZW".find(state), ord(state), 0, nice,
                       t.flags & 0xFFFFFFFF, t.cred.uid & 0xFFFF, t.cred.gid & 0xFFFF, t.pid,
                       t.real_parent.tgid if t.real_parent else 0,
                       t.signal.pgrp, t.signal.session, fname, args)


def _nt_file(mm, bits):
    entries, names = [], []
    for v in mm.vmas:
        if v.file is not None and not is_special(v):
            entries.append((v.start, v.end, v.pgoff))
            names.append(vma_name(mm, v).encode())
    w = "<Q" if bits == 64 else "<I"
    out = struct.pack(w, len(entries)) + struct.pack(w, PAGE_SIZE)
    for e in entries:
        out += b"".join(struct.pack(w, x) for x in e)
    return out + b"".join(n + b"\0" for n in names)


def _has_anon_pages(mm, v):
    """Linux's vma->anon_vma: has the process written to (made its own
    copy of) any page here?  For anonymous memory any page counts; in a
    private file mapping, a page that is not the file's page-cache page."""
    q = mm.pt.q
    cache = v.file.mapping.pages if v.file is not None and v.file.mapping is not None else None
    for addr, first, count in mm.pt.pte_pages(v.start, v.end):
        for i in range(count):
            pte = q[first + i]
            if not pte & _PAGE_PRESENT:
                continue
            if cache is None:
                return True
            index = v.pgoff + ((addr - v.start) >> 12) + i
            if cache.get(index) != pte_pfn(pte):
                return True
    return False


def _dump_size(mm, v):
    """How much of VMA v goes into the file (default coredump_filter)."""
    size = v.end - v.start
    if v.flags & VM_DONTDUMP:
        return 0                                     # madvise(MADV_DONTDUMP)
    if is_special(v):
        return size                                  # the [vdso]: always
    if v.flags & VM_SHARED and v.file is not None:
        return size if v.file.inode.nlink == 0 else 0   # anonymous shared memory
    if _has_anon_pages(mm, v):
        return size                                  # written to
    if v.file is None:
        return 0
    if v.pgoff == 0 and v.flags & VM_READ:
        head = peek_user(mm, v.start, 4)
        if head is None:
            try:
                head = copy_from_user(mm, v.start, 4)
            except Errno:
                head = None
        if head == b"\x7fELF":
            return PAGE_SIZE                         # the ELF headers
    return 0


def _pages(mm, v, size):
    """(address, bytes) of each page of VMA v's first size bytes that the
    dump holds; pages left out are holes (zeros).  Anonymous memory: the
    pages that are there (a walk of the existing page tables, so a huge
    untouched mapping costs nothing); a file mapping: its pages as the
    process sees them, faulted in from the page cache if need be."""
    end = v.start + size
    if v.file is None:
        mem, q = _pm.physmem.mem, mm.pt.q
        for addr, first, count in mm.pt.pte_pages(v.start, end):
            for i in range(count):
                pte = q[first + i]
                if pte & _PAGE_PRESENT:
                    off = pte & PTE_PFN_MASK
                    yield addr + i * PAGE_SIZE, bytes(mem[off:off + PAGE_SIZE])
        return
    for addr in range(v.start, end, PAGE_SIZE):
        try:
            yield addr, copy_from_user(mm, addr, PAGE_SIZE)
        except Errno:
            pass                                     # past the file's end


def _segments(mm):
    out = []
    for v in mm.vmas:
        flags = (PF_R if v.flags & VM_READ else 0) | (PF_W if v.flags & VM_WRITE else 0) | \
            (PF_X if v.flags & VM_EXEC else 0)
        out.append((v, flags, _dump_size(mm, v)))
    return out


def core_name(t, sig):
    """The file name core_pattern makes for t: %p pid, %P the same, %i tid,
    %I the same, %u uid, %g gid, %s signal, %t time, %h hostname, %e the
    command, %E the executable's path with ! for /, %c RLIMIT_CORE, %% a %.
    None for a "|program" pattern (no usermode helper here: no core)."""
    pat = core_pattern
    if pat.startswith(b"|"):
        return None
    exe = b""
    try:
        exe = d_path(t.mm.exe_file.path).replace(b"/", b"!")
    except Exception:
        pass
    lim = t.signal.rlim[RLIMIT_CORE][0]
    vals = {b"p": b"%d" % t.tgid, b"P": b"%d" % t.tgid, b"i": b"%d" % t.pid,
            b"I": b"%d" % t.pid, b"u": b"%d" % t.cred.uid, b"g": b"%d" % t.cred.gid,
            b"s": b"%d" % sig, b"t": b"%d" % timekeeping.ktime_get_real_seconds(),
            b"h": t.nsproxy.uts_ns.nodename, b"e": t.comm, b"E": exe,
            b"c": b"%d" % lim, b"%": b"%"}
    out, i, has_pid = b"", 0, False
    while i < len(pat):
        c = pat[i:i + 1]
        if c == b"%" and i + 1 < len(pat):
            k = pat[i + 1:i + 2]
            out += vals.get(k, b"")
            has_pid = has_pid or k == b"p"
            i += 2
            continue
        out += c
        i += 1
    if core_uses_pid and not has_pid:
        out += b".%d" % t.tgid
    return out or None


def do_coredump(t, info):
    """Write t's process to ./core; True if a core file was written."""
    limit = t.signal.rlim[RLIMIT_CORE][0]
    mm = t.mm
    if limit == 0 or mm is None or not mm.dumpable:
        return False
    try:
        return _write_core(t, info, mm, limit)
    except Errno:
        return False                    # no room, no permission: no core, as Linux
    except Exception as e:              # a kernel bug: say so, the process dies anyway
        pr_err("coredump of %d (%s) failed: %r" % (t.pid, t.comm.decode(errors="replace"), e))
        return False


def _core_notes(t, info, mm, bits):
    """The PT_NOTE segment (fill_note_info): the dumping thread first, as
    gdb expects."""
    sig = info.signo
    notes = b""
    threads = [t] + [th for th in t.thread_group() if th is not t and not th.exit_state]
    for th in threads:
        fp = b""
        try:
            fp = fpu.get_xstate(th)[:512] if th.mm is not None else b""
        except Exception:
            fp = b""
        fpvalid = len(fp) == 512 and bits == 64      # (i386's NT_PRFPREG is not written)
        notes += _note(b"CORE", NT_PRSTATUS, _prstatus(th, sig, bits, int(fpvalid)))
        if fpvalid:
            notes += _note(b"CORE", NT_FPREGSET, fp)
        if th is t:
            notes += _note(b"CORE", NT_PRPSINFO, _prpsinfo(t, bits))
            notes += _note(b"CORE", NT_SIGINFO, t.arch.pack_siginfo(info))
            if mm.auxv:
                notes += _note(b"CORE", NT_AUXV, mm.auxv)
            notes += _note(b"CORE", NT_FILE, _nt_file(mm, bits))
    return notes


def _core_headers(bits, notes, segs):
    """The ELF header and program headers; where the memory starts, and
    (vma, file offset, size) for each segment."""
    if bits == 64:
        ehsize, phentsize = 64, 56
    else:
        ehsize, phentsize = 52, 32
    nph = 1 + len(segs)
    note_off = ehsize + nph * phentsize
    data_off = (note_off + len(notes) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)

    ident = b"\x7fELF" + bytes([2 if bits == 64 else 1, 1, 1, 0]) + bytes(8)
    machine = 62 if bits == 64 else 3
    if bits == 64:
        ehdr = ident + struct.pack("<HHIQQQIHHHHHH", ET_CORE, machine, 1, 0, ehsize, 0, 0,
                                   ehsize, phentsize, nph, 0, 0, 0)
        ph = lambda typ, fl, off, va, fsz, msz, al: struct.pack(
            "<IIQQQQQQ", typ, fl, off, va, 0, fsz, msz, al)
    else:
        ehdr = ident + struct.pack("<HHIIIIIHHHHHH", ET_CORE, machine, 1, 0, ehsize, 0, 0,
                                   ehsize, phentsize, nph, 0, 0, 0)
        ph = lambda typ, fl, off, va, fsz, msz, al: struct.pack(
            "<IIIIIIII", typ, off, va, 0, fsz, msz, fl, al)
    phdrs = ph(PT_NOTE, 0, note_off, 0, len(notes), 0, 4)
    off = data_off
    layout = []
    for v, flags, size in segs:
        phdrs += ph(PT_LOAD, flags, off, v.start, size, v.end - v.start, PAGE_SIZE)
        layout.append((v, off, size))
        off += size
    return ehdr + phdrs, data_off, layout


def _write_core(t, info, mm, limit):
    bits = t.arch.BITS
    sig = info.signo
    notes = _core_notes(t, info, mm, bits)
    headers, data_off, layout = _core_headers(bits, notes, _segments(mm))

    # the file: core_pattern's name (relative to the working directory),
    # replacing one that is there, 0600, never through a link
    name = core_name(t, sig)
    if name is None:
        return False
    try:
        do_unlink(t, AT_FDCWD, name)
    except Errno:
        pass
    f = do_filp_open(t, AT_FDCWD, name, O_CREAT | O_WRONLY | O_EXCL | O_NOFOLLOW, 0o600)
    try:
        def put(pos, data):
            n = min(len(data), max(0, limit - pos))
            if n:
                f.f_op.pwrite(f, t, data[:n], pos)
            return n == len(data)

        if not put(0, headers + notes):
            return True
        end = data_off
        zero = bytes(PAGE_SIZE)
        for v, pos, size in layout:
            for a, page in _pages(mm, v, size):
                if page != zero and not put(pos + (a - v.start), page):
                    return True
            end = pos + size
        if end > f.inode.size:
            f.inode.setattr(size=min(end, limit))   # trailing holes
    finally:
        f.put()
    return True
