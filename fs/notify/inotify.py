"""fs/notify/inotify.py - inotify(7): watching files and directories.

inotify_init1() makes a group: an anonymous file with an event queue.
inotify_add_watch() puts a mark (fs/notify/fsnotify.py) with a watch
descriptor on the inode a path names; the VFS hooks hand the group the
events the mark asks for, and read() returns them as struct inotify_event
(wd, mask, cookie, len, then the name NUL-padded to a multiple of 16 bytes;
the layout is the same for i386).

The queue behaves as Linux's does:
 - an event identical to the last one still queued (wd, mask, cookie,
   name) is merged into it;
 - at max_queued_events further events are dropped and one IN_Q_OVERFLOW
   (wd -1) is queued instead;
 - read() returns whole events only: EINVAL when the next one does not fit
   in the buffer; it sleeps while the queue is empty (EAGAIN with
   IN_NONBLOCK); FIONREAD tells how many bytes are queued.
A mark that goes (inotify_rm_watch, the inode deleted, IN_ONESHOT after its
first event) queues IN_IGNORED.  Watch descriptors are allocated cyclically
from 1, so a removed one is not reused at once.
"""

import itertools
import struct
from collections import deque

from kernel import sched
from kernel.errno import (EAGAIN, EBADF, EEXIST, EINVAL, EMFILE, ENOSPC,
                          ENOTDIR, Errno)
from fs.anon_inodes import anon_inode_getfile, install_new_file
from fs.file import (FMODE_PATH, O_CLOEXEC, O_NONBLOCK, O_RDONLY, POLLIN,
                     POLLRDNORM, FileOperations)
from fs.inode import S_ISDIR, dev_major, dev_minor
from fs.notify import fsnotify
from fs.notify.fsnotify import (IN_ALL_EVENTS, IN_DONT_FOLLOW, IN_EXCL_UNLINK,
                                IN_IGNORED, IN_ISDIR, IN_MASK_ADD,
                                IN_MASK_CREATE, IN_ONESHOT, IN_ONLYDIR,
                                IN_Q_OVERFLOW, IN_UNMOUNT, Mark)
from mm.uaccess import copy_to_user, put_user_u32, strncpy_from_user
from fs.namei import AT_FDCWD, MAY_READ, inode_permission, path_lookup

IN_CLOEXEC = O_CLOEXEC
IN_NONBLOCK = O_NONBLOCK
FIONREAD = 0x541B

# what a mask may contain (any other bit: EINVAL)
ALL_INOTIFY_BITS = (IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR |
                    IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD |
                    IN_ISDIR | IN_ONESHOT)
# what a mark keeps of it
MARK_BITS = IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK

EVENT = struct.Struct("<iIII")          # wd, mask, cookie, len: 16 bytes on i386 too

# /proc/sys/fs/inotify
max_queued_events = 16384
max_user_instances = 128
max_user_watches = 65536

_instances = {}                         # uid -> inotify groups
_watches = {}                           # uid -> marks
_OVERFLOW = (-1, IN_Q_OVERFLOW, 0, b"")
_mark_seq = itertools.count()


def _event_size(ev):
    return EVENT.size + _padded(ev[3])


def _same(a, b):
    """Linux merges on wd, mask and name: not the cookie (two IN_MOVED_FROM
    of one name in a row are one event even from two renames)."""
    return a[0] == b[0] and a[1] == b[1] and a[3] == b[3]


def _padded(name):
    return (len(name) + 1 + 15) & ~15 if name else 0


class InotifyGroup:
    def __init__(self, uid):
        self.uid = uid
        self.events = deque()           # (wd, mask, cookie, name)
        self.overflow_queued = False
        self.bytes = 0
        self.marks = {}                 # wd -> Mark
        self.last_wd = 0
        self.wq = sched.WaitQueue()
        self.released = False

    # -- the queue ------------------------------------------------------------------
    def add_event(self, ev):
        if len(self.events) >= max_queued_events:
            if self.overflow_queued:
                return
            ev = _OVERFLOW
            self.overflow_queued = True
        elif self.events and _same(self.events[-1], ev):
            return                      # merged with the last one
        self.events.append(ev)
        self.bytes += _event_size(ev)
        self.wq.wake_up(POLLIN | POLLRDNORM)

    def handle_event(self, mark, mask, name, cookie):
        self.add_event((mark.wd, mask & (IN_ALL_EVENTS | IN_ISDIR | IN_UNMOUNT), cookie,
                        name or b""))
        if mark.mask & IN_ONESHOT:
            self.destroy_mark(mark)

    def take_one(self, room):
        """The next event as bytes, dequeued; EINVAL if it needs more than
        room bytes; None if the queue is empty."""
        if not self.events:
            return None
        ev = self.events[0]
        size = _event_size(ev)
        if size > room:
            raise Errno(EINVAL)
        self.events.popleft()
        self.bytes -= size
        if ev is _OVERFLOW:
            self.overflow_queued = False
        wd, mask, cookie, name = ev
        pad = _padded(name)
        return EVENT.pack(wd, mask, cookie, pad) + name + bytes(pad - len(name))

    def copy_events(self, t, buf, count):
        """Copy whole events while they fit.  An event is taken off the
        queue before it is copied: a bad buffer loses it (EFAULT), as on
        Linux."""
        done = 0
        while True:
            try:
                data = self.take_one(count - done)
            except Errno:
                if done:
                    return done
                raise
            if data is None:
                return done
            copy_to_user(t.mm, buf + done, data)
            done += len(data)

    # -- marks ----------------------------------------------------------------------
    def find_mark(self, inode):
        for m in fsnotify.inode_marks(inode) or ():
            if m.group is self and m.alive:
                return m
        return None

    def alloc_wd(self):
        wd = self.last_wd
        while True:
            wd = wd + 1 if wd < 0x7FFFFFFF else 1
            if wd not in self.marks:
                self.last_wd = wd
                return wd

    def update_watch(self, inode, arg):
        mask = arg & MARK_BITS
        mark = self.find_mark(inode)
        if mark is not None:
            if arg & IN_MASK_CREATE:
                raise Errno(EEXIST)
            if arg & IN_MASK_ADD:
                mark.mask |= mask
            else:
                mark.mask = mask
            return mark.wd
        if _watches.get(self.uid, 0) >= max_user_watches:
            raise Errno(ENOSPC)
        mark = Mark(self, inode, self.alloc_wd(), mask)
        mark.seq = next(_mark_seq)
        self.marks[mark.wd] = mark
        _watches[self.uid] = _watches.get(self.uid, 0) + 1
        fsnotify.add_mark(mark)
        return mark.wd

    def destroy_mark(self, mark):
        """The mark goes: IN_IGNORED tells the reader its wd is free."""
        if not fsnotify.detach_mark(mark):
            return
        self.marks.pop(mark.wd, None)
        _watches[self.uid] = _watches.get(self.uid, 1) - 1
        if not self.released:
            self.add_event((mark.wd, IN_IGNORED, 0, b""))

    def release(self):
        self.released = True
        for mark in list(self.marks.values()):
            self.destroy_mark(mark)
        self.events.clear()
        self.bytes = 0
        _instances[self.uid] = _instances.get(self.uid, 1) - 1


class InotifyOps(FileOperations):
    splice_read = splice_write = False      # an anonymous inode's: Linux's has neither
    fasync_supported = True            # O_ASYNC signals (fs/fasync.py)

    def read_user(self, f, t, buf, count):
        g = f.private
        if not g.events:
            if f.flags & O_NONBLOCK:
                raise Errno(EAGAIN)
            return self._read_wait(t, g, buf, count)
        return g.copy_events(t, buf, count)

    def _read_wait(self, t, g, buf, count):
        r = yield from sched.wait_event(t, g.wq, lambda: bool(g.events))
        if r < 0:
            return r
        return g.copy_events(t, buf, count)

    def read(self, f, t, count):
        """readv: the same records, as bytes."""
        g = f.private
        if not g.events:
            if f.flags & O_NONBLOCK:
                raise Errno(EAGAIN)
            return self._read_wait_bytes(t, g, count)
        return self._take(g, count)

    def _read_wait_bytes(self, t, g, count):
        r = yield from sched.wait_event(t, g.wq, lambda: bool(g.events))
        if r < 0:
            raise Errno(-r)                     # read returns bytes or raises
        return self._take(g, count)

    def _take(self, g, count):
        out = bytearray()
        while True:
            try:
                data = g.take_one(count - len(out))
            except Errno:
                if out:
                    return bytes(out)
                raise
            if data is None:
                return bytes(out)
            out += data

    def poll(self, f, t):
        g = f.private
        return (POLLIN | POLLRDNORM if g.events else 0), (g.wq,)

    def ioctl(self, f, t, cmd, arg):
        if cmd == FIONREAD:
            put_user_u32(t.mm, arg, f.private.bytes)
            return 0
        return None

    def show_fdinfo(self, f):
        """One line per watch, newest first.  No file handle: the
        filesystems here do not export them."""
        out = []
        for mark in sorted(f.private.marks.values(), key=lambda m: -m.seq):
            i = mark.inode
            sdev = (dev_major(i.sb.dev) << 20) | dev_minor(i.sb.dev)
            out.append("inotify wd:%x ino:%x sdev:%x mask:%x ignored_mask:0\n"
                       % (mark.wd, i.ino, sdev, mark.mask))
        return "".join(out)

    def llseek(self, f, offset, whence):
        return f.pos                    # noop_llseek

    def release(self, f):
        f.private.release()


inotify_fops = InotifyOps()


def do_inotify_init(t, flags):
    flags &= 0xFFFFFFFF
    if flags & ~(IN_CLOEXEC | IN_NONBLOCK):
        return -EINVAL
    uid = t.cred.euid                   # charged to the effective user, as Linux's ucounts
    if _instances.get(uid, 0) >= max_user_instances:
        return -EMFILE
    g = InotifyGroup(uid)
    _instances[uid] = _instances.get(uid, 0) + 1
    f = anon_inode_getfile(b"inotify", inotify_fops, g, O_RDONLY | (flags & O_NONBLOCK))
    return install_new_file(t, f, flags & IN_CLOEXEC)


def sys_inotify_init1(t, flags):
    return do_inotify_init(t, flags)


def sys_inotify_init(t):
    return do_inotify_init(t, 0)


def _inotify_file(t, fd):
    fd = fd & 0xFFFFFFFF
    fd = fd - (1 << 32) if fd & 0x80000000 else fd
    f = t.files.fd.get(fd) if fd >= 0 else None
    if f is None or f.mode & FMODE_PATH:
        raise Errno(EBADF)
    if f.f_op is not inotify_fops:
        raise Errno(EINVAL)
    return f.private


def sys_inotify_add_watch(t, fd, pathname, mask):
    mask &= 0xFFFFFFFF
    if mask & IN_MASK_ADD and mask & IN_MASK_CREATE:
        return -EINVAL
    if not mask & ALL_INOTIFY_BITS or mask & ~ALL_INOTIFY_BITS:
        return -EINVAL
    g = _inotify_file(t, fd)
    name = strncpy_from_user(t.mm, pathname, 4096)
    path = path_lookup(t, name, AT_FDCWD, follow=not mask & IN_DONT_FOLLOW)
    inode = path.dentry.inode
    if mask & IN_ONLYDIR and not S_ISDIR(inode.mode):
        return -ENOTDIR
    inode_permission(t, inode, MAY_READ)
    return g.update_watch(inode, mask)


def sys_inotify_rm_watch(t, fd, wd):
    g = _inotify_file(t, fd)
    wd &= 0xFFFFFFFF
    wd = wd - (1 << 32) if wd & 0x80000000 else wd
    mark = g.marks.get(wd)
    if mark is None:
        return -EINVAL
    g.destroy_mark(mark)
    return 0
