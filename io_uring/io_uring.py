"""io_uring/io_uring.py - io_uring_setup(2) and io_uring_enter(2): a ring of
submissions and a ring of completions shared by a program and the kernel.

io_uring_setup makes a context (IoRingCtx) and returns a file for it.  The
program maps three things at the file's offsets (or, with
IORING_SETUP_NO_MMAP, hands the kernel memory of its own):

    IORING_OFF_SQ_RING / IORING_OFF_CQ_RING   struct io_rings: the SQ and
        CQ heads and tails, masks, flags, the CQEs, then the SQ index array
        (one region: IORING_FEAT_SINGLE_MMAP, both offsets map it)
    IORING_OFF_SQES                           the submission entries

so the layout of io_rings is the ABI (the offsets io_uring_setup writes
back are Linux's; tests compare them with the host's).  The kernel reaches
that memory through the pages of an unlinked shmem file (Region), the way
fs/aio.py reaches its ring: the program's mappings and the kernel's view
are the same frames.

The program writes SQEs, moves the SQ tail and calls io_uring_enter; the
kernel consumes SQEs from its own copy of the head (`cached_sq_head`),
turns each into a request (IoKiocb), runs it, and posts a CQE at its own
copy of the CQ tail.  What a request does is in its opcode's entry of
io_uring/opdef.py.  Most requests finish inside the submission (a read of
a regular file, an openat); a request that would block instead arms a poll
on its file (io_uring/poll.py) and is retried when the file is ready, a
timeout waits on a kernel timer (io_uring/timeout.py).  Those retries are
"task work": they run from the scheduler loop between tasks (or, for
IORING_SETUP_DEFER_TASKRUN, only inside the submitter's io_uring_enter),
never inside the wake-up that readied the file.  A request that cannot be
retried by a poll (a file that cannot be polled, e.g. a FIFO opener) makes
io_uring_enter itself wait - where Linux would hand it to an io-wq worker.

Links (IOSQE_IO_LINK/HARDLINK) run one request after another, a failure
cancelling the rest; IOSQE_IO_DRAIN waits until everything before it has
completed; IOSQE_CQE_SKIP_SUCCESS posts nothing for a success.  When the CQ
ring is full, CQEs wait in `overflow` (IORING_FEAT_NODROP) and
IORING_SQ_CQ_OVERFLOW is set until there is room again.

IORING_SETUP_SQPOLL has a submission "thread" that has always just gone
idle: IORING_SQ_NEED_WAKEUP is always set, so a program following the
protocol calls io_uring_enter(IORING_ENTER_SQ_WAKEUP) and the thread
submits there.  IORING_SETUP_IOPOLL is accepted; no file here can be
polled for completions, so reads and writes on such a ring complete with
EOPNOTSUPP, as on Linux for files without ->iopoll.

The rest of the ring's interface: io_uring/register.py (buffers, files,
eventfd, probe, personalities, restrictions, ring fds), io_uring/cancel.py
(matching requests for IORING_OP_ASYNC_CANCEL and for a task's exit).
/proc/sys/kernel/io_uring_disabled and io_uring_group are the variables
below.
"""

from kernel.abi import s32
import time
import struct

from kernel import sched, timekeeping
from kernel.errno import (EBADF, EBADFD, EEXIST, EFAULT, EINTR, EINVAL, ENOMEM, ENXIO,
                          EOPNOTSUPP, EPERM, ETIME, Errno)
from kernel.capability import CAP_SYS_ADMIN, capable
from fs.file import (O_CLOEXEC, O_RDWR, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM,
                     FileOperations, fget)
from mm import physmem as _pm
from mm.physmem import PAGE_SHIFT, PAGE_SIZE
from mm.uaccess import copy_from_user, copy_to_user
from fs.shmem import shmem_file_setup
from fs.eventfd import eventfd_signal
from kernel.syscall import oops
from mm.vma import VM_MAYEXEC
from fs.anon_inodes import anon_inode_getfile, install_new_file
from fs.poll import restore_saved_sigmask_unless, set_user_sigmask
from kernel.signal import signal_pending

# /proc/sys/kernel/io_uring_disabled (0 all, 1 root and io_uring_group, 2 none)
sysctl_io_uring_disabled = 0
sysctl_io_uring_group = -1

# io_uring_setup(2) flags
IORING_SETUP_IOPOLL = 1 << 0
IORING_SETUP_SQPOLL = 1 << 1
IORING_SETUP_SQ_AFF = 1 << 2
IORING_SETUP_CQSIZE = 1 << 3
IORING_SETUP_CLAMP = 1 << 4
IORING_SETUP_ATTACH_WQ = 1 << 5
IORING_SETUP_R_DISABLED = 1 << 6
IORING_SETUP_SUBMIT_ALL = 1 << 7
IORING_SETUP_COOP_TASKRUN = 1 << 8
IORING_SETUP_TASKRUN_FLAG = 1 << 9
IORING_SETUP_SQE128 = 1 << 10
IORING_SETUP_CQE32 = 1 << 11
IORING_SETUP_SINGLE_ISSUER = 1 << 12
IORING_SETUP_DEFER_TASKRUN = 1 << 13
IORING_SETUP_NO_MMAP = 1 << 14
IORING_SETUP_REGISTERED_FD_ONLY = 1 << 15
IORING_SETUP_NO_SQARRAY = 1 << 16
IORING_SETUP_HYBRID_IOPOLL = 1 << 17
SETUP_FLAGS = (1 << 18) - 1                 # every flag of Linux 6.13

# io_uring_enter(2) flags
IORING_ENTER_GETEVENTS = 1 << 0
IORING_ENTER_SQ_WAKEUP = 1 << 1
IORING_ENTER_SQ_WAIT = 1 << 2
IORING_ENTER_EXT_ARG = 1 << 3
IORING_ENTER_REGISTERED_RING = 1 << 4
IORING_ENTER_ABS_TIMER = 1 << 5
IORING_ENTER_EXT_ARG_REG = 1 << 6
ENTER_FLAGS = (1 << 7) - 1

# what the program maps, by offset
IORING_OFF_SQ_RING = 0
IORING_OFF_CQ_RING = 0x8000000
IORING_OFF_SQES = 0x10000000
IORING_OFF_PBUF_RING = 0x80000000
IORING_OFF_MMAP_MASK = 0xf8000000

# sq_flags and cq_flags
IORING_SQ_NEED_WAKEUP = 1 << 0
IORING_SQ_CQ_OVERFLOW = 1 << 1
IORING_SQ_TASKRUN = 1 << 2
IORING_CQ_EVENTFD_DISABLED = 1 << 0

# struct io_uring_cqe flags
IORING_CQE_F_BUFFER = 1 << 0
IORING_CQE_F_MORE = 1 << 1

# io_uring_params.features: what this kernel does
IORING_FEAT_SINGLE_MMAP = 1 << 0
IORING_FEAT_NODROP = 1 << 1
IORING_FEAT_SUBMIT_STABLE = 1 << 2
IORING_FEAT_RW_CUR_POS = 1 << 3
IORING_FEAT_CUR_PERSONALITY = 1 << 4
IORING_FEAT_FAST_POLL = 1 << 5
IORING_FEAT_POLL_32BITS = 1 << 6
IORING_FEAT_SQPOLL_NONFIXED = 1 << 7
IORING_FEAT_EXT_ARG = 1 << 8
IORING_FEAT_NATIVE_WORKERS = 1 << 9
IORING_FEAT_RSRC_TAGS = 1 << 10
IORING_FEAT_CQE_SKIP = 1 << 11
IORING_FEAT_LINKED_FILE = 1 << 12
IORING_FEAT_REG_REG_RING = 1 << 13
IORING_FEAT_RECVSEND_BUNDLE = 1 << 14
IORING_FEAT_MIN_TIMEOUT = 1 << 15
FEATURES = (IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP | IORING_FEAT_SUBMIT_STABLE
            | IORING_FEAT_RW_CUR_POS | IORING_FEAT_CUR_PERSONALITY | IORING_FEAT_FAST_POLL
            | IORING_FEAT_POLL_32BITS | IORING_FEAT_SQPOLL_NONFIXED | IORING_FEAT_EXT_ARG
            | IORING_FEAT_NATIVE_WORKERS | IORING_FEAT_CQE_SKIP | IORING_FEAT_LINKED_FILE
            | IORING_FEAT_REG_REG_RING | IORING_FEAT_MIN_TIMEOUT)

# IOSQE_* (struct io_uring_sqe.flags); the REQ_F_* of the same bits
IOSQE_FIXED_FILE = 1 << 0
IOSQE_IO_DRAIN = 1 << 1
IOSQE_IO_LINK = 1 << 2
IOSQE_IO_HARDLINK = 1 << 3
IOSQE_ASYNC = 1 << 4
IOSQE_BUFFER_SELECT = 1 << 5
IOSQE_CQE_SKIP_SUCCESS = 1 << 6
SQE_VALID_FLAGS = (1 << 7) - 1
# the kernel's own request flags, above the SQE's
REQ_F_FAIL = 1 << 8                 # failed: the rest of the link is cancelled
REQ_F_SKIP_LINK_CQES = 1 << 9       # a skip-on-success request failed: so do its followers, silently
REQ_F_ARM_LTIMEOUT = 1 << 10        # the next in the link is its IORING_OP_LINK_TIMEOUT
REQ_F_NOWAIT = 1 << 11              # EAGAIN is the answer (O_NONBLOCK, RWF_NOWAIT, MSG_DONTWAIT)

IORING_MAX_ENTRIES = 32768
IORING_MAX_CQ_ENTRIES = 2 * IORING_MAX_ENTRIES
SMP_CACHE_BYTES = 64

# struct io_rings
SQ_HEAD, SQ_TAIL, CQ_HEAD, CQ_TAIL = 0, 4, 8, 12
SQ_RING_MASK, CQ_RING_MASK, SQ_RING_ENTRIES, CQ_RING_ENTRIES = 16, 20, 24, 28
SQ_DROPPED, SQ_FLAGS, CQ_FLAGS, CQ_OVERFLOW = 32, 36, 40, 44
CQES = 64

PARAMS = struct.Struct("<IIIIII I 3I" "IIIIIIIIQ" "IIIIIIIIQ")       # 120 bytes
# struct io_uring_sqe: opcode flags ioprio fd off addr len op_flags
# user_data buf_index personality file_index addr3 __pad2
SQE = struct.Struct("<BBHiQQIIQHHIQQ")
CQE = struct.Struct("<QiI")
GETEVENTS_ARG = struct.Struct("<QIIQ")                                  # 24 bytes

IO_URING_NAME = b"anon_inode:[io_uring]"


def _roundup_pow_of_two(n):
    return 1 << (n - 1).bit_length()



# -- the shared memory ----------------------------------------------------------------

class Region:
    """Memory the kernel and the program share: the pages of an unlinked
    shmem file that the program maps.  The kernel reads and writes the
    frames directly (every field is naturally aligned, so none crosses a
    page)."""

    def __init__(self, size, cred):
        npages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT
        self.size = npages << PAGE_SHIFT
        self.file = shmem_file_setup(self.size, name=b"[io_uring]", cred=cred)
        self.file.proc_name = IO_URING_NAME         # what /proc/PID/maps shows
        self.frames = [self.file.mapping.grab_page(i) for i in range(npages)]

    def _at(self, off):
        return (self.frames[off >> PAGE_SHIFT] << PAGE_SHIFT) | (off & (PAGE_SIZE - 1))

    def u32(self, off):
        return struct.unpack_from("<I", _pm.physmem.mem, self._at(off))[0]

    def put_u32(self, off, v):
        struct.pack_into("<I", _pm.physmem.mem, self._at(off), v & 0xFFFFFFFF)

    def read(self, off, n):
        base = self._at(off)
        return bytes(_pm.physmem.mem[base:base + n])

    def write(self, off, data):
        base = self._at(off)
        _pm.physmem.mem[base:base + len(data)] = data

    def release(self):
        if self.file is not None:
            self.file.put()
            self.file = None


class UserRegion:
    """IORING_SETUP_NO_MMAP: the rings live in memory the program gave
    (reached through its address space; Linux pins the pages instead).
    A program that unmaps it only breaks its own ring."""

    file = None

    def __init__(self, mm, addr, size):
        if addr & (PAGE_SIZE - 1) or not addr:
            raise Errno(EFAULT if not addr else EINVAL)
        self.mm = mm
        self.addr = addr
        self.size = size
        for off in range(0, size, PAGE_SIZE):       # it must be writable memory now
            copy_to_user(mm, addr + off, copy_from_user(mm, addr + off, 1))

    def read(self, off, n):
        if self.mm.users <= 0:
            return bytes(n)
        try:
            return copy_from_user(self.mm, self.addr + off, n)
        except Errno:
            return bytes(n)

    def write(self, off, data):
        if self.mm.users <= 0:
            return
        try:
            copy_to_user(self.mm, self.addr + off, data)
        except Errno:
            pass

    def u32(self, off):
        return struct.unpack("<I", self.read(off, 4))[0]

    def put_u32(self, off, v):
        self.write(off, struct.pack("<I", v & 0xFFFFFFFF))

    def release(self):
        self.mm = None


# -- requests -----------------------------------------------------------------------------

class Sqe:
    """One submission entry, read once (IORING_FEAT_SUBMIT_STABLE: the
    program may reuse the slot as soon as io_uring_enter returns)."""
    __slots__ = ("opcode", "flags", "ioprio", "fd", "off", "addr", "len", "op_flags",
                 "user_data", "buf_index", "personality", "file_index", "addr3", "pad2",
                 "cmd")

    def __init__(self, raw):
        (self.opcode, self.flags, self.ioprio, self.fd, self.off, self.addr, self.len,
         self.op_flags, self.user_data, self.buf_index, self.personality,
         self.file_index, self.addr3, self.pad2) = SQE.unpack_from(raw)
        self.cmd = raw[48:]                 # URING_CMD's bytes (80 with SQE128)

    @property
    def splice_fd_in(self):
        return s32(self.file_index)


class IoKiocb:
    """One request: what it came with, what holds it in flight, and what
    its CQE will say."""

    def __init__(self, ctx, task):
        self.ctx = ctx
        self.task = task
        self.mm = task.mm
        self.opcode = 0
        self.flags = 0
        self.user_data = 0
        self.personality = 0
        self.cred = None            # the personality's credentials, if one was named
        self.file = None            # held while in flight
        self.fd = -1
        self.res = 0
        self.cflags = 0
        self.link = None            # the next request of its link
        self.done = False
        self.issued = False
        self.async_ = False         # completed after its submission (IORING_REGISTER_EVENTFD_ASYNC)
        self.cancel_fn = None       # while in flight: cancel it (returns True if it could)
        self.cmd = None             # the opcode's own state (opdef.py)

    def __repr__(self):
        # cycle: io_uring.opdef -> io_uring.io_uring
        from io_uring.opdef import op_name
        return "<io_uring req %s user_data=%#x>" % (op_name(self.opcode), self.user_data)


def req_set_fail(req):
    req.flags |= REQ_F_FAIL
    if req.flags & IOSQE_CQE_SKIP_SUCCESS:
        req.flags &= ~IOSQE_CQE_SKIP_SUCCESS
        req.flags |= REQ_F_SKIP_LINK_CQES


# -- the context --------------------------------------------------------------------------------

class IoRingCtx:
    def __init__(self, t, p_flags, sq_entries, cq_entries):
        self.flags = p_flags
        self.sq_entries = sq_entries
        self.cq_entries = cq_entries
        self.compat = t.arch.BITS == 32
        self.creator = t
        self.cred = t.cred
        self.rings = None
        self.sqes = None
        self.sq_array = None            # offset of the SQ index array in rings (NO_SQARRAY: None)
        self.sqe_size = 128 if p_flags & IORING_SETUP_SQE128 else 64
        self.cqe_size = 32 if p_flags & IORING_SETUP_CQE32 else 16
        self.cached_sq_head = 0
        self.cached_cq_tail = 0
        self.cq_timeouts = 0            # CQEs of timeouts (they do not count for others)
        self.cq_last_tm_flush = 0
        self.overflow = []              # CQEs waiting for room (IORING_FEAT_NODROP)
        self.cq_wait = sched.WaitQueue()        # io_uring_enter(GETEVENTS) sleepers
        self.poll_wq = sched.WaitQueue()        # poll/epoll of the ring file
        self.sq_wait = sched.WaitQueue()        # IORING_ENTER_SQ_WAIT
        self.inflight = []              # requests that wait for something (cancellable)
        self.timeouts = []              # IORING_OP_TIMEOUT requests, in deadline order
        self.ltimeouts = []             # armed IORING_OP_LINK_TIMEOUTs
        self.defer_list = []            # drained requests: (head, number of requests in its link)
        self.nr_alive = 0               # requests submitted and not completed
        self.nr_drained = 0
        self.drain_next = False
        self.drain_active = False
        self.drain_disabled = False
        self.link_head = None           # the link being put together by a submission
        self.link_last = None
        self.local_work = []            # DEFER_TASKRUN: task work for the submitter
        self.user_bufs = []             # registered buffers: (addr, len) or None
        self.file_table = None          # registered files: [File or None]
        self.file_alloc = (0, 0)        # IORING_REGISTER_FILE_ALLOC_RANGE
        self.ev_fd = None               # registered eventfd File
        self.ev_fd_async = False
        self.personalities = {}
        self.restricted = False
        self.restrictions = None
        self.submitter_task = None      # SINGLE_ISSUER
        self.clockid = 1                # CLOCK_MONOTONIC (IORING_REGISTER_CLOCK)
        self.iowq_max_workers = [0, 0]
        self.iowq_aff = None
        self.dead = False
        self.refs = 1                   # the ring file (and registered ring fds hold the file)
        self.file = None

    # -- ring fields --------------------------------------------------------------------
    def sq_tail(self):
        return self.rings.u32(SQ_TAIL)

    def sqring_entries(self):
        """io_sqring_entries: SQEs the program has queued (at most a ring)."""
        return min((self.sq_tail() - self.cached_sq_head) & 0xFFFFFFFF, self.sq_entries)

    def cq_head(self):
        return self.rings.u32(CQ_HEAD)

    def cq_events_user(self):
        return (self.rings.u32(CQ_TAIL) - self.cq_head()) & 0xFFFFFFFF

    def set_sq_flag(self, bit, on):
        v = self.rings.u32(SQ_FLAGS)
        self.rings.put_u32(SQ_FLAGS, v | bit if on else v & ~bit)

    # -- posting completions --------------------------------------------------------------
    def _cq_room(self):
        return ((self.cached_cq_tail - self.cq_head()) & 0xFFFFFFFF) < self.cq_entries

    def _write_cqe(self, user_data, res, cflags, big):
        idx = self.cached_cq_tail & (self.cq_entries - 1)
        off = CQES + idx * self.cqe_size
        data = CQE.pack(user_data & 0xFFFFFFFFFFFFFFFF, res, cflags)
        if self.cqe_size == 32:
            data += big or bytes(16)
        self.rings.write(off, data)
        self.cached_cq_tail = (self.cached_cq_tail + 1) & 0xFFFFFFFF
        self.rings.put_u32(CQ_TAIL, self.cached_cq_tail)

    def flush_overflow(self):
        """Move waiting CQEs into the ring as room allows."""
        moved = False
        while self.overflow and self._cq_room():
            self._write_cqe(*self.overflow.pop(0))
            moved = True
        if not self.overflow:
            self.set_sq_flag(IORING_SQ_CQ_OVERFLOW, False)
        if moved:
            self._cq_posted(None)

    def post_cqe(self, user_data, res, cflags=0, big=None, req=None, timeout=False):
        if self.dead:
            return
        if self.overflow:
            self.flush_overflow()
        if self.overflow or not self._cq_room():
            self.overflow.append((user_data, res, cflags, big))
            self.set_sq_flag(IORING_SQ_CQ_OVERFLOW, True)
        else:
            self._write_cqe(user_data, res, cflags, big)
        if timeout:
            self.cq_timeouts = (self.cq_timeouts + 1) & 0xFFFFFFFF
        elif self.timeouts:
            # cycle: io_uring.timeout -> io_uring.io_uring
            from io_uring.timeout import io_flush_timeouts
            io_flush_timeouts(self)
        self._cq_posted(req)

    def _cq_posted(self, req):
        if self.ev_fd is not None and not self.rings.u32(CQ_FLAGS) & IORING_CQ_EVENTFD_DISABLED \
                and (not self.ev_fd_async or req is None or req.async_):
            eventfd_signal(self.ev_fd.private, 1)
        self.cq_wait.wake_up()
        self.poll_wq.wake_up(POLLIN | POLLRDNORM)

    # -- task work ----------------------------------------------------------------------------
    def queue_tw(self, req, fn):
        """Run fn(req) soon, in a context where it may do I/O for the
        request's task: never inside the wake-up or timer that asks."""
        if self.flags & IORING_SETUP_DEFER_TASKRUN:
            self.local_work.append((req, fn))
            if self.flags & IORING_SETUP_TASKRUN_FLAG:
                self.set_sq_flag(IORING_SQ_TASKRUN, True)
            self.cq_wait.wake_up()
            return
        _task_work.append((self, req, fn))
        if self.flags & IORING_SETUP_TASKRUN_FLAG:
            self.set_sq_flag(IORING_SQ_TASKRUN, True)
        _kick_task_work()

    def run_local_work(self):
        while self.local_work:
            req, fn = self.local_work.pop(0)
            _run_one(self, req, fn)
        if self.flags & IORING_SETUP_TASKRUN_FLAG and not self.local_work:
            self.set_sq_flag(IORING_SQ_TASKRUN, False)

    def has_work(self):
        return bool(self.local_work) or any(c is self for c, _, _ in _task_work)


_task_work = []             # (ctx, req, fn) for rings without DEFER_TASKRUN
_tw_timer = None


def _kick_task_work():
    global _tw_timer
    if _tw_timer is None or not _tw_timer.active:
        _tw_timer = sched.add_timer(0.0, run_task_work)


def run_task_work(ctx=None):
    """Run the queued task work (all of it, or one ring's)."""
    global _task_work
    if ctx is None:
        work, _task_work = _task_work, []
    else:
        work = [w for w in _task_work if w[0] is ctx]
        _task_work = [w for w in _task_work if w[0] is not ctx]
    for c, req, fn in work:
        _run_one(c, req, fn)
        if c.flags & IORING_SETUP_TASKRUN_FLAG and not c.has_work() and not c.dead:
            c.set_sq_flag(IORING_SQ_TASKRUN, False)


def _run_one(ctx, req, fn):
    global _in_task_work
    if ctx.dead or req.done:
        return
    prev, _in_task_work = _in_task_work, True
    try:
        fn(req)
    except Errno as e:
        req_complete(req, -e.errno)
    except Exception as e:          # a kernel bug: the request fails, the machine goes on
        oops(req.task, e, "io_uring task work")
        if not req.done:
            req_complete(req, -ECANCELED)
    finally:
        _in_task_work = prev


ECANCELED = 125


# -- completing a request -------------------------------------------------------------------

def req_complete(req, res, cflags=0, big=None, timeout=False):
    """The request is finished: its CQE (unless skipped), its link's next
    step, and a drained request that may go now."""
    if req.done:
        return
    ctx = req.ctx
    req.done = True
    req.cancel_fn = None
    if req in ctx.inflight:
        ctx.inflight.remove(req)
    # cycle: io_uring.opdef -> io_uring.io_uring
    from io_uring.opdef import issued_inline
    req.async_ = not issued_inline(req)
    req.res = res
    if res < 0:
        req_set_fail(req)
    if not req.flags & IOSQE_CQE_SKIP_SUCCESS:
        ctx.post_cqe(req.user_data, res, cflags, big, req, timeout)
    elif timeout:
        ctx.cq_timeouts = (ctx.cq_timeouts + 1) & 0xFFFFFFFF
    _put_req(req)
    nxt = req.link
    req.link = None
    if nxt is not None:
        if req.flags & REQ_F_ARM_LTIMEOUT and nxt.opcode == IORING_OP_LINK_TIMEOUT:
            # cycle: io_uring.timeout -> io_uring.io_uring
            from io_uring.timeout import io_disarm_link_timeout
            nxt = io_disarm_link_timeout(req, nxt)
        if nxt is not None:
            if req.flags & REQ_F_FAIL and not req.flags & IOSQE_IO_HARDLINK:
                fail_links(nxt, bool(req.flags & REQ_F_SKIP_LINK_CQES))
            else:
                ctx.queue_tw(nxt, io_queue_sqe)
    if ctx.defer_list:
        io_queue_deferred(ctx)


IORING_OP_LINK_TIMEOUT = 15
_in_task_work = False


def fail_links(req, silent):
    """A link broke: the requests still in it end with ECANCELED."""
    while req is not None:
        nxt = req.link
        req.link = None
        if silent:
            req.flags |= IOSQE_CQE_SKIP_SUCCESS
        res = req.res if req.flags & REQ_F_FAIL and req.res < 0 else -ECANCELED
        req.flags &= ~REQ_F_ARM_LTIMEOUT
        if not req.done:
            req.done = True
            if not (silent or req.flags & IOSQE_CQE_SKIP_SUCCESS and res >= 0):
                req.ctx.post_cqe(req.user_data, res, 0, None, req)
            _put_req(req)
        req = nxt


def _put_req(req):
    ctx = req.ctx
    if req.file is not None:
        f, req.file = req.file, None
        f.put()
    ctx.nr_alive -= 1


# -- running a request ---------------------------------------------------------------------

def io_queue_sqe(req):
    """Issue a request that is ready to go; it completes now or later.
    Returns a generator when it must wait in the caller (no poll to arm)."""
    # cycle: io_uring.opdef -> io_uring.io_uring
    from io_uring.opdef import io_issue_sqe
    if req.done:
        return None
    if req.flags & REQ_F_FAIL:
        req_complete(req, req.res)
        return None
    req.issued = True
    res = io_issue_sqe(req)
    if sched.is_generator(res):
        return res
    return None


def io_queue_deferred(ctx):
    """Start the drained requests whose turn has come: a drain request
    goes once everything submitted before it has completed."""
    while ctx.defer_list:
        head, n = ctx.defer_list[0]
        if head.flags & IOSQE_IO_DRAIN and ctx.nr_alive != ctx.nr_drained:
            return
        ctx.defer_list.pop(0)
        ctx.nr_drained -= n
        ctx.queue_tw(head, io_queue_sqe)


def _link_len(req):
    n = 0
    while req is not None:
        n += 1
        req = req.link
    return n


def _queue_head(t, ctx, req):
    """A request (or the head of a finished link) leaves submission."""
    if ctx.drain_active or ctx.defer_list:
        if req.flags & IOSQE_IO_DRAIN or ctx.defer_list:
            n = _link_len(req)
            # everything submitted before it is still alive: wait
            if ctx.defer_list or ctx.nr_alive - n != ctx.nr_drained:
                ctx.defer_list.append((req, n))
                ctx.nr_drained += n
                return None
        if not ctx.defer_list and not req.flags & IOSQE_IO_DRAIN:
            ctx.drain_active = False
    return io_queue_sqe(req)


# -- submission -------------------------------------------------------------------------------

def io_get_sqe(ctx):
    mask = ctx.sq_entries - 1
    head = ctx.cached_sq_head & mask
    ctx.cached_sq_head = (ctx.cached_sq_head + 1) & 0xFFFFFFFF
    if ctx.sq_array is not None:
        head = ctx.rings.u32(ctx.sq_array + 4 * head)
        if head >= ctx.sq_entries:
            ctx.rings.put_u32(SQ_DROPPED, ctx.rings.u32(SQ_DROPPED) + 1)
            return None
    if ctx.sqe_size == 128:
        head <<= 1
    return Sqe(ctx.sqes.read(head * 64, ctx.sqe_size))


def io_submit_sqes(t, ctx, nr):
    """Take up to nr SQEs off the ring; the number consumed.  A generator
    (it may wait for a request that cannot be polled)."""
    # cycle: io_uring.opdef -> io_uring.io_uring
    from io_uring.opdef import io_init_req
    entries = ctx.sqring_entries()
    if not entries:
        return 0
    left = ret = min(nr, entries)
    try:
        while left:
            sqe = io_get_sqe(ctx)
            if sqe is None:
                break
            req = IoKiocb(ctx, t)
            ctx.nr_alive += 1
            err = io_init_req(t, ctx, req, sqe)
            if err:
                failed = _submit_fail_init(t, ctx, req, err)
                if failed is not None:
                    g = _queue_head(t, ctx, failed)
                    if g is not None:
                        yield from g
                    if not ctx.flags & IORING_SETUP_SUBMIT_ALL:
                        left -= 1
                        break
                left -= 1
                continue
            g = _submit_sqe(t, ctx, req)
            if g is not None:
                yield from g
            left -= 1
    finally:
        if ctx.link_head is not None:           # a link the batch did not finish
            head, ctx.link_head = ctx.link_head, None
            g = _queue_head(t, ctx, head)
            if g is not None:
                yield from g
        ctx.rings.put_u32(SQ_HEAD, ctx.cached_sq_head)
    return ret - left


def _submit_fail_init(t, ctx, req, err):
    """A request that could not even be prepared completes with err; in a
    link it fails the whole link."""
    req.res = -err
    req_set_fail(req)
    head = ctx.link_head
    if head is not None and not head.flags & REQ_F_FAIL:
        head.res = -ECANCELED
        req_set_fail(head)
    if not req.flags & (IOSQE_IO_LINK | IOSQE_IO_HARDLINK):
        if head is not None:
            ctx.link_last.link = req
            ctx.link_head = None
            return head
        return req
    if head is not None:
        ctx.link_last.link = req
    else:
        ctx.link_head = req
    ctx.link_last = req
    return None


def _submit_sqe(t, ctx, req):
    if ctx.link_head is not None:
        ctx.link_last.link = req
        ctx.link_last = req
        if req.flags & (IOSQE_IO_LINK | IOSQE_IO_HARDLINK):
            return None
        head, ctx.link_head = ctx.link_head, None
        return _queue_head(t, ctx, head)
    if req.flags & (IOSQE_IO_LINK | IOSQE_IO_HARDLINK):
        ctx.link_head = ctx.link_last = req
        return None
    return _queue_head(t, ctx, req)


# -- the ring file --------------------------------------------------------------------------

class IoUringFops(FileOperations):
    splice_read = splice_write = False      # an anonymous inode's: Linux's has neither

    def read(self, f, t, count):
        raise Errno(EINVAL)                 # no ->read at all

    def write(self, f, t, data):
        raise Errno(EINVAL)

    def llseek(self, f, offset, whence):
        raise Errno(EINVAL)

    def mmap_file(self, f, pgoff, length, prot):
        """The region an offset names, to map in the io_uring file's place:
        (file, pgoff, VM flags to take away)."""
        ctx = f.private
        if prot & 4:
            raise Errno(EPERM)                      # PROT_EXEC
        off = (pgoff << PAGE_SHIFT) & IORING_OFF_MMAP_MASK
        if off in (IORING_OFF_SQ_RING, IORING_OFF_CQ_RING):
            region = ctx.rings
        elif off == IORING_OFF_SQES:
            region = ctx.sqes
        else:
            raise Errno(ENOMEM)                     # no region there (as Linux 6.18 answers)
        if region is None or region.file is None:
            raise Errno(EINVAL)                     # NO_MMAP: nothing to map
        if length > region.size:
            raise Errno(EINVAL)
        return region.file, 0, VM_MAYEXEC

    def poll(self, f, t):
        ctx = f.private
        mask = 0
        if ctx.dead:
            return POLLIN | POLLOUT, ()
        if ((ctx.sq_tail() - ctx.cached_sq_head) & 0xFFFFFFFF) != ctx.sq_entries:
            mask |= POLLOUT | POLLWRNORM
        if ctx.cq_events_user() or ctx.overflow or ctx.has_work():
            mask |= POLLIN | POLLRDNORM
        return mask, (ctx.poll_wq,)

    def release(self, f):
        ctx = f.private
        io_ring_ctx_put(ctx)

    def show_fdinfo(self, f):
        # cycle: io_uring.register -> io_uring.io_uring
        from io_uring.register import show_fdinfo
        return show_fdinfo(f.private)


io_uring_fops = IoUringFops()


def is_io_uring_file(f):
    return f is not None and f.f_op is io_uring_fops


def io_ring_ctx_put(ctx):
    ctx.refs -= 1
    if ctx.refs == 0:
        io_ring_ctx_free(ctx)


def io_ring_ctx_free(ctx):
    """The last reference is gone: everything in flight is cancelled (no
    one can read its CQE any more), registered resources are let go."""
    # cycle: io_uring.cancel -> io_uring.io_uring
    from io_uring.cancel import io_cancel_all
    # cycle: io_uring.register -> io_uring.io_uring
    from io_uring.register import unregister_all
    io_cancel_all(ctx, None)
    ctx.dead = True
    global _task_work
    for req, _ in ctx.local_work:
        if not req.done:
            req.done = True
            _put_req(req)
    ctx.local_work = []
    for c, req, _ in _task_work:
        if c is ctx and not req.done:
            req.done = True
            _put_req(req)
    _task_work = [w for w in _task_work if w[0] is not ctx]
    for head, _ in ctx.defer_list:
        r = head
        while r is not None:
            if not r.done:
                r.done = True
                _put_req(r)
            r = r.link
    ctx.defer_list = []
    unregister_all(ctx)
    for region in (ctx.rings, ctx.sqes):
        if region is not None:
            region.release()
    ctx.cq_wait.wake_up()
    ctx.sq_wait.wake_up()


# -- io_uring_setup -----------------------------------------------------------------------------

def _rings_size(flags, sq_entries, cq_entries):
    """rings_size: the io_rings header, the CQEs, then (cache-aligned) the
    SQ index array.  Returns (size, offset of the array or None)."""
    off = CQES + 16 * cq_entries
    if flags & IORING_SETUP_CQE32:
        off <<= 1
    off = (off + SMP_CACHE_BYTES - 1) & ~(SMP_CACHE_BYTES - 1)
    if flags & IORING_SETUP_NO_SQARRAY:
        return off, None
    return off + 4 * sq_entries, off


def io_uring_allowed(t):
    if sysctl_io_uring_disabled == 2:
        return -EPERM
    if sysctl_io_uring_disabled == 0 or capable(t, CAP_SYS_ADMIN):
        return 0
    gid = sysctl_io_uring_group
    if gid < 0 or gid > 0xFFFFFFFE:
        return -EPERM
    if t.cred.egid == gid or gid in t.cred.groups:
        return 0
    return -EPERM


def sys_io_uring_setup(t, entries, params):
    err = io_uring_allowed(t)
    if err:
        return err
    raw = copy_from_user(t.mm, params, PARAMS.size)
    p = list(PARAMS.unpack(raw))
    # sq_entries cq_entries flags sq_thread_cpu sq_thread_idle features wq_fd resv[3]
    if any(p[7:10]):
        return -EINVAL
    flags = p[2]
    if flags & ~SETUP_FLAGS:
        return -EINVAL
    return io_uring_create(t, entries & 0xFFFFFFFF, p, params)


def _sanitise_params(flags):
    if flags & IORING_SETUP_REGISTERED_FD_ONLY and not flags & IORING_SETUP_NO_MMAP:
        return -EINVAL
    if flags & IORING_SETUP_SQPOLL and flags & (IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG
                                                | IORING_SETUP_DEFER_TASKRUN):
        return -EINVAL
    if flags & IORING_SETUP_TASKRUN_FLAG and \
            not flags & (IORING_SETUP_COOP_TASKRUN | IORING_SETUP_DEFER_TASKRUN):
        return -EINVAL
    if flags & IORING_SETUP_HYBRID_IOPOLL and not flags & IORING_SETUP_IOPOLL:
        return -EINVAL
    if flags & IORING_SETUP_DEFER_TASKRUN and not flags & IORING_SETUP_SINGLE_ISSUER:
        return -EINVAL
    return 0


def io_uring_create(t, entries, p, uparams):
    flags = p[2]
    err = _sanitise_params(flags)
    if err:
        return err
    sq_entries, cq_entries = io_uring_fill_params(flags, entries, p)
    err = _check_sq_offload(t, flags, p)
    if err:
        return err
    ctx = IoRingCtx(t, flags, sq_entries, cq_entries)
    io_allocate_scq_urings(t, ctx, p)
    io_fill_scq_offsets(ctx, p)
    try:
        copy_to_user(t.mm, uparams, PARAMS.pack(*p))
    except Errno:
        ctx.refs = 1
        io_ring_ctx_put(ctx)
        raise
    if flags & IORING_SETUP_SINGLE_ISSUER and not flags & IORING_SETUP_R_DISABLED:
        ctx.submitter_task = t
    return io_uring_install_fd(t, ctx)


def _ring_size(n, limit, flags):
    """A ring of at least n entries: EINVAL for none or, unless
    IORING_SETUP_CLAMP caps it, more than limit."""
    if not n:
        raise Errno(EINVAL)
    if n > limit:
        if not flags & IORING_SETUP_CLAMP:
            raise Errno(EINVAL)
        n = limit
    return _roundup_pow_of_two(n)


def io_uring_fill_params(flags, entries, p):
    """The SQ and CQ sizes: powers of two, the CQ twice the SQ unless
    IORING_SETUP_CQSIZE says (never smaller); IORING_SETUP_CLAMP caps them."""
    sq_entries = _ring_size(entries, IORING_MAX_ENTRIES, flags)
    if not flags & IORING_SETUP_CQSIZE:
        return sq_entries, 2 * sq_entries
    cq_entries = _ring_size(p[1], IORING_MAX_CQ_ENTRIES, flags)
    if cq_entries < sq_entries:
        raise Errno(EINVAL)
    return sq_entries, cq_entries


def _check_sq_offload(t, flags, p):
    """The SQ thread's and the shared workqueue's arguments."""
    if flags & IORING_SETUP_ATTACH_WQ:
        wq = fget(t, s32(p[6]))
        if wq is None:
            return -ENXIO
        if not is_io_uring_file(wq):
            return -EINVAL
    if flags & IORING_SETUP_SQPOLL and flags & IORING_SETUP_SQ_AFF:
        if p[3] >= 1:                       # one CPU
            return -EINVAL
    # IORING_SETUP_SQ_AFF without SQPOLL is ignored, as Linux
    return 0


def io_allocate_scq_urings(t, ctx, p):
    """The rings and the SQE array: shmem pages the program maps, or with
    IORING_SETUP_NO_MMAP the program's own memory; the rings' header."""
    flags, sq_entries, cq_entries = ctx.flags, ctx.sq_entries, ctx.cq_entries
    size, sq_array = _rings_size(flags, sq_entries, cq_entries)
    sqes_size = ctx.sqe_size * sq_entries
    sq_user_addr, cq_user_addr = p[18], p[27]
    try:
        if flags & IORING_SETUP_NO_MMAP:
            ctx.rings = UserRegion(t.mm, cq_user_addr, size)
            ctx.sqes = UserRegion(t.mm, sq_user_addr, sqes_size)
        else:
            ctx.rings = Region(size, t.cred)
            ctx.sqes = Region(sqes_size, t.cred)
    except Errno:
        for r in (ctx.rings, ctx.sqes):
            if r is not None:
                r.release()
        raise
    ctx.sq_array = sq_array
    r = ctx.rings
    r.write(0, bytes(CQES))
    r.put_u32(SQ_RING_MASK, sq_entries - 1)
    r.put_u32(CQ_RING_MASK, cq_entries - 1)
    r.put_u32(SQ_RING_ENTRIES, sq_entries)
    r.put_u32(CQ_RING_ENTRIES, cq_entries)
    if flags & IORING_SETUP_SQPOLL:
        r.put_u32(SQ_FLAGS, IORING_SQ_NEED_WAKEUP)      # the thread is idle
        ctx.sq_thread_idle = p[4]


def io_fill_scq_offsets(ctx, p):
    """What io_uring_setup writes back: the sizes, the features, and where
    each field of the rings is (struct io_sqring_offsets, io_cqring_offsets)."""
    flags = ctx.flags
    p[0], p[1], p[5] = ctx.sq_entries, ctx.cq_entries, FEATURES
    # sq_off: head tail ring_mask ring_entries flags dropped array resv1 user_addr
    p[10:19] = [SQ_HEAD, SQ_TAIL, SQ_RING_MASK, SQ_RING_ENTRIES, SQ_FLAGS, SQ_DROPPED,
                ctx.sq_array or 0, 0, p[18] if flags & IORING_SETUP_NO_MMAP else 0]
    # cq_off: head tail ring_mask ring_entries overflow cqes flags resv1 user_addr
    p[19:28] = [CQ_HEAD, CQ_TAIL, CQ_RING_MASK, CQ_RING_ENTRIES, CQ_OVERFLOW, CQES, CQ_FLAGS,
                0, p[27] if flags & IORING_SETUP_NO_MMAP else 0]


def io_uring_install_fd(t, ctx):
    """The ring's file, in a new fd, or with IORING_SETUP_REGISTERED_FD_ONLY
    only in the task's registered rings (its index is the result)."""
    f = anon_inode_getfile(b"[io_uring]", io_uring_fops, ctx, O_RDWR | O_CLOEXEC)
    ctx.file = f
    tctx = io_uring_tctx(t)
    tctx.ctxs.add(ctx)
    if ctx.flags & IORING_SETUP_REGISTERED_FD_ONLY:
        # cycle: io_uring.register -> io_uring.io_uring
        from io_uring.register import ring_add_registered_file
        try:
            return ring_add_registered_file(t, f, 0, len(tctx.registered_rings))
        finally:
            f.put()
    return install_new_file(t, f, True)


# -- the per-task state (Linux's io_uring_task) ----------------------------------------------

class IoUringTask:
    def __init__(self):
        self.ctxs = set()                   # rings this task submitted to
        self.registered_rings = [None] * 16     # IORING_REGISTER_RING_FDS


def io_uring_tctx(t):
    if t.io_uring is None:
        t.io_uring = IoUringTask()
    return t.io_uring


def io_uring_task_cancel(t):
    """exit and exec: the task's requests are cancelled, its registered
    ring fds let go."""
    tctx = t.io_uring
    if tctx is None:
        return
    t.io_uring = None
    # cycle: io_uring.cancel -> io_uring.io_uring
    from io_uring.cancel import io_cancel_all
    for ctx in list(tctx.ctxs):
        if not ctx.dead:
            io_cancel_all(ctx, t)
            if ctx.submitter_task is t:
                ctx.submitter_task = None
    for i, f in enumerate(tctx.registered_rings):
        if f is not None:
            tctx.registered_rings[i] = None
            f.put()


# -- io_uring_enter ------------------------------------------------------------------------------

def _ring_file(t, fd, flags):
    if flags & IORING_ENTER_REGISTERED_RING:
        tctx = t.io_uring
        if tctx is None or fd >= len(tctx.registered_rings):
            raise Errno(EINVAL)
        f = tctx.registered_rings[fd]
        if f is None:
            raise Errno(EBADF)
        return f
    f = fget(t, s32(fd))
    if f is None:
        raise Errno(EBADF)
    if not is_io_uring_file(f):
        raise Errno(EOPNOTSUPP)
    return f


def sys_io_uring_enter(t, fd, to_submit, min_complete, flags, argp, argsz):
    to_submit &= 0xFFFFFFFF
    min_complete &= 0xFFFFFFFF
    flags &= 0xFFFFFFFF
    if flags & ~ENTER_FLAGS:
        return -EINVAL
    f = _ring_file(t, fd & 0xFFFFFFFF, flags)
    f.get()                                 # the call holds it, as fdget
    try:
        return (yield from _enter(t, f.private, to_submit, min_complete, flags, argp, argsz))
    finally:
        f.put()


def _enter(t, ctx, to_submit, min_complete, flags, argp, argsz):
    if ctx.flags & IORING_SETUP_R_DISABLED:
        return -EBADFD
    if ctx.dead:
        return -EBADFD
    ret = 0
    if ctx.flags & IORING_SETUP_SQPOLL:
        # the SQ thread is idle; being entered wakes it, and it submits
        # everything queued before this call goes on
        if ctx.sqring_entries():
            io_uring_tctx(t).ctxs.add(ctx)
            yield from io_submit_sqes(t, ctx, ctx.sq_entries)
        ret = to_submit
    elif to_submit:
        if ctx.submitter_task is not None and ctx.submitter_task is not t:
            return -EEXIST
        io_uring_tctx(t).ctxs.add(ctx)
        if ctx.overflow:
            ctx.flush_overflow()
        ret = yield from io_submit_sqes(t, ctx, to_submit)
        if ret != to_submit:
            _run_work(t, ctx)
            return ret
    _run_work(t, ctx)
    if flags & IORING_ENTER_GETEVENTS:
        if ctx.flags & IORING_SETUP_IOPOLL and not ctx.flags & IORING_SETUP_SQPOLL:
            ret2 = _validate_ext_arg(t, flags, argp, argsz)
            if not ret2:
                ret2 = yield from _cqring_wait(t, ctx, min_complete, flags, (None, 0, None, 0))
        else:
            ext = _get_ext_arg(t, flags, argp, argsz)
            if isinstance(ext, int):
                ret2 = ext
            else:
                ret2 = yield from _cqring_wait(t, ctx, min_complete, flags, ext)
        if not ret:
            ret = ret2
    return ret


def _run_work(t, ctx):
    if ctx.local_work and (ctx.submitter_task is None or ctx.submitter_task is t):
        ctx.run_local_work()
    if _task_work:
        run_task_work(ctx)


def _validate_ext_arg(t, flags, argp, argsz):
    if not flags & IORING_ENTER_EXT_ARG:
        return 0
    if flags & IORING_ENTER_EXT_ARG_REG:
        return -EINVAL
    if argsz != GETEVENTS_ARG.size:
        return -EINVAL
    copy_from_user(t.mm, argp, GETEVENTS_ARG.size)
    return 0


def _get_ext_arg(t, flags, argp, argsz):
    """(sigmask address, its size, timeout ns or None, min wait ns), or -errno."""
    if not flags & IORING_ENTER_EXT_ARG:
        return (argp, argsz, None, 0)
    if flags & IORING_ENTER_EXT_ARG_REG:
        return -EINVAL                      # no registered wait regions here
    if argsz != GETEVENTS_ARG.size:
        return -EINVAL
    sigmask, sigmask_sz, min_wait_usec, ts = GETEVENTS_ARG.unpack(
        copy_from_user(t.mm, argp, GETEVENTS_ARG.size))
    timeout = None
    if ts:
        sec, nsec = struct.unpack("<qq", copy_from_user(t.mm, ts, 16))
        timeout = sec * 1000000000 + nsec
    return (sigmask, sigmask_sz, timeout, min_wait_usec * 1000)


def _clock_now_ns(ctx):
    if ctx.clockid == 0:
        return timekeeping.ktime_get_real_ns()
    return time.monotonic_ns()


def _cqring_wait(t, ctx, min_events, flags, ext):
    """Wait until min_events CQEs are there (or a signal, or the timeout)."""
    sig, sigsz, timeout, min_wait = ext
    min_events = min(min_events, ctx.cq_entries)
    if ctx.submitter_task is not None and ctx.flags & IORING_SETUP_DEFER_TASKRUN \
            and ctx.submitter_task is not t:
        return -EEXIST
    _run_work(t, ctx)
    if ctx.overflow:
        ctx.flush_overflow()
    if ctx.cq_events_user() >= min_events:
        return 0
    start = _clock_now_ns(ctx)
    deadline_ns = None
    if timeout is not None:
        deadline_ns = timeout if flags & IORING_ENTER_ABS_TIMER else start + timeout
    if sig:
        set_user_sigmask(t, sig, sigsz)
    target = (ctx.cq_head() + min_events) & 0xFFFFFFFF
    ret = 0
    min_deadline = start + min_wait if min_wait else None
    while True:
        _run_work(t, ctx)
        if ctx.overflow:
            ctx.flush_overflow()
        tail = ctx.rings.u32(CQ_TAIL)
        if ((tail - target) & 0xFFFFFFFF) < 0x80000000 or ctx.dead:
            break
        now = _clock_now_ns(ctx)
        if min_deadline is not None and now >= min_deadline:
            min_deadline = None
            if ctx.cq_events_user():
                break                       # the minimum wait is over and there are some
        if deadline_ns is not None and now >= deadline_ns:
            ret = -ETIME
            break
        if signal_pending(t):
            ret = -EINTR
            break
        wake = [d for d in (deadline_ns, min_deadline) if d is not None]
        dl = None
        if wake:
            dl = sched.now() + (min(wake) - now) / 1e9
        yield sched.Sleep((ctx.cq_wait,), dl)
    restore_saved_sigmask_unless(t, ret == -EINTR)
    if ctx.cq_head() != ctx.rings.u32(CQ_TAIL):
        return 0
    return ret
