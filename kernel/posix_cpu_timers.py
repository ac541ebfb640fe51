"""kernel/posix_cpu_timers.py - RLIMIT_CPU, enforced as Linux's
check_process_timers does.

A process whose CPU time (user + system, all its threads, the dead ones
included) reaches the soft limit gets SIGXCPU, and the soft limit is raised
by one second, so that it gets another each further second; at the hard
limit it gets SIGKILL.  An unlimited soft limit checks nothing (the hard
one included, as on Linux).  skas/userspace.py calls this after each
stretch the guest ran, while the soft limit is finite.
"""

from kernel.abi import RLIMIT_CPU
from kernel.signal import SIGKILL, SIGXCPU, SI_KERNEL, SigInfo, send_signal
from kernel.task import RLIM_INFINITY
from kernel.time import thread_group_cputime


def check_rlimit_cpu(t):
    lim = t.signal.rlim[RLIMIT_CPU]
    soft, hard = lim
    if soft == RLIM_INFINITY:
        return
    ut, st = thread_group_cputime(t)
    used = ut + st
    if hard != RLIM_INFINITY and used >= hard:
        send_signal(t, SigInfo(SIGKILL, SI_KERNEL), group=True)
    elif used >= soft:
        send_signal(t, SigInfo(SIGXCPU, SI_KERNEL), group=True)
        lim[0] = soft + 1
