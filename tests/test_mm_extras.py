"""memfd_create and seals: a guest program whose output and exit status
must equal the host kernel's, as 64-bit programs (musl and glibc) and as
i386 ones (glibc, static and dynamic)."""

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


@pytest.mark.parametrize("libc", LIBS32)
@pytest.mark.parametrize("prog", ["memfd"])
def test_extras32(prog, libc):
    differential(guest(prog, libc), files=files32(libc))
