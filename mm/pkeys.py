"""mm/pkeys.py - memory protection keys: pkey_alloc, pkey_free,
pkey_mprotect - refused as on a kernel whose CPU has no PKU.

Protection keys need the CPU's PKRU register and the key bits in the
hardware page tables of the host process; this host CPU has no "pku"
(see /proc/cpuinfo, which pyuml shows as the host's), so pyuml answers as
Linux does there: only key 0 exists and it is not the caller's to free,
pkey_alloc finds no free key (ENOSPC; EINVAL for the flags and access
rights Linux rejects first, and for an unrestricted key, which a kernel
without keys cannot give), pkey_free of anything is EINVAL, and
pkey_mprotect is mprotect for pkey -1 and EINVAL for any other key.
"""

from kernel.abi import s32
from kernel.errno import EINVAL, ENOMEM, ENOSPC
from mm.physmem import PAGE_SIZE
from mm.mmap import sys_mprotect

PKEY_DISABLE_ACCESS, PKEY_DISABLE_WRITE = 1, 2
PKEY_ACCESS_MASK = PKEY_DISABLE_ACCESS | PKEY_DISABLE_WRITE
PROT_GROWSDOWN, PROT_GROWSUP = 0x01000000, 0x02000000


def sys_pkey_alloc(t, flags, init_val):
    if flags:
        return -EINVAL
    if init_val & ~PKEY_ACCESS_MASK:
        return -EINVAL
    if not init_val:
        return -EINVAL
    return -ENOSPC


def sys_pkey_free(t, pkey):
    return -EINVAL


def sys_pkey_mprotect(t, start, length, prot, pkey):
    pkey = s32(pkey)
    if pkey == -1:
        return sys_mprotect(t, start, length, prot)
    prot &= 0xFFFFFFFF
    if prot & PROT_GROWSDOWN and prot & PROT_GROWSUP:
        return -EINVAL
    if start & (PAGE_SIZE - 1):
        return -EINVAL
    if not length:
        return 0
    end = start + ((length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
    if end <= start or end >= 1 << 64:
        return -ENOMEM
    return -EINVAL                      # the key was never allocated

