"""fs/buffer.py - buffer heads: one disk block inside the disk's page cache.

A file system reads its metadata (superblock, group descriptors, bitmaps,
inode tables, indirect blocks, directories) by block number:
sb_bread(bdev, n, size) gives the Buffer for block n of that size, read
from the disk if its page is not cached (block/bdev.py: the page cache of
the whole disk, so a 1 KiB block shares its page with three others).
Changing a buffer's bytes and calling mark_buffer_dirty() is all a file
system does to write it: write-back (fs/fs_writeback.py) writes the dirty
buffers, each only itself.

A Buffer holds no memory of its own, just where its bytes are: `data`
finds the page every time (reading it back if reclaim dropped it, which it
does only to clean pages without dirty buffers).  So a memoryview taken
from `data` is used at once and never kept across anything that may
allocate memory.
"""

from kernel.errno import EIO, ENOMEM, Errno
from block.bio import REQ_OP_WRITE, SECTOR_SHIFT, Bio, all_of, submit_bio
from fs.fs_writeback import mapping_set_error, mark_mapping_dirty
from mm import physmem as _pm
from mm.physmem import PAGE_SHIFT, PAGE_SIZE, OutOfMemory


class Buffer:
    __slots__ = ("bdev", "blocknr", "size", "index", "offset", "dirty")

    def __init__(self, bdev, blocknr, size):
        self.bdev = bdev
        self.blocknr = blocknr
        self.size = size
        pos = blocknr * size
        self.index = pos >> PAGE_SHIFT
        self.offset = pos & (PAGE_SIZE - 1)
        self.dirty = False

    def __repr__(self):
        return "<Buffer %s:%d%s>" % (self.bdev.disk.disk_name, self.blocknr,
                                     " dirty" if self.dirty else "")

    def _pfn(self):
        try:
            pfn = self.bdev.mapping.read_page(self.index)
        except OutOfMemory:
            raise Errno(ENOMEM)             # no frame for the metadata, even after reclaim
        if pfn is None:
            raise Errno(EIO)                    # beyond the end of the disk
        return pfn

    @property
    def data(self):
        """The block's bytes, a writable memoryview into its page."""
        off = (self._pfn() << PAGE_SHIFT) + self.offset
        return _pm.physmem.mem[off:off + self.size]

    def read(self):
        return bytes(self.data)


def _buffer(bdev, blocknr, size):
    key = (blocknr, size)
    bh = bdev.buffers.get(key)
    if bh is None:
        if (blocknr + 1) * size > bdev.inode.size:
            raise Errno(EIO)
        bh = bdev.buffers[key] = Buffer(bdev, blocknr, size)
    return bh


def sb_bread(bdev, blocknr, size):
    """The buffer of block blocknr, its contents read (EIO if it cannot be)."""
    bh = _buffer(bdev, blocknr, size)
    bh._pfn()
    return bh


def sb_getblk(bdev, blocknr, size):
    """The buffer of a block about to be overwritten whole (a block just
    allocated): zeroed, not read."""
    bh = _buffer(bdev, blocknr, size)
    bh.data[:] = bytes(size)
    return bh


nr_dirty_buffers = 0        # all disks' (fs/fs_writeback.py counts them as dirty pages)


def mark_buffer_dirty(bh):
    global nr_dirty_buffers
    if not bh.dirty:
        bh.dirty = True
        nr_dirty_buffers += 1
        bdev = bh.bdev
        bdev.dirty_buffers.setdefault(bh.index, set()).add(bh)
        mark_mapping_dirty(bdev.mapping)


def clear_buffer_dirty(bh):
    """The buffer's bytes are on their way to the disk, or no longer wanted."""
    global nr_dirty_buffers
    if bh.dirty:
        bh.dirty = False
        nr_dirty_buffers -= 1
        s = bh.bdev.dirty_buffers.get(bh.index)
        if s is not None:
            s.discard(bh)
            if not s:
                del bh.bdev.dirty_buffers[bh.index]


def bforget(bdev, blocknr, size):
    """Block blocknr was freed: whatever its buffer held must not be
    written over whatever the block holds next (a file's data)."""
    bh = bdev.buffers.pop((blocknr, size), None)
    if bh is not None:
        clear_buffer_dirty(bh)


def write_buffers(bdev, bufs):
    """Start writing the buffers bufs (adjacent ones in one bio each);
    they are clean as far as the cache is concerned from now on."""
    bufs = sorted(set(bufs), key=lambda b: b.blocknr * b.size)
    done = []
    run, run_start, run_end = [], None, None
    for bh in bufs + [None]:
        if bh is not None:
            clear_buffer_dirty(bh)
            pos = bh.blocknr * bh.size
            if run and pos == run_end and len(run) < 256:
                run.append(bh)
                run_end = pos + bh.size
                continue
        if run:
            data = b"".join(bytes(b.data) for b in run)
            bio = Bio(REQ_OP_WRITE, run_start >> SECTOR_SHIFT, data, end_io=_buffer_write_end,
                      private=bdev)
            done.append(submit_bio(bdev, bio))
        if bh is not None:
            run, run_start, run_end = [bh], bh.blocknr * bh.size, bh.blocknr * bh.size + bh.size
    return all_of(done)


def _buffer_write_end(bio):
    if bio.status:
        mapping_set_error(bio.private.mapping, bio.status)


def sync_dirty_buffer(bh):
    """Write one buffer now (the superblock at mount and umount)."""
    return write_buffers(bh.bdev, [bh])
