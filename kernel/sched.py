"""kernel/sched.py - one CPU: the run queue, sleeping, waking, timers.

pyuml runs one guest at a time.  The run queue holds the tasks that can run;
the scheduler takes the next one, resumes its sleeping system call if it has
one, and lets it run in user space (skas/userspace.py) until it blocks, exits
or its time slice ends.  The time slice is measured by the host: the stub arms
ITIMER_VIRTUAL, so a guest that computes for 10 ms stops with SIGVTALRM
(a "tick") and another task gets the CPU.

Which one is decided the way Linux's CFS decides, in miniature: every task
accumulates "virtual runtime" (the time it has had the CPU), and the
runnable task with the least goes next.  Two busy loops thus alternate
tick by tick, and a task that mostly sleeps (an interactive one: a shell,
a pipe partner) has little and is picked first as soon as it wakes.  A
sleeper's credit is bounded (it wakes with at least min_vruntime minus
SLEEPER_CREDIT), so a long sleep does not buy a long monopoly; sched_yield
makes the caller step aside once if anyone else can run.

A system call that must wait is a generator: its frames are the task's
"kernel stack".  It yields a Sleep naming the wait queues (and a deadline)
to sleep on; wake_up() on any of them, a signal or the deadline makes the
task runnable, and the scheduler resumes the generator where it yielded.
The generator then checks its condition again, as a Linux wait loop does.

When nothing can run, the kernel sleeps in poll() on the host fds that can
wake a guest (the console, the user-mode network's sockets) until the next
timer.
"""

import heapq
import itertools
import select
import time
from collections import deque

TASK_RUNNING = 0
TASK_INTERRUPTIBLE = 1
TASK_UNINTERRUPTIBLE = 2
TASK_STOPPED = 4
TASK_TRACED = 8
EXIT_ZOMBIE = 16
EXIT_DEAD = 32

runqueue = deque()             # runnable tasks, in no particular order
current = None
need_resched = False
min_vruntime = 0.0              # never decreases (CFS's cfs_rq->min_vruntime)
SLEEPER_CREDIT = 0.003          # seconds a waking sleeper may be ahead
_timers = []                    # heap of (deadline, seq, Timer)
_seq = itertools.count()
host_fds = {}                   # host fd -> callback(fd) when readable
host_wfds = {}                  # host fd -> callback(fd) when writable (drivers/net/usernet.py)
nr_switches = 0


def now():
    return time.monotonic()


class WaitQueue:
    """Tasks sleeping until something happens, and callbacks to run when it
    does (epoll's, Linux's wait_queue_entry with a func: fs/eventpoll.py)."""
    __slots__ = ("waiters", "callbacks")

    def __init__(self):
        self.waiters = []
        self.callbacks = []

    def wake_up(self, key=0):
        """Wake every sleeper; callbacks get key, the poll events that
        happened (0: anything may have changed)."""
        if self.waiters:
            for t in list(self.waiters):
                wake_up_process(t)
        if self.callbacks:
            for fn in list(self.callbacks):
                fn(key)

    def __bool__(self):
        return True


class Sleep:
    """What a sleeping system call yields."""
    __slots__ = ("queues", "deadline", "interruptible")

    def __init__(self, queues=(), deadline=None, interruptible=True):
        self.queues = queues
        self.deadline = deadline
        self.interruptible = interruptible


class Timer:
    __slots__ = ("deadline", "fn", "active")

    def __init__(self, deadline, fn):
        self.deadline = deadline
        self.fn = fn
        self.active = True


def add_timer(deadline, fn):
    tm = Timer(deadline, fn)
    heapq.heappush(_timers, (deadline, next(_seq), tm))
    return tm


def del_timer(tm):
    if tm is not None:
        tm.active = False


def run_timers():
    t = now()
    while _timers and _timers[0][0] <= t:
        _, _, tm = heapq.heappop(_timers)
        if tm.active:
            tm.active = False
            tm.fn()


def next_timer():
    while _timers and not _timers[0][2].active:
        heapq.heappop(_timers)
    return _timers[0][0] if _timers else None


# -- sleeping and waking -------------------------------------------------------

def sleep_on(t, sl):
    t.state = TASK_INTERRUPTIBLE if sl.interruptible else TASK_UNINTERRUPTIBLE
    t.sleeping_on = sl.queues
    for q in sl.queues:
        q.waiters.append(t)
    if sl.deadline is not None:
        t.sleep_timer = add_timer(sl.deadline, lambda: wake_up_process(t))


def wake_up_process(t):
    """Make a sleeping task runnable (no effect on others)."""
    if t.state not in (TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE):
        return False
    for q in t.sleeping_on:
        try:
            q.waiters.remove(t)
        except ValueError:
            pass
    t.sleeping_on = ()
    if t.sleep_timer is not None:
        t.sleep_timer.active = False
        t.sleep_timer = None
    t.state = TASK_RUNNING
    place_entity(t)
    runqueue.append(t)
    check_preempt_wakeup(t)
    return True


WAKEUP_GRANULARITY = 0.001      # seconds (Linux: 1 ms times a CPU factor)
_run_start = 0.0


def check_preempt_wakeup(t):
    """A woken task far behind the running one in virtual runtime takes
    the CPU at the running task's next stop (its next system call, fault
    or tick): an interactive task does not wait for a computing one's
    slice to end."""
    global need_resched
    c = current
    if c is not None and c is not t and \
            t.vruntime + WAKEUP_GRANULARITY < c.vruntime + (now() - _run_start):
        need_resched = True


def place_entity(t):
    """A task joins the run queue after sleeping (or new): its credit for
    the time it did not run is bounded."""
    floor = min_vruntime - SLEEPER_CREDIT
    if t.vruntime < floor:
        t.vruntime = floor


def pick_next_task():
    """Take the runnable task with the least virtual runtime out of the run
    queue (one that just yielded only if nobody else is there)."""
    global min_vruntime
    best = None
    for t in runqueue:
        if t.state != TASK_RUNNING:
            continue
        if best is None or (t.yielded, t.vruntime) < (best.yielded, best.vruntime):
            best = t
    if best is None:
        runqueue.clear()
        return None
    runqueue.remove(best)
    best.yielded = False
    if best.vruntime > min_vruntime:
        min_vruntime = best.vruntime
    return best


def yield_task(t):
    """sched_yield: let anyone else runnable go first, once."""
    global need_resched
    if any(o.state == TASK_RUNNING for o in runqueue):
        t.yielded = True
        need_resched = True


def signal_wake_up(t, fatal=False):
    """A signal arrived: interrupt an interruptible sleep (any, if fatal)."""
    if t.state == TASK_INTERRUPTIBLE or (fatal and t.state == TASK_UNINTERRUPTIBLE):
        wake_up_process(t)


def tick():
    """A preemption tick: the running guest used up its slice.  Expired
    timers and host input are looked at first, so that a task they wake
    (an interactive one, usually) gets the CPU now rather than a slice
    later."""
    global need_resched, _next_poll
    _next_poll = 0.0
    housekeeping()
    if runqueue:
        need_resched = True


def wait_event(t, queue, cond, deadline=None, interruptible=True):
    """Sleep until cond() is true.  A generator; its value is 0, or
    -ERESTARTSYS when a signal is pending, or -ETIMEDOUT at the deadline."""
    from kernel.errno import ERESTARTSYS, ETIMEDOUT
    from kernel.signal import signal_pending
    queues = queue if isinstance(queue, tuple) else (queue,)
    while not cond():
        if interruptible and signal_pending(t):
            return -ERESTARTSYS
        if deadline is not None and now() >= deadline:
            return -ETIMEDOUT
        yield Sleep(queues, deadline, interruptible)
    return 0


# -- host events ---------------------------------------------------------------

def poll_host(timeout):
    """Wait up to timeout seconds (None: forever) for a host fd or timer."""
    if not host_fds and not host_wfds:
        if timeout is None:
            return False
        if timeout > 0:
            time.sleep(timeout)
        return True
    p = select.poll()
    for fd in host_fds:
        p.register(fd, select.POLLIN | (select.POLLOUT if fd in host_wfds else 0))
    for fd in host_wfds:
        if fd not in host_fds:
            p.register(fd, select.POLLOUT)
    try:
        events = p.poll(None if timeout is None else timeout * 1000)
    except InterruptedError:
        return True
    for fd, ev in events:
        if ev & select.POLLNVAL:
            host_fds.pop(fd, None)                      # closed behind our back
            host_wfds.pop(fd, None)
            continue
        if ev & (select.POLLIN | select.POLLHUP | select.POLLERR):
            cb = host_fds.get(fd)
            if cb:
                cb(fd)
        if ev & (select.POLLOUT | select.POLLHUP | select.POLLERR):
            cb = host_wfds.get(fd)
            if cb:
                cb(fd)
    return True


_next_poll = 0.0


def housekeeping():
    """Timers and host input, at most every millisecond between stops."""
    global _next_poll
    t = now()
    if t >= _next_poll:
        _next_poll = t + 0.001
        run_timers()
        if host_fds or host_wfds:
            poll_host(0)


# -- the loop --------------------------------------------------------------------

def schedule_loop(run_task, have_tasks):
    """Run tasks until the machine halts (an exception from run_task).

    run_task(t) returns True when t was preempted and should go to the back
    of the queue; a task that went to sleep is queued again by its waker."""
    global current, need_resched, nr_switches, _run_start
    while True:
        run_timers()
        if not runqueue:
            if not have_tasks():
                return
            deadline = next_timer()
            timeout = None if deadline is None else max(0.0, deadline - now())
            if not poll_host(timeout) and deadline is None:
                # nothing can ever wake anyone: every task sleeps forever
                from kernel.printk import pr_warn
                pr_warn("all tasks are asleep with nothing to wake them")
                poll_host(None if host_fds or host_wfds else 1.0)
            continue
        if host_fds or host_wfds:
            poll_host(0)
        t = pick_next_task()
        if t is None:
            continue
        current = t
        need_resched = False
        nr_switches += 1
        start = _run_start = now()
        preempted = run_task(t)
        t.vruntime += now() - start
        current = None
        if preempted and t.state == TASK_RUNNING:
            runqueue.append(t)


def run_task(t):
    """Give t the CPU: finish its sleeping system call if it has one, then
    run it in user space.  True if it was preempted."""
    from kernel.syscall import KERNEL_EXITS, oops, run_kstack
    from skas.userspace import userspace
    try:
        if t.set_child_tid:
            from kernel.fork import schedule_tail
            schedule_tail(t)
        if t.kstack is not None and not run_kstack(t):
            return False
        if t.state != TASK_RUNNING:
            return False
        return userspace(t)
    except KERNEL_EXITS:
        raise
    except Exception as e:
        # a kernel bug while running t: t dies, the machine goes on
        if not t.exit_state:
            oops(t, e, "task context")
        return False


def run_machine():
    """The idle loop: run until init dies or reboot(2) (both raise)."""
    from kernel import task as ktask
    from skas import process
    process.on_tick = tick
    schedule_loop(run_task, lambda: bool(ktask.tasks))
