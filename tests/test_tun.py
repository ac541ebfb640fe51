"""/dev/net/tun (drivers/net/tun.py) against the host: the node, the
features TUNSETIFF knows (LTP ioctl03), an unattached file's answers."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc32"])
def test_tun_unattached(libc):
    differential(guest("tun", libc))
