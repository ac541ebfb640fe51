"""POSIX timers (timer_create & co), timerfd and signalfd - differential
against the host kernel, through tests/guest/timers.c, as 64-bit programs
(musl, glibc) and as i386 ones (glibc static and dynamic).

The guest prints counts, orders, si_code values and errnos, never times,
so that its output is the same on any machine."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32

LIBCS = ["musl", "glibc"]
MODES = ["posix", "overrun", "thread", "timerfd", "signalfd", "errors", "compat32"]


def _check(prog, mode, files=None):
    args = [mode]
    files = dict(files or {})
    if mode == "exec":
        args.append(prog)
        files[prog] = prog
    n, u = differential(prog, args, files=files, timeout=60)
    assert "FAIL" not in u.out
    log = u.stderr.decode(errors="replace")
    assert "Oops" not in log and "Traceback" not in log, log[-3000:]
    return u


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("mode", MODES + ["exec"])
def test_timers(libc, mode):
    _check(guest("timers", libc), mode)


@pytest.mark.parametrize("libc", LIBS32)
@pytest.mark.parametrize("mode", MODES + ["exec"])
def test_timers32(libc, mode):
    """The same as 32-bit programs: the 32-bit sigevent and itimerspec,
    glibc's *_time64 calls and, in compat32, the old 32-bit-time calls."""
    _check(guest("timers", libc), mode, files32(libc))


def test_periodic_signals_reach_the_handler():
    """Not only the same as Linux: the output says what happened."""
    u = _check(guest("timers", "glibc"), "posix")
    assert "periodic: 5 signals, sig 10, si_code -2 (SI_TIMER -2), value 4242, timerid ok 1" in u.out
    assert "cpu clock 2: 1 signal, timerid ok 1" in u.out
