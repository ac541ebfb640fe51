"""kernel/sched_fair.py - the scheduling policy: weighted fair queueing (CFS).

kernel/sched.py owns the mechanism (sleeping, waking, the loop that runs a
task); this file owns the decision of *who runs next*, behind the four calls
Linux's sched_class has and the core calls through enqueue_task(),
dequeue_task() and pick_next_task():

  enqueue_task(t, flags)    t became runnable (woken, new, continued)
  dequeue_task(t)           t must not be picked (stopped, exiting)
  pick_next_task()          take the next task off the queue, or None
  update_curr(t, delta)     t has just run for delta (seconds of sched_clock)

plus task_fork (where a child starts), check_preempt_wakeup (does a woken
task take the CPU at once?) and yield_task (sched_yield).

The policy is Linux's CFS in miniature.  Every task accumulates *virtual
runtime*: the time it ran, scaled by its weight, and the runnable task with
the least goes next.  The weight comes from the nice value (each nice step
is ~1.25x the CPU, Linux's sched_prio_to_weight) and from the policy that
kernel/sched_policy.py records: SCHED_IDLE gets the smallest weight,
SCHED_BATCH is never woken into preempting anyone.  (The real-time policies
are recorded but scheduled as fair ones: with no RT throttling a spinning
SCHED_FIFO task would freeze the machine.)  A task that slept gets little
credit for it (place_entity): it wakes with at least min_vruntime minus
SLEEPER_CREDIT, so a sleeper runs soon but cannot then monopolise the CPU.
"""

from kernel.sched_policy import SCHED_BATCH, SCHED_IDLE

ENQUEUE_WAKEUP = 1              # flags for enqueue_task: t slept (or is new)

NICE_0_LOAD = 1024
WEIGHT_IDLEPRIO = 3
# Linux's table: nice -20 .. 19; each step is ~10% of CPU against a nice-0 task
sched_prio_to_weight = (
    88761, 71755, 56483, 46273, 36291,
    29154, 23254, 18705, 14949, 11916,
    9548, 7620, 6100, 4904, 3906,
    3121, 2501, 1991, 1586, 1277,
    1024, 820, 655, 526, 423,
    335, 272, 215, 172, 137,
    110, 87, 70, 56, 45,
    36, 29, 23, 18, 15,
)

SLEEPER_CREDIT = 0.003          # seconds a waking sleeper may be ahead
WAKEUP_GRANULARITY = 0.001      # seconds (Linux: 1 ms times a CPU factor)


def task_weight(t):
    if t.policy == SCHED_IDLE:
        return WEIGHT_IDLEPRIO
    return sched_prio_to_weight[max(-20, min(19, t.nice)) + 20]


class FairSchedClass:
    """The run queue and the rules for it (struct cfs_rq and fair_sched_class)."""

    def __init__(self):
        self.queue = []                 # runnable tasks not running now
        self.min_vruntime = 0.0         # never decreases (cfs_rq->min_vruntime)

    def nr_running(self):
        return len(self.queue)

    def tasks(self):
        return list(self.queue)

    def place_entity(self, t):
        """t joins after sleeping (or new): its credit for the time it did
        not run is bounded."""
        floor = self.min_vruntime - SLEEPER_CREDIT
        if t.vruntime < floor:
            t.vruntime = floor

    def enqueue_task(self, t, flags=0):
        if flags & ENQUEUE_WAKEUP:
            self.place_entity(t)
        self.queue.append(t)

    def dequeue_task(self, t):
        try:
            self.queue.remove(t)
        except ValueError:
            pass

    def pick_next_task(self):
        """Take the runnable task with the least virtual runtime (one that
        just yielded only if nobody else is there)."""
        best = None
        for t in self.queue:
            if t.state != 0:                        # not TASK_RUNNING any more
                continue
            if best is None or (t.yielded, t.vruntime) < (best.yielded, best.vruntime):
                best = t
        if best is None:
            self.queue.clear()
            return None
        self.queue.remove(best)
        best.yielded = False
        if best.vruntime > self.min_vruntime:
            self.min_vruntime = best.vruntime
        return best

    def update_curr(self, t, delta):
        """Charge t for delta seconds on the CPU, scaled by its weight: a
        heavier (lower nice) task's virtual clock runs slower."""
        w = task_weight(t)
        t.vruntime += delta if w == NICE_0_LOAD else delta * NICE_0_LOAD / w

    def task_fork(self, child, parent):
        """A child starts where its parent is: it cannot jump the queue."""
        child.vruntime = parent.vruntime

    def check_preempt_wakeup(self, t, curr, curr_ran):
        """Should woken t take the CPU from curr (which has run curr_ran
        seconds since it was picked) at curr's next stop?  Only if t is far
        behind in virtual runtime; a batch task never preempts."""
        if curr.policy == SCHED_IDLE and t.policy != SCHED_IDLE:
            return True
        if t.policy in (SCHED_BATCH, SCHED_IDLE):
            return False
        w = task_weight(curr)
        ran = curr_ran if w == NICE_0_LOAD else curr_ran * NICE_0_LOAD / w
        return t.vruntime + WAKEUP_GRANULARITY < curr.vruntime + ran

    def yield_task(self, t):
        """sched_yield: step aside once if anyone else can run."""
        if any(o.state == 0 for o in self.queue):
            t.yielded = True
            return True
        return False
