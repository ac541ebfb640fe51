"""kernel/sched.py - one CPU: the run queue, sleeping, waking, timers.

pyuml runs one guest at a time.  The run queue holds the tasks that can run;
the scheduler takes the next one, resumes its sleeping system call if it has
one, and lets it run in user space (skas/userspace.py) until it blocks, exits
or its time slice ends.  The time slice is measured by the host: the stub arms
ITIMER_VIRTUAL, so a guest that computes for 10 ms stops with SIGVTALRM
(a "tick") and another task gets the CPU; 10 ms the kernel spends on its
system calls is a tick too (kernel_tick).

Which one is decided by the scheduling policy, kernel/sched_fair.py (CFS
in miniature: the runnable task with the least weighted virtual runtime).
Everything here reaches the run queue through enqueue_task(),
dequeue_task() and pick_next_task(), and charges the CPU time a task had
with update_curr(); nothing else touches the queue.  sched_clock says what
"time" is: the host's monotonic clock (the default), or with the boot
option sched_clock=tick only the preemption ticks a task took (10 ms
each), so that the schedule of tasks that compute depends on nothing the
host's speed changes (a tick earned in the kernel is host time).

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

from kernel.sched_fair import ENQUEUE_WAKEUP, FairSchedClass
from kernel.errno import ERESTARTSYS, ETIMEDOUT
from skas import process

TASK_RUNNING = 0
TASK_INTERRUPTIBLE = 1
TASK_UNINTERRUPTIBLE = 2
TASK_STOPPED = 4
TASK_TRACED = 8
EXIT_ZOMBIE = 16
EXIT_DEAD = 32

policy = FairSchedClass()       # the run queue and who runs next
current = None
need_resched = False
TICK = 0.010                    # the stub's ITIMER_VIRTUAL period (skas/process.py)
tick_clock = False              # boot option sched_clock=tick: time is ticks
_timers = []                    # heap of (deadline, seq, Timer)
_seq = itertools.count()
host_fds = {}                   # host fd -> callback(fd) when readable
host_wfds = {}                  # host fd -> callback(fd) when writable (drivers/net/usernet.py)
nr_switches = 0


def now():
    return time.monotonic()


class WaitQueue:
    """Tasks sleeping until something happens, and callbacks to run when it
    does (epoll's, Linux's wait_queue_entry with a func: fs/eventpoll.py).
    exclusive: callbacks of which one wake-up wakes only the first that
    says it woke someone (EPOLLEXCLUSIVE, Linux's WQ_FLAG_EXCLUSIVE)."""
    __slots__ = ("waiters", "callbacks", "exclusive")

    def __init__(self):
        self.waiters = []
        self.callbacks = []
        self.exclusive = []

    def wake_up(self, key=0):
        """Wake every sleeper; callbacks get key, the poll events that
        happened (0: anything may have changed)."""
        if self.waiters:
            for t in list(self.waiters):
                wake_up_process(t)
        if self.callbacks:
            for fn in list(self.callbacks):
                fn(key)
        if self.exclusive:
            for fn in list(self.exclusive):
                if fn(key):
                    break

    def __bool__(self):
        return True


class Sleep:
    """What a sleeping system call yields.  state: the state to sleep in
    when it is neither (un)interruptible: TASK_TRACED for a ptrace stop,
    from which only the tracer or SIGKILL wakes the task (wake_up_state)."""
    __slots__ = ("queues", "deadline", "interruptible", "state")

    def __init__(self, queues=(), deadline=None, interruptible=True, state=0):
        self.queues = queues
        self.deadline = deadline
        self.interruptible = interruptible
        self.state = state


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
    t.state = sl.state or (TASK_INTERRUPTIBLE if sl.interruptible else TASK_UNINTERRUPTIBLE)
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
    enqueue_task(t, ENQUEUE_WAKEUP)
    check_preempt_wakeup(t)
    return True


def wake_up_state(t, state):
    """Make t runnable if it is in state (TASK_TRACED, TASK_STOPPED):
    the tracer resuming a tracee, SIGCONT, SIGKILL."""
    if t.state != state:
        return False
    t.state = TASK_RUNNING
    enqueue_task(t, ENQUEUE_WAKEUP)
    check_preempt_wakeup(t)
    return True


# -- the run queue: every change goes through these ---------------------------

def enqueue_task(t, flags=0):
    """t (TASK_RUNNING) may be picked from now on.  ENQUEUE_WAKEUP: it
    slept or is new, and gets only bounded credit for the time it waited."""
    t.sched_enqueued = now()
    policy.enqueue_task(t, flags)


def dequeue_task(t):
    """t must not be picked (it stops or exits); no-op if not queued."""
    policy.dequeue_task(t)


def pick_next_task():
    """Take the task to run next off the run queue (None: nobody).  Its
    schedstat counters (/proc/PID/schedstat) count the pick and the wait."""
    t = policy.pick_next_task()
    if t is not None:
        t.sched_pcount += 1
        t.sched_run_delay += now() - t.sched_enqueued
    return t


def nr_running():
    """Runnable tasks waiting for the CPU (the running one not counted)."""
    return policy.nr_running()


def sched_fork(child, parent):
    """A new task: where it starts, and into the queue."""
    policy.task_fork(child, parent)
    enqueue_task(child, ENQUEUE_WAKEUP)


_run_start = 0.0
_run_start_ticks = 0


def curr_runtime(t):
    """How long t has had the CPU since it was picked, in sched_clock."""
    if tick_clock:
        return (t.sched_ticks - _run_start_ticks) * TICK
    return now() - _run_start


def check_preempt_wakeup(t):
    """A woken task far behind the running one takes the CPU at the running
    task's next stop (its next system call, fault or tick): an interactive
    task does not wait for a computing one's slice to end."""
    global need_resched
    c = current
    if c is not None and c is not t and policy.check_preempt_wakeup(t, c, curr_runtime(c)):
        need_resched = True


def yield_task(t):
    """sched_yield: let anyone else runnable go first, once."""
    global need_resched
    if policy.yield_task(t):
        need_resched = True


def signal_wake_up(t, fatal=False):
    """A signal arrived: interrupt an interruptible sleep (any, and a
    ptrace stop, if fatal)."""
    if t.state == TASK_INTERRUPTIBLE or (fatal and t.state == TASK_UNINTERRUPTIBLE):
        wake_up_process(t)
    elif fatal and t.state == TASK_TRACED:
        wake_up_state(t, TASK_TRACED)


def tick(ticks=1):
    """A preemption tick (or several the kernel's time earned at once):
    the running guest used up its slice.  Expired timers and host input
    are looked at first, so that a task they wake (an interactive one,
    usually) gets the CPU now rather than a slice later."""
    global need_resched, _next_poll
    if current is not None:
        current.sched_ticks += ticks
    _next_poll = 0.0
    housekeeping()
    if nr_running():
        need_resched = True


_Generator = type((lambda: (yield))())


def is_generator(x):
    """Did a call that may sleep return its kernel stack (a generator)
    rather than its result?  The one test for it everywhere."""
    return type(x) is _Generator


def wait_event(t, queue, cond, deadline=None, interruptible=True):
    """Sleep until cond() is true.  A generator; its value is 0, or
    -ERESTARTSYS when a signal is pending, or -ETIMEDOUT at the deadline."""
    # cycle: kernel.signal -> kernel.sched
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
    """Timers and host input, at most every millisecond between stops; and
    the tick a task's system calls earn (kernel_tick)."""
    global _next_poll
    t = now()
    if t >= _next_poll:
        _next_poll = t + 0.001
        run_timers()
        if host_fds or host_wfds:
            poll_host(0)
        kernel_tick(t)


_run_start_utime = 0.0
_run_kernel_ticks = 0


def kernel_tick(t_now):
    """The stub's ITIMER_VIRTUAL counts only the guest's own CPU time, so a
    task that does little but system calls (a getppid loop, a lock waiter
    whose futex calls return at once) ticked only after seconds and kept
    the CPU from everyone meanwhile.  Linux's tick comes in kernel mode
    too: here every TICK of host time the kernel spends on the running
    task's behalf since it was picked is a tick like SIGVTALRM's."""
    c = current
    if c is None:
        return
    in_kernel = (t_now - _run_start) - (c.utime - _run_start_utime)
    if in_kernel >= (_run_kernel_ticks + 1) * TICK:
        _count_kernel_tick(int(in_kernel / TICK) - _run_kernel_ticks)


def _count_kernel_tick(n):
    """All n ticks a long stretch in the kernel (a sendfile of a gigabyte)
    earned, counted before tick()'s housekeeping comes back to
    kernel_tick: one tick each was a recursion as deep as the ticks."""
    global _run_kernel_ticks
    _run_kernel_ticks += n
    tick(n)


# -- the loop --------------------------------------------------------------------

def schedule_loop(run_task, have_tasks):
    """Run tasks until the machine halts (an exception from run_task).

    run_task(t) returns True when t was preempted and should go to the back
    of the queue; a task that went to sleep is queued again by its waker."""
    global current, need_resched, nr_switches, _run_start, _run_start_ticks
    global _run_start_utime, _run_kernel_ticks
    while True:
        run_timers()
        if not nr_running():
            if not have_tasks():
                return
            deadline = next_timer()
            timeout = None if deadline is None else max(0.0, deadline - now())
            if not poll_host(timeout) and deadline is None:
                # nothing can ever wake anyone: every task sleeps forever
                # cycle: kernel.printk -> kernel.sched
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
        _run_start = now()
        _run_start_ticks = t.sched_ticks
        _run_start_utime = t.utime
        _run_kernel_ticks = 0
        preempted = run_task(t)
        policy.update_curr(t, curr_runtime(t))
        current = None
        if preempted and t.state == TASK_RUNNING:
            enqueue_task(t)


def run_task(t):
    """Give t the CPU: finish its sleeping system call if it has one, then
    run it in user space.  True if it was preempted."""
    # cycle: kernel.syscall -> kernel.sched
    from kernel.syscall import KERNEL_EXITS, oops, run_kstack
    # cycle: skas.userspace -> kernel.sched
    from skas.userspace import userspace
    try:
        if t.set_child_tid:
            # cycle: kernel.fork -> kernel.sched
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
    # cycle: kernel.task -> kernel.sched
    from kernel import task as ktask
    process.on_tick = tick
    schedule_loop(run_task, lambda: bool(ktask.tasks))
