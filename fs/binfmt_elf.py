"""fs/binfmt_elf.py - loading ELF programs (pyelftools reads the headers).

Static executables (ET_EXEC), static-PIE and dynamic programs (ET_DYN, with
PT_INTERP naming the loader, which is loaded beside them).  Segments are
not read in: each PT_LOAD becomes a file-backed VMA, faulted in from the
page cache on first touch; the .bss that shares a page with the end of
.data reads as zeros from its start (vma.zero_from), the rest of .bss is
anonymous memory.  The ELF class picks the subarch (arch/x86_64 or
arch/x86) of the new address space.

The new stack gets argc, argv, envp, the auxiliary vector (AT_PHDR,
AT_ENTRY, AT_BASE, AT_RANDOM, AT_EXECFN, ...) and the strings, laid out
as Linux's create_elf_tables does.
"""

from kernel.abi import RLIMIT_STACK
import io
import os
import struct

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from kernel.errno import EINVAL, ENOEXEC, ENOMEM, Errno
from kernel.syscall import inject_fault
from mm.memory import VMFault
from mm.physmem import PAGE_SIZE, OutOfMemory
import arch
from fs.exec import begin_new_exec, open_exec
from kernel.time_namespace import init_time_ns
from kernel.printk import pr_err
from kernel.signal import SIGSEGV, force_sig
from mm.mmap import MAP_FIXED, MAP_PRIVATE, do_mmap, get_unmapped_area
from mm.uaccess import copy_to_user
from mm.vma import VM_GROWSDOWN

PT_LOAD, PT_INTERP, PT_PHDR, PT_GNU_STACK = 1, 3, 6, 0x6474E551
PF_X, PF_W, PF_R = 1, 2, 4
ET_EXEC, ET_DYN = 2, 3

AT_NULL, AT_IGNORE, AT_EXECFD, AT_PHDR, AT_PHENT, AT_PHNUM = 0, 1, 2, 3, 4, 5
AT_PAGESZ, AT_BASE, AT_FLAGS, AT_ENTRY, AT_NOTELF = 6, 7, 8, 9, 10
AT_UID, AT_EUID, AT_GID, AT_EGID, AT_PLATFORM, AT_HWCAP = 11, 12, 13, 14, 15, 16
AT_CLKTCK, AT_SECURE, AT_BASE_PLATFORM, AT_RANDOM, AT_HWCAP2 = 17, 23, 24, 25, 26
AT_EXECFN, AT_SYSINFO, AT_SYSINFO_EHDR, AT_MINSIGSTKSZ = 31, 32, 33, 51


class _PageCacheStream(io.RawIOBase):
    """A read-only stream over a file's page cache, for pyelftools."""

    def __init__(self, mapping):
        self.mapping = mapping
        self.pos = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, off, whence=0):
        if whence == 0:
            self.pos = off
        elif whence == 1:
            self.pos += off
        else:
            self.pos = self.mapping.host.size + off
        return self.pos

    def tell(self):
        return self.pos

    def read(self, n=-1):
        if n is None or n < 0:
            n = max(0, self.mapping.host.size - self.pos)
        data = self.mapping.read(self.pos, n)
        self.pos += len(data)
        return data

    def readinto(self, b):
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)


elf_cache = True                # boot option elf_cache= (init/switches.py)


class ElfImage:
    """The parts of an ELF file the loader needs.

    Parsing with pyelftools costs ~0.7 ms, a third of a fork+exec; a
    program run again and again (a shell loop) is parsed once: the result
    is kept on the file's page cache, valid while size and mtime stay
    (unless the boot option says elf_cache=0)."""

    _FIELDS = ("elfclass", "machine", "type", "entry", "phoff", "phnum", "phentsize",
               "segments", "interp", "loads")

    def __init__(self, file):
        self.file = file
        inode = file.inode
        key = (inode.size, inode.mtime)
        cached = file.mapping.elf_image if elf_cache else None
        if cached is not None and cached[0] == key:
            for name, value in zip(self._FIELDS, cached[1]):
                setattr(self, name, value)
            return
        self._parse(file)
        if elf_cache:
            file.mapping.elf_image = (key, tuple(getattr(self, n) for n in self._FIELDS))

    def _parse(self, file):
        try:
            elf = ELFFile(_PageCacheStream(file.mapping))
            h = elf.header
            self.elfclass = elf.elfclass
            self.machine = _machine_number(h["e_machine"])
            self.type = _type_number(h["e_type"])
            self.entry = h["e_entry"]
            self.phoff = h["e_phoff"]
            self.phnum = h["e_phnum"]
            self.phentsize = h["e_phentsize"]
            self.segments = [dict(type=_ptype(s["p_type"]), offset=s["p_offset"],
                                  vaddr=s["p_vaddr"], filesz=s["p_filesz"],
                                  memsz=s["p_memsz"], flags=s["p_flags"],
                                  align=s["p_align"]) for s in elf.iter_segments()]
        except (ELFError, struct.error, ValueError, KeyError) as e:
            raise Errno(ENOEXEC, str(e))
        self.interp = None
        for s in self.segments:
            if s["type"] == PT_INTERP:
                raw = file.mapping.read(s["offset"], s["filesz"])
                self.interp = raw.split(b"\0", 1)[0]
        self.loads = [s for s in self.segments if s["type"] == PT_LOAD]
        if not self.loads:
            raise Errno(ENOEXEC)


def _machine_number(m):
    return {"EM_X86_64": 62, "EM_386": 3}.get(m, m if isinstance(m, int) else -1)


def _type_number(t):
    return {"ET_EXEC": ET_EXEC, "ET_DYN": ET_DYN}.get(t, t if isinstance(t, int) else -1)


def _ptype(p):
    return {"PT_LOAD": PT_LOAD, "PT_INTERP": PT_INTERP, "PT_PHDR": PT_PHDR,
            "PT_GNU_STACK": PT_GNU_STACK}.get(p, p if isinstance(p, int) else -1)


def arch_for(img):
    return arch.for_elf(img.elfclass, img.machine)


def _page_down(x):
    return x & ~(PAGE_SIZE - 1)


def _page_up(x):
    return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)


def map_image(mm, img, bias):
    """Map img's PT_LOAD segments at bias; returns the end of the image."""
    top = 0
    for s in img.loads:
        prot = (1 if s["flags"] & PF_R else 0) | (2 if s["flags"] & PF_W else 0) | \
            (4 if s["flags"] & PF_X else 0)
        vaddr = s["vaddr"] + bias
        if (s["offset"] - s["vaddr"]) % PAGE_SIZE:
            raise Errno(EINVAL)
        start = _page_down(vaddr)
        file_end = _page_up(vaddr + s["filesz"])
        mem_end = _page_up(vaddr + s["memsz"])
        if s["filesz"]:
            do_mmap(mm, start, file_end - start, prot, MAP_FIXED | MAP_PRIVATE,
                    img.file, _page_down(s["offset"]) // PAGE_SIZE)
            if s["memsz"] > s["filesz"]:
                vma = mm.vma_at(start)
                vma.zero_from = vaddr + s["filesz"]
        if mem_end > file_end:
            do_mmap(mm, file_end, mem_end - file_end, prot, MAP_FIXED | MAP_PRIVATE)
        top = max(top, vaddr + s["memsz"])
    return top


def _span(img):
    lo = min(_page_down(s["vaddr"]) for s in img.loads)
    hi = max(_page_up(s["vaddr"] + s["memsz"]) for s in img.loads)
    return lo, hi


def load_binary(t, bprm):
    buf = bprm.buf
    if buf[:4] != b"\x7fELF":
        return None
    main = ElfImage(bprm.file)
    arch = arch_for(main)
    if arch is None or main.type not in (ET_EXEC, ET_DYN):
        raise Errno(ENOEXEC)
    interp = interp_file = None
    if main.interp:
        interp_file = open_exec(t, main.interp)
        try:
            if interp_file.mapping.read(0, 4) != b"\x7fELF":
                raise Errno(ENOEXEC)
            interp = ElfImage(interp_file)
            if arch_for(interp) is not arch:
                raise Errno(ELIBBAD)
        except BaseException:
            interp_file.put()
            raise
    try:
        return _load(t, bprm, main, arch, interp)
    finally:
        if interp_file is not None:
            interp_file.put()


ELIBBAD = 80


def _load(t, bprm, main, arch, interp):
    # -- the point of no return: from here a failure kills the process --
    mm = begin_new_exec(t, bprm, arch)
    try:
        lo, hi = _span(main)
        bias = 0
        if main.type == ET_DYN:
            bias = arch.ELF_ET_DYN_BASE - lo
        top = map_image(mm, main, bias)
        entry = main.entry + bias
        base = 0
        if interp is not None:
            ilo, ihi = _span(interp)
            ibase = get_unmapped_area(mm, ihi - ilo) if interp.type == ET_DYN else 0
            base = ibase - ilo if interp.type == ET_DYN else 0
            map_image(mm, interp, base)
            entry_point = interp.entry + base
        else:
            entry_point = entry
        mm.start_code = min(_page_down(s["vaddr"] + bias) for s in main.loads if s["flags"] & PF_X) \
            if any(s["flags"] & PF_X for s in main.loads) else lo + bias
        mm.end_code = max(s["vaddr"] + bias + s["filesz"] for s in main.loads if s["flags"] & PF_X) \
            if any(s["flags"] & PF_X for s in main.loads) else lo + bias
        data = [s for s in main.loads if not s["flags"] & PF_X]
        mm.start_data = min((s["vaddr"] + bias for s in data), default=mm.end_code)
        mm.end_data = max((s["vaddr"] + bias + s["filesz"] for s in data), default=mm.end_code)
        mm.start_brk = mm.brk = _page_up(top)
        arch.arch_setup_additional_pages(mm, t.nsproxy.time_ns is not init_time_ns)  # [vdso]
        phdr = _phdr_addr(main, bias)
        inject_fault(t, "exec_late")
        sp = setup_stack(t, mm, arch, bprm, phdr, main.phnum, entry, base)
    except Errno as e:
        _exec_failed(t, e)
        return 0
    except (OutOfMemory, VMFault) as e:
        # no memory for the new image: the process cannot go on (any other
        # exception is a kernel bug, and an oops says so)
        pr_err("exec of %s failed late: %r" % (bprm.filename.decode(errors="replace"), e))
        _exec_failed(t, Errno(ENOMEM))
        return 0
    arch.start_thread(t.regs, entry_point, sp)
    t.regs_dirty = True
    t.regs_valid = True
    return 0


def _exec_failed(t, err):
    force_sig(t, SIGSEGV)


def _phdr_addr(img, bias):
    for s in img.segments:
        if s["type"] == PT_PHDR:
            return s["vaddr"] + bias
    for s in img.loads:
        if s["offset"] <= img.phoff < s["offset"] + s["filesz"]:
            return s["vaddr"] + (img.phoff - s["offset"]) + bias
    return 0


def setup_stack(t, mm, arch, bprm, phdr, phnum, entry, base):
    """The initial stack: strings, AT_RANDOM bytes, auxv, envp, argv, argc."""
    ptr = arch.BITS // 8
    stack_size = min(max(t.signal.rlim[RLIMIT_STACK][0], 128 << 10), 256 << 20)
    stack_size = _page_up(stack_size)
    top = arch.STACK_TOP
    do_mmap(mm, top - stack_size, stack_size, 3, MAP_FIXED | MAP_PRIVATE, name="[stack]")
    mm.vma_at(top - 1).flags |= VM_GROWSDOWN
    sp = top
    # strings, highest first: the executable's name, then envp, then argv
    def push(data):
        nonlocal sp
        sp -= len(data)
        copy_to_user(mm, sp, data)
        return sp
    execfn = push(bprm.filename + b"\0")
    env_ptrs = []
    mm.env_end = sp
    for e in reversed(bprm.envp):
        env_ptrs.append(push(e + b"\0"))
    env_ptrs.reverse()
    mm.env_start = sp
    mm.arg_end = sp
    arg_ptrs = []
    for a in reversed(bprm.argv):
        arg_ptrs.append(push(a + b"\0"))
    arg_ptrs.reverse()
    mm.arg_start = sp
    platform = push(arch.PLATFORM + b"\0")
    sp &= ~15
    random = push(os.urandom(16))
    cred = t.cred
    auxv = [
        (AT_HWCAP, arch.AT_HWCAP_VALUE),
        (AT_PAGESZ, PAGE_SIZE),
        (AT_CLKTCK, 100),
        (AT_PHDR, phdr),
        (AT_PHENT, 56 if arch.BITS == 64 else 32),
        (AT_PHNUM, phnum),
        (AT_BASE, base),
        (AT_FLAGS, 0),
        (AT_ENTRY, entry),
        (AT_UID, cred.uid), (AT_EUID, cred.euid),
        (AT_GID, cred.gid), (AT_EGID, cred.egid),
        (AT_SECURE, int(bprm.secureexec)),
        (AT_RANDOM, random),
        (AT_HWCAP2, arch.AT_HWCAP2_VALUE),
        (AT_EXECFN, execfn),
        (AT_PLATFORM, platform),
        (AT_MINSIGSTKSZ, arch.AT_MINSIGSTKSZ_VALUE),
    ]
    if hasattr(arch, "arch_auxv"):
        auxv += arch.arch_auxv(mm)                  # i386: the vDSO
    auxv.append((AT_NULL, 0))
    words = [len(bprm.argv)] + arg_ptrs + [0] + env_ptrs + [0]
    for k, v in auxv:
        words += [k, v]
    size = len(words) * ptr
    sp = (sp - size) & ~15
    fmt = "<%d%s" % (len(words), "Q" if ptr == 8 else "I")
    copy_to_user(mm, sp, struct.pack(fmt, *words))
    mm.start_stack = sp
    mm.auxv = struct.pack("<%d%s" % (2 * len(auxv), "Q" if ptr == 8 else "I"),
                          *[x for kv in auxv for x in kv])
    return sp

