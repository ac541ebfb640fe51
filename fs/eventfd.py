"""fs/eventfd.py - eventfd(2): a 64-bit counter as a file.

write(8 bytes) adds to the counter, read(8 bytes) takes it all (or 1 in
EFD_SEMAPHORE mode) and resets it.  A read of a zero counter blocks, and a
write that would push the counter past 0xfffffffffffffffe blocks, unless
the file is non-blocking (EAGAIN).  It is readable when the counter is
non-zero and writable while at least 1 more fits: programs use it to wake
an event loop.
"""

import struct

from kernel import sched
from kernel.errno import EAGAIN, EINVAL, Errno
from fs.anon_inodes import anon_inode_getfile, install_new_file
from fs.file import (O_CLOEXEC, O_NONBLOCK, O_RDWR, POLLERR, POLLIN, POLLOUT,
                     POLLRDNORM, POLLWRNORM, FileOperations)

EFD_SEMAPHORE = 1
EFD_CLOEXEC = O_CLOEXEC
EFD_NONBLOCK = O_NONBLOCK
ULLONG_MAX = (1 << 64) - 1


class EventfdCtx:
    __slots__ = ("count", "flags", "wqh")

    def __init__(self, count, flags):
        self.count = count
        self.flags = flags
        self.wqh = sched.WaitQueue()


class EventfdOps(FileOperations):
    splice_read = splice_write = False      # an anonymous inode's: Linux's has neither

    def read(self, f, t, count):
        ctx = f.private
        if count < 8:
            raise Errno(EINVAL)
        if ctx.count == 0:
            if f.flags & O_NONBLOCK:
                raise Errno(EAGAIN)
            return self._read_wait(f, t, ctx)
        return self._take(ctx)

    def _take(self, ctx):
        val = 1 if ctx.flags & EFD_SEMAPHORE else ctx.count
        ctx.count -= val
        ctx.wqh.wake_up(POLLOUT)
        return struct.pack("<Q", val)

    def _read_wait(self, f, t, ctx):
        r = yield from sched.wait_event(t, ctx.wqh, lambda: ctx.count > 0)
        if r < 0:
            raise Errno(-r)                     # read returns bytes or raises
        return self._take(ctx)

    def write(self, f, t, data):
        ctx = f.private
        if len(data) < 8:
            raise Errno(EINVAL)
        (val,) = struct.unpack_from("<Q", data)
        if val == ULLONG_MAX:
            raise Errno(EINVAL)
        if ULLONG_MAX - ctx.count <= val:
            if f.flags & O_NONBLOCK:
                raise Errno(EAGAIN)
            return self._write_wait(f, t, ctx, val)
        return self._add(ctx, val)

    def _add(self, ctx, val):
        ctx.count += val
        if val:
            ctx.wqh.wake_up(POLLIN)
        return 8

    def _write_wait(self, f, t, ctx, val):
        r = yield from sched.wait_event(t, ctx.wqh, lambda: ULLONG_MAX - ctx.count > val)
        if r < 0:
            return r
        return self._add(ctx, val)

    def poll(self, f, t):
        ctx = f.private
        mask = 0
        if ctx.count > 0:
            mask |= POLLIN | POLLRDNORM
        if ctx.count == ULLONG_MAX:
            mask |= POLLERR
        if ULLONG_MAX - 1 > ctx.count:
            mask |= POLLOUT | POLLWRNORM
        return mask, (ctx.wqh,)

    def show_fdinfo(self, f):
        return "eventfd-count: %16x\n" % f.private.count


eventfd_fops = EventfdOps()


def do_eventfd(t, count, flags):
    count &= 0xFFFFFFFF
    flags &= 0xFFFFFFFF
    if flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK):
        return -EINVAL
    ctx = EventfdCtx(count, flags)
    f = anon_inode_getfile(b"[eventfd]", eventfd_fops, ctx, O_RDWR | (flags & O_NONBLOCK))
    return install_new_file(t, f, flags & EFD_CLOEXEC)


def sys_eventfd2(t, count, flags):
    return do_eventfd(t, count, flags)


def sys_eventfd(t, count):
    return do_eventfd(t, count, 0)


def eventfd_signal(ctx, n=1):
    """Add n for the kernel (AIO and io_uring completions): never blocks.
    Unlike write(), it may reach ULLONG_MAX: the overflow, which poll
    reports as POLLERR and read returns as it is."""
    n = min(n, ULLONG_MAX - ctx.count)
    if n > 0:
        ctx.count += n
        ctx.wqh.wake_up(POLLIN)
