"""Linux native AIO (fs/aio.py), differential against the host kernel:
io_setup's ring as libaio reads it, reads, writes, fsyncs and polls, the
eventfd told of completions, io_pgetevents' signal mask, every errno, and
the ring's limits - as 64-bit programs (musl, glibc) and i386 ones (32-bit
iocb pointers, old timespecs, the 64-bit access_ok limit)."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32

LIBCS = ["musl", "glibc"]
MODES = ["setup", "rw", "poll", "errors", "limits"]


def _check(u):
    assert "FAIL" not in u.out
    assert "Oops" not in u.stderr.decode(errors="replace")


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("mode", MODES)
def test_aio(libc, mode):
    n, u = differential(guest("aio", libc), [mode])
    _check(u)


@pytest.mark.parametrize("libc", LIBS32)
@pytest.mark.parametrize("mode", MODES)
def test_aio32(libc, mode):
    n, u = differential(guest("aio", libc), [mode], files=files32(libc))
    _check(u)


def test_aio_ring_is_what_libaio_reads():
    """The events are in the guest's own mapping: the program takes them
    from the ring by hand, and the kernel's view of the head follows."""
    n, u = differential(guest("aio", "musl"), ["rw"])
    assert "from the ring: data 0x1007 obj-is-iocb 1 res 11" in u.out
    assert "from the ring: data 0x1008 obj-is-iocb 1 res 6" in u.out
    assert "io_getevents(ctx, 0, 4, ev, &zero_ts) -> 0" in u.out
    assert "pipe read that waited: data 0x1000 obj-is-iocb 1 res 4" in u.out
