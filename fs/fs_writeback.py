"""fs/fs_writeback.py - getting dirty pages to the disk: the flusher,
sync, and the dirty limits (Linux's fs/fs-writeback.c and the dirty
throttling of mm/page-writeback.c).

A page cache of something stored on a disk (fs/mpage.py's BlockMapping:
a file of an ext2 file system, or a disk's own cache, block/bdev.py)
keeps its dirty pages in a DirtySet, which tells this file the moment a
mapping first becomes dirty.  From then on the mapping is in
dirty_mappings, oldest first, until a write-back leaves it clean.

Three things write dirty data back:

 - the flusher: a kernel timer every dirty_writeback_centisecs writes
   back every file system one of whose mappings has been dirty for
   dirty_expire_centisecs, or all of them while more than
   DIRTY_BACKGROUND_RATIO percent of memory is dirty (Linux's 5 s, 30 s,
   10 %; all are tunable in /proc/sys/vm);
 - a writer that finds more than DIRTY_RATIO percent of memory dirty
   starts write-back itself, and sleeps while too much is still on its
   way to the host (balance_dirty_pages);
 - sync(2), syncfs, fsync, fdatasync, umount: sync_filesystem().

Writing back a file system means what its superblock's writeback() says
(ext2: file pages, then inodes and bitmaps into their buffers, then the
buffers); every write-back returns a Completion (block/bio.py).  Errors
are remembered on the mapping (Linux's errseq_t, simplified: a counter):
fsync reports EIO once to each open file that had not seen it yet.
"""

from kernel import sched
from kernel.errno import EIO
from block.bio import Completion, all_of, done_completion
from block import bio
from block.bdev import all_bdevs
from kernel.printk import pr_err, printk_once
from mm import physmem as _pm

# /proc/sys/vm/dirty_* (fs/proc/proc_sysctl.py): Linux's names and defaults
dirty_writeback_centisecs = 500         # the flusher's period (0: no periodic runs)
dirty_expire_centisecs = 3000           # dirty this long: written at the next run
DIRTY_BACKGROUND_RATIO = 10
DIRTY_RATIO = 20

dirty_mappings = {}         # mapping -> monotonic time it became dirty
writeback_sbs = []          # superblocks with a writeback() (ext2 mounts, bdev_sb)
_timer = None


nr_dirty = 0                # pages in all DirtySets


class DirtySet(set):
    """A mapping's dirty page indexes; its first member puts the mapping
    on the dirty list, and all of them are counted (nr_dirty)."""
    __slots__ = ("mapping",)

    def __init__(self, mapping):
        super().__init__()
        self.mapping = mapping

    def add(self, index):
        global nr_dirty
        if index in self:
            return
        if not self:
            mark_mapping_dirty(self.mapping)
        set.add(self, index)
        nr_dirty += 1

    def discard(self, index):
        global nr_dirty
        if index in self:
            set.discard(self, index)
            nr_dirty -= 1

    def remove(self, index):
        if index not in self:
            raise KeyError(index)
        self.discard(index)

    def pop(self):
        global nr_dirty
        v = set.pop(self)
        nr_dirty -= 1
        return v

    def clear(self):
        global nr_dirty
        nr_dirty -= len(self)
        set.clear(self)


def mark_mapping_dirty(mapping):
    if mapping not in dirty_mappings:
        dirty_mappings[mapping] = sched.now()
        _arm()


def mapping_clean(mapping):
    """Write-back took everything: off the dirty list (if nothing is left)."""
    if not mapping.has_dirty():
        dirty_mappings.pop(mapping, None)


def nr_dirty_pages():
    """Dirty pages, and dirty buffers as if each were a page."""
    # cycle: fs.buffer -> fs.fs_writeback
    from fs import buffer
    return nr_dirty + buffer.nr_dirty_buffers


def register_sb(sb):
    if sb not in writeback_sbs:
        writeback_sbs.append(sb)


def unregister_sb(sb):
    if sb in writeback_sbs:
        writeback_sbs.remove(sb)


# -- errors ----------------------------------------------------------------------

def mapping_set_error(mapping, status):
    """A write-back of mapping failed (status -errno)."""
    mapping.wb_err = mapping.wb_err + 1
    printk_once(("wb", id(mapping)), "Buffer I/O error: write-back of %r failed (%d)"
                % (mapping.host, status))


def file_sample_wb_err(f):
    f.wb_err_seen = f.mapping.wb_err if f.mapping is not None else 0


def file_check_and_advance_wb_err(f):
    """-EIO if a write-back of f's data failed since f last asked."""
    m = f.mapping
    cur = m.wb_err if m is not None else 0
    seen = f.wb_err_seen
    f.wb_err_seen = cur
    return -EIO if cur != seen else 0


# -- the flusher -------------------------------------------------------------------

def _arm():
    global _timer
    if dirty_writeback_centisecs <= 0:
        return
    if _timer is None or not _timer.active:
        _timer = sched.add_timer(sched.now() + dirty_writeback_centisecs / 100.0, wb_workfn)


def wb_workfn():
    """The flusher's periodic run (a kernel timer, not a task)."""
    global _timer
    _timer = None
    now = sched.now()
    background = nr_dirty_pages() > _limit(DIRTY_BACKGROUND_RATIO)
    due = set()
    for m, since in list(dirty_mappings.items()):
        if background or now - since >= dirty_expire_centisecs / 100.0:
            due.add(m.host.sb)
    for sb in list(writeback_sbs):
        if sb in due or (background and sb_has_dirty(sb)):
            try:
                sb.writeback()
            except Exception as e:              # never let the flusher take the kernel
                pr_err("flusher: write-back of %s failed: %s" % (sb.fstype, e))
    if dirty_mappings:
        _arm()


def drop_caches(what):
    """/proc/sys/vm/drop_caches: 1 (or 3) drops every clean cached page of a
    disk or a host file (mm/vmscan.py)."""
    if what & 1:
        # cycle: mm.vmscan -> fs.fs_writeback
        from mm import vmscan
        while vmscan.shrink_page_cache(1 << 30):
            pass


def sb_has_dirty(sb):
    return any(m.host.sb is sb for m in dirty_mappings) or bool(sb.dirty_inodes)


def _limit(ratio):
    return _pm.physmem.nr_frames * ratio // 100


def balance_dirty_pages(t):
    """Called after a write dirtied pages.  Over the dirty limit, start
    write-back of everything now; if too much is still in flight to the
    host, return a generator that sleeps until it drains (else None)."""
    if not dirty_mappings:
        return None
    n = nr_dirty_pages()
    if n > _limit(DIRTY_BACKGROUND_RATIO):
        global _timer
        if _timer is not None:
            sched.del_timer(_timer)
        _timer = sched.add_timer(sched.now(), wb_workfn)
    if n <= _limit(DIRTY_RATIO):
        return _maybe_congested(t)
    for sb in list(writeback_sbs):
        if sb_has_dirty(sb):
            sb.writeback()
    return _maybe_congested(t)


def _maybe_congested(t):
    if bio.inflight_bytes <= bio.INFLIGHT_LIMIT:
        return None
    return _wait_congestion()


def _wait_congestion():
    while bio.inflight_bytes > bio.INFLIGHT_LIMIT // 2:
        yield sched.Sleep((bio.inflight_wq,), None, False)
    return 0


# -- sync ----------------------------------------------------------------------------

def sync_filesystem(sb):
    """Everything sb has dirty to its disk, and the disk's cache flushed:
    a Completion."""
    fn = getattr(sb, "sync_fs", None)
    if fn is not None:
        return fn()
    return done_completion()


def sync_all():
    """sync(2): every file system, then every disk."""
    done = [sync_filesystem(sb) for sb in list(writeback_sbs)]
    out = Completion()

    def then(c):
        flushes = [b.sync() for b in all_bdevs()]
        all_of(flushes).then(lambda c2: out.complete(c.status or c2.status))
    all_of(done).then(then)
    return out
