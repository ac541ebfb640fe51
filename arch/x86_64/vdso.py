"""arch/x86_64/vdso.py - the vDSO of every 64-bit process.

arch/x86_64/vdso.S, built into build/vdso64.so and mapped like i386's
(arch/x86/vdso.py), gives glibc and musl clock_gettime, gettimeofday, time
and getcpu without a system call: the clock functions jump to the host's
own vDSO, which every x86_64 host process keeps above its stub
(skas/host_vdso.py).  Loading the image, the kernel writes the addresses
of the host's functions into the table at the start of its code.

A process in a time namespace (kernel/time_namespace.py) must not read the
monotonic clocks from the host's vDSO, which knows nothing of its offsets:
it maps a second image, the same but for the mask of host clocks
(vdso_host_clocks), and fork, exec and setns swap one for the other
(vdso_join_timens), as Linux swaps the vvar page.

Once the guest sets its wall clock (kernel/timekeeping.py) the host's
realtime clock is wrong for it: the kernel rewrites the table in both
images' shared page so that CLOCK_REALTIME, its COARSE form,
gettimeofday and time are system calls, in every process at once, as
Linux's vvar page changes under every process.
"""

import struct

from arch.x86.vdso import VdsoImage, vdso_base
from mm.mmap import MAP_FIXED, MAP_PRIVATE, do_mmap
from mm.physmem import PAGE_SIZE
from skas import host_vdso, process
from arch import x86_64
from kernel import timekeeping

# table slot (symbol in vdso.S) -> the host vDSO function it points at
_TABLE = {
    "vdso_host_clock_gettime": "__vdso_clock_gettime",
    "vdso_host_gettimeofday": "__vdso_gettimeofday",
    "vdso_host_time": "__vdso_time",
}

# in a time namespace only CLOCK_REALTIME and CLOCK_REALTIME_COARSE are the host's
REALTIME_CLOCKS = 1 << 0 | 1 << 5
TIMENS_HOST_CLOCKS = REALTIME_CLOCKS


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
    if timekeeping.realtime_offset:
        _realtime_by_syscall(image, syms)


def _patch_timens(image, syms):
    _patch(image, syms)
    mask = struct.unpack_from("<I", image, syms["vdso_host_clocks"])[0]
    struct.pack_into("<I", image, syms["vdso_host_clocks"], mask & TIMENS_HOST_CLOCKS)


def _realtime_by_syscall(image, syms):
    """The guest's wall clock is its own: not the host's vDSO's."""
    mask = struct.unpack_from("<I", image, syms["vdso_host_clocks"])[0]
    struct.pack_into("<I", image, syms["vdso_host_clocks"], mask & ~REALTIME_CLOCKS)
    for slot in ("vdso_host_gettimeofday", "vdso_host_time"):
        struct.pack_into("<Q", image, syms[slot], 0)


VDSO64 = VdsoImage("VDSO64", patch=_patch)
VDSO64_TIMENS = VdsoImage("VDSO64", patch=_patch_timens)


@timekeeping.clock_was_set_notifier
def vdso_clock_was_set(delta):
    """Rewrite the page of each image already made (a later one is
    patched so as it is made)."""
    for image in (VDSO64, VDSO64_TIMENS):
        f = image.loaded_file()
        if f is None:
            continue
        page = bytearray(f.mapping.read(0, PAGE_SIZE))
        _realtime_by_syscall(page, image.syms)
        f.mapping.write(0, bytes(page))


def arch_setup_additional_pages(mm, timens=False):
    return (VDSO64_TIMENS if timens else VDSO64).setup_pages(mm)


def vdso_join_timens(mm, timens):
    """Map the image for a process in (timens) or out of a time namespace
    where mm's vDSO is, if it still has one."""
    base = vdso_base(mm)
    if base is None:
        return
    f = (VDSO64_TIMENS if timens else VDSO64).file()
    vma = mm.find_vma(base)
    if vma.file is not None and vma.file.mapping is f.mapping:
        return
    do_mmap(mm, base, PAGE_SIZE, 5, MAP_PRIVATE | MAP_FIXED, f, 0, name="[vdso]")


def arch_auxv(mm):
    """AT_SYSINFO_EHDR: where the vDSO is."""
    base = vdso_base(mm)
    return [] if base is None else [(33, base)]
