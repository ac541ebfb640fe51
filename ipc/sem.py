"""ipc/sem.py - System V semaphores: semget, semop/semtimedop, semctl.

A semaphore set is a list of values.  semop applies an array of operations
all at once or not at all: on a copy first, and only if every one can
proceed are the values changed.  One that cannot proceed blocks on its
"blocking" operation (wait for the value to reach zero, or to be large
enough to subtract from); the caller either fails with EAGAIN (IPC_NOWAIT on
that operation) or joins the set's pending queue and sleeps.

As in Linux, a sleeper's operations are carried out by whoever changes the
values (update_queue): after every change the pending queue is scanned in
arrival order and each operation array that can now complete is done on
its owner's behalf, who then wakes up with the result.  A sleeper is thus
served first-come, and a process that releases a semaphore and at once asks
for it again queues behind the one it just woke.  GETNCNT/GETZCNT count the
sleepers whose blocking operation is on that semaphore.

SEM_UNDO records, per process (per CLONE_SYSVSEM group: threads share it,
fork does not), the opposite of every change; when the process ends, the
adjustments are applied (clamped to 0..SEMVMX).  SETVAL and SETALL clear
them, and removing the set forgets them.  Removal wakes the sleepers with
EIDRM.
"""

import struct

from ipc.util import (IPC_64, IPC_INFO, IPC_NOWAIT, IPC_RMID, IPC_SET, IPC_STAT,
                      S_IRUGO, S_IWUGO, KernIpcPerm, check_owner,
                      check_perms, ipcget, pack_perm, pack_time, perm_size,
                      s32, set_perm, ulong)
from kernel import sched, timekeeping
from kernel.errno import (E2BIG, EAGAIN, EFBIG, EIDRM, EINTR, EINVAL, ENOSPC,
                          ERANGE, Errno)
from mm.uaccess import copy_from_user, copy_to_user
from kernel.signal import signal_pending
from kernel.time import get_timespec

SEM_UNDO = 0x1000
GETPID, GETVAL, GETALL, GETNCNT, GETZCNT, SETVAL, SETALL = 11, 12, 13, 14, 15, 16, 17
SEM_STAT, SEM_INFO, SEM_STAT_ANY = 18, 19, 20

SEMMSL = 32000
SEMMNS = 1024000000
SEMOPM = 500
SEMMNI = 32000
SEMVMX = 32767
SEMAEM = SEMVMX


BLOCK = 1                       # perform_atomic_semop: would have to wait


class Sem:
    __slots__ = ("val", "pid")

    def __init__(self):
        self.val = 0
        self.pid = 0


class SemArray(KernIpcPerm):
    def __init__(self, t, key, flg, nsems):
        super().__init__(t, key, flg)
        self.sems = [Sem() for _ in range(nsems)]
        self.otime = 0
        self.pending = []       # SemQueue, in arrival order
        self.undos = set()      # SemUndoList with adjustments for this set


class SemQueue:
    """A sleeping semop: its operations and, once done, its result."""
    __slots__ = ("task", "pid", "sops", "undo", "alter", "blocking", "status", "wq")

    def __init__(self, t, sops, undo, alter):
        self.task = t
        self.pid = t.tgid
        self.sops = sops
        self.undo = undo
        self.alter = alter
        self.blocking = None
        self.status = None
        self.wq = sched.WaitQueue()


class SemUndoList:
    """task->sysvsem: the SEM_UNDO adjustments of a process, per set."""

    def __init__(self):
        self.refs = 1
        self.adj = {}           # SemArray -> [adjustment per semaphore]

    def for_array(self, sma):
        a = self.adj.get(sma)
        if a is None:
            a = self.adj[sma] = [0] * len(sma.sems)
            sma.undos.add(self)
        return a


# -- the operations ------------------------------------------------------------------

def perform_atomic_semop(sma, q):
    """Try q's operations: 0 done, BLOCK (q.blocking says which op), or
    -EAGAIN / -ERANGE, with nothing changed unless the result is 0."""
    vals = {}
    adj = q.undo.adj.get(sma) if q.undo is not None else None
    adjs = {}
    for num, op, flg in q.sops:
        cur = vals.get(num, sma.sems[num].val)
        if op == 0 and cur:
            q.blocking = (num, op)
            return -EAGAIN if flg & IPC_NOWAIT else BLOCK
        cur += op
        if cur < 0:
            q.blocking = (num, op)
            return -EAGAIN if flg & IPC_NOWAIT else BLOCK
        if cur > SEMVMX:
            return -ERANGE
        if flg & SEM_UNDO:
            u = adjs.get(num, adj[num] if adj is not None else 0) - op
            if u < -SEMAEM - 1 or u > SEMAEM:
                return -ERANGE
            adjs[num] = u
        vals[num] = cur
    for num, v in vals.items():
        sma.sems[num].val = v
    for num, _op, _flg in q.sops:
        sma.sems[num].pid = q.pid
    if adjs:
        adj = q.undo.for_array(sma)
        for num, u in adjs.items():
            adj[num] = u
    sma.otime = timekeeping.ktime_get_real_seconds()
    q.blocking = None
    return 0


def update_queue(sma):
    """The values changed: complete, in arrival order, every sleeping
    operation array that now can, rescanning after each one that alters."""
    progress = True
    while progress:
        progress = False
        for q in list(sma.pending):
            r = perform_atomic_semop(sma, q)
            if r == BLOCK:
                continue
            sma.pending.remove(q)
            q.status = r
            q.wq.wake_up()
            if r == 0 and q.alter:
                progress = True
                break


def count_semcnt(sma, semnum, zero):
    n = 0
    for q in sma.pending:
        if q.blocking is not None and q.blocking[0] == semnum and \
                (q.blocking[1] == 0) == zero:
            n += 1
    return n


def _get_undo_list(t):
    ul = t.sysvsem
    if ul is None:
        ul = t.sysvsem = SemUndoList()
    return ul


def do_semtimedop(t, semid, tsops, nsops, timeout):
    semid, nsops = s32(semid), nsops & 0xFFFFFFFF
    if nsops < 1 or semid < 0:
        return -EINVAL
    if nsops > SEMOPM:
        return -E2BIG
    raw = copy_from_user(t.mm, tsops, 6 * nsops)
    sops = [struct.unpack_from("<Hhh", raw, 6 * i) for i in range(nsops)]
    deadline = None
    if timeout:
        deadline = sched.now() + get_timespec(t, timeout) / 1e9
    maxnum = max(s[0] for s in sops)
    undos = any(s[2] & SEM_UNDO for s in sops)
    alter = any(s[1] != 0 for s in sops)
    sma = t.nsproxy.ipc_ns.sem_ids.obtain(semid)
    if maxnum >= len(sma.sems):
        return -EFBIG
    check_perms(t, sma, S_IWUGO if alter else S_IRUGO)
    q = SemQueue(t, sops, _get_undo_list(t) if undos else None, alter)
    r = perform_atomic_semop(sma, q)
    if r == 0:
        if alter:
            update_queue(sma)
        return 0
    if r < 0:
        return r
    sma.pending.append(q)
    return _sleep(t, sma, q, deadline)


def _sleep(t, sma, q, deadline):
    try:
        while True:
            if q.status is not None:
                return q.status
            if sma.deleted:
                return -EIDRM
            if deadline is not None and sched.now() >= deadline:
                return -EAGAIN
            if signal_pending(t):
                return -EINTR
            yield sched.Sleep((q.wq,), deadline)
    finally:
        if q in sma.pending:
            sma.pending.remove(q)


def sys_semtimedop(t, semid, tsops, nsops, timeout):
    return do_semtimedop(t, semid, tsops, nsops, timeout)


def sys_semop(t, semid, tsops, nsops):
    return do_semtimedop(t, semid, tsops, nsops, 0)


# -- semget ------------------------------------------------------------------------

def _newary(t, key, flg, nsems):
    if not nsems:
        raise Errno(EINVAL)
    ns = t.nsproxy.ipc_ns
    if ns.used_sems + nsems > SEMMNS:
        raise Errno(ENOSPC)
    sma = SemArray(t, key, flg, nsems)
    ns.sem_ids.add(sma)
    ns.used_sems += nsems
    return sma.id


def sys_semget(t, key, nsems, semflg):
    nsems, flg = s32(nsems), s32(semflg)
    if nsems < 0 or nsems > SEMMSL:
        return -EINVAL

    def more_checks(sma):
        if nsems > len(sma.sems):
            raise Errno(EINVAL)

    return ipcget(t, t.nsproxy.ipc_ns.sem_ids, key, flg, lambda: _newary(t, s32(key), flg, nsems),
                  more_checks)


# -- semctl ---------------------------------------------------------------------------

def _semid_ds(t, sma):
    out = pack_perm(t, sma)
    if t.arch.BITS == 64:
        out += pack_time(t, sma.otime) + ulong(t, 0) + pack_time(t, sma.ctime) + ulong(t, 0)
    else:
        out += pack_time(t, sma.otime) + pack_time(t, sma.ctime)
    return out + ulong(t, len(sma.sems)) + ulong(t, 0) + ulong(t, 0)


def _clear_undo(sma, semnum=None):
    for ul in sma.undos:
        adj = ul.adj.get(sma)
        if adj is None:
            continue
        if semnum is None:
            adj[:] = [0] * len(adj)
        else:
            adj[semnum] = 0


def freeary(sma):
    for ul in list(sma.undos):
        ul.adj.pop(sma, None)
    sma.undos = set()
    for q in list(sma.pending):
        q.status = -EIDRM
        q.wq.wake_up()
    sma.pending = []
    sma.ns.sem_ids.remove(sma)
    sma.ns.used_sems -= len(sma.sems)


def ksys_semctl(t, semid, semnum, cmd, arg, version=IPC_64):
    semid, semnum, cmd = s32(semid), s32(semnum), s32(cmd)
    sem_ids = t.nsproxy.ipc_ns.sem_ids
    if t.arch.BITS == 32:
        arg &= 0xFFFFFFFF
    if semid < 0:
        return -EINVAL
    if cmd in (IPC_INFO, SEM_INFO):
        # struct seminfo: semmap semmni semmns semmnu semmsl semopm semume
        # semusz semvmx semaem
        if cmd == SEM_INFO:
            usz, aem = len(sem_ids.slots), t.nsproxy.ipc_ns.used_sems
        else:
            usz, aem = 20, SEMAEM
        vals = (SEMMNS, SEMMNI, SEMMNS, SEMMNS, SEMMSL, SEMOPM, SEMOPM, usz, SEMVMX, aem)
        copy_to_user(t.mm, arg, struct.pack("<10i", *vals))
        return max(list(sem_ids.slots) or [0])
    if cmd in (IPC_STAT, SEM_STAT, SEM_STAT_ANY):
        sma = sem_ids.obtain_for_stat(t, semid, by_index=cmd != IPC_STAT, check=cmd != SEM_STAT_ANY)
        copy_to_user(t.mm, arg, _semid_ds(t, sma))
        return 0 if cmd == IPC_STAT else sma.id
    if cmd in (GETALL, GETVAL, GETPID, GETNCNT, GETZCNT, SETALL):
        sma = sem_ids.obtain(semid)
        nsems = len(sma.sems)
        check_perms(t, sma, S_IWUGO if cmd == SETALL else S_IRUGO)
        if cmd == GETALL:
            copy_to_user(t.mm, arg, struct.pack("<%dH" % nsems, *(s.val for s in sma.sems)))
            return 0
        if cmd == SETALL:
            vals = struct.unpack("<%dH" % nsems, copy_from_user(t.mm, arg, 2 * nsems))
            if any(v > SEMVMX for v in vals):
                return -ERANGE
            for s, v in zip(sma.sems, vals):
                s.val = v
                s.pid = t.tgid
            _clear_undo(sma)
            sma.ctime = timekeeping.ktime_get_real_seconds()
            update_queue(sma)
            return 0
        if semnum < 0 or semnum >= nsems:
            return -EINVAL
        if cmd == GETVAL:
            return sma.sems[semnum].val
        if cmd == GETPID:
            return sma.sems[semnum].pid
        if cmd == GETNCNT:
            return count_semcnt(sma, semnum, False)
        return count_semcnt(sma, semnum, True)
    if cmd == SETVAL:
        val = s32(arg)
        if val > SEMVMX or val < 0:
            return -ERANGE
        sma = sem_ids.obtain(semid)
        if semnum < 0 or semnum >= len(sma.sems):
            return -EINVAL
        check_perms(t, sma, S_IWUGO)
        _clear_undo(sma, semnum)
        sma.sems[semnum].val = val
        sma.sems[semnum].pid = t.tgid
        sma.ctime = timekeeping.ktime_get_real_seconds()
        update_queue(sma)
        return 0
    if cmd == IPC_SET:
        data = copy_from_user(t.mm, arg, perm_size(t))
        sma = sem_ids.obtain(semid)
        check_owner(t, sma)
        set_perm(t, sma, data)
        return 0
    if cmd == IPC_RMID:
        sma = sem_ids.obtain(semid)
        check_owner(t, sma)
        freeary(sma)
        return 0
    return -EINVAL


def sys_semctl(t, semid, semnum, cmd, arg):
    return ksys_semctl(t, semid, semnum, cmd, arg)


# -- process lifetime ------------------------------------------------------------------

def copy_semundo(t, c, share):
    """fork/clone: CLONE_SYSVSEM shares the undo list, else the child has none."""
    if share:
        ul = _get_undo_list(t)
        ul.refs += 1
        c.sysvsem = ul
    else:
        c.sysvsem = None


def exit_sem(t):
    """The task ends: the last user of an undo list applies it."""
    ul = t.sysvsem
    if ul is None:
        return
    t.sysvsem = None
    ul.refs -= 1
    if ul.refs > 0:
        return
    for sma, adj in list(ul.adj.items()):
        sma.undos.discard(ul)
        if sma.deleted:
            continue
        for s, a in zip(sma.sems, adj):
            if a:
                s.val = min(max(s.val + a, 0), SEMVMX)
                s.pid = t.tgid
        update_queue(sma)
    ul.adj = {}
