"""modify_ldt(2) (arch/x86/ldt.py), differential against the host kernel,
64-bit and i386: the table read back, errors (unsigned on x86_64), and
memory read through an LDT segment, which needs the descriptor in the host
process's own LDT - in the process, a thread, a forked child; loading a
not-present segment is SIGBUS."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32


@pytest.mark.parametrize("libc", ["musl", "glibc"] + LIBS32)
def test_modify_ldt(libc):
    n, u = differential(guest("ldt", libc), files=files32(libc) if "32" in libc else None)
    assert "through the segment: 11 44" in u.out
    assert "child through the segment: 33" in u.out
    assert "loading it: killed by Bus error" in u.out
