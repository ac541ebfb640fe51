"""skas/userspace.py - running a guest task: the userspace() loop.

userspace(t) resumes t's host process with PTRACE_SYSEMU and handles
whatever stops it, until t sleeps, exits or is preempted:

 - a system call stop (SIGTRAP|0x80): registers are read, the call is
   dispatched (kernel/syscall.py) and the result written back.  Every guest
   system call stops here, the host executes none of them.
 - SIGSEGV: a page fault.  The host signal is delivered to the stub's
   handler, which copies the fault information into the data page and
   stops (int3).  The kernel resolves the fault (mm/fault.py) and leaves
   the new mappings in the data page; the handler runs them, raises its
   blocked return signal and calls rt_sigreturn.  That restores every
   register, %rcx included, from the sigcontext, and the return signal stops
   the process right after it, back in SYSEMU mode (arch_finish_segv).
   Three host stops per fault, the mappings included.
 - SIGVTALRM: the preemption tick (the stub's ITIMER_VIRTUAL).
 - SIGTRAP, SIGILL, SIGFPE, SIGBUS: hardware exceptions of the guest,
   handed to it as the same signal with the host's siginfo (an int3, or
   a single step: a guest debugger has the host step the guest with
   PTRACE_SYSEMU_SINGLESTEP, t.resume_request, kernel/ptrace.py).

Before resuming, pending signals are delivered (kernel/signal.py), the host
address space is brought in line with the page tables (mm/tlb.py), and the
task's registers are loaded if the host thread holds another's.
"""

import os
import time

from kernel.abi import SIGBUS, SIGFPE, SIGILL, SIGSYS, SIGTRAP, SIGVTALRM
from kernel import sched, sys as ksys, task as ktask, time as ktime
from kernel.printk import pr_err
from kernel.signal import (SIGKILL, SIGSEGV, SigInfo, do_signal,
                           force_sig_info, PF_EXITING)
from kernel.ptrace import trace_syscall
from kernel.syscall import do_syscall, run_kstack
from kernel.posix_cpu_timers import RLIMIT_CPU, check_rlimit_cpu
from kernel.task import RLIM_INFINITY
from kernel.time import account_cpu
from mm import physmem as _pm
from mm.fault import handle_page_fault
from mm.tlb import flush_ops, flush_tlb_mm
from skas import fpu, ptrace
from skas.mem import StubError, check_batch, write_batch
from skas.ptrace import Stats
from kernel.errno import ENOSYS, Errno
from kernel.exit import do_exit, start_group_exit
from skas.process import live_pids

VSYSCALL_PAGE = 0xFFFFFFFFFF600000
SYSCALL_STOP = SIGTRAP | 0x80
PTRACE_SYSEMU = ptrace.PTRACE_SYSEMU
PTRACE_CONT = ptrace.PTRACE_CONT

_getregs = ptrace.getregs
_setregs = ptrace.setregs
_getregs_at = ptrace.getregs_at
_setregs_at = ptrace.setregs_at
_resume = ptrace.resume
_waitpid = os.waitpid
_WALL = ptrace.__WALL
_now = time.monotonic


def _signal_work(t):
    if t.signal.group_exit:
        return True
    return bool((t.pending.signal | t.signal.shared_pending.signal) & ~t.blocked) \
        or t.saved_sigmask is not None


def fetch_regs(t):
    """Make t.regs current (read from the host thread if t is loaded)."""
    if not t.regs_valid:
        ctx = t.mm.context
        if ctx.loaded_task is t:
            _getregs(ctx.pid, t.regs)
        t.regs_valid = True


def switch_to(ctx, t):
    """Load t's registers, and its FP state if another thread's is there.
    The two are tracked apart: a stub batch clobbers the general registers
    (ctx.loaded_task is cleared) but leaves the FP state alone."""
    prev = ctx.loaded_task
    if prev is not None and prev is not t and prev.mm is t.mm and not prev.exit_state:
        fetch_regs(prev)
    if t.arch.load_tls is not None:
        t.arch.load_tls(ctx, t)            # i386: the GDT TLS entries are per thread
    _setregs(ctx.pid, t.regs)
    if t.debugregs is not None or ctx.dr7_loaded:
        # cycle: skas.userspace -> arch.x86_64 -> arch.x86_64.process -> skas.userspace
        from arch.x86_64.debugreg import load_debugregs
        load_debugregs(ctx, t)          # a debugger's hardware breakpoints
    ctx.loaded_task = t
    owner = ctx.fpu_task
    if owner is not t:
        if owner is not None and owner.mm is t.mm and not owner.exit_state:
            fpu.save_fpu(owner)
        fpu.restore_fpu(t)
        ctx.fpu_task = t


def exit_to_user_mode(t):
    """Deliver signals; returns False if t must not go back to user space."""
    if _signal_work(t):
        fetch_regs(t)
        do_signal(t)
    return t.state == sched.TASK_RUNNING and not t.flags & PF_EXITING


def userspace(t):
    """Run t until it sleeps or exits (returns False) or is preempted
    (returns True)."""
    while True:
        if not exit_to_user_mode(t):
            return False
        if sched.need_resched:
            return True
        mm = t.mm
        ctx = mm.context
        pid = ctx.pid
        try:
            if mm.tlb_ranges or mm.pending_unmaps:
                flush_tlb_mm(mm)
            if t.cpu_faulting != ctx.cpu_faulting:
                # cycle: arch.x86 -> kernel.fork -> skas.userspace
                from arch.x86.cpu_faulting import sync_host
                sync_host(ctx, t)       # runs the stub: t's registers reload
            if ctx.loaded_task is not t:
                switch_to(ctx, t)
            elif t.regs_dirty:
                _setregs_at(pid, t.regs_addr)
            t.regs_dirty = False
            t.regs_valid = False
            t.in_syscall = None         # its restart, if any, is decided
            start = _now()
            _resume(t.resume_request, pid, 0)   # SYSEMU; _SINGLESTEP for a debugger
            status = _waitpid(pid, _WALL)[1]
            Stats.stops += 1
            stop = _now()
            t.utime += stop - start
            if t.signal.cpu_itimers:
                account_cpu(t, stop - start)
            if t.signal.rlim[RLIMIT_CPU][0] != RLIM_INFINITY:
                check_rlimit_cpu(t)
        except StubError as e:
            mm_broken(t, e)
            return False
        if status & 0xFF != 0x7F:                       # not stopped: gone
            host_process_died(t, status)
            return False
        sig = status >> 8
        if sig == SYSCALL_STOP:
            regs = t.regs
            _getregs_at(pid, t.regs_addr)
            t.regs_valid = True
            Stats.syscalls += 1
            if ctx.stub.start <= regs.rip < ctx.stub.end:
                mm_broken(t, StubError("system call from inside the stub at %#x" % regs.rip))
                return False
            if t.syscall_work:
                trace_syscall(t, t.arch.syscall_abi(t))     # a tracer watches
            else:
                do_syscall(t, t.arch.syscall_abi(t))
            t.stime += _now() - stop
            sched.housekeeping()
            if t.kstack is not None:
                return False
            continue
        try:
            if sig == SIGSEGV:
                segv(t, ctx)
                if t.kstack is not None:        # a userfault: it sleeps
                    if not run_kstack(t):
                        return False
                    continue
            elif sig == SIGVTALRM:
                sched.tick()
            elif sig in (SIGTRAP, SIGILL, SIGFPE, SIGBUS):
                hardware_signal(t, ctx, sig)
            elif sig == SIGSYS:
                seccomp_trap(t, ctx)
            else:
                # a stray host signal (not from a guest: guests cannot send
                # host signals); it is dropped by resuming with signal 0
                pass
        except StubError as e:
            mm_broken(t, e)
            return False
        sched.housekeeping()


def segv(t, ctx):
    """A host SIGSEGV: a guest page fault, through the stub's handler."""
    pid = ctx.pid
    stub = ctx.stub
    Stats.faults += 1
    # The data page is guest-writable memory: whatever the kernel reads back
    # from it is checked.  The frame pointer is cleared first, so that only
    # the handler having run now makes it valid.
    q = _pm.physmem.q
    base = ctx.data_off >> 3
    q[base + (stub.off_uc >> 3)] = 0
    _resume(PTRACE_CONT, pid, SIGSEGV)
    ctx.wait_stub_trap()
    cr2 = q[base + (stub.off_cr2 >> 3)]
    err = q[base + (stub.off_error_code >> 3)] & 0xFFFF     # the hardware's bits
    trapno = q[base + (stub.off_trap_no >> 3)]
    uc = q[base + (stub.off_uc >> 3)]
    if not stub.stack <= uc < stub.stack_top:
        raise StubError("fault frame outside the stub stack (%#x)" % uc)
    if trapno > 31:
        raise StubError("fault with impossible trap number %#x" % trapno)
    mm = t.mm
    info = handle_page_fault(t, cr2, err, trapno)
    # what does not fit in the handler's batch stays pending: the userspace
    # loop flushes it before the guest runs again
    ops = flush_ops(mm, stub.max_records)
    arch_finish_segv(t, ctx, ops)
    if info is not None:
        if info.signo == SIGKILL:
            start_group_exit(t, SIGKILL)
        else:
            force_sig_info(t, info)


def arch_finish_segv(t, ctx, ops):
    """Let the handler apply ops and rt_sigreturn to the faulting context;
    the stub's return signal stops it right after."""
    write_batch(ctx, ops)
    ctx.write_host_pid()
    pid = ctx.pid
    _resume(PTRACE_CONT, pid, 0)
    while True:
        status = _waitpid(pid, _WALL)[1]
        Stats.stops += 1
        if status & 0xFF != 0x7F:
            raise StubError("host process %d died leaving a fault (status %#x)" % (pid, status))
        sig = status >> 8
        if sig == ctx.stub.return_signal:
            break
        if sig == SIGVTALRM:
            sched.tick()
            _resume(PTRACE_CONT, pid, 0)
            continue
        raise StubError("signal %d while leaving a fault" % sig)
    check_batch(ctx, ops)


# the x86 trap behind each exception signal (the host's siginfo does not
# carry it; the guest's sigcontext does)
X86_TRAP_DB, X86_TRAP_BP, X86_TRAP_UD, X86_TRAP_DE, X86_TRAP_AC, X86_TRAP_XF = 1, 3, 6, 0, 17, 19
_FPE_INTDIV, _FPE_INTOVF, _SI_KERNEL = 1, 2, 0x80


def _trap_number(sig, code):
    if sig == SIGFPE:
        return X86_TRAP_DE if code in (_FPE_INTDIV, _FPE_INTOVF) else X86_TRAP_XF
    if sig == SIGILL:
        return X86_TRAP_UD
    if sig == SIGTRAP:
        return X86_TRAP_BP if code == _SI_KERNEL else X86_TRAP_DB
    return X86_TRAP_AC                                      # SIGBUS


def hardware_signal(t, ctx, sig):
    """The guest raised a CPU exception: it gets the same signal, and its
    sigcontext the trap number (error code 0), as Linux's do_trap sets."""
    hinfo = ptrace.getsiginfo(ctx.pid)
    info = SigInfo(sig, hinfo.si_code, addr=hinfo.si_addr)
    if hinfo.si_code <= 0:
        # sent by someone on the host, not raised by the guest: drop it
        return
    t.fault_trapno = _trap_number(sig, hinfo.si_code)
    t.fault_err = 0
    if sig == SIGTRAP and hinfo.si_code in (2, 4):          # TRAP_TRACE, TRAP_HWBKPT
        # cycle: skas.userspace -> arch.x86_64 -> arch.x86_64.process -> skas.userspace
        from arch.x86_64.debugreg import debug_trap
        debug_trap(t, ctx, hinfo.si_code)
    force_sig_info(t, info)


def seccomp_trap(t, ctx):
    """The stub's seccomp filter stopped a host system call that did not
    come from the stub.  The only legitimate source is the host's emulation
    of a [vsyscall] page call (gettimeofday, time, getcpu): the host has
    already made the guest "return" from it with -ENOSYS, and the kernel now
    gives the real answer.  Anything else means guest code ran outside
    SYSEMU: the address space is not to be trusted."""
    info = ptrace.getsiginfo(ctx.pid)
    nr = ptrace.siginfo_syscall(info)
    if info.si_code != 1 or not VSYSCALL_PAGE <= info.si_addr < VSYSCALL_PAGE + 4096:
        raise StubError("host system call %d from guest code at %#x" % (nr, info.si_addr))
    fetch_regs(t)
    regs = t.regs
    Stats.vsyscalls += 1
    try:
        if nr == 96:
            ret = ktime.sys_gettimeofday(t, regs.rdi, regs.rsi)
        elif nr == 201:
            ret = ktime.sys_time(t, regs.rdi)
        elif nr == 309:
            ret = ksys.sys_getcpu(t, regs.rdi, regs.rsi, regs.rdx)
        else:
            ret = -ENOSYS
    except Errno:
        force_sig_info(t, SigInfo(SIGSEGV, 1, addr=regs.rdi))
        return
    t.arch.set_syscall_return(regs, ret)
    t.regs_dirty = True


def mm_broken(t, err):
    """The host process of t's mm failed: every task using it dies."""
    mm = t.mm
    pr_err("pyuml: address space of pid %d is broken: %s" % (t.pid, err))
    if mm is not None and mm.context is not None:
        mm.context.dead = True
    for other in list(ktask.tasks.values()):
        if other.mm is mm and not other.exit_state:
            start_group_exit(other, SIGKILL)
            if other is not t:
                sched.signal_wake_up(other, fatal=True)
    do_exit(t, SIGKILL)


def host_process_died(t, status):
    if os.WIFSIGNALED(status):
        why = "killed by host signal %d" % os.WTERMSIG(status)
    else:
        why = "exited with %d" % os.WEXITSTATUS(status)
    live_pids.discard(t.mm.context.pid)
    mm_broken(t, StubError("host process %d %s" % (t.mm.context.pid, why)))
