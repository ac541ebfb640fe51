"""kernel/pidfd.py - process file descriptors (pidfd_open, pidfd_send_signal,
pidfd_getfd, clone's CLONE_PIDFD).

A pidfd names one process (or, with PIDFD_THREAD, one thread) for as long
as the fd lives, unlike a pid number, which the kernel hands out again once
the process is reaped.  So the file holds what identifies the process
itself (PidfdCtx): signals through it can never hit a newcomer that got the
same number, and waitid(P_PIDFD) waits for exactly that child.

The file is readable (POLLIN) once the process has exited: its leader is a
zombie and no other thread is left.  Once it is reaped POLLHUP is added.
The exit paths wake the process's `wait_pidfd` queue (kernel/exit.py:
do_notify_pidfd).  read and write fail with EINVAL; /proc/PID/fdinfo shows
the pid, or -1 after the reaping, as Linux's does.
"""

from kernel.abi import RLIMIT_NOFILE, s32
from kernel import sched
from kernel import task as ktask
from kernel.errno import EBADF, EINVAL, ENOENT, EPERM, ESRCH, Errno
from fs.file import EMFILE, FileOperations, O_NONBLOCK, O_RDWR, POLLHUP, POLLIN, POLLRDNORM, fget
from fs.anon_inodes import anon_inode_getfile, install_new_file
from kernel.signal import PF_EXITING, SI_TKILL, _siginfo_from_user, kill_pid_info
from mm.uaccess import get_user_u32, put_user_u32
from kernel.capability import CAP_KILL, cred_capable

O_EXCL = 0o200
PIDFD_NONBLOCK = O_NONBLOCK
PIDFD_THREAD = O_EXCL

PIDFD_SIGNAL_THREAD = 1 << 0
PIDFD_SIGNAL_THREAD_GROUP = 1 << 1
PIDFD_SIGNAL_PROCESS_GROUP = 1 << 2


class PidfdCtx:
    """What a pidfd names.  A process pidfd follows the process: by its
    pid and its SignalStruct, which stay with the process when a thread
    other than the leader execs and takes the leader's place (de_thread),
    and which a later process given the same pid does not share.  A thread
    pidfd names the Task itself."""
    __slots__ = ("task", "pid", "signal", "thread")

    def __init__(self, task, thread):
        self.task = task
        self.pid = task.pid
        self.signal = task.signal
        self.thread = thread

    def current(self):
        """The task the pidfd names now, or None once it is reaped."""
        p = ktask.tasks.get(self.pid)
        if p is None or p.exit_state == sched.EXIT_DEAD:
            return None
        if self.thread:
            return p if p is self.task else None
        return p if p.signal is self.signal else None


def pidfd_wait_queue(sigs):
    """The queue woken when a thread of the process exits or is reaped."""
    wq = sigs.wait_pidfd
    if wq is None:
        wq = sigs.wait_pidfd = sched.WaitQueue()
    return wq


class PidfdOps(FileOperations):
    splice_read = splice_write = False      # an anonymous inode's: Linux's has neither

    def poll(self, f, t):
        ctx = f.private
        wq = pidfd_wait_queue(ctx.signal)
        p = ctx.current()
        if p is None:
            return POLLIN | POLLRDNORM | POLLHUP, (wq,)
        # a process has exited when its leader is a zombie and no other
        # thread is left; a thread when it has
        if p.exit_state and (ctx.thread or all(th is p for th in p.thread_group())):
            return POLLIN | POLLRDNORM, (wq,)
        return 0, (wq,)

    def show_fdinfo(self, f):
        p = f.private.current()
        nr = -1 if p is None else p.pid
        return "Pid:\t%d\nNSpid:\t%d\n" % (nr, nr)


pidfd_fops = PidfdOps()


def pidfd_create_file(task, flags):
    """A new pidfd File for task (flags: PIDFD_NONBLOCK, PIDFD_THREAD)."""
    ctx = PidfdCtx(task, bool(flags & PIDFD_THREAD))
    f = anon_inode_getfile(b"[pidfd]", pidfd_fops, ctx, O_RDWR | (flags & O_NONBLOCK))
    f.flags |= flags & PIDFD_THREAD     # F_GETFL shows O_EXCL on a thread's pidfd
    return f


def pidfd_get(t, fd):
    """(ctx, file) of the pidfd fd: EBADF if fd is no open file or no pidfd."""
    f = fget(t, s32(fd))
    if f is None or f.f_op is not pidfd_fops:
        raise Errno(EBADF)
    return f.private, f


def pidfd_to_ctx(t, fd):
    """pidfd_send_signal's target: a pidfd, or an open /proc/PID directory
    (Linux's tgid_pidfd_to_pid), which names the process it was opened
    for, never a later one with the same number."""
    f = fget(t, s32(fd))
    if f is None:
        raise Errno(EBADF)
    if f.f_op is pidfd_fops:
        return f.private
    task = f.inode.proc_task
    if task is None:
        raise Errno(EBADF)
    return PidfdCtx(task, False)


def sys_pidfd_open(t, pid, flags):
    pid = s32(pid)
    flags &= 0xFFFFFFFF
    if flags & ~(PIDFD_NONBLOCK | PIDFD_THREAD) or pid <= 0:
        return -EINVAL
    target = ktask.find_task(pid)
    if target is None:
        return -ESRCH
    if not flags & PIDFD_THREAD and target.group_leader is not target:
        return -ENOENT                  # a thread's id names no process (6.9+)
    f = pidfd_create_file(target, flags)
    return install_new_file(t, f, True)


def _target(ctx):
    p = ctx.current()
    if p is None:
        raise Errno(ESRCH)
    return p


def sys_pidfd_send_signal(t, pidfd, sig, uinfo, flags):
    sig = s32(sig)
    flags &= 0xFFFFFFFF
    valid = PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP
    if flags & ~valid or flags & (flags - 1):
        return -EINVAL
    ctx = pidfd_to_ctx(t, pidfd)
    if flags & PIDFD_SIGNAL_THREAD:
        kind = "thread"
    elif flags & PIDFD_SIGNAL_THREAD_GROUP:
        kind = "process"
    elif flags & PIDFD_SIGNAL_PROCESS_GROUP:
        kind = "pgrp"
    else:
        kind = "thread" if ctx.thread else "process"
    info = None
    if uinfo:
        info = _siginfo_from_user(t, uinfo, sig)
        if s32(get_user_u32(t.mm, uinfo)) != sig:
            return -EINVAL
        # only a task signalling itself may pose as the kernel or as kill
        if (ctx.current() is not t or kind == "pgrp") and (info.code >= 0 or info.code == SI_TKILL):
            return -EPERM
    if kind == "pgrp":
        # the pid taken as a process group id: the group it leads (which
        # may outlive it), ESRCH if it leads none
        if ctx.current() is None and ctx.pid in ktask.tasks:
            return -ESRCH               # the number went to someone else
        return _kill_pgrp(t, ctx.pid, sig, info)
    target = _target(ctx)
    if kind == "thread":
        return kill_pid_info(t, target, sig, info, group=False)
    return kill_pid_info(t, target.group_leader, sig, info)


def _kill_pgrp(t, pgrp, sig, info):
    sent, err = 0, -ESRCH
    for p in list(ktask.tasks.values()):
        if p.group_leader is not p or p.exit_state or p.signal.pgrp != pgrp:
            continue
        try:
            kill_pid_info(t, p, sig, info)
            sent += 1
        except Errno as e:
            err = -e.errno
    return 0 if sent else err


def ptrace_may_access(t, target):
    """PTRACE_MODE_ATTACH_REALCREDS, simplified: the same process, root, or
    the same real user and group throughout."""
    if t.tgid == target.tgid:
        return True
    c, tc = t.cred, target.cred
    if cred_capable(c, CAP_KILL):
        return True
    return (c.uid == tc.uid == tc.euid == tc.suid
            and c.gid == tc.gid == tc.egid == tc.sgid)


def sys_pidfd_getfd(t, pidfd, fd, flags):
    flags &= 0xFFFFFFFF
    if flags:
        return -EINVAL
    ctx, _f = pidfd_get(t, pidfd)
    target = _target(ctx)
    if not ptrace_may_access(t, target):
        return -EPERM
    fd = s32(fd)
    files = target.files
    f = files.fd.get(fd) if files is not None and fd >= 0 else None
    if f is None:
        return -ESRCH if target.flags & PF_EXITING or files is None else -EBADF
    f.get()
    try:
        return t.files.alloc_fd(t, f, cloexec=True)
    except BaseException:
        f.put()
        raise


def clone_pidfd_reserve(t, uaddr):
    """clone(CLONE_PIDFD), before the child exists: the fd the pidfd will
    get is told to the parent first, so that a bad pointer fails the call
    with nothing created.  Returns the fd number."""
    files = t.files
    fd = 0
    while fd in files.fd:
        fd += 1
    if fd >= t.signal.rlim[RLIMIT_NOFILE][0]:
        raise Errno(EMFILE)
    put_user_u32(t.mm, uaddr, fd)
    return fd


def clone_pidfd_install(t, fd, child, thread):
    f = pidfd_create_file(child, PIDFD_THREAD if thread else 0)
    t.files.install(fd, f, cloexec=True)
