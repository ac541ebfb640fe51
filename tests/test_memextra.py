"""mseal (mm/mseal.py), protection keys without PKU (mm/pkeys.py),
memfd_secret (mm/secretmem.py), process_madvise (mm/madvise.py),
process_mrelease (mm/oom_kill.py) and /proc/PID/smaps' VmFlags,
differential against the host kernel, 64-bit and i386; and the huge page
refusals of a kernel without hugetlb (pyuml only: the host has them)."""

import pytest

from conftest import differential, guest, run
from test_i386 import LIBS32, files32

MODES = ["mseal", "pkey", "secret", "pmadvise", "mrelease"]


@pytest.mark.parametrize("libc", ["musl", "glibc"] + LIBS32)
@pytest.mark.parametrize("mode", MODES)
def test_memextra(libc, mode):
    n, u = differential(guest("memextra", libc), [mode],
                        files=files32(libc) if "32" in libc else None)
    assert "Oops" not in u.stderr.decode(errors="replace")
    if mode == "mseal":
        assert "munmap(m, 4 * PG) -> -1 (Op" in u.out          # EPERM
        assert 'smaps: sealed VMAs show "sl" 1' in u.out


def test_no_huge_pages_anywhere():
    """As Linux built without CONFIG_HUGETLBFS: every way to ask for huge
    pages is refused, and nothing claims to have them."""
    r = run(guest("memextra", "musl"), ["hugetlb"])
    out = r.out
    assert "MAP_HUGETLB, -1, 0) -> -1 (Invalid argument)" in out
    assert "SHM_HUGETLB | 0600) -> -1 (Invalid argument)" in out
    assert 'syscall(SYS_memfd_create, "h", 4) -> -1 (Function not implemented)' in out
    assert '"hugetlbfs", 0, NULL) -> -1 (No such device)' in out
    assert "HugePages lines in /proc/meminfo: 0" in out
    assert "hugetlbfs in /proc/filesystems: 0" in out
