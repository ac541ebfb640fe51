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
access, modify, close) while any fanotify mark exists.
"""

from kernel import sched
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


def fanotify_file_event(f, mask):
    """An open-file event (FAN_* bits as inotify's) on File f."""
    path = f.path
    d = path.dentry
    inode = d.inode
    if inode is None:
        return
    isdir = S_ISDIR(inode.mode)
    parent = d.parent.inode if d.parent is not d and d.parent is not None else None
    t = sched.current
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
        want &= ~ignore & FILE_EVENTS
        if want:
            # FAN_ONDIR is not reported in the fd-reporting mode (Linux's
            # backward compatibility); only FID modes show it
            g.queue_event(want, path, t)
