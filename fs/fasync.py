"""fs/fasync.py - signal-driven I/O: F_SETOWN/F_SETOWN_EX/F_SETSIG owners
and O_ASYNC notification (the f_owner and fasync parts of Linux's
fs/fcntl.c).

A File's owner (FownStruct) is a thread, a process or a process group,
remembered with the uid/euid of whoever set it; F_SETSIG chooses the
signal (0: SIGIO).  With O_ASYNC (F_SETFL or FIOASYNC) on a file whose
kind supports it (f_op.fasync_supported: pipes, FIFOs, terminals,
sockets, inotify), the owner is signalled when the file becomes ready:
the fasync entry hangs a callback on the wait queues the file's poll()
names - the queues its driver already wakes with the events that
happened (Linux's kill_fasync calls sit beside those wake-ups) - and
sends a signal for the events the file itself now reports.  With
F_SETSIG the signal is queued with si_code POLL_IN/OUT/MSG/ERR/PRI/HUP,
si_band and si_fd (the descriptor O_ASYNC was set through); plain SIGIO
carries SI_KERNEL.  A lease break (fs/locks.py) signals the same way
with POLL_MSG.  The sender's permission is sigio_perm's: root, or a
uid/euid of the owner matching the target's uid or saved uid.
"""

from kernel import task as ktask
from kernel.abi import SIGIO
from kernel.errno import EINVAL, ESRCH, Errno
from fs.file import (O_ASYNC, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM,
                     POLLWRBAND, POLLWRNORM)
from kernel.signal import SI_KERNEL, SigInfo, send_signal

F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP = 0, 1, 2
POLL_IN, POLL_OUT, POLL_MSG, POLL_ERR, POLL_PRI, POLL_HUP = 1, 2, 3, 4, 5, 6
POLLMSG = 0x400

BAND_TABLE = {
    POLL_IN: POLLIN | POLLRDNORM,
    POLL_OUT: POLLOUT | POLLWRNORM | POLLWRBAND,
    POLL_MSG: POLLIN | POLLRDNORM | POLLMSG,
    POLL_ERR: POLLERR,
    POLL_PRI: POLLPRI | POLLRDBAND,
    POLL_HUP: POLLHUP | POLLERR,
}


class FownStruct:
    __slots__ = ("pid_type", "pid", "uid", "euid", "signum")

    def __init__(self):
        self.pid_type = F_OWNER_PID
        self.pid = 0
        self.uid = self.euid = 0
        self.signum = 0


def file_fown(f):
    fo = f.f_owner
    if fo is None:
        fo = f.f_owner = FownStruct()
    return fo


def _exists(pid):
    """Linux's find_vpid: the number names a pid the kernel still has (a
    task's, a thread's or a zombie's, or a process group's or session's),
    whatever kind of owner it is to be."""
    return pid == 0 or pid in ktask.tasks or ktask.pid_in_use(pid)


def _attached(pid_type, pid):
    """Linux's pid_task: a task of the owner's kind has the number (a
    thread for TID, a group leader for PID, a member for PGRP)."""
    if pid_type == F_OWNER_PGRP:
        return any(t.signal.pgrp == pid for t in ktask.tasks.values())
    t = ktask.tasks.get(pid)
    return t is not None and (pid_type == F_OWNER_TID or t.tgid == pid)


def __f_setown(t, f, pid_type, pid):
    fo = file_fown(f)
    fo.pid_type, fo.pid = pid_type, pid
    fo.uid, fo.euid = t.cred.uid, t.cred.euid


def f_setown(t, f, who):
    """F_SETOWN: a process (who > 0) or process group (who < 0)."""
    if who == -(1 << 31):
        raise Errno(EINVAL)
    pid_type, pid = (F_OWNER_PGRP, -who) if who < 0 else (F_OWNER_PID, who)
    if not _exists(pid):
        raise Errno(ESRCH)
    __f_setown(t, f, pid_type, pid)
    return 0


def f_getown(f):
    """F_GETOWN: 0 while no task of the owner's kind has its number."""
    fo = f.f_owner
    if fo is None or not _attached(fo.pid_type, fo.pid):
        return 0
    return -fo.pid if fo.pid_type == F_OWNER_PGRP else fo.pid


def f_setown_ex(t, f, kind, pid):
    if kind not in (F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP):
        raise Errno(EINVAL)
    if pid < 0 or not _exists(pid):
        raise Errno(ESRCH)
    __f_setown(t, f, kind, pid)
    return 0


def f_getown_ex(f):
    fo = f.f_owner
    if fo is None:
        return F_OWNER_TID, 0           # Linux's PIDTYPE_PID of no one
    # F_SETOWN 0 keeps its type (F_OWNER_PID, 0); so does an owner no task
    # of its kind has (a thread's tid given as a process, a reaped one)
    return fo.pid_type, fo.pid if _attached(fo.pid_type, fo.pid) else 0


def f_setsig(f, sig):
    if sig < 0 or sig > 64:
        raise Errno(EINVAL)
    file_fown(f).signum = sig
    return 0


def f_getsig(f):
    fo = f.f_owner
    return fo.signum if fo is not None else 0


def _sigio_perm(fo, p):
    c = p.cred
    return fo.euid == 0 or fo.euid in (c.suid, c.uid) or fo.uid in (c.suid, c.uid)


def send_sigio(f, fd, reason):
    """Signal f's owner that reason (POLL_*) happened on fd."""
    fo = f.f_owner
    if fo is None or fo.pid == 0:
        return
    targets = []
    for p in ktask.tasks.values():
        if p.exit_state:
            continue
        if fo.pid_type == F_OWNER_TID:
            if p.pid == fo.pid:
                targets.append((p, False))
        elif fo.pid_type == F_OWNER_PID:
            if p.pid == fo.pid and p.tgid == fo.pid:
                targets.append((p, True))
        elif p.signal.pgrp == fo.pid and p.group_leader is p:
            targets.append((p, True))
    for p, group in targets:
        if not _sigio_perm(fo, p):
            continue
        if fo.signum:
            info = SigInfo(fo.signum, reason, band=BAND_TABLE.get(reason, -1), fd=fd)
        else:
            info = SigInfo(SIGIO, SI_KERNEL)
        send_signal(p, info, group=group)


class FasyncEntry:
    """O_ASYNC on one File: a callback on the queues its poll() names."""

    def __init__(self, f, fd):
        self.file = f
        self.fd = fd
        self.queues = ()
        self.busy = False

    def attach(self):
        self.detach()
        try:
            _, queues = self.file.f_op.poll(self.file, None)
        except Errno:
            queues = ()
        self.queues = tuple(queues)
        for q in self.queues:
            q.callbacks.append(self.callback)

    def detach(self):
        for q in self.queues:
            try:
                q.callbacks.remove(self.callback)
            except ValueError:
                pass
        self.queues = ()

    def callback(self, key):
        if self.busy:
            return
        self.busy = True
        try:
            f = self.file
            try:
                mask, queues = f.f_op.poll(f, None)
            except Errno:
                return
            if tuple(queues) != self.queues:
                self.attach()
            ready = mask & (key or mask)
            if ready & POLLIN:
                reason = POLL_IN
            elif ready & POLLOUT:
                reason = POLL_OUT
            elif ready & POLLERR:
                reason = POLL_ERR
            elif ready & POLLPRI:
                reason = POLL_PRI
            elif ready & POLLHUP:
                reason = POLL_HUP
            else:
                return
            send_sigio(f, self.fd, reason)
        finally:
            self.busy = False


def fasync_helper(t, fd, f, on):
    """O_ASYNC turned on or off for f (through fd): the file's kind must
    support it (else O_ASYNC stays clear, as Linux leaves it)."""
    if not f.f_op.fasync_supported:
        return
    if on:
        f.flags |= O_ASYNC
    else:
        f.flags &= ~O_ASYNC
    entry = f.fasync
    if on:
        if entry is None:
            entry = f.fasync = FasyncEntry(f, fd)
        entry.fd = fd
        entry.attach()
    elif entry is not None:
        entry.detach()
        f.fasync = None


def fasync_release(f):
    """The File's last reference is gone (__fput)."""
    entry = f.fasync
    if entry is not None:
        entry.detach()
        f.fasync = None
