"""kernel/seccomp_notify.py - SECCOMP_RET_USER_NOTIF: a supervisor process
answers a filtered task's system calls (the notify half of Linux's
kernel/seccomp.c).

seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, ...)
returns a listener fd ("anon_inode:seccomp notify").  When the filter
says USER_NOTIF, the task queues a notification (id, tid, seccomp_data)
and sleeps; the supervisor reads it with SECCOMP_IOCTL_NOTIF_RECV (which
waits), may check it is still pending (NOTIF_ID_VALID), may give the
task a file (NOTIF_ADDFD), and answers with NOTIF_SEND: a return value,
an error, or SECCOMP_USER_NOTIF_FLAG_CONTINUE to let the call run.  A
signal interrupts the wait (the call restarts and notifies again);
closing the listener answers everything pending with ENOSYS.  The fd
polls readable while a notification waits to be received, writable
while one waits for its answer, and hangs up once no task uses the
filter.
"""

import random
import struct

from kernel.abi import s32
from kernel import sched, task as ktask
from kernel.errno import (EBADF, EBUSY, EINPROGRESS, EINVAL, ENOENT, ENOSYS,
                          ERESTARTSYS, Errno)
from fs.file import (FileOperations, O_CLOEXEC, O_RDWR, POLLHUP, POLLIN, POLLOUT,
                     POLLRDNORM, POLLWRNORM, fget)
from fs.anon_inodes import anon_inode_getfile, install_new_file
from fs.fcntl import _nofile
from kernel.syscall import is_generator, table_for
from mm.uaccess import copy_from_user, copy_to_user

SECCOMP_IOCTL_NOTIF_RECV = 0xC0502100
SECCOMP_IOCTL_NOTIF_SEND = 0xC0182101
SECCOMP_IOCTL_NOTIF_ID_VALID = 0x40082102
SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR = 0x80082102
SECCOMP_IOCTL_NOTIF_ADDFD = 0x40182103
SECCOMP_IOCTL_NOTIF_SET_FLAGS = 0x40082104
SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1
SECCOMP_ADDFD_FLAG_SETFD, SECCOMP_ADDFD_FLAG_SEND = 1, 2

INIT, SENT, REPLIED = 0, 1, 2

_NOTIF = struct.Struct("<QII64s")              # 80 bytes
_RESP = struct.Struct("<QqiI")                 # 24
_ADDFD = struct.Struct("<QIIII")               # 24


class Notification:
    __slots__ = ("id", "task", "data", "state", "val", "error", "flags", "wq")

    def __init__(self, nid, task, data):
        self.id = nid
        self.task = task
        self.data = data
        self.state = INIT
        self.val = self.error = self.flags = 0
        self.wq = sched.WaitQueue()


class Listener:
    """struct notification: the pending notifications of one filter."""

    def __init__(self, filt):
        self.filter = filt
        self.notifications = []
        self.next_id = random.getrandbits(63)
        self.wqh = sched.WaitQueue()
        self.dead = False

    def find(self, nid):
        return next((n for n in self.notifications if n.id == nid), None)

    def users(self):
        """Is any live task still using the filter?"""
        for t in ktask.tasks.values():
            if t.exit_state:
                continue
            f = t.seccomp_filter
            while f is not None:
                if f is self.filter:
                    return True
                f = f.prev
        return False


def notify_and_wait(t, listener, data, nr):
    """The task's side: a generator, its value the call's return."""
    n = Notification(listener.next_id, t, data)
    listener.next_id = (listener.next_id + 1) & ((1 << 64) - 1)
    listener.notifications.append(n)
    listener.wqh.wake_up(POLLIN | POLLRDNORM)
    return _wait_reply(t, listener, n, nr)


def _wait_reply(t, listener, n, nr):
    r = yield from sched.wait_event(t, (n.wq,), lambda: n.state == REPLIED)
    if n in listener.notifications:
        listener.notifications.remove(n)
    if r < 0 and n.state != REPLIED:
        listener.wqh.wake_up(POLLOUT | POLLWRNORM)
        return -ERESTARTSYS             # the call restarts and notifies again
    if n.flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE:
        return (yield from _run_syscall(t, nr))
    return n.error if n.error else n.val


def _run_syscall(t, nr):
    """USER_NOTIF_FLAG_CONTINUE: the call runs as if never stopped."""
    abi = t.arch.syscall_abi(t)
    tab = table_for(abi)
    entry = tab[nr] if 0 <= nr < len(tab) else None
    if entry is None or entry.fn is None:
        return -ENOSYS
    args = abi.syscall_args(t.regs)
    t.in_syscall = nr
    try:
        ret = entry.fn(t, *args[:entry.nargs])
    except Errno as e:
        return -e.errno
    if is_generator(ret):
        ret = yield from ret
    return ret


class SeccompNotifyOps(FileOperations):
    splice_read = splice_write = False      # an anonymous inode's: Linux's has neither

    def ioctl(self, f, t, cmd, arg):
        lst = f.private
        cmd &= 0xFFFFFFFF
        if cmd == SECCOMP_IOCTL_NOTIF_RECV:
            return self.recv(t, lst, arg)
        if cmd == SECCOMP_IOCTL_NOTIF_SEND:
            return self.send(t, lst, arg)
        if cmd in (SECCOMP_IOCTL_NOTIF_ID_VALID, SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR):
            (nid,) = struct.unpack("<Q", copy_from_user(t.mm, arg, 8))
            n = lst.find(nid)
            return 0 if n is not None and n.state == SENT and not n.task.exit_state \
                else -ENOENT
        if cmd == SECCOMP_IOCTL_NOTIF_ADDFD:
            return self.addfd(t, lst, arg)
        if cmd == SECCOMP_IOCTL_NOTIF_SET_FLAGS:
            return -EINVAL
        return -EINVAL

    def recv(self, t, lst, arg):
        raw = copy_from_user(t.mm, arg, _NOTIF.size)
        if any(raw):
            return -EINVAL              # the struct must come in zeroed
        return self._recv_wait(t, lst, arg)

    def _recv_wait(self, t, lst, arg):

        def pending():
            return next((n for n in lst.notifications if n.state == INIT), None)
        r = yield from sched.wait_event(t, (lst.wqh,), lambda: pending() is not None)
        if r < 0:
            return r
        n = pending()
        copy_to_user(t.mm, arg, _NOTIF.pack(n.id, n.task.pid, 0, n.data))
        n.state = SENT
        lst.wqh.wake_up(POLLOUT | POLLWRNORM)
        return 0

    def send(self, t, lst, arg):
        nid, val, error, flags = _RESP.unpack(copy_from_user(t.mm, arg, _RESP.size))
        if flags & ~SECCOMP_USER_NOTIF_FLAG_CONTINUE:
            return -EINVAL
        if flags & SECCOMP_USER_NOTIF_FLAG_CONTINUE and (error or val):
            return -EINVAL
        n = lst.find(nid)
        if n is None or n.state != SENT:
            return -ENOENT
        self._reply(n, val, error, flags)
        return 0

    @staticmethod
    def _reply(n, val, error, flags):
        n.state = REPLIED
        n.val, n.error, n.flags = val, error, flags
        n.wq.wake_up()

    def addfd(self, t, lst, arg):
        nid, flags, srcfd, newfd, newfd_flags = _ADDFD.unpack(
            copy_from_user(t.mm, arg, _ADDFD.size))
        if flags & ~(SECCOMP_ADDFD_FLAG_SETFD | SECCOMP_ADDFD_FLAG_SEND):
            return -EINVAL
        if newfd_flags & ~O_CLOEXEC:
            return -EINVAL
        if newfd and not flags & SECCOMP_ADDFD_FLAG_SETFD:
            return -EINVAL
        src = fget(t, s32(srcfd))
        if src is None:
            return -EBADF
        n = lst.find(nid)
        if n is None:
            return -ENOENT
        if n.state != SENT:
            return -EINPROGRESS
        target = n.task
        cloexec = bool(newfd_flags & O_CLOEXEC)
        if flags & SECCOMP_ADDFD_FLAG_SETFD:
            newfd = s32(newfd)
            if newfd < 0 or newfd >= _nofile(target):
                return -EBADF
            old = target.files.fd.get(newfd)
            target.files.install(newfd, src.get(), cloexec)
            if old is not None:
                target.files.release_file(old)
            fd = newfd
        else:
            src.get()
            try:
                fd = target.files.alloc_fd(target, src, cloexec=cloexec)
            except Errno:
                src.put()
                raise
        if flags & SECCOMP_ADDFD_FLAG_SEND:
            self._reply(n, fd, 0, 0)
        return fd

    def poll(self, f, t):
        lst = f.private
        mask = 0
        if any(n.state == INIT for n in lst.notifications):
            mask |= POLLIN | POLLRDNORM
        if any(n.state == SENT for n in lst.notifications):
            mask |= POLLOUT | POLLWRNORM
        if not lst.users():
            mask |= POLLHUP
        return mask, (lst.wqh,)

    def release(self, f):
        """The supervisor is gone: pending calls fail with ENOSYS."""
        lst = f.private
        lst.dead = True
        for n in list(lst.notifications):
            self._reply(n, 0, -ENOSYS, 0)


seccomp_notify_fops = SeccompNotifyOps()


def init_listener(t, filt):
    lst = Listener(filt)
    f = anon_inode_getfile(b"seccomp notify", seccomp_notify_fops, lst, O_RDWR)
    fd = install_new_file(t, f, True)
    filt.listener = lst
    return fd


def wake_listeners_on_exit(t):
    """A task using a filter died: a listener may now poll POLLHUP."""
    f = t.seccomp_filter
    while f is not None:
        if f.listener is not None:
            f.listener.wqh.wake_up(POLLHUP)
        f = f.prev


__all__ = ["notify_and_wait", "init_listener", "EBUSY"]
