"""arch/x86/time64.py - the *_time64 calls: 64-bit time in a 32-bit process.

A 32-bit time_t runs out in 2038, so Linux 5.1 gave i386 a second set of
time calls (clock_gettime64, futex_time64, ppoll_time64, ...) that take
struct __kernel_timespec, two 64-bit fields, where the old ones take
old_timespec32.  Everything else in their arguments keeps its 32-bit layout.
glibc tries the 64-bit call first and falls back to the old one on ENOSYS.

Each is the common handler run with task.time64 set for the length of the
call (arch/x86/compat.py's with_view); kernel/time.py's timespec helpers
choose the 64-bit layout while it is.
"""

from arch.x86.compat import with_view

# i386 name -> the common call it is, with 64-bit time structures
TIME64_CALLS = {
    "clock_gettime64": "clock_gettime",
    "clock_settime64": "clock_settime",
    "clock_getres_time64": "clock_getres",
    "clock_nanosleep_time64": "clock_nanosleep",
    "clock_adjtime64": "clock_adjtime",
    "timer_settime64": "timer_settime",
    "timer_gettime64": "timer_gettime",
    "timerfd_settime64": "timerfd_settime",
    "timerfd_gettime64": "timerfd_gettime",
    "utimensat_time64": "utimensat",
    "pselect6_time64": "pselect6",
    "ppoll_time64": "ppoll",
    "io_pgetevents_time64": "io_pgetevents",
    "recvmmsg_time64": "recvmmsg",
    "mq_timedsend_time64": "mq_timedsend",
    "mq_timedreceive_time64": "mq_timedreceive",
    "semtimedop_time64": "semtimedop",
    "rt_sigtimedwait_time64": "rt_sigtimedwait",
    "futex_time64": "futex",
    "sched_rr_get_interval_time64": "sched_rr_get_interval",
}


def _enter(t):
    saved = t.time64
    t.time64 = True
    return saved


def _leave(t, saved):
    t.time64 = saved


def time64_entry(name):
    """The entry point for an i386 *_time64 name, or None."""
    # cycle: kernel.syscall loads the subarchs, arch.x86 this module
    from kernel.syscall import syscall_handler
    common = TIME64_CALLS.get(name)
    fn = syscall_handler(common) if common else None
    return with_view(fn, _enter, _leave) if fn is not None else None
