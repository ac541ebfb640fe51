"""fs/notify/fanotify/fanotify.py - which fanotify groups hear an event on
an open file, and the event they queue (Linux's fanotify.c).

A group's marks sit on an inode, a mount or a whole filesystem (Mark with
kind "inode", "mount" or "sb"), each with a mask of events and an ignore
mask.  An event on a file reaches the marks of its inode, of its parent
directory when that mark asks for FAN_EVENT_ON_CHILD, of its mount and of
its superblock; the group gets the events some mark wants and no mark
of the group ignores.  Directories only count with FAN_ONDIR.  Events
on the same file by the same process merge while they wait to be read.

fsnotify.py calls fanotify_file_event() from its file hooks (open,
access, modify, close) while any fanotify mark exists, and fanotify_perm()
before an open or a read: a permission event (FAN_OPEN_PERM,
FAN_ACCESS_PERM) is queued like any other, and the task that caused it
waits - killable only - until the listener writes FAN_ALLOW or FAN_DENY
(EPERM) for the event's fd, or closes the group (allowed).
"""

from kernel import sched
from kernel.errno import EINTR, EPERM
from kernel.signal import fatal_signal_pending
from fs.inode import S_ISDIR

FAN_ACCESS, FAN_MODIFY, FAN_ATTRIB = 0x1, 0x2, 0x4
FAN_CLOSE_WRITE, FAN_CLOSE_NOWRITE, FAN_OPEN = 0x8, 0x10, 0x20
FAN_OPEN_EXEC = 0x1000
FAN_Q_OVERFLOW = 0x4000
FAN_OPEN_PERM, FAN_ACCESS_PERM, FAN_OPEN_EXEC_PERM = 0x10000, 0x20000, 0x40000
FAN_EVENT_ON_CHILD = 0x08000000
FAN_ONDIR = 0x40000000
FILE_EVENTS = (FAN_ACCESS | FAN_MODIFY | FAN_CLOSE_WRITE | FAN_CLOSE_NOWRITE | FAN_OPEN
               | FAN_OPEN_EXEC)
PERM_EVENTS = FAN_OPEN_PERM | FAN_ACCESS_PERM
FAN_ALLOW, FAN_DENY = 0x01, 0x02

groups = []                     # live fanotify groups


class FanMark:
    __slots__ = ("group", "kind", "obj", "mask", "ignored", "flags")

    def __init__(self, group, kind, obj):
        self.group = group
        self.kind = kind            # "inode", "mount", "sb"
        self.obj = obj              # Inode, Mount or SuperBlock
        self.mask = 0
        self.ignored = 0
        self.flags = 0


def _wanted(f, mask, events):
    """[(group, the bits of mask it hears)] for an event on File f; events:
    the kind of bits looked at (FILE_EVENTS or PERM_EVENTS)."""
    path = f.path
    d = path.dentry
    inode = d.inode
    if inode is None:
        return []
    isdir = S_ISDIR(inode.mode)
    parent = d.parent.inode if d.parent is not d and d.parent is not None else None
    out = []
    for g in list(groups):
        want = 0
        ignore = 0
        for m in g.marks.values():
            if m.kind == "inode" and m.obj is inode:
                hit = m.mask
            elif m.kind == "inode" and m.obj is parent and m.mask & FAN_EVENT_ON_CHILD:
                hit = m.mask
            elif m.kind == "mount" and m.obj is path.mnt:
                hit = m.mask
            elif m.kind == "sb" and m.obj is inode.sb:
                hit = m.mask
            else:
                continue
            if isdir and not hit & FAN_ONDIR:
                hit = 0
            want |= hit & mask
            ignore |= m.ignored
        want &= ~ignore & events
        if want:
            out.append((g, want))
    return out


def fanotify_file_event(f, mask):
    """An open-file event (FAN_* bits as inotify's) on File f."""
    t = sched.current
    for g, want in _wanted(f, mask, FILE_EVENTS):
        # FAN_ONDIR is not reported in the fd-reporting mode (Linux's
        # backward compatibility); only FID modes show it
        g.queue_event(want, f.path, t)


class PermEvent:
    """A permission event some task waits on."""
    __slots__ = ("mask", "path", "pid", "fd", "response", "wq")

    def __init__(self, mask, path, pid):
        self.mask = mask
        self.path = path
        self.pid = pid
        self.fd = None              # the listener's fd for the file, once read
        self.response = 0           # FAN_ALLOW or FAN_DENY, once answered
        self.wq = sched.WaitQueue()

    def finish(self, response):
        self.response = response
        self.wq.wake_up()


def fanotify_perm(t, f, mask):
    """FAN_OPEN_PERM or FAN_ACCESS_PERM on File f: None when no group asks
    for it, else the caller's wait (a generator; 0, or -EPERM if a
    listener denied it)."""
    waits = [(g, g.queue_perm(want, f.path, t)) for g, want in _wanted(f, mask, PERM_EVENTS)]
    return _wait_perm(t, waits) if waits else None


def _wait_perm(t, waits):
    denied = False
    for g, ev in waits:
        while not ev.response:
            if fatal_signal_pending(t):
                for g2, ev2 in waits:
                    g2.cancel_perm(ev2)
                return -EINTR               # the task is dying: nobody sees it
            yield sched.Sleep((ev.wq,), None, False)
        denied |= ev.response == FAN_DENY
    return -EPERM if denied else 0
