"""kernel/pgrp.py - process groups and sessions.

Every process belongs to a process group (job-control unit: a shell puts
each pipeline in one, kill(-pgid) and the terminal signal whole groups) and
every group to a session (a login: one controlling terminal).  The ids
live in the thread group's SignalStruct (signal.pgrp, signal.session);
signal.leader marks a session leader.  A group or session id is the pid of
the process that created it and stays reserved while any member is alive
(kernel/task.py alloc_pid).

PF_FORKNOEXEC in task.flags says a child has not exec'd yet: until then its
parent may still move it to another group (setpgid), as a shell does.
"""

from kernel.abi import s32
from kernel import task as ktask
from kernel.errno import EACCES, EINVAL, EPERM, ESRCH
from kernel.task import PF_FORKNOEXEC



def _process(pid):
    """The thread-group leader with this pid, or None."""
    p = ktask.find_task(pid)
    if p is None:
        return None
    return p


def pgrp_exists(pgid):
    """Is some process (zombies included) in process group pgid?"""
    for p in ktask.tasks.values():
        if p.signal.pgrp == pgid and p.exit_state != 32:        # EXIT_DEAD
            return p
    return None


def session_of_pgrp(pgid):
    p = pgrp_exists(pgid)
    return None if p is None else p.signal.session


def sys_setpgid(t, pid, pgid):
    pid, pgid = s32(pid), s32(pgid)
    leader = t.group_leader
    if pid == 0:
        pid = leader.tgid
    if pgid == 0:
        pgid = pid
    if pgid < 0:
        return -EINVAL
    p = _process(pid) if pid > 0 else None
    if p is None:
        return -ESRCH
    if p.group_leader is not p:
        return -EINVAL
    if p.real_parent is not None and p.real_parent.tgid == leader.tgid and p is not leader:
        if p.signal.session != leader.signal.session:
            return -EPERM
        if not p.flags & PF_FORKNOEXEC:
            return -EACCES
    elif p is not leader:
        return -ESRCH
    if p.signal.leader:
        return -EPERM
    if pgid != pid:
        if session_of_pgrp(pgid) != leader.signal.session:
            return -EPERM
    p.signal.pgrp = pgid
    return 0


def sys_getpgid(t, pid):
    pid = s32(pid)
    if pid == 0:
        return t.signal.pgrp
    p = _process(pid) if pid > 0 else None
    if p is None:
        return -ESRCH
    return p.signal.pgrp


def sys_getpgrp(t):
    return t.signal.pgrp


def sys_getsid(t, pid):
    pid = s32(pid)
    if pid == 0:
        return t.signal.session
    p = _process(pid) if pid > 0 else None
    if p is None:
        return -ESRCH
    return p.signal.session


def sys_setsid(t):
    leader = t.group_leader
    sid = leader.tgid
    if pgrp_exists(sid):
        return -EPERM
    sigs = t.signal
    sigs.leader = True
    sigs.session = sid
    sigs.pgrp = sid
    sigs.tty = None
    return sid
