"""kernel/syscall.py - the system call dispatcher.

Each subarch has a table of numbers and names (arch/*/syscall_table.py);
handlers are arch-independent functions sys_<name>(task, args...) collected
from the modules listed here.  A subarch may substitute its own entry for a
name (arch.SYSCALL_OVERRIDES) where the ABI differs.

A handler returns a value (negative: -errno) or raises Errno; one that has
to wait returns a generator, which becomes the task's kernel stack until it
finishes (kernel/sched.py).  A Python exception escaping a handler is a
kernel bug: an oops is logged with its traceback, the task dies and the
kernel runs on.
"""

import importlib
import traceback

from kernel import exit as kexit, sched
from kernel.sched import is_generator  # noqa: F401 (others take it from here too)
from kernel.errno import ENOSYS, Errno
from kernel.exit import InitDied
from kernel.printk import pr_err, printk_once
from kernel.trace_mask import trace_return
from kernel.seccomp import secure_computing
from kernel.task import PF_EXITING

SYSCALL_MODULES = (
    "kernel.sys", "kernel.pgrp", "kernel.exit", "kernel.signal", "kernel.sigaltstack",
    "kernel.time", "kernel.posix_timers", "kernel.fork", "kernel.futex", "kernel.resource",
    "mm.mmap", "mm.madvise", "fs.open", "fs.read_write", "fs.stat", "fs.exec", "fs.ioctl",
    "fs.readdir", "fs.dir", "fs.fcntl", "fs.attr", "fs.pipe", "fs.poll",
    "fs.select", "fs.eventpoll", "fs.eventfd", "fs.timerfd", "fs.signalfd", "fs.splice", "fs.sync",
    "fs.namespace", "fs.statfs", "fs.locks", "net.socket", "net.unix", "kernel.uid16",
    "mm.mlock", "mm.mincore", "mm.memfd", "mm.fadvise", "kernel.membarrier",
    "kernel.sched_policy", "kernel.ioprio", "kernel.pidfd",
    "ipc.shm", "ipc.sem", "ipc.msg", "fs.notify.inotify",
    "mm.process_vm_access", "kernel.kcmp",
    "kernel.capability",
    "kernel.syslog",
    "fs.xattr",
    "security.keys.keyctl",
    "kernel.seccomp",
    "kernel.nsproxy", "security.landlock.syscalls", "security.lsm_syscalls", "fs.fhandle",
    "fs.notify.fanotify.fanotify_user",
    "fs.aio",
    "kernel.trace_mask",
    "ipc.mqueue",
    "fs.userfaultfd",
    "fs.filesystems",
    "mm.mempolicy",
    "mm.cachestat",
    "mm.mseal",
    "mm.pkeys",
    "mm.secretmem",
    "mm.oom_kill",
    "arch.x86.ldt",
    "io_uring.io_uring", "io_uring.register",
    "fs.fsopen", "fs.fsmount", "fs.statmount",
    "kernel.ptrace",
)

_handlers = {}
NO_RETURN_VALUE = object()      # what a kernel stack not in a syscall returns (a userfault)
_tables = {}
inject_oops = set()         # boot option inject_oops=NAME: fault injection
trace_table = None          # strace=: kernel/trace/strace.py wraps the tables


class Entry:
    __slots__ = ("name", "fn", "nargs")

    def __init__(self, name, fn):
        self.name = name
        self.fn = fn
        self.nargs = (fn.__code__.co_argcount - 1) if fn is not None else 0


def collect_handlers():
    _handlers.update(find_handlers(SYSCALL_MODULES))


def find_handlers(modules):
    """Every sys_<name> function of the listed modules.  A module
    that fails to import, or two different functions with one name, is a
    kernel build error: it would silently turn calls into ENOSYS or let
    whichever module came last win."""
    found = {}
    for modname in modules:
        mod = importlib.import_module(modname)     # an ImportError stops the boot
        for k, v in vars(mod).items():
            if not (k.startswith("sys_") and callable(v)):
                continue
            prev = found.get(k)
            if prev is not None and prev is not v:
                raise ImportError("%s is defined twice: in %s and in %s"
                                  % (k, prev.__module__, v.__module__))
            found[k] = v
    return found


def syscall_handler(name):
    """The arch-independent handler sys_<name>, or None: for a subarch's
    entry points that adapt its ABI and then call the common code."""
    if not _handlers:
        collect_handlers()
    return _handlers.get("sys_" + name)


def inject_fault(t, where):
    """Fault injection for tests (boot option inject_oops=WHERE): a kernel
    bug at a named point of a system call, which must become an oops.
    init is spared, so that the machine boots."""
    if where in inject_oops and t.pid != 1:
        raise RuntimeError("fault injected into %s (inject_oops=)" % where)


def table_for(arch):
    tab = _tables.get(arch)
    if tab is None:
        if not _handlers:
            collect_handlers()
        overrides = arch.SYSCALL_OVERRIDES
        size = max(arch.SYSCALLS, default=-1) + 1
        tab = [None] * size
        for nr, name in arch.SYSCALLS.items():
            fn = overrides.get(name) or _handlers.get("sys_" + name)
            tab[nr] = Entry(name, fn)
        if trace_table is not None:
            trace_table(arch, tab)
        _tables[arch] = tab
    return tab


def do_syscall(t, abi):
    """Run the system call t stopped in, with abi's numbering."""
    regs = t.regs
    nr = abi.syscall_nr(regs)
    tab = _tables.get(abi) or table_for(abi)
    entry = tab[nr] if 0 <= nr < len(tab) else None
    if entry is None or entry.fn is None:
        finish_syscall(t, sys_ni_syscall(t, abi, entry.name if entry is not None else "#%d" % nr))
        return
    t.in_syscall = t.syscall_nr = nr
    if t.seccomp_mode:
        ok = secure_computing(t, abi, nr)       # kernel/seccomp.py
        if ok is not True:
            if ok is not False:                 # USER_NOTIF: wait for the answer
                t.kstack = ok
                run_kstack(t)
            return
    args = abi.syscall_args(regs)
    try:
        if inject_oops and entry.name in inject_oops:
            raise RuntimeError("fault injected into %s (inject_oops=)" % entry.name)
        ret = entry.fn(t, *args[:entry.nargs])
    except Errno as e:
        ret = -e.errno
    except KERNEL_EXITS:
        raise
    except Exception as e:
        oops(t, e, entry.name)
        return
    if is_generator(ret):
        t.kstack = ret
        run_kstack(t)
        return
    finish_syscall(t, ret)


def invoke_syscall(t, abi):
    """The handler's answer for the call t stopped in, not yet written to
    its registers: a value or a generator; KSTACK_DONE if the handler
    oopsed.  This is do_syscall without its fast path, for the traced
    path (kernel/ptrace.py), where stops come before and after the call."""
    regs = t.regs
    nr = abi.syscall_nr(regs)
    tab = _tables.get(abi) or table_for(abi)
    entry = tab[nr] if 0 <= nr < len(tab) else None
    if entry is None or entry.fn is None:
        return sys_ni_syscall(t, abi, entry.name if entry is not None else "#%d" % nr)
    t.in_syscall = nr
    try:
        if inject_oops and entry.name in inject_oops:
            raise RuntimeError("fault injected into %s (inject_oops=)" % entry.name)
        return entry.fn(t, *abi.syscall_args(regs)[:entry.nargs])
    except Errno as e:
        return -e.errno
    except KERNEL_EXITS:
        raise
    except Exception as e:
        oops(t, e, entry.name)
        return KSTACK_DONE


# what a kernel stack returns when it has set the task's registers itself
# (a traced system call, signal delivery interrupted by a ptrace stop)
KSTACK_DONE = object()
def sys_ni_syscall(t, abi, name):
    """A system call the kernel does not have: ENOSYS, logged once."""
    nr = abi.syscall_nr(t.regs)
    printk_once((abi.NAME, nr), "%s: unsupported syscall %s (%s nr %d) -> ENOSYS"
                % (t.comm.decode(errors="replace"), name, abi.NAME, nr))
    return -ENOSYS


def finish_syscall(t, ret):
    if t.flags & PF_EXITING or t.exit_state:   # no return to user space
        return
    if ret is NO_RETURN_VALUE:                  # a sleep that was no system call's
        return
    if t.trace_mask:                            # trace(2): kernel/trace_mask.py
        trace_return(t, ret if ret is not None else 0)
    t.arch.set_syscall_return(t.regs, ret if ret is not None else 0)
    t.regs_dirty = True


def run_kstack(t):
    """Run t's sleeping system call one step.  True when it has finished."""
    gen = t.kstack
    try:
        sl = gen.send(None)
    except StopIteration as e:
        t.kstack = None
        if e.value is not KSTACK_DONE:
            finish_syscall(t, e.value)
        return True
    except Errno as e:
        t.kstack = None
        finish_syscall(t, -e.errno)
        return True
    except KERNEL_EXITS:
        raise
    except Exception as e:
        t.kstack = None
        oops(t, e, "kernel stack")
        return True
    if t.flags & PF_EXITING:                    # it exited while asleep
        return True
    sched.sleep_on(t, sl)
    return False


def oops(t, exc, where):
    """A bug in the kernel: log it, kill the task, keep running."""
    pr_err("Oops: %s in %s, task %d (%s)" % (type(exc).__name__, where, t.pid,
                                             t.comm.decode(errors="replace")))
    for line in traceback.format_exception(exc):
        for sub in line.rstrip("\n").split("\n"):
            pr_err(sub)
    t.kstack = None
    kexit.start_group_exit(t, 9)
    kexit.do_exit(t, 9)


class PowerOff(Exception):
    """reboot(2) asked the machine to stop."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


KERNEL_EXITS = (InitDied, PowerOff, KeyboardInterrupt, SystemExit)
