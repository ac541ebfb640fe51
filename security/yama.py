"""security/yama.py - Yama's ptrace scope: who may attach to whom, beyond
the credential checks of kernel/ptrace_access.py (Linux's
security/yama/yama_lsm.c, the only security module this kernel has).

/proc/sys/kernel/yama/ptrace_scope says how far attaching is allowed:

  0  classic ptrace permissions: same user, or CAP_SYS_PTRACE.  Debian's
     default (Debian carries a patch that turns the upstream default, 1,
     off), and this kernel's;
  1  relational: only a process's ancestors, or the tracer it named with
     prctl(PR_SET_PTRACER), or a CAP_SYS_PTRACE holder may attach;
  2  admin only: attaching needs CAP_SYS_PTRACE, and PTRACE_TRACEME a
     parent that holds it;
  3  no attaching and no PTRACE_TRACEME at all; once set, the scope
     cannot be lowered again.

The scope binds attaches (PTRACE_MODE_ATTACH: PTRACE_ATTACH and SEIZE,
opening /proc/PID/mem, process_vm_readv/writev), not reads.  A refusal is
EPERM and a kernel notice, as Linux's report_access.

PR_SET_PTRACER names the one process allowed to attach to the caller's
process under scope 1 (a pid - that task or its descendants -,
PR_SET_PTRACER_ANY, or 0 to forget it).  The exception belongs to the
caller's process (t.signal: not inherited by fork) and dies with the
task it names, as Linux's yama_task_free.
"""

import time

from fs.proc import proc_sysctl  # proc_sysctl imports this module: names read at call time
from kernel.errno import EINVAL, EPERM, Errno
from kernel.ptrace_access import ptrace_has_cap
from kernel.sched import EXIT_DEAD
from kernel.printk import pr_notice
from kernel import task as ktask, sched

YAMA_SCOPE_DISABLED = 0
YAMA_SCOPE_RELATIONAL = 1
YAMA_SCOPE_CAPABILITY = 2
YAMA_SCOPE_NO_ATTACH = 3

ptrace_scope = YAMA_SCOPE_DISABLED      # kernel.yama.ptrace_scope

PR_SET_PTRACER = 0x59616D61
PR_SET_PTRACER_ANY = (1 << 64) - 1
ANY = "any"                             # the exception PR_SET_PTRACER_ANY makes


def _has_cap_sys_ptrace(t):
    return ptrace_has_cap(t)


def task_is_descendant(parent, child):
    """Is child's process parent's process or one of its descendants?"""
    if parent is None or child is None:
        return False
    parent = parent.group_leader
    walker = child
    while walker is not None and walker.pid > 0:
        walker = walker.group_leader
        if walker is parent:
            return True
        walker = walker.real_parent
    return False


def ptracer_exception_found(tracer, tracee):
    """Did tracee's process name tracer (or an ancestor of it, or anyone)
    with PR_SET_PTRACER?"""
    named = tracee.signal.yama_ptracer
    if named is None:
        return False
    if named is ANY:
        return True
    if named.exit_state == EXIT_DEAD:   # the task it named is gone
        tracee.signal.yama_ptracer = None
        return False
    return task_is_descendant(named, tracer)


_reports = []                           # times of the recent notices


def report_access(access, target, agent):
    """The notice of a refusal, at most 10 every 5 seconds (Linux's
    default rate limit)."""
    now = time.monotonic()
    _reports[:] = [r for r in _reports if now - r < 5]
    if len(_reports) >= 10:
        return
    _reports.append(now)
    pr_notice('ptrace %s of "%s"[%d] was attempted by "%s"[%d]'
              % (access, target.comm.decode(errors="replace"), target.pid,
                 agent.comm.decode(errors="replace"), agent.pid))


def yama_ptrace_access_check(t, child, attach):
    """0, or -EPERM when the scope forbids t to attach to child."""
    if not attach or ptrace_scope == YAMA_SCOPE_DISABLED:
        return 0
    if ptrace_scope == YAMA_SCOPE_RELATIONAL:
        ok = (task_is_descendant(t, child) or ptracer_exception_found(t, child)
              or _has_cap_sys_ptrace(t))
    elif ptrace_scope == YAMA_SCOPE_CAPABILITY:
        ok = _has_cap_sys_ptrace(t)
    else:
        ok = False
    if ok:
        return 0
    report_access("attach", child, t)
    return -EPERM


def yama_ptrace_traceme(t, parent):
    """0, or -EPERM when the scope forbids t to make parent its tracer."""
    if ptrace_scope == YAMA_SCOPE_CAPABILITY and _has_cap_sys_ptrace(parent):
        return 0
    if ptrace_scope < YAMA_SCOPE_CAPABILITY:
        return 0
    report_access("traceme", t, parent)
    return -EPERM


def prctl_set_ptracer(t, pid):
    """prctl(PR_SET_PTRACER, pid)."""
    if pid == 0:
        t.signal.yama_ptracer = None
        return 0
    if pid == PR_SET_PTRACER_ANY or pid & 0xFFFFFFFF == 0xFFFFFFFF:
        t.signal.yama_ptracer = ANY
        return 0
    vpid = pid & 0xFFFFFFFF                 # a pid_t
    tracer = ktask.find_task(vpid) if vpid < 1 << 31 else None
    if tracer is None:
        return -EINVAL
    t.signal.yama_ptracer = tracer
    return 0


# -- /proc/sys/kernel/yama -------------------------------------------------------------

def _scope_get():
    return b"%d\n" % ptrace_scope


def _scope_set(data):
    """Only a CAP_SYS_PTRACE holder writes it; 0-3, and 3 is for good."""
    global ptrace_scope
    if sched.current is not None and not _has_cap_sys_ptrace(sched.current):
        raise Errno(EPERM)
    (v,) = proc_sysctl._parse_ints(data)
    low = YAMA_SCOPE_NO_ATTACH if ptrace_scope == YAMA_SCOPE_NO_ATTACH else 0
    if not low <= v <= YAMA_SCOPE_NO_ATTACH:
        raise Errno(EINVAL)
    ptrace_scope = v


def sysctl_table():
    return {"ptrace_scope": proc_sysctl.Ctl(_scope_get, _scope_set)}
