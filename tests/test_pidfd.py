"""pidfds: pidfd_open, pidfd_send_signal, pidfd_getfd, clone(CLONE_PIDFD)
and clone3's pidfd, poll/select/epoll, waitid(P_PIDFD), fdinfo - the same
output and status as the host kernel, for musl, glibc and i386 builds."""

import pytest

from conftest import differential, guest

MODES = ["open", "thread", "signal", "perm", "getfd", "poll", "waitid", "exec", "clone"]


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
@pytest.mark.parametrize("mode", MODES)
def test_pidfd(libc, mode):
    n, u = differential(guest("pidfd", libc), [mode])
    assert "FAIL" not in u.out
    assert u.status == 0
