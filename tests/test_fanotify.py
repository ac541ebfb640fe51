"""fanotify (fs/notify/fanotify/): init and mark checks and the events of
open files in a marked directory, against the host kernel
(tests/guest/fanotify.c; /dev/shm natively)."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_fanotify(libc):
    differential(guest("fanotify", libc), ["/dev/shm"])


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_fanotify_permission_events(libc):
    """FAN_OPEN_PERM and FAN_ACCESS_PERM: the opener or reader waits for
    the listener's FAN_ALLOW or FAN_DENY (EPERM); closing the group allows
    what is pending; SIGKILL ends a waiter."""
    n, u = differential(guest("fanotify_perm", libc), ["/dev/shm"])
    assert "child: open 0 read -1 pread 4, exit 0" in u.out
    assert "after close: child open 0, exit 0" in u.out
    assert "reader: signalled 1 sig 9" in u.out
