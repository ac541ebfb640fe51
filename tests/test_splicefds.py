"""Which kinds of file splice(2) takes (fs/splice.py), differential against
the host kernel, 64-bit and i386: a directory and the anonymous-inode files
(epoll, eventfd, signalfd, timerfd, pidfd, inotify, fanotify) have no
splice_read/splice_write and are EINVAL at either end; a regular file, a
pipe and a socket take both; /dev/null only splice_write, /dev/full only
splice_read, /proc/PID's files neither (but mounts), /proc/meminfo
splice_read; a length of 0 and unknown flags before the fds are looked at."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32


@pytest.mark.parametrize("libc", ["musl", "glibc"] + LIBS32)
def test_splice_fds(libc):
    n, u = differential(guest("splicefds", libc),
                        files=files32(libc) if "32" in libc else None)
    assert "Oops" not in u.stderr.decode(errors="replace")
    assert "pipe -> eventfd:       -1 (Invalid argument)" in u.out
