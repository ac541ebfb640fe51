"""Time and scheduling: clocks, sleeps, alarm, interval timers, CPU usage,
preemption - differential against the host kernel (no timing assertions:
the guests check only orderings such as "slept at least as asked")."""

import pytest

from conftest import differential, guest

LIBCS = ["musl", "glibc"]
MODES = ["clocks", "sleep", "alarm", "itimer", "usage", "preempt"]


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("mode", MODES)
def test_time(libc, mode):
    n, u = differential(guest("clock", libc), [mode], timeout=60)
    assert "FAIL" not in u.out
