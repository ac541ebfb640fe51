"""cachestat(2) (mm/cachestat.py), differential against the host kernel on
a private tmpfs, memfds, pipes and sockets, with its errors and the
permission rule (6.14+), 64-bit and i386."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32


@pytest.mark.parametrize("libc", ["musl", "glibc"] + LIBS32)
def test_cachestat(libc):
    n, u = differential(guest("cachestat", libc), files=files32(libc) if "32" in libc else None)
    assert "[4096,+8192): cache 2 dirty 0" in u.out
    assert "cs(ro, 0, 0, 0) -> -1 (Operation not permitted)" in u.out
