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

import time

from kernel.abi import s32
from kernel import sched
from kernel.capability import CAP_LEASE, capable
from kernel.errno import EACCES, EAGAIN, EDEADLK, EINTR, EINVAL, ETIMEDOUT, EWOULDBLOCK, Errno
from fs.fasync import POLL_MSG, file_fown, send_sigio
from fs.file import O_NONBLOCK, fdget
from fs.inode import S_ISREG

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
        self.leases = []                # Lease: F_SETLEASE on open Files
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
            # until this blocker goes: another may stand in the way then,
            # whose owner may be waiting for us (a deadlock found late)
            r = yield from sched.wait_event(t, c.wait, lambda: find_conflict(inode, req) is not lk)
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
    """f's last reference is gone: drop its OFD and flock locks, and its
    lease."""
    c = f.inode.i_flctx
    if c is not None and c.leases:
        leases_remove_file(f)
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


# -- leases (F_SETLEASE, F_GETLEASE) ---------------------------------------------------
# A lease belongs to an open File: a read lease lets its holder know
# (signal) before anyone opens the file for writing or truncates it; a
# write lease, before anyone opens it at all.  The opener then waits (or
# gets EWOULDBLOCK with O_NONBLOCK) until the holder downgrades or drops
# the lease, closes the file, or lease_break_time seconds pass and the
# kernel takes the lease away.  While a break is pending F_GETLEASE shows
# the type the lease is being broken to.

lease_break_time = 45                   # /proc/sys/fs/lease-break-time
leases_enable = 1                       # /proc/sys/fs/leases-enable


class Lease:
    __slots__ = ("file", "type", "fd", "target", "break_time")

    def __init__(self, f, type_, fd):
        self.file = f
        self.type = type_
        self.fd = fd
        self.target = None              # F_RDLCK/F_UNLCK while being broken
        self.break_time = None


def _leases(inode):
    c = inode.i_flctx
    return c.leases if c is not None else None


def _time_out_leases(inode):
    c = _ctx(inode)
    leases = c.leases
    now = time.monotonic()
    changed = False
    for ls in list(leases):
        if ls.target is not None and ls.break_time is not None and now >= ls.break_time:
            changed = True
            if ls.target == F_UNLCK:
                leases.remove(ls)
            else:
                ls.type, ls.target, ls.break_time = ls.target, None, None
    if changed:
        c.wait.wake_up()


def fcntl_getlease(f):
    leases = _leases(f.inode)
    if not leases:
        return F_UNLCK
    _time_out_leases(f.inode)
    for ls in leases:
        if ls.file is f:
            return ls.target if ls.target is not None else ls.type
    return F_UNLCK


def _conflicting_open(f, arg):
    """check_conflicting_open(): does anyone else have the file open in a
    way the lease would have to be broken for?"""
    inode = f.inode
    if arg == F_RDLCK:
        return inode.i_writecount > 0
    self_w = 1 if f.write_access else 0
    self_r = 1 if not f.mode & 2 and f.mode & 1 else 0
    return inode.i_writecount != self_w or inode.i_readcount != self_r


def fcntl_setlease(t, fd, f, arg):
    inode = f.inode
    if t.cred.fsuid != inode.uid and not capable(t, CAP_LEASE):
        raise Errno(EACCES)
    if not S_ISREG(inode.mode) or not leases_enable:
        raise Errno(EINVAL)
    if arg not in (F_RDLCK, F_WRLCK, F_UNLCK):
        raise Errno(EINVAL)
    c = _ctx(inode)
    _time_out_leases(inode)
    mine = next((ls for ls in c.leases if ls.file is f), None)
    if arg == F_UNLCK:
        if mine is None:
            raise Errno(EAGAIN)
        c.leases.remove(mine)
        c.wait.wake_up()
        fo = file_fown(f)               # lease_modify: f_delown, signum = 0
        fo.pid = fo.signum = 0
        return 0
    if _conflicting_open(f, arg):
        raise Errno(EAGAIN)
    for ls in c.leases:
        if ls is mine:
            continue
        if ls.target is not None:
            raise Errno(EAGAIN)             # a break is pending
        if arg == F_WRLCK or ls.type == F_WRLCK:
            raise Errno(EAGAIN)
    if mine is not None:
        # being broken: only the downgrade the breaker allows
        if mine.target is not None and (arg == F_WRLCK or mine.target == F_UNLCK):
            raise Errno(EAGAIN)
        if mine.target == F_RDLCK and arg == F_RDLCK:
            mine.target = mine.break_time = None
        mine.type, mine.fd = arg, fd
        c.wait.wake_up()
    else:
        c.leases.append(Lease(f, arg, fd))
    # the lease holder's process owns the file for SIGIO (lease_setup)
    fo = file_fown(f)
    fo.pid_type, fo.pid, fo.uid, fo.euid = 1, t.tgid, t.cred.uid, t.cred.euid
    return 0


def break_lease(t, inode, flags):
    """An open (or truncate) that conflicts with leases on inode: notify
    their holders.  None: nothing to wait for; else a generator that
    waits (a signal interrupts it); EWOULDBLOCK with O_NONBLOCK."""
    leases = _leases(inode)
    if not leases:
        return None
    _time_out_leases(inode)
    want_write = flags & 3 != 0

    def conflicting():
        return [ls for ls in _leases(inode) or ()
                if want_write or ls.type == F_WRLCK]
    if not conflicting():
        return None
    now = time.monotonic()
    for ls in conflicting():
        # a writer breaks to "unlocked" (again, if a reader broke it to
        # "read"); a reader only what is not being broken yet
        if want_write:
            if ls.target == F_UNLCK:
                continue
            ls.target = F_UNLCK
        else:
            if ls.target is not None:
                continue
            ls.target = F_RDLCK
        ls.break_time = now + lease_break_time
        send_sigio(ls.file, ls.fd, POLL_MSG)
    if flags & O_NONBLOCK:
        raise Errno(EWOULDBLOCK)
    return _wait_lease_break(t, inode, conflicting)


def _wait_lease_break(t, inode, conflicting):
    c = _ctx(inode)
    while True:
        live = conflicting()
        if not live:
            return 0
        deadline = min(ls.break_time for ls in live if ls.break_time is not None)
        r = yield from sched.wait_event(t, c.wait, lambda: not conflicting()
                                        or time.monotonic() >= deadline, deadline)
        if r not in (0, -ETIMEDOUT):
            return r
        _time_out_leases(inode)


def leases_remove_file(f):
    leases = _leases(f.inode)
    if leases:
        n = len(leases)
        leases[:] = [ls for ls in leases if ls.file is not f]
        if len(leases) != n:
            f.inode.i_flctx.wait.wake_up()
