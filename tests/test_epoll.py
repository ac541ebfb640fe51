"""epoll: differential tests (guest tests/guest/epoll.c) with musl and
glibc: level/edge triggering, EPOLLONESHOT, maxevents round robin, closing
watched fds, nested epoll and loops, sleeping, signals and masks."""

import pytest

from conftest import differential, guest

LIBCS = ["musl", "glibc", "glibc32"]           # glibc32: the i386 ABI


@pytest.mark.parametrize("libc", LIBCS)
def test_epoll(libc, tmp_path):
    reg = tmp_path / "regular"
    reg.write_bytes(b"a regular file cannot be watched\n")
    n, u = differential(guest("epoll", libc), [str(reg)], files={str(reg): reg.read_bytes()})
    assert u.out.endswith("done\n")
    assert "ctl regular file                         -1 Operation not permitted" in u.out
