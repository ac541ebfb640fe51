"""UTS and time namespaces (kernel/nsproxy.py, kernel/utsname.py,
kernel/time_namespace.py): clone, unshare, setns, /proc/PID/ns and
/proc/PID/timens_offsets, against the host kernel (as root)."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc"])
@pytest.mark.parametrize("what", ["uts", "time", "exec-time", "errors"])
def test_namespaces(what, libc):
    differential(guest("namespaces", libc), [what])
