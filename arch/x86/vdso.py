"""arch/x86/vdso.py - the page of kernel-provided code in every i386 process.

Linux maps a "vDSO" into each 32-bit process; among other things it holds
the code a signal handler returns to when it did not name its own
(sigaction without SA_RESTORER, and the old signal() call).  Without it the
kernel would have to point the return address at code on the stack, which a
non-executable stack cannot run.

pyuml's is a single read-only page, "[vdso]" in the maps, with just that
code (it is not an ELF image, so no AT_SYSINFO_EHDR points at it):

    __kernel_sigreturn      popl %eax; movl $__NR_sigreturn, %eax; int $0x80
    __kernel_rt_sigreturn   movl $__NR_rt_sigreturn, %eax; int $0x80
    __kernel_vsyscall       int $0x80; ret

Its frame lives in an unlinked shmem file (fs/shmem.py), shared by every
32-bit process as read-only file pages are.
"""

import struct

from mm.physmem import PAGE_SIZE

SIGRETURN = 0x00
RT_SIGRETURN = 0x10
VSYSCALL = 0x20

_CODE = {
    SIGRETURN: struct.pack("<BBI", 0x58, 0xB8, 119) + b"\xcd\x80",
    RT_SIGRETURN: struct.pack("<BI", 0xB8, 173) + b"\xcd\x80",
    VSYSCALL: b"\xcd\x80\xc3",
}

_file = None


def _vdso_file():
    global _file
    if _file is None:
        from fs.shmem import shmem_file_setup
        page = bytearray(PAGE_SIZE)
        for off, code in _CODE.items():
            page[off:off + len(code)] = code
        f = shmem_file_setup(PAGE_SIZE, name=b"[vdso]")
        f.mapping.write(0, bytes(page))
        _file = f
    return _file


def arch_setup_additional_pages(mm):
    """Map the page into a new 32-bit address space (at exec)."""
    from mm.mmap import MAP_PRIVATE, do_mmap
    return do_mmap(mm, 0, PAGE_SIZE, 5, MAP_PRIVATE, _vdso_file(), 0, name="[vdso]")


def vdso_base(mm):
    """Where the page is in mm (it survives fork; the guest may unmap it)."""
    for vma in mm.vmas:
        if vma.name == "[vdso]":
            return vma.start
    return None
