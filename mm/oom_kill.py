"""mm/oom_kill.py - the out-of-memory killer.

Guests may allocate more address space than there is memory (the overcommit
heuristic in mm/mmap.py refuses only single requests larger than the
machine); pages are found when they are touched.  When a page fault finds
physical memory exhausted, somebody has to die, as on Linux: the process
holding the most memory (resident pages plus page tables), never init.  It
is killed at once, here, so its frames are free before the faulting task
tries again, and the kernel logs the kill the way Linux's oom_kill does.
"""

from kernel.printk import pr_err
from kernel import task as ktask
from kernel.exit import do_exit, start_group_exit
from kernel.signal import SIGKILL, sigmask
from kernel.task import PF_EXITING
from kernel.errno import EINVAL, ESRCH
from kernel.pidfd import _target, pidfd_get


def _badness(p):
    mm = p.mm
    if mm is None:
        return -1
    return mm.rss + mm.pt.nr_ptes


def select_bad_process():
    """The process (thread-group leader) to sacrifice, or None."""
    best, score = None, -1
    for p in list(ktask.tasks.values()):
        if p.group_leader is not p or p.tgid == 1 or p.signal.group_exit:
            continue
        live = [th for th in p.thread_group() if th.mm is not None and not th.exit_state]
        if not live:
            continue
        s = _badness(live[0])
        if s > score:
            best, score = p, s
    return best


def oom_kill_message(p):
    th = next((x for x in p.thread_group() if x.mm is not None), p)
    mm = th.mm
    pr_err("Out of memory: Killed process %d (%s) total-vm:%dkB, anon-rss:%dkB, "
           "file-rss:0kB, shmem-rss:0kB, UID:%d pgtables:%dkB oom_score_adj:0"
           % (p.tgid, p.comm.decode(errors="replace"), mm.total_vm * 4, mm.rss * 4,
              p.cred.uid, (mm.pt.nr_ptes + mm.pt.nr_pmds + mm.pt.nr_puds + 1) * 4))


def out_of_memory(t):
    """Physical memory ran out while t faulted.  Returns True if another
    process was killed (t may try again), False if t's own process was
    chosen (the caller kills it) or nobody could be."""
    victim = select_bad_process()
    if victim is None or victim.tgid == t.tgid:
        if t.tgid != 1 or victim is None:
            oom_kill_message(t.group_leader)
        return False
    oom_kill_message(victim)
    start_group_exit(victim, SIGKILL)
    for th in victim.thread_group():
        if not th.exit_state and not th.flags & PF_EXITING:
            do_exit(th, SIGKILL)
    return True


def sys_process_mrelease(t, pidfd, flags):
    """process_mrelease(2): reap the memory of a process already being
    killed (a fatal signal or group exit under way), as the OOM reaper
    does; a process that is not dying is EINVAL, one whose address space
    is already gone ESRCH.  Here a dying process's memory goes as soon as
    it runs its exit, which comes first: there is nothing left to wait for."""
    if flags & 0xFFFFFFFF:
        return -EINVAL
    ctx, _ = pidfd_get(t, pidfd)
    target = _target(ctx)
    threads = [th for th in target.thread_group() if th.mm is not None and not th.exit_state]
    if not threads:
        return -ESRCH
    sig = target.signal
    dying = sig.group_exit or (sig.shared_pending is not None
                               and sig.shared_pending.signal & sigmask(SIGKILL))
    return 0 if dying else -EINVAL
