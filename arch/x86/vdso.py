"""arch/x86/vdso.py - the vDSO of every i386 process.

Linux maps a small shared object, the "vDSO", into each 32-bit process and
names it in the auxiliary vector (AT_SYSINFO_EHDR; AT_SYSINFO is its system
call entry).  Ours is built from arch/x86/vdso32.S into build/vdso32.so, a
single read-only page holding its ELF headers, dynamic tables and three
pieces of code:

    __kernel_vsyscall       int $0x80; ret  (glibc calls it for syscalls)
    __kernel_sigreturn      where a handler without SA_RESTORER returns
    __kernel_rt_sigreturn   the same, for SA_SIGINFO handlers

Finding it, glibc (like on Linux) installs handlers without a restorer of
its own.  The page lives in an unlinked shmem file (fs/shmem.py), shared by
every 32-bit process as read-only file pages are; the symbol offsets come
from the image's dynamic symbol table (pyelftools).
"""

from mm.physmem import PAGE_SIZE

_file = None
_syms = None


def _image():
    global _syms
    import io
    from elftools.elf.elffile import ELFFile
    from init.paths import VDSO32
    with open(VDSO32, "rb") as f:
        data = f.read()
    if len(data) > PAGE_SIZE:
        raise RuntimeError("vdso32.so is larger than a page")
    elf = ELFFile(io.BytesIO(data))
    _syms = {s.name: s["st_value"] for s in elf.get_section_by_name(".dynsym").iter_symbols()
             if s.name}
    return data


def symbol(name):
    if _syms is None:
        _image()
    return _syms[name]


def _vdso_file():
    global _file
    if _file is None:
        from fs.shmem import shmem_file_setup
        data = _image()
        f = shmem_file_setup(PAGE_SIZE, name=b"[vdso]")
        f.mapping.write(0, data.ljust(PAGE_SIZE, b"\0"))
        _file = f
    return _file


def arch_setup_additional_pages(mm):
    """Map the vDSO into a new 32-bit address space (at exec)."""
    from mm.mmap import MAP_PRIVATE, do_mmap
    return do_mmap(mm, 0, PAGE_SIZE, 5, MAP_PRIVATE, _vdso_file(), 0, name="[vdso]")


def vdso_base(mm):
    """Where the vDSO is in mm (it survives fork; the guest may unmap it)."""
    for vma in mm.vmas:
        if vma.name == "[vdso]":
            return vma.start
    return None


def arch_auxv(mm):
    """The auxiliary vector entries that point at the vDSO."""
    base = vdso_base(mm)
    if base is None:
        return []
    return [(32, base + symbol("__kernel_vsyscall")),     # AT_SYSINFO
            (33, base)]                                    # AT_SYSINFO_EHDR
