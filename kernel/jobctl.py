"""kernel/jobctl.py - job control: stopping and continuing thread groups.

SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU with their default action stop every thread
of the process and tell the parent (SIGCHLD with CLD_STOPPED, and a status
wait4(WUNTRACED) can collect); SIGCONT (or SIGKILL) starts them again and
tells the parent CLD_CONTINUED.  A process group whose members have no parent
in another group of the same session is "orphaned": the terminal stop
signals are not acted on for it, as POSIX requires.
"""

from kernel import sched
from kernel import task as ktask
from kernel.signal import CLD_CONTINUED, CLD_STOPPED, SA_NOCLDSTOP, SIGCHLD, SigInfo, send_signal


def do_signal_stop(t, sig):
    """Stop t's thread group (called by the thread that took the signal)."""
    sigs = t.signal
    if sigs.group_exit:
        return
    for th in t.thread_group():
        if th.exit_state:
            continue
        if th.state == sched.TASK_RUNNING:
            sched.dequeue_task(th)
        elif th.state in (sched.TASK_INTERRUPTIBLE, sched.TASK_UNINTERRUPTIBLE):
            # a sleeper stops where it sleeps; it is resumed by SIGCONT
            sched.wake_up_process(th)
            sched.dequeue_task(th)
        th.state = sched.TASK_STOPPED
    sigs.stopped = True
    sigs.stop_report = sig
    sigs.cont_report = False
    _notify_parent(t, "stop", sig)


def do_continue(t, notify=True):
    """SIGCONT/SIGKILL arrived: resume a stopped thread group."""
    sigs = t.signal
    if not sigs.stopped:
        return
    sigs.stopped = False
    sigs.stop_report = 0
    for th in t.thread_group():
        if th.state == sched.TASK_STOPPED:
            th.state = sched.TASK_RUNNING
            sched.enqueue_task(th)
    if notify:
        sigs.cont_report = True
        _notify_parent(t, "cont", 18)


def _notify_parent(t, kind, sig):
    leader = t.group_leader
    parent = leader.real_parent
    if parent is None:
        return
    ka = parent.sighand.action[SIGCHLD]
    if not ka.flags & SA_NOCLDSTOP:
        code = CLD_STOPPED if kind == "stop" else CLD_CONTINUED
        send_signal(parent, SigInfo(SIGCHLD, code, pid=leader.tgid,
                                    uid=leader.cred.uid, status=sig), group=True)
    parent.group_leader.wait_chldexit.wake_up()


def is_orphaned_pgrp(t):
    pgrp = t.signal.pgrp
    session = t.signal.session
    for p in ktask.tasks.values():
        if p.group_leader is not p or p.signal.pgrp != pgrp or p.exit_state:
            continue
        parent = p.real_parent
        if parent is None or parent.exit_state:
            continue
        if parent.signal.pgrp != pgrp and parent.signal.session == session:
            return False
    return True


def forget_task(p):
    """p was reaped: nothing to do until ttys track foreground groups."""
