"""kernel/jobctl.py - job control: stopping and continuing thread groups.

SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU with their default action stop every thread
of the process and tell the parent (SIGCHLD with CLD_STOPPED, and a status
wait4(WUNTRACED) can collect); SIGCONT (or SIGKILL) starts them again and
tells the parent CLD_CONTINUED.  Traced threads stop in a trap their
tracer sees instead (a "group-stop" in ptrace(2)'s words: kernel/ptrace.py),
and the group counts as stopped once they all have.  A process group whose members have no parent
in another group of the same session is "orphaned": the terminal stop
signals are not acted on for it, as POSIX requires.
"""

from kernel import sched
from kernel import task as ktask
from kernel.signal import (CLD_CONTINUED, CLD_STOPPED, PF_EXITING, SA_NOCLDSTOP, SIGCHLD, SigInfo,
                           jobctl_set, send_signal)


def do_signal_stop(t, sig):
    """t took a stop signal sig with its default action (sig 0: t only
    takes its part in a group stop already begun).  True if t is now
    stopped.

    Every thread of the process stops.  Threads nobody traces stop right
    here; a traced thread stops in a trap of its own, reported to its
    tracer (kernel/ptrace.py): it is told with JOBCTL_STOP_PENDING and
    counts in group_stop_count until it has.  When no one is left to
    stop, the group is stopped and the real parent is told."""
    # cycle: kernel.jobctl -> kernel.ptrace -> kernel.jobctl
    from kernel.ptrace import (JOBCTL_STOP_CONSUME, JOBCTL_STOP_DEQUEUED,
                               JOBCTL_STOP_PENDING, JOBCTL_STOP_SIGMASK, JOBCTL_TRAP_STOP,
                               task_participate_group_stop)
    sigs = t.signal
    if sigs.group_exit:
        return False
    if not t.jobctl & JOBCTL_STOP_PENDING:
        # a SIGCONT that came while a tracer looked at the signal wins
        if sig == 0 or not t.jobctl & JOBCTL_STOP_DEQUEUED:
            return False
        if not sigs.stopped:
            sigs.stop_report = sig
        sigs.group_stop_count = 0
        sigs.cont_report = False
        for th in t.thread_group():
            if th.exit_state or th.flags & PF_EXITING:
                continue
            th.jobctl = (th.jobctl & ~JOBCTL_STOP_SIGMASK) | sig
            if th.ptrace:
                jobctl_set(th, JOBCTL_STOP_PENDING | JOBCTL_STOP_CONSUME)
                sigs.group_stop_count += 1
                if th is not t:
                    sched.signal_wake_up(th)
            elif th is not t:
                _stop_thread(th)
        if not t.ptrace:
            _stop_thread(t)
            if sigs.group_stop_count == 0:
                group_stop_complete(t)
                _notify_parent(t, "stop", sig)
            return True
    if not t.ptrace:
        # left in a group stop by a tracer that let go of it
        notify = task_participate_group_stop(t)
        _stop_thread(t)
        if notify:
            _notify_parent(t, "stop", sigs.stop_report)
        return True
    jobctl_set(t, JOBCTL_TRAP_STOP)
    return False


def _stop_thread(th):
    was = th.state
    if th.state == sched.TASK_RUNNING:
        sched.dequeue_task(th)
    elif th.state in (sched.TASK_INTERRUPTIBLE, sched.TASK_UNINTERRUPTIBLE):
        # a sleeper stops where it sleeps; it is resumed by SIGCONT
        sched.wake_up_process(th)
        sched.dequeue_task(th)
    else:
        return                          # traced or stopped already
    th.stopped_from = was               # (an attach waits for it to re-trap)
    th.state = sched.TASK_STOPPED


def group_stop_complete(t):
    """The last thread took its part: the process is stopped (what the real
    parent's wait4(WUNTRACED) reports).  True, for "tell the parent"."""
    sigs = t.signal
    sigs.stopped = True
    sigs.cont_report = False
    return True


def do_continue(t, notify=True):
    """SIGCONT (notify) or SIGKILL arrived: end the group stop.  Stopped
    threads run again; traced ones stay where their tracer holds them, and
    a seized one is told with a PTRACE_EVENT_STOP trap (SIGCONT only)."""
    # cycle: kernel.jobctl -> kernel.ptrace -> kernel.jobctl
    from kernel.ptrace import (JOBCTL_STOP_CONSUME, JOBCTL_STOP_DEQUEUED,
                               JOBCTL_STOP_PENDING, PT_SEIZED, ptrace_trap_notify)
    sigs = t.signal
    for th in t.thread_group():
        th.jobctl &= ~(JOBCTL_STOP_PENDING | JOBCTL_STOP_CONSUME | JOBCTL_STOP_DEQUEUED)
        if notify and th.ptrace & PT_SEIZED:
            ptrace_trap_notify(th)
        elif th.state == sched.TASK_STOPPED:
            th.state = sched.TASK_RUNNING
            sched.enqueue_task(th)
    stopped = sigs.stopped
    stopping = sigs.group_stop_count
    if not stopped and not stopping:
        return
    sigs.stopped = False
    sigs.group_stop_count = 0
    sigs.stop_report = 0
    if notify:
        sigs.cont_report = True
        if stopped:
            _notify_parent(t, "cont", 18)
            leader = t.group_leader
            # cycle: kernel.jobctl -> kernel.ptrace -> kernel.jobctl
            from kernel.ptrace import CLD_CONTINUED, do_notify_parent_cldstop, ptrace_reparented
            if leader.ptrace and ptrace_reparented(leader):
                do_notify_parent_cldstop(leader, True, CLD_CONTINUED)
        else:
            # stopped half way: as if it had stopped and the CLD_CONTINUED
            # that followed was lost (SIGCHLD does not queue)
            _notify_parent(t, "stop", 0)


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
