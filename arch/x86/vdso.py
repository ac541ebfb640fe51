"""arch/x86/vdso.py - the vDSO: a one-page shared object in every process.

Linux maps a small shared object, the "vDSO", into each process and names
it in the auxiliary vector (AT_SYSINFO_EHDR).  Ours are one page each,
built from assembly by the Makefile and laid out by linker/vdso.lds:

 - i386 (arch/x86/vdso32.S, build/vdso32.so):
       __kernel_vsyscall       int $0x80; ret  (glibc calls it for syscalls;
                               AT_SYSINFO names it)
       __kernel_sigreturn      where a handler without SA_RESTORER returns
       __kernel_rt_sigreturn   the same, for SA_SIGINFO handlers
   Finding it, glibc (like on Linux) installs handlers without a restorer
   of its own.
 - x86_64 (arch/x86_64/vdso.S, build/vdso64.so): clock_gettime,
   gettimeofday, time and getcpu without a system call (arch/x86_64/vdso.py).

The page lives in an unlinked shmem file (fs/shmem.py), shared by every
process of the subarch as read-only file pages are; symbol offsets come
from the image's symbol tables (pyelftools).
"""

import io

from elftools.elf.elffile import ELFFile

from mm.physmem import PAGE_SIZE
from fs.shmem import shmem_file_setup
import init.paths
from mm.mmap import MAP_PRIVATE, do_mmap


class VdsoImage:
    """One built vDSO.  patch(image, symbols) may rewrite the bytes once,
    before the first process maps them."""

    def __init__(self, path_name, patch=None):
        self.path_name = path_name          # the init.paths name of the file
        self.patch = patch
        self.syms = None
        self._file = None

    def image(self):
        with open(getattr(init.paths, self.path_name), "rb") as f:
            data = f.read()
        if len(data) > PAGE_SIZE:
            raise RuntimeError("%s is larger than a page" % self.path_name)
        elf = ELFFile(io.BytesIO(data))
        syms = {}
        for name in (".symtab", ".dynsym"):
            sec = elf.get_section_by_name(name)
            if sec is not None:
                syms.update((s.name, s["st_value"]) for s in sec.iter_symbols() if s.name)
        self.syms = syms
        return data

    def symbol(self, name):
        if self.syms is None:
            self.image()
        return self.syms[name]

    def file(self):
        if self._file is None:
            data = bytearray(self.image().ljust(PAGE_SIZE, b"\0"))
            if self.patch is not None:
                self.patch(data, self.syms)
            f = shmem_file_setup(PAGE_SIZE, name=b"[vdso]")
            f.mapping.write(0, bytes(data))
            self._file = f
        return self._file

    def loaded_file(self):
        """The file, if a process has mapped it yet."""
        return self._file

    def setup_pages(self, mm):
        """Map the vDSO into a new address space (at exec)."""
        return do_mmap(mm, 0, PAGE_SIZE, 5, MAP_PRIVATE, self.file(), 0, name="[vdso]")


def vdso_base(mm):
    """Where the vDSO is in mm (it survives fork; the guest may unmap it)."""
    for vma in mm.vmas:
        if vma.name == "[vdso]":
            return vma.start
    return None


VDSO32 = VdsoImage("VDSO32")


def symbol(name):
    return VDSO32.symbol(name)


def arch_setup_additional_pages(mm, timens=False):
    """i386's vDSO has no clocks: a time namespace changes nothing in it."""
    return VDSO32.setup_pages(mm)


def arch_auxv(mm):
    """The auxiliary vector entries that point at the vDSO."""
    base = vdso_base(mm)
    if base is None:
        return []
    return [(32, base + symbol("__kernel_vsyscall")),     # AT_SYSINFO
            (33, base)]                                    # AT_SYSINFO_EHDR
