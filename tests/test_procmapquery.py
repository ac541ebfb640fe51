"""ioctl(PROCMAP_QUERY) on /proc/PID/maps (fs/proc/task_mmu.py),
differential against the host kernel, 64-bit and i386: covering and next
VMAs, permission and file filters, names and build IDs, the errors."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32


@pytest.mark.parametrize("libc", ["musl", "glibc"] + LIBS32)
def test_procmap_query(libc):
    n, u = differential(guest("procmapquery", libc), files=files32(libc) if "32" in libc else None)
    assert "hole, or next readable: start =base+3 pages len 0x1000 flags 0x5" in u.out
    assert "memfd: start =addr len 0x1000 flags 0x9 psize 4096 file 1 covers 1 name_size 20" \
        " name /memfd:pq (deleted)" in u.out
