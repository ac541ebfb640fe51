"""POSIX timers (timer_create & co), timerfd and signalfd - differential
against the host kernel, through tests/guest/timers.c, as 64-bit programs
(musl, glibc) and as i386 ones (glibc static and dynamic).

The guest prints counts, orders, si_code values and errnos, never times,
so that its output is the same on any machine."""

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

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
    assert ("periodic: 5 signals, sig 10, si_code -2 (SI_TIMER -2), value 4242, "
            "timerid ok 1") in u.out
    assert "cpu clock 2: 1 signal, timerid ok 1" in u.out


# -- settime/gettime with generated values ------------------------------------------

_SEC = st.sampled_from([0, 1, 2, -1, 1 << 40, (1 << 63) - 1])
_NSEC = st.sampled_from([0, 1, 5, 500000000, 999999999, 1000000000, -1])
# values whose outcome does not depend on how fast the kernel is: none, far
# ahead, or (absolute) long past; and some invalid ones
_REL_VALUE = st.sampled_from([(0, 0), (10, 0), (3600, 7), ((1 << 63) - 1, 0), (-1, 0),
                              (0, 1000000000), (0, -5)])
_ABS_VALUE = st.sampled_from([(0, 0), (0, 500), (1, 0), ((1 << 63) - 1, 0), (0, -1)])
_ABS_FUTURE = st.sampled_from([(0, 0), ((1 << 63) - 1, 0), (0, -1)])
_FLAGS = st.sampled_from([0, 2, 8])


@st.composite
def _op(draw):
    kind = draw(st.sampled_from("tsf"))
    absolute = draw(st.booleans())
    flags = draw(_FLAGS) | (1 if absolute else 0)
    values = _ABS_VALUE if absolute else _REL_VALUE
    if kind == "f" and absolute:
        # a timerfd set in the past: Linux's gettime says 0 until its
        # hrtimer has run, periods after: a race on the host itself
        values = _ABS_FUTURE
    vsec, vnsec = draw(values)
    return "%s:%d:%d:%d:%d:%d" % (kind, flags, draw(_SEC), draw(_NSEC), vsec, vnsec)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.generate])
@given(st.lists(_op(), min_size=1, max_size=10))
@example(["f:0:2:0:0:0", "t:0:1:0:0:0", "s:1:0:5:0:500", "s:0:1:0:0:0", "f:9:1:0:10:0"])
def test_settime_values_match_linux(ops):
    """timer_settime/timerfd_settime with generated itimerspecs and flags:
    the errors, the old value, what gettime shows after, and whether the
    signal is pending, as on Linux."""
    differential(guest("timers", "glibc"), ["spec"] + ops, timeout=30)
