"""memfd_create and seals, mincore and the mlock family, fadvise64 and
readahead, membarrier, scheduling policies and I/O priorities, and the
i386-only statfs64/fstatfs64 and old readdir: each a guest program whose
output and exit status must equal the host kernel's, as 64-bit programs
(musl and glibc) and as i386 ones (glibc, static and dynamic)."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32

LIBS = ["musl", "glibc"]


@pytest.mark.parametrize("libc", LIBS)
def test_memfd_and_seals(libc):
    n, u = differential(guest("memfd", libc))
    assert "fd link: /memfd:test (deleted)" in u.out
    assert "map: rw-s 3 pages '/memfd:test (deleted)'" in u.out
    assert "parent: map C file c" in u.out                  # shared with a child
    assert "fcntl(fd, F_GET_SEALS) = 15" in u.out


@pytest.mark.parametrize("libc", LIBS)
def test_mincore_and_mlock(libc):
    n, u = differential(guest("mincore", libc))
    assert "wrote 0 3 5: 1001010000000000" in u.out
    assert "mlock 0..3 (unaligned): 1111000000000000" in u.out
    assert "child VmLck 0 kB" in u.out


@pytest.mark.parametrize("libc", LIBS)
def test_fadvise_readahead_membarrier(libc):
    n, u = differential(guest("advice", libc))
    assert "membarrier(0, 0, 0) = 1023" in u.out


@pytest.mark.parametrize("libc", LIBS)
def test_sched_policies_and_ioprio(libc):
    n, u = differential(guest("schedprio", libc))
    assert "child after reset-on-fork: policy 0 prio 0" in u.out


@pytest.mark.parametrize("libc", LIBS32)
@pytest.mark.parametrize("prog", ["memfd", "mincore", "advice", "schedprio"])
def test_extras32(prog, libc):
    differential(guest(prog, libc), files=files32(libc))


def test_statfs64_and_old_readdir_i386(tmp_path):
    n, u = differential(guest("old32", "i386"), [str(tmp_path / "dir")])
    assert "sizeof struct statfs64: 84" in u.out
    assert "5 entries: . .. a-much-longer-file-name.txt alpha subdir" in u.out
    assert "length or inode mismatches: 0" in u.out
