"""fs/pipe.py - pipes and FIFOs: pipe(2), pipe2(2), and named pipes.

A pipe is a ring of buffers, each at most one page, as in Linux: a write
first tops up the last buffer (when it is an ordinary, mergeable one and the
bytes fit in its page), then fills fresh pages; the pipe is full when every
slot of the ring (16 by default, 64 KiB) holds a buffer.  Modelling the slots
rather than a byte count matters because it is visible: how many bytes a
non-blocking writer gets in before EAGAIN depends on the sizes of its writes,
exactly as on the host.

 - A write of at most PIPE_BUF (one page) bytes is atomic: it either merges
   whole into the last buffer or takes a slot of its own.
 - Reading an empty pipe sleeps until a writer writes or the last writer
   goes (end of file, 0); writing a full pipe sleeps until a reader reads.
   O_NONBLOCK makes either EAGAIN instead.  A signal interrupts the sleep:
   the bytes moved so far, or -ERESTARTSYS if none (signal delivery turns
   that into EINTR or a restart, kernel/signal.py).
 - Writing with no reader left raises SIGPIPE and fails with EPIPE.
 - pipe2(O_DIRECT) makes a "packet" pipe: each write is one buffer and each
   read takes at most one of them.
 - poll readiness comes from FileOperations.poll: (mask, wait queues).

A FIFO is the same Pipe hung on a filesystem inode (inode.pipe) while
anyone has it open.  Opening one end waits for the other (unless
O_NONBLOCK: a reader opens at once, a writer with no reader gets ENXIO);
O_RDWR never waits.  The counters r_counter/w_counter tell a waiting opener
that a partner arrived even if it has gone again since.
"""

import struct

from kernel import sched
from kernel.errno import (EAGAIN, EBADF, EBUSY, EFAULT, EINVAL, ENXIO, EPERM,
                          EPIPE, Errno)
from fs.file import (FMODE_READ, FMODE_WRITE, O_ACCMODE, O_CLOEXEC, O_DIRECT,
                     O_EXCL, O_NONBLOCK, O_RDONLY, O_RDWR,
                     O_WRONLY, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM,
                     POLLWRNORM, File, FileOperations)
from fs.inode import S_IFIFO, Inode, SuperBlock
from fs.dcache import Dentry
from fs.mount import Mount, Path
from kernel.signal import SIGPIPE, SI_USER, SigInfo, send_signal
from mm.uaccess import copy_to_user, put_user_u32
from kernel.capability import CAP_SYS_RESOURCE, capable

PAGE_SIZE = 4096
PIPE_BUF = PAGE_SIZE
PIPE_DEF_BUFFERS = 16
PIPE_MAX_SIZE = 1048576             # /proc/sys/fs/pipe-max-size
PIPEFS_MAGIC = 0x50495045
O_NOTIFICATION_PIPE_FLAG = O_EXCL   # pipe2(O_NOTIFICATION_PIPE)

F_SETPIPE_SZ = 1031
F_GETPIPE_SZ = 1032
FIONREAD = 0x541B


class PipeBuffer:
    """One slot of the ring: the bytes of one page still to be read.
    offset is where they start in their page (a partly read buffer)."""
    __slots__ = ("data", "offset", "can_merge", "packet")

    def __init__(self, data, packet=False):
        self.data = bytearray(data)
        self.offset = 0
        self.packet = packet
        self.can_merge = not packet


class Pipe:
    """struct pipe_inode_info."""

    def __init__(self):
        self.bufs = []                  # PipeBuffers, oldest first
        self.max_usage = PIPE_DEF_BUFFERS
        self.readers = 0
        self.writers = 0
        self.files = 0                  # open Files of this pipe
        self.r_counter = 0              # opens for reading, ever
        self.w_counter = 0              # opens for writing, ever
        self.rd_wait = sched.WaitQueue()
        self.wr_wait = sched.WaitQueue()

    def empty(self):
        return not self.bufs

    def full(self):
        return len(self.bufs) >= self.max_usage

    def nbytes(self):
        return sum(len(b.data) for b in self.bufs)

    def wake_all(self):
        self.rd_wait.wake_up()
        self.wr_wait.wake_up()


# -- reading and writing ---------------------------------------------------------

# LAB pipe: begin
def _take(pipe, count):
    """Move up to count bytes out of the ring (pipe_read's copy loop)."""
    out = bytearray()
    while pipe.bufs and len(out) < count:
        buf = pipe.bufs[0]
        chars = min(len(buf.data), count - len(out))
        out += buf.data[:chars]
        del buf.data[:chars]
        buf.offset += chars
        if buf.packet:
            buf.data.clear()            # the rest of a packet is discarded
        if not buf.data:
            pipe.bufs.pop(0)
        if buf.packet:
            break
    return bytes(out)


def _put(pipe, data, pos, packet):
    """Put bytes of data from pos into the ring while slots are free
    (pipe_write's copy loop).  Returns the new pos."""
    n = len(data)
    if pos == 0 and not packet:
        # top up the last buffer with the sub-page remainder of the write
        chars = n & (PAGE_SIZE - 1)
        if chars and pipe.bufs:
            last = pipe.bufs[-1]
            if last.can_merge and last.offset + len(last.data) + chars <= PAGE_SIZE:
                last.data += data[:chars]
                pos = chars
    while pos < n and not pipe.full():
        chunk = data[pos:pos + PAGE_SIZE]
        pipe.bufs.append(PipeBuffer(chunk, packet))
        pos += len(chunk)
    return pos
# LAB pipe: starter
#> def _take(pipe, count):
#>     """Up to count bytes from the front of the buffers."""
#>     out = bytearray()
#>     while pipe.bufs and len(out) < count:
#>         buf = pipe.bufs[0]
#>         chars = min(len(buf.data), count - len(out))
#>         out += buf.data[:chars]
#>         del buf.data[:chars]
#>         if not buf.data:
#>             pipe.bufs.pop(0)
#>     return bytes(out)
# LAB pipe: end


class PipeOperations(FileOperations):
    """What read/write/poll/ioctl do on either end of a pipe or FIFO."""

    fasync_supported = True            # O_ASYNC signals (fs/fasync.py)

    # LAB pipe: begin
    def read(self, f, t, count):
        pipe = f.private
        if count == 0:
            return b""
        if pipe.bufs:
            return self._read_now(pipe, count)
        if not pipe.writers:
            return b""
        if f.flags & O_NONBLOCK:
            raise Errno(EAGAIN)
        return self._read_wait(f, t, count)

    def _read_now(self, pipe, count):
        data = _take(pipe, count)
        pipe.wr_wait.wake_up(POLLOUT | POLLWRNORM)
        return data

    def _read_wait(self, f, t, count):
        pipe = f.private
        r = yield from sched.wait_event(t, pipe.rd_wait,
                                        lambda: pipe.bufs or not pipe.writers)
        if r < 0:
            raise Errno(-r)                     # read returns bytes or raises
        return self._read_now(pipe, count)

    def write(self, f, t, data):
        pipe = f.private
        if not data:
            return 0
        if not pipe.readers:
            _sigpipe(t)
            raise Errno(EPIPE)
        packet = bool(f.flags & O_DIRECT)
        pos = _put(pipe, data, 0, packet)
        if pos:
            pipe.rd_wait.wake_up(POLLIN | POLLRDNORM)
        if pos == len(data):
            return pos
        if f.flags & O_NONBLOCK:
            if pos:
                return pos
            raise Errno(EAGAIN)
        return self._write_wait(f, t, data, pos, packet)

    def _write_wait(self, f, t, data, pos, packet):
        """pipe_write's loop: sleep until readers make room (or all go),
        put what fits, until everything is in.  A signal ends it with the
        count so far, or -ERESTARTSYS if nothing was written."""
        pipe = f.private
        while True:
            r = yield from sched.wait_event(t, pipe.wr_wait,
                                            lambda: not pipe.readers or not pipe.full())
            if r < 0:
                return pos if pos else r
            if not pipe.readers:
                _sigpipe(t)
                return pos if pos else -EPIPE
            new = _put(pipe, data, pos, packet)
            if new != pos:
                pipe.rd_wait.wake_up(POLLIN | POLLRDNORM)
            pos = new
            if pos == len(data):
                return pos
    # LAB pipe: starter
    #> # The starter's pipe has no bounds: a write appends all its bytes and
    #> # never waits; a read waits for bytes or for the last writer to go.
    #> # There is no O_NONBLOCK, no EPIPE and no SIGPIPE.
    #> def read(self, f, t, count):
    #>     pipe = f.private
    #>     if count == 0:
    #>         return b""
    #>     if pipe.bufs:
    #>         return _take(pipe, count)
    #>     if not pipe.writers:
    #>         return b""
    #>     return self._read_wait(f, t, count)
    #>
    #> def _read_wait(self, f, t, count):
    #>     pipe = f.private
    #>     r = yield from sched.wait_event(t, pipe.rd_wait,
    #>                                     lambda: pipe.bufs or not pipe.writers)
    #>     if r < 0:
    #>         return r
    #>     return _take(pipe, count)
    #>
    #> def write(self, f, t, data):
    #>     pipe = f.private
    #>     if data:
    #>         pipe.bufs.append(PipeBuffer(data))
    #>         pipe.rd_wait.wake_up()
    #>     return len(data)
    # LAB pipe: end

    def poll(self, f, t):
        pipe = f.private
        mask = 0
        if f.mode & FMODE_READ:
            if pipe.bufs:
                mask |= POLLIN | POLLRDNORM
            if not pipe.writers and f.pipe_version != pipe.w_counter:
                mask |= POLLHUP
        if f.mode & FMODE_WRITE:
            if not pipe.full():
                mask |= POLLOUT | POLLWRNORM
            if not pipe.readers:
                mask |= POLLERR
        # each end waits on its own queue, as Linux's pipe_poll: epoll on
        # the write end must not hear that data came in
        queues = ()
        if f.mode & FMODE_READ:
            queues += (pipe.rd_wait,)
        if f.mode & FMODE_WRITE:
            queues += (pipe.wr_wait,)
        return mask, queues

    def ioctl(self, f, t, cmd, arg):
        if cmd & 0xFFFFFFFF == FIONREAD:
            put_user_u32(t.mm, arg, f.private.nbytes())
            return 0
        return super().ioctl(f, t, cmd, arg)

    def fcntl(self, f, t, cmd, arg):
        """F_GETPIPE_SZ / F_SETPIPE_SZ (fs/fcntl.py hands them over)."""
        return pipe_fcntl(t, f, cmd, arg)

    def release(self, f):
        pipe = f.private
        if pipe is None:
            return
        f.private = None
        if f.mode & FMODE_READ:
            pipe.readers -= 1
        if f.mode & FMODE_WRITE:
            pipe.writers -= 1
        pipe.files -= 1
        if pipe.files == 0:
            inode = f.inode
            if inode.pipe is pipe:
                inode.pipe = None       # a FIFO's contents go with its last opener
            pipe.bufs = []
        pipe.wake_all()


def _sigpipe(t):
    send_signal(t, SigInfo(SIGPIPE, SI_USER, pid=t.tgid, uid=t.cred.uid), group=False)


pipe_fops = PipeOperations()


# -- FIFOs -------------------------------------------------------------------------

class FifoOperations(PipeOperations):
    """A named pipe: opening attaches to (or creates) the inode's Pipe."""

    def open(self, f, t):
        inode = f.inode
        if inode.pipe is None:
            inode.pipe = Pipe()
        pipe = inode.pipe
        f.private = pipe
        pipe.files += 1
        nonblock = f.flags & O_NONBLOCK
        acc = f.flags & O_ACCMODE
        if acc == O_RDONLY:
            pipe.r_counter += 1
            pipe.readers += 1
            if pipe.readers == 1:
                pipe.wr_wait.wake_up()
            if not pipe.writers:
                if nonblock:
                    f.pipe_version = pipe.w_counter     # no POLLHUP before a writer
                    return None
                return self._wait_partner(f, t, pipe, "w_counter")
            return None
        if acc == O_WRONLY:
            if nonblock and not pipe.readers:
                self._detach(f)
                raise Errno(ENXIO)
            pipe.w_counter += 1
            pipe.writers += 1
            if pipe.writers == 1:
                pipe.rd_wait.wake_up()
            if not pipe.readers:
                return self._wait_partner(f, t, pipe, "r_counter")
            return None
        if acc == O_RDWR:
            pipe.readers += 1
            pipe.writers += 1
            pipe.r_counter += 1
            pipe.w_counter += 1
            if pipe.readers == 1 or pipe.writers == 1:
                pipe.wake_all()
            return None
        self._detach(f)
        raise Errno(EINVAL)

    def _detach(self, f):
        """Undo the attach of a failed open (it counted as no end)."""
        pipe = f.private
        f.private = None
        pipe.files -= 1
        if pipe.files == 0 and f.inode.pipe is pipe:
            f.inode.pipe = None

    def _wait_partner(self, f, t, pipe, counter):
        """Sleep until the other end has been opened (wait_for_partner).
        On a signal the open fails; the caller drops f, which undoes ours."""
        start = getattr(pipe, counter)
        queue = pipe.rd_wait if counter == "w_counter" else pipe.wr_wait
        r = yield from sched.wait_event(t, queue, lambda: getattr(pipe, counter) != start)
        return r if r < 0 else None


fifo_fops = FifoOperations()


# -- anonymous pipes ---------------------------------------------------------------

class PipeInode(Inode):
    """The inode behind an anonymous pipe, on the internal pipefs."""


_pipefs = None


def _pipefs_sb():
    global _pipefs
    if _pipefs is None:
        _pipefs = SuperBlock("pipefs", magic=PIPEFS_MAGIC)
    return _pipefs


def create_pipe_files(t, flags):
    """Two Files on one new pipe: (read end, write end)."""
    sb = _pipefs_sb()
    inode = PipeInode(sb, S_IFIFO | 0o600, t.cred.fsuid, t.cred.fsgid)
    pipe = Pipe()
    pipe.readers = pipe.writers = 1
    pipe.r_counter = pipe.w_counter = 1
    pipe.files = 2
    inode.pipe = pipe
    d = Dentry(b"pipe:[%d]" % inode.ino, None, inode)
    d.unhashed = True
    if not hasattr(sb, "mount"):
        sb.mount = Mount(sb, d, source=b"pipefs")
    path = Path(sb.mount, d)
    keep = flags & (O_NONBLOCK | O_DIRECT)
    rd = File(path, O_RDONLY | (keep & O_NONBLOCK), pipe_fops)
    wr = File(path, O_WRONLY | keep, pipe_fops)
    rd.private = wr.private = pipe
    return rd, wr


def do_pipe2(t, fds_addr, flags):
    flags &= 0xFFFFFFFF
    if flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE_FLAG):
        return -EINVAL
    if flags & O_NOTIFICATION_PIPE_FLAG:
        return -EINVAL                  # watch queues: not configured
    rd, wr = create_pipe_files(t, flags)
    cloexec = bool(flags & O_CLOEXEC)
    files = t.files
    try:
        r = files.alloc_fd(t, rd, cloexec)
    except BaseException:
        rd.put()
        wr.put()
        raise
    try:
        w = files.alloc_fd(t, wr, cloexec)
    except BaseException:
        files.close(r)
        wr.put()
        raise
    try:
        copy_to_user(t.mm, fds_addr, struct.pack("<ii", r, w))
    except Errno:
        files.close(r)
        files.close(w)
        return -EFAULT
    return 0


def sys_pipe(t, fds):
    return do_pipe2(t, fds, 0)


def sys_pipe2(t, fds, flags):
    return do_pipe2(t, fds, flags)


# -- fcntl(F_GETPIPE_SZ / F_SETPIPE_SZ), for fs/fcntl.py ------------------------

def get_pipe_info(f):
    """The Pipe behind an open file, or None."""
    return f.private if isinstance(f.f_op, PipeOperations) else None


def pipe_fcntl(t, f, cmd, arg):
    pipe = get_pipe_info(f)
    if pipe is None:
        raise Errno(EBADF)
    if cmd == F_GETPIPE_SZ:
        return pipe.max_usage * PAGE_SIZE
    if cmd == F_SETPIPE_SZ:
        size = arg & 0xFFFFFFFF
        if size > 1 << 31:
            raise Errno(EINVAL)
        # Linux's round_pipe_size: at least a page (0 too), a power of two
        nr = max(1, (size + PAGE_SIZE - 1) // PAGE_SIZE)
        nr = 1 << (nr - 1).bit_length()
        # the limit binds growth only (Linux's pipe_set_size)
        if nr > pipe.max_usage and size > PIPE_MAX_SIZE and not capable(t, CAP_SYS_RESOURCE):
            raise Errno(EPERM)
        if len(pipe.bufs) > nr:
            raise Errno(EBUSY)
        pipe.max_usage = nr
        pipe.wr_wait.wake_up()
        return nr * PAGE_SIZE
    raise Errno(EINVAL)
