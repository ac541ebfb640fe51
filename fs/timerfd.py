"""fs/timerfd.py - timerfd_create(2): a timer whose expiries are read from a file.

A timerfd counts expirations.  read() (8 bytes at least) returns the count
since the last read or timerfd_settime and resets it; with no expiration
yet it blocks, or fails with EAGAIN on a non-blocking file.  The file is
readable (poll, select, epoll) while the count is not zero: event loops use
it as their clock.

The timer is a kernel/posix_timers.py ClockTimer.  As on Linux a periodic
timer is not rearmed after it expires until someone looks (read,
timerfd_gettime): the periods that went by meanwhile are counted then, so
an unread timerfd costs nothing however short its period.

A CLOCK_REALTIME timerfd armed at an absolute time with
TFD_TIMER_CANCEL_ON_SET is cancelled when the guest sets the clock
(kernel/timekeeping.py): it becomes readable and read fails with
ECANCELED, once.
"""

import struct
import weakref

from kernel.abi import s32
from kernel import sched
from kernel import time as ktime, timekeeping
from kernel.errno import EAGAIN, ECANCELED, EINVAL, EPERM, Errno
from kernel.posix_timers import ClockTimer, absolute_expiry, get_itimerspec, put_itimerspec
from fs.anon_inodes import anon_inode_getfile, install_new_file
from fs.file import O_CLOEXEC, O_NONBLOCK, O_RDWR, POLLIN, POLLRDNORM, FileOperations, fdget

TFD_CLOEXEC = O_CLOEXEC
TFD_NONBLOCK = O_NONBLOCK
TFD_TIMER_ABSTIME = 1
TFD_TIMER_CANCEL_ON_SET = 2

_CLOCKS = (ktime.CLOCK_REALTIME, ktime.CLOCK_MONOTONIC, ktime.CLOCK_BOOTTIME,
           ktime.CLOCK_REALTIME_ALARM, ktime.CLOCK_BOOTTIME_ALARM)
_WALL_CLOCKS = (ktime.CLOCK_REALTIME, ktime.CLOCK_REALTIME_ALARM)
_may_cancel = weakref.WeakSet()     # the contexts TFD_TIMER_CANCEL_ON_SET armed


@timekeeping.clock_was_set_notifier
def timerfd_clock_was_set(delta):
    for ctx in list(_may_cancel):
        _may_cancel.discard(ctx)
        ctx.canceled = True
        ctx.ticks += 1
        ctx.wqh.wake_up(POLLIN | POLLRDNORM)


class TimerfdCtx:
    def __init__(self, t, clk):
        self.clk = clk
        self.ticks = 0
        self.expired = False        # a periodic timer waiting to be looked at
        self.settime_flags = 0
        self.canceled = False       # the clock was set under a CANCEL_ON_SET timer
        self.wqh = sched.WaitQueue()
        self.ct = ClockTimer(t, clk, self._fire)

    def _fire(self):
        self.ticks += 1
        if self.ct.interval:
            self.expired = True     # forwarded when read (catch_up)
        else:
            self.ct.expires = 0
        self.wqh.wake_up(POLLIN | POLLRDNORM)

    def catch_up(self):
        """Count the periods since the expiry that fired, and run on."""
        if self.expired:
            self.expired = False
            self.ticks += max(self.ct.forward() - 1, 0)
            self.ct.rearm()

    def settime(self, expires, interval, flags):
        self.ticks = 0
        self.expired = False
        self.canceled = False
        _may_cancel.discard(self)
        if self.clk in _WALL_CLOCKS and flags & TFD_TIMER_ABSTIME and \
                flags & TFD_TIMER_CANCEL_ON_SET:
            _may_cancel.add(self)
        self.ct.start(expires, interval)

    def gettime(self):
        self.catch_up()
        return max(self.ct.remaining(), 0), self.ct.interval     # overdue: 0, as Linux


class TimerfdOps(FileOperations):
    splice_read = splice_write = False      # an anonymous inode's: Linux's has neither

    def read(self, f, t, count):
        ctx = f.private
        if count < 8:
            raise Errno(EINVAL)
        ctx.catch_up()
        if ctx.ticks == 0:
            if f.flags & O_NONBLOCK:
                raise Errno(EAGAIN)
            return self._read_wait(t, ctx)
        return self._take(ctx)

    def _read_wait(self, t, ctx):
        r = yield from sched.wait_event(t, ctx.wqh, lambda: ctx.ticks > 0)
        if r < 0:
            raise Errno(-r)                     # read returns bytes or raises
        ctx.catch_up()
        return self._take(ctx)

    def _take(self, ctx):
        if ctx.canceled:
            ctx.canceled = False
            ctx.ticks = 0
            raise Errno(ECANCELED)
        n, ctx.ticks = ctx.ticks, 0
        return struct.pack("<Q", n)

    def llseek(self, f, offset, whence):
        return f.pos                # Linux's noop_llseek: no error, no move

    def poll(self, f, t):
        ctx = f.private
        return (POLLIN | POLLRDNORM if ctx.ticks else 0), (ctx.wqh,)

    def release(self, f):
        _may_cancel.discard(f.private)
        f.private.ct.disarm()

    def show_fdinfo(self, f):
        ctx = f.private
        left, interval = ctx.gettime()
        return ("clockid: %d\nticks: %d\nsettime flags: 0%o\n"
                "it_value: (%d, %d)\nit_interval: (%d, %d)\n"
                % (ctx.clk, ctx.ticks, ctx.settime_flags, left // 10**9, left % 10**9,
                   interval // 10**9, interval % 10**9))


timerfd_fops = TimerfdOps()


def sys_timerfd_create(t, clk, flags):
    clk = s32(clk)
    flags &= 0xFFFFFFFF
    if flags & ~(TFD_CLOEXEC | TFD_NONBLOCK) or clk not in _CLOCKS:
        return -EINVAL
    if clk in (ktime.CLOCK_REALTIME_ALARM, ktime.CLOCK_BOOTTIME_ALARM) and \
            not __import__("kernel.capability").capability.capable(t, 35):   # CAP_WAKE_ALARM
        return -EPERM
    ctx = TimerfdCtx(t, clk)
    f = anon_inode_getfile(b"[timerfd]", timerfd_fops, ctx, O_RDWR | (flags & O_NONBLOCK))
    return install_new_file(t, f, flags & TFD_CLOEXEC)


def _timerfd(t, fd):
    f = fdget(t, s32(fd))
    if f.f_op is not timerfd_fops:
        raise Errno(EINVAL)
    return f.private


def sys_timerfd_settime(t, fd, flags, new, old):
    interval, value = get_itimerspec(t, new)
    flags &= 0xFFFFFFFF
    if flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET):
        return -EINVAL
    ctx = _timerfd(t, fd)
    oval, oint = ctx.gettime()
    expires = absolute_expiry(ctx.ct, value, flags, TFD_TIMER_ABSTIME)
    ctx.settime(expires, interval, flags)     # a disarmed timerfd still shows its interval
    ctx.settime_flags = flags
    if old:
        put_itimerspec(t, old, oint, oval)
    return 0


def sys_timerfd_gettime(t, fd, cur):
    ctx = _timerfd(t, fd)
    value, interval = ctx.gettime()
    put_itimerspec(t, cur, interval, value)
    return 0
