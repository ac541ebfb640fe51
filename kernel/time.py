"""kernel/time.py - clocks, sleeps and interval timers.

CLOCK_REALTIME is the guest's own wall clock (kernel/timekeeping.py: the
host's plus an offset the guest sets); CLOCK_MONOTONIC (and BOOTTIME)
count from the host's monotonic clock.  Sleeps are kernel timers: the task
sleeps in the scheduler and other tasks run.  An interrupted nanosleep
reports the time left and restarts through restart_syscall, as on Linux.

ITIMER_REAL (and alarm) deliver SIGALRM to the process from a kernel
timer; ITIMER_VIRTUAL and ITIMER_PROF count the guest's CPU time as the
kernel measures it.
"""

import struct
import time

from kernel.abi import s32
from kernel import sched, task as ktask, timekeeping
from kernel.capability import CAP_SYS_TIME, capable
from kernel.time_namespace import clock_offset
from kernel.errno import (EINTR, EINVAL, EOPNOTSUPP, EPERM, ERESTARTNOHAND, ERESTART_RESTARTBLOCK,
                          Errno)
from mm.uaccess import copy_from_user, copy_to_user
from kernel.signal import (SIGALRM, SIGPROF, SIGVTALRM, SI_KERNEL, SigInfo, send_signal,
                           signal_pending)

CLOCK_REALTIME = 0
CLOCK_MONOTONIC = 1
CLOCK_PROCESS_CPUTIME_ID = 2
CLOCK_THREAD_CPUTIME_ID = 3
CLOCK_MONOTONIC_RAW = 4
CLOCK_REALTIME_COARSE = 5
CLOCK_MONOTONIC_COARSE = 6
CLOCK_BOOTTIME = 7
CLOCK_REALTIME_ALARM = 8
CLOCK_BOOTTIME_ALARM = 9
CLOCK_TAI = 11
TIMER_ABSTIME = 1
NSEC_PER_SEC = 10**9

ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF = 0, 1, 2
WALL_CLOCKS = (CLOCK_REALTIME, CLOCK_REALTIME_ALARM, CLOCK_TAI)    # the guest sets them


# The coarse clocks are the host's own (its last tick), as the vDSO reads
# them (arch/x86_64/vdso.S): a system call must not see a later time than
# a vDSO read after it.
_COARSE = (CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE)


def clock_ns(t, clk):
    """The value of clock clk in nanoseconds as t sees it (its time
    namespace's offsets added), or None if there is no such clock."""
    ns = host_clock_ns(t, clk)
    if ns is None:
        return None
    return ns + clock_offset(t.nsproxy.time_ns, clk)


def host_clock_ns(t, clk):
    """The value of clock clk in nanoseconds, or None if there is no such."""
    if clk == CLOCK_REALTIME_COARSE:
        return timekeeping.ktime_get_coarse_real_ns()
    if clk == CLOCK_MONOTONIC_COARSE:
        return time.clock_gettime_ns(clk)
    if clk in (CLOCK_REALTIME, CLOCK_REALTIME_ALARM):
        return timekeeping.ktime_get_real_ns()
    if clk == CLOCK_TAI:
        return timekeeping.ktime_get_clocktai_ns()
    if clk in (CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW,
               CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM):
        return time.monotonic_ns()
    if clk == CLOCK_PROCESS_CPUTIME_ID:
        return int(sum(thread_group_cputime(t)) * 1e9)
    if clk == CLOCK_THREAD_CPUTIME_ID:
        return int((t.utime + t.stime) * 1e9)
    if clk < 0:
        return _cpu_clock(t, clk)
    return None


def thread_group_cputime(t):
    """(user, system) seconds of t's whole process: its live threads plus
    the threads that have exited (do_exit adds theirs to t.signal)."""
    sigs = t.signal
    ut, st = sigs.utime, sigs.stime
    for th in t.thread_group():
        ut += th.utime
        st += th.stime
    return ut, st


def _cpu_clock(t, clk):
    """CPU-time clocks of a process or thread, as clock_getcpuclockid and
    pthread_getcpuclockid encode them: ~pid << 3 | per-thread bit (4) |
    kind (0 prof = user+system, 1 virt = user, 2 sched = user+system)."""
    pid = ~clk >> 3
    kind = clk & 3
    if kind == 3:
        return None
    target = ktask.find_task(pid) if pid else t
    if target is None:
        return None
    if clk & 4:
        if pid and target.tgid != t.tgid:
            return None                 # another process's thread
        ut, st = target.utime, target.stime
    else:
        if target.group_leader is not target and pid:
            return None
        ut, st = thread_group_cputime(target)
    return int((ut if kind == 1 else ut + st) * 1e9)


def _ts_fmt(t):
    """struct timespec: two 64-bit fields, or two 32-bit ones for a 32-bit
    task (except in i386's *_time64 calls, which set task.time64)."""
    return "<qq" if t.arch.BITS == 64 or t.time64 else "<ii"


def put_timespec(t, addr, ns):
    copy_to_user(t.mm, addr, struct.pack(_ts_fmt(t), ns // NSEC_PER_SEC, ns % NSEC_PER_SEC))


def get_timespec(t, addr, fmt=None):
    """A struct timespec from the guest, validated, in nanoseconds."""
    fmt = fmt or _ts_fmt(t)
    sec, nsec = struct.unpack(fmt, copy_from_user(t.mm, addr, struct.calcsize(fmt)))
    if sec < 0 or not 0 <= nsec < NSEC_PER_SEC:
        raise Errno(EINVAL)
    return sec * NSEC_PER_SEC + nsec


def sys_clock_gettime(t, clk, tp):
    ns = clock_ns(t, s32(clk))
    if ns is None:
        return -EINVAL
    put_timespec(t, tp, ns)
    return 0


def sys_clock_getres(t, clk, tp):
    if clock_ns(t, s32(clk)) is None:
        return -EINVAL
    if tp:
        # a coarse clock advances by the host's ticks: its resolution
        put_timespec(t, tp, round(time.clock_getres(s32(clk)) * NSEC_PER_SEC)
                     if s32(clk) in _COARSE else 1)
    return 0


def sys_clock_settime(t, clk, tp):
    """Checked as Linux checks (the time, then the privilege)."""
    ns = get_timespec(t, tp)            # EFAULT, EINVAL before EPERM
    if s32(clk) != CLOCK_REALTIME:
        return -EINVAL                  # the only settable clock
    if not capable(t, CAP_SYS_TIME):
        return -EPERM
    timekeeping.do_settimeofday64(ns)
    return 0


def sys_gettimeofday(t, tv, tz):
    ns = timekeeping.ktime_get_real_ns()
    fmt = "<qq" if t.arch.BITS == 64 else "<ii"
    if tv:
        copy_to_user(t.mm, tv, struct.pack(fmt, ns // NSEC_PER_SEC, (ns % NSEC_PER_SEC) // 1000))
    if tz:
        copy_to_user(t.mm, tz, struct.pack("<ii", 0, 0))
    return 0


def sys_settimeofday(t, tv, tz):
    """As clock_settime: a bad timeval is EINVAL before the privilege is
    asked for (Linux's timeval_valid, then security_settime64)."""
    if tv:
        fmt = "<qq" if t.arch.BITS == 64 else "<ii"
        sec, usec = struct.unpack(fmt, copy_from_user(t.mm, tv, struct.calcsize(fmt)))
        if sec < 0 or not 0 <= usec < 1000000:
            return -EINVAL
    if tz:
        copy_from_user(t.mm, tz, 8)     # the timezone is read, and kept nowhere
    if not capable(t, CAP_SYS_TIME):
        return -EPERM
    if tv:
        timekeeping.do_settimeofday64(sec * NSEC_PER_SEC + usec * 1000)
    return 0


def sys_stime(t, tptr):
    """i386's stime(2): settimeofday to whole seconds - whose refusal of
    a bad time Linux does not report."""
    sec = struct.unpack("<i", copy_from_user(t.mm, tptr, 4))[0]
    if not capable(t, CAP_SYS_TIME):
        return -EPERM
    try:
        timekeeping.do_settimeofday64(sec * NSEC_PER_SEC)
    except Errno:
        pass
    return 0


# struct timex: 64-bit longs, or 32-bit ones in an i386 process (except
# in clock_adjtime64, which takes struct __kernel_timex)
_TIMEX_FIELDS = ("modes", "offset", "freq", "maxerror", "esterror", "status", "constant",
                 "precision", "tolerance", "time_sec", "time_usec", "tick", "ppsfreq", "jitter",
                 "shift", "stabil", "jitcnt", "calcnt", "errcnt", "stbcnt", "tai")
_TIMEX64 = struct.Struct("<I4xqqqqi4xqqqqqqqqi4xqqqqqi44x")
_TIMEX32 = struct.Struct("<Iiiiiiiiiiiiiiiiiiiii44x")


def _timex_fmt(t):
    return _TIMEX64 if t.arch.BITS == 64 or t.time64 else _TIMEX32


def _do_adjtimex_user(t, buf):
    fmt = _timex_fmt(t)
    txc = dict(zip(_TIMEX_FIELDS, fmt.unpack(copy_from_user(t.mm, buf, fmt.size))))
    txc["bits"] = 64 if fmt is _TIMEX64 else 32      # the size of a long (ADJ_FREQUENCY)
    result = timekeeping.do_adjtimex(txc, capable(t, CAP_SYS_TIME))
    if result >= 0:
        copy_to_user(t.mm, buf, fmt.pack(*(txc[f] for f in _TIMEX_FIELDS)))
    return result


def sys_adjtimex(t, buf):
    return _do_adjtimex_user(t, buf)


def sys_clock_adjtime(t, clk, buf):
    clk = s32(clk)
    if clk != CLOCK_REALTIME:
        return -EINVAL if clock_ns(t, clk) is None else -EOPNOTSUPP
    return _do_adjtimex_user(t, buf)


def sys_time(t, tloc):
    now = timekeeping.ktime_get_real_seconds()
    if tloc:
        copy_to_user(t.mm, tloc, struct.pack("<q" if t.arch.BITS == 64 else "<i", now))
    return now


# -- sleeping ---------------------------------------------------------------------------

class RestartBlock:
    """What restart_syscall(2) needs to resume an interrupted sleep."""

    def __init__(self, fn):
        self.fn = fn


def _sleep_until(t, clk, deadline_ns, rmtp, absolute):
    """A generator: sleep until clock clk reaches deadline_ns."""
    def remaining():
        return deadline_ns - clock_ns(t, clk)

    while True:
        left = remaining()
        if left <= 0:
            return 0
        if signal_pending(t):
            if rmtp and not absolute:
                put_timespec(t, rmtp, max(left, 0))
            t.restart_block = RestartBlock(
                lambda t2: _sleep_until(t2, clk, deadline_ns, rmtp, absolute))
            return -ERESTART_RESTARTBLOCK if not absolute else -ERESTARTNOHAND
        if is_cpu_clock(clk):
            # CPU time advances only while threads run: look again soon
            left = min(left, 10_000_000)
        yield sched.Sleep(realtime_wait(clk), sched.now() + left / NSEC_PER_SEC)


def realtime_wait(clk):
    """The queues a sleep until a time on clock clk waits on besides its
    deadline: a wall clock's is moved when the clock is set."""
    if clk in WALL_CLOCKS:
        return (timekeeping.clock_was_set_wq,)
    return ()


def is_cpu_clock(clk):
    return clk < 0 or clk in (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID)


def do_nanosleep(t, clk, flags, rqtp, rmtp):
    req = get_timespec(t, rqtp)
    absolute = bool(flags & TIMER_ABSTIME)
    if not absolute and clk in WALL_CLOCKS:
        clk = CLOCK_MONOTONIC           # a wait, not a time: setting the clock moves no end
    now = clock_ns(t, clk)
    deadline = req if absolute else now + req
    if deadline <= now:
        return 0
    return _sleep_until(t, clk, deadline, rmtp, absolute)


def sys_nanosleep(t, rqtp, rmtp):
    return do_nanosleep(t, CLOCK_MONOTONIC, 0, rqtp, rmtp)


def sys_clock_nanosleep(t, clk, flags, rqtp, rmtp):
    clk = s32(clk)
    if clock_ns(t, clk) is None:
        return -EINVAL
    if clk == CLOCK_THREAD_CPUTIME_ID:
        return -EOPNOTSUPP              # that clock has no nsleep
    if clk < 0 and clk & 4:
        return -EINVAL                  # a thread's CPU clock
    return do_nanosleep(t, clk, flags, rqtp, rmtp)


def sys_restart_syscall(t):
    rb = t.restart_block
    t.restart_block = None
    if rb is None:
        return -EINTR
    return rb.fn(t)


# -- interval timers -------------------------------------------------------------------

class ITimer:
    def __init__(self):
        self.value_ns = 0           # time to next expiry (virtual/prof)
        self.interval_ns = 0
        self.deadline = None        # monotonic seconds (real)
        self.timer = None


def _itimers(t):
    sigs = t.signal
    if sigs.itimers is None:
        sigs.itimers = [ITimer(), ITimer(), ITimer()]
    return sigs.itimers


def _arm_real(t, it):
    leader = t.group_leader

    def fire():
        it.timer = None
        send_signal(leader, SigInfo(SIGALRM, SI_KERNEL), group=True)
        if it.interval_ns and not leader.exit_state:
            it.deadline += it.interval_ns / NSEC_PER_SEC
            if it.deadline < sched.now():
                it.deadline = sched.now() + it.interval_ns / NSEC_PER_SEC
            it.timer = sched.add_timer(it.deadline, fire)
        else:
            it.deadline = None
    it.timer = sched.add_timer(it.deadline, fire)


def _get_itimer(t, which):
    it = _itimers(t)[which]
    if which == ITIMER_REAL:
        left = 0 if it.deadline is None else max(0, int((it.deadline - sched.now()) * 1e9))
        if it.deadline is not None and left == 0:
            left = 1000
        return left, it.interval_ns
    return it.value_ns, it.interval_ns


def _set_itimer(t, which, value_ns, interval_ns):
    it = _itimers(t)[which]
    old = _get_itimer(t, which)
    if which == ITIMER_REAL:
        sched.del_timer(it.timer)
        it.timer = None
        it.deadline = None
        it.interval_ns = interval_ns
        if value_ns:
            it.deadline = sched.now() + value_ns / NSEC_PER_SEC
            _arm_real(t, it)
    else:
        it.value_ns = value_ns
        it.interval_ns = interval_ns
        t.signal.cpu_itimers = any(x.value_ns for x in _itimers(t)[1:])
    return old


def _tv_fmt(t):
    return "<qqqq" if t.arch.BITS == 64 else "<iiii"


def sys_getitimer(t, which, value):
    which = s32(which)
    if which not in (0, 1, 2):
        return -EINVAL
    v, i = _get_itimer(t, which)
    copy_to_user(t.mm, value, struct.pack(_tv_fmt(t), i // NSEC_PER_SEC, i % NSEC_PER_SEC // 1000,
                                          v // NSEC_PER_SEC, v % NSEC_PER_SEC // 1000))
    return 0


def sys_setitimer(t, which, value, ovalue):
    which = s32(which)
    if which not in (0, 1, 2):
        return -EINVAL
    if value:
        fmt = _tv_fmt(t)
        isec, iusec, vsec, vusec = struct.unpack(fmt, copy_from_user(t.mm, value, struct.calcsize(fmt)))
        if not (0 <= iusec < 10**6 and 0 <= vusec < 10**6) or isec < 0 or vsec < 0:
            return -EINVAL
        new = (vsec * NSEC_PER_SEC + vusec * 1000, isec * NSEC_PER_SEC + iusec * 1000)
    else:
        new = (0, 0)
    ov, oi = _set_itimer(t, which, *new)
    if ovalue:
        copy_to_user(t.mm, ovalue, struct.pack(_tv_fmt(t), oi // NSEC_PER_SEC,
                                               oi % NSEC_PER_SEC // 1000,
                                               ov // NSEC_PER_SEC, ov % NSEC_PER_SEC // 1000))
    return 0


def sys_alarm(t, seconds):
    seconds &= 0xFFFFFFFF
    ov, _ = _set_itimer(t, ITIMER_REAL, seconds * NSEC_PER_SEC, 0)
    left = (ov + NSEC_PER_SEC // 2) // NSEC_PER_SEC
    if ov and not left:
        left = 1
    return left


def account_cpu(t, seconds):
    """Charge guest CPU time to the virtual/profiling itimers (called for
    every stretch a guest ran while one of them is armed)."""
    sigs = t.signal
    if sigs.itimers is None:
        return
    for which, sig in ((ITIMER_VIRTUAL, SIGVTALRM), (ITIMER_PROF, SIGPROF)):
        it = sigs.itimers[which]
        if it.value_ns:
            it.value_ns -= int(seconds * 1e9)
            if it.value_ns <= 0:
                send_signal(t, SigInfo(sig, SI_KERNEL), group=True)
                it.value_ns = it.interval_ns if it.interval_ns else 0
    sigs.cpu_itimers = any(x.value_ns for x in sigs.itimers[1:])
