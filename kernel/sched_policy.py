"""kernel/sched_policy.py - scheduling policies and priorities as a program
sets and reads them: sched_setscheduler, sched_setparam, sched_getscheduler,
sched_getparam, sched_get_priority_max/min, sched_rr_get_interval, and
the nice value: getpriority/setpriority (a thread, a process group or a
user's threads) and i386's nice(2).

Each thread has a policy (SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, or the
real-time SCHED_FIFO and SCHED_RR with a priority 1..99) and the
reset-on-fork flag.  They are checked and remembered as Linux does, and
inherited across fork (reset to SCHED_OTHER, nice 0 at worst, when the flag
is set).  The scheduler itself (kernel/sched.py) runs every task alike:
with one CPU and guests that are tests, fairness is all that matters.

The pid argument names a thread (0: the caller).
"""

import struct

from kernel.abi import RLIMIT_NICE, RLIMIT_RTPRIO, s32
from kernel.capability import CAP_SYS_NICE, capable
from kernel.errno import E2BIG, EACCES, EAGAIN, EBUSY, EFAULT, EINVAL, EOPNOTSUPP, EPERM, ESRCH, Errno
from mm.uaccess import copy_from_user, copy_to_user

SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE = 0, 1, 2, 3, 4, 5
SCHED_DEADLINE, SCHED_EXT = 6, 7
SCHED_RESET_ON_FORK = 0x40000000
MAX_RT_PRIO = 100
RR_TIMESLICE_NS = 100 * 1000 * 1000          # SCHED_RR's quantum: 100 ms

_FAIR = (SCHED_OTHER, SCHED_BATCH)
_RT = (SCHED_FIFO, SCHED_RR)
_VALID = _FAIR + _RT + (SCHED_IDLE, SCHED_DEADLINE)


def task_policy(p):
    return p.policy


def sched_fork(child, parent):
    """What a new task inherits (called by copy_process).  A SCHED_DEADLINE
    task may not fork (EAGAIN) unless its children reset."""
    child.nice = parent.nice
    # prctl(PR_SET_TIMERSLACK): the child's slack and its default are the
    # parent's current slack
    child.timer_slack_ns = child.default_timer_slack_ns = parent.timer_slack_ns
    child.policy = task_policy(parent)
    child.rt_priority = parent.rt_priority
    child.dl = parent.dl
    child.custom_slice = None                   # __sched_fork: the base slice again
    child.sched_reset_on_fork = False
    if parent.sched_reset_on_fork:
        if child.policy in _RT or child.policy == SCHED_DEADLINE:
            child.policy, child.rt_priority, child.nice = SCHED_OTHER, 0, 0
            child.dl = None
        elif child.nice < 0:
            child.nice = 0
    if child.policy == SCHED_DEADLINE:
        raise Errno(EAGAIN)


def _find(t, pid):
    """The thread pid names (0: t itself); EINVAL for a negative pid."""
    # cycle: kernel.task -> kernel.sched -> kernel.sched_fair -> kernel.sched_policy
    from kernel.task import find_task
    if pid < 0:
        raise Errno(EINVAL)
    p = t if pid == 0 else find_task(pid)
    if p is None:
        raise Errno(ESRCH)
    return p


def _nice_reduction_ok(p, nice):
    return 20 - nice <= p.signal.rlim[RLIMIT_NICE][0]


def _user_check(t, p, policy, prio, reset_on_fork):
    """May t give p this policy without CAP_SYS_NICE?  (Linux's rules.)"""
    nice = p.nice
    if policy in _RT:
        rlim = p.signal.rlim[RLIMIT_RTPRIO][0]
        if policy != task_policy(p) and not rlim:
            return False
        if prio > p.rt_priority and prio > rlim:
            return False
    if policy == SCHED_DEADLINE:
        return False
    if task_policy(p) == SCHED_IDLE and policy != SCHED_IDLE \
            and not _nice_reduction_ok(p, nice):
        return False
    if t.cred.euid not in (p.cred.euid, p.cred.uid):
        return False
    if p.sched_reset_on_fork and not reset_on_fork:
        return False
    return True


def sched_setscheduler(t, p, policy, prio):
    """policy < 0: keep the policy (sched_setparam)."""
    if policy < 0:
        reset_on_fork = p.sched_reset_on_fork
        policy = task_policy(p)
    else:
        reset_on_fork = bool(policy & SCHED_RESET_ON_FORK)
        policy &= ~SCHED_RESET_ON_FORK
        if policy not in _VALID:
            raise Errno(EINVAL)
    prio &= 0xFFFFFFFF                      # a u32 in the kernel: -1 is too big
    if prio > MAX_RT_PRIO - 1:
        raise Errno(EINVAL)
    if policy == SCHED_DEADLINE:
        raise Errno(EINVAL)                 # no runtime/deadline: sched_setattr's
    if (policy in _RT) != (prio != 0):
        raise Errno(EINVAL)
    if not capable(t, CAP_SYS_NICE) and not _user_check(t, p, policy, prio, reset_on_fork):
        raise Errno(EPERM)
    p.policy = policy
    p.rt_priority = prio if policy in _RT else 0
    p.sched_reset_on_fork = reset_on_fork
    p.dl = None
    return 0


def _read_param(t, param):
    if param == 0:
        raise Errno(EINVAL)
    return struct.unpack("<i", copy_from_user(t.mm, param, 4))[0]


def sys_sched_setscheduler(t, pid, policy, param):
    policy = s32(policy)
    if policy < 0:
        return -EINVAL
    pid = s32(pid)
    if param == 0 or pid < 0:
        return -EINVAL
    prio = _read_param(t, param)
    return sched_setscheduler(t, _find(t, pid), policy, prio)


def sys_sched_setparam(t, pid, param):
    pid = s32(pid)
    if param == 0 or pid < 0:
        return -EINVAL
    prio = _read_param(t, param)
    return sched_setscheduler(t, _find(t, pid), -1, prio)


def sys_sched_getscheduler(t, pid):
    p = _find(t, s32(pid))
    return task_policy(p) | (SCHED_RESET_ON_FORK if p.sched_reset_on_fork
                             else 0)


def sys_sched_getparam(t, pid, param):
    pid = s32(pid)
    if param == 0 or pid < 0:
        return -EINVAL
    p = _find(t, pid)
    prio = p.rt_priority if task_policy(p) in _RT else 0
    copy_to_user(t.mm, param, struct.pack("<i", prio))
    return 0


# (SCHED_EXT is a policy Linux knows but refuses while no BPF scheduler is
# loaded: it has priorities 0..0 and sched_setscheduler says EINVAL)

def sys_sched_get_priority_max(t, policy):
    policy = s32(policy)
    if policy in _RT:
        return MAX_RT_PRIO - 1
    if policy in _VALID or policy == SCHED_EXT:
        return 0
    return -EINVAL


def sys_sched_get_priority_min(t, policy):
    policy = s32(policy)
    if policy in _RT:
        return 1
    if policy in _VALID or policy == SCHED_EXT:
        return 0
    return -EINVAL


def sys_sched_rr_get_interval(t, pid, interval):
    """SCHED_RR's quantum; 0 for FIFO, and for the fair policies on an
    otherwise idle CPU (what a fair slice comes to in whole jiffies)."""
    # cycle: kernel.time -> kernel.sched -> kernel.sched_fair -> kernel.sched_policy
    from kernel.time import put_timespec
    p = _find(t, s32(pid))
    ns = RR_TIMESLICE_NS if task_policy(p) == SCHED_RR else 0
    put_timespec(t, interval, ns)
    return 0


# -- sched_setattr / sched_getattr: struct sched_attr --------------------------------
#
# One call for every policy, SCHED_DEADLINE's runtime/deadline/period
# included.  Deadline tasks are admitted while their bandwidth fits in
# what the RT throttle leaves (950000/1000000 of the one CPU) and are then
# scheduled like everyone else: the kernel keeps and reports the
# reservation, it does not enforce it.  A fair task's sched_runtime is its
# slice (EEVDF), settable since Linux 6.12.

SCHED_ATTR_SIZE_VER0, SCHED_ATTR_SIZE_VER1 = 48, 56
SCHED_FLAG_RESET_ON_FORK, SCHED_FLAG_RECLAIM, SCHED_FLAG_DL_OVERRUN = 0x01, 0x02, 0x04
SCHED_FLAG_KEEP_POLICY, SCHED_FLAG_KEEP_PARAMS = 0x08, 0x10
SCHED_FLAG_UTIL_CLAMP = 0x20 | 0x40
SCHED_FLAG_ALL = 0x7F
SCHED_DL_FLAGS = SCHED_FLAG_RECLAIM | SCHED_FLAG_DL_OVERRUN
DL_SCALE = 10
sched_deadline_period_max_us = 4194304      # /proc/sys/kernel/sched_deadline_period_*
sched_deadline_period_min_us = 100
sched_rt_runtime_us, sched_rt_period_us = 950000, 1000000
BASE_SLICE_NS = 750000                      # sysctl_sched_base_slice on one CPU
_SCHED_ATTR = struct.Struct("<IIQiIQQQII")


def _checkparam_dl(runtime, deadline, period):
    if deadline == 0 or runtime < 1 << DL_SCALE:
        return False
    if deadline >> 63 or period >> 63:
        return False
    period = period or deadline
    if period < deadline or deadline < runtime:
        return False
    return sched_deadline_period_min_us * 1000 <= period <= sched_deadline_period_max_us * 1000


def _dl_bandwidth_used(but):
    # cycle: kernel.sched_policy -> kernel.task -> kernel.sched -> kernel.sched_fair -> kernel.sched_policy
    from kernel.task import tasks
    return sum(p.dl[0] / (p.dl[2] or p.dl[1]) for p in tasks.values()
               if p is not but and not p.exit_state and p.dl)


def sched_copy_attr(t, uattr):
    """The struct from the guest; a size it does not know is E2BIG, after
    writing the size the kernel does know back into the struct."""
    (size,) = struct.unpack("<I", copy_from_user(t.mm, uattr, 4))
    if not size:
        size = SCHED_ATTR_SIZE_VER0
    if size < SCHED_ATTR_SIZE_VER0 or size > 4096:
        copy_to_user(t.mm, uattr, struct.pack("<I", SCHED_ATTR_SIZE_VER1))
        raise Errno(E2BIG)
    raw = copy_from_user(t.mm, uattr, size)
    if any(raw[SCHED_ATTR_SIZE_VER1:]):
        copy_to_user(t.mm, uattr, struct.pack("<I", SCHED_ATTR_SIZE_VER1))
        raise Errno(E2BIG)                     # copy_struct_from_user: unknown fields set
    raw = raw[:SCHED_ATTR_SIZE_VER1].ljust(SCHED_ATTR_SIZE_VER1, b"\0")
    a = list(_SCHED_ATTR.unpack(raw))
    if a[2] & SCHED_FLAG_UTIL_CLAMP and size < SCHED_ATTR_SIZE_VER1:
        raise Errno(EINVAL)
    a[3] = max(-20, min(19, a[3]))             # sched_nice, clamped
    return a


def sys_sched_setattr(t, pid, uattr, flags):
    pid = s32(pid)
    if not uattr or pid < 0 or flags & 0xFFFFFFFF:
        return -EINVAL
    (_, policy, sflags, nice, prio, runtime, deadline, period, _umin, _umax) = sched_copy_attr(t, uattr)
    if policy >= 1 << 31:
        return -EINVAL
    p = _find(t, pid)
    if sflags & SCHED_FLAG_KEEP_POLICY:
        policy = task_policy(p)
        if not sflags & SCHED_FLAG_RESET_ON_FORK and p.sched_reset_on_fork:
            sflags |= SCHED_FLAG_RESET_ON_FORK
    if sflags & SCHED_FLAG_KEEP_PARAMS:
        nice, prio = p.nice, p.rt_priority
        if p.dl:
            runtime, deadline, period = p.dl[:3]
    if policy not in _VALID:
        return -EINVAL
    if sflags & ~SCHED_FLAG_ALL:
        return -EINVAL
    if prio > MAX_RT_PRIO - 1:
        return -EINVAL
    if policy == SCHED_DEADLINE and not _checkparam_dl(runtime, deadline, period):
        return -EINVAL
    if (policy in _RT) != (prio != 0):
        return -EINVAL
    reset_on_fork = bool(sflags & SCHED_FLAG_RESET_ON_FORK)
    if not capable(t, CAP_SYS_NICE):
        if policy in _FAIR and nice < p.nice \
                and not _nice_reduction_ok(p, nice):
            return -EPERM
        if not _user_check(t, p, policy, prio, reset_on_fork):
            return -EPERM
    if sflags & SCHED_FLAG_UTIL_CLAMP:
        return -EOPNOTSUPP                       # no CONFIG_UCLAMP_TASK
    if policy == SCHED_DEADLINE:
        bw = runtime / (period or deadline)
        if _dl_bandwidth_used(p) + bw > sched_rt_runtime_us / sched_rt_period_us:
            return -EBUSY
    p.sched_reset_on_fork = reset_on_fork
    if sflags & SCHED_FLAG_KEEP_PARAMS:
        return 0            # Linux then leaves policy and parameters alone, even a new policy
    p.policy = policy
    p.rt_priority = prio if policy in _RT else 0
    p.dl = (runtime, deadline, period or deadline, sflags & SCHED_DL_FLAGS) \
        if policy == SCHED_DEADLINE else None
    if policy in _FAIR:                          # (SCHED_IDLE keeps its nice)
        p.nice = nice
        p.custom_slice = max(100000, min(100000000, runtime)) if runtime else None
    return 0


def sys_sched_getattr(t, pid, uattr, usize, flags):
    pid = s32(pid)
    usize &= 0xFFFFFFFF
    if not uattr or pid < 0 or usize > 4096 or usize < SCHED_ATTR_SIZE_VER0 or flags & 0xFFFFFFFF:
        return -EINVAL
    p = _find(t, pid)
    policy = task_policy(p)
    sflags = SCHED_FLAG_RESET_ON_FORK if p.sched_reset_on_fork else 0
    nice = prio = runtime = deadline = period = 0
    dl = p.dl
    if policy == SCHED_DEADLINE and dl:
        runtime, deadline, period, dlflags = dl
        sflags |= dlflags
    elif policy in _RT:
        prio = p.rt_priority
    else:
        nice = p.nice
        runtime = p.custom_slice or BASE_SLICE_NS
    size = min(usize, SCHED_ATTR_SIZE_VER1)
    data = _SCHED_ATTR.pack(size, policy, sflags & SCHED_FLAG_ALL, nice, prio, runtime,
                            deadline, period, 0, 0)
    if uattr + usize > t.mm.task_size:
        raise Errno(EFAULT)
    # copy_struct_to_user: a bigger struct than ours gets zeros past our end
    copy_to_user(t.mm, uattr, data[:size] + bytes(usize - size))
    return 0


# -- the nice value: getpriority, setpriority, nice ----------------------------------

PRIO_PROCESS, PRIO_PGRP, PRIO_USER = 0, 1, 2


def _prio_targets(t, which, who):
    """The threads which/who name, as Linux's getpriority/setpriority walk
    them: one thread, every thread of a process group, or every thread
    whose real uid is who (0: the caller's own)."""
    # cycle: kernel.task -> kernel.sched -> kernel.sched_fair -> kernel.sched_policy
    from kernel.task import find_task, tasks
    if which == PRIO_PROCESS:
        p = t if who == 0 else find_task(who)
        return [p] if p is not None else []
    live = [p for p in tasks.values() if not p.exit_state]
    if which == PRIO_PGRP:
        pgrp = t.signal.pgrp if who == 0 else who
        return [p for p in live if p.signal.pgrp == pgrp]
    if which == PRIO_USER:
        uid = t.cred.uid if who == 0 else who
        return [p for p in live if p.cred.uid == uid]
    raise Errno(EINVAL)


def sys_getpriority(t, which, who):
    """20 - nice of the highest-priority thread named (never negative, so
    that errors stay distinguishable)."""
    ps = _prio_targets(t, s32(which), s32(who))
    if not ps:
        return -ESRCH
    return max(20 - p.nice for p in ps)


def set_one_prio(t, p, nice, error):
    if t.cred.euid not in (p.cred.uid, p.cred.euid) and not capable(t, CAP_SYS_NICE):
        return -EPERM
    if nice < p.nice and not _nice_reduction_ok(p, nice) and not capable(t, CAP_SYS_NICE):
        return -EACCES
    p.nice = nice
    return 0 if error == -ESRCH else error


def sys_setpriority(t, which, who, niceval):
    ps = _prio_targets(t, s32(which), s32(who))
    nice = max(-20, min(19, s32(niceval)))
    error = -ESRCH
    for p in ps:
        error = set_one_prio(t, p, nice, error)
    return error
