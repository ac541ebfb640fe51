"""fanotify (fs/notify/fanotify/): init and mark checks and the events of
open files in a marked directory, against the host kernel
(tests/guest/fanotify.c; /dev/shm natively), as 64-bit and as i386
programs (whose fanotify_mark passes the 64-bit mask in two registers)."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_fanotify(libc):
    differential(guest("fanotify", libc), ["/dev/shm"])


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_fanotify_permission_events(libc):
    """FAN_OPEN_PERM and FAN_ACCESS_PERM: the opener or reader waits for
    the listener's FAN_ALLOW or FAN_DENY (EPERM); closing the group allows
    what is pending; SIGKILL ends a waiter."""
    n, u = differential(guest("fanotify_perm", libc), ["/dev/shm"])
    assert "child: open 0 read -1 pread 4, exit 0" in u.out
    assert "after close: child open 0, exit 0" in u.out
    assert "reader: signalled 1 sig 9" in u.out
