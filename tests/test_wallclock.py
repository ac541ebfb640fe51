"""The guest's own wall clock (kernel/timekeeping.py): settimeofday,
clock_settime and stime change CLOCK_REALTIME for the guest only, and its
readers follow - the vDSO, gettimeofday, time, CLOCK_TAI, file times,
absolute timers and sleeps, TFD_TIMER_CANCEL_ON_SET - and adjtimex with
its leap second (kernel/ntp.py).  The guest sets the clock, so it never
runs natively: it checks the values itself, against what Linux documents."""

import pytest

from conftest import guest, run

CHECKS = 35     # the guest's "ok" lines (stime: i386 only)


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_wallclock(libc):
    r = run(guest("wallclock", libc), timeout=90)
    assert "FAIL" not in r.out, r.out + r.stderr.decode(errors="replace")
    assert r.out.count("ok ") == CHECKS + (libc == "glibc32"), r.out
    assert r.status == 0
