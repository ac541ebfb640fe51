"""io_uring/register.py - io_uring_register(2): what a ring keeps between
submissions, and the ring file's /proc/PID/fdinfo lines.

Implemented opcodes:
    IORING_REGISTER_BUFFERS / UNREGISTER_BUFFERS   buffers for READ_FIXED and
        WRITE_FIXED (an iovec array; each range must be mapped memory now).
        Linux pins the pages; here io_uring/rw.py reaches the range through
        the registering task's address space at each request.
    IORING_REGISTER_FILES / UNREGISTER_FILES / REGISTER_FILES_UPDATE
        a table of files for IOSQE_FIXED_FILE (fd -1: an empty slot)
    IORING_REGISTER_EVENTFD / EVENTFD_ASYNC / UNREGISTER_EVENTFD
        an eventfd signalled for each CQE (only the async ones with _ASYNC)
    IORING_REGISTER_PROBE        which opcodes this kernel supports
    IORING_REGISTER_PERSONALITY / UNREGISTER_PERSONALITY
        the caller's credentials under an id an SQE can name
    IORING_REGISTER_ENABLE_RINGS a ring set up IORING_SETUP_R_DISABLED starts
    IORING_REGISTER_RING_FDS / UNREGISTER_RING_FDS
        the ring file in the task's private table (IORING_ENTER_REGISTERED_RING)
Every other opcode answers EINVAL, as an unknown one does on Linux; so
IORING_REGISTER_RESTRICTIONS is refused and no ring is ever restricted.
"""

from kernel.abi import RLIMIT_NOFILE
import struct

from kernel.errno import EBADF, EBADFD, EBUSY, EFAULT, EINVAL, ENXIO, Errno
from mm.uaccess import copy_from_user, copy_to_user
from io_uring import io_uring as iou
from mm.physmem import PAGE_SIZE
from fs.file import fget
from fs.eventfd import eventfd_fops

IORING_REGISTER_BUFFERS = 0
IORING_UNREGISTER_BUFFERS = 1
IORING_REGISTER_FILES = 2
IORING_UNREGISTER_FILES = 3
IORING_REGISTER_EVENTFD = 4
IORING_UNREGISTER_EVENTFD = 5
IORING_REGISTER_FILES_UPDATE = 6
IORING_REGISTER_EVENTFD_ASYNC = 7
IORING_REGISTER_PROBE = 8
IORING_REGISTER_PERSONALITY = 9
IORING_UNREGISTER_PERSONALITY = 10
IORING_REGISTER_RESTRICTIONS = 11
IORING_REGISTER_ENABLE_RINGS = 12
IORING_REGISTER_RING_FDS = 20
IORING_UNREGISTER_RING_FDS = 21
IORING_REGISTER_USE_REGISTERED_RING = 1 << 31

IORING_MAX_REG_BUFFERS = 1 << 14
IORING_MAX_FIXED_FILES = 1 << 20
IO_RINGFD_REG_MAX = 16
IO_URING_OP_SUPPORTED = 1 << 0
SZ_1G = 1 << 30
PROBE_HDR = struct.Struct("<BBH3I")         # last_op ops_len resv resv2[3]
PROBE_OP = struct.Struct("<BBHI")           # op resv flags resv2
RSRC_UPDATE = struct.Struct("<IIQ")         # offset resv data (io_uring_rsrc_update)


def check_restriction(ctx, op, flags):
    return True                             # no ring is restricted (see above)


# -- buffers -----------------------------------------------------------------------------------

def _register_buffers(t, ctx, arg, nr):
    if ctx.user_bufs:
        return -EBUSY
    if not nr or nr > IORING_MAX_REG_BUFFERS:
        return -EINVAL
    vec = _iovecs(t, arg, nr)
    bufs = []
    for base, ln in vec:
        if not base and not ln:
            bufs.append(None)               # a sparse slot
            continue
        if not base or ln > SZ_1G or not ln:
            return -EFAULT
        if base + ln > t.mm.task_size:
            return -EFAULT
        _check_mapped(t, base, ln)
        bufs.append((base, ln))
    ctx.user_bufs = bufs
    return 0


def _iovecs(t, arg, nr):
    """nr struct iovec of the caller's ABI (no UIO_MAXIOV limit here)."""
    fmt = struct.Struct("<II" if t.arch.BITS == 32 else "<QQ")
    raw = copy_from_user(t.mm, arg, fmt.size * nr)
    return [fmt.unpack_from(raw, i * fmt.size) for i in range(nr)]


def _check_mapped(t, base, ln):
    """Every page of the buffer must be mapped (Linux's pin_user_pages)."""
    mm = t.mm
    addr = base & ~(PAGE_SIZE - 1)
    while addr < base + ln:
        vma = mm.find_vma(addr)
        if vma is None or vma.start > addr:
            raise Errno(EFAULT)
        addr = vma.end
    return 0


def _unregister_buffers(ctx):
    if not ctx.user_bufs:
        return -ENXIO
    ctx.user_bufs = []
    return 0


# -- files --------------------------------------------------------------------------------------

def _file_for_table(t, fd):
    if fd == -1:
        return None
    f = fget(t, fd)
    if f is None or iou.is_io_uring_file(f):
        raise Errno(EBADF)
    return f.get()


def _register_files(t, ctx, arg, nr):
    if ctx.file_table is not None:
        return -EBUSY
    if not nr or nr > IORING_MAX_FIXED_FILES or nr > t.signal.rlim[RLIMIT_NOFILE][0]:
        return -EINVAL
    fds = struct.unpack("<%di" % nr, copy_from_user(t.mm, arg, 4 * nr)) if arg else (-1,) * nr
    table = []
    try:
        for fd in fds:
            table.append(_file_for_table(t, fd))
    except BaseException:
        for f in table:
            if f is not None:
                f.put()
        raise
    ctx.file_table = table
    return 0


def _unregister_files(ctx):
    if ctx.file_table is None:
        return -ENXIO
    table, ctx.file_table = ctx.file_table, None
    for f in table:
        if f is not None:
            f.put()
    return 0


def _files_update(t, ctx, arg, nr):
    """struct io_uring_files_update {u32 offset; u32 resv; u64 fds}: the
    number of slots set."""
    if ctx.file_table is None:
        return -ENXIO
    if not nr:
        return -EINVAL
    off, resv, fds_addr = RSRC_UPDATE.unpack(copy_from_user(t.mm, arg, RSRC_UPDATE.size))
    if resv:
        return -EINVAL
    return files_update(t, ctx, off, fds_addr, nr)


def files_update(t, ctx, off, fds_addr, nr):
    """Set nr slots from off to the fds at fds_addr (-1 empties a slot, -2
    keeps it); the number done (IORING_REGISTER_FILES_UPDATE and
    IORING_OP_FILES_UPDATE)."""
    if ctx.file_table is None:
        return -ENXIO
    if off + nr > len(ctx.file_table):
        return -EINVAL
    fds = struct.unpack("<%di" % nr, copy_from_user(t.mm, fds_addr, 4 * nr))
    done = 0
    for i, fd in enumerate(fds):
        if fd == -2:                        # IORING_REGISTER_FILES_SKIP
            done += 1
            continue
        try:
            new = _file_for_table(t, fd)
        except Errno as e:
            return done or -e.errno
        old, ctx.file_table[off + i] = ctx.file_table[off + i], new
        if old is not None:
            old.put()
        done += 1
    return done


# -- eventfd --------------------------------------------------------------------------------------

def _register_eventfd(t, ctx, arg, nr, is_async):
    if ctx.ev_fd is not None:
        return -EBUSY
    if nr != 1:
        return -EINVAL
    fd, = struct.unpack("<i", copy_from_user(t.mm, arg, 4))
    f = fget(t, fd)
    if f is None or f.f_op is not eventfd_fops:
        return -EBADF
    ctx.ev_fd = f.get()
    ctx.ev_fd_async = is_async
    return 0


def _unregister_eventfd(ctx):
    if ctx.ev_fd is None:
        return -ENXIO
    f, ctx.ev_fd = ctx.ev_fd, None
    f.put()
    return 0


# -- probe, personalities, enabling ------------------------------------------------------------------

def _probe(t, ctx, arg, nr):
    # cycle: io_uring.opdef -> io_uring.fs -> io_uring.register
    from io_uring.opdef import IORING_OP_LAST, io_op_defs
    nr = min(nr, IORING_OP_LAST)
    size = PROBE_HDR.size + PROBE_OP.size * nr
    raw = copy_from_user(t.mm, arg, size)
    if any(raw):
        return -EINVAL                      # the buffer must come zeroed
    out = bytearray(PROBE_HDR.pack(IORING_OP_LAST - 1, nr, 0, 0, 0, 0))
    defs = io_op_defs()
    for op in range(nr):
        out += PROBE_OP.pack(op, 0, IO_URING_OP_SUPPORTED if defs[op].supported else 0, 0)
    copy_to_user(t.mm, arg, bytes(out))
    return 0


def _register_personality(t, ctx):
    for pid in range(1, 0x10000):
        if pid not in ctx.personalities:
            ctx.personalities[pid] = t.cred
            return pid
    return -EBUSY


def _unregister_personality(ctx, pid):
    if ctx.personalities.pop(pid, None) is None:
        return -EINVAL
    return 0


def _enable_rings(t, ctx):
    if not ctx.flags & iou.IORING_SETUP_R_DISABLED:
        return -EBADFD
    if ctx.flags & iou.IORING_SETUP_SINGLE_ISSUER and ctx.submitter_task is None:
        ctx.submitter_task = t
    ctx.flags &= ~iou.IORING_SETUP_R_DISABLED
    return 0


# -- registered ring fds ---------------------------------------------------------------------------

def ring_add_registered_file(t, f, start, end):
    """Put ring file f in the first free slot in [start, end) of the task's
    table; the slot's number (the fd IORING_ENTER_REGISTERED_RING takes)."""
    tctx = iou.io_uring_tctx(t)
    for i in range(start, end):
        if tctx.registered_rings[i] is None:
            tctx.registered_rings[i] = f.get()
            return i
    return -EBUSY


def _register_ring_fds(t, ctx, arg, nr):
    if not nr or nr > IO_RINGFD_REG_MAX:
        return -EINVAL
    tctx = iou.io_uring_tctx(t)
    done = 0
    for i in range(nr):
        a = arg + i * RSRC_UPDATE.size
        off, resv, data = RSRC_UPDATE.unpack(copy_from_user(t.mm, a, RSRC_UPDATE.size))
        if resv:
            return done or -EINVAL
        f = fget(t, iou.s32(data))
        if f is None or not iou.is_io_uring_file(f):
            return done or -EBADF
        if off == 0xFFFFFFFF:
            slot = ring_add_registered_file(t, f, 0, IO_RINGFD_REG_MAX)
        elif off >= IO_RINGFD_REG_MAX:
            return done or -EINVAL
        else:
            old = tctx.registered_rings[off]
            tctx.registered_rings[off] = f.get()
            if old is not None:
                old.put()
            slot = off
        if slot < 0:
            return done or slot
        copy_to_user(t.mm, a, RSRC_UPDATE.pack(slot, 0, data))
        done += 1
    return done


def _unregister_ring_fds(t, arg, nr):
    tctx = t.io_uring
    if not nr or nr > IO_RINGFD_REG_MAX:
        return -EINVAL
    done = 0
    for i in range(nr):
        off, resv, data = RSRC_UPDATE.unpack(
            copy_from_user(t.mm, arg + i * RSRC_UPDATE.size, RSRC_UPDATE.size))
        if resv or data:
            return done or -EINVAL
        if off >= IO_RINGFD_REG_MAX:
            return done or -EINVAL
        f = tctx.registered_rings[off] if tctx is not None else None
        if f is not None:
            tctx.registered_rings[off] = None
            f.put()
        done += 1
    return done


# -- the system call --------------------------------------------------------------------------------

def sys_io_uring_register(t, fd, opcode, arg, nr_args):
    opcode &= 0xFFFFFFFF
    nr = nr_args & 0xFFFFFFFF
    use_reg = bool(opcode & IORING_REGISTER_USE_REGISTERED_RING)
    opcode &= ~IORING_REGISTER_USE_REGISTERED_RING
    f = iou._ring_file(t, fd & 0xFFFFFFFF,
                       iou.IORING_ENTER_REGISTERED_RING if use_reg else 0)
    ctx = f.private
    if ctx.dead:
        return -EBADFD
    if ctx.submitter_task is not None and ctx.submitter_task is not t:
        return -iou.EEXIST
    no_arg = not arg and not nr
    if opcode == IORING_REGISTER_BUFFERS:
        return _register_buffers(t, ctx, arg, nr)
    if opcode == IORING_UNREGISTER_BUFFERS:
        return _unregister_buffers(ctx) if not arg and not nr else -EINVAL
    if opcode == IORING_REGISTER_FILES:
        return _register_files(t, ctx, arg, nr)
    if opcode == IORING_UNREGISTER_FILES:
        return _unregister_files(ctx) if no_arg else -EINVAL
    if opcode == IORING_REGISTER_FILES_UPDATE:
        return _files_update(t, ctx, arg, nr)
    if opcode in (IORING_REGISTER_EVENTFD, IORING_REGISTER_EVENTFD_ASYNC):
        return _register_eventfd(t, ctx, arg, nr, opcode == IORING_REGISTER_EVENTFD_ASYNC)
    if opcode == IORING_UNREGISTER_EVENTFD:
        return _unregister_eventfd(ctx) if no_arg else -EINVAL
    if opcode == IORING_REGISTER_PROBE:
        if not arg or nr > 256:
            return -EINVAL
        return _probe(t, ctx, arg, nr)
    if opcode == IORING_REGISTER_PERSONALITY:
        return _register_personality(t, ctx) if no_arg else -EINVAL
    if opcode == IORING_UNREGISTER_PERSONALITY:
        return _unregister_personality(ctx, nr) if not arg else -EINVAL
    if opcode == IORING_REGISTER_ENABLE_RINGS:
        return _enable_rings(t, ctx) if no_arg else -EINVAL
    if opcode == IORING_REGISTER_RING_FDS:
        return _register_ring_fds(t, ctx, arg, nr)
    if opcode == IORING_UNREGISTER_RING_FDS:
        return _unregister_ring_fds(t, arg, nr)
    return -EINVAL


def unregister_all(ctx):
    """The ring's end: everything registered is let go."""
    ctx.user_bufs = []
    if ctx.file_table is not None:
        _unregister_files(ctx)
    if ctx.ev_fd is not None:
        _unregister_eventfd(ctx)
    ctx.personalities.clear()


def show_fdinfo(ctx):
    if ctx.dead:
        return ""
    r = ctx.rings
    sq_head, sq_tail = r.u32(iou.SQ_HEAD), r.u32(iou.SQ_TAIL)
    cq_head, cq_tail = r.u32(iou.CQ_HEAD), r.u32(iou.CQ_TAIL)
    return ("SqMask:\t0x%x\nSqHead:\t%u\nSqTail:\t%u\nCachedSqHead:\t%u\n"
            "CqMask:\t0x%x\nCqHead:\t%u\nCqTail:\t%u\nCachedCqTail:\t%u\n"
            "SQEs:\t%u\nCQEs:\t%u\nUserFiles:\t%u\nUserBufs:\t%u\n"
            "PollList:\n%sCqOverflowList:\n"
            % (ctx.sq_entries - 1, sq_head, sq_tail, ctx.cached_sq_head,
               ctx.cq_entries - 1, cq_head, cq_tail, ctx.cached_cq_tail,
               (sq_tail - sq_head) & 0xFFFFFFFF, (cq_tail - cq_head) & 0xFFFFFFFF,
               len(ctx.file_table or ()), len(ctx.user_bufs),
               "".join("  op=%d, task_works=0\n" % q.opcode for q in ctx.inflight)))

