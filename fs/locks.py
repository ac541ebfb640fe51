"""fs/locks.py - file locks: POSIX record locks, OFD locks and flock().

Three kinds of owner, as in Linux:
 - POSIX locks (fcntl F_SETLK/F_SETLKW) belong to the process's fd table
   (FilesStruct) and all of them on a file go away when the process closes
   ANY descriptor of that file, or exits;
 - open-file-description locks (F_OFD_SETLK...) belong to the open File and
   go with its last reference;
 - flock() locks belong to the open File too, and lock the whole file.

POSIX and OFD locks are byte ranges and conflict with each other; flock
locks are a separate namespace.  A lock request over a range the owner
already holds replaces those bytes (splitting or merging ranges), so
F_GETLK reports what Linux would.  F_SETLKW and blocking flock sleep on
the inode's wait queue; a cycle of POSIX waiters is EDEADLK.
"""

from kernel.abi import s32
from kernel import sched
from kernel.errno import EAGAIN, EDEADLK, EINTR, EINVAL, EWOULDBLOCK, Errno
from fs.file import fdget

F_RDLCK, F_WRLCK, F_UNLCK = 0, 1, 2
OFFSET_MAX = (1 << 63) - 1

LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN, LOCK_MAND = 1, 2, 4, 8, 32


class FileLock:
    __slots__ = ("owner", "ofd", "type", "start", "end", "pid", "flock")

    def __init__(self, owner, type_, start, end, pid, ofd=False, flock=False):
        self.owner = owner          # FilesStruct (POSIX) or File (OFD, flock)
        self.ofd = ofd
        self.type = type_
        self.start = start
        self.end = end              # inclusive, OFFSET_MAX for "to EOF"
        self.pid = pid
        self.flock = flock


class LockContext:
    """Per-inode lock state."""

    def __init__(self):
        self.locks = []
        self.wait = sched.WaitQueue()


def _ctx(inode):
    c = inode.i_flctx
    if c is None:
        c = inode.i_flctx = LockContext()
    return c


blocked_on = {}             # POSIX owner -> the owner it waits for (EDEADLK)


def _conflict(a, b):
    return a.type == F_WRLCK or b.type == F_WRLCK


def find_conflict(inode, req):
    c = inode.i_flctx
    if c is None:
        return None
    for lk in c.locks:
        if lk.flock != req.flock or lk.owner is req.owner:
            continue
        if lk.end < req.start or req.end < lk.start:
            continue
        if _conflict(lk, req):
            return lk
    return None


def _apply(inode, req):
    """Make req's range hold req.type for its owner (F_UNLCK: nothing)."""
    c = _ctx(inode)
    keep = []
    mine = []
    for lk in c.locks:
        if lk.owner is req.owner and lk.flock == req.flock:
            mine.append(lk)
        else:
            keep.append(lk)
    out = []
    new_start, new_end = req.start, req.end
    for lk in mine:
        touches = not (lk.end + 1 < req.start or lk.start > req.end + 1)
        overlaps = not (lk.end < req.start or lk.start > req.end)
        if touches and lk.type == req.type and req.type != F_UNLCK:
            new_start = min(new_start, lk.start)        # same type: merge
            new_end = max(new_end, lk.end)
        elif overlaps:
            # keep the parts outside req's range
            if lk.start < req.start:
                out.append(FileLock(lk.owner, lk.type, lk.start, req.start - 1, lk.pid, lk.ofd, lk.flock))
            if lk.end > req.end:
                out.append(FileLock(lk.owner, lk.type, req.end + 1, lk.end, lk.pid, lk.ofd, lk.flock))
        else:
            out.append(lk)
    if req.type != F_UNLCK:
        out.append(FileLock(req.owner, req.type, new_start, new_end, req.pid, req.ofd, req.flock))
    out.sort(key=lambda lk: lk.start)
    c.locks = keep + out
    c.wait.wake_up()


def _deadlock(owner, blocker):
    seen = set()
    o = blocker
    while o is not None and id(o) not in seen:
        if o is owner:
            return True
        seen.add(id(o))
        o = blocked_on.get(o)
    return False


def posix_lock_file(t, inode, req, wait):
    """Set (or clear) req; with wait, a generator that sleeps for it."""
    lk = find_conflict(inode, req) if req.type != F_UNLCK else None
    if lk is None:
        _apply(inode, req)
        return 0
    if not wait:
        raise Errno(EAGAIN)
    return _wait_lock(t, inode, req)


def _wait_lock(t, inode, req):
    c = _ctx(inode)
    try:
        while True:
            lk = find_conflict(inode, req)
            if lk is None:
                _apply(inode, req)
                return 0
            if not req.ofd and not req.flock and not lk.ofd:
                if _deadlock(req.owner, lk.owner):
                    return -EDEADLK
                blocked_on[req.owner] = lk.owner
            r = yield from sched.wait_event(t, c.wait, lambda: find_conflict(inode, req) is None)
            if r < 0:
                return -EINTR if req.flock else r
    finally:
        blocked_on.pop(req.owner, None)      # also when the sleeper is killed


def locks_remove_posix(files, f):
    """files closed a descriptor of f's inode: drop its POSIX locks there."""
    c = f.inode.i_flctx
    if c is None or not c.locks:
        return
    n = len(c.locks)
    c.locks = [lk for lk in c.locks if lk.owner is not files]
    if len(c.locks) != n:
        c.wait.wake_up()


def locks_remove_file(f):
    """f's last reference is gone: drop its OFD and flock locks."""
    c = f.inode.i_flctx
    if c is None or not c.locks:
        return
    n = len(c.locks)
    c.locks = [lk for lk in c.locks if lk.owner is not f]
    if len(c.locks) != n:
        c.wait.wake_up()


def sys_flock(t, fd, cmd):
    f = fdget(t, s32(fd))
    cmd &= 0xFFFFFFFF
    if cmd & LOCK_MAND:
        return 0                                # obsolete: ignored, as Linux
    nb = cmd & LOCK_NB
    op = cmd & ~LOCK_NB
    types = {LOCK_SH: F_RDLCK, LOCK_EX: F_WRLCK, LOCK_UN: F_UNLCK}
    if op not in types:
        return -EINVAL
    req = FileLock(f, types[op], 0, OFFSET_MAX, t.tgid, flock=True)
    if req.type == F_UNLCK:
        _apply(f.inode, req)
        return 0
    # converting a lock drops the old one first, as Linux does
    _apply(f.inode, FileLock(f, F_UNLCK, 0, OFFSET_MAX, t.tgid, flock=True))
    try:
        return posix_lock_file(t, f.inode, req, not nb)
    except Errno as e:
        if e.errno == EAGAIN:
            return -EWOULDBLOCK
        raise
