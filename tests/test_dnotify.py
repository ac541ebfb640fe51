"""dnotify (fs/notify/dnotify.py): fcntl(F_NOTIFY) on a directory
descriptor, compared with the host kernel by running tests/guest/dnotify.c
both ways: which events signal which descriptor (SIGIO, or the F_SETSIG
signal with si_fd and POLL_MSG), one-shot and DN_MULTISHOT, DN_RENAME only
for a rename inside one directory, and the watch going with a close."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_dnotify(libc):
    differential(guest("dnotify", libc), [])
