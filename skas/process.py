"""skas/process.py - the host process behind each mm.

start_userspace() gives a new mm its host process.  The first one of each
subarch (the "template") is exec'd from the stub binary under PTRACE_TRACEME
with PTRACE_O_EXITKILL, so no host process can outlive the kernel; stub_init
then empties its address space.  Every later host process is forked by the
stub of an existing one, inside a stub batch:

 - a new, empty mm (execve) forks from the template, which never holds guest
   pages;
 - a guest fork() forks from the parent's own host process, in the same batch
   that write-protects the parent's private pages: the child inherits every
   mapping already copy-on-write, and nothing has to be mapped for it.

The child, auto-attached by PTRACE_O_TRACEFORK, runs stub_init to move its
data and stack pages onto its own physmem frames before it ever runs guest
code.

Host processes are only ever killed here (kill_userspace), by pid, and always
reaped.
"""

import ctypes
import os
import signal
import time

from mm import physmem as _pm
from mm.physmem import PAGE_SHIFT
from skas import host_vdso, ptrace
from skas.mem import StubError, run_syscall_stub

SIGVTALRM = signal.SIGVTALRM
SIGTRAP = signal.SIGTRAP
SIGSTOP = signal.SIGSTOP
_FORK_EVENT = SIGTRAP | (ptrace.PTRACE_EVENT_FORK << 8)

OPTIONS = (ptrace.PTRACE_O_EXITKILL | ptrace.PTRACE_O_TRACESYSGOOD
           | ptrace.PTRACE_O_TRACEFORK)

live_pids = set()       # every host process we started and have not reaped
on_tick = None          # set by the scheduler: called for each preemption tick
_templates = {}         # StubImage -> MMContext of its template process


class MMContext:
    """The host side of one mm (UML's mm_context): a traced host process
    and the physmem frames of its stub data and stack pages."""
    # i386 TLS (arch/x86/tls.py): whose descriptors the host process holds,
    # and which of its GDT slots are loaded (None: unknown)
    tls_task = None
    tls_loaded = None
    # a debugger's breakpoints (arch/x86_64/debugreg.py): whose DR0-7 the host
    # process holds, and the DR7 loaded there
    dr_task = None
    dr7_loaded = 0

    def __init__(self, stub, pid, data_pfn, stack_pfn, regs):
        self.stub = stub
        self.pid = pid
        self.data_pfn = data_pfn
        self.stack_pfn = stack_pfn
        self.data_off = data_pfn << PAGE_SHIFT
        self.stack_off = stack_pfn << PAGE_SHIFT
        self.stub_regs = regs           # valid registers to enter the stub with
        self.loaded_task = None         # whose registers the host thread holds
        # whose FP/SSE/AVX state the host thread holds: the stub never
        # touches it, so running the stub forgets loaded_task, not this
        self.fpu_task = None
        self.dead = False
        # the host's rdtsc/cpuid faulting here (arch/x86/cpu_faulting.py)
        self.cpu_faulting = 0

    # -- running the stub ---------------------------------------------------
    def enter_stub(self, rip):
        t = self.loaded_task
        if t is not None and not t.regs_valid:
            # the guest's registers live only in the host thread (it was
            # stopped after a fault): keep them before the stub's replace them
            ptrace.getregs(self.pid, t.regs)
            t.regs_valid = True
        regs = self.stub_regs
        regs.rip = rip
        regs.orig_rax = 0xFFFFFFFFFFFFFFFF      # never a host syscall restart
        ptrace.setregs(self.pid, regs)
        self.loaded_task = None
        ptrace.resume(ptrace.PTRACE_CONT, self.pid)

    def wait_stub_trap(self):
        """Wait for the stub's int3.  Preemption ticks are noted and
        swallowed; fork events are collected.  Returns the forked pids."""
        children = []
        pid = self.pid
        while True:
            status = ptrace.waitpid(pid)
            if not os.WIFSTOPPED(status):
                self.dead = True
                live_pids.discard(pid)
                raise StubError("host process %d died in the stub (status %#x)"
                                % (pid, status))
            sig = status >> 8
            if sig == SIGTRAP:
                return children
            if sig == _FORK_EVENT:
                child = ptrace.geteventmsg(pid)
                live_pids.add(child)
                children.append(child)
            elif sig == SIGVTALRM:
                if on_tick:
                    on_tick()
            else:
                regs = ptrace.user_regs_struct()
                ptrace.getregs(pid, regs)
                raise StubError("stub of pid %d stopped by signal %d at %#x"
                                % (pid, sig & 0x7F, regs.rip))
            ptrace.resume(ptrace.PTRACE_CONT, pid)

    def write_host_pid(self):
        _pm.physmem.q[(self.data_off + self.stub.off_host_pid) >> 3] = self.pid


def _alloc_stub_frames(stub):
    pm = _pm.physmem
    data = pm.alloc_frames(stub.data_pages)
    try:
        stack = pm.alloc_frames(stub.stack_pages)
    except Exception:
        for i in range(stub.data_pages):
            pm.put_frame(data + i)
        raise
    return data, stack


def _free_stub_frames(stub, data, stack):
    pm = _pm.physmem
    for i in range(stub.data_pages):
        pm.put_frame(data + i)
    for i in range(stub.stack_pages):
        pm.put_frame(stack + i)


def _run_stub_init(pid, stub, regs, data, stack, exec_code=None):
    regs.rip = stub.init
    if stub.elfclass == 64:
        regs.r12 = data << PAGE_SHIFT
        regs.r13 = stack << PAGE_SHIFT
        regs.r14 = 1 if exec_code is not None else 0
        regs.rbx = 0 if exec_code is None else exec_code << PAGE_SHIFT
    else:
        # i386: a system call takes every register but %esp, so the 32-bit
        # stub_init gets the data pages' page offset in %ebp (where mmap2
        # wants it) and finds its other arguments in those very pages
        q = _pm.physmem.q
        base = data << (PAGE_SHIFT - 3)
        q[base + (stub.off_init_stack >> 3)] = stack
        q[base + (stub.off_init_code >> 3)] = exec_code or 0
        q[base + (stub.off_init_exec >> 3)] = 1 if exec_code is not None else 0
        regs.rbp = data
    ptrace.setregs(pid, regs)
    ptrace.resume(ptrace.PTRACE_CONT, pid)
    while True:
        status = ptrace.waitpid(pid)
        if not os.WIFSTOPPED(status):
            live_pids.discard(pid)
            raise StubError("stub %d died in stub_init (status %#x)" % (pid, status))
        if status >> 8 == SIGTRAP:
            break
        if status >> 8 != SIGVTALRM:
            raise StubError("stub %d: signal %d in stub_init" % (pid, (status >> 8) & 0x7F))
        ptrace.resume(ptrace.PTRACE_CONT, pid)
    ptrace.getregs(pid, regs)
    step = regs.r15 if stub.elfclass == 64 else regs.rsi
    if step != 0:
        err = ctypes.c_long(regs.rax).value if stub.elfclass == 64 else ctypes.c_int(regs.rax).value
        raise StubError("stub_init step %d failed: %s" % (step, os.strerror(-err)))


# the stub's code pages in physmem, shared by every host process of a subarch
_code_frames = {}


def _code_pfn(stub):
    if stub not in _code_frames:
        pm = _pm.physmem
        pfn = pm.alloc_frames(stub.code_pages)
        off = pfn << PAGE_SHIFT
        pm.mem[off:off + len(stub.code)] = stub.code
        _code_frames[stub] = pfn
    return _code_frames[stub]


def start_template(stub):
    """Exec the stub binary under ptrace: the template host process."""
    pm = _pm.physmem
    code = _code_pfn(stub)
    data, stack = _alloc_stub_frames(stub)
    fd = pm.fd
    pid = os.fork()
    if pid == 0:                                    # the host child
        try:
            os.setsid()                     # no terminal signals reach it
            os.dup2(fd, stub.physmem_fd)
            for n in (0, 1, 2):
                if n != stub.physmem_fd:
                    os.close(n)
            ptrace.traceme()
            os.execv(stub.path, [stub.path])
        finally:
            os._exit(127)
    live_pids.add(pid)
    try:
        status = ptrace.waitpid(pid)
        if not (os.WIFSTOPPED(status) and os.WSTOPSIG(status) == SIGTRAP):
            live_pids.discard(pid)
            raise StubError("could not start stub %s (status %#x)" % (stub.path, status))
        ptrace.setoptions(pid, OPTIONS)
        regs = ptrace.user_regs_struct()
        ptrace.getregs(pid, regs)
        moves, vdso = [], None
        if stub.elfclass == 64:
            moves, vdso = host_vdso.plan_moves(pid, stub)
            host_vdso.write_records(data << PAGE_SHIFT, stub, moves)
        _run_stub_init(pid, stub, regs, data, stack, exec_code=code)
        if moves:
            host_vdso.base = vdso if host_vdso.moved(data << PAGE_SHIFT, stub, moves) else None
    except Exception:
        kill_host_process(pid)
        _free_stub_frames(stub, data, stack)
        raise
    ctx = MMContext(stub, pid, data, stack, regs)
    ctx.code_pfn = code
    ctx.write_host_pid()
    return ctx


def template_for(stub):
    ctx = _templates.get(stub)
    if ctx is None or ctx.dead:
        ctx = _templates[stub] = start_template(stub)
    return ctx


def start_userspace(stub, parent=None, pre_ops=(), post_ops=()):
    """A new host process for an mm.

    parent=None: an empty address space (forked from the template).
    parent=ctx: a copy of ctx's host address space, forked by ctx's stub
    right after pre_ops (the parent's write-protection for COW) ran;
    post_ops run in the parent only, right after the fork (the child stops
    before it executes anything).
    """
    src = parent or template_for(stub)
    data, stack = _alloc_stub_frames(stub)
    try:
        _, children = run_syscall_stub(src, list(pre_ops) + [("fork",)] + list(post_ops))
        if len(children) != 1:
            raise StubError("stub fork made %d children" % len(children))
        pid = children[0]
        status = ptrace.waitpid(pid)            # its first stop: SIGSTOP
        if not (os.WIFSTOPPED(status) and os.WSTOPSIG(status) == SIGSTOP):
            kill_host_process(pid)
            raise StubError("forked stub %d: unexpected status %#x" % (pid, status))
        regs = ptrace.user_regs_struct()
        ptrace.getregs(pid, regs)
        try:
            _run_stub_init(pid, stub, regs, data, stack)
        except Exception:
            kill_host_process(pid)
            raise
    except Exception:
        _free_stub_frames(stub, data, stack)
        raise
    ctx = MMContext(stub, pid, data, stack, regs)
    ctx.cpu_faulting = src.cpu_faulting     # a host fork keeps the mode
    ctx.code_pfn = _code_pfn(stub)
    ctx.write_host_pid()
    return ctx


def kill_host_process(pid):
    """SIGKILL a traced host process and reap it."""
    if pid not in live_pids:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    while True:
        try:
            _, status = os.waitpid(pid, ptrace.__WALL)
        except ChildProcessError:
            break
        if os.WIFEXITED(status) or os.WIFSIGNALED(status):
            break
    live_pids.discard(pid)


def destroy_context(ctx):
    """The mm is gone: end its host process and free its stub frames."""
    if ctx.pid in live_pids:
        kill_host_process(ctx.pid)
    ctx.dead = True
    _free_stub_frames(ctx.stub, ctx.data_pfn, ctx.stack_pfn)


def kill_all():
    """Shutdown: no host process outlives the kernel."""
    for pid in list(live_pids):
        kill_host_process(pid)
    # Orphans reparented to us (we are a child subreaper): a stub killed
    # above may still be dying, and its children come to us only once it is
    # dead, some already reported to us as their tracer.  Wait until we have
    # no child left at all, killing any we did not know of.
    deadline = time.monotonic() + 5
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG | ptrace.__WALL)
        except ChildProcessError:
            break
        if pid:
            continue
        if time.monotonic() > deadline:
            break
        for child in _host_children():
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.001)
    _templates.clear()


def _host_children():
    """pids of our own host children (from /proc/self/task/*/children)."""
    out = set()
    try:
        for tid in os.listdir("/proc/self/task"):
            try:
                with open("/proc/self/task/%s/children" % tid) as f:
                    out.update(int(x) for x in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return out
