"""process_vm_readv/writev (mm/process_vm_access.py), unshare (kernel/fork.py)
and kcmp (kernel/kcmp.py), differential against the host kernel, as 64-bit
programs (musl, glibc) and i386 ones (32-bit iovecs).

The namespace flags are only tried where both kernels agree: refused to a
non-root uid, or rejected for a bad flag beside them (natively, root's
would really create namespaces; here they are accepted and ignored).
"""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32

LIBCS = ["musl", "glibc"]
MODES = ["pvm", "unshare", "kcmp"]


def _check(u):
    assert "FAIL" not in u.out
    assert "odd result" not in u.out


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("mode", MODES)
def test_vm_unshare(libc, mode):
    n, u = differential(guest("vmunshare", libc), [mode])
    _check(u)


@pytest.mark.parametrize("libc", LIBS32)
@pytest.mark.parametrize("mode", MODES)
def test_vm_unshare32(libc, mode):
    n, u = differential(guest("vmunshare", libc), [mode], files=files32(libc))
    _check(u)


@pytest.mark.parametrize("libc", LIBCS + ["glibc32"])
def test_writes_into_a_preempted_process(libc):
    """The target of process_vm_writev is preempted in user mode; the pages
    the writes fault in are mapped into its host process by a stub batch,
    which must not cost the target its registers."""
    n, u = differential(guest("pvmpreempt", libc))
    assert "exited with 7" in u.out
