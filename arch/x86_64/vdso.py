"""arch/x86_64/vdso.py - the vDSO of every 64-bit process.

arch/x86_64/vdso.S, built into build/vdso64.so and mapped like i386's
(arch/x86/vdso.py), gives glibc and musl clock_gettime, gettimeofday, time
and getcpu without a system call: the clock functions jump to the host's
own vDSO, which every x86_64 host process keeps above its stub
(skas/host_vdso.py).  Loading the image, the kernel writes the addresses
of the host's functions into the table at the start of its code.
"""

import struct

from arch.x86.vdso import VdsoImage, vdso_base
from skas import host_vdso, process
from arch import x86_64

# table slot (symbol in vdso.S) -> the host vDSO function it points at
_TABLE = {
    "vdso_host_clock_gettime": "__vdso_clock_gettime",
    "vdso_host_gettimeofday": "__vdso_gettimeofday",
    "vdso_host_time": "__vdso_time",
}


def _patch(image, syms):
    """Fill the table with the host functions' addresses (0: not there,
    the guest's vDSO makes the system call itself)."""
    process.template_for(x86_64.get_stub())     # its stub_init moved the host vDSO
    offsets = host_vdso.host_symbol_offsets()
    for slot, name in _TABLE.items():
        addr = 0
        if host_vdso.base is not None and name in offsets:
            addr = host_vdso.base + offsets[name]
        struct.pack_into("<Q", image, syms[slot], addr)


VDSO64 = VdsoImage("VDSO64", patch=_patch)


def arch_setup_additional_pages(mm):
    return VDSO64.setup_pages(mm)


def arch_auxv(mm):
    """AT_SYSINFO_EHDR: where the vDSO is."""
    base = vdso_base(mm)
    return [] if base is None else [(33, base)]
