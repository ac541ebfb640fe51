"""The LSM system calls (security/lsm_syscalls.py) against the host kernel
(tests/guest/lsm.c): errnos and the size protocol.  The modules differ
(the host runs lockdown and BPF; pyuml runs capability, Landlock and
Yama), so the list itself is checked apart."""

import pytest

from conftest import guest, native, run
from test_i386 import LIBS32, files32


def _split(out):
    body, _, mods = out.partition("modules:")
    return body, mods.split()


@pytest.mark.parametrize("libc", ["musl", "glibc"] + LIBS32)
def test_lsm_calls(libc):
    prog = guest("lsm", libc)
    n = native(prog)
    u = run(prog, files=files32(libc))
    assert _split(u.out)[0] == _split(n.out)[0], u.out
    assert u.status == n.status == 0
    # capability first, then the lsm= order (landlock, yama)
    assert _split(u.out)[1] == ["100", "110", "105"], u.out
