"""kernel/ioprio.py - ioprio_set and ioprio_get: a task's I/O priority.

An I/O priority is a class (RT, BE, IDLE, or NONE: "derive it from the CPU
nice value and policy") and a level 0..7 in 16 bits.  There is no block
I/O scheduler here to obey it, so it is only checked and remembered, per
thread, in an io context that fork copies and CLONE_IO shares, as Linux's
io_context.

ioprio_get of one task reports what was set (0 if nothing); of a process
group or a user's tasks, the best (numerically lowest) effective priority
among them, where an unset one is derived from nice and policy.
"""

from kernel.abi import s32
from kernel.errno import EINVAL, EPERM, ESRCH, Errno
from kernel import task as ktask
from kernel.sched_policy import SCHED_FIFO, SCHED_IDLE, SCHED_RR, task_policy
from kernel.capability import CAP_SYS_ADMIN, CAP_SYS_NICE, capable

IOPRIO_CLASS_SHIFT = 13
IOPRIO_NONE, IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE = 0, 1, 2, 3
IOPRIO_NR_LEVELS = 8
IOPRIO_WHO_PROCESS, IOPRIO_WHO_PGRP, IOPRIO_WHO_USER = 1, 2, 3


class IoContext:
    __slots__ = ("ioprio",)

    def __init__(self, ioprio=0):
        self.ioprio = ioprio


def ioprio_fork(child, parent, clone_io):
    ioc = parent.io_context
    if ioc is None:
        child.io_context = None
    elif clone_io:
        child.io_context = ioc
    else:
        child.io_context = IoContext(ioc.ioprio)


def ioprio_check_cap(t, ioprio):
    cls = (ioprio >> IOPRIO_CLASS_SHIFT) & 7
    level = ioprio & 7
    if cls == IOPRIO_CLASS_RT:
        if not capable(t, CAP_SYS_ADMIN) and not capable(t, CAP_SYS_NICE):
            raise Errno(EPERM)
    if cls in (IOPRIO_CLASS_RT, IOPRIO_CLASS_BE):
        if level >= IOPRIO_NR_LEVELS:
            raise Errno(EINVAL)
    elif cls == IOPRIO_NONE:
        if level:
            raise Errno(EINVAL)
    elif cls != IOPRIO_CLASS_IDLE:
        raise Errno(EINVAL)


def _set_task_ioprio(t, p, ioprio):
    if p.cred.uid not in (t.cred.euid, t.cred.uid) and not capable(t, CAP_SYS_NICE):
        raise Errno(EPERM)
    ioc = p.io_context
    if ioc is None:
        p.io_context = IoContext(ioprio)
    else:
        ioc.ioprio = ioprio


def _raw_ioprio(p):
    ioc = p.io_context
    return ioc.ioprio if ioc is not None else 0


def _effective_ioprio(p):
    prio = _raw_ioprio(p)
    if (prio >> IOPRIO_CLASS_SHIFT) & 7 == IOPRIO_NONE:
        policy = task_policy(p)
        cls = IOPRIO_CLASS_IDLE if policy == SCHED_IDLE else \
            IOPRIO_CLASS_RT if policy in (SCHED_FIFO, SCHED_RR) else IOPRIO_CLASS_BE
        prio = (cls << IOPRIO_CLASS_SHIFT) | ((p.nice + 20) // 5)
    return prio


def _targets(t, which, who):
    """The threads which/who names, or None for a bad which."""
    live = [p for p in ktask.tasks.values() if p.exit_state != 32]      # not EXIT_DEAD
    if which == IOPRIO_WHO_PROCESS:
        p = t if who == 0 else ktask.find_task(who)
        return [p] if p is not None else []
    if which == IOPRIO_WHO_PGRP:
        pgrp = t.signal.pgrp if who == 0 else who
        return [p for p in live if p.signal.pgrp == pgrp]
    if which == IOPRIO_WHO_USER:
        uid = t.cred.uid if who == 0 else who & 0xFFFFFFFF
        return [p for p in live if p.cred.uid == uid]
    return None


def sys_ioprio_set(t, which, who, ioprio):
    which, who, ioprio = s32(which), s32(who), s32(ioprio)
    ioprio_check_cap(t, ioprio)
    targets = _targets(t, which, who)
    if targets is None:
        return -EINVAL
    if not targets:
        return -ESRCH
    for p in targets:
        _set_task_ioprio(t, p, ioprio & 0xFFFF)         # an unsigned short
    return 0


def sys_ioprio_get(t, which, who):
    which, who = s32(which), s32(who)
    targets = _targets(t, which, who)
    if targets is None:
        return -EINVAL
    if not targets:
        return -ESRCH
    if which == IOPRIO_WHO_PROCESS:
        return _raw_ioprio(targets[0])
    return min(_effective_ioprio(p) for p in targets)
