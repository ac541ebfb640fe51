"""kernel/signal.py - sending, blocking, and delivering signals.

Signal sets are Python ints with bit (sig - 1) set, like Linux's sigset_t.
Each thread has private pending signals (tkill, faults) and the thread group
shares another set (kill); standard signals queue at most once, real-time
signals queue every instance with its siginfo.

Delivery happens on the way back to user space (exit_to_user_mode in
skas/userspace.py calls do_signal): the next unblocked signal is taken
(a traced task's tracer sees it first, kernel/ptrace.py);
ignored ones vanish, default actions stop, continue or kill the whole
thread group (core-dumping signals are reported with WCOREDUMP), and a
handler gets a frame built by the subarch (arch/*/signal.py), after the
interrupted system call's restart has been decided.
"""

import struct

from kernel.abi import RLIMIT_SIGPENDING, s32
from kernel import sched, task as ktask
from kernel.task import PF_EXITING, tasks
from kernel.trace import strace as _strace
from kernel.errno import (EAGAIN, EINTR, EINVAL, ERESTART_RESTARTBLOCK, ERESTARTNOHAND,
                          ERESTARTNOINTR, ERESTARTSYS, EPERM, ESRCH, Errno)
from mm.uaccess import copy_from_user, copy_to_user

# the signal numbers live in kernel/abi.py; everyone may take them from here
from kernel.abi import (SIGABRT, SIGALRM, SIGBUS, SIGCHLD, SIGCONT, SIGFPE,  # noqa: F401
                        SIGHUP, SIGILL, SIGINT, SIGIO, SIGKILL, SIGPIPE, SIGPROF, SIGPWR,
                        SIGQUIT, SIGRTMIN, SIGSEGV, SIGSTKFLT, SIGSTOP, SIGSYS, SIGTERM,
                        SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGUSR1, SIGUSR2,
                        SIGVTALRM, SIGWINCH, SIGXCPU, SIGXFSZ, _NSIG)
from kernel.capability import CAP_KILL, cred_capable
import security.landlock.task as landlock

SIG_DFL, SIG_IGN = 0, 1
SA_NOCLDSTOP = 0x00000001
SA_NOCLDWAIT = 0x00000002
SA_SIGINFO = 0x00000004
SA_UNSUPPORTED = 0x00000400
SA_EXPOSE_TAGBITS = 0x00000800
SA_ONSTACK = 0x08000000
SA_RESTART = 0x10000000
SA_NODEFER = 0x40000000
SA_RESETHAND = 0x80000000
SA_RESTORER = 0x04000000

SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK = 0, 1, 2

# si_code values
SI_USER = 0
SI_KERNEL = 0x80
SI_QUEUE = -1
SI_TIMER = -2
SI_TKILL = -6
SEGV_MAPERR, SEGV_ACCERR = 1, 2
BUS_ADRALN, BUS_ADRERR, BUS_OBJERR = 1, 2, 3
ILL_ILLOPC, ILL_ILLOPN, ILL_PRVOPC = 1, 2, 5
FPE_INTDIV, FPE_INTOVF, FPE_FLTDIV, FPE_FLTOVF, FPE_FLTUND, FPE_FLTRES, \
    FPE_FLTINV, FPE_FLTSUB = range(1, 9)
TRAP_BRKPT, TRAP_TRACE = 1, 2
CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_TRAPPED, CLD_STOPPED, CLD_CONTINUED = range(1, 7)


def sigmask(sig):
    return 1 << (sig - 1)


ALL_SIGNALS = (1 << _NSIG) - 1
UNBLOCKABLE = sigmask(SIGKILL) | sigmask(SIGSTOP)
STOP_SIGNALS = sigmask(SIGSTOP) | sigmask(SIGTSTP) | sigmask(SIGTTIN) | sigmask(SIGTTOU)
IGNORE_DEFAULT = sigmask(SIGCHLD) | sigmask(SIGURG) | sigmask(SIGWINCH) | sigmask(SIGCONT)
COREDUMP_DEFAULT = (sigmask(SIGQUIT) | sigmask(SIGILL) | sigmask(SIGTRAP) | sigmask(SIGABRT)
                    | sigmask(SIGBUS) | sigmask(SIGFPE) | sigmask(SIGSEGV) | sigmask(SIGXCPU)
                    | sigmask(SIGXFSZ) | sigmask(SIGSYS))
SYNCHRONOUS = (sigmask(SIGSEGV) | sigmask(SIGBUS) | sigmask(SIGILL) | sigmask(SIGTRAP)
               | sigmask(SIGFPE) | sigmask(SIGSYS))


class SigInfo:
    """A kernel siginfo: the fields guests can see."""
    __slots__ = ("signo", "errno", "code", "pid", "uid", "status", "addr",
                 "value", "trapno", "utime", "stime", "timerid", "overrun",
                 "band", "fd", "syscall", "call_addr", "arch", "raw",
                 "timer", "timer_seq")

    def __init__(self, signo, code=SI_KERNEL, **kw):
        self.signo = signo
        self.errno = 0
        self.code = code
        self.pid = self.uid = self.status = self.addr = self.value = 0
        self.trapno = self.utime = self.stime = self.timerid = 0
        self.overrun = self.band = self.fd = 0
        self.syscall = self.call_addr = self.arch = 0
        self.raw = None                 # guest-provided bytes (rt_sigqueueinfo)
        self.timer = None               # the POSIX timer that sent it (kernel/posix_timers.py)
        self.timer_seq = 0
        for k, v in kw.items():
            setattr(self, k, v)


class SigPending:
    __slots__ = ("signal", "queue")

    def __init__(self):
        self.signal = 0                 # set of pending signal numbers
        self.queue = []                 # SigInfo, in arrival order

    def add(self, info):
        sig = info.signo
        if sig < SIGRTMIN and self.signal & sigmask(sig):
            return False                # a standard signal is pending once
        self.signal |= sigmask(sig)
        self.queue.append(info)
        if info.timer is not None:
            info.timer.queued = info
        return True

    def take(self, mask):
        """Dequeue the lowest-numbered pending signal not in mask.  A POSIX
        timer's signal learns its overrun count now, or is dropped if the
        timer was reset or deleted since it was queued."""
        while True:
            info = self._take(mask)
            if info is None or info.timer is None or info.timer.dequeued(info):
                return info

    def _take(self, mask):
        avail = self.signal & ~mask & ALL_SIGNALS
        if not avail:
            return None
        # synchronous (fault) signals first, as Linux does
        sync = avail & SYNCHRONOUS
        pick = sync or avail
        sig = (pick & -pick).bit_length()
        info = None
        for i, q in enumerate(self.queue):
            if q.signo == sig:
                info = self.queue.pop(i)
                break
        if not any(q.signo == sig for q in self.queue):
            self.signal &= ~sigmask(sig)
        return info or SigInfo(sig, SI_KERNEL)

    def flush(self, mask):
        self.signal &= ~mask
        keep = []
        for q in self.queue:
            if not mask & sigmask(q.signo):
                keep.append(q)
            elif q.timer is not None:
                q.timer.flushed()
        self.queue = keep


class SigAction:
    """One signal's action.  Never changed once made (a new one replaces
    it), so that SigHand copies, made at every fork, can share them."""
    __slots__ = ("handler", "flags", "restorer", "mask")

    def __init__(self, handler=SIG_DFL, flags=0, restorer=0, mask=0):
        self.handler = handler
        self.flags = flags
        self.restorer = restorer
        self.mask = mask

    def copy(self):
        return SigAction(self.handler, self.flags, self.restorer, self.mask)


_DEFAULT_ACTION = SigAction()


class SigHand:
    """Signal actions, shared by CLONE_SIGHAND threads."""

    def __init__(self):
        self.action = [_DEFAULT_ACTION] * (_NSIG + 1)
        self.count = 1
        self.signalfd_wqh = None            # made by the first signalfd (fs/signalfd.py)

    def copy(self):
        h = SigHand()
        h.action = list(self.action)        # the SigActions are immutable
        return h


def init_task_signals(t):
    t.pending = SigPending()
    if t.signal.shared_pending is None:
        t.signal.shared_pending = SigPending()
    if t.sighand is None:
        t.sighand = SigHand()


# -- queries ----------------------------------------------------------------------

def sig_ignored(t, sig):
    """Is sig discarded when sent?  Never while blocked (or awaited by
    sigtimedwait): the action may change before it is taken."""
    if (t.blocked | t.real_blocked) & sigmask(sig):
        return False
    return sig_handler_ignored(t.sighand.action[sig], sig)


def sig_handler_ignored(ka, sig):
    if ka.handler == SIG_IGN:
        return True
    return ka.handler == SIG_DFL and bool(IGNORE_DEFAULT & sigmask(sig))


def sig_fatal(t, sig):
    """Would sig's action kill the process?"""
    m = sigmask(sig)
    return (t.sighand.action[sig].handler == SIG_DFL
            and not m & (IGNORE_DEFAULT | STOP_SIGNALS)) or sig == SIGKILL


def signal_pending(t):
    if t.signal.group_exit or t.flags & PF_EXITING:
        return True
    return bool((t.pending.signal | t.signal.shared_pending.signal) & ~t.blocked)


# A pending group stop or ptrace trap (t.jobctl, kernel/ptrace.py) must make
# the task go through get_signal as a signal does, without the hot return
# path (skas/userspace.py _signal_work) looking anywhere new: it is a bit
# beyond the 64 signals in the task's pending set, never blocked, never
# dequeued (Linux's TIF_SIGPENDING, which signal_wake_up sets).  jobctl_set
# sets it; get_signal clears it once no such work is left.
JOBCTL_PENDING_MASK = 0x1E0000          # kernel/ptrace.py: stop pending, traps
JOBCTL_WORK = 1 << 64


def jobctl_set(t, bits):
    t.jobctl |= bits
    if bits & JOBCTL_PENDING_MASK:
        t.pending.signal |= JOBCTL_WORK


def fatal_signal_pending(t):
    return t.signal.group_exit or bool(t.pending.signal & sigmask(SIGKILL))




# -- sending --------------------------------------------------------------------

def _wants_signal(t, sig):
    if t.exit_state or t.flags & PF_EXITING or t.blocked & sigmask(sig):
        return False
    return sig == SIGKILL or t.state not in (sched.TASK_STOPPED, sched.TASK_TRACED)


def _unkillable(t, sig, force):
    """init ignores the signals it has no handler for, unless the kernel
    forces one on it (a fault)."""
    return t.tgid == 1 and t.sighand.action[sig].handler == SIG_DFL and not force


def _queued_for_user(uid):
    """How many signals wait queued for the processes of this real uid
    (what RLIMIT_SIGPENDING counts)."""
    n, seen = 0, set()
    for p in tasks.values():
        if p.cred.uid != uid:
            continue
        n += len(p.pending.queue)
        if id(p.signal) not in seen:
            seen.add(id(p.signal))
            n += len(p.signal.shared_pending.queue)
    return n


def send_signal(t, info, group=True, force=False):
    """Queue a signal for t (group=True: for its whole thread group)."""
    sig = info.signo
    sigs = t.signal
    if sigs.group_exit:
        return 0
    if group:
        if all(th.flags & PF_EXITING for th in t.thread_group()):
            return 0
    elif t.exit_state or t.flags & PF_EXITING:
        return 0
    if _unkillable(t, sig, force):
        return 0
    if sig == SIGKILL or sig == SIGCONT:
        # SIGCONT (and SIGKILL) wake a stopped group and cancel stops
        for th in t.thread_group():
            th.pending.flush(STOP_SIGNALS)
        sigs.shared_pending.flush(STOP_SIGNALS)
        # cycle: kernel.jobctl -> kernel.signal
        from kernel import jobctl
        jobctl.do_continue(t, notify=(sig == SIGCONT))
    elif STOP_SIGNALS & sigmask(sig):
        for th in t.thread_group():
            th.pending.flush(sigmask(SIGCONT))
        sigs.shared_pending.flush(sigmask(SIGCONT))
    # ignored signals are dropped at once (unless blocked: they may be
    # unignored before they are unblocked); a tracer sees them all (the
    # built-in strace=, or a traced task's tracer: kernel/ptrace.py)
    if sig_ignored(t, sig) and sig != SIGKILL and not _strace.enabled and not t.ptrace:
        return 0
    pending = sigs.shared_pending if group else t.pending
    if sig >= SIGRTMIN and info.code != SI_USER and info.timer is None \
            and _queued_for_user(t.cred.uid) >= t.signal.rlim[RLIMIT_SIGPENDING][0]:
        return -EAGAIN              # RLIMIT_SIGPENDING: a queued real-time signal overflows
    if not pending.add(info):
        return 0
    wq = t.sighand.signalfd_wqh
    if wq is not None:
        wq.wake_up(POLLIN_EVENTS)      # signalfds of the process (fs/signalfd.py)
    complete_signal(t, sig, group)
    return 0


POLLIN_EVENTS = 0x1 | 0x40              # POLLIN | POLLRDNORM


def complete_signal(t, sig, group):
    """A signal was queued: find a thread that can take it now and wake it;
    a fatal default action ends the whole thread group at once."""
    # cycle: kernel.exit -> kernel.signal
    from kernel import exit as kexit
    if _wants_signal(t, sig):
        target = t
    elif not group:
        return                          # stays pending for this thread
    else:
        target = next((th for th in t.thread_group() if _wants_signal(th, sig)), None)
        if target is None:
            return                      # every thread blocks it
    if sig_fatal(t, sig) and not target.real_blocked & sigmask(sig) \
            and not COREDUMP_DEFAULT & sigmask(sig) \
            and (sig == SIGKILL or not (_strace.enabled or t.ptrace)):
        # (a tracer sees a fatal signal first, but SIGKILL)
        kexit.start_group_exit(t, sig)
        return
    sched.signal_wake_up(target, fatal=(sig == SIGKILL))


def force_sig_info(t, info):
    """A signal the task cannot refuse (a fault): unblock and un-ignore it."""
    sig = info.signo
    ka = t.sighand.action[sig]
    blocked = t.blocked & sigmask(sig)
    if ka.handler == SIG_IGN or blocked:
        t.sighand.action[sig] = SigAction(SIG_DFL, ka.flags & ~SA_RESETHAND, ka.restorer, ka.mask)
        t.blocked &= ~sigmask(sig)
    return send_signal(t, info, group=False, force=True)


def force_sig(t, sig):
    return force_sig_info(t, SigInfo(sig, SI_KERNEL))


def kill_pid_info(sender, t, sig, info=None, group=True):
    if sig < 0 or sig > _NSIG:
        raise Errno(EINVAL)
    if not check_kill_permission(sender, t, sig):
        raise Errno(EPERM)
    if sig == 0:
        return 0
    if info is None:
        info = SigInfo(sig, SI_USER if group else SI_TKILL,
                       pid=sender.tgid if sender else 0,
                       uid=sender.cred.uid if sender else 0)
    return send_signal(t, info, group)


def check_kill_permission(sender, t, sig):
    if sender is None:
        return True
    return _kill_ok_by_cred(sender, t, sig) and landlock.task_kill(sender, t)


def _kill_ok_by_cred(sender, t, sig):
    c, tc = sender.cred, t.cred
    if cred_capable(c, CAP_KILL):
        return True
    if sig == SIGCONT and sender.signal.session == t.signal.session:
        return True
    return c.euid in (tc.uid, tc.suid) or c.uid in (tc.uid, tc.suid)


# -- delivery ---------------------------------------------------------------------

def get_signal(t):
    """Take the next deliverable signal: (sig, info, action) or None.
    Default actions (ignore, stop, terminate) are carried out here.

    A generator: a traced task stops in it (kernel/ptrace.py) - for a
    pending group stop or trap, when it takes a signal (the tracer may
    change or cancel it) and before it dies.  Nobody else ever yields."""
    # cycle: kernel.exit -> kernel.signal
    from kernel import exit as kexit
    # cycle: kernel.jobctl -> kernel.signal
    from kernel import jobctl
    # cycle: kernel.ptrace -> kernel.signal -> kernel.ptrace
    from kernel import ptrace
    while True:
        if t.signal.group_exit:
            kexit.do_exit(t, t.signal.group_exit_code)
            return None
        if t.jobctl & JOBCTL_PENDING_MASK:
            if t.jobctl & ptrace.JOBCTL_STOP_PENDING and jobctl.do_signal_stop(t, 0):
                return None
            if t.jobctl & ptrace.JOBCTL_TRAP_MASK:
                yield from ptrace.do_jobctl_trap(t)
                continue
        elif t.pending.signal & JOBCTL_WORK:
            t.pending.signal &= ~JOBCTL_WORK    # done with job control
        shared = False
        info = t.pending.take(t.blocked)
        if info is None:
            info = t.signal.shared_pending.take(t.blocked)
            shared = True
        if info is None:
            return None
        if _strace.enabled:
            _strace.signal_delivered(t, info)
        sig = info.signo
        m = sigmask(sig)
        if m & STOP_SIGNALS:
            t.jobctl |= ptrace.JOBCTL_STOP_DEQUEUED     # (not work: no jobctl_set)
        if t.ptrace and sig != SIGKILL:
            sig, info = yield from ptrace.ptrace_signal(t, sig, info, shared)
            if not sig:
                continue
            m = sigmask(sig)
        ka = t.sighand.action[sig]
        if ka.handler == SIG_IGN:
            continue
        if ka.handler != SIG_DFL:
            return sig, info, ka
        if m & IGNORE_DEFAULT:
            continue
        if m & STOP_SIGNALS:
            if sig != SIGSTOP and jobctl.is_orphaned_pgrp(t):
                continue
            if jobctl.do_signal_stop(t, sig):
                return None                 # stopped (a tracee traps instead)
            continue
        # terminate; the core signals write a core file first when
        # RLIMIT_CORE allows one, and only then report WCOREDUMP
        core = False
        if m & COREDUMP_DEFAULT:
            # cycle: fs.coredump -> fs.proc.array -> kernel.signal
            from fs.coredump import do_coredump
            core = do_coredump(t, info)
        kexit.start_group_exit(t, sig, core=core)
        if t.ptrace:
            yield from ptrace.exit_stop(t, t.signal.group_exit_code)
        kexit.do_exit(t, t.signal.group_exit_code)
        return None


def do_signal(t):
    """On the way back to user space: deliver the pending signals, deciding
    the fate of an interrupted system call.  Returns True if regs changed.

    Like Linux, every signal that can be delivered now gets its frame
    before the task runs again: the frames nest, so the handler of the last
    one taken runs first and returns into the previous one.

    A traced task may stop for its tracer part way: the rest of the
    delivery then becomes its kernel stack, resumed when the tracer lets
    it go (and the task is not runnable now)."""
    gen = _do_signal(t)
    try:
        sl = gen.send(None)
    except StopIteration as e:
        return e.value
    # cycle: kernel.syscall -> kernel.exit -> kernel.signal -> kernel.syscall
    from kernel.syscall import KSTACK_DONE

    def rest():
        yield from gen
        return KSTACK_DONE
    t.kstack = rest()
    sched.sleep_on(t, sl)
    return False


def _do_signal(t):
    handled = False
    while True:
        res = yield from get_signal(t)
        if t.exit_state or t.flags & PF_EXITING:
            return False
        if res is None:
            break
        handle_signal(t, *res)
        handled = True
        if t.syscall_work:
            # cycle: kernel.ptrace -> kernel.signal -> kernel.ptrace
            from kernel.ptrace import signal_delivered_step
            yield from signal_delivered_step(t)
        if not signal_pending(t):
            return True
    if handled:
        return True
    return _no_handler(t)


def handle_signal(t, sig, info, ka):
    """Set up the frame for one handler and block what it asks for."""
    arch = t.arch
    if t.in_syscall is not None:
        _restart_syscall(t, ka)
    t.in_syscall = None
    oldset = t.saved_sigmask if t.saved_sigmask is not None else t.blocked
    t.saved_sigmask = None
    if not arch.setup_rt_frame(t, sig, info, ka, oldset):
        force_sigsegv(t, sig)
        return
    if ka.flags & SA_RESETHAND:
        t.sighand.action[sig] = SigAction(SIG_DFL, ka.flags, ka.restorer, ka.mask)
    mask = ka.mask
    if not ka.flags & SA_NODEFER:
        mask |= sigmask(sig)
    set_current_blocked(t, t.blocked | mask)


def force_sigsegv(t, sig):
    """The frame for sig could not be written: SIGSEGV, and if that was
    SIGSEGV already, one that cannot be handled."""
    if sig == SIGSEGV:
        t.sighand.action[SIGSEGV] = SigAction()
    force_sig(t, SIGSEGV)


def _no_handler(t):
    arch = t.arch
    regs_changed = False
    # no handler runs: restart the call transparently if it asked to be
    if t.in_syscall is not None:
        ret = arch.syscall_return(t.regs)
        if ret in (-ERESTARTSYS, -ERESTARTNOHAND, -ERESTARTNOINTR):
            arch.restart_syscall(t.regs)
            regs_changed = True
        elif ret == -ERESTART_RESTARTBLOCK:
            arch.restart_syscall(t.regs, restart_block=True)
            regs_changed = True
        t.in_syscall = None
    if t.saved_sigmask is not None:         # sigsuspend & co, no handler ran
        t.blocked = t.saved_sigmask
        t.saved_sigmask = None
    return regs_changed


def _restart_syscall(t, ka):
    arch = t.arch
    ret = arch.syscall_return(t.regs)
    if ret in (-ERESTARTNOHAND, -ERESTART_RESTARTBLOCK):
        arch.set_syscall_return(t.regs, -EINTR)
    elif ret == -ERESTARTSYS:
        if ka.flags & SA_RESTART:
            arch.restart_syscall(t.regs)
        else:
            arch.set_syscall_return(t.regs, -EINTR)
    elif ret == -ERESTARTNOINTR:
        arch.restart_syscall(t.regs)
    else:
        return False
    return True


def set_current_blocked(t, mask):
    t.blocked = mask & ~UNBLOCKABLE


# -- system calls -------------------------------------------------------------------

def _read_sigset(t, addr, size):
    if size != 8 and not (t.arch.BITS == 32 and size == 8):
        raise Errno(EINVAL)
    return int.from_bytes(copy_from_user(t.mm, addr, 8), "little")


def _write_sigset(t, addr, mask):
    copy_to_user(t.mm, addr, (mask & ALL_SIGNALS).to_bytes(8, "little"))


def sys_rt_sigprocmask(t, how, nset, oset, sigsetsize):
    if sigsetsize != 8:
        return -EINVAL
    old = t.blocked
    if nset:
        new = _read_sigset(t, nset, 8)
        how &= 0xFFFFFFFF
        if how == SIG_BLOCK:
            set_current_blocked(t, old | new)
        elif how == SIG_UNBLOCK:
            set_current_blocked(t, old & ~new)
        elif how == SIG_SETMASK:
            set_current_blocked(t, new)
        else:
            return -EINVAL
    if oset:
        _write_sigset(t, oset, old)
    return 0


def sys_rt_sigaction(t, sig, act, oact, sigsetsize):
    if sigsetsize != 8:
        return -EINVAL
    sig = sig & 0xFFFFFFFF
    if sig < 1 or sig > _NSIG:
        return -EINVAL
    arch = t.arch
    ka = t.sighand.action[sig]
    new = arch.read_sigaction(t, act) if act else None
    if new is not None and sig in (SIGKILL, SIGSTOP):
        return -EINVAL
    if oact:
        arch.write_sigaction(t, oact, ka)
    if new is not None:
        new.mask &= ~UNBLOCKABLE            # a fresh object: ours to adjust
        t.sighand.action[sig] = new
        # setting SIG_IGN (or a default-ignore) discards what is pending
        if sig_handler_ignored(new, sig):
            for th in t.thread_group():
                th.pending.flush(sigmask(sig))
            t.signal.shared_pending.flush(sigmask(sig))
    return 0


def sys_rt_sigpending(t, uset, sigsetsize):
    if sigsetsize > 8:
        return -EINVAL
    pend = (t.pending.signal | t.signal.shared_pending.signal) & t.blocked
    copy_to_user(t.mm, uset, pend.to_bytes(8, "little")[:sigsetsize])
    return 0


def sys_kill(t, pid, sig):
    pid = s32(pid)
    sig = s32(sig)
    if sig < 0 or sig > _NSIG:
        return -EINVAL
    if pid > 0:
        target = ktask.find_task(pid)
        if target is None or target.tgid != pid and target.group_leader.pid != pid:
            target = ktask.find_task(pid)
            if target is None:
                return -ESRCH
        return kill_pid_info(t, target.group_leader, sig)
    # process groups and "everyone"
    if pid == 0:
        pgrp = t.signal.pgrp
    elif pid == -1:
        pgrp = None
    else:
        pgrp = -pid
    sent = 0
    err = -ESRCH
    for target in list(ktask.tasks.values()):
        if target.group_leader is not target or target.exit_state:
            continue
        if pgrp is None:
            if target.tgid == 1 or target.tgid == t.tgid:
                continue
        elif target.signal.pgrp != pgrp:
            continue
        try:
            kill_pid_info(t, target, sig)
            sent += 1
        except Errno as e:
            err = -e.errno
    return 0 if sent else err


def _tkill(t, tgid, tid, sig):
    if tid <= 0:
        return -EINVAL
    target = ktask.find_task(tid)
    if target is None or (tgid > 0 and target.tgid != tgid):
        return -ESRCH
    return kill_pid_info(t, target, sig, group=False)


def sys_tkill(t, tid, sig):
    return _tkill(t, -1, s32(tid), s32(sig))


def sys_tgkill(t, tgid, tid, sig):
    tgid = s32(tgid)
    if tgid <= 0:
        return -EINVAL
    return _tkill(t, tgid, s32(tid), s32(sig))



# -- waiting for signals ----------------------------------------------------------

def _wait_for_signal(t):
    """Sleep until a signal is pending (pause, sigsuspend)."""
    while not signal_pending(t):
        yield sched.Sleep(())
    return -ERESTARTNOHAND


def sys_pause(t):
    return _wait_for_signal(t)


def sys_rt_sigsuspend(t, unewset, sigsetsize):
    """Wait with a temporary mask; the old one comes back when a handler
    returns (it is saved in the frame) or at once if none runs."""
    if sigsetsize != 8:
        return -EINVAL
    new = _read_sigset(t, unewset, 8)
    t.saved_sigmask = t.blocked
    set_current_blocked(t, new)
    return _wait_for_signal(t)


def dequeue_signal(t, mask):
    """Take the next pending signal not in mask: the thread's own first,
    then the process's."""
    info = t.pending.take(mask)
    if info is None:
        info = t.signal.shared_pending.take(mask)
    return info


def copy_siginfo_to_user(t, addr, info):
    copy_to_user(t.mm, addr, t.arch.pack_siginfo(info))


def sys_rt_sigtimedwait(t, uthese, uinfo, uts, sigsetsize):
    # cycle: kernel.time -> kernel.signal
    from kernel.time import get_timespec
    if sigsetsize != 8:
        return -EINVAL
    these = _read_sigset(t, uthese, 8) & ~UNBLOCKABLE
    timeout = get_timespec(t, uts) if uts else None
    info = dequeue_signal(t, ~these & ALL_SIGNALS)
    if info is not None:
        return _sigtimedwait_done(t, uinfo, info)
    if timeout == 0:
        return -EAGAIN
    return _sigtimedwait_sleep(t, uinfo, these, timeout)


def _sigtimedwait_sleep(t, uinfo, these, timeout):
    deadline = None if timeout is None else sched.now() + timeout / 1e9
    # the awaited signals may wake us while we sleep: unblock them, and
    # remember the real mask so that they still count as blocked for
    # the "is it ignored?" test (sig_ignored)
    t.real_blocked = t.blocked
    t.blocked &= ~these
    try:
        while not signal_pending(t):
            if deadline is not None and sched.now() >= deadline:
                break
            yield sched.Sleep((), deadline)
    finally:
        t.blocked = t.real_blocked
        t.real_blocked = 0
    info = dequeue_signal(t, ~these & ALL_SIGNALS)
    if info is not None:
        return _sigtimedwait_done(t, uinfo, info)
    if deadline is not None and sched.now() >= deadline and not signal_pending(t):
        return -EAGAIN
    return -EINTR


def _sigtimedwait_done(t, uinfo, info):
    if uinfo:
        copy_siginfo_to_user(t, uinfo, info)
    return info.signo


def _siginfo_from_user(t, uinfo, sig):
    raw = bytearray(copy_from_user(t.mm, uinfo, 128))
    code = struct.unpack_from("<i", raw, 8)[0]
    struct.pack_into("<i", raw, 0, sig)
    # the kill/rt fields, read in the sender's layout, for readers that
    # repack them (signalfd)
    if t.arch.BITS == 32:
        pid, uid, value = struct.unpack_from("<iII", raw, 12)
    else:
        pid, uid, value = struct.unpack_from("<iIQ", raw, 16)
    return SigInfo(sig, code, raw=bytes(raw), pid=pid, uid=uid, value=value)


def _queueinfo_allowed(t, target, info):
    # only the kernel may claim to be the kernel or tkill
    return not ((info.code >= 0 or info.code == SI_TKILL) and target.tgid != t.tgid)


def sys_rt_sigqueueinfo(t, pid, sig, uinfo):
    pid, sig = s32(pid), s32(sig)
    info = _siginfo_from_user(t, uinfo, sig)
    target = ktask.find_task(pid) if pid > 0 else None
    if target is None:
        return -ESRCH
    if not _queueinfo_allowed(t, target, info):
        return -EPERM
    return kill_pid_info(t, target.group_leader, sig, info)


def sys_rt_tgsigqueueinfo(t, tgid, tid, sig, uinfo):
    tgid, tid, sig = s32(tgid), s32(tid), s32(sig)
    if tgid <= 0 or tid <= 0:
        return -EINVAL
    info = _siginfo_from_user(t, uinfo, sig)
    target = ktask.find_task(tid)
    if target is None or target.tgid != tgid:
        return -ESRCH
    if not _queueinfo_allowed(t, target, info):
        return -EPERM
    return kill_pid_info(t, target, sig, info, group=False)
