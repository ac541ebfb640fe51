"""block/bio.py - struct bio: one I/O request to a block device.

Everything that reads or writes a disk - the buffer cache, a file's page
cache, a block device file, a loop device - ends up as a Bio handed to
submit_bio(): an operation (READ, WRITE or FLUSH), where on the disk it
starts (in 512-byte sectors, as Linux counts), the bytes, and what to do
when it is done (end_io).  The disk's driver (drivers/block/ubd.py,
drivers/block/loop.py) carries it out.

Reads complete before submit_bio returns: the callers (a path walk, a
page fault) cannot sleep, and a host pread of a regular file is short and
bounded (HACKING.md, "the block layer").  Writes and flushes may complete
later, from the ubd I/O thread; whoever must know that they are done
waits on the bio's Completion, which is also a wait queue a task sleeps on.
"""

from kernel.errno import EIO
from kernel.sched import Sleep, WaitQueue
from mm.physmem import OutOfMemory

SECTOR_SHIFT = 9
SECTOR_SIZE = 1 << SECTOR_SHIFT

REQ_OP_READ, REQ_OP_WRITE, REQ_OP_FLUSH = 0, 1, 2

# bytes of writes handed to drivers and not yet completed: a writer that
# finds more than INFLIGHT_LIMIT on the way sleeps (fs/fs_writeback.py)
inflight_bytes = 0
INFLIGHT_LIMIT = 32 << 20
inflight_wq = WaitQueue()
_OPS = {REQ_OP_READ: "read", REQ_OP_WRITE: "write", REQ_OP_FLUSH: "flush"}


class Completion:
    """Something that will be done: a flag, the waiters, and callbacks to
    run then (Linux's struct completion, plus chaining)."""
    __slots__ = ("done", "status", "wq", "callbacks")

    def __init__(self):
        self.done = False
        self.status = 0
        self.wq = WaitQueue()
        self.callbacks = []

    def complete(self, status=0):
        if self.done:
            return
        self.done = True
        if status and not self.status:
            self.status = status
        self.wq.wake_up()
        cbs, self.callbacks = self.callbacks, []
        for fn in cbs:
            fn(self)

    def then(self, fn):
        """Call fn(completion) when done (now if it already is)."""
        if self.done:
            fn(self)
        else:
            self.callbacks.append(fn)


def done_completion(status=0):
    c = Completion()
    c.complete(status)
    return c


def all_of(completions):
    """A Completion that is done when every one of completions is; its
    status is the first error among them."""
    out = Completion()
    pending = [c for c in completions if not c.done]
    for c in completions:
        if c.done and c.status and not out.status:
            out.status = c.status
    if not pending:
        out.complete(out.status)
        return out
    left = [len(pending)]

    def one(c):
        if c.status and not out.status:
            out.status = c.status
        left[0] -= 1
        if left[0] == 0:
            out.complete(out.status)
    for c in pending:
        c.then(one)
    return out


def wait_for(t, completion, interruptible=False):
    """Sleep until completion is done (a generator for a system call);
    its value is the completion's status (0 or -errno).  Uninterruptible
    by default, as a task in D state waiting for its disk."""
    while not completion.done:
        yield Sleep((completion.wq,), None, interruptible)
    return completion.status


class Bio:
    __slots__ = ("op", "sector", "buf", "completion", "end_io", "private", "counted")

    def __init__(self, op, sector=0, buf=None, end_io=None, private=None):
        self.op = op
        self.sector = sector            # first 512-byte sector
        self.buf = buf                  # a writable memoryview (READ) or bytes-like
        self.completion = Completion()
        self.end_io = end_io            # fn(bio) once done
        self.private = private
        self.counted = 0                # bytes counted in inflight_bytes

    @property
    def status(self):
        return self.completion.status

    @property
    def size(self):
        """Bytes: buf is one buffer, or a list of them (a readahead's pages)."""
        if self.buf is None:
            return 0
        if isinstance(self.buf, list):
            return sum(len(b) for b in self.buf)
        return len(self.buf)

    def buffers(self):
        return self.buf if isinstance(self.buf, list) else [self.buf]

    def __repr__(self):
        return "<Bio %s sector %d +%d>" % (_OPS.get(self.op, self.op), self.sector, self.size)

    def bio_endio(self, status=0):
        """The driver is done with it (status 0 or -errno)."""
        global inflight_bytes
        if self.counted:
            inflight_bytes -= self.counted
            self.counted = 0
            inflight_wq.wake_up()
        self.completion.complete(status)
        if self.end_io is not None:
            self.end_io(self)


def submit_bio(bdev, bio):
    """Hand bio to bdev's driver.  Returns bio.completion.  A request past
    the end of the device fails with EIO, as Linux's bio_check_eod."""
    disk = bdev.disk
    if bio.op != REQ_OP_FLUSH:
        end = bio.sector + ((bio.size + SECTOR_SIZE - 1) >> SECTOR_SHIFT)
        if bio.sector < 0 or end > disk.capacity:
            bio.bio_endio(-EIO)
            return bio.completion
        if bio.op == REQ_OP_WRITE and disk.read_only:
            bio.bio_endio(-EIO)
            return bio.completion
    disk.stats[bio.op] += 1
    if bio.op != REQ_OP_FLUSH:
        disk.sectors[bio.op] += bio.size >> SECTOR_SHIFT
    if bio.op == REQ_OP_WRITE:
        global inflight_bytes
        bio.counted = bio.size
        inflight_bytes += bio.size
    try:
        disk.driver.submit(disk, bio)
    except (OSError, OutOfMemory):
        # an error the driver did not turn into a status: EIO, never an oops
        if not bio.completion.done:
            bio.bio_endio(-EIO)
    return bio.completion


def bio_flush(bdev):
    """Ask the disk to make everything written so far stable."""
    return submit_bio(bdev, Bio(REQ_OP_FLUSH))
