"""fanotify (fs/notify/fanotify/): init and mark checks and the events of
open files in a marked directory, against the host kernel
(tests/guest/fanotify.c; /dev/shm natively)."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_fanotify(libc):
    differential(guest("fanotify", libc), ["/dev/shm"])


def test_fanotify_i386():
    """i386 passes fanotify_mark's 64-bit mask in two registers."""
    differential(guest("fanotify", "glibc32"), ["/dev/shm"])
