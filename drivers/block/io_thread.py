"""drivers/block/io_thread.py - the host I/O thread (UML's ubd io_thread).

The kernel is one Python thread and must never wait for a disk: other
guests run meanwhile.  So, as UML does, host writes and flushes are handed
to a helper thread: the kernel queues a HostRequest (a list of pwrites,
or an fdatasync) and goes on; the thread performs it with the GIL
released, puts it on the done list and signals an eventfd the scheduler
watches (kernel/sched.py host_fds); the kernel then completes it
(ubd_intr: the bio's end_io runs, sleeping tasks wake).

Reads are not queued: whoever reads a block (a path walk, a page fault)
needs it now.  They are synchronous preads of a regular host file (see
HACKING.md, "the block layer", for what that costs and why it is
bounded), after any queued write to the same bytes has completed
(wait_for_overlap).

The thread never touches kernel state: it sees only host fds and bytes.
It is started on first use and ended, after draining, when the machine
stops (shutdown), so every write handed to it reaches the host file.
"""

import collections
import os
import queue
import select
import threading

from kernel.errno import EIO
from kernel import sched


class HostRequest:
    """ops: [("pwrite", fd, offset, bytes)] or [("fdatasync", fd)], done in
    order; status 0 or -errno of the first that failed; on_done(req) runs
    in the kernel once it is complete."""
    __slots__ = ("ops", "status", "on_done", "extent", "dev")

    def __init__(self, ops, on_done, extent=None, dev=None):
        self.ops = ops
        self.status = 0
        self.on_done = on_done
        self.extent = extent            # (dev, start, end) bytes it writes, for overlap
        self.dev = dev

    def perform(self):
        for op in self.ops:
            try:
                if op[0] == "pwrite":
                    _, fd, off, data = op
                    view = memoryview(data)
                    while view:
                        n = os.pwrite(fd, view, off)
                        if n <= 0:
                            raise OSError(EIO, "short write")
                        view = view[n:]
                        off += n
                elif op[0] == "fdatasync":
                    os.fdatasync(op[1])
            except OSError as e:
                self.status = -(e.errno or EIO)
                return


class IoThread:
    def __init__(self):
        self.q = queue.SimpleQueue()
        self.done = collections.deque()
        self.efd = None
        self.thread = None
        self.pending = []               # submitted, not yet completed (in order)

    def _start(self):
        self.efd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        sched.host_fds[self.efd] = self._intr
        self.thread = threading.Thread(target=self._run, name="ubd-io", daemon=True)
        self.thread.start()

    def submit(self, req):
        if self.thread is None:
            self._start()
        self.pending.append(req)
        self.q.put(req)

    def _run(self):
        while True:
            req = self.q.get()
            if req is None:
                return
            req.perform()
            self.done.append(req)
            try:
                os.eventfd_write(self.efd, 1)
            except OSError:
                pass

    def _intr(self, fd=None):
        """The kernel side: complete what the thread finished (an interrupt
        handler, run from the scheduler's host-event poll)."""
        try:
            os.eventfd_read(self.efd)
        except (BlockingIOError, OSError):
            pass
        while self.done:
            req = self.done.popleft()
            try:
                self.pending.remove(req)
            except ValueError:
                pass
            req.on_done(req)

    def wait(self, cond):
        """Block the kernel until cond() is false (bounded: only host
        writes already queued are waited for)."""
        while cond():
            if self.done:
                self._intr()
                continue
            select.select([self.efd], [], [], 1.0)
            self._intr()

    def wait_for_overlap(self, dev, start, end):
        """A read of [start, end) of dev must see queued writes to it."""
        def overlapping():
            for r in self.pending:
                e = r.extent
                if e is not None and e[0] is dev and e[1] < end and start < e[2]:
                    return True
            return False
        if self.pending:
            self.wait(overlapping)

    def drain(self):
        if self.thread is not None:
            self.wait(lambda: bool(self.pending))

    def shutdown(self):
        """The machine stops: finish everything queued, then end the thread."""
        if self.thread is None:
            return
        self.drain()
        self.q.put(None)
        self.thread.join(timeout=30)
        sched.host_fds.pop(self.efd, None)
        os.close(self.efd)
        self.thread = None


io_thread = IoThread()
