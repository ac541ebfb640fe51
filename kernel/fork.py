"""kernel/fork.py - fork, vfork, clone, clone3: new tasks.

copy_process() builds the child from the parent, sharing or copying each
piece as the clone flags say.  A new address space (fork without
CLONE_VM) is where skas0 does its trick: dup_mm() copies the page tables,
write-protecting private pages in both (copy-on-write through frame
reference counts), and has the parent's own stub fork the host process in
the same batch that write-protects the parent on the host.  The child's host
process is thus born with every mapping it needs, already copy-on-write;
nothing is mapped for it page by page.

Threads (CLONE_VM) share the parent's host process; the scheduler swaps
their registers in and out (skas/userspace.py).
"""

import ctypes
import struct

from kernel import sched
from kernel import task as ktask
from kernel.capability import CAP_SYS_ADMIN, CAP_SYS_RESOURCE, capable, ns_capable
from kernel.user_namespace import create_user_ns
from kernel.ioprio import ioprio_fork
from kernel.task import PF_FORKNOEXEC
from kernel.sched_policy import sched_fork
from kernel.trace_mask import trace_fork
from kernel.errno import E2BIG, EAGAIN, EINVAL, ENOMEM, EPERM, ERESTARTNOINTR, Errno
from kernel.abi import RLIMIT_NPROC, _NSIG
from kernel.signal import (SIGCHLD, SIG_IGN, SigAction, SigPending, fatal_signal_pending,
                           init_task_signals)
from mm.physmem import OutOfMemory, PAGE_SHIFT, PAGE_SIZE, PG_CACHE
from skas.mem import StubError
from ipc.sem import copy_semundo, exit_sem
from kernel.pidfd import clone_pidfd_install, clone_pidfd_reserve
from kernel.printk import pr_warn
from kernel.ptrace import clone_event, clone_stops, ptrace_init_task
from kernel.nsproxy import copy_namespaces, unshare_nsproxy_namespaces
from kernel.seccomp import copy_seccomp
from kernel.sigaltstack import SS_DISABLE
from mm import physmem as _pm
from mm.exit import exit_mmap, mmput
from mm.memory import copy_page_range, vma_prot
from mm.mempolicy import mempolicy_fork
from mm.mm import MM
from mm.pgtable import (_PAGE_NEWPAGE, _PAGE_RW, pte_host_prot, pte_present,
                        vm_prot_bits, pte_pfn)
from mm.tlb import flush_ops
from mm.uaccess import copy_from_user, put_user_u32
from mm.vma import (VM_DONTCOPY, VM_EXEC, VM_LOCKED_MASK, VM_READ, VM_SHARED, VM_WIPEONFORK,
                    VM_WRITE)
from security.keys.process_keys import copy_keys
from skas.fpu import get_xstate
from skas.process import start_userspace
from skas.userspace import fetch_regs

CSIGNAL = 0xFF
CLONE_VM = 0x00000100
CLONE_FS = 0x00000200
CLONE_FILES = 0x00000400
CLONE_SIGHAND = 0x00000800
CLONE_PIDFD = 0x00001000
CLONE_PTRACE = 0x00002000
CLONE_VFORK = 0x00004000
CLONE_PARENT = 0x00008000
CLONE_THREAD = 0x00010000
CLONE_NEWNS = 0x00020000
CLONE_SYSVSEM = 0x00040000
CLONE_SETTLS = 0x00080000
CLONE_PARENT_SETTID = 0x00100000
CLONE_CHILD_CLEARTID = 0x00200000
CLONE_DETACHED = 0x00400000
CLONE_UNTRACED = 0x00800000
CLONE_CHILD_SETTID = 0x01000000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_IO = 0x80000000
CLONE_NEWTIME = 0x00000080              # clone3 and unshare only: CSIGNAL's bits elsewhere
CLONE_NEWALL = (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET
                | CLONE_NEWUSER | CLONE_NEWCGROUP | CLONE_NEWTIME)
CLONE_CLEAR_SIGHAND = 0x100000000
CLONE_INTO_CGROUP = 0x200000000

FUTEX_TID_MASK = 0x3FFFFFFF
fork_hot_pages = True           # boot option fork_hot_pages= (init/switches.py)


def max_threads():
    """Linux's set_max_threads: as many tasks as an eighth of memory could
    hold 16 KiB kernel stacks for (mem=128M: 1024), at least 20."""
    return max(20, min(_pm.physmem.nr_frames // 32, FUTEX_TID_MASK))


# -- address spaces ------------------------------------------------------------------

def dup_mm(old, hot=()):
    """A copy-on-write copy of old, with its own host process.

    hot: addresses both processes are about to write (the forking thread's
    stack and thread pointer).  With the fork_hot_pages fast path (on
    unless the boot option says fork_hot_pages=0) their pages are copied
    for the child now instead of being write-protected: copy-on-write
    would cost a fault in each process (three host stops apiece) for the
    same result.  The
    child's copy reaches its host process through the fork batch itself:
    mapped just before the host fork, the parent's own frame mapped back
    just after (see _copy_hot_pages)."""
    mm = MM(old.arch)
    for k in ("start_code", "end_code", "start_data", "end_data", "start_brk",
              "brk", "start_stack", "arg_start", "arg_end", "env_start",
              "env_end", "mmap_base", "mmap_legacy", "auxv", "membarrier_state",
              "anon_fault_around", "ldt"):
        setattr(mm, k, getattr(old, k))
    if old.exe_file is not None:
        mm.exe_file = old.exe_file.get()
    mm.coredump_filter = old.coredump_filter    # /proc/PID/coredump_filter
    mm.hiwater_rss = old.rss                    # the child starts as big as the parent is
    mm.rlim = old.rlim
    ops = flush_ops(old)                    # the host must match the ptes
    keep = ()
    try:
        protects = []
        for vma in old.vmas:
            if vma.flags & VM_DONTCOPY:
                continue
            new = vma.split_copy(vma.start, vma.end)
            new.flags &= ~VM_LOCKED_MASK            # locks are not inherited
            new.uffd = None                         # nor userfaultfd registrations
            mm.insert_vma(new)
            if vma.flags & VM_WIPEONFORK:
                continue                            # the child faults in zeroes
            protect = copy_page_range(mm, old, vma)
            if protect and not vma.flags & VM_SHARED:
                prot = pte_host_prot(vm_prot_bits(vma.flags & VM_READ, False, vma.flags & VM_EXEC))
                protects += [(s, e, prot) for s, e in protect]
        before, after, keep = _copy_hot_pages(mm, old, hot) if fork_hot_pages \
            else ([], [], set())
        ops += flush_ops(old)           # the plain path's write-protections
        for s, e, prot in protects:
            for a in sorted(k for k in keep if s <= k < e):
                if a > s:
                    ops.append(("mprotect", s, a - s, prot))
                s = a + PAGE_SIZE
            if e > s:
                ops.append(("mprotect", s, e - s, prot))
        mm.context = start_userspace(old.arch.get_stub(), parent=old.context,
                                     pre_ops=ops + before, post_ops=after)
        # the host child inherited the parent's pages of the ranges fork
        # does not copy: its first flush unmaps them
        for vma in old.vmas:
            if vma.flags & (VM_DONTCOPY | VM_WIPEONFORK):
                mm.note_unmap(vma.start, vma.end)
    except OutOfMemory:
        exit_mmap(mm)
        raise Errno(ENOMEM)
    except StubError as e:
        # the host would not give us a process (its limits): the guest's
        # fork fails as Linux's does when it runs out of tasks.  The batch
        # stopped at the failed fork, so the parent may still map the
        # child's copy of a hot page: have the next flush map its own back.
        pr_warn("fork: no host process: %s" % e)
        for a in keep:
            old.pt.q[old.pt.pte_index(a)] |= _PAGE_NEWPAGE
            old.note_stale(a, a + PAGE_SIZE)
        exit_mmap(mm)
        raise Errno(EAGAIN)
    except BaseException:
        exit_mmap(mm)
        raise
    mm.init_stub_pte()
    return mm


def _copy_hot_pages(mm, old, hot):
    """Give the child its own copy of each hot page that the parent owns
    alone, leaving the parent's writable.  Returns the host operations to
    run just before and just after the host fork, and the set of pages
    whose write-protection must be skipped."""
    pm = _pm.physmem
    q = old.pt.q
    before, after, keep = [], [], set()
    for addr in sorted({a & ~(PAGE_SIZE - 1) for a in hot if a}):
        vma = old.vma_at(addr)
        if vma is None or vma.flags & VM_SHARED or not vma.flags & VM_WRITE:
            continue
        idx = old.pt.pte_index(addr)
        if idx is None:
            continue
        pte = q[idx]
        pfn = pte_pfn(pte)
        # shared with the child only (ours before the fork, not page cache)
        if not pte_present(pte) or pm.refcount[pfn] != 2 or pm.flags[pfn] & PG_CACHE:
            continue
        cidx = mm.pt.pte_index(addr)
        if cidx is None:
            continue
        try:
            new = pm.alloc_frame(zero=False)
        except OutOfMemory:
            break
        pm.copy_frame(new, pfn)
        pm.put_frame(pfn)
        bits = vma_prot(vma)
        q[cidx] = (new << PAGE_SHIFT) | bits
        q[idx] = pte | _PAGE_RW
        prot = pte_host_prot(bits)
        before.append(("mmap", addr, PAGE_SIZE, prot, new << PAGE_SHIFT))
        after.append(("mmap", addr, PAGE_SIZE, prot, pfn << PAGE_SHIFT))
        keep.add(addr)
    return before, after, keep


def exec_mm_alloc(t, arch):
    """The empty address space for execve.  When t's old mm dies with the
    exec (no vfork parent or other thread shares it) and the subarch stays,
    its host process is reused: one munmap of the whole guest range, queued
    for the batch the new program's first run makes anyway, instead of a
    host fork from the template now and a host kill later."""
    mm = _exec_mm(t, arch)
    if t.mm is not None:
        # mm_init: the new mm keeps the old one's dump filter, as after fork
        mm.coredump_filter = t.mm.coredump_filter
    return mm


def _exec_mm(t, arch):
    old = t.mm
    ctx = old.context if old is not None else None
    if ctx is None or ctx.dead or old.users != 1 or old.arch is not arch:
        try:
            return mm_alloc(arch)
        except OutOfMemory:
            raise Errno(ENOMEM)
        except StubError:
            raise Errno(EAGAIN)
    if _pm.physmem.nr_free < 8:         # the new tables must not fail half-way
        raise Errno(ENOMEM)
    mm = MM(arch)
    old.free_stub_ptes()
    old.context = None                  # mmput(old) must not kill it now
    mm.context = ctx
    mm.init_stub_pte()
    # the host still maps the old program: forget it all, pending ops too
    old.tlb_ranges = []
    old.pending_unmaps = []
    mm.note_unmap(0, mm.task_size)
    mm.reused_host = True
    return mm


def mm_alloc(arch):
    """A new, empty address space with its host process (execve)."""
    mm = MM(arch)
    try:
        mm.context = start_userspace(arch.get_stub())
    except BaseException:
        mm.pt.free_pgd()
        raise
    mm.init_stub_pte()
    return mm


# -- tasks -----------------------------------------------------------------------------

# the namespaces pyuml makes; of the other kinds there is one
BUILT_NS = CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWTIME


def check_namespace_flags(t, flags):
    """The privilege clone and unshare need for flags: none for a user
    namespace, CAP_SYS_ADMIN in the caller's user namespace for a UTS, IPC
    or time one (in the new user namespace if it makes one too, where it has
    every capability); for a kind pyuml has one namespace of, as ever,
    CAP_SYS_ADMIN over everything (the request then changes nothing)."""
    if flags & CLONE_NEWALL & ~BUILT_NS and not capable(t, CAP_SYS_ADMIN):
        raise Errno(EPERM)
    if flags & (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWTIME) and not flags & CLONE_NEWUSER:
        if not ns_capable(t.cred, t.cred.user_ns, CAP_SYS_ADMIN):
            raise Errno(EPERM)


def _check_clone(t, flags, nsflags):
    """The flag combinations clone refuses, and the task limits."""
    check_namespace_flags(t, nsflags)
    if flags & CLONE_SIGHAND and not flags & CLONE_VM:
        raise Errno(EINVAL)
    if flags & CLONE_THREAD and not flags & CLONE_SIGHAND:
        raise Errno(EINVAL)
    if flags & CLONE_FS and flags & (CLONE_NEWNS | CLONE_NEWUSER):
        raise Errno(EINVAL)
    if flags & CLONE_THREAD and flags & CLONE_NEWUSER:
        raise Errno(EINVAL)
    if flags & CLONE_NEWIPC and flags & CLONE_SYSVSEM:
        raise Errno(EINVAL)                 # the undo list would outlive its arrays
    if flags & CLONE_CLEAR_SIGHAND and flags & CLONE_SIGHAND:
        raise Errno(EINVAL)
    if flags & CLONE_PARENT and t.is_init:
        # Linux: a SIGNAL_UNKILLABLE process (its pid namespace's init, and
        # pyuml has the one) may not give a child its own parent
        raise Errno(EINVAL)
    # RLIMIT_NPROC counts the tasks (threads too, zombies too) of the real
    # uid; root is exempt from it but not from the machine-wide limit
    if len(ktask.tasks) >= max_threads():
        raise Errno(EAGAIN)
    if t.cred.uid != 0 and not capable(t, CAP_SYS_RESOURCE) and not capable(t, CAP_SYS_ADMIN):
        nproc = sum(1 for p in ktask.tasks.values() if p.cred.uid == t.cred.uid)
        if nproc >= t.signal.rlim[RLIMIT_NPROC][0]:
            raise Errno(EAGAIN)


def copy_mm(t, c, flags):
    if flags & CLONE_VM:
        c.mm = t.mm
        t.mm.users += 1
    else:
        # the stack and the thread's TLS block are written at once by both
        c.mm = dup_mm(t.mm, hot=(t.regs.rsp, t.regs.rsp - 256, t.regs.fs_base))
    c.active_mm = c.mm


def copy_sighand(t, c, flags):
    if flags & CLONE_SIGHAND:
        c.sighand = t.sighand
        t.sighand.count += 1
    else:
        c.sighand = t.sighand.copy()
        if flags & CLONE_CLEAR_SIGHAND:
            c.sighand.action = [a if a.handler == SIG_IGN else SigAction()
                                for a in c.sighand.action]


def copy_signal(t, c, flags, exit_signal):
    """A thread shares the thread group's SignalStruct; a process gets its
    own, with the limits, process group, session and terminal copied."""
    if flags & CLONE_THREAD:
        c.signal = t.signal
        c.signal.nr_threads += 1
        c.tgid = t.tgid
        c.group_leader = t.group_leader
        c.exit_signal = -1
        return
    s = ktask.SignalStruct()
    s.rlim = [list(r) for r in t.signal.rlim]
    if not flags & CLONE_VM:
        c.mm.rlim = s.rlim
    s.pgrp = t.signal.pgrp
    s.session = t.signal.session
    s.tty = t.signal.tty
    s.oom_score_adj = t.signal.oom_score_adj
    s.oom_score_adj_min = t.signal.oom_score_adj_min
    c.signal = s
    c.exit_signal = (flags & CSIGNAL) if exit_signal is None else exit_signal


def copy_process(t, flags, stack=0, parent_tid=0, child_tid=0, tls=0, exit_signal=None,
                 trace=0):
    # legacy clone's flags carry the exit signal where clone3's CLONE_NEWTIME is
    nsflags = flags & ~CSIGNAL if exit_signal is None else flags
    _check_clone(t, flags, nsflags)
    pid = ktask.alloc_pid()
    if pid is None:
        raise Errno(EAGAIN)
    fetch_regs(t)
    c = ktask.Task(pid, t.arch)
    c.comm = t.comm
    c.flags = PF_FORKNOEXEC
    c.cred = t.cred.copy()
    if nsflags & CLONE_NEWUSER:
        create_user_ns(c.cred)
    ctypes.memmove(ctypes.addressof(c.regs), ctypes.addressof(t.regs), ctypes.sizeof(c.regs))
    c.arch.set_syscall_return(c.regs, 0)
    copy_thread = getattr(t.arch, "copy_thread", None)
    if copy_thread is not None:
        copy_thread(c, t)           # other per-thread arch state (i386 TLS)
    c.regs_valid = True
    c.regs_dirty = True
    if stack:
        c.arch.set_stack_pointer(c.regs, stack)
    if flags & CLONE_SETTLS:
        c.arch.set_tls(c, tls)
    c.fpstate = get_xstate(t)
    c.personality = t.personality
    sched_fork(c, t)
    trace_fork(c, t)
    ioprio_fork(c, t, flags & CLONE_IO)
    mempolicy_fork(c, t)
    c.blocked = t.blocked
    c.cpu_faulting = t.cpu_faulting
    c.sas_ss_sp, c.sas_ss_size, c.sas_ss_flags = t.sas_ss_sp, t.sas_ss_size, t.sas_ss_flags
    if flags & CLONE_VM and not flags & CLONE_VFORK:
        c.sas_ss_sp = c.sas_ss_size = 0
        c.sas_ss_flags = SS_DISABLE
    copy_mm(t, c, flags)
    copy_namespaces(t, c, nsflags)
    try:
        c.files = t.files.get() if flags & CLONE_FILES else t.files.copy()
        c.fs = t.fs.get() if flags & CLONE_FS else t.fs.copy()
        copy_sighand(t, c, flags)
        copy_signal(t, c, flags, exit_signal)
        c.pending = SigPending()
        init_task_signals(c)
    except BaseException:
        mmput(c.mm)
        raise
    copy_semundo(t, c, bool(flags & CLONE_SYSVSEM))
    copy_seccomp(t, c)
    copy_keys(t, c, bool(flags & CLONE_THREAD))
    # family
    if flags & (CLONE_PARENT | CLONE_THREAD):
        c.real_parent = t.group_leader.real_parent
    else:
        c.real_parent = t.group_leader
    c.parent = c.real_parent
    if not flags & CLONE_THREAD and c.real_parent is not None:
        c.real_parent.children.append(c)
    if flags & CLONE_PARENT_SETTID and parent_tid:
        put_user_u32(t.mm, parent_tid, pid)
    if flags & CLONE_CHILD_SETTID and child_tid:
        c.set_child_tid = child_tid             # written when it first runs
    if flags & CLONE_CHILD_CLEARTID:
        c.clear_child_tid = child_tid
    if t.ptrace:
        ptrace_init_task(c, t, bool(flags & CLONE_PTRACE) or trace)
    ktask.tasks[pid] = c
    sched.sched_fork(c, t)
    return c


def schedule_tail(t):
    """A new task's first moment on the CPU: CLONE_CHILD_SETTID is honoured
    now, in the child's own context, as Linux does."""
    if t.set_child_tid:
        try:
            put_user_u32(t.mm, t.set_child_tid, t.pid)
        except Errno:
            pass
        t.set_child_tid = 0


def kernel_clone(t, flags, stack=0, parent_tid=0, child_tid=0, tls=0, exit_signal=None,
                 pidfd=0):
    """pidfd: with CLONE_PIDFD, where the parent learns the new pidfd."""
    if fatal_signal_pending(t):
        return -ERESTARTNOINTR
    pidfd_nr = None
    if flags & CLONE_PIDFD:
        if flags & CLONE_DETACHED:
            return -EINVAL
        pidfd_nr = clone_pidfd_reserve(t, pidfd)
    trace = 0
    if t.ptrace:
        trace = clone_event(t, flags, (flags & CSIGNAL) if exit_signal is None else exit_signal)
    c = copy_process(t, flags, stack, parent_tid, child_tid, tls, exit_signal, trace)
    if pidfd_nr is not None:
        clone_pidfd_install(t, pidfd_nr, c, bool(flags & CLONE_THREAD))
    if t.ptrace:
        # the tracer hears of the new task, and of the end of the vfork wait
        if flags & CLONE_VFORK:
            c.vfork_done = sched.WaitQueue()
            c.vfork_parent = t
        return clone_stops(t, c, trace, bool(flags & CLONE_VFORK))
    if flags & CLONE_VFORK:
        c.vfork_done = sched.WaitQueue()
        return _vfork_wait(t, c)
    return c.pid


def _vfork_wait(t, c):
    """The vfork parent sleeps until the child execs or exits."""
    yield from sched.wait_event(t, c.vfork_done, lambda: c.vfork_done is None,
                                interruptible=False)
    return c.pid


def vfork_release(t):
    """Called when t execs or exits: wake its vfork parent."""
    wq = t.vfork_done
    if wq is not None:
        t.vfork_done = None
        wq.wake_up()


def sys_fork(t):
    return kernel_clone(t, SIGCHLD)


def sys_vfork(t):
    return kernel_clone(t, CLONE_VFORK | CLONE_VM | SIGCHLD)


def sys_clone(t, flags, newsp, parent_tid, child_tid, tls):
    """x86_64 order: clone(flags, stack, parent_tid, child_tid, tls)."""
    flags &= 0xFFFFFFFF
    # the legacy call has one field for both: the pidfd goes to parent_tid
    if flags & CLONE_PIDFD and flags & CLONE_PARENT_SETTID:
        return -EINVAL
    return kernel_clone(t, flags & ~CSIGNAL | (flags & CSIGNAL), newsp, parent_tid,
                        child_tid, tls, pidfd=parent_tid)


def sys_clone3(t, uargs, size):
    if size > 4096:
        return -E2BIG
    if size < 64:
        return -EINVAL
    raw = copy_from_user(t.mm, uargs, min(size, 88)).ljust(88, b"\0")
    (flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
     set_tid, set_tid_size, cgroup) = struct.unpack("<11Q", raw)
    if size > 88 and any(copy_from_user(t.mm, uargs + 88, size - 88)):
        return -E2BIG
    # copy_clone_args_from_user and clone3_args_valid
    if exit_signal & ~CSIGNAL or exit_signal > _NSIG:
        return -EINVAL
    if set_tid_size > 32 or (set_tid == 0) != (set_tid_size == 0) or cgroup > 0x7FFFFFFF:
        return -EINVAL
    if set_tid or set_tid_size:
        return -EINVAL                                  # no pid namespaces here
    if flags & ~(0xFFFFFFFF | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP):
        return -EINVAL
    if flags & (CLONE_DETACHED | (CSIGNAL & ~CLONE_NEWTIME)):
        return -EINVAL
    if flags & CLONE_SIGHAND and flags & CLONE_CLEAR_SIGHAND:
        return -EINVAL
    if flags & (CLONE_THREAD | CLONE_PARENT) and exit_signal:
        return -EINVAL
    if stack == 0 and stack_size:
        return -EINVAL
    if stack and (stack_size == 0 or stack + stack_size > t.mm.task_size):
        return -EINVAL
    if flags & CLONE_INTO_CGROUP:
        return -EINVAL                                  # not supported here
    sp = stack + stack_size if stack else 0
    return kernel_clone(t, flags, sp, parent_tid, child_tid, tls, exit_signal=exit_signal,
                        pidfd=pidfd)


# -- unshare -----------------------------------------------------------------------------

UNSHARE_VALID = (CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES
                 | CLONE_SYSVSEM | CLONE_NEWALL)


def _others(t, pred):
    """Is there another live task for which pred(task) holds?"""
    return any(x is not t and x.exit_state != sched.EXIT_DEAD and pred(x)
               for x in ktask.tasks.values())


def sys_unshare(t, flags):
    """Give the calling task private copies of what it shares.

    CLONE_FILES and CLONE_FS copy the fd table / cwd, root and umask if they
    are shared; CLONE_SYSVSEM leaves the SEM_UNDO list (applying it if this
    was its last user, as at exit).  CLONE_THREAD, CLONE_SIGHAND and
    CLONE_VM cannot be undone: they are accepted only when there is nothing
    to unshare (no other thread, no one else with the handlers or the mm),
    else EINVAL.  The namespace flags are checked as clone()'s
    (check_namespace_flags): CLONE_NEWUSER gives the caller a new user
    namespace, CLONE_NEWUTS a new UTS namespace, CLONE_NEWIPC a new IPC
    namespace (leaving the SEM_UNDO list), CLONE_NEWTIME its future
    children a new time namespace (kernel/nsproxy.py); the kinds pyuml has
    one namespace of are accepted from the privileged and change nothing.
    """
    if t.arch.BITS == 32:
        flags &= 0xFFFFFFFF
    # the implications Linux adds before checking
    if flags & CLONE_NEWUSER:
        flags |= CLONE_THREAD | CLONE_FS
    if flags & CLONE_VM:
        flags |= CLONE_SIGHAND
    if flags & CLONE_SIGHAND:
        flags |= CLONE_THREAD
    if flags & CLONE_NEWNS:
        flags |= CLONE_FS
    if flags & ~UNSHARE_VALID:
        return -EINVAL
    if flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM):
        if _others(t, lambda x: x.tgid == t.tgid):
            return -EINVAL
    if flags & (CLONE_SIGHAND | CLONE_VM):
        if _others(t, lambda x: x.sighand is t.sighand):
            return -EINVAL
    if flags & CLONE_VM:
        if _others(t, lambda x: x.mm is t.mm):
            return -EINVAL
    if flags & CLONE_NEWIPC:
        flags |= CLONE_SYSVSEM
    check_namespace_flags(t, flags)
    if flags & CLONE_NEWUSER:
        cred = t.cred.copy()
        create_user_ns(cred)
    # nothing can fail from here on
    if flags & CLONE_NEWUSER:
        t.cred = cred
    if flags & CLONE_FS and t.fs.count > 1:
        old = t.fs
        t.fs = old.copy()
        old.put()
    if flags & CLONE_FILES and t.files.count > 1:
        old = t.files
        t.files = old.copy()
        old.put()
    if flags & CLONE_SYSVSEM:
        exit_sem(t)
    t.nsproxy = unshare_nsproxy_namespaces(flags, t.nsproxy, t.cred.user_ns)
    return 0
