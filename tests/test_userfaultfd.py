"""userfaultfd (fs/userfaultfd.py), differential against the host kernel:
a fault thread resolving missing pages (COPY, ZEROPAGE, WAKE), write
protection, shmem MISSING and MINOR faults (CONTINUE), POISON, MOVE,
UFFD_FEATURE_SIGBUS, every errno the ioctls give, /dev/userfaultfd - as
64-bit (musl, glibc) and i386 programs."""

import pytest

from conftest import differential, guest, run
from test_i386 import LIBS32, files32

LIBCS = ["musl", "glibc"]
MODES = ["api", "missing", "wp", "shmem", "poison", "move", "sigbus"]


def _check(u):
    assert "FAIL" not in u.out
    assert "Oops" not in u.stderr.decode(errors="replace")


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("mode", MODES)
def test_userfaultfd(libc, mode):
    n, u = differential(guest("userfaultfd", libc), [mode])
    _check(u)


@pytest.mark.parametrize("libc", LIBS32)
@pytest.mark.parametrize("mode", MODES)
def test_userfaultfd32(libc, mode):
    n, u = differential(guest("userfaultfd", libc), [mode], files=files32(libc))
    _check(u)


def test_fault_thread_sees_what_linux_reports():
    n, u = differential(guest("userfaultfd", "musl"), ["missing"])
    assert "msg: event 0x12 flags 0 offset 0 tid-is-faulter 1" in u.out      # a read
    assert "msg: event 0x12 flags 0x1 offset 0x1000 tid-is-faulter 1" in u.out  # a write
    assert "read X" in u.out and "page 1: 0 w" in u.out
    n, u = differential(guest("userfaultfd", "musl"), ["wp"])
    assert "msg: event 0x12 flags 0x3" in u.out and "written: W" in u.out


def test_kernel_access_to_a_missing_page_is_efault():
    """Not compared (Linux would sleep in read() until the page is filled):
    pyuml's uaccess cannot sleep, so it answers EFAULT, and then works once
    the page exists."""
    r = run(guest("userfaultfd", "musl"), ["uaccess"])
    assert "read(p[0], base, 4) -> -1 (Bad address)" in r.out
    assert "write(p[1], base, 4) -> -1 (Bad address)" in r.out
    assert "read(p[0], base, 4) -> 4" in r.out
    assert r.status == 0
