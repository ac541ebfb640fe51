"""kernel/posix_timers.py - POSIX per-process timers (timer_create & co).

A process owns any number of timers (t.signal.posix_timers, id -> KTimer),
numbered from 0 as Linux numbers them.  Each is a ClockTimer, a deadline
on one clock with an optional period, that runs a kernel timer
(kernel/sched.py) at the host-time equivalent of its deadline.  What an
expiry does is the sigevent's business:

  SIGEV_SIGNAL     queue sigev_signo for the process (si_code SI_TIMER)
  SIGEV_THREAD_ID  the same, for one thread of the process (glibc and musl
                   build SIGEV_THREAD on it: a helper thread waits for it)
  SIGEV_NONE       nothing; timer_gettime shows the progress

A timer has one signal to queue.  While it is queued, a periodic timer is
not rearmed: when the signal is taken (kernel/signal.py's SigPending.take
calls KTimer.dequeued), the timer skips forward past the periods that
went by and reports them as si_overrun / timer_getoverrun, as Linux does.
timer_settime and timer_delete invalidate a queued signal (a sequence
number in it no longer matches): it is dropped when it would be taken.

CPU-time clocks (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and the
clock_getcpuclockid ones) are the approximation kernel/time.py makes of
CPU time (the utime/stime the scheduler charges); their timers look at the
clock every 10 ms rather than expiring exactly.

Timers are not inherited by fork, and are deleted by exec and when the
process exits.
"""

import struct
import weakref

from kernel.abi import s32
from kernel import sched, task as ktask, timekeeping
from kernel.errno import EAGAIN, EINVAL, EOPNOTSUPP, EPERM, ESRCH, Errno
from kernel import time as ktime
from mm.uaccess import copy_from_user, copy_to_user
from kernel.signal import SIGALRM, SI_TIMER, SigInfo, _NSIG, send_signal
from kernel.capability import CAP_WAKE_ALARM, capable

SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD, SIGEV_THREAD_ID = 0, 1, 2, 4
INT_MAX = (1 << 31) - 1
CPU_POLL_NS = 10_000_000
MIN_REARM_NS = 100_000          # a kernel timer never runs more often than this
MAX_KTIMER_NS = 86400 * 10**9   # nor later: a far deadline is approached by steps
KTIME_MAX = (1 << 63) - 1       # Linux's time limit (year 2262): values saturate

# the clocks a timer can run on
_TIMER_CLOCKS = (ktime.CLOCK_REALTIME, ktime.CLOCK_MONOTONIC, ktime.CLOCK_BOOTTIME,
                 ktime.CLOCK_TAI, ktime.CLOCK_PROCESS_CPUTIME_ID,
                 ktime.CLOCK_THREAD_CPUTIME_ID)
_NO_TIMERS = (ktime.CLOCK_MONOTONIC_RAW, ktime.CLOCK_REALTIME_COARSE,
              ktime.CLOCK_MONOTONIC_COARSE)
_ALARM_CLOCKS = (ktime.CLOCK_REALTIME_ALARM, ktime.CLOCK_BOOTTIME_ALARM)
_wall_timers = weakref.WeakSet()    # the ClockTimers of the clocks the guest sets


@timekeeping.clock_was_set_notifier
def _wall_clock_was_set(delta):
    for ct in list(_wall_timers):
        ct.clock_was_set(delta)


class ClockTimer:
    """A deadline (ns on clock clk, as task t reads it) and a period.
    fire() runs at expiry; a periodic timer rearms only when told
    (forward/rearm), so its owner decides when the next period counts."""

    def __init__(self, t, clk, fire):
        self.task = t
        self.clk = clk
        self.fire = fire
        self.expires = 0            # 0: disarmed
        self.interval = 0
        self.ktimer = None
        self.absolute = False       # armed at an absolute time (not now + value)
        if clk in ktime.WALL_CLOCKS:
            _wall_timers.add(self)

    def now(self):
        """The clock's time; None once it is gone (the CPU clock of a
        process or thread that has been reaped): the timer is then dead."""
        if self.clk == ktime.CLOCK_THREAD_CPUTIME_ID and self.task.exit_state:
            return None                 # the creating thread's clock died with it
        return ktime.clock_ns(self.task, self.clk)

    def armed(self):
        return self.expires != 0

    def cancel(self):
        sched.del_timer(self.ktimer)
        self.ktimer = None

    def start(self, expires, interval):
        """Arm at absolute clock time expires (0 disarms)."""
        self.cancel()
        self.expires = expires
        self.interval = interval
        if expires:
            if not ktime.is_cpu_clock(self.clk) and expires <= (self.now() or 0):
                self.fire()                   # already due: expire at once
            else:
                self._schedule()

    def disarm(self):
        self.start(0, 0)

    def _schedule(self):
        now = self.now()
        if now is None:
            self.expires = 0
            return
        left = min(self.expires - now, MAX_KTIMER_NS)
        if ktime.is_cpu_clock(self.clk):
            left = min(left, CPU_POLL_NS)     # CPU time moves only when threads run
        left = max(left, 0)
        self.ktimer = sched.add_timer(sched.now() + left / ktime.NSEC_PER_SEC, self._expired)

    def _expired(self):
        self.ktimer = None
        if not self.expires:
            return
        now = self.now()
        if now is None:
            self.expires = 0
            return
        if now < self.expires:
            self._schedule()                  # a CPU clock not there yet
            return
        self.fire()

    def clock_was_set(self, delta):
        """The wall clock jumped by delta: a timer armed at an absolute
        time looks at it again; one armed for a while from then keeps its
        wait (Linux runs it on the monotonic clock), so its expiry moves."""
        if not self.expires:
            return
        if not self.absolute:
            self.expires += delta
        self.cancel()
        self._expired()

    def forward(self, now=None):
        """Move a periodic timer's deadline past now: the number of periods
        skipped (the expiry at the old deadline included)."""
        if now is None:
            now = self.now()
        if not self.interval or not self.expires or now is None or now < self.expires:
            return 0
        n = (now - self.expires) // self.interval + 1
        self.expires += n * self.interval
        return n

    def rearm(self):
        """After forward(): run the kernel timer for the next deadline (not
        sooner than MIN_REARM_NS from now: a tiny period must not keep the
        kernel busy)."""
        self.cancel()
        now = self.now()
        if now is None:
            self.expires = 0
        if self.expires:
            left = min(max(self.expires - now, MIN_REARM_NS), MAX_KTIMER_NS)
            if ktime.is_cpu_clock(self.clk):
                left = min(left, CPU_POLL_NS)
            self.ktimer = sched.add_timer(sched.now() + left / ktime.NSEC_PER_SEC, self._expired)

    def remaining(self):
        """Time to the next expiry (0: disarmed), as timer_gettime shows it."""
        now = self.now()
        if not self.expires or now is None:
            return 0
        return self.expires - now


class KTimer:
    """One timer_create timer."""

    def __init__(self, t, tid, clk, notify, signo, value, target):
        self.id = tid
        self.owner = t.group_leader
        self.notify = notify
        self.signo = signo
        self.value = value
        self.target = target            # the thread for SIGEV_THREAD_ID
        self.ct = ClockTimer(t, clk, self._fire)
        self.seq = 0                    # bumped when a queued signal goes stale
        self.queued = None              # our SigInfo while it is pending
        self.overrun = 0
        self.overrun_last = 0
        self.dead = False
        self.none_stale = 0             # SIGEV_NONE: the deadline before disarming

    def _fire(self):
        if self.dead:
            return
        if self.queued is not None:
            # still pending (rearmed by timer_settime meanwhile): it stands
            # for this expiry too
            self.queued.timer_seq = self.seq
            return
        info = SigInfo(self.signo, SI_TIMER, timerid=self.id, value=self.value)
        info.timer = self
        info.timer_seq = self.seq
        self.overrun = 0
        if self.notify & SIGEV_THREAD_ID:
            if not self.target.exit_state:
                send_signal(self.target, info, group=False)
        else:
            send_signal(self.owner, info, group=True)
        if self.queued is None:
            # not queued (ignored, or nobody left to take it): a periodic
            # timer goes on, a one-shot one is done
            self._next_period()
        elif self.ct.interval:
            # the next deadline, but no kernel timer until the signal is
            # taken: the periods that pass meanwhile are overruns
            self.overrun += max(self.ct.forward() - 1, 0)
        else:
            self.ct.expires = 0

    def _next_period(self):
        if self.ct.interval:
            self.ct.forward()
            self.ct.rearm()
        else:
            self.ct.expires = 0

    def dequeued(self, info):
        """Our signal is being taken: False if it is stale (drop it).
        Otherwise a periodic timer counts the periods it missed and runs on."""
        self.queued = None
        if self.dead or info.timer_seq != self.seq:
            return False
        if self.ct.interval and self.ct.expires:
            self.overrun += self.ct.forward()
            self.ct.rearm()
        self.overrun_last = min(self.overrun, INT_MAX)
        self.overrun = 0
        info.overrun = self.overrun_last
        return True

    def flushed(self):
        """Our queued signal was discarded unseen (SIG_IGN): run on."""
        self.queued = None
        if not self.dead and self.ct.expires:
            self._next_period()

    def settime(self, expires, interval):
        self.seq += 1
        self.overrun = self.overrun_last = 0
        if self.notify == SIGEV_NONE:
            # nobody to tell: no kernel timer, timer_gettime computes
            self.ct.cancel()
            if not expires and self.ct.expires:
                self.none_stale = self.ct.expires
            self.ct.expires, self.ct.interval = expires, interval
        else:
            self.ct.start(expires, interval)

    def gettime(self):
        """(value, interval) in ns, as timer_gettime reports them."""
        ct = self.ct
        if ct.now() is None:
            ct.disarm()                 # its CPU clock is gone
        if self.notify == SIGEV_NONE:
            if not ct.expires:
                # Linux shows the time left to the deadline it had before
                # it was disarmed (its hrtimer keeps it)
                now = ct.now()
                left = self.none_stale - now if now is not None and self.none_stale else 0
                return max(left, 0), 0
            now = ct.now()
            ct.forward(now)
            left = ct.expires - now     # the same now: > 0 if periodic
            if left <= 0:
                self.none_stale = ct.expires
                ct.expires = 0          # a one-shot SIGEV_NONE timer has expired
                return 0, ct.interval
            return left, ct.interval
        if not ct.expires:
            return 0, ct.interval
        left = ct.remaining()
        if left <= 0 and ct.interval and ct.ktimer is None:
            # waiting for its signal to be taken: periods go by
            self.overrun += ct.forward()
            left = ct.remaining()
        return (left if left > 0 else 1), ct.interval     # about to fire

    def delete(self):
        self.dead = True
        self.seq += 1
        self.ct.disarm()


# -- the process's timers --------------------------------------------------------

def _timers(t):
    sigs = t.signal
    tab = sigs.posix_timers
    if tab is None:
        tab = sigs.posix_timers = {}
        sigs.next_posix_timer_id = 0
    return tab


def exit_itimers(t):
    """Delete every timer of t's process (exec, and the last thread's exit)."""
    tab = t.signal.posix_timers
    if tab:
        for tm in tab.values():
            tm.delete()
        tab.clear()
    t.signal.next_posix_timer_id = 0


def _timer_clock_ok(t, clk):
    if clk in _TIMER_CLOCKS:
        return True
    if clk in _NO_TIMERS:
        raise Errno(EOPNOTSUPP)
    if clk in _ALARM_CLOCKS:
        if not capable(t, CAP_WAKE_ALARM):
            raise Errno(EPERM)
        return True
    if clk < 0 and ktime.clock_ns(t, clk) is not None:
        return True                     # another process's or thread's CPU clock
    raise Errno(EINVAL)


def read_sigevent(t, addr):
    """struct sigevent: (value, signo, notify, tid).  64 bytes on both ABIs;
    the value is a pointer-sized union, so the fields move for i386."""
    raw = copy_from_user(t.mm, addr, 64)
    if t.arch.BITS == 32:
        value, signo, notify, tid = struct.unpack_from("<Iiii", raw)
    else:
        value, signo, notify, tid = struct.unpack_from("<Qiii", raw)
    return value, signo, notify, tid


def _good_sigevent(t, signo, notify, tid):
    """The thread to signal (None: the process), or EINVAL."""
    target = None
    if notify == SIGEV_SIGNAL | SIGEV_THREAD_ID:
        target = ktask.find_task(tid) if tid > 0 else None
        if target is None or target.tgid != t.tgid or target.exit_state:
            raise Errno(EINVAL)
    elif notify not in (SIGEV_SIGNAL, SIGEV_THREAD, SIGEV_NONE):
        raise Errno(EINVAL)
    if notify != SIGEV_NONE and not 0 < signo <= _NSIG:
        raise Errno(EINVAL)
    return target


def sys_timer_create(t, clk, sevp, created_id):
    clk = s32(clk)
    sev = read_sigevent(t, sevp) if sevp else None
    _timer_clock_ok(t, clk)
    if sev:
        value, signo, notify, tid = sev
        target = _good_sigevent(t, signo, notify, tid)
    else:
        value, signo, notify, target = None, SIGALRM, SIGEV_SIGNAL, None
    tab = _timers(t)
    sigs = t.signal
    if len(tab) >= INT_MAX:
        return -EAGAIN
    tid = sigs.next_posix_timer_id
    while tid in tab:
        tid = (tid + 1) & INT_MAX
    sigs.next_posix_timer_id = (tid + 1) & INT_MAX
    if value is None:
        value = tid                     # no sigevent: sival_int is the id
    # CPU-time clocks measure the creating thread (or its process)
    tm = KTimer(t, tid, clk, notify, signo, value, target)
    copy_to_user(t.mm, created_id, struct.pack("<i", tid))
    tab[tid] = tm
    return 0


def _lookup(t, timer_id):
    tm = (t.signal.posix_timers or {}).get(s32(timer_id))
    if tm is None:
        raise Errno(EINVAL)
    return tm


def get_itimerspec(t, addr):
    """struct itimerspec (interval, value) in ns, validated."""
    fmt = ktime._ts_fmt(t)
    size = struct.calcsize(fmt)
    raw = copy_from_user(t.mm, addr, 2 * size)
    vals = struct.unpack(fmt, raw[:size]) + struct.unpack(fmt, raw[size:])
    isec, insec, vsec, vnsec = vals
    if isec < 0 or vsec < 0 or not 0 <= insec < ktime.NSEC_PER_SEC \
            or not 0 <= vnsec < ktime.NSEC_PER_SEC:
        raise Errno(EINVAL)
    return (min(isec * ktime.NSEC_PER_SEC + insec, KTIME_MAX),
            min(vsec * ktime.NSEC_PER_SEC + vnsec, KTIME_MAX))


def put_itimerspec(t, addr, interval, value):
    fmt = ktime._ts_fmt(t)
    ns = ktime.NSEC_PER_SEC
    bits = 8 * struct.calcsize(fmt) // 2

    def sec(v):                         # an old 32-bit time_t wraps, as on Linux
        v = (v // ns) & ((1 << bits) - 1)
        return v - (1 << bits) if v >> (bits - 1) else v
    copy_to_user(t.mm, addr, struct.pack(fmt, sec(interval), interval % ns)
                 + struct.pack(fmt, sec(value), value % ns))


def absolute_expiry(ct, value, flags, abstime_flag):
    """The absolute deadline for a new value (0 disarms)."""
    ct.absolute = bool(flags & abstime_flag)
    if not value:
        return 0
    if ct.absolute:
        return value
    now = ct.now()
    if now is None:
        raise Errno(ESRCH)              # a CPU clock whose owner is gone
    return min(now + value, KTIME_MAX)


def sys_timer_settime(t, timer_id, flags, new, old):
    if not new:
        return -EINVAL
    interval, value = get_itimerspec(t, new)
    tm = _lookup(t, timer_id)
    oval, oint = tm.gettime()
    expires = absolute_expiry(tm.ct, value, flags, ktime.TIMER_ABSTIME)
    tm.settime(expires, interval if expires else 0)
    if old:
        put_itimerspec(t, old, oint, oval)
    return 0


def sys_timer_gettime(t, timer_id, setting):
    tm = _lookup(t, timer_id)
    value, interval = tm.gettime()
    put_itimerspec(t, setting, interval, value)
    return 0


def sys_timer_getoverrun(t, timer_id):
    return _lookup(t, timer_id).overrun_last


def sys_timer_delete(t, timer_id):
    tm = _lookup(t, timer_id)
    tm.delete()
    del t.signal.posix_timers[tm.id]
    return 0
