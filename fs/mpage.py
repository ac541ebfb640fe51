"""fs/mpage.py - the page cache of things stored in disk blocks.

A BlockMapping is the page cache (fs/pagecache.py) of a file whose bytes
live in blocks of a disk: a regular file of ext2/ext4, or a disk itself
(block/bdev.py, where block n is simply block n).  Its owner supplies
get_block(iblock, create) -> the disk block holding the file's block
iblock (0 for a hole; with create, allocate one).  From that, this file
reads a page with as few bios as the blocks' layout allows and writes a
dirty page back the same way (Linux's mpage_readpage/mpage_writepage).

Reading ahead: a miss right after the previous one (a sequential reader)
reads a window of pages at once - 4, then doubling up to RA_MAX_PAGES -
with one bio per run of consecutive disk blocks (a bio may carry a list
of page buffers, read with one host preadv); any other miss reads just
its page, as metadata lookups do (Linux's on-demand readahead, without
the asynchronous part).

Its pages are on the reclaim list (mm/vmscan.py): a clean page can be
dropped whenever memory is short, and read again when next needed.  Its
dirty set tells the flusher when it needs writing (fs/fs_writeback.py).
"""

from kernel.errno import EIO, ENOSPC, Errno
from block.bio import (Bio, REQ_OP_READ, REQ_OP_WRITE, SECTOR_SHIFT, all_of, done_completion,
                       submit_bio)
from fs.fs_writeback import DirtySet, mapping_clean, mapping_set_error
from mm import physmem as _pm
from mm.physmem import PAGE_SHIFT, PAGE_SIZE, OutOfMemory
from mm.vmscan import ReclaimableMapping


RA_MAX_PAGES = 32                       # 128 KiB, Linux's default read_ahead_kb


class BlockMapping(ReclaimableMapping):
    def __init__(self, host, bdev):
        super().__init__(host)
        self.dirty = DirtySet(self)
        self.bdev = bdev
        self.wb_err = 0
        self.ra_next = -1               # the page a sequential reader wants next
        self.ra_size = 0

    def read_page(self, index):
        """The page at index (None beyond the end), reading ahead when the
        reader is sequential."""
        pfn = self.pages.get(index)
        if pfn is not None:
            return pfn
        size = self.host.size
        if index << PAGE_SHIFT >= size:
            return None
        if index == self.ra_next:
            self.ra_size = min(max(self.ra_size * 2, 4), RA_MAX_PAGES)
        else:
            self.ra_size = 1
        last = min((size - 1) >> PAGE_SHIFT, index + self.ra_size - 1)
        pm = _pm.physmem
        indexes, frames = [index], [self._new_frame()]
        for i in range(index + 1, last + 1):
            if i in self.pages:
                break
            try:
                frames.append(self._new_frame())
            except OutOfMemory:
                break
            indexes.append(i)
        self.ra_next = indexes[-1] + 1
        views = [pm.mem[f << PAGE_SHIFT:(f + 1) << PAGE_SHIFT] for f in frames]
        try:
            readpages = getattr(self.host, "readpages", None)
            if readpages is not None:
                readpages(indexes, views)
            else:
                for i, v in zip(indexes, views):
                    self.host.readpage(i, v)
        except BaseException:
            for f in frames:
                pm.put_frame(f)
            raise
        for i, f in zip(indexes, frames):
            self._add(i, f)
        return frames[0]

    # what write-back asks (block/bdev.py overrides it)
    def has_dirty(self):
        return bool(self.dirty)

    def writeback(self):
        """Start writing every dirty page; a Completion."""
        done = []
        for index in sorted(self.dirty):
            self.dirty.discard(index)
            done.append(mpage_writepage(self, index))
        mapping_clean(self)
        return all_of(done)


def _runs(inode, index, create):
    """[(offset in page, first disk block, nblocks)] for the blocks of page
    index inside the file; holes are left out."""
    bits = inode.sb.blocksize_bits
    bs = 1 << bits
    per = PAGE_SIZE >> bits
    first = index * per
    size = inode.size
    runs = []
    for i in range(per):
        ib = first + i
        if ib << bits >= size:
            break
        pblk = inode.get_block(ib, create)
        if not pblk:
            continue
        if runs and runs[-1][0] + runs[-1][2] * bs == i * bs and runs[-1][1] + runs[-1][2] == pblk:
            off, start, n = runs[-1]
            runs[-1] = (off, start, n + 1)
        else:
            runs.append((i * bs, pblk, 1))
    return runs


def mpage_readpage(inode, index, buf):
    """Fill buf (one page) with the file's bytes at page index: holes and
    the part beyond the end of the file are zeros."""
    buf[:] = bytes(PAGE_SIZE)
    bits = inode.sb.blocksize_bits
    bdev = inode.sb.bdev
    for off, pblk, n in _runs(inode, index, False):
        nbytes = n << bits
        bio = Bio(REQ_OP_READ, pblk << (bits - SECTOR_SHIFT), buf[off:off + nbytes])
        if submit_bio(bdev, bio).status:
            raise Errno(EIO)
    tail = inode.size - (index << PAGE_SHIFT)
    if 0 <= tail < PAGE_SIZE:
        buf[tail:] = bytes(PAGE_SIZE - tail)


def mpage_readpages(inode, indexes, bufs):
    """Fill the pages bufs (of the file's pages indexes, in order) with as
    few bios as the blocks allow: runs of consecutive disk blocks become
    one bio with a list of page pieces."""
    bits = inode.sb.blocksize_bits
    shift = bits - SECTOR_SHIFT
    groups = []                         # [first sector, next sector, [views]]
    for index, buf in zip(indexes, bufs):
        buf[:] = bytes(PAGE_SIZE)
        for off, pblk, n in _runs(inode, index, False):
            view = buf[off:off + (n << bits)]
            sector = pblk << shift
            if groups and groups[-1][1] == sector:
                groups[-1][1] += n << shift
                groups[-1][2].append(view)
            else:
                groups.append([sector, sector + (n << shift), [view]])
    bdev = inode.sb.bdev
    for sector, _, views in groups:
        if submit_bio(bdev, Bio(REQ_OP_READ, sector, views)).status:
            raise Errno(EIO)
    tail = inode.size - (indexes[-1] << PAGE_SHIFT)
    if 0 <= tail < PAGE_SIZE:
        bufs[-1][tail:] = bytes(PAGE_SIZE - tail)


def mpage_writepage(mapping, index):
    """Start writing page index to its blocks (allocating blocks a shared
    mapping wrote into a hole); returns a Completion."""
    inode = mapping.host
    pfn = mapping.pages.get(index)
    if pfn is None:
        return done_completion()
    pm = _pm.physmem
    bits = inode.sb.blocksize_bits
    try:
        runs = _runs(inode, index, True)
    except (Errno, OutOfMemory) as e:
        st = -(e.errno if isinstance(e, Errno) else ENOSPC)
        mapping_set_error(mapping, st)
        return done_completion(st)
    base = pfn << PAGE_SHIFT
    done = []
    for off, pblk, n in runs:
        data = bytes(pm.mem[base + off:base + off + (n << bits)])
        bio = Bio(REQ_OP_WRITE, pblk << (bits - SECTOR_SHIFT), data,
                  end_io=lambda b, m=mapping: b.status and mapping_set_error(m, b.status))
        done.append(submit_bio(inode.sb.bdev, bio))
    return all_of(done)
