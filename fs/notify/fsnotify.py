"""fs/notify/fsnotify.py - what the VFS tells watchers about changes.

The VFS calls one hook per kind of change, named as in Linux
(fsnotify_create, fsnotify_modify, fsnotify_move...).  A hook finds the
marks on the inodes involved and hands each interested mark's group the
event: inotify (fs/notify/inotify.py) is the only kind of group here.

A mark sits on an inode (inode.i_fsnotify_marks).  A mark on a directory
also hears about its children: events on a file reached through a dentry
go first to the marks of the dentry's parent, with the dentry's name, then
to the file's own marks without a name - each mark only for the events in
its mask.  Directory-entry events (create, delete, moves) go to the
directory alone; "self" events (delete, move, link-count changes) to the
inode alone.

IN_DELETE_SELF comes when the last name of an inode is gone *and* nothing
holds the dentry that was removed any more: an open file keeps its dentry,
and so does a task's cwd or root, and every dentry keeps its parent, so the
event waits for the last close or chdir below it.  Open Files are counted per dentry for that (file_dentry_get/put,
called by fs/file.py).

Everything returns at once while nobody watches anything (nr_marks == 0),
so the hooks cost nothing in the common case.
"""

import itertools
import weakref

from fs.inode import S_ISDIR
from kernel.task import tasks
from fs.notify.fanotify import fanotify as _fanotify

IN_ACCESS = 0x00000001
IN_MODIFY = 0x00000002
IN_ATTRIB = 0x00000004
IN_CLOSE_WRITE = 0x00000008
IN_CLOSE_NOWRITE = 0x00000010
IN_OPEN = 0x00000020
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_ALL_EVENTS = 0x00000FFF
IN_UNMOUNT = 0x00002000
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_DONT_FOLLOW = 0x02000000
IN_EXCL_UNLINK = 0x04000000
IN_MASK_CREATE = 0x10000000
IN_MASK_ADD = 0x20000000
IN_ISDIR = 0x40000000
IN_ONESHOT = 0x80000000
# not an inotify event: a rename inside one directory, for dnotify's
# DN_RENAME (fs/notify/dnotify.py), sent to that directory with the old name
FS_RENAME = 0x10000000
FS_OPEN_EXEC = 0x00001000           # fanotify's FAN_OPEN_EXEC

nr_marks = 0                        # marks alive anywhere: 0 = nobody listens
_all_marks = set()
_cookies = itertools.count(1)
_dentry_files = weakref.WeakKeyDictionary()     # dentry -> open Files on it


class Mark:
    """One group's interest in one inode."""
    __slots__ = ("group", "inode", "wd", "mask", "alive", "seq")

    def __init__(self, group, inode, wd, mask):
        self.group = group
        self.inode = inode
        self.wd = wd
        self.mask = mask
        self.alive = True
        self.seq = 0                    # creation order (fdinfo lists newest first)


def inode_marks(inode):
    return inode.i_fsnotify_marks


def add_mark(mark):
    global nr_marks
    marks = inode_marks(mark.inode)
    if marks is None:
        marks = mark.inode.i_fsnotify_marks = []
    marks.append(mark)
    _all_marks.add(mark)
    nr_marks += 1


def detach_mark(mark):
    """Take a mark off its inode (the group does the rest)."""
    global nr_marks
    if not mark.alive:
        return False
    mark.alive = False
    marks = inode_marks(mark.inode)
    if marks is not None and mark in marks:
        marks.remove(mark)
    _all_marks.discard(mark)
    nr_marks -= 1
    return True


def _send(mark, mask, name, cookie, unlinked):
    if not mark.alive or not mask & mark.mask & (IN_ALL_EVENTS | FS_RENAME):
        return
    if unlinked and mark.mask & IN_EXCL_UNLINK:
        return
    mark.group.handle_event(mark, mask, name, cookie)


def _to_inode(inode, mask, name=None, cookie=0, unlinked=False):
    marks = inode_marks(inode)
    if marks:
        for mark in list(marks):
            _send(mark, mask, name, cookie, unlinked)


def _to_parent_and_self(dentry, mask, file_event):
    """An event on the object dentry names: its directory's watchers hear
    it with the name, then its own watchers without."""
    if not nr_marks or dentry is None:
        return
    inode = dentry.inode
    if inode is None:
        return
    if S_ISDIR(inode.mode):
        mask |= IN_ISDIR
    # IN_EXCL_UNLINK: a file event on something no longer in the tree
    unlinked = file_event and dentry.unhashed and not dentry.is_root
    parent = dentry.parent
    if parent is not dentry and parent.inode is not None:
        _to_inode(parent.inode, mask, dentry.name, 0, unlinked)
    _to_inode(inode, mask, None, 0, unlinked)


# -- events on an open file ----------------------------------------------------------
# Not for O_PATH files, nor for files made without a path (anonymous inodes:
# eventfd, epoll, inotify...; shmem: memfd, SysV shm), which set f.nonotify:
# Linux gives those FMODE_NONOTIFY.  Pipes and sockets do tell.

def _file_event(f, mask):
    if not f.mode & 4 and not f.nonotify:      # 4: FMODE_PATH
        _to_parent_and_self(f.path.dentry, mask, True)
        if _fanotify.groups:
            _fanotify.fanotify_file_event(f, mask)


def fsnotify_perm(t, f, mask):
    """Before an open (FAN_OPEN_PERM) or a read (FAN_ACCESS_PERM) of File f:
    None, or the wait for a fanotify listener's answer (a generator whose
    value is 0 or -EPERM; fs/notify/fanotify/fanotify.py)."""
    if not nr_marks or not _fanotify.groups or f.mode & 4 or f.nonotify:   # 4: FMODE_PATH
        return None
    return _fanotify.fanotify_perm(t, f, mask)


def fsnotify_access(f):
    if nr_marks:
        _file_event(f, IN_ACCESS)


def fsnotify_modify(f):
    if nr_marks:
        _file_event(f, IN_MODIFY)


def fsnotify_open(f, execute=False):
    """An open; one for execve or the ELF interpreter (execute) is also
    FS_OPEN_EXEC, which fanotify reports (inotify has no such event)."""
    if nr_marks:
        _file_event(f, IN_OPEN | (FS_OPEN_EXEC if execute else 0))


def fsnotify_close(f):
    if nr_marks:
        _file_event(f, IN_CLOSE_WRITE if f.mode & 2 else IN_CLOSE_NOWRITE)


# -- attribute changes (notify_change) ------------------------------------------------

def fsnotify_change(dentry, mask):
    """chmod, chown, utimes, truncate: the mask says which event."""
    if nr_marks and mask:
        _to_parent_and_self(dentry, mask, False)


# -- directory entries --------------------------------------------------------------

def fsnotify_create(dir_inode, name, inode):
    if nr_marks:
        _to_inode(dir_inode, IN_CREATE | (IN_ISDIR if S_ISDIR(inode.mode) else 0), name)


def fsnotify_link_count(inode):
    if nr_marks:
        _to_inode(inode, IN_ATTRIB | (IN_ISDIR if S_ISDIR(inode.mode) else 0))


def fsnotify_link(dir_inode, inode, name):
    if nr_marks:
        fsnotify_link_count(inode)
        fsnotify_create(dir_inode, name, inode)


def fsnotify_delete(dir_inode, name, isdir):
    if nr_marks:
        _to_inode(dir_inode, IN_DELETE | (IN_ISDIR if isdir else 0), name)


def fsnotify_unlink(dir_inode, dentry, inode):
    """After unlink or rmdir removed dentry (already dropped from the tree)."""
    if not nr_marks:
        return
    isdir = S_ISDIR(inode.mode)
    if not isdir:
        fsnotify_link_count(inode)
    d_delete_notify(dentry, inode)
    fsnotify_delete(dir_inode, dentry.name, isdir)


def fsnotify_move(old_dir, new_dir, old_name, new_name, isdir, target, source):
    """A rename: MOVED_FROM and MOVED_TO share a cookie; an inode that was
    replaced loses a link; the moved inode hears IN_MOVE_SELF."""
    if not nr_marks:
        return
    cookie = next(_cookies) & 0xFFFFFFFF or next(_cookies)
    d = IN_ISDIR if isdir else 0
    if old_dir is new_dir:
        _to_inode(old_dir, FS_RENAME | d, old_name)
    _to_inode(old_dir, IN_MOVED_FROM | d, old_name, cookie)
    _to_inode(new_dir, IN_MOVED_TO | d, new_name, cookie)
    if target is not None:
        fsnotify_link_count(target)
    _to_inode(source, IN_MOVE_SELF)


# -- the end of an inode ------------------------------------------------------------

def fsnotify_inoderemove(inode):
    """The inode is gone from the tree for good: IN_DELETE_SELF, then every
    mark goes (their groups queue IN_IGNORED)."""
    marks = inode_marks(inode)
    if not marks:
        return
    _to_inode(inode, IN_DELETE_SELF)
    for mark in list(marks):
        mark.group.destroy_mark(mark)


def _below(d, dentry):
    """Is dentry d itself or one of its ancestors?  (A dentry pins its
    parent, even after it was removed from the tree.)"""
    while True:
        if d is dentry:
            return True
        if d.parent is d:
            return False
        d = d.parent


def _dentry_held(dentry):
    """Does an open file, or a task's cwd or root, still hold dentry, or a
    dentry below it?"""
    for d in list(_dentry_files.keys()):
        if _below(d, dentry):
            return True
    for t in tasks.values():
        fs = t.fs
        if fs is not None and (_below(fs.pwd.dentry, dentry) or _below(fs.root.dentry, dentry)):
            return True
    return False


def fsnotify_unmount(sb):
    """The filesystem sb is unmounted: each watched inode on it hears
    IN_UNMOUNT, whatever its marks ask for, and loses its marks.  Linux
    walks the superblock's inodes newest first."""
    inodes = {}
    for m in _all_marks:
        if m.inode.sb is sb:
            inodes[id(m.inode)] = m.inode
    for inode in sorted(inodes.values(), key=lambda i: -i.ino):
        marks = list(inode_marks(inode) or ())
        mask = IN_UNMOUNT | (IN_ISDIR if S_ISDIR(inode.mode) else 0)
        for mark in marks:
            if mark.alive:
                mark.group.handle_event(mark, mask, None, 0)
        for mark in marks:
            mark.group.destroy_mark(mark)


def d_delete_notify(dentry, inode):
    """dentry was removed from the tree; when nothing holds it, the inode
    may be gone (dentry_unlink_inode in Linux)."""
    if inode.nlink <= 0 and inode_marks(inode) and not _dentry_held(dentry):
        fsnotify_inoderemove(inode)


def fsnotify_dput(dentry):
    """Something let go of dentry (a file, a cwd or root): it, and then each
    removed directory above it, may have been the last of its inode."""
    d = dentry
    while nr_marks:
        if d.unhashed and d.inode is not None:
            d_delete_notify(d, d.inode)
        if d.parent is d:
            break
        d = d.parent


def file_dentry_get(f):
    d = f.path.dentry
    _dentry_files[d] = _dentry_files.get(d, 0) + 1


def file_dentry_put(f):
    d = f.path.dentry
    n = _dentry_files.get(d, 0) - 1
    if n > 0:
        _dentry_files[d] = n
        return
    _dentry_files.pop(d, None)
    fsnotify_dput(d)
