"""arch/x86/mmap.py - i386's two mmap calls.

 - mmap2(addr, length, prot, flags, fd, pgoff): the offset in 4 KiB pages,
   so that a 32-bit register reaches 16 TiB into a file.  What libc uses.
 - old_mmap (number 90, "mmap" in the i386 table): the six arguments do not
   fit the old five-register convention, so it takes a pointer to them
   (struct mmap_arg_struct) and a byte offset that must be page aligned.

Both end in mm/mmap.py's ksys_mmap_pgoff.  A 64-bit process calling them
with `int $0x80` gets, as on Linux, an address below 4 GiB.
"""

import struct

from kernel.errno import EINVAL
from mm.physmem import PAGE_SIZE
from mm.mmap import MAP_32BIT, ksys_mmap_pgoff
from mm.uaccess import copy_from_user

_MMAP_ARGS = struct.Struct("<6I")
_4G = 1 << 32


def _mmap(t, addr, length, prot, flags, fd, pgoff):
    fd = fd - _4G if fd & 0x80000000 else fd
    if t.mm.task_size > _4G:
        # int $0x80 from a 64-bit program: a 32-bit syscall gets a 32-bit
        # address (MAP_32BIT's search is the nearest we have)
        flags |= MAP_32BIT
    return ksys_mmap_pgoff(t, addr, length, prot, flags, fd, pgoff)


def sys_mmap2(t, addr, length, prot, flags, fd, pgoff):
    return _mmap(t, addr, length, prot, flags, fd, pgoff)


def sys_old_mmap(t, arg):
    addr, length, prot, flags, fd, offset = _MMAP_ARGS.unpack(
        copy_from_user(t.mm, arg, _MMAP_ARGS.size))
    if offset & (PAGE_SIZE - 1):
        return -EINVAL
    return _mmap(t, addr, length, prot, flags, fd, offset // PAGE_SIZE)
