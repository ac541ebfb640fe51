"""ipc/mqueue.py - POSIX message queues: mq_open, mq_unlink, mq_timedsend,
mq_timedreceive, mq_notify, mq_getsetattr, and the mqueue filesystem.

A queue is a file on the "mqueue" filesystem, one per IPC namespace
(ipc/namespace.py).  The kernel keeps an internal mount of it for
mq_open and mq_unlink, whose names are single components of its root;
`mount -t mqueue none /dev/mqueue` shows the same queues, which can then be
listed, stat'ed, unlinked, opened with open(2) (a new queue gets the
default sizes) and read: reading a queue gives one line of its state
(QSIZE NOTIFY SIGNO NOTIFY_PID), polling it says whether a message can be
received (POLLIN) or sent (POLLOUT).

Messages leave highest priority first, first come first served within a
priority.  A sender finding a receiver asleep hands its message straight
to it (Linux's pipelined send), and a receiver making room takes the first
sleeping sender's message into the queue; sleepers are served in the
order of their scheduling priority, then of arrival.  When a message
arrives in an empty queue and nobody is waiting to receive it, the process
registered with mq_notify is told (a signal with SI_MESGQ, or for
SIGEV_THREAD the 32-byte cookie on the netlink socket it named, which is
how glibc and musl start the notification thread) and unregistered.

Limits: /proc/sys/fs/mqueue (the namespace's queues_max, msg_max,
msgsize_max, msg_default, msgsize_default; the defaults below;
CAP_SYS_RESOURCE may exceed msg_max and msgsize_max up to the hard limits)
and RLIMIT_MSGQUEUE, charged per user for each queue's worst-case size as
Linux counts it.
"""

import struct
from collections import deque

from kernel.abi import RLIMIT_MSGQUEUE, RLIMIT_NOFILE, _NSIG, s32
from kernel import sched, task as ktask, timekeeping
from kernel.errno import (EACCES, EAGAIN, EBADF, EBUSY, ECONNREFUSED, EEXIST, EINVAL, EMFILE,
                          EMSGSIZE, ENAMETOOLONG, ENOENT, ENOSPC, ENOTSOCK, EOVERFLOW, ERESTARTSYS,
                          ETIMEDOUT, Errno)
from kernel.capability import CAP_SYS_RESOURCE, cred_capable
from kernel.sched_policy import SCHED_FIFO, SCHED_RR
from fs.dcache import Dentry, d_add, d_drop, lookup_one
from fs.file import (FMODE_PATH, FMODE_READ, FMODE_WRITE, O_ACCMODE, O_CREAT, O_EXCL,
                     O_NONBLOCK, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM, File,
                     FileOperations, fget)
from fs.inode import S_IFDIR, S_IFREG, S_ISVTX, Inode, SuperBlock, dtype
from fs.mount import Mount, Path
from mm.uaccess import copy_from_user, copy_to_user, strncpy_from_user
from fs.dir import may_create, may_delete
from fs.namei import MAY_READ, MAY_WRITE, inode_permission
from fs.read_write import generic_llseek
from kernel.signal import SigInfo, kill_pid_info, signal_pending
from kernel.time import get_timespec
from net.netlink import af_netlink
from net.socket import socket_file_ops

MQUEUE_MAGIC = 0x19800202
DIRENT_SIZE, FILENT_SIZE = 20, 80
MQ_PRIO_MAX = 32768
NAME_MAX, PATH_MAX = 255, 4096
HARD_MSGMAX = 65536
HARD_MSGSIZEMAX = 16 * 1024 * 1024
MIN_MSGMAX, MIN_MSGSIZEMAX = 1, 128
MSG_MSG_SIZE = 48                       # struct msg_msg, what each message pins
TREE_NODE_SIZE = 48                     # struct posix_msg_tree_node
NOTIFY_COOKIE_LEN = 32
NOTIFY_NONE, NOTIFY_WOKENUP, NOTIFY_REMOVED = 0, 1, 2
SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD = 0, 1, 2
SI_MESGQ = -3

# /proc/sys/fs/mqueue of a new IPC namespace
QUEUES_MAX = 256
MSG_MAX = 10
MSGSIZE_MAX = 8192
MSG_DEFAULT = 10
MSGSIZE_DEFAULT = 8192

user_mq_bytes = {}                      # uid -> bytes charged (struct user_struct)

SEND, RECV = 0, 1


class MqWaiter:
    """A task asleep in mq_timedsend or mq_timedreceive (ext_wait_queue)."""

    def __init__(self, t, msg=None):
        self.task = t
        self.msg = msg                  # (prio, bytes) being sent or handed over
        self.ready = False
        self.wq = sched.WaitQueue()


def _task_prio(t):
    """Linux's task->prio: smaller is more important."""
    policy = t.policy
    if policy in (SCHED_FIFO, SCHED_RR):
        return 99 - t.rt_priority
    return 120 + t.nice


class MqueueInode(Inode):
    """struct mqueue_inode_info: one queue."""

    def __init__(self, sb, mode, cred, maxmsg, msgsize):
        super().__init__(sb, mode, cred.fsuid, cred.fsgid)
        self.size = FILENT_SIZE
        self.i_fop = mqueue_fops
        self.maxmsg = maxmsg
        self.msgsize = msgsize
        self.msgs = {}                  # priority -> deque of bytes
        self.curmsgs = 0
        self.qsize = 0
        self.wait_q = sched.WaitQueue() # pollers
        self.waiters = ([], [])         # SEND, RECV: first served first
        self.notify = None              # (sigev_notify, signo, value)
        self.notify_owner = None        # SignalStruct of the registered process
        self.notify_tgid = 0
        self.notify_sock = None
        self.notify_cookie = None
        self.user = None                # uid charged, once the queue exists
        self.charged = 0

    # -- the messages ----------------------------------------------------------
    def insert(self, prio, data):
        self.msgs.setdefault(prio, deque()).append(data)
        self.curmsgs += 1
        self.qsize += len(data)

    def get(self):
        prio = max(self.msgs)
        q = self.msgs[prio]
        data = q.popleft()
        if not q:
            del self.msgs[prio]
        self.curmsgs -= 1
        self.qsize -= len(data)
        return prio, data

    # -- sleepers ----------------------------------------------------------------
    def add_waiter(self, sr, w):
        lst = self.waiters[sr]
        p = _task_prio(w.task)
        i = 0
        while i < len(lst) and _task_prio(lst[i].task) <= p:
            i += 1
        lst.insert(i, w)

    def first_waiter(self, sr):
        lst = self.waiters[sr]
        return lst[0] if lst else None

    def evict(self):
        """The queue's last name and last opener are gone: its messages and
        its charge go."""
        self.msgs = {}
        self.curmsgs = self.qsize = 0
        if self.user is not None:
            user_mq_bytes[self.user] = user_mq_bytes.get(self.user, 0) - self.charged
            self.user = None
            self.sb.ipc_ns.mq_queues_count -= 1


def mq_bytes_of(maxmsg, msgsize):
    """What a queue pins at worst: its messages and their bookkeeping."""
    return maxmsg * msgsize + maxmsg * MSG_MSG_SIZE + min(maxmsg, MQ_PRIO_MAX) * TREE_NODE_SIZE


class MqueueRoot(Inode):
    """The filesystem's only directory."""

    def __init__(self, sb):
        super().__init__(sb, S_IFDIR | S_ISVTX | 0o777)
        self.nlink = 2
        self.size = 2 * DIRENT_SIZE
        self.entries = {}

    def lookup(self, name):
        if len(name) > NAME_MAX:
            raise Errno(ENAMETOOLONG)
        return self.entries.get(name)

    def create(self, name, mode, cred, rdev=0, attr=None):
        """open(O_CREAT) on a mounted mqueue, or mq_open: a new queue."""
        if name in self.entries:
            raise Errno(EEXIST)
        inode = mqueue_create_attr(self.sb, mode, cred, attr)
        self.entries[name] = inode
        self.size += DIRENT_SIZE
        self.touch(a=True, m=True, c=True)
        return inode

    def unlink(self, name, inode):
        if self.entries.get(name) is not inode:
            raise Errno(ENOENT)
        del self.entries[name]
        self.size -= DIRENT_SIZE
        self.touch(a=True, m=True, c=True)
        inode.nlink -= 1
        inode.touch(c=True)
        inode.maybe_evict()

    def readdir(self):
        return [(name, i.ino, dtype(i.mode)) for name, i in self.entries.items()]


def mqueue_create_attr(sb, mode, cred, attr):
    """mqueue_get_inode for a queue: the limits, then the charge."""
    ns = sb.ipc_ns
    t = sched.current
    sys_resource = cred_capable(cred, CAP_SYS_RESOURCE)
    if ns.mq_queues_count >= ns.mq_queues_max and not sys_resource:
        raise Errno(ENOSPC)
    if attr is None:
        maxmsg = min(ns.mq_msg_max, ns.mq_msg_default)
        msgsize = min(ns.mq_msgsize_max, ns.mq_msgsize_default)
    else:
        maxmsg, msgsize = attr
    if maxmsg <= 0 or msgsize <= 0:
        raise Errno(EINVAL)
    if sys_resource:
        if maxmsg > HARD_MSGMAX or msgsize > HARD_MSGSIZEMAX:
            raise Errno(EINVAL)
    elif maxmsg > ns.mq_msg_max or msgsize > ns.mq_msgsize_max:
        raise Errno(EINVAL)
    if msgsize > ((1 << 64) - 1) // maxmsg:
        raise Errno(EOVERFLOW)
    nbytes = mq_bytes_of(maxmsg, msgsize)
    uid = cred.uid
    limit = t.signal.rlim[RLIMIT_MSGQUEUE][0] if t is not None else None
    have = user_mq_bytes.get(uid, 0)
    if limit is not None and have + nbytes > limit:
        raise Errno(EMFILE)
    inode = MqueueInode(sb, S_IFREG | (mode & 0o7777), cred, maxmsg, msgsize)
    user_mq_bytes[uid] = have + nbytes
    inode.user = uid
    inode.charged = nbytes
    ns.mq_queues_count += 1
    return inode


# -- the filesystem ---------------------------------------------------------------

class MqueueSuperBlock(SuperBlock):
    def __init__(self, ipc_ns):
        super().__init__("mqueue", magic=MQUEUE_MAGIC)
        self.ipc_ns = ipc_ns                # whose queues these are

    def statfs(self):
        return (MQUEUE_MAGIC, 4096, 0, 0, 0, 0, 0, NAME_MAX)


def mq_mnt(ipc_ns):
    """The kernel's mount of ipc_ns's mqueue filesystem (made at first use)."""
    if ipc_ns.mq_mnt is None:
        sb = MqueueSuperBlock(ipc_ns)
        sb.root = Dentry(b"/", None, MqueueRoot(sb))
        ipc_ns.mq_mnt = Mount(sb, sb.root, source=b"mqueue")
    return ipc_ns.mq_mnt


def mount_mqueue(source, data, flags):
    """FILESYSTEMS' maker for "mqueue" (fs/namespace.py): the mounting
    task's IPC namespace's."""
    return mq_mnt(sched.current.nsproxy.ipc_ns).sb


# -- the file operations ---------------------------------------------------------

class MqueueFileOperations(FileOperations):
    seekable = True

    def _text(self, f):
        info = f.inode
        notify = info.notify[0] if info.notify_owner is not None else 0
        signo = info.notify[1] if info.notify_owner is not None and notify == SIGEV_SIGNAL else 0
        pid = info.notify_tgid if info.notify_owner is not None else 0
        return ("QSIZE:%-10d NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n"
                % (info.qsize, notify, signo, pid)).encode()

    def read(self, f, t, count):
        data = self.pread(f, t, count, f.pos)
        f.pos += len(data)
        return data

    def pread(self, f, t, count, pos):
        text = self._text(f)
        data = text[pos:pos + count] if pos < len(text) else b""
        if data:
            f.inode.touch(a=True, c=True)
        return data

    def llseek(self, f, offset, whence):
        return generic_llseek(f, offset, whence, f.inode.size)

    def poll(self, f, t):
        info = f.inode
        mask = 0
        if info.curmsgs:
            mask |= POLLIN | POLLRDNORM
        if info.curmsgs < info.maxmsg:
            mask |= POLLOUT | POLLWRNORM
        return mask, (info.wait_q,)

    def flush(self, f):
        """Every close of a descriptor: the process that registered for
        notification through it is unregistered (mqueue_flush_file)."""
        info = f.inode
        t = sched.current
        if info.notify_owner is not None and t is not None and t.signal is info.notify_owner:
            remove_notification(info)

    def fsync(self, f):
        return 0


mqueue_fops = MqueueFileOperations()


# -- notification ------------------------------------------------------------------

def remove_notification(info):
    if info.notify_owner is not None and info.notify[0] == SIGEV_THREAD:
        _send_cookie(info, NOTIFY_REMOVED)
    _drop_notification(info)


def _drop_notification(info):
    if info.notify_sock is not None:
        af_netlink.netlink_detach(info.notify_sock)
    info.notify_owner = None
    info.notify = None
    info.notify_tgid = 0
    info.notify_sock = None
    info.notify_cookie = None


def _send_cookie(info, code):
    if info.notify_sock is None:
        return
    cookie = bytearray(info.notify_cookie)
    cookie[NOTIFY_COOKIE_LEN - 1] = code
    af_netlink.netlink_sendskb(info.notify_sock, bytes(cookie))


def _owner_task(info):
    for p in ktask.tasks.values():
        if p.signal is info.notify_owner and not p.exit_state:
            return p
    return None


def do_notify(t, info):
    """__do_notify: the queue went from empty to one message with nobody
    asleep to receive it."""
    if info.notify_owner is not None and info.curmsgs == 1:
        how, signo, value = info.notify
        if how == SIGEV_SIGNAL:
            target = _owner_task(info)
            if target is not None and signo:
                si = SigInfo(signo, SI_MESGQ, pid=t.tgid, uid=t.cred.uid, value=value)
                try:
                    kill_pid_info(t, target, signo, si, group=True)
                except Errno:
                    pass                    # not allowed to signal it: lost
        elif how == SIGEV_THREAD:
            _send_cookie(info, NOTIFY_WOKENUP)
        _drop_notification(info)
    info.wait_q.wake_up()


# -- the system calls ----------------------------------------------------------------

def _mq_file(t, mqdes):
    f = fget(t, s32(mqdes))
    if f is None or f.mode & FMODE_PATH or f.f_op is not mqueue_fops:
        raise Errno(EBADF)
    return f


def getname(t, addr):
    """getname(): EFAULT, ENAMETOOLONG past PATH_MAX, ENOENT if empty."""
    name = strncpy_from_user(t.mm, addr, PATH_MAX)
    if not name:
        raise Errno(ENOENT)
    return name


def _lookup(t, name):
    """lookup_one_len on the root: a single component, not . or .."""
    if b"/" in name or name in (b".", b".."):
        raise Errno(EACCES)
    root = mq_mnt(t.nsproxy.ipc_ns).root
    return lookup_one(root, name)


def get_mq_attr(t, addr):
    """struct mq_attr: (flags, maxmsg, msgsize, curmsgs) of 8 longs."""
    n = 8 if t.arch.BITS == 64 else 4
    raw = copy_from_user(t.mm, addr, 8 * n)
    return struct.unpack("<4q" if n == 8 else "<4i", raw[:4 * n])


def put_mq_attr(t, addr, flags, maxmsg, msgsize, curmsgs):
    fmt = "<8q" if t.arch.BITS == 64 else "<8i"
    copy_to_user(t.mm, addr, struct.pack(fmt, flags, maxmsg, msgsize, curmsgs, 0, 0, 0, 0))


def sys_mq_open(t, u_name, oflag, mode, u_attr):
    oflag = s32(oflag)
    attr = None
    # the 64-bit call reads the attributes whenever given, i386's only for O_CREAT
    if u_attr and (t.arch.BITS == 64 or oflag & O_CREAT):
        attr = get_mq_attr(t, u_attr)[1:3]
    name = getname(t, u_name)
    if _lowest_free(t) >= t.signal.rlim[RLIMIT_NOFILE][0]:          # get_unused_fd_flags
        raise Errno(EMFILE)
    mnt = mq_mnt(t.nsproxy.ipc_ns)
    root = mnt.root
    d = _lookup(t, name)
    if d is None:
        if not oflag & O_CREAT:
            raise Errno(ENOENT)
        may_create(t, Path(mnt, root))
        inode = root.inode.create(name, (mode & 0o7777) & ~t.fs.umask, t.cred,
                                  attr=attr if oflag & O_CREAT else None)
        d = d_add(root, name, inode)
    else:
        if oflag & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL:
            raise Errno(EEXIST)
        acc = oflag & O_ACCMODE
        if acc == 3:
            raise Errno(EINVAL)
        inode_permission(t, d.inode, (MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE)[acc], mnt)
    f = File(Path(mnt, d), oflag & ~(O_CREAT | O_EXCL), mqueue_fops)
    try:
        return t.files.alloc_fd(t, f, cloexec=True)     # always close-on-exec
    except BaseException:
        f.put()
        raise


def _lowest_free(t):
    fd = 0
    while fd in t.files.fd:
        fd += 1
    return fd


def sys_mq_unlink(t, u_name):
    name = getname(t, u_name)
    mnt = mq_mnt(t.nsproxy.ipc_ns)
    d = _lookup(t, name)
    if d is None:
        raise Errno(ENOENT)
    may_delete(t, Path(mnt, mnt.root), Path(mnt, d), False)
    mnt.root.inode.unlink(name, d.inode)
    d_drop(d)
    return 0


def _get_abs_timeout(t, addr):
    """The absolute CLOCK_REALTIME timeout (ns)."""
    return get_timespec(t, addr)


def wq_sleep(t, info, sr, deadline, w):
    """Sleep until a partner hands over (w.ready), a signal or the deadline
    (on the wall clock: setting the clock wakes the sleeper to look)."""
    info.add_waiter(sr, w)
    while True:
        if w.ready:
            return 0
        if signal_pending(t):
            break
        if deadline is None:
            yield sched.Sleep((w.wq,))
            continue
        left = deadline - timekeeping.ktime_get_real_ns()
        if left <= 0:
            info.waiters[sr].remove(w)
            return -ETIMEDOUT
        yield sched.Sleep((w.wq, timekeeping.clock_was_set_wq), sched.now() + left / 1e9)
    info.waiters[sr].remove(w)
    return -ERESTARTSYS


def do_mq_timedsend(t, mqdes, u_msg, msg_len, msg_prio, deadline):
    if msg_prio >= MQ_PRIO_MAX:
        raise Errno(EINVAL)
    f = _mq_file(t, mqdes)
    info = f.inode
    if not f.mode & FMODE_WRITE:
        raise Errno(EBADF)
    if msg_len > info.msgsize:
        raise Errno(EMSGSIZE)
    data = copy_from_user(t.mm, u_msg, msg_len)
    if info.curmsgs == info.maxmsg:
        if f.flags & O_NONBLOCK:
            raise Errno(EAGAIN)
        return wq_sleep(t, info, SEND, deadline, MqWaiter(t, (msg_prio, data)))
    receiver = info.first_waiter(RECV)
    if receiver is not None:
        pipelined_send(info, receiver, (msg_prio, data))
    else:
        info.insert(msg_prio, data)
        do_notify(t, info)
    info.touch(a=True, m=True, c=True)
    return 0


def pipelined_send(info, receiver, msg):
    info.waiters[RECV].remove(receiver)
    receiver.msg = msg
    receiver.ready = True
    receiver.wq.wake_up()


def pipelined_receive(info):
    """Room was made: the first sleeping sender's message goes in."""
    sender = info.first_waiter(SEND)
    if sender is None:
        info.wait_q.wake_up()                   # for poll
        return
    info.insert(*sender.msg)
    info.waiters[SEND].remove(sender)
    sender.ready = True
    sender.wq.wake_up()


def do_mq_timedreceive(t, mqdes, u_msg, msg_len, u_prio, deadline):
    f = _mq_file(t, mqdes)
    info = f.inode
    if not f.mode & FMODE_READ:
        raise Errno(EBADF)
    if msg_len < info.msgsize:
        raise Errno(EMSGSIZE)
    if info.curmsgs == 0:
        if f.flags & O_NONBLOCK:
            raise Errno(EAGAIN)
        return _receive_wait(t, info, u_msg, u_prio, deadline)
    msg = info.get()
    info.touch(a=True, m=True, c=True)
    pipelined_receive(info)
    return _store(t, msg, u_msg, u_prio)


def _receive_wait(t, info, u_msg, u_prio, deadline):
    w = MqWaiter(t)
    r = yield from wq_sleep(t, info, RECV, deadline, w)
    if r < 0:
        return r
    return _store(t, w.msg, u_msg, u_prio)


def _store(t, msg, u_msg, u_prio):
    """The message is the caller's now: a bad buffer loses it (EFAULT)."""
    prio, data = msg
    if u_prio:
        copy_to_user(t.mm, u_prio, struct.pack("<I", prio))
    copy_to_user(t.mm, u_msg, data)
    return len(data)


def sys_mq_timedsend(t, mqdes, u_msg, msg_len, msg_prio, u_abs_timeout):
    deadline = _get_abs_timeout(t, u_abs_timeout) if u_abs_timeout else None
    if t.arch.BITS == 32:
        msg_len &= 0xFFFFFFFF
    return do_mq_timedsend(t, mqdes, u_msg, msg_len, msg_prio & 0xFFFFFFFF, deadline)


def sys_mq_timedreceive(t, mqdes, u_msg, msg_len, u_prio, u_abs_timeout):
    deadline = _get_abs_timeout(t, u_abs_timeout) if u_abs_timeout else None
    if t.arch.BITS == 32:
        msg_len &= 0xFFFFFFFF
    return do_mq_timedreceive(t, mqdes, u_msg, msg_len, u_prio, deadline)


def get_sigevent(t, addr):
    """struct sigevent (64 bytes, all read): (sival, signo, notify), the
    sigval 32-bit for i386."""
    raw = copy_from_user(t.mm, addr, 64)
    return struct.unpack_from("<Qii" if t.arch.BITS == 64 else "<Iii", raw)


def sys_mq_notify(t, mqdes, u_notification):
    n = get_sigevent(t, u_notification) if u_notification else None
    sock = cookie = None
    if n is not None:
        value, signo, how = n
        if how not in (SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD):
            return -EINVAL
        if how == SIGEV_SIGNAL and not 0 <= signo <= _NSIG:
            return -EINVAL
        if how == SIGEV_THREAD:
            cookie = copy_from_user(t.mm, value, NOTIFY_COOKIE_LEN)
            sf = fget(t, signo)
            if sf is None or sf.mode & FMODE_PATH:
                return -EBADF
            sock = _netlink_sock_of(sf)
    try:
        f = _mq_file(t, mqdes)
    except Errno:
        if sock is not None:
            af_netlink.netlink_detach(sock)
        raise
    info = f.inode
    if n is None:
        if info.notify_owner is t.signal:
            remove_notification(info)
            info.touch(a=True, c=True)
        return 0
    if info.notify_owner is not None:
        if sock is not None:
            af_netlink.netlink_detach(sock)
        return -EBUSY
    value, signo, how = n
    info.notify = (how, signo, value)
    info.notify_owner = t.signal
    info.notify_tgid = t.tgid
    if how == SIGEV_THREAD:
        info.notify_sock = sock
        info.notify_cookie = cookie
    info.touch(a=True, c=True)
    return 0


def _netlink_sock_of(f):
    """netlink_getsockbyfilp: the netlink socket behind f (attached: it
    stays while the queue may still notify it), ECONNREFUSED for another
    kind of socket, ENOTSOCK for what is not one."""
    if f.f_op is not socket_file_ops:
        raise Errno(ENOTSOCK)
    sock = f.private
    if not af_netlink.is_netlink(sock):
        raise Errno(ECONNREFUSED)
    af_netlink.netlink_attach(sock)
    return sock


def sys_mq_getsetattr(t, mqdes, u_mqstat, u_omqstat):
    new = get_mq_attr(t, u_mqstat) if u_mqstat else None
    if new is not None and new[0] & ~O_NONBLOCK:
        return -EINVAL
    f = _mq_file(t, mqdes)
    info = f.inode
    old = (f.flags & O_NONBLOCK, info.maxmsg, info.msgsize, info.curmsgs)
    if new is not None:
        f.flags = (f.flags & ~O_NONBLOCK) | (new[0] & O_NONBLOCK)
        info.touch(a=True, c=True)
    if u_omqstat:
        put_mq_attr(t, u_omqstat, *old)
    return 0
