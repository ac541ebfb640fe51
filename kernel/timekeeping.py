"""kernel/timekeeping.py - the guest's own wall clock (Linux's
kernel/time/timekeeping.c).

As UML's, pyuml's CLOCK_REALTIME is the host's plus an offset that only
the guest sets (do_settimeofday64, timekeeping_inject_offset), and
CLOCK_TAI is that plus the TAI offset adjtimex(ADJ_TAI) sets.  The host's
clock is never touched.  Setting the clock runs clock_was_set: absolute
CLOCK_REALTIME timers and sleeps look again at their deadlines, timerfds
armed with TFD_TIMER_CANCEL_ON_SET are cancelled, and the x86_64 vDSO
stops reading the realtime clock from the host's vDSO.
"""

import time

from kernel import sched
from kernel.errno import EINVAL, Errno

NSEC_PER_SEC = 10**9
KTIME_SEC_MAX = ((1 << 63) - 1) // NSEC_PER_SEC
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
    return time.time_ns() + realtime_offset


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


def do_settimeofday64(ns):
    """Set CLOCK_REALTIME to ns (validated by the caller: not negative)."""
    global realtime_offset
    if ns // NSEC_PER_SEC > KTIME_SEC_MAX // 2:
        raise Errno(EINVAL)             # Linux's timespec64_valid_settod
    old, realtime_offset = realtime_offset, ns - time.time_ns()
    clock_was_set(realtime_offset - old)


def timekeeping_inject_offset(delta_ns):
    """Move CLOCK_REALTIME by delta_ns (adjtimex ADJ_SETOFFSET)."""
    global realtime_offset
    then = ktime_get_real_ns() + delta_ns
    if then < 0 or then // NSEC_PER_SEC > KTIME_SEC_MAX // 2:
        raise Errno(EINVAL)
    realtime_offset += delta_ns
    clock_was_set(delta_ns)


def timekeeping_set_tai_offset(sec):
    global tai_offset
    tai_offset = sec


def timekeeping_step(delta_ns):
    """A leap second's step (kernel/ntp.py): never refused."""
    global realtime_offset
    realtime_offset += delta_ns
    clock_was_set(delta_ns)
