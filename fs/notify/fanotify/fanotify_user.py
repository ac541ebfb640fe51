"""fs/notify/fanotify/fanotify_user.py - fanotify_init(2), fanotify_mark(2)
and reading a fanotify fd (Linux's fanotify_user.c).

Root only (CAP_SYS_ADMIN).  Reading gives struct fanotify_event_metadata
records (24 bytes: length, version 3, the mask, a new fd of the file
opened with the group's event_f_flags - an open that makes no events of
its own - and the pid, or tid with FAN_REPORT_TID); a queue of 16384
waiting events ends in one FAN_Q_OVERFLOW with fd -1.

Permission events (FAN_OPEN_PERM, FAN_ACCESS_PERM, in a FAN_CLASS_CONTENT
or PRE_CONTENT group) are answered by writing a struct fanotify_response
(the event's fd, FAN_ALLOW or FAN_DENY); one read but not answered yet is
on the group's access list.  Closing the group allows every one pending.

What is left out is refused as a kernel without it refuses: the FID
reporting modes (FAN_REPORT_FID and the rest) and with them the
directory-entry events, FAN_REPORT_PIDFD, FAN_OPEN_EXEC_PERM and the
response's FAN_INFO records, all EINVAL.
"""

import struct
from collections import deque

from kernel.abi import s32
from kernel import sched
from kernel.errno import (EAGAIN, EBADF, EEXIST, EINVAL, ENOENT, ENOTDIR, EPERM, Errno)
from kernel.capability import CAP_SYS_ADMIN, capable
from fs.anon_inodes import anon_inode_getfile, install_new_file
from fs.file import (File, FileOperations, O_ACCMODE, O_APPEND, O_CLOEXEC, O_DSYNC, O_LARGEFILE,
                     O_NOATIME, O_NONBLOCK, O_RDWR, POLLIN, POLLRDNORM, fget)
from fs.inode import S_ISDIR
from fs.namei import AT_FDCWD, path_lookup
from fs.notify import fsnotify
from fs.notify.fanotify import fanotify as fan
from mm.uaccess import put_user_u32, strncpy_from_user
from fs.open import fops_for

FAN_CLOEXEC, FAN_NONBLOCK = 0x1, 0x2
FAN_CLASS_NOTIF, FAN_CLASS_CONTENT, FAN_CLASS_PRE_CONTENT = 0x0, 0x4, 0x8
FAN_UNLIMITED_QUEUE, FAN_UNLIMITED_MARKS, FAN_ENABLE_AUDIT = 0x10, 0x20, 0x40
FAN_REPORT_TID = 0x100
INIT_FLAGS = (FAN_CLOEXEC | FAN_NONBLOCK | FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT
              | FAN_UNLIMITED_QUEUE | FAN_UNLIMITED_MARKS | FAN_REPORT_TID)
FAN_MARK_ADD, FAN_MARK_REMOVE, FAN_MARK_DONT_FOLLOW, FAN_MARK_ONLYDIR = 0x1, 0x2, 0x4, 0x8
FAN_MARK_MOUNT, FAN_MARK_IGNORED_MASK, FAN_MARK_IGNORED_SURV_MODIFY = 0x10, 0x20, 0x40
FAN_MARK_FLUSH, FAN_MARK_FILESYSTEM = 0x80, 0x100
MARK_FLAGS = (FAN_MARK_ADD | FAN_MARK_REMOVE | FAN_MARK_DONT_FOLLOW | FAN_MARK_ONLYDIR
              | FAN_MARK_MOUNT | FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORED_SURV_MODIFY
              | FAN_MARK_FLUSH | FAN_MARK_FILESYSTEM)
MARK_MASK = fan.FILE_EVENTS | fan.PERM_EVENTS | fan.FAN_EVENT_ON_CHILD | fan.FAN_ONDIR
FAN_AUDIT = 0x10
FANOTIFY_METADATA_VERSION = 3
FAN_EVENT_METADATA_LEN = 24
FAN_NOFD = -1
FANOTIFY_DEFAULT_MAX_EVENTS = 16384
FIONREAD = 0x541B

_META = struct.Struct("<IBBHQii")
_RESPONSE = struct.Struct("<iI")            # struct fanotify_response


class FanotifyGroup:
    def __init__(self, flags, event_f_flags):
        self.flags = flags
        self.event_f_flags = event_f_flags
        self.marks = {}                 # (kind, id(obj)) -> FanMark
        self.events = deque()           # (mask, path, pid, PermEvent or None)
        self.access_list = []           # permission events read, not answered
        self.wq = sched.WaitQueue()
        self.overflowed = False

    def _pid(self, t):
        if t is None:
            return 0
        return t.pid if self.flags & FAN_REPORT_TID else t.tgid

    def queue_event(self, mask, path, t):
        pid = self._pid(t)
        if self.events:
            last = self.events[-1]
            if last[1] is not None and last[3] is None and last[1].dentry is path.dentry \
                    and last[1].mnt is path.mnt and last[2] == pid:
                self.events[-1] = (last[0] | mask, last[1], pid, None)
                return
        if not self.flags & FAN_UNLIMITED_QUEUE and len(self.events) >= FANOTIFY_DEFAULT_MAX_EVENTS:
            if not self.overflowed:
                self.overflowed = True
                self.events.append((fan.FAN_Q_OVERFLOW, None, -1, None))
                self.wq.wake_up(POLLIN | POLLRDNORM)
            return
        self.events.append((mask, path, pid, None))
        self.wq.wake_up(POLLIN | POLLRDNORM)

    def queue_perm(self, mask, path, t):
        """A permission event: never merged, never dropped for overflow."""
        ev = fan.PermEvent(mask, path, self._pid(t))
        self.events.append((mask, path, ev.pid, ev))
        self.wq.wake_up(POLLIN | POLLRDNORM)
        return ev

    def cancel_perm(self, ev):
        """Its task is dying: a queued event goes; one already read stays on
        the access list until answered (the answer is then dropped)."""
        self.events = deque(e for e in self.events if e[3] is not ev)

    def event_fd(self, t, path):
        f = File(path, self.event_f_flags, fops_for(path.dentry.inode))
        f.nonotify = True               # FMODE_NONOTIFY: no events of its own
        fop = f.f_op
        if fop.open is not None:
            try:
                fop.open(f, t)
            except Errno:
                f.put()
                raise
        return install_new_file(t, f, self.event_f_flags & O_CLOEXEC)

    def take(self, t, count):
        out = b""
        while self.events and len(out) + FAN_EVENT_METADATA_LEN <= count:
            mask, path, pid, perm = self.events.popleft()
            if path is None:
                fd = FAN_NOFD
                self.overflowed = False
            else:
                try:
                    fd = self.event_fd(t, path)
                except Errno as e:
                    fd = -e.errno
                if perm is not None:
                    if fd < 0:
                        perm.finish(fan.FAN_DENY)   # no fd to answer for: denied, as Linux
                    else:
                        perm.fd = fd
                        self.access_list.append(perm)
            out += _META.pack(FAN_EVENT_METADATA_LEN, FANOTIFY_METADATA_VERSION, 0,
                              FAN_EVENT_METADATA_LEN, mask, fd, pid)
        if not out and self.events:
            raise Errno(EINVAL)
        return out

    def respond(self, fd, response):
        """process_access_response: FAN_ALLOW or FAN_DENY (with FAN_AUDIT
        if the group asked for audit) for the event read as fd."""
        if response & ~(fan.FAN_ALLOW | fan.FAN_DENY | FAN_AUDIT) \
                or response & (fan.FAN_ALLOW | fan.FAN_DENY) not in (fan.FAN_ALLOW, fan.FAN_DENY):
            raise Errno(EINVAL)
        if response & FAN_AUDIT and not self.flags & FAN_ENABLE_AUDIT:
            raise Errno(EINVAL)
        if fd < 0:
            raise Errno(EINVAL)
        for ev in self.access_list:
            if ev.fd == fd:
                self.access_list.remove(ev)
                ev.finish(response & (fan.FAN_ALLOW | fan.FAN_DENY))
                return
        raise Errno(ENOENT)

    def release(self):
        for key in list(self.marks):
            self.remove_mark(key)
        if self in fan.groups:
            fan.groups.remove(self)
        # whoever waits for an answer from this group is allowed
        for ev in self.access_list:
            ev.finish(fan.FAN_ALLOW)
        self.access_list = []
        for e in self.events:
            if e[3] is not None:
                e[3].finish(fan.FAN_ALLOW)
        self.events.clear()

    def remove_mark(self, key):
        del self.marks[key]
        fsnotify.nr_marks -= 1


class FanotifyOps(FileOperations):
    splice_read = splice_write = False      # an anonymous inode's: Linux's has neither
    fasync_supported = True

    def read(self, f, t, count):
        g = f.private
        if not g.events:
            if f.flags & O_NONBLOCK:
                raise Errno(EAGAIN)
            return self._read_wait(f, t, count)
        return g.take(t, count)

    def _read_wait(self, f, t, count):
        g = f.private
        r = yield from sched.wait_event(t, g.wq, lambda: bool(g.events))
        if r < 0:
            return r
        return g.take(t, count)

    def write(self, f, t, data):
        if len(data) < _RESPONSE.size:
            raise Errno(EINVAL)
        fd, response = _RESPONSE.unpack_from(data)
        f.private.respond(fd, response)
        return _RESPONSE.size

    def poll(self, f, t):
        g = f.private
        return (POLLIN | POLLRDNORM if g.events else 0), (g.wq,)

    def ioctl(self, f, t, cmd, arg):
        if cmd & 0xFFFFFFFF == FIONREAD:
            put_user_u32(t.mm, arg, len(f.private.events) * FAN_EVENT_METADATA_LEN)
            return 0
        return None

    def release(self, f):
        f.private.release()


fanotify_fops = FanotifyOps()


def sys_fanotify_init(t, flags, event_f_flags):
    flags &= 0xFFFFFFFF
    event_f_flags &= 0xFFFFFFFF
    if not capable(t, CAP_SYS_ADMIN):
        return -EPERM                   # unprivileged groups report FIDs: not here
    if flags & ~INIT_FLAGS:
        return -EINVAL                  # FID/PIDFD reporting: not here
    if flags & (FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT) == FAN_CLASS_CONTENT | \
            FAN_CLASS_PRE_CONTENT:
        return -EINVAL
    if event_f_flags & ~(O_ACCMODE | O_LARGEFILE | O_CLOEXEC | O_APPEND | O_DSYNC | O_NOATIME
                         | O_NONBLOCK | 0o4010000):
        return -EINVAL
    if event_f_flags & O_ACCMODE == 3:
        return -EINVAL
    g = FanotifyGroup(flags, event_f_flags | O_LARGEFILE)
    f = anon_inode_getfile(b"[fanotify]", fanotify_fops, g,
                           O_RDWR | (O_NONBLOCK if flags & FAN_NONBLOCK else 0))
    fd = install_new_file(t, f, flags & FAN_CLOEXEC)
    fan.groups.append(g)
    return fd


def sys_fanotify_mark(t, fanotify_fd, flags, mask, dirfd, pathname):
    flags &= 0xFFFFFFFF                 # i386 splits the mask: arch/x86/sys_ia32.py
    return do_fanotify_mark(t, s32(fanotify_fd), flags, mask, s32(dirfd), pathname)


def do_fanotify_mark(t, fanotify_fd, flags, mask, dirfd, pathname):
    op = flags & (FAN_MARK_ADD | FAN_MARK_REMOVE | FAN_MARK_FLUSH)
    if flags & ~MARK_FLAGS or op not in (FAN_MARK_ADD, FAN_MARK_REMOVE, FAN_MARK_FLUSH):
        return -EINVAL
    kind_flags = flags & (FAN_MARK_MOUNT | FAN_MARK_FILESYSTEM)
    if kind_flags == FAN_MARK_MOUNT | FAN_MARK_FILESYSTEM:
        return -EINVAL
    kind = "mount" if kind_flags == FAN_MARK_MOUNT else "sb" if kind_flags else "inode"
    if mask & ~MARK_MASK and op != FAN_MARK_FLUSH:
        return -EINVAL                  # FID-only events: not here
    f = fget(t, fanotify_fd)
    if f is None:
        return -EBADF
    if f.f_op is not fanotify_fops:
        return -EINVAL
    g = f.private
    if mask & fan.PERM_EVENTS and not g.flags & (FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT):
        return -EINVAL                  # a notification-only group cannot decide
    if op == FAN_MARK_FLUSH:
        if flags & ~(FAN_MARK_FLUSH | FAN_MARK_MOUNT | FAN_MARK_FILESYSTEM):
            return -EINVAL
        for key, m in list(g.marks.items()):
            if m.kind == kind:
                g.remove_mark(key)
        return 0
    if op == FAN_MARK_ADD and not mask:
        return -EINVAL
    name = strncpy_from_user(t.mm, pathname, 4096) if pathname else b""
    if not name and dirfd != AT_FDCWD:
        pf = fget(t, dirfd)
        if pf is None:
            return -EBADF
        path = pf.path
    else:
        path = path_lookup(t, name or b".", dirfd, follow=not flags & FAN_MARK_DONT_FOLLOW)
    inode = path.dentry.inode
    if flags & FAN_MARK_ONLYDIR and not S_ISDIR(inode.mode):
        return -ENOTDIR
    obj = inode if kind == "inode" else path.mnt if kind == "mount" else inode.sb
    key = (kind, id(obj))
    m = g.marks.get(key)
    if op == FAN_MARK_REMOVE:
        if m is None:
            return -ENOENT
        if flags & FAN_MARK_IGNORED_MASK:
            m.ignored &= ~mask
        else:
            m.mask &= ~mask
        if not m.mask and not m.ignored:
            g.remove_mark(key)
        return 0
    if m is None:
        m = g.marks[key] = fan.FanMark(g, kind, obj)
        fsnotify.nr_marks += 1          # the VFS hooks now have someone to tell
    if flags & FAN_MARK_IGNORED_MASK:
        m.ignored |= mask
    else:
        m.mask |= mask
    return 0


__all__ = ["EEXIST"]
