"""kernel/timekeeping.py - the guest's own wall clock (Linux's
kernel/time/timekeeping.c).

As UML's, pyuml's CLOCK_REALTIME is the host's plus an offset that only
the guest sets (do_settimeofday64, timekeeping_inject_offset), and
CLOCK_TAI is that plus the TAI offset adjtimex(ADJ_TAI) sets.  The host's
clock is never touched.  Setting the clock runs clock_was_set: absolute
CLOCK_REALTIME timers and sleeps look again at their deadlines, timerfds
armed with TFD_TIMER_CANCEL_ON_SET are cancelled, and the x86_64 vDSO
stops reading the realtime clock from the host's vDSO.  adjtimex's state
and the leap second are kernel/ntp.py's.
"""

import time

from kernel import ntp, sched
from kernel.errno import EINVAL, Errno

NSEC_PER_SEC = 10**9
KTIME_SEC_MAX = ((1 << 63) - 1) // NSEC_PER_SEC
TIME_SETTOD_SEC_MAX = KTIME_SEC_MAX - 30 * 365 * 86400
CLOCK_REALTIME_COARSE = 5

realtime_offset = 0             # ns added to the host's CLOCK_REALTIME
tai_offset = 0                  # seconds from CLOCK_REALTIME to CLOCK_TAI
_set_to = 0                     # the time it was last set to (ns)

# realtime sleepers (kernel/time.py, kernel/futex.py) sleep on this too, to
# wake when the clock jumps under their deadline
clock_was_set_wq = sched.WaitQueue()
_notifiers = []                 # fn(delta_ns) run when the clock is set


def clock_was_set_notifier(fn):
    _notifiers.append(fn)
    return fn


def ktime_get_real_ns():
    ns = time.time_ns() + realtime_offset
    if ntp.leap_pending():
        leap = ntp.ntp_catch_up(ns // NSEC_PER_SEC)
        if leap:
            _leap_second(leap)
            ns += leap * NSEC_PER_SEC
    return ns


def _leap_second(leap):
    """The clock steps by leap seconds (-1 inserts one) and TAI, which
    has none, is as far off the other way."""
    global realtime_offset, tai_offset
    realtime_offset += leap * NSEC_PER_SEC
    tai_offset -= leap
    clock_was_set(leap * NSEC_PER_SEC)


def ktime_get_coarse_real_ns():
    """The host's last tick, moved: never before the time the clock was
    set to (Linux sets the tick's time too), never after a fine read."""
    return max(time.clock_gettime_ns(CLOCK_REALTIME_COARSE) + realtime_offset, _set_to)


def ktime_get_clocktai_ns():
    return ktime_get_real_ns() + tai_offset * NSEC_PER_SEC


def ktime_get_real_seconds():
    return ktime_get_real_ns() // NSEC_PER_SEC


def clock_was_set(delta_ns):
    """The clock jumped by delta_ns."""
    global _set_to
    _set_to = ktime_get_real_ns()
    for fn in _notifiers:
        fn(delta_ns)
    clock_was_set_wq.wake_up()


def _valid_settod(ns):
    """Linux's checks of a new wall-clock time: room left for 30 years of
    uptime, and not before boot (CLOCK_MONOTONIC's value)."""
    if not 0 <= ns // NSEC_PER_SEC < TIME_SETTOD_SEC_MAX or ns < time.monotonic_ns():
        raise Errno(EINVAL)


def do_settimeofday64(ns):
    """Set CLOCK_REALTIME to ns."""
    global realtime_offset
    _valid_settod(ns)
    old, realtime_offset = realtime_offset, ns - time.time_ns()
    ntp.ntp_clock_was_set(ns // NSEC_PER_SEC)
    clock_was_set(realtime_offset - old)


def timekeeping_inject_offset(delta_ns):
    """Move CLOCK_REALTIME by delta_ns (adjtimex ADJ_SETOFFSET)."""
    global realtime_offset
    then = ktime_get_real_ns() + delta_ns
    _valid_settod(then)
    realtime_offset += delta_ns
    ntp.ntp_clock_was_set(then // NSEC_PER_SEC)
    clock_was_set(delta_ns)


def do_adjtimex(txc, capable_time):
    """adjtimex(2) on the guest's clock: txc (a dict of struct timex's
    fields) is read and filled in; the clock state (TIME_OK...) or -errno."""
    global tai_offset
    err = ntp.ntp_validate_timex(txc, capable_time)
    if err:
        return -err
    if txc["modes"] & ntp.ADJ_SETOFFSET:
        usec = txc["time_usec"]
        delta = txc["time_sec"] * NSEC_PER_SEC + (usec if txc["modes"] & ntp.ADJ_NANO
                                                    else usec * 1000)
        timekeeping_inject_offset(delta)
    result, tai = ntp.__do_adjtimex(txc, ktime_get_real_ns(), tai_offset)
    if tai != tai_offset:
        tai_offset = tai
        clock_was_set_wq.wake_up()      # CLOCK_TAI sleepers look again
    return result
