"""/dev/random and /dev/urandom's ioctls (drivers/mem.py) against the
host's: the entropy count /proc agrees with, EINVAL, EFAULT."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_random_ioctls(libc):
    n, u = differential(guest("randomioctl", libc))
    assert "RNDGETENTCNT                 0" in n.out, n.out
