"""fs/aio.py - Linux's native asynchronous I/O: io_setup, io_submit,
io_getevents, io_pgetevents, io_cancel, io_destroy.

A context (struct kioctx) is a ring of completion events that lives in the
caller's address space: io_setup maps a small shared file ("/[aio]") into
the process and returns its address as the context id, and the kernel
writes each finished request's struct io_event into that ring, moving the
ring's tail.  libaio's io_getevents looks at the ring itself (its magic,
head and tail) before it asks the kernel, so the ring's layout is the ABI:

    struct aio_ring { u32 id, nr, head, tail, magic, compat_features,
                      incompat_features, header_length; io_event events[]; }

The kernel reaches the ring through the file's page cache, so it keeps
working after the program unmaps it, as on Linux.

Requests run the way Linux runs them on files without a native async
path: reads, writes and fsyncs are done in io_submit itself (sleeping there
if a pipe must wait) and their event is in the ring when it returns.
IOCB_CMD_POLL is the only one left in flight: a callback on the file's wait
queues completes it when the file becomes ready (or io_cancel / io_destroy
does).  IOCB_FLAG_RESFD adds 1 to an eventfd at each completion.

/proc/sys/fs/aio-nr counts the events reserved by every context
(io_setup's nr_events), aio-max-nr bounds it.
"""

import struct

from kernel.abi import slong
from kernel.sched import is_generator
from kernel import sched
from kernel.errno import (EAGAIN, EBADF, EFAULT, EINTR, EINVAL, EOPNOTSUPP,
                          ERESTART_RESTARTBLOCK, ERESTARTNOHAND, ERESTARTNOINTR,
                          ERESTARTSYS, Errno)
from fs.file import (FMODE_PATH, FMODE_READ, FMODE_WRITE, O_APPEND, O_NONBLOCK,
                     POLLERR, POLLHUP, fget)
from mm.physmem import PAGE_SIZE
from mm.uaccess import copy_from_user, copy_to_user
from fs import read_write as rw
from fs.eventfd import eventfd_fops, eventfd_signal
from fs.poll import restore_saved_sigmask_unless, set_user_sigmask
from fs.read_write import read_iovec
from fs.shmem import shmem_file_setup
from kernel.ioprio import ioprio_check_cap
from kernel.signal import signal_pending
from kernel.time import _ts_fmt
from mm.mmap import MAP_SHARED, PROT_READ, PROT_WRITE, do_mmap, do_munmap
from mm.vma import VM_DONTEXPAND

AIO_RING_MAGIC = 0xa10a10a1
AIO_RING_COMPAT_FEATURES = 1
AIO_RING_INCOMPAT_FEATURES = 0
RING_HEADER = struct.Struct("<8I")              # struct aio_ring without the events
IO_EVENT = struct.Struct("<QQqq")               # data, obj, res, res2
IOCB = struct.Struct("<QIIHhIQQqQII")           # struct iocb, 64 bytes on every ABI
KIOCB_KEY = 0

IOCB_CMD_PREAD, IOCB_CMD_PWRITE, IOCB_CMD_FSYNC, IOCB_CMD_FDSYNC = 0, 1, 2, 3
IOCB_CMD_POLL, IOCB_CMD_NOOP, IOCB_CMD_PREADV, IOCB_CMD_PWRITEV = 5, 6, 7, 8
IOCB_FLAG_RESFD, IOCB_FLAG_IOPRIO = 1, 2

# preadv2/pwritev2 and aio_rw_flags (include/uapi/linux/fs.h)
RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT = 0x1, 0x2, 0x4, 0x8
RWF_APPEND, RWF_NOAPPEND, RWF_ATOMIC, RWF_DONTCACHE = 0x10, 0x20, 0x40, 0x80
RWF_SUPPORTED = 0xFF

NR_CPUS = 1
aio_nr = 0                                      # /proc/sys/fs/aio-nr
aio_max_nr = 0x10000                            # /proc/sys/fs/aio-max-nr
KTIME_MAX_NS = (1 << 63) - 1
TASK_SIZE_MAX = (1 << 47) - PAGE_SIZE


class KIoctx:
    """One context: the ring (a shmem file mapped at user_id), its
    trusted tail, the slots left for new requests, the polls in flight."""

    def __init__(self, mm, max_reqs, nr_events, ring_file, user_id, id_):
        self.mm = mm
        self.max_reqs = max_reqs            # what io_setup asked for (aio-nr)
        self.nr_events = nr_events          # the ring's size in events
        self.ring_file = ring_file
        self.user_id = user_id
        self.id = id_
        self.tail = 0
        self.active = []                    # cancellable requests (polls)
        self.inflight = 0
        self.wait = sched.WaitQueue()
        self.dead = False

    # -- the ring, through its page cache --------------------------------
    def ring_read(self, off, n):
        return self.ring_file.mapping.read(off, n)

    def ring_write(self, off, data):
        self.ring_file.mapping.write(off, data)

    def ring_head(self):
        """The head as the program left it (it may consume events itself)."""
        (head,) = struct.unpack("<I", self.ring_read(8, 4))
        return head % self.nr_events

    def events_in_ring(self):
        head = self.ring_head()
        return (self.tail - head) % self.nr_events

    def slots_left(self):
        return self.nr_events - 1 - self.inflight - self.events_in_ring()

    def complete(self, req, res, res2=0):
        """aio_complete: the event goes in at the tail; waiters and the
        request's eventfd hear of it."""
        if req.done:
            return
        req.done = True
        self.inflight -= 1
        if req in self.active:
            self.active.remove(req)
        pos = RING_HEADER.size + self.tail * IO_EVENT.size
        self.ring_write(pos, IO_EVENT.pack(req.data, req.obj, res, res2))
        self.tail = (self.tail + 1) % self.nr_events
        self.ring_write(12, struct.pack("<I", self.tail))
        if req.eventfd is not None:
            eventfd_signal(req.eventfd.private, 1)
            req.eventfd.put()
            req.eventfd = None
        req.release()
        self.wait.wake_up()

    def read_events(self, t, events, nr):
        """aio_read_events_ring: up to nr events to the user's array; the
        head moves past them.  EFAULT (nothing taken) for a bad array."""
        head = self.ring_head()
        n = min((self.tail - head) % self.nr_events, nr)
        if n <= 0:
            return 0
        out = bytearray()
        for i in range(n):
            pos = RING_HEADER.size + ((head + i) % self.nr_events) * IO_EVENT.size
            out += self.ring_read(pos, IO_EVENT.size)
        copy_to_user(t.mm, events, bytes(out))
        self.ring_write(8, struct.pack("<I", (head + n) % self.nr_events))
        return n


class AioKiocb:
    """One request: what its event will say and what it holds."""

    def __init__(self, ctx, file, data, obj):
        self.ctx = ctx
        self.file = file
        self.data = data
        self.obj = obj
        self.eventfd = None
        self.done = False
        self.poll = None

    def release(self):
        if self.poll is not None:
            self.poll.detach()
            self.poll = None
        if self.file is not None:
            self.file.put()
            self.file = None


# -- contexts and the per-mm table ------------------------------------------------

def _table(mm):
    tab = mm.ioctx_table
    if tab is None:
        tab = mm.ioctx_table = []
    return tab


def lookup_ioctx(t, ctx_id):
    """The context ctx_id names: Linux reads the ring's id at that user
    address, so a context id that is not a readable ring is EINVAL."""
    tab = t.mm.ioctx_table
    if not tab or not ctx_id:
        return None
    try:
        (id_,) = struct.unpack("<I", copy_from_user(t.mm, ctx_id, 4))
    except Errno:
        return None
    if id_ >= len(tab):
        return None
    ctx = tab[id_]
    if ctx is None or ctx.user_id != ctx_id or ctx.dead:
        return None
    return ctx


def ioctx_alloc(t, nr_events):
    global aio_nr
    max_reqs = nr_events
    nr = (max(nr_events, NR_CPUS * 4) * 2) & 0xFFFFFFFF     # unsigned arithmetic
    if nr > 0x10000000 // IO_EVENT.size:
        raise Errno(EINVAL)
    if not nr or max_reqs > aio_max_nr:
        raise Errno(EAGAIN)
    # aio_setup_ring: room for the events plus the head/tail overlap
    size = RING_HEADER.size + IO_EVENT.size * (nr + 2)
    nr_pages = (size + PAGE_SIZE - 1) // PAGE_SIZE
    ring_events = (PAGE_SIZE * nr_pages - RING_HEADER.size) // IO_EVENT.size
    if aio_nr + max_reqs > aio_max_nr:
        raise Errno(EAGAIN)
    f = shmem_file_setup(nr_pages * PAGE_SIZE, name=b"[aio]", cred=t.cred)
    try:
        for i in range(nr_pages):
            f.mapping.grab_page(i)
        try:
            base = do_mmap(t.mm, 0, nr_pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
                           MAP_SHARED, f, 0)
        except Errno:
            raise Errno(EAGAIN)
        vma = t.mm.vma_at(base)
        if vma is not None:
            vma.flags |= VM_DONTEXPAND
    except BaseException:
        f.put()
        raise
    tab = _table(t.mm)
    id_ = tab.index(None) if None in tab else len(tab)
    ctx = KIoctx(t.mm, max_reqs, ring_events, f, base, id_)
    if id_ == len(tab):
        tab.append(ctx)
    else:
        tab[id_] = ctx
    ctx.ring_write(0, RING_HEADER.pack(id_, ring_events, 0, 0, AIO_RING_MAGIC,
                                       AIO_RING_COMPAT_FEATURES, AIO_RING_INCOMPAT_FEATURES,
                                       RING_HEADER.size))
    aio_nr += max_reqs
    return ctx


def kill_ioctx(mm, ctx, unmap=True):
    """The context goes: in-flight requests are cancelled, its slot and its
    aio-nr share are given back, and its ring leaves the address space."""
    global aio_nr
    if ctx.dead:
        return -EINVAL
    ctx.dead = True
    tab = mm.ioctx_table or []
    if ctx.id < len(tab) and tab[ctx.id] is ctx:
        tab[ctx.id] = None
    for req in list(ctx.active):
        _poll_cancel(req)
    ctx.wait.wake_up()
    aio_nr = max(0, aio_nr - ctx.max_reqs)
    if unmap:
        try:
            do_munmap(mm, ctx.user_id, ctx.ring_file.inode.size)
        except Errno:
            pass
    ctx.ring_file.put()
    return 0


def exit_aio(mm):
    """The address space is going away (exit, exec): every context dies."""
    for ctx in list(mm.ioctx_table or []):
        if ctx is not None:
            kill_ioctx(mm, ctx, unmap=False)
    mm.ioctx_table = None


# -- the system calls ----------------------------------------------------------------

def _ptr_size(t):
    return t.arch.BITS // 8


def _get_ulong(t, addr):
    n = _ptr_size(t)
    return int.from_bytes(copy_from_user(t.mm, addr, n), "little")


def sys_io_setup(t, nr_events, ctxp):
    ctx = _get_ulong(t, ctxp)
    nr_events &= 0xFFFFFFFF
    if ctx or nr_events == 0:
        return -EINVAL
    ctx = ioctx_alloc(t, nr_events)
    try:
        copy_to_user(t.mm, ctxp, ctx.user_id.to_bytes(_ptr_size(t), "little"))
    except Errno:
        kill_ioctx(t.mm, ctx)
        raise
    return 0


def sys_io_destroy(t, ctx_id):
    ctx = lookup_ioctx(t, ctx_id)
    if ctx is None:
        return -EINVAL
    return kill_ioctx(t.mm, ctx)


def sys_io_submit(t, ctx_id, nr, iocbpp):
    nr = slong(t, nr)
    if nr < 0:
        return -EINVAL
    ctx = lookup_ioctx(t, ctx_id)
    if ctx is None:
        return -EINVAL
    nr = min(nr, ctx.nr_events)
    return _submit_all(t, ctx, nr, iocbpp)


def _submit_all(t, ctx, nr, iocbpp):
    """One by one; the first that fails stops the rest.  A request that
    has to wait (a pipe read) makes io_submit itself wait, as on Linux."""
    ptr = _ptr_size(t)
    done = 0
    ret = 0
    for i in range(nr):
        try:
            user_iocb = _get_ulong(t, iocbpp + i * ptr)
            res = io_submit_one(t, ctx, user_iocb)
            if is_generator(res):
                res = yield from res
        except Errno as e:
            res = -e.errno
        if res:
            ret = res
            break
        done += 1
    return done if done else ret



def _eventfd_ctx_fdget(t, fd):
    f = fget(t, fd)
    if f is None or f.mode & FMODE_PATH:
        raise Errno(EBADF)
    if f.f_op is not eventfd_fops:
        raise Errno(EINVAL)
    return f.get()


def io_submit_one(t, ctx, user_iocb):
    (data, key, rw_flags, opcode, reqprio, fildes, buf, nbytes, offset, reserved2,
     flags, resfd) = IOCB.unpack(copy_from_user(t.mm, user_iocb, IOCB.size))
    if reserved2:
        return -EINVAL
    if (t.arch.BITS == 64 and buf >> 64) or nbytes >> 63:
        return -EINVAL
    if ctx.slots_left() <= 0:
        return -EAGAIN
    f = fget(t, fildes - (1 << 32) if fildes & 0x80000000 else fildes)
    if f is None or f.mode & FMODE_PATH:
        return -EBADF
    req = AioKiocb(ctx, f.get(), data, user_iocb)
    ctx.inflight += 1
    try:
        if flags & IOCB_FLAG_RESFD:
            req.eventfd = _eventfd_ctx_fdget(t, resfd)
        copy_to_user(t.mm, user_iocb + 8, struct.pack("<I", KIOCB_KEY))    # aio_key
        iocb = (opcode, rw_flags, reqprio, buf, nbytes, offset, flags)
        if opcode in (IOCB_CMD_PREAD, IOCB_CMD_PREADV, IOCB_CMD_PWRITE, IOCB_CMD_PWRITEV):
            res = aio_rw(t, req, iocb)
        elif opcode in (IOCB_CMD_FSYNC, IOCB_CMD_FDSYNC):
            res = aio_fsync(t, req, iocb)
        elif opcode == IOCB_CMD_POLL:
            res = aio_poll(t, req, iocb)
        else:
            res = -EINVAL
    except Errno as e:
        res = -e.errno
    except BaseException:
        _drop(ctx, req)
        raise
    if is_generator(res):
        return _submit_wait(ctx, req, res)
    if res:
        _drop(ctx, req)
    return res


def _submit_wait(ctx, req, gen):
    try:
        res = yield from gen
    except BaseException:
        _drop(ctx, req)
        raise
    if res:
        _drop(ctx, req)
    return res


def _drop(ctx, req):
    """A request that failed at submission: no event, its slot back."""
    if not req.done:
        req.done = True
        ctx.inflight -= 1
        if req.eventfd is not None:
            req.eventfd.put()
            req.eventfd = None
        req.release()


def _check_rw_flags(req, rw_flags, write):
    if rw_flags & ~RWF_SUPPORTED:
        raise Errno(EOPNOTSUPP)
    if rw_flags & RWF_ATOMIC and not write:
        raise Errno(EOPNOTSUPP)
    if rw_flags & (RWF_ATOMIC | RWF_DONTCACHE):
        raise Errno(EOPNOTSUPP)             # no file here can promise either


def aio_rw(t, req, iocb):
    """PREAD/PWRITE/PREADV/PWRITEV: the checks that make io_submit fail,
    then the transfer, whose result is the event."""
    opcode, rw_flags, reqprio, buf, nbytes, offset, flags = iocb
    write = opcode in (IOCB_CMD_PWRITE, IOCB_CMD_PWRITEV)
    f = req.file
    if flags & IOCB_FLAG_IOPRIO:
        ioprio_check_cap(t, reqprio & 0xFFFF)
    _check_rw_flags(req, rw_flags, write)
    if not f.mode & (FMODE_WRITE if write else FMODE_READ):
        return -EBADF
    if opcode in (IOCB_CMD_PREADV, IOCB_CMD_PWRITEV):
        vec = read_iovec(t, buf, nbytes)
    else:
        vec = [(buf, nbytes)]
    for base, ln in vec:                    # access_ok: the 64-bit limit, even for i386
        if ln and not base + ln <= TASK_SIZE_MAX:
            return -EFAULT
    count = sum(ln for _, ln in vec)
    if offset < 0 or offset + count > (1 << 63) - 1:
        return -EINVAL
    pos = offset if f.f_op.seekable else None
    if write and pos is not None and (f.flags & O_APPEND or rw_flags & RWF_APPEND):
        pos = f.inode.size
    res = _transfer(t, f, vec, pos, write, rw_flags & RWF_NOWAIT)
    if is_generator(res):
        return _rw_wait(t, req, res)
    _rw_done(req, res)
    return 0


def _transfer(t, f, vec, pos, write, nowait):
    """The read or write itself (fs/read_write.py's), non-blocking for
    RWF_NOWAIT: an int (bytes or -errno) or a generator of one."""
    saved = f.flags
    if nowait:
        f.flags |= O_NONBLOCK
    try:
        if write:
            res = rw._do_writev(t, f, vec, pos)
        elif any(ln and base + ln > t.mm.task_size for base, ln in vec):
            res = _read_beyond(t, f, vec, pos)
        else:
            res = rw._do_readv(t, f, vec, pos)
    except Errno as e:
        res = -e.errno
    finally:
        if nowait:
            f.flags = (f.flags & ~O_NONBLOCK) | (saved & O_NONBLOCK)
    return res


def _read_beyond(t, f, vec, pos):
    """A 32-bit task's buffer that runs past its address space (Linux only
    checks the 64-bit limit): the read happens, and copying out what it
    got is what fails."""
    count = sum(ln for _, ln in vec)
    data = f.f_op.pread(f, t, count, pos) if pos is not None else f.f_op.read(f, t, count)
    if is_generator(data):
        data = yield from data
    if isinstance(data, int):
        return data
    done = 0
    for base, ln in vec:
        chunk = data[done:done + ln]
        if not chunk:
            break
        copy_to_user(t.mm, base, chunk)
        done += len(chunk)
    return done


def _rw_wait(t, req, gen):
    try:
        res = yield from gen
    except Errno as e:
        res = -e.errno
    _rw_done(req, res)
    return 0


def _rw_done(req, res):
    """aio_rw_done: an interrupted transfer cannot be restarted (other
    requests went on): it ends with EINTR."""
    if res in (-ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND, -ERESTART_RESTARTBLOCK):
        res = -EINTR
    req.ctx.complete(req, res)


def aio_fsync(t, req, iocb):
    opcode, rw_flags, reqprio, buf, nbytes, offset, flags = iocb
    if buf or offset or nbytes or rw_flags:
        return -EINVAL
    if req.file.f_op.fsync is None:
        return -EINVAL
    try:
        res = req.file.f_op.fsync(req.file)
    except Errno as e:
        res = -e.errno
    req.ctx.complete(req, res)
    return 0


# -- IOCB_CMD_POLL -----------------------------------------------------------------

class _PollWait:
    """A one-shot poll: a callback on each of the file's wait queues."""

    def __init__(self, req, events, queues):
        self.req = req
        self.events = events
        self.queues = queues
        for q in queues:
            q.callbacks.append(self.wake)

    def wake(self, key=0):
        """aio_poll_wake: a wake-up that says what happened completes the
        poll with exactly that (unmasked, as Linux reports it); one that
        does not makes us look."""
        req = self.req
        if req.done or (key and not key & self.events):
            return
        if key:
            req.ctx.complete(req, key)
            return
        mask, _ = req.file.f_op.poll(req.file, None)
        if mask & self.events:
            req.ctx.complete(req, mask & self.events)

    def detach(self):
        for q in self.queues:
            try:
                q.callbacks.remove(self.wake)
            except ValueError:
                pass
        self.queues = ()


def aio_poll(t, req, iocb):
    opcode, rw_flags, reqprio, buf, nbytes, offset, flags = iocb
    if buf & 0xFFFF != buf:
        return -EINVAL
    if offset or nbytes or rw_flags:
        return -EINVAL
    events = buf | POLLERR | POLLHUP
    f = req.file
    mask, queues = f.f_op.poll(f, t)
    mask &= events
    if mask:
        req.ctx.complete(req, mask)
        return 0
    if not queues:
        return -EINVAL                      # a file that cannot be waited on
    req.poll = _PollWait(req, events, tuple(queues))
    req.ctx.active.append(req)
    return 0


def _poll_cancel(req):
    """A cancelled poll completes with whatever is ready now (maybe 0)."""
    if req.done:
        return
    mask = 0
    if req.file is not None:
        m, _ = req.file.f_op.poll(req.file, None)
        mask = m & req.poll.events if req.poll is not None else 0
    req.ctx.complete(req, mask)


def sys_io_cancel(t, ctx_id, iocb, result):
    (key,) = struct.unpack("<I", copy_from_user(t.mm, iocb + 8, 4))
    if key != KIOCB_KEY:
        return -EINVAL
    ctx = lookup_ioctx(t, ctx_id)
    if ctx is None:
        return -EINVAL
    for req in ctx.active:
        if req.obj == iocb:
            _poll_cancel(req)
            return -EINPROGRESS
    return -EINVAL


EINPROGRESS = 115


# -- io_getevents and io_pgetevents --------------------------------------------------

def _get_timeout(t, addr):
    """The relative timeout, unchecked as Linux leaves it: a negative one
    saturates to "forever" when Linux adds it to the clock (None)."""
    fmt = _ts_fmt(t)
    sec, nsec = struct.unpack(fmt, copy_from_user(t.mm, addr, struct.calcsize(fmt)))
    ns = sec * 1000000000 + nsec
    if ns < 0 and sec < 0:
        return None
    return min(ns, KTIME_MAX_NS)


def do_io_getevents(t, ctx_id, min_nr, nr, events, timeout_ns):
    ctx = lookup_ioctx(t, ctx_id)
    if ctx is None or not 0 <= min_nr <= nr:
        return -EINVAL
    return _read_events(t, ctx, min_nr, nr, events, timeout_ns)


def _read_events(t, ctx, min_nr, nr, events, timeout_ns):
    """read_events: take what is there; wait for min_nr unless the timeout
    is zero.  A signal or the timeout ends the wait with what was got."""
    got = 0
    deadline = None if timeout_ns is None else sched.now() + timeout_ns / 1e9
    while True:
        n = ctx.read_events(t, events + got * IO_EVENT.size, nr - got)
        got += n
        if ctx.dead:
            return got or -EINVAL
        if got >= min_nr or (timeout_ns is not None and timeout_ns <= 0):
            return got
        if signal_pending(t) or (deadline is not None and sched.now() >= deadline):
            return got
        yield sched.Sleep((ctx.wait,), deadline)


def sys_io_getevents(t, ctx_id, min_nr, nr, events, timeout):
    ts = _get_timeout(t, timeout) if timeout else None
    res = yield from _as_gen(do_io_getevents(t, ctx_id, slong(t, min_nr), slong(t, nr),
                                             events, ts))
    if res == 0 and signal_pending(t):
        return -EINTR
    return res


def _as_gen(x):
    if is_generator(x):
        x = yield from x
    return x


def sys_io_pgetevents(t, ctx_id, min_nr, nr, events, timeout, usig):
    ts = _get_timeout(t, timeout) if timeout else None
    sigmask = sigsetsize = 0
    if usig:
        ptr = _ptr_size(t)
        raw = copy_from_user(t.mm, usig, 2 * ptr)
        sigmask = int.from_bytes(raw[:ptr], "little")
        sigsetsize = int.from_bytes(raw[ptr:], "little")
    set_user_sigmask(t, sigmask, sigsetsize)
    res = yield from _as_gen(do_io_getevents(t, ctx_id, slong(t, min_nr), slong(t, nr),
                                             events, ts))
    interrupted = signal_pending(t)
    restore_saved_sigmask_unless(t, interrupted)
    if interrupted and res == 0:
        return -ERESTARTNOHAND
    return res
