"""POSIX message queues (ipc/mqueue.py), differential against the host
kernel: attributes, priorities, sleeping senders and receivers, signals,
mq_notify, poll/select/epoll, the /proc/sys/fs/mqueue limits and
RLIMIT_MSGQUEUE, and the mqueue filesystem (mounted in a private mount
namespace, so the native run leaves the host alone) - 64-bit (musl, glibc)
and i386 (32-bit mq_attr and sigevent, old timespecs)."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32

LIBCS = ["musl", "glibc"]
MODES = ["basic", "names", "wait", "notify", "poll", "limits", "fs"]


def _check(u):
    assert "FAIL" not in u.out
    assert "Oops" not in u.stderr.decode(errors="replace")


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("mode", MODES)
def test_mqueue(libc, mode):
    n, u = differential(guest("mqueue", libc), [mode])
    _check(u)


@pytest.mark.parametrize("libc", LIBS32)
@pytest.mark.parametrize("mode", MODES)
def test_mqueue32(libc, mode):
    n, u = differential(guest("mqueue", libc), [mode], files=files32(libc))
    _check(u)


def test_mqueue_semantics():
    """What the comparison is about, spelled out: priority order, the
    one-shot SI_MESGQ signal, the queue file's state line."""
    n, u = differential(guest("mqueue", "musl"), ["basic"])
    assert u.out.index('"high" prio 9') < u.out.index('"mid" prio 5') \
        < u.out.index('"low" prio 1') < u.out.index('"low2" prio 1')
    n, u = differential(guest("mqueue", "musl"), ["notify"])
    assert "signal 12 code -3 value 0x5eed from me 1" in u.out
    assert "second message: signal 0 (one shot)" in u.out
    n, u = differential(guest("mqueue", "musl"), ["fs"])
    assert "read 60: QSIZE:8          NOTIFY:0     SIGNO:10    NOTIFY_PID:" in u.out
