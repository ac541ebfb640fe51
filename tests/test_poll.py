"""poll, ppoll, select, pselect6 and eventfd: differential tests (guest
tests/guest/poll.c) with musl and glibc, the host kernel as reference."""

import pytest

from conftest import differential, guest
from test_tty import tty_differential

LIBCS = ["musl", "glibc", "glibc32"]           # glibc32: the i386 ABI


@pytest.mark.parametrize("libc", LIBCS)
def test_poll_select_eventfd(libc):
    n, u = differential(guest("poll", libc))
    assert u.out.endswith("done\n")
    assert "poll woken by child                      1" in u.out


def test_fd_names_and_modes():
    """/proc/PID/fd and fstat for sockets, eventfd, epoll and /dev/ptmx."""
    n, u = tty_differential(guest("fdnames", "musl"))
    assert "anon_inode:[eventpoll]" in u.out


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_epoll_exclusive_wakes_one(libc):
    """EPOLLEXCLUSIVE: each byte written into a pipe that four sleeping
    epoll instances watch wakes exactly one of them (LTP epoll_wait16)."""
    n, u = differential(guest("epollexcl", libc))
    assert "byte 4: 4 woken in all" in u.out
