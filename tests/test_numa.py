"""NUMA memory policy on one node (mm/mempolicy.py, /sys/devices/system/
node from drivers/base/node.py), differential against the host kernel,
which has one node as well: set/get_mempolicy, mbind's VMA policies,
set_mempolicy_home_node, migrate_pages, move_pages - 64-bit and i386
(32-bit node mask words, pointer arrays)."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32


@pytest.mark.parametrize("libc", ["musl", "glibc"] + LIBS32)
@pytest.mark.parametrize("mode", ["policy", "mbind", "migrate", "sysfs"])
def test_numa(libc, mode):
    n, u = differential(guest("numa", libc), [mode],
                        files=files32(libc) if "32" in libc else None)
    assert "Oops" not in u.stderr.decode(errors="replace")
    if mode == "mbind":
        assert "page 1: policy 0x3 mask 0x1" in u.out          # the VMA's interleave
        assert "page 2: policy 0 mask 0" in u.out              # split off: default
    if mode == "migrate":
        assert "status 0 -2 0 -14 -14" in u.out
