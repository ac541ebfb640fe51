"""AF_INET and AF_INET6 sockets against the host kernel.

tests/guest/tcp.c and udp.c walk through TCP's and UDP's semantics over
the loopback (musl, glibc and the i386 ABI, which reaches the socket calls
through socketcall(2)); every result and poll mask must be the host's.
inetops.c runs hypothesis-generated sequences of operations on a
connected pair; the host kernel is the reference for each step.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import differential, guest

LIBCS = ["musl", "glibc", "glibc32"]


@pytest.mark.parametrize("libc", LIBCS)
def test_tcp(libc):
    n, u = differential(guest("tcp", libc), timeout=180)
    assert u.out.endswith("done\n")
