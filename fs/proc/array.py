"""fs/proc/array.py - /proc/PID/stat, status and statm: a process in numbers.

The layouts are Linux's (fs/proc/array.c), field for field, because ps, top
and friends parse them by position.  Times are in clock ticks (USER_HZ,
100), memory in pages or kB.
"""


from kernel.abi import RLIMIT_SIGPENDING
from kernel import sched
from kernel.seccomp import proc_status_lines
from mm.mempolicy import mems_allowed_status
from mm.vma import VM_EXEC, VM_SHARED, VM_WRITE
from kernel.signal import ALL_SIGNALS, SIG_DFL, SIG_IGN
from kernel.sys import boot_monotonic
from kernel.task import PF_EXITING
from kernel.user_namespace import from_kgid_munged, from_kuid_munged

USER_HZ = 100
PAGE_KB = 4


def task_state_char(t):
    if t.exit_state & sched.EXIT_ZOMBIE:
        return "Z"
    if t.exit_state & sched.EXIT_DEAD:
        return "X"
    return {sched.TASK_RUNNING: "R", sched.TASK_INTERRUPTIBLE: "S",
            sched.TASK_UNINTERRUPTIBLE: "D", sched.TASK_STOPPED: "T",
            sched.TASK_TRACED: "t"}.get(t.state, "S")


STATE_NAMES = {"R": "R (running)", "S": "S (sleeping)", "D": "D (disk sleep)",
               "T": "T (stopped)", "t": "t (tracing stop)", "Z": "Z (zombie)",
               "X": "X (dead)"}


def boot_time():
    return boot_monotonic()


def _ticks(seconds):
    return int(seconds * USER_HZ)


def _vm(mm):
    """(vsize bytes, rss pages, data pages, stack pages, exe pages)"""
    if mm is None:
        return 0, 0, 0, 0, 0
    data = stack = exe = 0
    for v in mm.vmas:
        n = (v.end - v.start) >> 12
        if v.name == "[stack]":
            stack += n
        elif v.flags & VM_WRITE and not v.flags & VM_SHARED:    # private writable
            data += n
        elif v.flags & VM_EXEC and v.file is not None:
            exe += n
    return mm.total_vm * 4096, mm.rss, data, stack, exe


def _tty_nr(t):
    tty = t.signal.tty
    if tty is None:
        return 0
    return tty.device


def _ppid(t):
    p = t.group_leader.real_parent
    return p.tgid if p is not None else 0


def _tracer_pid(t):
    """The tracing task's pid (0: none, or the GDB stub, which is no task)."""
    tr = t.ptracer
    return tr.pid if tr is not None else 0


def _sig_sets(t):
    """(thread's pending, process's pending, blocked, ignored, caught) as
    bit masks, signal n in bit n-1: the Sig* lines of status, and stat's."""
    # LAB procstatus: begin
    ign = cgt = 0
    if t.sighand is not None:
        for sig, a in enumerate(t.sighand.action):
            if sig == 0:
                continue
            if a.handler == SIG_IGN:
                ign |= 1 << (sig - 1)
            elif a.handler != SIG_DFL:
                cgt |= 1 << (sig - 1)
    pend = t.pending.signal & ALL_SIGNALS if t.pending is not None else 0
    shpend = t.signal.shared_pending.signal if t.signal.shared_pending is not None else 0
    return pend, shpend, t.blocked, ign, cgt
    # LAB procstatus: starter
    #> return 0, 0, 0, 0, 0
    # LAB procstatus: end


def proc_pid_stat(t, task_view=None):
    """One line, 52 fields."""
    mm = t.mm
    vsize, rss, _, _, _ = _vm(mm)
    pend, shpend, blocked, ign, cgt = _sig_sets(t)
    leader = t.group_leader
    threads = t.signal.nr_threads
    utime = t.signal.utime + t.utime if task_view is None else t.utime
    stime = t.signal.stime + t.stime if task_view is None else t.stime
    start = _ticks(t.start_time - boot_time())
    tpgid = -1
    tty = t.signal.tty
    if tty is not None:
        tpgid = tty.pgrp or -1
    comm = t.comm.decode(errors="replace")
    nice = t.nice
    policy, rt_priority = t.policy, t.rt_priority
    # priority as Linux shows it: 20 + nice, or -1 - the real-time priority
    prio = -1 - rt_priority if policy in (1, 2) else 20 + nice
    f = [t.tgid if task_view is None else t.pid, "(%s)" % comm, task_state_char(t),
         _ppid(t), t.signal.pgrp, t.signal.session, _tty_nr(t), tpgid,
         0x400000 | (0x200000 if t.flags & PF_EXITING else 0),
         t.min_flt, 0, t.maj_flt, 0,
         _ticks(utime), _ticks(stime), _ticks(t.signal.cutime), _ticks(t.signal.cstime),
         prio, nice, threads, 0, start, vsize, rss, (1 << 64) - 1,
         mm.start_code if mm else 0, mm.end_code if mm else 0,
         mm.start_stack if mm else 0, 0, 0,
         (pend | shpend) & 0x7FFFFFFF, blocked & 0x7FFFFFFF, ign & 0x7FFFFFFF, cgt & 0x7FFFFFFF,
         0, 0, 0, t.exit_signal if leader is t else 0, 0, rt_priority, policy, 0, 0, 0,
         mm.start_data if mm else 0, mm.end_data if mm else 0, mm.start_brk if mm else 0,
         mm.arg_start if mm else 0, mm.arg_end if mm else 0,
         mm.env_start if mm else 0, mm.env_end if mm else 0,
         t.exit_code if t.exit_state else 0]
    return " ".join(str(x) for x in f) + "\n"


def proc_pid_status(t, reader):
    """/proc/PID/status of t, its ids as the reader's user namespace names them."""
    mm = t.mm
    vsize, rss, data, stack, exe = _vm(mm)
    c = t.cred
    ns = reader.cred.user_ns
    pend, shpend, blocked, ign, cgt = _sig_sets(t)
    st = task_state_char(t)
    files = t.files
    fdsize = 64
    if files is not None and files.fd:
        while fdsize <= max(files.fd):
            fdsize *= 2
    lines = [
        "Name:\t%s" % t.comm.decode(errors="replace"),
        "Umask:\t%04o" % (t.fs.umask if t.fs is not None else 0o022),
        "State:\t%s" % STATE_NAMES[st],
        "Tgid:\t%d" % t.tgid,
        "Ngid:\t0",
        "Pid:\t%d" % t.pid,
        "PPid:\t%d" % _ppid(t),
        "TracerPid:\t%d" % _tracer_pid(t),
        "Uid:\t%d\t%d\t%d\t%d" % tuple(from_kuid_munged(ns, u)
                                       for u in (c.uid, c.euid, c.suid, c.fsuid)),
        "Gid:\t%d\t%d\t%d\t%d" % tuple(from_kgid_munged(ns, g)
                                       for g in (c.gid, c.egid, c.sgid, c.fsgid)),
        "FDSize:\t%d" % fdsize,
        "Groups:\t%s" % " ".join(str(from_kgid_munged(ns, g)) for g in c.groups),
    ]
    if mm is not None:
        lines += [
            "VmPeak:\t%8d kB" % (vsize >> 10),
            "VmSize:\t%8d kB" % (vsize >> 10),
            "VmLck:\t%8d kB" % (mm.locked_vm() * PAGE_KB),
            "VmPin:\t%8d kB" % 0,
            # LAB procstatus: begin
            "VmHWM:\t%8d kB" % (rss * PAGE_KB),
            "VmRSS:\t%8d kB" % (rss * PAGE_KB),
            "RssAnon:\t%8d kB" % (rss * PAGE_KB),
            # LAB procstatus: starter
            #> "VmHWM:\t%8d kB" % 0,
            #> "VmRSS:\t%8d kB" % 0,
            #> "RssAnon:\t%8d kB" % 0,
            # LAB procstatus: end
            "RssFile:\t%8d kB" % 0,
            "RssShmem:\t%8d kB" % 0,
            "VmData:\t%8d kB" % (data * PAGE_KB),
            "VmStk:\t%8d kB" % (stack * PAGE_KB),
            "VmExe:\t%8d kB" % (exe * PAGE_KB),
            "VmLib:\t%8d kB" % 0,
            "VmPTE:\t%8d kB" % (mm.pt.nr_ptes * PAGE_KB),
            "VmSwap:\t%8d kB" % 0,
        ]
    lines += [
        # LAB procstatus: begin
        "Threads:\t%d" % t.signal.nr_threads,
        # LAB procstatus: starter
        #> "Threads:\t%d" % 1,
        # LAB procstatus: end
        "SigQ:\t0/%d" % t.signal.rlim[RLIMIT_SIGPENDING][0],
        "SigPnd:\t%016x" % pend,
        "ShdPnd:\t%016x" % shpend,
        "SigBlk:\t%016x" % blocked,
        "SigIgn:\t%016x" % ign,
        "SigCgt:\t%016x" % cgt,
        "CapInh:\t%016x" % c.cap_inheritable,
        "CapPrm:\t%016x" % c.cap_permitted,
        "CapEff:\t%016x" % c.cap_effective,
        "CapBnd:\t%016x" % c.cap_bset,
        "CapAmb:\t%016x" % c.cap_ambient,
    ] + proc_status_lines(t) + [
        "Cpus_allowed:\t1",
        "Cpus_allowed_list:\t0",
    ] + mems_allowed_status() + [
        "voluntary_ctxt_switches:\t%d" % t.nvcsw,
        "nonvoluntary_ctxt_switches:\t%d" % t.nivcsw,
    ]
    return "\n".join(lines) + "\n"



def proc_pid_statm(t):
    mm = t.mm
    vsize, rss, data, stack, exe = _vm(mm)
    return "%d %d %d %d 0 %d 0\n" % (vsize >> 12, rss, 0, exe, data + stack)
