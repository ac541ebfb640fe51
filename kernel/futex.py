"""kernel/futex.py - fast user-space mutexes: futex(2), robust lists, exit hooks.

A futex is a 32-bit word in guest memory.  User space does the fast path
with atomic instructions; it calls the kernel only to sleep until the word
changes (FUTEX_WAIT) or to wake sleepers (FUTEX_WAKE).  The kernel keeps no
state per futex but the queue of its waiters, found by a key:

 - a private futex (FUTEX_PRIVATE_FLAG, or a word in private memory) is
   known by (mm, address): only threads of one address space share it;
 - a shared one in a MAP_SHARED mapping is known by (the mapping's page
   cache, offset in the file), so processes that map the same object at
   different addresses meet on the same queue.

FUTEX_WAIT checks the word and queues the caller in one step: nothing else
runs in between (one CPU, no preemption inside the kernel), which is the
atomicity Linux gets from the hash-bucket lock.  The waiter sleeps as a
generator (kernel/sched.py) until a waker dequeues it, a signal arrives
(-ERESTARTSYS: restarted transparently, or EINTR when a handler runs) or
the timeout passes (ETIMEDOUT).

Priority-inheritance futexes (FUTEX_LOCK_PI, TRYLOCK_PI, UNLOCK_PI,
LOCK_PI2) keep the owner's TID in the word; the kernel hands a contended
lock straight to its first waiter (see the section below).

Also here: CLONE_CHILD_CLEARTID (mm_release: clear the word and wake one
waiter, how pthread_join learns a thread is gone) and the robust list
(exit_robust_list: locks held by a dying thread are marked
FUTEX_OWNER_DIED and a waiter is woken).
"""

import struct

from kernel.abi import s32
from kernel import sched
from kernel.errno import (EAGAIN, EDEADLK, EFAULT, EINVAL, ENOSYS, EPERM, ERESTART_RESTARTBLOCK,
                          ERESTARTNOINTR, ERESTARTSYS, ESRCH, ETIMEDOUT, Errno)
from mm.uaccess import copy_from_user, copy_to_user, user_page
from kernel.signal import signal_pending
from kernel.task import PF_EXITING, find_task
from kernel.time import NSEC_PER_SEC, RestartBlock, clock_ns, get_timespec, realtime_wait
from mm.vma import VM_SHARED

FUTEX_WAIT = 0
FUTEX_WAKE = 1
FUTEX_FD = 2
FUTEX_REQUEUE = 3
FUTEX_CMP_REQUEUE = 4
FUTEX_WAKE_OP = 5
FUTEX_LOCK_PI = 6
FUTEX_UNLOCK_PI = 7
FUTEX_TRYLOCK_PI = 8
FUTEX_WAIT_BITSET = 9
FUTEX_WAKE_BITSET = 10
FUTEX_WAIT_REQUEUE_PI = 11
FUTEX_CMP_REQUEUE_PI = 12
FUTEX_LOCK_PI2 = 13
FUTEX_PRIVATE_FLAG = 128
FUTEX_CLOCK_REALTIME = 256
FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)

FUTEX_BITSET_MATCH_ANY = 0xFFFFFFFF
FUTEX_WAITERS = 0x80000000
FUTEX_OWNER_DIED = 0x40000000
FUTEX_TID_MASK = 0x3FFFFFFF
ROBUST_LIST_LIMIT = 2048

_queues = {}            # key -> [FutexQ] in arrival order


class FutexQ:
    """One sleeping waiter (pi: waiting in FUTEX_LOCK_PI for a handover,
    with the word's address to find it again at its owner's exit)."""
    __slots__ = ("task", "key", "bitset", "woken", "pi", "uaddr", "mm")

    def __init__(self, task, key, bitset, pi=False, uaddr=0):
        self.task = task
        self.key = key
        self.bitset = bitset
        self.woken = False
        self.pi = pi
        self.uaddr = uaddr
        self.mm = task.mm


# -- keys --------------------------------------------------------------------------

def get_futex_key(mm, uaddr, private):
    if uaddr & 3:
        raise Errno(EINVAL)
    if uaddr >= mm.task_size:
        raise Errno(EFAULT)
    if not private:
        # a shared key names the page: it must be there to be named, so a
        # PROT_NONE word or one past the end of its file is EFAULT (Linux's
        # get_user_pages_fast in get_futex_key)
        user_page(mm, uaddr, False)
        vma = mm.vma_at(uaddr)
        if vma is None:
            raise Errno(EFAULT)
        if vma.flags & VM_SHARED and vma.file is not None and vma.file.mapping is not None:
            offset = (vma.pgoff << 12) + (uaddr - vma.start)
            return ("shared", id(vma.file.mapping), offset)
    return ("private", id(mm), uaddr)


def get_user_u32(mm, uaddr):
    return struct.unpack("<I", copy_from_user(mm, uaddr, 4))[0]


def put_user_u32(mm, uaddr, v):
    copy_to_user(mm, uaddr, struct.pack("<I", v & 0xFFFFFFFF))


# -- waking ----------------------------------------------------------------------------

def _unqueue(q):
    waiters = _queues.get(q.key)
    if waiters is not None:
        try:
            waiters.remove(q)
        except ValueError:
            pass
        if not waiters:
            del _queues[q.key]


def _wake(q):
    _unqueue(q)
    q.woken = True
    sched.wake_up_process(q.task)


def futex_wake_key(key, nr, bitset=FUTEX_BITSET_MATCH_ANY):
    """Wake up to nr waiters queued on key whose bitset matches; how many."""
    # LAB futex: begin
    woken = 0
    for q in list(_queues.get(key, ())):
        if woken >= nr:
            break
        if q.bitset & bitset and not q.pi:
            _wake(q)
            woken += 1
    return woken
    # LAB futex: starter
    #> return 0                        # the starter's waiters never sleep
    # LAB futex: end


def futex_wake(mm, uaddr, nr, private=False, bitset=FUTEX_BITSET_MATCH_ANY):
    if not bitset:
        raise Errno(EINVAL)
    return futex_wake_key(get_futex_key(mm, uaddr, private), nr, bitset)


# -- waiting ---------------------------------------------------------------------------

# LAB futex: begin
def futex_wait(t, uaddr, private, val, deadline, bitset, clock_rt):
    """Check-and-queue now; the rest is the generator that sleeps."""
    if not bitset:
        raise Errno(EINVAL)
    mm = t.mm
    key = get_futex_key(mm, uaddr, private)
    if get_user_u32(mm, uaddr) != val & 0xFFFFFFFF:
        raise Errno(EAGAIN)
    q = FutexQ(t, key, bitset)
    _queues.setdefault(key, []).append(q)
    return _futex_wait_sleep(t, q, deadline, clock_rt, (uaddr, private, val))


def _futex_wait_sleep(t, q, deadline, clock_rt, args):
    """deadline: None, or nanoseconds on CLOCK_MONOTONIC/REALTIME."""
    clk = 0 if clock_rt else 1
    try:
        while True:
            if q.woken:
                return 0
            if deadline is not None:
                left = deadline - clock_ns(t, clk)
                if left <= 0:
                    return -ETIMEDOUT
            if signal_pending(t):
                if deadline is None:
                    return -ERESTARTSYS
                # restarted with the same absolute deadline, as Linux's
                # futex_wait_restart: the word is checked again then
                uaddr, private, val = args
                bitset = q.bitset
                t.restart_block = RestartBlock(
                    lambda t2: futex_wait(t2, uaddr, private, val, deadline, bitset, clock_rt))
                return -ERESTART_RESTARTBLOCK
            yield sched.Sleep(realtime_wait(clk), None if deadline is None
                              else sched.now() + left / 1e9)
    finally:
        if not q.woken:
            _unqueue(q)
# LAB futex: starter
#> def futex_wait(t, uaddr, private, val, deadline, bitset, clock_rt):
#>     """The starter never sleeps: if the word still holds val it gives the
#>     CPU away and returns, as a spurious wake-up (which every caller must
#>     expect anyway), so a lock waiter spins through sched_yield."""
#>     if not bitset:
#>         raise Errno(EINVAL)
#>     mm = t.mm
#>     get_futex_key(mm, uaddr, private)
#>     if get_user_u32(mm, uaddr) != val & 0xFFFFFFFF:
#>         raise Errno(EAGAIN)
#>     sched.yield_task(t)
#>     return 0
# LAB futex: end


# -- requeueing ----------------------------------------------------------------------

def futex_requeue(t, uaddr, private, uaddr2, nr_wake, nr_requeue, cmpval):
    mm = t.mm
    key1 = get_futex_key(mm, uaddr, private)
    key2 = get_futex_key(mm, uaddr2, private)
    if cmpval is not None and get_user_u32(mm, uaddr) != cmpval & 0xFFFFFFFF:
        raise Errno(EAGAIN)
    waiters = list(_queues.get(key1, ()))
    done = 0
    for q in waiters[:nr_wake]:
        _wake(q)
        done += 1
    requeued = 0
    if key1 != key2:
        for q in waiters[nr_wake:nr_wake + nr_requeue]:
            _unqueue(q)
            q.key = key2
            _queues.setdefault(key2, []).append(q)
            requeued += 1
    else:
        requeued = min(len(waiters) - done, nr_requeue)
    return done + requeued


# -- FUTEX_WAKE_OP ----------------------------------------------------------------------

FUTEX_OP_SET, FUTEX_OP_ADD, FUTEX_OP_OR, FUTEX_OP_ANDN, FUTEX_OP_XOR = range(5)
FUTEX_OP_OPARG_SHIFT = 8


def _wake_op_apply(mm, uaddr2, encoded):
    op = (encoded >> 28) & 7
    cmp = (encoded >> 24) & 15
    oparg = (encoded >> 12) & 0xFFF
    cmparg = encoded & 0xFFF
    if oparg & 0x800:
        oparg -= 0x1000
    if cmparg & 0x800:
        cmparg -= 0x1000
    if (encoded >> 28) & FUTEX_OP_OPARG_SHIFT:
        if oparg < 0 or oparg > 31:
            oparg &= 31                 # Linux warns and masks
        oparg = 1 << oparg
    old = get_user_u32(mm, uaddr2)
    if op == FUTEX_OP_SET:
        new = oparg
    elif op == FUTEX_OP_ADD:
        new = old + oparg
    elif op == FUTEX_OP_OR:
        new = old | oparg
    elif op == FUTEX_OP_ANDN:
        new = old & ~oparg
    elif op == FUTEX_OP_XOR:
        new = old ^ oparg
    else:
        raise Errno(ENOSYS)
    put_user_u32(mm, uaddr2, new)
    sold = old - (1 << 32) if old & 0x80000000 else old
    if cmp == 0:
        return sold == cmparg
    if cmp == 1:
        return sold != cmparg
    if cmp == 2:
        return sold < cmparg
    if cmp == 3:
        return sold <= cmparg
    if cmp == 4:
        return sold > cmparg
    if cmp == 5:
        return sold >= cmparg
    raise Errno(ENOSYS)


def futex_wake_op(t, uaddr, private, uaddr2, nr_wake, nr_wake2, encoded):
    mm = t.mm
    key1 = get_futex_key(mm, uaddr, private)
    key2 = get_futex_key(mm, uaddr2, private)
    cond = _wake_op_apply(mm, uaddr2, encoded)
    woken = futex_wake_key(key1, nr_wake)
    if cond:
        woken += futex_wake_key(key2, nr_wake2)
    return woken


# -- the system call -------------------------------------------------------------------

def _timeout_ns(t, utime, absolute, clock_rt):
    """The deadline in ns on the futex's clock, or None for no timeout."""
    if not utime:
        return None
    ns = get_timespec(t, utime)
    if absolute:
        return ns
    return clock_ns(t, 0 if clock_rt else 1) + ns


# -- priority-inheritance futexes ---------------------------------------------------
#
# The word holds the owner's TID (| FUTEX_WAITERS when someone sleeps in the
# kernel, | FUTEX_OWNER_DIED after an owner died).  User space takes a free
# lock and drops an uncontended one with cmpxchg; the kernel is asked when
# the lock is held (FUTEX_LOCK_PI: mark the word, sleep) and when there are
# waiters (FUTEX_UNLOCK_PI: hand the lock straight to the first waiter, who
# wakes up owning it).  One CPU and no priorities beyond nice: there is no
# priority to lend, so what is left of "PI" is this ownership protocol, which
# is what glibc's PTHREAD_PRIO_INHERIT and robust PI mutexes rely on.

def _pi_waiters(key):
    return [q for q in _queues.get(key, ()) if q.pi]


def _lock_pi_atomic(t, uaddr, key):
    """Try to take the lock: True if we own it now; False if it is held by
    another live task (FUTEX_WAITERS now set).  Errno otherwise."""
    mm = t.mm
    uval = get_user_u32(mm, uaddr)
    owner = uval & FUTEX_TID_MASK
    if owner == t.pid:
        raise Errno(EDEADLK)
    if owner == 0:
        # free (perhaps after an owner died: keep FUTEX_OWNER_DIED so that
        # user space learns it); waiters still queued keep their bit
        new = (uval & FUTEX_OWNER_DIED) | t.pid
        if _pi_waiters(key):
            new |= FUTEX_WAITERS
        put_user_u32(mm, uaddr, new)
        return True
    o = find_task(owner)
    if o is None or o.exit_state or o.flags & PF_EXITING:
        if uval & FUTEX_OWNER_DIED:
            # its exit marked the word but left the TID: take it over
            new = FUTEX_OWNER_DIED | t.pid | (FUTEX_WAITERS if _pi_waiters(key) else 0)
            put_user_u32(mm, uaddr, new)
            return True
        raise Errno(ESRCH)
    if not uval & FUTEX_WAITERS:
        put_user_u32(mm, uaddr, uval | FUTEX_WAITERS)
    return False


def futex_lock_pi(t, uaddr, private, deadline, clock_rt, trylock=False):
    key = get_futex_key(t.mm, uaddr, private)
    if _lock_pi_atomic(t, uaddr, key):
        return 0
    if trylock:
        return -EAGAIN
    q = FutexQ(t, key, FUTEX_BITSET_MATCH_ANY, pi=True, uaddr=uaddr)
    _queues.setdefault(key, []).append(q)
    return _futex_lock_pi_sleep(t, q, uaddr, private, deadline, clock_rt)


def _futex_lock_pi_sleep(t, q, uaddr, private, deadline, clock_rt):
    clk = 0 if clock_rt else 1
    try:
        while True:
            if q.woken:
                return 0                # handed over: we own it
            if deadline is not None:
                left = deadline - clock_ns(t, clk)
                if left <= 0:
                    return -ETIMEDOUT
            if signal_pending(t):
                # Linux restarts LOCK_PI after a handler, whatever SA_RESTART says
                return -ERESTARTNOINTR
            yield sched.Sleep(realtime_wait(clk), None if deadline is None else sched.now() + left / 1e9)
    finally:
        # a waiter that gives up leaves FUTEX_WAITERS set, as Linux does:
        # the owner's unlock then comes to the kernel and finds nobody
        if not q.woken:
            _unqueue(q)


def _pi_hand_over(mm, uaddr, key, owner_died=False):
    """Give the lock to the first PI waiter; False if there is none."""
    waiters = _pi_waiters(key)
    if not waiters:
        return False
    q = waiters[0]
    new = q.task.pid | FUTEX_WAITERS | (FUTEX_OWNER_DIED if owner_died else 0)
    put_user_u32(mm, uaddr, new)
    _wake(q)
    return True


def futex_unlock_pi(t, uaddr, private):
    mm = t.mm
    key = get_futex_key(mm, uaddr, private)
    uval = get_user_u32(mm, uaddr)
    if uval & FUTEX_TID_MASK != t.pid:
        return -EPERM
    if not _pi_hand_over(mm, uaddr, key):
        put_user_u32(mm, uaddr, 0)
    return 0


def exit_pi_state(t):
    """t is exiting: each PI lock it still owns and others sleep on goes to
    the first of them, marked FUTEX_OWNER_DIED (after the robust list, which
    may already have cleared the TID in the word)."""
    for key, waiters in list(_queues.items()):
        pi = [q for q in waiters if q.pi]
        if not pi:
            continue
        q0 = pi[0]
        mm = q0.mm
        try:
            uval = get_user_u32(mm, q0.uaddr)
        except Errno:
            continue
        owner = uval & FUTEX_TID_MASK
        if owner == t.pid or (owner == 0 and uval & FUTEX_OWNER_DIED):
            try:
                _pi_hand_over(mm, q0.uaddr, key, owner_died=True)
            except Errno:
                pass


def sys_futex(t, uaddr, op, val, utime, uaddr2, val3):
    op &= 0xFFFFFFFF
    val &= 0xFFFFFFFF
    val3 &= 0xFFFFFFFF
    cmd = op & FUTEX_CMD_MASK & 0xFFFFFFFF
    private = bool(op & FUTEX_PRIVATE_FLAG)
    clock_rt = bool(op & FUTEX_CLOCK_REALTIME)
    if clock_rt and cmd not in (FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_WAIT_REQUEUE_PI,
                                FUTEX_LOCK_PI2):
        return -ENOSYS
    if cmd == FUTEX_WAIT:
        deadline = _timeout_ns(t, utime, False, clock_rt)
        return futex_wait(t, uaddr, private, val, deadline, FUTEX_BITSET_MATCH_ANY, clock_rt)
    if cmd == FUTEX_WAIT_BITSET:
        deadline = _timeout_ns(t, utime, True, clock_rt)
        return futex_wait(t, uaddr, private, val, deadline, val3, clock_rt)
    if cmd == FUTEX_WAKE:
        return futex_wake(t.mm, uaddr, s32(val), private)
    if cmd == FUTEX_WAKE_BITSET:
        return futex_wake(t.mm, uaddr, s32(val), private, val3)
    # the "timeout" argument is a count for these
    val2 = utime & 0xFFFFFFFF
    if cmd == FUTEX_REQUEUE:
        return futex_requeue(t, uaddr, private, uaddr2, s32(val), s32(val2), None)
    if cmd == FUTEX_CMP_REQUEUE:
        if s32(val) < 0 or s32(val2) < 0:
            return -EINVAL
        return futex_requeue(t, uaddr, private, uaddr2, s32(val), s32(val2), val3)
    if cmd == FUTEX_WAKE_OP:
        return futex_wake_op(t, uaddr, private, uaddr2, s32(val), s32(val2), val3)
    if cmd == FUTEX_LOCK_PI:
        # an absolute CLOCK_REALTIME timeout, always
        return futex_lock_pi(t, uaddr, private, _timeout_ns(t, utime, True, True), True)
    if cmd == FUTEX_LOCK_PI2:
        return futex_lock_pi(t, uaddr, private, _timeout_ns(t, utime, True, clock_rt), clock_rt)
    if cmd == FUTEX_TRYLOCK_PI:
        return futex_lock_pi(t, uaddr, private, None, False, trylock=True)
    if cmd == FUTEX_UNLOCK_PI:
        return futex_unlock_pi(t, uaddr, private)
    # requeue-PI (condition variables over PI mutexes): glibc has not used
    # it since 2.25; refused as by a kernel without it
    return -ENOSYS


# -- thread exit ---------------------------------------------------------------------

def handle_futex_death(t, uaddr, pending_op=False, pi=False):
    """t died holding the robust futex at uaddr: mark it FUTEX_OWNER_DIED
    and wake one waiter so it can take the lock over (a PI lock's sleepers
    are handed it by exit_pi_state instead)."""
    mm = t.mm
    if uaddr & 3:
        return
    try:
        uval = get_user_u32(mm, uaddr)
    except Errno:
        return
    if pending_op and uval == 0 and not pi:
        # died between taking the lock in user space and listing it: wake
        # anyone so the lock is not lost
        futex_wake_key(get_futex_key(mm, uaddr, False), 1)
        return
    if uval & FUTEX_TID_MASK != t.pid:
        return
    new = (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED
    try:
        put_user_u32(mm, uaddr, new)
        if uval & FUTEX_WAITERS and not pi:
            futex_wake_key(get_futex_key(mm, uaddr, False), 1)
    except Errno:
        pass


def exit_robust_list(t):
    """Walk the robust list registered with set_robust_list."""
    head = t.robust_list
    if not head or t.mm is None:
        return
    t.robust_list = 0
    bits = t.arch.BITS
    psize = bits // 8
    fmt = "<Q" if bits == 64 else "<I"
    sfmt = "<q" if bits == 64 else "<i"
    mm = t.mm

    def fetch_entry(addr):
        raw = struct.unpack(fmt, copy_from_user(mm, addr, psize))[0]
        return raw & ~1, raw & 1          # pointer, PI flag

    try:
        entry, pi = fetch_entry(head)
        offset = struct.unpack(sfmt, copy_from_user(mm, head + psize, psize))[0]
        pending, ppi = fetch_entry(head + 2 * psize)
    except Errno:
        return
    limit = ROBUST_LIST_LIMIT
    while entry != head and limit > 0:
        try:
            nxt, npi = fetch_entry(entry)
        except Errno:
            return
        if entry != pending:
            handle_futex_death(t, (entry + offset) & ((1 << bits) - 1), pi=bool(pi))
        entry, pi = nxt, npi
        limit -= 1
    if pending:
        handle_futex_death(t, (pending + offset) & ((1 << bits) - 1), pending_op=True,
                           pi=bool(ppi))


def mm_release(t):
    """CLONE_CHILD_CLEARTID: at exit or exec, clear the word and wake one
    waiter on it (pthread_join and friends wait there)."""
    if t.clear_child_tid and t.mm is not None and t.mm.users > 1:
        try:
            put_user_u32(t.mm, t.clear_child_tid, 0)
            futex_wake(t.mm, t.clear_child_tid, 1)
        except Errno:
            pass
    t.clear_child_tid = 0


# -- futex_waitv: one sleep on several futexes ------------------------------------

FUTEX_WAITV_MAX = 128
FUTEX2_SIZE_U32, FUTEX2_SIZE_U64, FUTEX2_SIZE_MASK = 0x02, 0x03, 0x03
FUTEX2_NUMA, FUTEX2_MPOL, FUTEX2_PRIVATE = 0x04, 0x08, 128
FUTEX2_VALID_MASK = FUTEX2_SIZE_MASK | FUTEX2_NUMA | FUTEX2_MPOL | FUTEX2_PRIVATE
_WAITV = struct.Struct("<QQII")                 # struct futex_waitv: val, uaddr, flags, reserved


def sys_futex_waitv(t, waiters, nr_futexes, flags, timeout, clockid):
    """Sleep until one of nr_futexes words is woken; returns its index.
    The timeout is absolute on CLOCK_MONOTONIC or CLOCK_REALTIME, and a
    __kernel_timespec even for i386 (the call is newer than time64)."""
    nr_futexes &= 0xFFFFFFFF
    if flags & 0xFFFFFFFF:
        return -EINVAL
    if not nr_futexes or nr_futexes > FUTEX_WAITV_MAX or not waiters:
        return -EINVAL
    deadline = None
    clock_rt = False
    if timeout:
        clockid = s32(clockid)
        if clockid not in (0, 1):
            return -EINVAL
        clock_rt = clockid == 0
        sec, nsec = struct.unpack("<qq", copy_from_user(t.mm, timeout, 16))
        if sec < 0 or not 0 <= nsec < NSEC_PER_SEC:
            return -EINVAL
        deadline = sec * NSEC_PER_SEC + nsec
    vs = []
    for i in range(nr_futexes):
        val, uaddr, fl, reserved = _WAITV.unpack(copy_from_user(t.mm, waiters + i * _WAITV.size,
                                                                _WAITV.size))
        if fl & ~FUTEX2_VALID_MASK or reserved:
            return -EINVAL
        if fl & FUTEX2_SIZE_MASK != FUTEX2_SIZE_U32:
            return -EINVAL                      # only 32-bit futexes exist
        if val >> 32:
            return -EINVAL
        vs.append((val, uaddr, bool(fl & FUTEX2_PRIVATE)))
    return _futex_wait_multiple(t, vs, deadline, clock_rt)


def _futex_wait_multiple(t, vs, deadline, clock_rt):
    clk = 0 if clock_rt else 1
    mm = t.mm
    keys = [get_futex_key(mm, uaddr, private) for val, uaddr, private in vs]
    while True:
        # futex_wait_multiple_setup: check and queue each in turn
        qs = []
        for (val, uaddr, private), key in zip(vs, keys):
            try:
                cur = get_user_u32(mm, uaddr)
            except Errno:
                for q in qs:
                    _unqueue(q)
                raise
            if cur != val:
                for q in qs:
                    _unqueue(q)
                return -EAGAIN
            q = FutexQ(t, key, FUTEX_BITSET_MATCH_ANY)
            _queues.setdefault(key, []).append(q)
            qs.append(q)
        try:
            while not any(q.woken for q in qs):
                if deadline is not None:
                    left = deadline - clock_ns(t, clk)
                    if left <= 0:
                        return -ETIMEDOUT
                if signal_pending(t):
                    return -ERESTARTSYS
                yield sched.Sleep(realtime_wait(clk), None if deadline is None else sched.now() + left / 1e9)
        finally:
            for q in qs:
                if not q.woken:
                    _unqueue(q)
        for i, q in enumerate(qs):
            if q.woken:
                return i
