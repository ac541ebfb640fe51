"""fs/eventpoll.py - epoll: an interest list that remembers what became ready.

An epoll instance (an anonymous file) holds one EpItem per (file, fd) the
program asked about.  Adding an item puts a callback on each wait queue the
file's poll() names (kernel/sched.py WaitQueue.callbacks, Linux's
ep_poll_callback); when the file wakes that queue the item joins the ready
list and whoever sleeps in epoll_wait is woken.  epoll_wait then polls only
the items on the ready list:

 - level-triggered items that are still ready go back on the list after
   being reported, so they are reported again next time;
 - edge-triggered (EPOLLET) items are reported once per wake-up of the file;
 - EPOLLONESHOT items are disabled after one report until EPOLL_CTL_MOD.

An item belongs to the open file, not the fd: it lives while the file does
(closing one of two fds of a file keeps it) and is dropped once the last
reference is gone.  An epoll file can be watched by poll, select and other
epoll instances (readable when one of its items is ready).
"""

import struct

from kernel.abi import s32
from kernel.sched import is_generator
from kernel import sched
from kernel.errno import (EBADF, EEXIST, EFAULT, EINTR, EINVAL, ELOOP, ENOENT,
                          EPERM, Errno)
from kernel.signal import signal_pending
from fs.anon_inodes import anon_inode_getfile, install_new_file
from fs.file import (O_CLOEXEC, O_RDWR, POLLIN, POLLRDNORM, FileOperations,
                     fget)
from fs.poll import (deadline_after_ns, get_timespec_ns,
                     restore_saved_sigmask_unless, set_user_sigmask)
from mm.uaccess import access_ok, copy_from_user, copy_to_user

EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD = 1, 2, 3
EPOLL_CLOEXEC = O_CLOEXEC

EPOLLIN, EPOLLPRI, EPOLLOUT, EPOLLERR, EPOLLHUP = 0x1, 0x2, 0x4, 0x8, 0x10
EPOLLRDNORM, EPOLLRDBAND, EPOLLWRNORM, EPOLLWRBAND = 0x40, 0x80, 0x100, 0x200
EPOLLMSG, EPOLLRDHUP = 0x400, 0x2000
EPOLLEXCLUSIVE = 1 << 28
EPOLLWAKEUP = 1 << 29
EPOLLONESHOT = 1 << 30
EPOLLET = 1 << 31

EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE
EPOLLINOUT_BITS = EPOLLIN | EPOLLOUT
EPOLLEXCLUSIVE_OK_BITS = (EPOLLINOUT_BITS | EPOLLERR | EPOLLHUP | EPOLLWAKEUP
                          | EPOLLET | EPOLLEXCLUSIVE)
EP_MAX_NESTS = 4

_EVENT = struct.Struct("<IQ")           # struct epoll_event is packed
EP_MAX_EVENTS = 0x7FFFFFFF // _EVENT.size


class EpItem:
    __slots__ = ("ep", "file", "fd", "events", "data", "queues", "ready")

    def __init__(self, ep, f, fd, events, data):
        self.ep = ep
        self.file = f
        self.fd = fd
        self.events = events
        self.data = data
        self.queues = []                # wait queues our callback sits on
        self.ready = False              # on ep.rdllist

    def callback(self, key=0):
        """ep_poll_callback: the watched file woke one of its queues (key:
        the events that happened, 0 for "something").  Returns whether
        it woke a waiter, for the queue's EPOLLEXCLUSIVE entries: one that
        had no one asleep in epoll_wait, or does not wait for this event,
        lets the wake-up go on to the next."""
        ep = self.ep
        if self.file.refs <= 0:
            ep.remove(self)
            return False
        if not self.events & ~EP_PRIVATE_BITS:
            return False                # a disabled EPOLLONESHOT item
        if key and not key & self.events:
            return False                # not an event we wait for
        if not self.ready:
            self.ready = True
            ep.rdllist[self] = None
        woke = True
        if self.events & EPOLLEXCLUSIVE:
            inout = key & EPOLLINOUT_BITS
            woke = bool(ep.wq.waiters) and (inout not in (EPOLLIN, EPOLLOUT) or bool(inout & self.events))
        ep.wq.wake_up()
        ep.poll_wait.wake_up()
        return woke

    def poll(self, t):
        """The file's events of interest now, and keep our callback on the
        queues the file names."""
        mask, queues = self.file.f_op.poll(self.file, t)
        if list(queues) != self.queues:
            self.unhook()
            for q in queues:
                if q not in self.queues:
                    self._entries(q).append(self.callback)
                    self.queues.append(q)
        return mask & self.events

    def _entries(self, q):
        return q.exclusive if self.events & EPOLLEXCLUSIVE else q.callbacks

    def unhook(self):
        for q in self.queues:
            try:
                self._entries(q).remove(self.callback)
            except ValueError:
                pass
        self.queues = []


class EventPoll:
    def __init__(self):
        self.items = {}                 # (file, fd) -> EpItem
        self.rdllist = {}               # ready EpItems, in order (a dict as an ordered set)
        self.wq = sched.WaitQueue()     # tasks in epoll_wait
        self.poll_wait = sched.WaitQueue()  # poll/select/epoll on this epoll file
        self.file = None

    def remove(self, epi):
        epi.unhook()
        self.items.pop((epi.file, epi.fd), None)
        self.rdllist.pop(epi, None)
        epi.ready = False

    def reap_dead(self):
        for epi in [e for e in self.items.values() if e.file.refs <= 0]:
            self.remove(epi)

    def send_events(self, t, maxevents):
        """Report up to maxevents ready items: [(events, data)]."""
        out = []
        for epi in list(self.rdllist):
            if len(out) >= maxevents:
                break
            del self.rdllist[epi]
            epi.ready = False
            if epi.file.refs <= 0:
                self.remove(epi)
                continue
            revents = epi.poll(t)
            if not revents:
                continue
            out.append((revents, epi.data))
            if epi.events & EPOLLONESHOT:
                epi.events &= EP_PRIVATE_BITS
            elif not epi.events & EPOLLET:
                # level-triggered: look again next time
                epi.ready = True
                self.rdllist[epi] = None
        return out

    def has_ready(self, t, depth=0):
        """Is any item really ready (without consuming anything)?"""
        for epi in list(self.rdllist):
            if epi.file.refs <= 0:
                self.remove(epi)
                continue
            if epi.file.f_op is eventpoll_fops:
                if depth < EP_MAX_NESTS and epi.file.private.has_ready(t, depth + 1) \
                        and epi.events & (EPOLLIN | EPOLLRDNORM):
                    return True
                continue
            if epi.poll(t):
                return True
        return False

    def release(self):
        for epi in list(self.items.values()):
            epi.unhook()
        self.items.clear()
        self.rdllist.clear()


class EventpollOps(FileOperations):
    splice_read = splice_write = False      # an anonymous inode's: Linux's has neither

    def poll(self, f, t):
        ep = f.private
        mask = POLLIN | POLLRDNORM if ep.has_ready(t) else 0
        return mask, (ep.poll_wait,)

    def release(self, f):
        f.private.release()

    def show_fdinfo(self, f):
        return "".join("tfd: %8d events: %8x data: %16x\n" % (e.fd, e.events, e.data)
                       for e in f.private.items.values())


eventpoll_fops = EventpollOps()


def is_file_epoll(f):
    return f.f_op is eventpoll_fops


# -- epoll_create ----------------------------------------------------------------------

def do_epoll_create(t, flags):
    if flags & ~EPOLL_CLOEXEC:
        return -EINVAL
    ep = EventPoll()
    f = anon_inode_getfile(b"[eventpoll]", eventpoll_fops, ep, O_RDWR)
    ep.file = f
    return install_new_file(t, f, flags & EPOLL_CLOEXEC)


def sys_epoll_create1(t, flags):
    return do_epoll_create(t, flags & 0xFFFFFFFF)


def sys_epoll_create(t, size):
    if s32(size) <= 0:
        return -EINVAL
    return do_epoll_create(t, 0)


# -- epoll_ctl ---------------------------------------------------------------------------

def file_can_poll(f):
    return type(f.f_op).poll is not FileOperations.poll


def _reaches(ep, target, depth=0):
    """Can ep's interest list lead (through nested epolls) to target?"""
    if ep is target:
        return True
    if depth > EP_MAX_NESTS:
        return True
    for epi in ep.items.values():
        if is_file_epoll(epi.file) and _reaches(epi.file.private, target, depth + 1):
            return True
    return False


def _nest_depth(ep, depth=0):
    best = depth
    for epi in ep.items.values():
        if is_file_epoll(epi.file) and depth <= EP_MAX_NESTS:
            best = max(best, _nest_depth(epi.file.private, depth + 1))
    return best


def sys_epoll_ctl(t, epfd, op, fd, event):
    epfd, op, fd = s32(epfd), s32(op), s32(fd)
    events = data = 0
    if op != EPOLL_CTL_DEL:
        events, data = _EVENT.unpack(copy_from_user(t.mm, event, _EVENT.size))
    f = fget(t, epfd)
    tf = fget(t, fd)
    if f is None or tf is None or f.mode & 4 or tf.mode & 4:      # FMODE_PATH
        return -EBADF
    if not file_can_poll(tf):
        return -EPERM
    if op != EPOLL_CTL_DEL and events & EPOLLEXCLUSIVE:
        if op == EPOLL_CTL_MOD:
            return -EINVAL
        if op == EPOLL_CTL_ADD and (is_file_epoll(tf) or events & ~EPOLLEXCLUSIVE_OK_BITS):
            return -EINVAL
    if f is tf or not is_file_epoll(f):
        return -EINVAL
    ep = f.private
    ep.reap_dead()
    if op == EPOLL_CTL_ADD and is_file_epoll(tf):
        if _reaches(tf.private, ep) or _nest_depth(tf.private) + 1 > EP_MAX_NESTS:
            return -ELOOP
    epi = ep.items.get((tf, fd))
    if op == EPOLL_CTL_ADD:
        if epi is not None:
            return -EEXIST
        epi = EpItem(ep, tf, fd, events | EPOLLERR | EPOLLHUP, data)
        ep.items[(tf, fd)] = epi
        if epi.poll(t):
            _make_ready(ep, epi)
        return 0
    if op == EPOLL_CTL_DEL:
        if epi is None:
            return -ENOENT
        ep.remove(epi)
        return 0
    if op == EPOLL_CTL_MOD:
        if epi is None:
            return -ENOENT
        if epi.events & EPOLLEXCLUSIVE:
            return -EINVAL
        epi.events = events | EPOLLERR | EPOLLHUP
        epi.data = data
        if epi.poll(t):
            _make_ready(ep, epi)
        return 0
    return -EINVAL


def _make_ready(ep, epi):
    if not epi.ready:
        epi.ready = True
        ep.rdllist[epi] = None
    ep.wq.wake_up()
    ep.poll_wait.wake_up()


# -- epoll_wait ---------------------------------------------------------------------------

def do_epoll_wait(t, epfd, events, maxevents, deadline):
    """Returns the number of events, -errno, or a generator."""
    maxevents = s32(maxevents)
    if maxevents <= 0 or maxevents > EP_MAX_EVENTS:
        return -EINVAL
    if not access_ok(t.mm, events, maxevents * _EVENT.size):
        return -EFAULT
    f = fget(t, s32(epfd))
    if f is None or f.mode & 4:
        return -EBADF
    if not is_file_epoll(f):
        return -EINVAL
    ep = f.private
    n = _deliver(t, ep, events, maxevents)
    if n or (deadline is not None and sched.now() >= deadline):
        return n
    if signal_pending(t):
        return -EINTR
    return _ep_poll(t, ep, events, maxevents, deadline)


def _deliver(t, ep, events, maxevents):
    out = ep.send_events(t, maxevents)
    if out:
        try:
            copy_to_user(t.mm, events, b"".join(_EVENT.pack(e, d) for e, d in out))
        except Errno:
            return -EFAULT
    return len(out)


def _ep_poll(t, ep, events, maxevents, deadline):
    while True:
        yield sched.Sleep((ep.wq,), deadline)
        n = _deliver(t, ep, events, maxevents)
        if n:
            return n
        if deadline is not None and sched.now() >= deadline:
            return 0
        if signal_pending(t):
            return -EINTR


def _ms_deadline(timeout):
    ms = s32(timeout)
    return deadline_after_ns(ms * 1000000) if ms >= 0 else None


def sys_epoll_wait(t, epfd, events, maxevents, timeout):
    return do_epoll_wait(t, epfd, events, maxevents, _ms_deadline(timeout))


def _with_sigmask(t, sigmask, sigsetsize, fn):
    set_user_sigmask(t, sigmask, sigsetsize)

    def finish(r):
        restore_saved_sigmask_unless(t, r == -EINTR)
        return r
    try:
        res = fn()
    except BaseException:
        restore_saved_sigmask_unless(t, False)
        raise
    if is_generator(res):
        return _finish_gen(res, finish)
    return finish(res)


def _finish_gen(gen, fn):
    r = yield from gen
    return fn(r)


def sys_epoll_pwait(t, epfd, events, maxevents, timeout, sigmask, sigsetsize):
    deadline = _ms_deadline(timeout)
    return _with_sigmask(t, sigmask, sigsetsize,
                         lambda: do_epoll_wait(t, epfd, events, maxevents, deadline))


def sys_epoll_pwait2(t, epfd, events, maxevents, timeout, sigmask, sigsetsize):
    deadline = None
    if timeout:
        deadline = deadline_after_ns(get_timespec_ns(t, timeout, 64))
    return _with_sigmask(t, sigmask, sigsetsize,
                         lambda: do_epoll_wait(t, epfd, events, maxevents, deadline))
