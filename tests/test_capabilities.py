"""Privilege checks ask for a capability (kernel/capability.py capable),
not for uid 0: root that dropped the one capability Linux checks is
refused, root that kept it is let through, against the host kernel
(tests/guest/capdrop.c)."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc32"])
def test_capability_checks(libc):
    differential(guest("capdrop", libc), ["/dev/shm"])
