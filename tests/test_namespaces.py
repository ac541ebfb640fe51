"""User, UTS, IPC and time namespaces (kernel/nsproxy.py, kernel/user_namespace.py,
kernel/utsname.py, ipc/namespace.py, kernel/time_namespace.py): clone, unshare, setns,
/proc/PID/ns, uid_map/gid_map/setgroups, timens_offsets, against the host
kernel (as root, and as nobody)."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
@pytest.mark.parametrize("what", ["uts", "time", "exec-time", "errors", "user",
                                  "user-unprivileged", "ipc"])
def test_namespaces(what, libc):
    differential(guest("namespaces", libc), [what])
