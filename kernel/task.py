"""kernel/task.py - struct task_struct and the pid table.

A Task is one schedulable thread.  What threads of a process share lives in
objects they point to, as in Linux: the mm (address space), files (fd
table), fs (root, cwd, umask), sighand (signal actions) and signal (the
thread group: shared pending signals, limits, process group, session).

The guest's user registers live in task.regs (the host's user_regs_struct,
filled by PTRACE_GETREGS at each stop where the kernel needs them) and the
FP/SSE state in task.fpstate while the task is not loaded in its host
process (threads of one mm share that process; skas/userspace.py swaps).
"""

import ctypes
import time

from kernel import sched
from skas.ptrace import user_regs_struct
from kernel.capability import CAP_FULL_SET
from kernel.user_namespace import init_user_ns

PID_MAX = 4194304

# task.flags (Linux's PF_*; /proc/PID/stat shows them)
PF_EXITING = 0x00000004         # do_exit has begun: no return to user space
PF_FORKNOEXEC = 0x00000040      # forked but not exec'd yet (setpgid may move it)
PF_SIGNALED = 0x00000400        # killed by a signal

tasks = {}              # tid -> Task, every task not yet reaped
_last_pid = 0


def alloc_pid():
    global _last_pid
    pid = _last_pid
    for _ in range(PID_MAX):
        pid = pid + 1 if pid < PID_MAX - 1 else 300
        if pid not in tasks and not pid_in_use(pid):
            _last_pid = pid
            return pid
    return None


def pid_in_use(pid):
    """A pid stays in use while it names a process group or session."""
    for t in tasks.values():
        if t.signal.pgrp == pid or t.signal.session == pid:
            return True
    return False


class Cred:
    __slots__ = ("uid", "euid", "suid", "fsuid", "gid", "egid", "sgid",
                 "fsgid", "groups", "cap_inheritable", "cap_permitted",
                 "cap_effective", "cap_bset", "cap_ambient", "securebits",
                 "landlock", "user_ns")

    def __init__(self, uid=0, gid=0):
        self.uid = self.euid = self.suid = self.fsuid = uid
        self.gid = self.egid = self.sgid = self.fsgid = gid
        self.groups = ()
        # capabilities (kernel/capability.py): root holds them all
        self.cap_permitted = self.cap_effective = CAP_FULL_SET if uid == 0 else 0
        self.cap_inheritable = self.cap_ambient = 0
        self.cap_bset = CAP_FULL_SET
        self.securebits = 0
        self.landlock = None            # Landlock domain: a tuple of layers (security/landlock/)
        self.user_ns = init_user_ns     # whose ids and capabilities these are

    def copy(self):
        c = Cred()
        for k in self.__slots__:
            setattr(c, k, getattr(self, k))
        return c


RLIM_INFINITY = (1 << 64) - 1
RLIMIT_NAMES = ("CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NPROC",
                "NOFILE", "MEMLOCK", "AS", "LOCKS", "SIGPENDING", "MSGQUEUE",
                "NICE", "RTPRIO", "RTTIME")


def default_rlimits():
    inf = RLIM_INFINITY
    lim = [[inf, inf] for _ in RLIMIT_NAMES]
    lim[3] = [8 << 20, inf]             # STACK
    lim[4] = [0, inf]                   # CORE
    lim[6] = [4096, 4096]               # NPROC
    lim[7] = [1024, 4096]               # NOFILE
    lim[8] = [8 << 20, 8 << 20]         # MEMLOCK
    lim[11] = [4096, 4096]              # SIGPENDING
    lim[12] = [819200, 819200]          # MSGQUEUE: Linux's MQ_BYTES_MAX
    lim[13] = [0, 0]                    # NICE: only privilege lowers nice
    lim[14] = [0, 0]                    # RTPRIO: no real time without it
    return lim


class SignalStruct:
    """Shared by the threads of one process (the thread group)."""

    def __init__(self):
        self.shared_pending = None      # kernel/signal.py fills these in
        self.rlim = default_rlimits()
        self.pgrp = 0
        self.session = 0
        self.tty = None
        self.group_exit = False
        self.group_exit_code = 0
        self.nr_threads = 1
        self.utime = self.stime = 0.0
        self.cutime = self.cstime = 0.0
        self.maxrss = 0                 # KB: the peak rss of the mms this process left (exec, exit)
        self.cmaxrss = 0                # KB: the biggest maxrss of the children reaped
        self.cmin_flt = self.cmaj_flt = 0   # reaped children's faults and switches
        self.cnvcsw = self.cnivcsw = 0
        self.flags = 0
        self.group_stop_count = 0
        self.itimer_real = None
        self.cpu_itimers = False        # ITIMER_VIRTUAL/PROF armed (kernel/time.py)
        self.leader = False             # session leader
        self.is_child_subreaper = False
        self.oom_score_adj = 0          # /proc/PID/oom_score_adj, inherited
        self.oom_score_adj_min = 0      # lowest an unprivileged writer may set
        self.process_keyring = None     # security/keys/process_keys.py

        # job control (kernel/jobctl.py); what wait4(WUNTRACED/WCONTINUED) reports
        self.stopped = False            # the group is stopped
        self.stop_report = 0            # the stop signal, until a waiter takes it
        self.cont_report = False        # continued, until a waiter takes it
        # timers (kernel/time.py, kernel/posix_timers.py), made at first use
        self.itimers = None             # [ITIMER_REAL, _VIRTUAL, _PROF]
        self.posix_timers = None        # timer id -> KTimer
        self.next_posix_timer_id = 0
        self.wait_pidfd = None          # WaitQueue of pidfd pollers (kernel/pidfd.py)
        self.yama_ptracer = None        # PR_SET_PTRACER's task, or ANY (security/yama.py)


class Task:
    debugregs = None                    # a debugger's DR0-7 (arch/x86_64/debugreg.py)

    def __init__(self, pid, arch):
        self.pid = pid                  # the thread id
        self.tgid = pid                 # the process id
        self.group_leader = self
        self.arch = arch
        self.comm = b""
        self.state = sched.TASK_RUNNING
        self.exit_state = 0
        self.exit_code = 0
        self.flags = 0

        self.mm = None
        self.active_mm = None
        self.files = None
        self.fs = None
        self.cred = Cred()
        self.nsproxy = None             # its namespaces (kernel/nsproxy.py): set by clone, boot
        self.sighand = None
        self.signal = SignalStruct()

        self._init_regs()
        self._init_sched()
        self._init_family()
        self._init_signals()
        self._init_abi()
        self._init_ptrace()
        self._init_security()

    def _init_regs(self):
        """The user registers, as the host thread has them (skas/)."""
        self.regs = user_regs_struct()
        self.regs_addr = ctypes.addressof(self.regs)  # for the hot ptrace calls
        self.fpstate = None             # saved xstate when not loaded
        self.regs_dirty = False         # task.regs must be written to the host
        self.regs_valid = False         # task.regs matches the host thread

    def _init_sched(self):
        """Scheduling (kernel/sched*.py) and the system call in progress."""
        self.vruntime = 0.0             # weighted CPU time had (kernel/sched_fair.py)
        self.yielded = False            # sched_yield: step aside once
        self.sched_ticks = 0            # preemption ticks taken (sched_clock=tick)
        self.sched_pcount = 0           # times picked to run (/proc/PID/schedstat)
        self.sched_run_delay = 0.0      # seconds spent runnable, waiting
        self.sched_enqueued = 0.0       # when it last joined the run queue
        self.nice = 0                   # -20..19 (setpriority)
        self.policy = 0                 # SCHED_OTHER... (kernel/sched_policy.py)
        self.rt_priority = 0
        self.sched_reset_on_fork = False
        self.dl = None                  # SCHED_DEADLINE's (runtime, deadline, period) in ns
        self.custom_slice = None        # sched_setattr's runtime for a fair task (ns); None: the base slice
        self.timer_slack_ns = 50000     # PR_SET_TIMERSLACK, /proc/PID/timerslack_ns
        self.default_timer_slack_ns = 50000     # what PR_SET_TIMERSLACK 0 restores
        self.kstack = None              # generator of a sleeping system call
        self.sleeping_on = ()
        self.sleep_timer = None
        self.in_syscall = None          # (nr, abi) while a call is in progress
        self.trace_mask = 0             # trace(2): bit n traces call n (kernel/trace_mask.py)
        self.syscall_nr = -1            # the call being handled (kept through execve)

    def _init_family(self):
        """Parent and children, the clone(2) addresses, the CPU time used."""
        self.real_parent = None
        self.parent = None
        self.children = []
        self.exit_signal = 17           # SIGCHLD
        self.vfork_done = None
        self.wait_chldexit = sched.WaitQueue()

        self.set_child_tid = 0
        self.clear_child_tid = 0
        self.robust_list = 0
        self.robust_list_len = 0
        self.rseq = 0
        self.start_time = time.monotonic()
        self.utime = 0.0
        self.stime = 0.0
        self.min_flt = self.maj_flt = 0
        self.nvcsw = self.nivcsw = 0

    def _init_signals(self):
        """Signal masks, the alternate stack, the last fault (kernel/signal.py)."""
        self.blocked = 0
        self.real_blocked = 0           # the mask during rt_sigtimedwait
        self.pending = None
        self.saved_sigmask = None
        self.sas_ss_sp = 0
        self.sas_ss_size = 0
        self.sas_ss_flags = 0
        self.restart_block = None
        self.pdeath_signal = 0          # PR_SET_PDEATHSIG
        self.notified_parent = False    # the parent was told of this zombie
        # the last fault that raised a signal (mm/fault.py), for sigcontext
        self.fault_cr2 = 0
        self.fault_err = 0
        self.fault_trapno = 0

    def _init_abi(self):
        """The ABI and the per-task state of some subsystems."""
        # the ABI: personality(2), i386's *_time64 calls (arch/x86/time64.py),
        # i386's TLS descriptors (arch/x86/tls.py; None: all empty)
        self.personality = 0
        self.time64 = False
        self.tls_array = None

        self.io_context = None          # ioprio_set's IoContext (kernel/ioprio.py)
        self.mempolicy = None           # set_mempolicy's Mempolicy (mm/mempolicy.py); None: default
        self.sysvsem = None             # SEM_UNDO list (ipc/sem.py)
        self.io_uring = None            # io_uring/io_uring.py's IoUringTask

    def _init_ptrace(self):
        """Being traced (kernel/ptrace.py)."""
        self.ptrace = 0                 # PT_* flags; 0: nobody traces this task
        self.ptrace_opts = 0            # PTRACE_O_* options the tracer set
        self.ptracer = None             # the tracer: a Task or the GDB stub
        self.ptraced = []               # the tasks this one traces
        self.jobctl = 0                 # JOBCTL_*: pending stops and traps
        self.stopped_from = 0           # the state a group stop took it from (kernel/jobctl.py)
        self.ptrace_code = 0            # the stop's status for wait (Linux: exit_code)
        self.ptrace_message = 0         # PTRACE_GETEVENTMSG
        self.last_siginfo = None        # the SigInfo of the current stop
        self.syscall_work = 0           # SYSCALL_WORK_*: syscall stops wanted
        self.syscall_abi = None         # the ABI of the call being traced
        self.resume_request = 31        # how the host runs it: PTRACE_SYSEMU(_SINGLESTEP)

    def _init_security(self):
        """Secure computing, cpuid/rdtsc faulting and keyrings."""
        # secure computing (kernel/seccomp.py); no_new_privs: PR_SET_NO_NEW_PRIVS
        self.seccomp_mode = 0
        self.seccomp_filter = None
        self.no_new_privs = 0
        # rdtsc/cpuid faulting: NOTSC | NOCPUID (arch/x86/cpu_faulting.py)
        self.cpu_faulting = 0

        # keyrings (security/keys/process_keys.py)
        self.thread_keyring = None
        self.session_keyring = None
        self.jit_keyring = 0            # request_key's default destination

    def __repr__(self):
        return "<Task %d %s>" % (self.pid, self.comm.decode(errors="replace"))

    @property
    def is_init(self):
        return self.tgid == 1

    def thread_group(self):
        return [t for t in tasks.values() if t.tgid == self.tgid]


def find_task(pid):
    t = tasks.get(pid)
    if t is None or t.exit_state == sched.EXIT_DEAD:
        return None
    return t
