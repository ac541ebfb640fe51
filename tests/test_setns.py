"""Namespace files (fs/nsfs.py, /proc/PID/ns) and setns(2)
(kernel/nsproxy.py) on one's own namespaces, against the host kernel."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc"])
@pytest.mark.parametrize("what", ["shape", "calls"])
def test_setns(what, libc):
    differential(guest("setns", libc), [what])
