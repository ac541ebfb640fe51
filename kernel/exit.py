"""kernel/exit.py - exit, exit_group, zombies, reparenting, wait4/waitid.

A thread that exits gives back its mm, files and fs; the last thread of a
process turns it into a zombie holding its exit status, tells the parent
(SIGCHLD and a wake-up of its waiters) and hands its children to init.
wait4/waitid reap zombies (and report stopped/continued children).

When init's last thread dies the machine panics, as Linux does: init/main.py
prints "Kernel panic - not syncing: Attempted to kill init!" and exits with
init's status.
"""

import struct

from kernel.abi import s32
from kernel import futex, jobctl, sched
from kernel import task as ktask
from kernel.trace import strace as _strace
from kernel.errno import EAGAIN, ECHILD, EINVAL, ERESTARTSYS, ESRCH
from fs.file import O_NONBLOCK, POLLHUP, POLLIN, POLLRDNORM
from kernel.signal import (CLD_CONTINUED, CLD_DUMPED, CLD_EXITED, CLD_KILLED, CLD_STOPPED,
                           CLD_TRAPPED,
                           PF_EXITING, SA_NOCLDWAIT, SIGCHLD, SIGCONT, SIGKILL, SIG_IGN, SigInfo,
                           send_signal, signal_pending)
from drivers.tty import tty_exit
from fs.notify.fsnotify import fsnotify_dput
from ipc.sem import exit_sem
from kernel.pidfd import pidfd_get
from kernel.posix_timers import exit_itimers
from kernel.sys import fill_rusage
from mm import debug
from mm.exit import mmput, setmax_mm_hiwater_rss
from mm.uaccess import copy_to_user, put_user_u32
from security.keys.process_keys import exit_keys

WNOHANG = 0x00000001
WUNTRACED = 0x00000002
WSTOPPED = WUNTRACED
WEXITED = 0x00000004
WCONTINUED = 0x00000008
WNOWAIT = 0x01000000
__WNOTHREAD = 0x20000000
__WALL = 0x40000000
__WCLONE = 0x80000000

P_ALL, P_PID, P_PGID, P_PIDFD = 0, 1, 2, 3


class InitDied(Exception):
    """init's last thread is gone: the machine panics with its status."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


def start_group_exit(t, sig, core=False, code=None):
    """Begin killing t's whole thread group (exit_group, fatal signal)."""
    sigs = t.signal
    if sigs.group_exit:
        return
    sigs.group_exit = True
    sigs.group_exit_code = code if code is not None else (sig | (0x80 if core else 0))
    for th in t.thread_group():
        if th is not t:
            th.pending.add(SigInfo(SIGKILL))
        if th.state == sched.TASK_STOPPED:
            th.state = sched.TASK_RUNNING
            sched.enqueue_task(th)
        sched.signal_wake_up(th, fatal=True)


def do_group_exit(t, status):
    start_group_exit(t, 0, code=status)
    do_exit(t, t.signal.group_exit_code)


def do_exit(t, code):
    """The task dies now.  code is a wait status (exit code << 8 | signal)."""
    if t.flags & PF_EXITING:
        return
    t.flags |= PF_EXITING
    if _strace.enabled:
        _strace.task_exit(t, code)
    if t.kstack is not None:
        if not t.kstack.gi_running:     # (an exit from inside it ends it anyway)
            t.kstack.close()
        t.kstack = None
    if t.state in (sched.TASK_INTERRUPTIBLE, sched.TASK_UNINTERRUPTIBLE):
        sched.wake_up_process(t)
        sched.dequeue_task(t)
    t.exit_code = code
    futex.exit_robust_list(t)
    futex.exit_pi_state(t)
    futex.mm_release(t)
    # cycle: kernel.fork -> kernel.seccomp -> kernel.exit
    from kernel.fork import vfork_release
    vfork_release(t)
    exit_sem(t)                         # SEM_UNDO adjustments
    # cycle: kernel.exit -> io_uring.io_uring -> kernel.syscall -> kernel.exit
    from io_uring.io_uring import io_uring_task_cancel
    io_uring_task_cancel(t)             # its io_uring requests end (io_uring_files_cancel)
    exit_mm(t)                          # detaches shared memory too
    exit_files(t)
    exit_fs(t)
    exit_keys(t, _group_dead(t))
    if _group_dead(t):
        tty_exit(t)                     # a session leader's terminal hangs up
    # the thread's CPU time now counts for the process as a whole
    sigs = t.signal
    sigs.utime += t.utime
    sigs.stime += t.stime
    t.utime = t.stime = 0.0
    sigs.nr_threads -= 1
    exit_notify(t)
    if t.seccomp_filter is not None:
        # cycle: kernel.seccomp_notify -> kernel.syscall -> kernel.exit
        from kernel.seccomp_notify import wake_listeners_on_exit
        wake_listeners_on_exit(t)       # a seccomp listener may hang up now


def exit_mm(t):
    mm = t.mm
    if mm is None:
        return
    t.mm = None
    setmax_mm_hiwater_rss(t.signal, mm)
    ctx = mm.context
    if ctx is not None:
        if ctx.loaded_task is t:
            ctx.loaded_task = None
        if ctx.fpu_task is t:
            ctx.fpu_task = None
    mmput(mm)


def exit_files(t):
    if t.files is not None:
        t.files.put()
        t.files = None


def exit_fs(t):
    if t.fs is not None:
        fs, t.fs = t.fs, None
        fs.put()
        if fs.count == 0:                       # a removed cwd may be gone now
            fsnotify_dput(fs.pwd.dentry)
            fsnotify_dput(fs.root.dentry)


def _group_dead(t):
    return all(th.flags & PF_EXITING for th in t.thread_group())


def exit_notify(t):
    """t is gone but for its exit status.  A process's children belong to
    its group leader; they are handed on when the last thread exits.  The
    tasks t traced are let go; a traced t is its tracer's to reap first
    (kernel/ptrace.py)."""
    leader = t.group_leader
    group_dead = _group_dead(t)
    if t.ptraced:
        # cycle: kernel.syscall -> kernel.exit -> kernel.ptrace -> kernel.syscall
        from kernel.ptrace import exit_ptrace
        exit_ptrace(t)
    if t.ptrace and not _traced_by_task(t):
        _external_tracer_exit(t)
    if group_dead:
        # the process's ITIMER_REAL dies with it
        for it in (t.signal.itimers or ())[:1]:
            sched.del_timer(it.timer)
            it.timer = None
        exit_itimers(t)                 # and its POSIX timers
        forget_original_parent(leader)
    if t is not leader:
        if t.ptrace:
            # a traced thread waits, a zombie, for its tracer to reap it
            t.exit_state = sched.EXIT_ZOMBIE
            t.state = sched.EXIT_ZOMBIE
            do_notify_parent(t, t.exit_code, t.ptracer, SIGCHLD)
            return
        # a non-leader thread is reaped at once (release_task tells the
        # leader's parent if it was the last one)
        t.exit_state = sched.EXIT_DEAD
        t.state = sched.EXIT_DEAD
        release_task(t)
        return
    t.exit_state = sched.EXIT_ZOMBIE
    t.state = sched.EXIT_ZOMBIE
    do_notify_pidfd(t)                  # a pidfd of the leader thread is readable
    if group_dead and thread_group_empty(t):
        _notify_parent_of_zombie(t)


def thread_group_empty(leader):
    """No thread of leader's process is left but leader (zombie threads a
    tracer has not reaped still count)."""
    return not any(th is not leader and th.tgid == leader.tgid for th in ktask.tasks.values())


def _traced_by_task(t):
    return isinstance(t.ptracer, ktask.Task)


def _external_tracer_exit(t):
    """The GDB stub traces t: it hears of the exit and lets go (it reaps
    nothing; the real parent does)."""
    # cycle: kernel.syscall -> kernel.exit -> kernel.ptrace -> kernel.syscall
    from kernel.ptrace import ptrace_unlink
    tracer = t.ptracer
    if _group_dead(t):
        status = t.signal.group_exit_code if t.signal.group_exit else t.exit_code
        tracer.ptrace_exited(t, status)
    ptrace_unlink(t)


def do_notify_pidfd(t):
    """Tell pidfd pollers that a thread of t's process exited or was reaped
    (kernel/pidfd.py decides what that makes readable)."""
    wq = t.signal.wait_pidfd
    if wq is not None:
        wq.wake_up(POLLIN | POLLRDNORM | POLLHUP)


def _notify_parent_of_zombie(leader):
    """The process of leader is dead: tell its parent (its tracer first,
    if it has one: the real parent hears of it once the tracer has reaped
    it or let it go, notify_real_parent_of_zombie)."""
    if leader.tgid == 1:
        status = leader.signal.group_exit_code if leader.signal.group_exit else leader.exit_code
        raise InitDied(status)
    if leader.ptrace and _traced_by_task(leader):
        # cycle: kernel.syscall -> kernel.exit -> kernel.ptrace -> kernel.syscall
        from kernel.ptrace import ptrace_reparented
        status = leader.signal.group_exit_code if leader.signal.group_exit else leader.exit_code
        sig = SIGCHLD if ptrace_reparented(leader) else leader.exit_signal
        do_notify_parent(leader, status, leader.ptracer, sig)
        return
    if leader.notified_parent:
        return
    leader.notified_parent = True
    parent = leader.real_parent
    status = leader.signal.group_exit_code if leader.signal.group_exit else leader.exit_code
    autoreap = do_notify_parent(leader, status)
    if autoreap:
        leader.exit_state = sched.EXIT_DEAD
        release_task(leader)
    if parent is not None:
        parent.group_leader.wait_chldexit.wake_up()


notify_real_parent_of_zombie = _notify_parent_of_zombie     # once untraced


def do_notify_parent(p, status, tracer=None, sig=None):
    """Send the parent its exit signal; True if p should be reaped now.
    With tracer: tell p's tracer instead (sig, never reaped by itself)."""
    parent = tracer if tracer is not None else p.real_parent
    if parent is None:
        return True
    if sig is None:
        sig = p.exit_signal
    code, data = _status_to_cld(status)
    info = SigInfo(sig or SIGCHLD, code, pid=p.pid, uid=p.cred.uid,
                   status=data, utime=int((p.signal.utime + p.signal.cutime) * 100),
                   stime=int((p.signal.stime + p.signal.cstime) * 100))
    ka = parent.sighand.action[SIGCHLD]
    autoreap = ka.handler == SIG_IGN or bool(ka.flags & SA_NOCLDWAIT)
    if tracer is not None:
        autoreap = False
    if 0 < sig <= 64 and not (autoreap and sig == SIGCHLD and ka.handler == SIG_IGN):
        send_signal(parent, info, group=True)
    if tracer is not None:
        parent.group_leader.wait_chldexit.wake_up()
    if p.exit_signal == 0:
        autoreap = False
    return autoreap


def _status_to_cld(status):
    if status & 0x7F == 0:
        return CLD_EXITED, (status >> 8) & 0xFF
    if status & 0x80:
        return CLD_DUMPED, status & 0x7F
    return CLD_KILLED, status & 0x7F


def find_new_reaper(father):
    """Who adopts the children of the dying process father: the nearest
    ancestor that asked to be a child subreaper (prctl
    PR_SET_CHILD_SUBREAPER) and still has a live thread, else init."""
    p = father.real_parent
    while p is not None and p.tgid != 1:
        if p.signal.is_child_subreaper and not _group_dead(p):
            return p.group_leader
        p = p.real_parent
    return ktask.find_task(1)


def forget_original_parent(t):
    """Hand the children of t's process to their new reaper; each is told
    with its parent-death signal (PR_SET_PDEATHSIG) if it asked for one."""
    if not t.children:
        return
    reaper = find_new_reaper(t)
    for child in list(t.children):
        t.children.remove(child)
        child.real_parent = child.parent = reaper
        if reaper is None or reaper is t:
            continue
        reaper.children.append(child)
        for th in child.thread_group():
            sig = th.pdeath_signal
            if sig and not th.exit_state:
                send_signal(th, SigInfo(sig, 0), group=True)
        if child.exit_state == sched.EXIT_ZOMBIE and _group_dead(child) and not child.ptrace \
                and thread_group_empty(child):
            child.notified_parent = False
            _notify_parent_of_zombie(child)


def release_task(p):
    if p.ptrace:
        # cycle: kernel.syscall -> kernel.exit -> kernel.ptrace -> kernel.syscall
        from kernel.ptrace import ptrace_release
        ptrace_release(p)
    if ktask.tasks.get(p.pid) is p:
        ktask.tasks.pop(p.pid, None)
    parent = p.real_parent
    if p.group_leader is p and parent is not None and p in parent.children:
        parent.children.remove(p)
    p.state = sched.EXIT_DEAD
    p.exit_state = sched.EXIT_DEAD
    do_notify_pidfd(p)                  # POLLHUP: the pid is gone
    leader = p.group_leader
    if leader is p:
        jobctl.forget_task(p)
    elif leader.exit_state == sched.EXIT_ZOMBIE and _group_dead(leader) \
            and thread_group_empty(leader):
        # the last thread of a process whose leader died first
        do_notify_pidfd(leader)
        _notify_parent_of_zombie(leader)


# -- wait -----------------------------------------------------------------------------

def _eligible(p, which, id_, options, ptrace):
    if p.exit_state == sched.EXIT_DEAD:
        return False
    if which == P_PID and p.pid != id_:
        return False
    if which == P_PIDFD and p is not id_:
        return False
    if which == P_PGID and p.signal.pgrp != id_:
        return False
    if not options & __WALL and not ptrace:
        # a tracer waits for its tracees whatever their exit signal
        clone_child = p.exit_signal != SIGCHLD
        if bool(options & __WCLONE) != clone_child:
            return False
    return True


def _children(t, options):
    if options & __WNOTHREAD:
        return list(t.children)
    out = []
    for th in t.thread_group():
        out.extend(th.children)
    return out


def _tracees(t, options):
    """The tasks traced by t's process (by t alone with __WNOTHREAD)."""
    if options & __WNOTHREAD:
        return list(t.ptraced)
    out = []
    for th in t.thread_group():
        out.extend(th.ptraced)
    return out


_FOUND = object()           # eligible, nothing to report yet


def _exit_status(p):
    return p.signal.group_exit_code if p.signal.group_exit else p.exit_code


def _wait_consider(t, p, ptrace, which, id_, options, report):
    """Linux's wait_consider_task: report(...)'s value, _FOUND, or None
    (not a task this wait is about).  ptrace: p is one of our tracees."""
    # cycle: kernel.syscall -> kernel.exit -> kernel.ptrace -> kernel.syscall
    from kernel.ptrace import JOBCTL_LISTENING, ptrace_reparented
    if not _eligible(p, which, id_, options, ptrace):
        return None
    if not ptrace and p.ptrace and not ptrace_reparented(p):
        ptrace = True               # our child, traced by us: as its tracer
    found = False
    if p.exit_state == sched.EXIT_ZOMBIE:
        delay = p.group_leader is p and not thread_group_empty(p)
        if not delay and (ptrace or not p.ptrace) and options & WEXITED:
            return _wait_task_zombie(t, p, ptrace, options, report)
        # a zombie another task traces is only its tracer's to see
        found = not ptrace or bool(options & (WCONTINUED | WEXITED))
    else:
        found = True
    if ptrace:
        if p.state == sched.TASK_TRACED and not p.jobctl & JOBCTL_LISTENING and p.ptrace_code:
            code = p.ptrace_code
            if not options & WNOWAIT:
                p.ptrace_code = 0
            return report(p, "trapped", code)
    elif options & WSTOPPED:
        sigs = p.signal
        if sigs.stopped and sigs.stop_report:
            code = sigs.stop_report
            if not options & WNOWAIT:
                sigs.stop_report = 0
            return report(p, "stop", code)
    if options & WCONTINUED and p.signal.cont_report:
        if not options & WNOWAIT:
            p.signal.cont_report = False
        return report(p, "cont", 0xFFFF)
    return _FOUND if found else None


def _wait_task_zombie(t, p, ptrace, options, report):
    # cycle: kernel.syscall -> kernel.exit -> kernel.ptrace -> kernel.syscall
    from kernel.ptrace import ptrace_reparented, ptrace_unlink
    status = _exit_status(p)
    if options & WNOWAIT:
        return report(p, "exit", status)
    # a tracer that is not the real parent reaps only for itself: the
    # real parent is told now, and reaps it in its turn
    handed_on = ptrace and ptrace_reparented(p) and p.group_leader is p
    ret = report(p, "exit", status)
    if handed_on:
        ptrace_unlink(p)
        notify_real_parent_of_zombie(p)
        return ret
    if p.group_leader is p:
        leader = t.group_leader
        psig, sig = leader.signal, p.signal
        psig.cutime += sig.utime + sig.cutime
        psig.cstime += sig.stime + sig.cstime
        psig.cmaxrss = max(psig.cmaxrss, sig.maxrss, sig.cmaxrss)
        psig.cmin_flt += p.min_flt + sig.cmin_flt
        psig.cmaj_flt += p.maj_flt + sig.cmaj_flt
        psig.cnvcsw += p.nvcsw + sig.cnvcsw
        psig.cnivcsw += p.nivcsw + sig.cnivcsw
    release_task(p)
    return ret


def do_wait(t, which, id_, options, report):
    """The generator behind wait4 and waitid.  report(p, kind, status)
    writes the results and returns the value of the call; kind is "exit",
    "stop" (a group stop, for the real parent), "trapped" (a ptrace stop,
    for the tracer) or "cont"."""
    leader = t.group_leader
    while True:
        found = False
        for ptrace, tasks in ((False, _children(leader, options)), (True, _tracees(t, options))):
            for p in tasks:
                r = _wait_consider(t, p, ptrace, which, id_, options, report)
                if r is _FOUND:
                    found = True
                elif r is not None:
                    return r
        if not found:
            return -ECHILD
        if options & WNOHANG:
            return report(None, None, 0)
        if signal_pending(t):
            return -ERESTARTSYS
        yield sched.Sleep((leader.wait_chldexit,))


def sys_wait4(t, pid, stat_addr, options, ru):
    if debug.check_enabled:
        debug.check_point("wait4")
    pid = s32(pid)
    options &= 0xFFFFFFFF
    if options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL):
        return -EINVAL
    if pid == -(1 << 31):
        return -ESRCH                   # -INT_MIN is no process group
    options |= WEXITED
    if pid == -1:
        which, id_ = P_ALL, 0
    elif pid < -1:
        which, id_ = P_PGID, -pid
    elif pid == 0:
        which, id_ = P_PGID, t.signal.pgrp
    else:
        which, id_ = P_PID, pid

    def report(p, kind, status):
        if p is None:
            return 0
        if stat_addr:
            if kind in ("stop", "trapped"):
                status = (status << 8) | 0x7F
            put_user_u32(t.mm, stat_addr, status)
        if ru:
            fill_rusage(t, ru, p, who="both")
        return p.pid

    return do_wait(t, which, id_, options, report)


def sys_waitid(t, which, upid, infop, options, ru):
    if debug.check_enabled:
        debug.check_point("waitid")
    which &= 0xFFFFFFFF
    upid = s32(upid)
    options &= 0xFFFFFFFF
    if options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED
                   | __WNOTHREAD | __WCLONE | __WALL):
        return -EINVAL
    if not options & (WEXITED | WSTOPPED | WCONTINUED):
        return -EINVAL
    if which == P_ALL:
        id_ = 0
    elif which == P_PID:
        if upid <= 0:
            return -EINVAL
        id_ = upid
    elif which == P_PGID:
        if upid < 0:
            return -EINVAL
        id_ = upid or t.signal.pgrp
    elif which == P_PIDFD:
        if upid < 0:
            return -EINVAL
        ctx, f = pidfd_get(t, upid)
        id_ = ctx.current()             # exactly that process (None: reaped)
        if f.flags & O_NONBLOCK:
            return _waitid_nonblock(t, which, id_, options, infop, ru)
    else:
        return -EINVAL
    return _waitid(t, which, id_, options, infop, ru)


def _waitid_nonblock(t, which, id_, options, infop, ru):
    """A non-blocking pidfd never sleeps: with no child ready, waitid
    reports nothing under WNOHANG and fails with EAGAIN without it."""
    found = []
    r = yield from _waitid(t, which, id_, options | WNOHANG, infop, ru, found.append)
    if r == 0 and found == [None] and not options & WNOHANG:
        return -EAGAIN
    return r


def _waitid(t, which, id_, options, infop, ru, hook=None):
    def report(p, kind, status):
        if hook is not None:
            hook(p)
        if infop:
            if p is None:
                copy_to_user(t.mm, infop, bytes(128 if t.arch.BITS == 64 else 128))
                return 0
            if kind == "exit":
                code, data = _status_to_cld(status)
            elif kind == "stop":
                code, data = CLD_STOPPED, status
            elif kind == "trapped":
                code, data = CLD_TRAPPED, status
            else:
                code, data = CLD_CONTINUED, SIGCONT
            if t.arch.BITS == 64:
                raw = struct.pack("<iiiiiIi", SIGCHLD, 0, code, 0, p.pid, p.cred.uid, data)
            else:
                raw = struct.pack("<iiiiIi", SIGCHLD, 0, code, p.pid, p.cred.uid, data)
            copy_to_user(t.mm, infop, raw.ljust(128, b"\0"))
        if ru and p is not None:
            fill_rusage(t, ru, p, who="both")
        return 0

    return (yield from do_wait(t, which, id_, options, report))




def sys_exit(t, code):
    status = (code & 0xFF) << 8
    if t.ptrace:
        return _traced_exit(t, status)
    do_exit(t, status)
    return 0


def sys_exit_group(t, code):
    if t.ptrace:
        start_group_exit(t, 0, code=(code & 0xFF) << 8)
        return _traced_exit(t, t.signal.group_exit_code)
    do_group_exit(t, (code & 0xFF) << 8)
    return 0


def _traced_exit(t, status):
    """A traced task's exit: PTRACE_EVENT_EXIT first, if asked for."""
    # cycle: kernel.syscall -> kernel.exit -> kernel.ptrace -> kernel.syscall
    from kernel.ptrace import exit_stop
    yield from exit_stop(t, status)
    do_exit(t, status)
    return 0

