"""fs/notify/dnotify.py - directory notification: fcntl(fd, F_NOTIFY, mask).

A process asks, through a descriptor of a directory, to be signalled when
something in that directory is accessed (DN_ACCESS), modified (DN_MODIFY),
created or moved in (DN_CREATE), deleted or moved out (DN_DELETE), renamed
inside it (DN_RENAME) or has its attributes changed (DN_ATTRIB); events on
the directory itself count too.  The signal goes to the File's owner
(fs/fasync.py; F_NOTIFY makes the caller's process the owner if there is
none): SIGIO, or the F_SETSIG signal with si_fd and POLL_MSG.  Without
DN_MULTISHOT a request is spent by its first event.

Each request (DnotifyStruct) belongs to one File reached through one
descriptor table: another F_NOTIFY through the same pair adds to its mask,
mask 0 removes it, and a close of any descriptor of that File in that
table removes it (dnotify_flush, from fs/file.py).  The requests of one
directory hang on one fsnotify mark (fs/notify/fsnotify.py) whose mask is
the union of theirs, translated to fsnotify events.
"""

from fs.fasync import POLL_MSG, __f_setown, F_OWNER_PID, file_fown, send_sigio
from fs.inode import S_ISDIR
from fs.notify import fsnotify
from fs.notify.fsnotify import (FS_RENAME, IN_ACCESS, IN_ATTRIB, IN_CREATE, IN_DELETE,
                                IN_MODIFY, IN_MOVED_FROM, IN_MOVED_TO, Mark)
from kernel.errno import ENOTDIR, Errno

DN_ACCESS = 0x00000001
DN_MODIFY = 0x00000002
DN_CREATE = 0x00000004
DN_DELETE = 0x00000008
DN_RENAME = 0x00000010
DN_ATTRIB = 0x00000020
DN_MULTISHOT = 0x80000000

# each DN_ bit and the fsnotify events it stands for
_EVENTS = (
    (DN_ACCESS, IN_ACCESS),
    (DN_MODIFY, IN_MODIFY),
    (DN_CREATE, IN_CREATE | IN_MOVED_TO),
    (DN_DELETE, IN_DELETE | IN_MOVED_FROM),
    (DN_RENAME, FS_RENAME),
    (DN_ATTRIB, IN_ATTRIB),
)


def _to_fsnotify(dn_mask):
    return sum(ev for bit, ev in _EVENTS if dn_mask & bit)


def _to_dnotify(mask):
    return sum(bit for bit, ev in _EVENTS if mask & ev)


class DnotifyStruct:
    """One F_NOTIFY request: a File, the descriptor it came through and
    the descriptor table that holds it."""
    __slots__ = ("mask", "fd", "file", "files")

    def __init__(self, mask, fd, f, files):
        self.mask = mask
        self.fd = fd
        self.file = f
        self.files = files


class DnotifyMark(Mark):
    __slots__ = ("dn",)

    def __init__(self, group, inode):
        super().__init__(group, inode, None, 0)
        self.dn = []


class DnotifyGroup:
    """The one group all dnotify marks belong to."""

    def find_mark(self, inode):
        for m in fsnotify.inode_marks(inode) or ():
            if m.group is self and m.alive:
                return m
        return None

    def recalc(self, mark):
        """The mark's mask from its requests; no requests, no mark."""
        if not mark.dn:
            fsnotify.detach_mark(mark)
            return
        mark.mask = _to_fsnotify(_union(dn.mask for dn in mark.dn))

    def handle_event(self, mark, mask, name, cookie):
        dn_mask = _to_dnotify(mask)
        if not dn_mask:
            return
        changed = False
        for dn in list(mark.dn):
            if not dn.mask & dn_mask:
                continue
            send_sigio(dn.file, dn.fd, POLL_MSG)
            if not dn.mask & DN_MULTISHOT:
                mark.dn.remove(dn)
                changed = True
        if changed:
            self.recalc(mark)

    def destroy_mark(self, mark):
        """The directory is gone (or its file system unmounted)."""
        mark.dn.clear()
        fsnotify.detach_mark(mark)


def _union(masks):
    out = 0
    for m in masks:
        out |= m
    return out


dnotify_group = DnotifyGroup()


def fcntl_dirnotify(t, fd, f, arg):
    """F_NOTIFY: watch the directory f is open on, through fd."""
    arg &= 0xFFFFFFFF
    if not arg & ~DN_MULTISHOT:
        dnotify_flush(f, t.files)
        return 0
    inode = f.inode
    if not S_ISDIR(inode.mode):
        raise Errno(ENOTDIR)
    fo = file_fown(f)
    if fo.pid == 0:
        __f_setown(t, f, F_OWNER_PID, t.tgid)
    mark = dnotify_group.find_mark(inode)
    if mark is None:
        mark = DnotifyMark(dnotify_group, inode)
        fsnotify.add_mark(mark)
    for dn in mark.dn:
        if dn.file is f and dn.files is t.files:
            dn.fd = fd
            dn.mask |= arg
            break
    else:
        mark.dn.append(DnotifyStruct(arg, fd, f, t.files))
    dnotify_group.recalc(mark)
    return 0


def dnotify_flush(f, files):
    """A descriptor of f in files was closed: its requests go."""
    mark = dnotify_group.find_mark(f.inode)
    if mark is None:
        return
    mark.dn[:] = [dn for dn in mark.dn if not (dn.file is f and dn.files is files)]
    dnotify_group.recalc(mark)
