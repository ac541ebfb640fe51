"""block/bdev.py - struct block_device: a disk as a file, and its page cache.

Every disk (block/genhd.py) gets one BlockDevice when first used.  It
owns the disk's page cache, bd_mapping: 4 KiB pages of the disk in
physmem frames.  That one cache serves both users of a disk:

 - a block device file (/dev/ubdb opened by mkfs or dd): read() and
   write() copy through it, mmap() maps its very frames;
 - a file system mounted on the disk: its metadata blocks are buffers
   (fs/buffer.py) inside the same pages - Linux's "buffer cache" has been
   the block device's page cache since 2.4.

Pages are filled by whole-page reads from the disk.  Dirty state is kept
two ways: a whole page (written through the device file or a shared
mapping: bd_mapping.dirty) or single buffers (a file system's metadata:
bdev.dirty_buffers), so that write-back never rewrites blocks nobody
changed - a file's data blocks go to the disk from the file's own page
cache (fs/mpage.py), and a stale copy here must not overwrite them.

Opening: any number of plain opens; O_EXCL (mkfs, e2fsck) and mounting
claim the device exclusively - a mounted disk cannot be opened O_EXCL
(EBUSY), an O_EXCL-open one cannot be mounted.
"""

from kernel.errno import EACCES, EBUSY, EIO, ENOMEM, ENOSPC, ENOTBLK, ENXIO, EPERM, EROFS, Errno
from block.bio import (REQ_OP_READ, REQ_OP_WRITE, SECTOR_SHIFT, Bio, Completion,
                       all_of, bio_flush, submit_bio, wait_for)
from fs.file import (FileOperations, O_DIRECT, O_DSYNC, O_EXCL, POLLIN, POLLOUT, POLLRDNORM,
                     POLLWRNORM)
from fs.inode import Inode, S_IFBLK, S_ISBLK, SuperBlock
from mm import physmem as _pm
from mm.physmem import OutOfMemory, PAGE_SHIFT, PAGE_SIZE
from block.genhd import get_gendisk
from block.ioctl import blkdev_ioctl
from fs.namei import AT_FDCWD, path_lookup
from fs.read_write import generic_llseek
from kernel import sched

_bdevs = {}                 # dev_t -> BlockDevice


class BdevSuperBlock(SuperBlock):
    """The internal "bdev" file system the devices' own inodes live on."""

    def __init__(self):
        super().__init__("bdev", magic=0x62646576)

    def writeback(self):
        """Write back every block device's dirty pages (no file system's)."""
        return all_of([b.mapping.writeback() for b in _bdevs.values()])


bdev_sb = BdevSuperBlock()


class BdevInode(Inode):
    """bd_inode: the device's own inode, whose size is the disk's."""

    def __init__(self, bdev):
        super().__init__(bdev_sb, S_IFBLK | 0o600, rdev=bdev.dev)
        self.bdev = bdev

    @property
    def size(self):
        return self.bdev.disk.capacity << SECTOR_SHIFT

    @size.setter
    def size(self, v):
        pass                            # a disk's size is the driver's to say

    def readpage(self, index, buf):
        """Fill one page of the device from the disk (the tail past the
        end of the disk reads as zeros)."""
        start = index << PAGE_SHIFT
        n = min(PAGE_SIZE, self.size - start)
        if n <= 0:
            buf[:] = bytes(PAGE_SIZE)
            return
        n &= ~511
        st = submit_bio(self.bdev, Bio(REQ_OP_READ, start >> SECTOR_SHIFT, buf[:n])).status
        if n < PAGE_SIZE:
            buf[n:] = bytes(PAGE_SIZE - n)
        if st:
            raise Errno(EIO)


def _bdev_readpages(inode, indexes, bufs):
    """Readahead on a disk: whole pages at consecutive indexes are one bio
    (the last page, if the disk ends inside it, is read on its own)."""
    size = inode.size
    whole = [(i, b) for i, b in zip(indexes, bufs) if (i + 1) << PAGE_SHIFT <= size]
    rest = [(i, b) for i, b in zip(indexes, bufs) if (i + 1) << PAGE_SHIFT > size]
    if whole:
        first = whole[0][0]
        if submit_bio(inode.bdev, Bio(REQ_OP_READ, (first << PAGE_SHIFT) >> SECTOR_SHIFT,
                                      [b for _, b in whole])).status:
            raise Errno(EIO)
    for i, b in rest:
        inode.readpage(i, b)


BdevInode.readpages = _bdev_readpages


def _blocksize_for(nbytes):
    """Linux's set_init_blocksize: the largest power of two up to a page
    that divides the size."""
    bs = 512
    while bs < PAGE_SIZE and not nbytes & bs:
        bs <<= 1
    return bs


class BlockDevice:
    def __init__(self, disk):
        # cycle: fs.mpage -> fs.fs_writeback -> block.bdev
        from fs.mpage import BlockMapping
        self.disk = disk
        self.dev = disk.dev
        self.inode = BdevInode(self)
        self.mapping = BlockMapping(self.inode, self)
        self.mapping.writeback = self._writeback
        self.mapping.has_dirty = self._has_dirty
        self.mapping.page_busy = self._page_busy
        self.buffers = {}               # (blocknr, size) -> fs/buffer.py Buffer
        self.dirty_buffers = {}         # page index -> set of Buffers
        self.openers = 0
        self.holder = None              # who claimed it: a SuperBlock or a File
        self.block_size = _blocksize_for(self.inode.size)

    def __repr__(self):
        return "<bdev %s>" % self.disk.disk_name

    @property
    def read_only(self):
        return self.disk.read_only

    def size_changed(self):
        """The disk changed size (a loop device bound or cleared): what was
        cached belongs to another disk."""
        # cycle: fs.buffer -> fs.fs_writeback -> block.bdev
        from fs.buffer import clear_buffer_dirty
        for s in list(self.dirty_buffers.values()):
            for bh in list(s):
                clear_buffer_dirty(bh)
        self.mapping.truncate(0)
        self.buffers.clear()
        self.block_size = _blocksize_for(self.inode.size)

    # -- exclusive claims ------------------------------------------------------
    def claim(self, holder):
        if self.holder is not None and self.holder is not holder:
            raise Errno(EBUSY)
        self.holder = holder

    def release_claim(self, holder):
        if self.holder is holder:
            self.holder = None

    # -- write-back -------------------------------------------------------------
    def _has_dirty(self):
        return bool(self.mapping.dirty) or bool(self.dirty_buffers)

    def _page_busy(self, index):
        return index in self.dirty_buffers

    def _writeback(self):
        """Start writing every dirty page and buffer; returns a Completion.
        Whole dirty pages are written whole (up to the end of the disk),
        dirty buffers one run of adjacent ones at a time."""
        # cycle: fs.buffer -> fs.fs_writeback -> block.bdev
        from fs.buffer import clear_buffer_dirty, write_buffers
        pm = _pm.physmem
        m = self.mapping
        done = []
        size = self.inode.size
        for index in sorted(m.dirty):
            pfn = m.pages.get(index)
            m.dirty.discard(index)
            for bh in list(self.dirty_buffers.get(index, ())):
                clear_buffer_dirty(bh)              # the whole page carries them
            if pfn is None:
                continue
            start = index << PAGE_SHIFT
            n = min(PAGE_SIZE, size - start)
            if n <= 0:
                continue
            off = pfn << PAGE_SHIFT
            bio = Bio(REQ_OP_WRITE, start >> SECTOR_SHIFT, bytes(pm.mem[off:off + n]),
                      end_io=self._write_end)
            done.append(submit_bio(self, bio))
        if self.dirty_buffers:
            bufs = [b for s in self.dirty_buffers.values() for b in s]
            done.append(write_buffers(self, bufs))
        # cycle: fs.fs_writeback -> block.bdev
        from fs.fs_writeback import mapping_clean
        mapping_clean(m)
        return all_of(done)

    def _write_end(self, bio):
        if bio.status:
            # cycle: fs.fs_writeback -> block.bdev
            from fs.fs_writeback import mapping_set_error
            mapping_set_error(self.mapping, bio.status)

    def sync(self):
        """sync_blockdev plus a cache flush: a Completion for everything
        written so far being on stable storage."""
        wb = self._writeback()
        out = Completion()

        def flushed(c):
            out.complete(out.status or c.status)

        def written(c):
            out.status = c.status
            bio_flush(self).then(flushed)
        wb.then(written)
        return out

    def invalidate(self):
        """BLKFLSBUF: drop the clean pages nobody maps or holds."""
        pm = _pm.physmem
        m = self.mapping
        for index in list(m.pages):
            if index in m.dirty or index in self.dirty_buffers:
                continue
            if pm.refcount[m.pages[index]] > 1:
                continue
            for key in [k for k, b in self.buffers.items() if b.index == index]:
                del self.buffers[key]
            m._drop(index)


def bdget(dev):
    """The BlockDevice of dev_t dev (ENXIO if there is no such disk)."""
    disk = get_gendisk(dev)
    bdev = disk.bdev
    if bdev is None or _bdevs.get(dev) is not bdev:
        bdev = disk.bdev = _bdevs[dev] = BlockDevice(disk)
    return bdev


def forget_bdev(disk):
    """The disk is gone (a removed loop device)."""
    if _bdevs.get(disk.dev) is disk.bdev:
        del _bdevs[disk.dev]
    disk.bdev = None


def all_bdevs():
    return list(_bdevs.values())


def lookup_bdev(t, name):
    """The BlockDevice a path names (mount's source): ENOTBLK if it is not
    a block device node."""
    path = path_lookup(t, name, AT_FDCWD)
    inode = path.dentry.inode
    if not S_ISBLK(inode.mode):
        raise Errno(ENOTBLK)
    if path.mnt.flags & 4:                          # MS_NODEV: no devices from there
        raise Errno(EACCES)
    return bdget(inode.rdev)


# -- the block device file (Linux's def_blk_fops) ---------------------------------------

class BlkdevFileOperations(FileOperations):
    seekable = True

    def open(self, f, t):
        bdev = bdget(f.inode.rdev)
        disk = bdev.disk
        opener = getattr(disk.driver, "open", None)
        if opener is not None:
            opener(disk, f)
        if f.writable() and disk.read_only and getattr(disk.driver, "ro_open_refused", False):
            raise Errno(EROFS)
        if f.open_flags & O_EXCL:
            bdev.claim(f)
        f.private = bdev
        f.mapping = bdev.mapping
        bdev.openers += 1
        # cycle: fs.fs_writeback -> block.bdev
        from fs.fs_writeback import file_sample_wb_err
        file_sample_wb_err(f)

    def release(self, f):
        bdev = f.private
        if bdev is None:
            return
        bdev.release_claim(f)
        bdev.openers -= 1
        if bdev.openers == 0:
            bdev._writeback()           # sync_blockdev on the last close
        closer = getattr(bdev.disk.driver, "release", None)
        if closer is not None:
            closer(bdev.disk, f)

    def _bdev(self, f):
        bdev = f.private
        if bdev is None or bdev.disk.bdev is not bdev:
            raise Errno(ENXIO)
        return bdev

    def read(self, f, t, count):
        data = self.pread(f, t, count, f.pos)
        f.pos += len(data)
        return data

    def pread(self, f, t, count, pos):
        bdev = self._bdev(f)
        try:
            return bdev.mapping.read(pos, count)
        except OutOfMemory:
            raise Errno(ENOMEM)

    def write(self, f, t, data):
        n = self.pwrite(f, t, data, f.pos)
        if isinstance(n, int):
            f.pos += n
            return n
        return self._advance(f, n)

    def _advance(self, f, gen):
        n = yield from gen
        if n > 0:
            f.pos += n
        return n

    def pwrite(self, f, t, data, pos):
        bdev = self._bdev(f)
        if bdev.read_only:
            raise Errno(EPERM)
        size = bdev.inode.size
        if pos >= size:
            if not data:
                return 0
            raise Errno(ENOSPC)
        data = data[:size - pos]
        m = bdev.mapping
        try:
            n = m.write(pos, data)
        except OutOfMemory:
            raise Errno(ENOMEM)
        # cycle: fs.fs_writeback -> block.bdev
        from fs.fs_writeback import balance_dirty_pages
        if f.flags & (O_DIRECT | O_DSYNC):
            # O_DIRECT and O_SYNC: the write is on the disk before it returns
            return self._write_through(f, t, n, f.flags & O_DSYNC)
        wait = balance_dirty_pages(t)
        if wait is not None:
            return self._then(wait, n)
        return n

    def _then(self, gen, n):
        yield from gen
        return n

    def _write_through(self, f, t, n, flush):
        bdev = f.private
        c = bdev.sync() if flush else bdev._writeback()
        st = yield from wait_for(t, c)
        if st:
            return st
        return n

    def llseek(self, f, offset, whence):
        return generic_llseek(f, offset, whence, self._bdev(f).inode.size)

    def fsync(self, f):
        bdev = self._bdev(f)
        return _fsync_wait(f, bdev)

    def ioctl(self, f, t, cmd, arg):
        return blkdev_ioctl(self._bdev(f), f, t, cmd, arg)

    def poll(self, f, t):
        return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM, ()


def _fsync_wait(f, bdev):
    # cycle: fs.fs_writeback -> block.bdev
    from fs.fs_writeback import file_check_and_advance_wb_err
    t = sched.current
    st = yield from wait_for(t, bdev.sync())
    err = file_check_and_advance_wb_err(f)
    return st or err


def_blk_fops = BlkdevFileOperations()
