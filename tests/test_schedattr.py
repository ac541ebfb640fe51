"""sched_setattr(2)/sched_getattr(2) (kernel/sched_policy.py), differential
against the host kernel, 64-bit and i386: every policy, SCHED_DEADLINE's
parameters and checks, struct sizes, flags, fork, unprivileged limits."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32


@pytest.mark.parametrize("libc", ["musl", "glibc"] + LIBS32)
def test_sched_attr(libc):
    n, u = differential(guest("schedattr", libc), files=files32(libc) if "32" in libc else None)
    assert "deadline 10/30/30 ms: size 56 policy 6" in u.out
    assert "fork() -> -1 (Resource temporarily unavailable)" in u.out
