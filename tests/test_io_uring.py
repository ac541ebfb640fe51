"""io_uring (io_uring/), differential against the host kernel: a program
that drives the rings by hand through the raw system calls - the offsets
io_uring_setup writes back and the rings mapped at them, NOP, READ/WRITE,
READV/WRITEV, FSYNC, fixed buffers and files, OPENAT/CLOSE, STATX, links,
an eventfd, POLL_ADD/POLL_REMOVE, a READ that waits for its pipe,
TIMEOUT, LINK_TIMEOUT, ASYNC_CANCEL, and the errnos of all three calls -
as 64-bit programs (musl, glibc) and i386 ones."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32

MODES = ["setup", "rw", "poll", "errors"]


def _check(u):
    assert "Oops" not in u.stderr.decode(errors="replace")


@pytest.mark.parametrize("libc", ["musl", "glibc"])
@pytest.mark.parametrize("mode", MODES)
def test_io_uring(libc, mode):
    n, u = differential(guest("iouring", libc), [mode])
    _check(u)
    assert "io_uring_setup:" not in u.out


@pytest.mark.parametrize("libc", LIBS32)
@pytest.mark.parametrize("mode", MODES)
def test_io_uring32(libc, mode):
    n, u = differential(guest("iouring", libc), [mode], files=files32(libc))
    _check(u)


def test_io_uring_results_are_the_requests():
    """The CQEs carry what the requests did: the data moved through the
    file, the poll's events, the timeout's ETIME."""
    n, u = differential(guest("iouring", "musl"), ["rw"])
    assert "read: io_uring!" in u.out
    assert "readv: [hello] [, io_uring!" in u.out
    assert "fixed read: HELL" in u.out
    assert "  cqe 19: Operation canceled" in u.out
    n, u = differential(guest("iouring", "musl"), ["poll"])
    assert "pipe read: late" in u.out
    assert "  cqe 3: Device timeout" in u.out         # musl's words for ETIME
