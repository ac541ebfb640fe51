"""kernel/ptrace.py - ptrace(2) for guests: tracers, tracees and their stops.

A guest debugger (strace, gdb) traces the kernel's own tasks; the host's
ptrace of the stub processes (skas/) stays the kernel's private business and
nothing here touches it, except single-stepping, which asks the host to
step the guest (t.resume_request, skas/userspace.py).

A traced task ("tracee") has t.ptrace != 0 and t.ptracer, its tracer: a
Task, or an ExternalTracer (the GDB stub, kernel/gdbstub.py).  The tracer
keeps its tracees in t.ptraced.  Everything a tracee does that a tracer may
see is a *ptrace stop*: the tracee sleeps in TASK_TRACED, its tracer is
told (SIGCHLD with CLD_TRAPPED/CLD_STOPPED, and its wait4/waitid wakes up),
and it stays there until the tracer resumes it (PTRACE_CONT and friends,
DETACH) or SIGKILL arrives.  A stop is a generator yielding TRACED (so a
stop is part of the task's kernel stack, like any sleep); ptrace_stop() is
the only place a task enters one.  The stops, where Linux has them:

  signal-delivery stop  get_signal (kernel/signal.py) took a signal:
                        ptrace_signal() lets the tracer change or cancel it;
  group stop            a stop signal's default action (kernel/jobctl.py):
                        do_jobctl_trap(); PTRACE_LISTEN waits in it;
  PTRACE_EVENT_STOP     PTRACE_INTERRUPT, a seized tracee's group stop and
                        SIGCONT notification (do_jobctl_trap);
  syscall stops         trace_syscall(): entry and exit with PTRACE_SYSCALL,
                        entry only with PTRACE_SYSEMU;
  event stops           ptrace_event(): fork/vfork/clone (kernel/fork.py),
                        vfork-done, exec (fs/exec.py), exit (kernel/exit.py),
                        seccomp (seccomp_trace, for kernel/seccomp.py's
                        SECCOMP_RET_TRACE);
  single-step traps     SIGTRAP from the host's single-step of the guest.

wait4/waitid (kernel/exit.py) report a stop to the tracer as Linux does
(status (code << 8) | 0x7f, code = SIGTRAP | 0x80 for syscall stops with
PTRACE_O_TRACESYSGOOD, SIGTRAP | event << 8 for events); the tracer is the
tracee's "parent" for wait, while the real parent still sees group stops
and, once the tracer has reaped or let go of it, the exit.

The cost when nobody traces: nothing on the hot paths.  The syscall path
looks at t.syscall_work (0 unless a tracer asked for syscall stops), the
rest of this module runs only for tasks with t.ptrace set.
"""

import struct

from kernel import exit as kexit, sched
from kernel import task as ktask
from kernel.abi import (SIGBUS, SIGCHLD, SIGFPE, SIGILL, SIGKILL, SIGSEGV, SIGSTOP,
                        SIGSYS, SIGTRAP, _NSIG, s32)
from kernel.capability import CAP_SYS_ADMIN, capable
from kernel.errno import EACCES, EINVAL, EIO, ENOENT, ENOSYS, EPERM, ESRCH, MAX_ERRNO
from kernel.jobctl import group_stop_complete
from kernel.ptrace_access import (PTRACE_MODE_ATTACH_REALCREDS, ptrace_has_cap,
                                  ptrace_may_access)
from kernel.seccomp import SECCOMP_FILTER_FLAG_LOG, SECCOMP_MODE_FILTER, secure_computing
from kernel.signal import (CLD_CONTINUED, CLD_STOPPED, CLD_TRAPPED, PF_EXITING,
                           SA_NOCLDSTOP, SI_KERNEL, SI_TIMER, SI_USER, TRAP_BRKPT,
                           UNBLOCKABLE, SigInfo, force_sig_info, jobctl_set,
                           send_signal, sigmask)
from kernel.syscall import KSTACK_DONE, finish_syscall, invoke_syscall, run_kstack
from mm.access_vm import access_remote_vm
from mm.uaccess import copy_from_user, copy_to_user
from security.yama import yama_ptrace_traceme

# requests (<linux/ptrace.h>, <asm/ptrace-abi.h>)
PTRACE_TRACEME = 0
PTRACE_PEEKTEXT, PTRACE_PEEKDATA, PTRACE_PEEKUSR = 1, 2, 3
PTRACE_POKETEXT, PTRACE_POKEDATA, PTRACE_POKEUSR = 4, 5, 6
PTRACE_CONT = 7
PTRACE_KILL = 8
PTRACE_SINGLESTEP = 9
PTRACE_GETREGS, PTRACE_SETREGS = 12, 13
PTRACE_GETFPREGS, PTRACE_SETFPREGS = 14, 15
PTRACE_ATTACH, PTRACE_DETACH = 16, 17
PTRACE_GETFPXREGS, PTRACE_SETFPXREGS = 18, 19
PTRACE_OLDSETOPTIONS = 21
PTRACE_SYSCALL = 24
PTRACE_GET_THREAD_AREA, PTRACE_SET_THREAD_AREA = 25, 26
PTRACE_ARCH_PRCTL = 30
PTRACE_SYSEMU, PTRACE_SYSEMU_SINGLESTEP = 31, 32
PTRACE_SINGLEBLOCK = 33
PTRACE_SETOPTIONS = 0x4200
PTRACE_GETEVENTMSG = 0x4201
PTRACE_GETSIGINFO, PTRACE_SETSIGINFO = 0x4202, 0x4203
PTRACE_GETREGSET, PTRACE_SETREGSET = 0x4204, 0x4205
PTRACE_SEIZE, PTRACE_INTERRUPT, PTRACE_LISTEN = 0x4206, 0x4207, 0x4208
PTRACE_PEEKSIGINFO = 0x4209
PTRACE_PEEKSIGINFO_SHARED = 1 << 0  # the process's queue, not the thread's
PTRACE_GETSIGMASK, PTRACE_SETSIGMASK = 0x420A, 0x420B
PTRACE_SECCOMP_GET_FILTER, PTRACE_SECCOMP_GET_METADATA = 0x420C, 0x420D
PTRACE_GET_SYSCALL_INFO = 0x420E
PTRACE_GET_RSEQ_CONFIGURATION = 0x420F
PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG = 0x4210
PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG = 0x4211
PTRACE_SET_SYSCALL_INFO = 0x4212

# options
PTRACE_O_TRACESYSGOOD = 0x1
PTRACE_O_TRACEFORK = 0x2
PTRACE_O_TRACEVFORK = 0x4
PTRACE_O_TRACECLONE = 0x8
PTRACE_O_TRACEEXEC = 0x10
PTRACE_O_TRACEVFORKDONE = 0x20
PTRACE_O_TRACEEXIT = 0x40
PTRACE_O_TRACESECCOMP = 0x80
PTRACE_O_EXITKILL = 0x100000
PTRACE_O_SUSPEND_SECCOMP = 0x200000
PTRACE_O_MASK = 0xFF | PTRACE_O_EXITKILL | PTRACE_O_SUSPEND_SECCOMP

# events
PTRACE_EVENT_FORK, PTRACE_EVENT_VFORK, PTRACE_EVENT_CLONE = 1, 2, 3
PTRACE_EVENT_EXEC, PTRACE_EVENT_VFORK_DONE, PTRACE_EVENT_EXIT = 4, 5, 6
PTRACE_EVENT_SECCOMP = 7
PTRACE_EVENT_STOP = 128
_EVENT_OPTION = {PTRACE_EVENT_FORK: PTRACE_O_TRACEFORK, PTRACE_EVENT_VFORK: PTRACE_O_TRACEVFORK,
                 PTRACE_EVENT_CLONE: PTRACE_O_TRACECLONE, PTRACE_EVENT_EXEC: PTRACE_O_TRACEEXEC,
                 PTRACE_EVENT_VFORK_DONE: PTRACE_O_TRACEVFORKDONE,
                 PTRACE_EVENT_EXIT: PTRACE_O_TRACEEXIT, PTRACE_EVENT_SECCOMP: PTRACE_O_TRACESECCOMP}
PTRACE_EVENTMSG_SYSCALL_ENTRY, PTRACE_EVENTMSG_SYSCALL_EXIT = 1, 2

PTRACE_SYSCALL_INFO_NONE, PTRACE_SYSCALL_INFO_ENTRY = 0, 1
PTRACE_SYSCALL_INFO_EXIT, PTRACE_SYSCALL_INFO_SECCOMP = 2, 3
AUDIT_ARCH_X86_64, AUDIT_ARCH_I386 = 0xC000003E, 0x40000003

# t.ptrace
PT_PTRACED = 0x1
PT_SEIZED = 0x10000

# t.syscall_work: what the system call path must do for t (Linux's
# SYSCALL_WORK_*); 0 for every task nobody traces
SYSCALL_WORK_SYSCALL_TRACE = 0x1        # PTRACE_SYSCALL: entry and exit stops
SYSCALL_WORK_SYSCALL_EMU = 0x2          # PTRACE_SYSEMU: entry stop, call skipped
SYSCALL_WORK_SYSCALL_EXIT_TRAP = 0x4    # single-stepping: SIGTRAP after the call

# t.jobctl (Linux's JOBCTL_*)
JOBCTL_STOP_SIGMASK = 0xFFFF
JOBCTL_STOP_DEQUEUED = 1 << 16
JOBCTL_STOP_PENDING = 1 << 17
JOBCTL_STOP_CONSUME = 1 << 18
JOBCTL_TRAP_STOP = 1 << 19
JOBCTL_TRAP_NOTIFY = 1 << 20
JOBCTL_TRAPPING = 1 << 21          # an attach waits for a stopped task to re-trap
JOBCTL_LISTENING = 1 << 22
JOBCTL_TRAP_MASK = JOBCTL_TRAP_STOP | JOBCTL_TRAP_NOTIFY
JOBCTL_PENDING_MASK = JOBCTL_STOP_PENDING | JOBCTL_TRAP_MASK


HOST_SYSEMU, HOST_SYSEMU_SINGLESTEP = 31, 32       # how the host runs the guest

# what a stopped tracee's kernel stack yields: sleep in TASK_TRACED
TRACED = sched.Sleep((), None, False, sched.TASK_TRACED)


class ExternalTracer:
    """A tracer that is not a guest task: the GDB stub.  It is told of
    its tracees' stops and exits by callback instead of SIGCHLD and wait."""

    def __init__(self):
        self.ptraced = []
        self.pid = 0

    def ptrace_notify(self, t):
        """t entered a ptrace stop."""

    def ptrace_exited(self, t, status):
        """t's process is gone (status: its wait status)."""


def _is_task(tracer):
    return isinstance(tracer, ktask.Task)


# -- linking a tracee to its tracer ----------------------------------------------

def ptrace_link(child, tracer, flags):
    child.ptrace = flags
    child.ptracer = tracer
    tracer.ptraced.append(child)


def ptrace_reparented(p):
    """Is p traced by someone other than its real parent's process?"""
    tr = p.ptracer
    if tr is None:
        return False
    rp = p.group_leader.real_parent if p.group_leader is not None else None
    return not (_is_task(tr) and rp is not None and tr.tgid == rp.tgid)


def ptrace_unlink(child):
    """Untrace child (__ptrace_unlink): it gets its own execution state
    back.  If its group is stopped (or stopping) it rejoins the group
    stop; a tracee left in TASK_TRACED is woken."""
    tracer = child.ptracer
    if tracer is not None and child in tracer.ptraced:
        tracer.ptraced.remove(child)
    child.ptracer = None
    child.ptrace = 0
    child.ptrace_opts = 0               # a later tracer starts with none (PTRACE_TRACEME)
    child.syscall_work = 0
    child.resume_request = HOST_SYSEMU
    child.jobctl &= ~(JOBCTL_TRAP_MASK | JOBCTL_LISTENING | JOBCTL_TRAPPING)
    sigs = child.signal
    if not child.flags & PF_EXITING and (sigs.stopped or sigs.group_stop_count):
        jobctl_set(child, JOBCTL_STOP_PENDING)
        if not child.jobctl & JOBCTL_STOP_SIGMASK:
            child.jobctl |= SIGSTOP
    if child.jobctl & JOBCTL_STOP_PENDING or child.state == sched.TASK_TRACED:
        if not sched.wake_up_state(child, sched.TASK_TRACED):
            sched.signal_wake_up(child)


def ptrace_traceme(t):
    """PTRACE_TRACEME: t's real parent becomes its tracer."""
    if t.ptrace:
        return -EPERM
    parent = t.group_leader.real_parent
    err = yama_ptrace_traceme(t, parent) if parent is not None else 0
    if err:
        return err
    if parent is None or parent.flags & PF_EXITING:
        return 0                # as Linux: no error, but no tracer either
    ptrace_link(t, parent, PT_PTRACED)
    return 0


def ptrace_attach(tracer, child, seize, addr, flags):
    """PTRACE_ATTACH / PTRACE_SEIZE."""
    if seize:
        if addr != 0 or flags & ~PTRACE_O_MASK:
            return -EIO
        err = check_ptrace_options(tracer, flags)
        if err:
            return err
        pflags = PT_PTRACED | PT_SEIZED
    else:
        pflags = PT_PTRACED
        flags = 0
    if child.tgid == tracer.tgid:
        return -EPERM
    if not ptrace_may_access(tracer, child, PTRACE_MODE_ATTACH_REALCREDS):
        return -EPERM
    if child.exit_state or child.ptrace:
        return -EPERM
    ptrace_link(child, tracer, pflags)
    child.ptrace_opts = flags
    if not seize:
        send_signal(child, SigInfo(SIGSTOP, SI_KERNEL), group=False, force=True)
    if child.state == sched.TASK_STOPPED:
        # it is in a group stop: it re-traps into TASK_TRACED, reporting
        # the stop to its new tracer, and the attach returns once it has
        # (so that the tracer's next wait finds that stop, as on Linux).
        # A thread stopped where it slept uninterruptibly traps later.
        jobctl_set(child, JOBCTL_TRAP_STOP)
        if child.stopped_from != sched.TASK_UNINTERRUPTIBLE:
            child.jobctl |= JOBCTL_TRAPPING
        sched.wake_up_state(child, sched.TASK_STOPPED)
        if child.jobctl & JOBCTL_TRAPPING:
            return _wait_trapping(tracer, child)
    return 0


def _wait_trapping(tracer, child):
    def done():
        return (not child.jobctl & JOBCTL_TRAPPING or child.exit_state
                or child.flags & PF_EXITING or child.ptracer is not tracer
                or fatal_signal_pending(tracer))
    # the child's stop (or exit) wakes our wait queue, as for wait4
    yield from sched.wait_event(tracer, tracer.group_leader.wait_chldexit, done,
                                interruptible=False)
    return 0


def ptrace_detach(child, data):
    """PTRACE_DETACH (the tracee is stopped): it resumes with signal data."""
    if not 0 <= data <= _NSIG:             # valid_signal
        return -EIO
    _disable_step(child)
    child.ptrace_code = data
    __ptrace_detach(child)
    return 0


def __ptrace_detach(child):
    """Unlink child; a zombie the tracer held back is handed to its real
    parent now.  True if it should be reaped at once."""
    tracer = child.ptracer
    ptrace_unlink(child)
    if child.exit_state != sched.EXIT_ZOMBIE:
        return False
    if child.group_leader is not child:
        kexit.release_task(child)
        return True
    if _is_task(tracer) and child.real_parent is not None and \
            child.real_parent.tgid == tracer.tgid:
        return False
    kexit.notify_real_parent_of_zombie(child)
    return child.exit_state == sched.EXIT_DEAD


def exit_ptrace(tracer):
    """tracer is exiting: let go of every tracee (killing those traced with
    PTRACE_O_EXITKILL)."""
    for p in list(tracer.ptraced):
        if p.ptrace_opts & PTRACE_O_EXITKILL:
            send_signal(p, SigInfo(SIGKILL, SI_KERNEL), group=False, force=True)
        __ptrace_detach(p)


def ptrace_release(p):
    """p is being reaped: it is no one's tracee any more."""
    if p.ptrace:
        tracer = p.ptracer
        if tracer is not None and p in tracer.ptraced:
            tracer.ptraced.remove(p)
        p.ptrace = 0
        p.ptracer = None


def check_ptrace_options(t, data):
    if data & ~PTRACE_O_MASK:
        return -EINVAL
    if data & PTRACE_O_SUSPEND_SECCOMP:
        # for checkpoint/restore (CRIU): only an administrator who is not
        # confined itself may switch another task's filters off
        if not capable(t, CAP_SYS_ADMIN):
            return -EPERM
        if t.seccomp_mode or seccomp_suspended(t):
            return -EPERM
    return 0


def seccomp_suspended(t):
    """PTRACE_O_SUSPEND_SECCOMP: while its tracer says so, t's seccomp
    (filters and strict mode) does not run (kernel/seccomp.py asks)."""
    return bool(t.ptrace and t.ptrace_opts & PTRACE_O_SUSPEND_SECCOMP)


# -- stops --------------------------------------------------------------------------

def fatal_signal_pending(t):
    """Linux's __fatal_signal_pending: SIGKILL queued for t itself (a
    group exit t started does not count: t still reports its exit)."""
    return bool(t.pending.signal & (1 << (SIGKILL - 1)))


def ptrace_stop(t, exit_code, why, message=0, info=None):
    """Stop t for its tracer (a generator: t's kernel stack yields TRACED).
    Returns the signal the tracer resumed it with (for most stops, the
    caller decides what that means)."""
    if not t.ptrace or fatal_signal_pending(t):
        return exit_code
    t.last_siginfo = info
    t.ptrace_message = message
    t.ptrace_code = exit_code
    gstop_done = False
    if why == CLD_STOPPED and t.jobctl & JOBCTL_STOP_PENDING:
        gstop_done = task_participate_group_stop(t)
    t.jobctl &= ~(JOBCTL_TRAP_STOP | JOBCTL_TRAPPING)
    if info is not None and info.code >> 8 == PTRACE_EVENT_STOP:
        t.jobctl &= ~JOBCTL_TRAP_NOTIFY
    # cycle: kernel.ptrace -> skas.userspace -> kernel.ptrace
    from skas.userspace import fetch_regs
    if t.mm is not None:
        fetch_regs(t)           # the tracer reads and writes t.regs
    do_notify_parent_cldstop(t, True, why)
    if gstop_done and (not t.ptrace or ptrace_reparented(t)):
        do_notify_parent_cldstop(t, False, why)
    yield TRACED
    t.jobctl &= ~JOBCTL_LISTENING
    t.last_siginfo = None
    if t.debugregs is not None and t.mm is not None and t.mm.context is not None \
            and t.mm.context.loaded_task is t:
        # cycle: skas.userspace -> kernel.ptrace -> arch.x86_64 -> arch.x86_64.process -> skas.userspace
        from arch.x86_64.debugreg import load_debugregs
        load_debugregs(t.mm.context, t)     # the tracer may have changed them
    code = t.ptrace_code
    t.ptrace_code = 0
    return code


def ptrace_do_notify(t, signr, exit_code, why, message):
    info = SigInfo(signr, exit_code, pid=t.pid, uid=t.cred.uid)
    return (yield from ptrace_stop(t, exit_code, why, message, info))


def ptrace_notify(t, exit_code, message=0):
    """A SIGTRAP stop (syscall stops, events, stepping into a handler)."""
    return (yield from ptrace_do_notify(t, SIGTRAP, exit_code, CLD_TRAPPED, message))


def ptrace_event_enabled(t, event):
    return bool(t.ptrace and t.ptrace_opts & _EVENT_OPTION[event])


def ptrace_event(t, event, message=0):
    """An event stop if the tracer asked for it (a generator).  The legacy
    exec report of a tracee not seized and not asking for
    PTRACE_EVENT_EXEC is a plain SIGTRAP."""
    if ptrace_event_enabled(t, event):
        yield from ptrace_notify(t, (event << 8) | SIGTRAP, message)
    elif event == PTRACE_EVENT_EXEC and t.ptrace & (PT_PTRACED | PT_SEIZED) == PT_PTRACED:
        send_signal(t, SigInfo(SIGTRAP, SI_USER, pid=t.tgid, uid=t.cred.uid), group=False)


def do_notify_parent_cldstop(t, for_ptracer, why):
    """SIGCHLD (unless SA_NOCLDSTOP) and a wait wake-up for the tracer
    (for_ptracer) or for the real parent of t's process."""
    if for_ptracer:
        tsk, parent = t, t.ptracer
        if parent is not None and not _is_task(parent):
            parent.ptrace_notify(t)
            return
    else:
        tsk = t.group_leader
        parent = tsk.real_parent
    if parent is None or parent.exit_state or parent.sighand is None:
        return
    if why == CLD_CONTINUED:
        status = 18
    elif why == CLD_STOPPED:
        status = tsk.signal.stop_report & 0x7F
    else:
        status = tsk.ptrace_code & 0x7F
    ka = parent.sighand.action[SIGCHLD]
    if not ka.flags & SA_NOCLDSTOP:
        s = tsk.signal
        send_signal(parent, SigInfo(SIGCHLD, why, pid=tsk.pid, uid=tsk.cred.uid, status=status,
                                    utime=int((s.utime + tsk.utime) * 100),
                                    stime=int((s.stime + tsk.stime) * 100)), group=True)
    parent.group_leader.wait_chldexit.wake_up()


def task_participate_group_stop(t):
    """t takes part in its group's stop.  True if that completed it (the
    real parent is then told, CLD_STOPPED)."""
    sigs = t.signal
    consume = t.jobctl & JOBCTL_STOP_CONSUME
    t.jobctl &= ~(JOBCTL_STOP_PENDING | JOBCTL_STOP_CONSUME)
    if not consume:
        return False
    if sigs.group_stop_count > 0:
        sigs.group_stop_count -= 1
    if sigs.group_stop_count == 0:
        return group_stop_complete(t)
    return False


def ptrace_trap_notify(t):
    """Tell a seized tracee that its group's job control state changed: a
    PTRACE_EVENT_STOP follows (at once, if it is listening)."""
    jobctl_set(t, JOBCTL_TRAP_NOTIFY)
    if t.jobctl & JOBCTL_LISTENING and t.state == sched.TASK_TRACED:
        sched.wake_up_state(t, sched.TASK_TRACED)
    else:
        sched.signal_wake_up(t)


def do_jobctl_trap(t):
    """A group-stop or PTRACE_EVENT_STOP trap (a generator)."""
    sigs = t.signal
    signr = t.jobctl & JOBCTL_STOP_SIGMASK
    if t.ptrace & PT_SEIZED:
        if not sigs.group_stop_count and not sigs.stopped:
            signr = SIGTRAP
        yield from ptrace_do_notify(t, signr, signr | (PTRACE_EVENT_STOP << 8), CLD_STOPPED, 0)
    else:
        yield from ptrace_stop(t, signr or SIGSTOP, CLD_STOPPED, 0, None)


def ptrace_signal(t, sig, info, shared):
    """Signal-delivery stop: the tracer sees the signal first and may
    cancel it, change it, or change its siginfo (a generator; returns the
    signal to deliver, 0 for none, and its siginfo)."""
    t.jobctl |= JOBCTL_STOP_DEQUEUED
    sig = yield from ptrace_stop(t, sig, CLD_TRAPPED, 0, info)
    if not sig:
        return 0, None
    if sig != info.signo:
        tr = t.ptracer
        pid = tr.pid if _is_task(tr) else 0
        uid = tr.cred.uid if _is_task(tr) else 0
        info = SigInfo(sig, SI_USER, pid=pid, uid=uid)
    if t.blocked & sigmask(sig) or fatal_signal_pending(t):
        send_signal(t, info, group=shared)          # requeued
        return 0, None
    return sig, info


def signal_delivered_step(t):
    """A handler's frame was set up for a single-stepped tracee: it stops
    before the handler's first instruction, as Linux's signal_delivered."""
    if t.syscall_work & SYSCALL_WORK_SYSCALL_EXIT_TRAP:
        yield from ptrace_notify(t, SIGTRAP, 0)


# -- system call stops ---------------------------------------------------------------

def trace_syscall(t, abi):
    """A tracer wants to see t's system calls: run this one as t's kernel
    stack, with the stops around it."""
    t.kstack = _traced_syscall(t, abi)
    run_kstack(t)


def _is_minus_one(nr):
    # Linux takes the number as an int: -1 (any width) means "no call"
    return nr & 0xFFFFFFFF == 0xFFFFFFFF


def _traced_syscall(t, abi):
    regs = t.regs
    work = t.syscall_work
    t.syscall_abi = abi
    skip = False
    if work & (SYSCALL_WORK_SYSCALL_TRACE | SYSCALL_WORK_SYSCALL_EMU):
        # the tracer sees -ENOSYS in the result register at the entry stop
        abi_set_return(t, abi, -ENOSYS)
        yield from ptrace_report_syscall(t, PTRACE_EVENTMSG_SYSCALL_ENTRY)
        skip = bool(work & SYSCALL_WORK_SYSCALL_EMU) or fatal_signal_pending(t)
    if not skip and not _is_minus_one(abi.syscall_nr(regs)):
        ret = True
        if t.seccomp_mode:              # after the entry stop, as Linux
            ok = secure_computing(t, abi, abi.syscall_nr(regs))
            if ok is False:
                ret = KSTACK_DONE       # decided: the result is set
            elif ok is not True:
                ret = yield from ok
        if ret is True:
            ret = invoke_syscall(t, abi)
            if type(ret) is _GENERATOR:
                ret = yield from ret
        if ret is not KSTACK_DONE:      # (KSTACK_DONE: an oops, or seccomp said)
            finish_syscall(t, ret)
    elif skip:
        t.regs_dirty = True
    if t.flags & PF_EXITING or t.exit_state:        # it exited
        return KSTACK_DONE
    work = t.syscall_work
    step = work & SYSCALL_WORK_SYSCALL_EXIT_TRAP and not work & SYSCALL_WORK_SYSCALL_EMU
    if step:
        user_single_step_report(t)
    elif work & SYSCALL_WORK_SYSCALL_TRACE:
        yield from ptrace_report_syscall(t, PTRACE_EVENTMSG_SYSCALL_EXIT)
    return KSTACK_DONE


_GENERATOR = type((lambda: (yield))())


def abi_set_return(t, abi, value):
    t.arch.set_syscall_return(t.regs, value)
    t.regs_dirty = True


def ptrace_report_syscall(t, message):
    """A syscall-entry or -exit stop; a signal the tracer resumes with is
    sent to t (that is how Linux does it for these stops)."""
    if not t.ptrace & PT_PTRACED:
        return
    code = SIGTRAP | (0x80 if t.ptrace_opts & PTRACE_O_TRACESYSGOOD else 0)
    sig = yield from ptrace_notify(t, code, message)
    if sig:
        send_signal(t, SigInfo(sig, SI_KERNEL), group=False)


def user_single_step_report(t):
    """Single-stepping over a system call: SIGTRAP as the instruction
    after it is reached (x86: TRAP_BRKPT)."""
    t.fault_trapno = 1
    force_sig_info(t, SigInfo(SIGTRAP, TRAP_BRKPT, addr=t.arch.instruction_pointer(t.regs)))


# -- fork, exec, exit -------------------------------------------------------------------

def clone_event(t, flags, exit_signal):
    """Which event, if any, t's tracer wants for this clone (0: none)."""
    # cycle: skas.userspace -> kernel.ptrace -> kernel.fork -> skas.userspace
    from kernel.fork import CLONE_UNTRACED, CLONE_VFORK
    if not t.ptrace or flags & CLONE_UNTRACED:
        return 0
    if flags & CLONE_VFORK:
        ev = PTRACE_EVENT_VFORK
    elif exit_signal != SIGCHLD:
        ev = PTRACE_EVENT_CLONE
    else:
        ev = PTRACE_EVENT_FORK
    return ev if ptrace_event_enabled(t, ev) else 0


def ptrace_init_task(child, parent, trace):
    """The new child of a traced task is traced too when the tracer asked
    (an event, or CLONE_PTRACE): it starts with SIGSTOP, or a
    PTRACE_EVENT_STOP trap if seized."""
    if not trace or not parent.ptrace or parent.ptracer is None:
        return
    ptrace_link(child, parent.ptracer, parent.ptrace)
    child.ptrace_opts = parent.ptrace_opts
    if child.ptrace & PT_SEIZED:
        jobctl_set(child, JOBCTL_TRAP_STOP)
    else:
        child.pending.add(SigInfo(SIGSTOP, SI_USER, pid=0, uid=0))


def clone_stops(t, child, event, vfork):
    """After a traced task's clone: the event stop (message: the new pid),
    the vfork wait, and the vfork-done stop (a generator; returns the
    pid)."""
    pid = child.pid
    if event:
        yield from ptrace_event(t, event, pid)
    if vfork:
        # cycle: skas.userspace -> kernel.ptrace -> kernel.fork -> skas.userspace
        from kernel.fork import _vfork_wait
        yield from _vfork_wait(t, child)
        if t.ptrace:
            yield from ptrace_event(t, PTRACE_EVENT_VFORK_DONE, pid)
    return pid


exec_hooks = []         # callables(t): an exec happened (kernel/gdbstub.py)


def exec_stop(t, old_pid):
    """After a successful execve of a traced task (or one a hook wants):
    PTRACE_EVENT_EXEC (message: the tid before exec) or the legacy SIGTRAP
    (a generator; returns 0, the call's result)."""
    for hook in exec_hooks:
        hook(t)
    if t.ptrace:
        yield from ptrace_event(t, PTRACE_EVENT_EXEC, old_pid)
    return 0


def exit_stop(t, code):
    """PTRACE_EVENT_EXIT: the tracee stops early in its exit, registers
    still there (message: the exit status)."""
    if t.ptrace:
        yield from ptrace_event(t, PTRACE_EVENT_EXIT, code)


def seccomp_trace(t, abi, data):
    """SECCOMP_RET_TRACE (kernel/seccomp.py): None if no tracer asked for
    PTRACE_EVENT_SECCOMP (the call then fails with ENOSYS), else a
    generator, the call's kernel stack: the seccomp stop (message: the
    filter's SECCOMP_RET_DATA; GET_SYSCALL_INFO's op SECCOMP), then the
    call as the tracer left it - skipped if it made the number -1, its
    result then being what the tracer put in the result register, else
    put through the filters again (as Linux: a call the tracer changed
    into a forbidden one is still forbidden)."""
    if not ptrace_event_enabled(t, PTRACE_EVENT_SECCOMP):
        return None
    return _seccomp_traced(t, abi, data)


def _seccomp_traced(t, abi, data):
    t.syscall_abi = abi
    abi_set_return(t, abi, -ENOSYS)
    yield from ptrace_event(t, PTRACE_EVENT_SECCOMP, data)
    nr = abi.syscall_nr(t.regs)
    if fatal_signal_pending(t) or _is_minus_one(nr):
        t.in_syscall = None
        return KSTACK_DONE
    ok = secure_computing(t, abi, nr, recheck_after_trace=True)
    if ok is False:
        return KSTACK_DONE
    if ok is not True:
        return (yield from ok)          # USER_NOTIF: the listener answers
    ret = invoke_syscall(t, abi)
    if type(ret) is _GENERATOR:
        ret = yield from ret
    return ret


# -- resuming -------------------------------------------------------------------------

def _disable_step(t):
    t.syscall_work &= ~SYSCALL_WORK_SYSCALL_EXIT_TRAP
    t.resume_request = HOST_SYSEMU


def ptrace_resume(child, request, data):
    if not 0 <= data <= _NSIG:             # valid_signal
        return -EIO
    if request == PTRACE_SINGLEBLOCK:
        return -EIO             # see HACKING.md: no host "block step" under SYSEMU
    work = child.syscall_work & ~(SYSCALL_WORK_SYSCALL_TRACE | SYSCALL_WORK_SYSCALL_EMU
                                  | SYSCALL_WORK_SYSCALL_EXIT_TRAP)
    if request == PTRACE_SYSCALL:
        work |= SYSCALL_WORK_SYSCALL_TRACE
    if request in (PTRACE_SYSEMU, PTRACE_SYSEMU_SINGLESTEP):
        work |= SYSCALL_WORK_SYSCALL_EMU
    if request in (PTRACE_SINGLESTEP, PTRACE_SYSEMU_SINGLESTEP):
        work |= SYSCALL_WORK_SYSCALL_EXIT_TRAP
        child.resume_request = HOST_SYSEMU_SINGLESTEP
    else:
        child.resume_request = HOST_SYSEMU
    child.syscall_work = work
    child.ptrace_code = data
    sched.wake_up_state(child, sched.TASK_TRACED)
    return 0


# -- memory ---------------------------------------------------------------------------

def ptrace_access_vm(tracer, child, addr, data=None, length=0):
    """Read length bytes of child's memory, or write data, as a debugger
    may (mm/access_vm.py, FOLL_FORCE).  Returns the bytes (read) or count
    (written), possibly short."""
    mm = child.mm
    if mm is None or not child.ptrace or child.ptracer is not tracer:
        return b"" if data is None else 0
    if mm.dumpable != 1 and _is_task(tracer) and not ptrace_has_cap(tracer):
        return b"" if data is None else 0
    return access_remote_vm(mm, addr, data if data is not None else length, force=True)


# -- the system call ------------------------------------------------------------------------

def _view(t):
    """The register view of a task's own ABI (a tracer's for GETREGS,
    a tracee's for regsets)."""
    if t.arch.BITS == 32:
        # cycle: skas.userspace -> kernel.ptrace -> arch.x86 -> arch.x86.tls -> skas.userspace
        from arch.x86 import ptrace as view
    else:
        # cycle: skas.userspace -> kernel.ptrace -> arch.x86_64 -> arch.x86_64.process -> skas.userspace
        from arch.x86_64 import ptrace as view
    return view


def ptrace_check_attach(tracer, child, ignore_state):
    """child is traced by tracer and (unless ignore_state) stopped for it."""
    if not child.ptrace or child.ptracer is not tracer:
        return -ESRCH
    if ignore_state:
        return 0
    if child.state != sched.TASK_TRACED or child.jobctl & JOBCTL_LISTENING \
            or fatal_signal_pending(child):
        return -ESRCH
    return 0



def sys_ptrace(t, request, pid, addr, data):
    """ptrace(2), for 64-bit and (t.arch is arch/x86 while a 32-bit task or
    an int $0x80 call runs) 32-bit tracers."""
    compat = t.arch.BITS == 32
    request = s32(request) if compat else request & 0xFFFFFFFFFFFFFFFF
    if not compat and request >= 1 << 63:
        request -= 1 << 64
    if compat:
        addr &= 0xFFFFFFFF
        data &= 0xFFFFFFFF
    if request == PTRACE_TRACEME:
        return ptrace_traceme(t)
    child = ktask.find_task(s32(pid))
    if child is None:
        return -ESRCH
    if request in (PTRACE_ATTACH, PTRACE_SEIZE):
        return ptrace_attach(t, child, request == PTRACE_SEIZE, addr, data)
    err = ptrace_check_attach(t, child, request in (PTRACE_KILL, PTRACE_INTERRUPT))
    if err:
        return err
    return arch_ptrace(t, child, request, addr, data, compat)


def arch_ptrace(t, child, request, addr, data, compat):
    view = _view(t)
    word = 4 if compat else 8
    wfmt = "<I" if compat else "<Q"
    mm = t.mm
    if request in (PTRACE_PEEKUSR, PTRACE_POKEUSR, PTRACE_GETREGS, PTRACE_SETREGS,
                   PTRACE_GETFPREGS, PTRACE_SETFPREGS, PTRACE_GETFPXREGS, PTRACE_SETFPXREGS,
                   PTRACE_GETREGSET, PTRACE_SETREGSET, PTRACE_GET_SYSCALL_INFO,
                   PTRACE_ARCH_PRCTL):
        # cycle: kernel.ptrace -> skas.userspace -> kernel.ptrace
        from skas.userspace import fetch_regs
        if child.mm is not None:
            fetch_regs(child)
    if request == PTRACE_PEEKUSR:
        v = view.peekuser(child, addr)
        copy_to_user(mm, data, struct.pack(wfmt, v & ((1 << (8 * word)) - 1)))
        return 0
    if request == PTRACE_POKEUSR:
        view.pokeuser(child, addr, data)
        return 0
    if request == PTRACE_GETREGS:
        copy_to_user(mm, data, view.get_regs(child))
        return 0
    if request == PTRACE_SETREGS:
        view.set_regs(child, copy_from_user(mm, data, view.REGS_SIZE))
        return 0
    if request == PTRACE_GETFPREGS:
        copy_to_user(mm, data, view.get_fpregs(child))
        return 0
    if request == PTRACE_SETFPREGS:
        view.set_fpregs(child, copy_from_user(mm, data, view.FPREGS_SIZE))
        return 0
    if request in (PTRACE_GETFPXREGS, PTRACE_SETFPXREGS):
        if not compat:
            return -EIO         # i386 only
        if request == PTRACE_GETFPXREGS:
            copy_to_user(mm, data, view.get_fpxregs(child))
        else:
            view.set_fpxregs(child, copy_from_user(mm, data, view.FPXREGS_SIZE))
        return 0
    if request in (PTRACE_GET_THREAD_AREA, PTRACE_SET_THREAD_AREA):
        # cycle: skas.userspace -> kernel.ptrace -> arch.x86 -> arch.x86.tls -> skas.userspace
        from arch.x86 import ptrace as view32
        idx = s32(addr)
        if idx < 0:
            return -EIO
        if request == PTRACE_GET_THREAD_AREA:
            copy_to_user(mm, data, view32.get_thread_area(child, idx))
        else:
            view32.set_thread_area(child, idx, copy_from_user(mm, data, 16))
        return 0
    if request == PTRACE_ARCH_PRCTL:
        if compat:
            return -EIO
        # cycle: skas.userspace -> kernel.ptrace -> arch.x86_64 -> arch.x86_64.process -> skas.userspace
        from arch.x86_64 import ptrace as view64
        return view64.arch_prctl(t, child, data, addr)
    return ptrace_request(t, child, request, addr, data, compat)


def ptrace_request(t, child, request, addr, data, compat):
    mm = t.mm
    word = 4 if compat else 8
    wfmt = "<I" if compat else "<Q"
    if request in (PTRACE_PEEKTEXT, PTRACE_PEEKDATA):
        got = ptrace_access_vm(t, child, addr, length=word)
        if len(got) != word:
            return -EIO
        copy_to_user(mm, data, got)
        return 0
    if request in (PTRACE_POKETEXT, PTRACE_POKEDATA):
        n = ptrace_access_vm(t, child, addr, struct.pack(wfmt, data & ((1 << (8 * word)) - 1)))
        return 0 if n == word else -EIO
    if request in (PTRACE_SETOPTIONS, PTRACE_OLDSETOPTIONS):
        err = check_ptrace_options(t, data)
        if err:
            return err
        child.ptrace_opts = data
        return 0
    if request == PTRACE_GETEVENTMSG:
        copy_to_user(mm, data, struct.pack(wfmt, child.ptrace_message & ((1 << (8 * word)) - 1)))
        return 0
    if request in (PTRACE_GETSIGINFO, PTRACE_SETSIGINFO, PTRACE_PEEKSIGINFO,
                   PTRACE_GETSIGMASK, PTRACE_SETSIGMASK):
        return _signal_request(t, child, request, addr, data)
    if request == PTRACE_INTERRUPT:
        return ptrace_interrupt(child)
    if request == PTRACE_LISTEN:
        return ptrace_listen(child)
    if request == PTRACE_DETACH:
        return ptrace_detach(child, data)
    if request in (PTRACE_SINGLESTEP, PTRACE_SINGLEBLOCK, PTRACE_SYSEMU,
                   PTRACE_SYSEMU_SINGLESTEP, PTRACE_SYSCALL, PTRACE_CONT):
        return ptrace_resume(child, request, data)
    if request == PTRACE_KILL:
        send_signal(child, SigInfo(SIGKILL, SI_USER, pid=t.tgid, uid=t.cred.uid), group=False)
        return 0
    if request in (PTRACE_GETREGSET, PTRACE_SETREGSET):
        return ptrace_regset(t, child, request, addr, data, compat)
    if request == PTRACE_GET_SYSCALL_INFO:
        return ptrace_get_syscall_info(t, child, addr, data)
    if request in (PTRACE_SECCOMP_GET_FILTER, PTRACE_SECCOMP_GET_METADATA):
        return _seccomp_request(t, child, request, addr, data)
    return -EIO


def _signal_request(t, child, request, addr, data):
    """The stop's siginfo (PTRACE_GET/SET/PEEKSIGINFO) and the tracee's
    blocked mask (PTRACE_GET/SETSIGMASK, whose addr is the mask's size)."""
    mm = t.mm
    if request == PTRACE_GETSIGINFO:
        if child.last_siginfo is None:
            return -EINVAL
        copy_to_user(mm, data, t.arch.pack_siginfo(child.last_siginfo))
        return 0
    if request == PTRACE_SETSIGINFO:
        raw = copy_from_user(mm, data, 128)
        if child.last_siginfo is None:
            return -EINVAL
        _set_siginfo(child.last_siginfo, unpack_siginfo(raw, t.arch.BITS, child.arch.BITS))
        return 0
    if request == PTRACE_PEEKSIGINFO:
        return ptrace_peek_siginfo(t, child, addr, data)
    if addr != 8:
        return -EINVAL
    if request == PTRACE_GETSIGMASK:
        mask = child.saved_sigmask if child.saved_sigmask is not None else child.blocked
        copy_to_user(mm, data, struct.pack("<Q", mask))
        return 0
    (mask,) = struct.unpack("<Q", copy_from_user(mm, data, 8))     # PTRACE_SETSIGMASK
    child.blocked = mask & ~UNBLOCKABLE
    child.saved_sigmask = None
    return 0


def ptrace_interrupt(child):
    """PTRACE_INTERRUPT (seized tracees only): a trap follows; a listening
    tracee re-traps at once."""
    if not child.ptrace & PT_SEIZED:
        return -EIO
    jobctl_set(child, JOBCTL_TRAP_STOP)
    if child.jobctl & JOBCTL_LISTENING and child.state == sched.TASK_TRACED:
        sched.wake_up_state(child, sched.TASK_TRACED)
    else:
        sched.signal_wake_up(child)
    return 0


def ptrace_listen(child):
    """PTRACE_LISTEN (seized tracees in a group-stop trap only): it stays
    stopped, but a later stop or trap notification is reported."""
    if not child.ptrace & PT_SEIZED:
        return -EIO
    si = child.last_siginfo
    if si is None or si.code >> 8 != PTRACE_EVENT_STOP:
        return -EIO
    child.jobctl |= JOBCTL_LISTENING
    if child.jobctl & JOBCTL_TRAP_NOTIFY:
        sched.wake_up_state(child, sched.TASK_TRACED)
    return 0


def _seccomp_request(t, child, request, addr, data):
    """PTRACE_SECCOMP_GET_FILTER (the classic BPF of the tracee's filter
    number addr, 0 the newest) and PTRACE_SECCOMP_GET_METADATA (its
    flags), for a privileged tracer without filters of its own."""
    if not capable(t, CAP_SYS_ADMIN) or t.seccomp_mode:
        return -EACCES
    if request == PTRACE_SECCOMP_GET_METADATA:
        if addr < 8:
            return -EINVAL
        (off,) = struct.unpack("<Q", copy_from_user(t.mm, data, 8))
    else:
        off = addr
    filter_off = off
    if child.seccomp_mode != SECCOMP_MODE_FILTER:
        return -EINVAL
    f = child.seccomp_filter
    while f is not None and off:
        f, off = f.prev, off - 1
    if f is None:
        return -ENOENT
    if request == PTRACE_SECCOMP_GET_METADATA:
        meta = struct.pack("<QQ", filter_off, SECCOMP_FILTER_FLAG_LOG if f.log else 0)
        size = min(addr, len(meta))
        copy_to_user(t.mm, data, meta[:size])
        return size
    if data:
        copy_to_user(t.mm, data, b"".join(struct.pack("<HBBI", *insn) for insn in f.prog))
    return len(f.prog)


def ptrace_regset(t, child, request, note, data, compat):
    mm = t.mm
    ifmt = "<II" if compat else "<QQ"
    isize = struct.calcsize(ifmt)
    base, length = struct.unpack(ifmt, copy_from_user(mm, data, isize))
    rs = _view(child).regsets(child).get(note & 0xFFFFFFFF)
    if rs is None or length % rs.size:
        return -EINVAL
    length = min(length, rs.length)
    if request == PTRACE_GETREGSET:
        copy_to_user(mm, base, rs.get(child)[:length])
    else:
        rs.set(child, copy_from_user(mm, base, length))
    copy_to_user(mm, data + isize // 2, struct.pack(ifmt[0] + ifmt[2], length))
    return 0


def syscall_arch(abi):
    return AUDIT_ARCH_X86_64 if abi.NAME == "x86_64" else AUDIT_ARCH_I386


def ptrace_get_syscall_info(t, child, size, data):
    regs = child.regs
    abi = child.syscall_abi if child.syscall_abi is not None else child.arch
    arch = child.arch
    op = PTRACE_SYSCALL_INFO_NONE
    si = child.last_siginfo
    code = si.code if si is not None else 0
    if code == SIGTRAP | 0x80:
        if child.ptrace_message == PTRACE_EVENTMSG_SYSCALL_ENTRY:
            op = PTRACE_SYSCALL_INFO_ENTRY
        elif child.ptrace_message == PTRACE_EVENTMSG_SYSCALL_EXIT:
            op = PTRACE_SYSCALL_INFO_EXIT
    elif code == SIGTRAP | (PTRACE_EVENT_SECCOMP << 8):
        op = PTRACE_SYSCALL_INFO_SECCOMP
    ip = arch.instruction_pointer(regs)
    sp = arch.stack_pointer(regs)
    info = struct.pack("<BBHIQQ", op, 0, 0, syscall_arch(abi if op else arch), ip, sp)
    if op in (PTRACE_SYSCALL_INFO_ENTRY, PTRACE_SYSCALL_INFO_SECCOMP):
        info += struct.pack("<Q6Q", abi.syscall_nr(regs), *abi.syscall_args(regs))
        if op == PTRACE_SYSCALL_INFO_SECCOMP:
            info += struct.pack("<I", child.ptrace_message & 0xFFFFFFFF)
    elif op == PTRACE_SYSCALL_INFO_EXIT:
        v = regs.rax
        if syscall_arch(abi) == AUDIT_ARCH_I386:
            e = s32(v)                 # a compat call's error is 32 bits wide
        else:
            e = v - (1 << 64) if v >> 63 else v
        err = -MAX_ERRNO <= e < 0              # IS_ERR_VALUE
        rval = e if err else (v - (1 << 64) if v >> 63 else v)
        info += struct.pack("<qB", rval, 1 if err else 0)
    copy_to_user(t.mm, data, info[:min(size, len(info))])
    return len(info)


# -- siginfo from a tracer ----------------------------------------------------------------------

def unpack_siginfo(raw, bits, target_bits):
    """A SigInfo from 128 bytes a tracer wrote (in its own layout).  The
    bytes themselves are kept when the tracee has the same layout, so the
    signal frame shows exactly them."""
    signo, errno, code = struct.unpack_from("<iii", raw, 0)
    off = 16 if bits == 64 else 12
    lp = "<Q" if bits == 64 else "<I"
    lsz = 8 if bits == 64 else 4
    info = SigInfo(signo, code)
    info.errno = errno
    if 0 < code < SI_KERNEL and signo in (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP):
        (info.addr,) = struct.unpack_from(lp, raw, off)
    elif 0 < code < SI_KERNEL and signo == SIGCHLD:
        info.pid, info.uid, info.status = struct.unpack_from("<iIi", raw, off)
        f = "<qq" if bits == 64 else "<ii"
        info.utime, info.stime = struct.unpack_from(f, raw, off + (16 if bits == 64 else 12))
    elif 0 < code < SI_KERNEL and signo == SIGSYS:
        (info.call_addr,) = struct.unpack_from(lp, raw, off)
        info.syscall, info.arch = struct.unpack_from("<iI", raw, off + lsz)
    elif code == SI_TIMER:
        info.timerid, info.overrun = struct.unpack_from("<ii", raw, off)
        (info.value,) = struct.unpack_from(lp, raw, off + 8)
    else:
        info.pid, info.uid = struct.unpack_from("<iI", raw, off)
        (info.value,) = struct.unpack_from(lp, raw, off + 8)
    if bits == target_bits:
        info.raw = bytes(raw)
    return info


def _set_siginfo(dst, src):
    for k in type(dst).__slots__:
        setattr(dst, k, getattr(src, k))


def ptrace_peek_siginfo(t, child, addr, data):
    """PTRACE_PEEKSIGINFO: copies of queued signals (struct
    ptrace_peeksiginfo_args {u64 off; u32 flags; s32 nr;} at addr)."""
    off, flags, nr = struct.unpack("<QIi", copy_from_user(t.mm, addr, 16))
    if flags & ~PTRACE_PEEKSIGINFO_SHARED or nr < 0:
        return -EINVAL
    pending = child.signal.shared_pending if flags & PTRACE_PEEKSIGINFO_SHARED else child.pending
    queue = pending.queue[off:off + nr] if off < 1 << 63 else []
    for i, info in enumerate(queue):
        copy_to_user(t.mm, data + 128 * i, t.arch.pack_siginfo(info))
    return len(queue)
