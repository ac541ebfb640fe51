"""Landlock (security/landlock/): the three system calls' checks, and a
sandbox's filesystem, TCP and scope restrictions, each compared with the
host kernel by tests/guest/landlock.c (LTP's landlock01-10)."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc"])
@pytest.mark.parametrize("mode", ["errors", "fs", "net", "scope"])
def test_landlock(libc, mode):
    n, u = differential(guest("landlock", libc), [mode])
    assert "-> ok" in u.out
