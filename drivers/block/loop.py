"""drivers/block/loop.py - loop devices: a file inside the guest as a disk.

    losetup /dev/loop0 image; mkfs.ext2 /dev/loop0; mount /dev/loop0 /mnt

/dev/loop0../dev/loop7 (block major 7) exist from boot, as with Linux's
CONFIG_BLK_DEV_LOOP_MIN_COUNT=8; /dev/loop-control (misc 10:237) finds a
free one (LOOP_CTL_GET_FREE, making a new one if all are bound), adds
(LOOP_CTL_ADD) and removes (LOOP_CTL_REMOVE) them.  A loop device is bound
to an open file with LOOP_SET_FD or LOOP_CONFIGURE and let go with
LOOP_CLR_FD; LOOP_SET_STATUS(64) and LOOP_GET_STATUS(64) set and show its
offset into the file, size limit, flags and name.

The device's bios (block/bio.py) become reads and writes of the backing
file's page cache - whatever file system it is on (tmpfs, hostfs, ext2 on
a ubd disk) - so they complete at once; a flush writes the backing file
back (an fsync of it).  LOOP_CLR_FD while others still have the device
open only marks it to be cleared at the last close (autoclear), as Linux
has done since 5.x.  Partitions are not scanned (LO_FLAGS_PARTSCAN is
remembered and shown, no loopNpM devices appear).
"""

import struct

from kernel.abi import s32
from kernel.errno import EBADF, EBUSY, EEXIST, EINVAL, EIO, ENODEV, ENXIO, EOVERFLOW, Errno
from block.bio import (REQ_OP_FLUSH, REQ_OP_READ, REQ_OP_WRITE, SECTOR_SHIFT, all_of,
                       done_completion)
from block.genhd import Gendisk, add_disk, del_gendisk
from fs.file import FileOperations, fget
from mm.physmem import OutOfMemory
from mm.uaccess import copy_from_user, copy_to_user
from block.bdev import forget_bdev
from fs.char_dev import register_chrdev
from fs.devtmpfs import devtmpfs_create_node
from fs.inode import S_IFMT, S_ISBLK, S_ISREG
from fs.mount import d_path

LOOP_MAJOR = 7
LOOP_MIN_COUNT = 8
MISC_MAJOR, LOOP_CTRL_MINOR = 10, 237

LOOP_SET_FD, LOOP_CLR_FD, LOOP_SET_STATUS, LOOP_GET_STATUS = 0x4C00, 0x4C01, 0x4C02, 0x4C03
LOOP_SET_STATUS64, LOOP_GET_STATUS64, LOOP_CHANGE_FD = 0x4C04, 0x4C05, 0x4C06
LOOP_SET_CAPACITY, LOOP_SET_DIRECT_IO, LOOP_SET_BLOCK_SIZE = 0x4C07, 0x4C08, 0x4C09
LOOP_CONFIGURE = 0x4C0A
LOOP_CTL_ADD, LOOP_CTL_REMOVE, LOOP_CTL_GET_FREE = 0x4C80, 0x4C81, 0x4C82

LO_FLAGS_READ_ONLY, LO_FLAGS_AUTOCLEAR, LO_FLAGS_PARTSCAN, LO_FLAGS_DIRECT_IO = 1, 4, 8, 16
SETTABLE = LO_FLAGS_AUTOCLEAR | LO_FLAGS_PARTSCAN
CLEARABLE = LO_FLAGS_AUTOCLEAR
CONFIGURE_FLAGS = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR | LO_FLAGS_PARTSCAN | LO_FLAGS_DIRECT_IO
LO_NAME_SIZE, LO_KEY_SIZE = 64, 32

# struct loop_info64 (232 bytes, the same for 32- and 64-bit callers)
_INFO64 = struct.Struct("<QQQQQIIII64s64s32sQQ")
# struct loop_info: longs and the old dev_t differ (x86_64: 8 bytes; i386: 4, dev_t 2)
_INFO_64 = struct.Struct("<i4xQQQiiii64s32sQQ4s4x")
_INFO_32 = struct.Struct("<iH2xIH2xiiii64s32sII4s")


class Loop:
    def __init__(self, n):
        self.n = n
        self.file = None                # the backing File
        self.offset = 0
        self.sizelimit = 0
        self.flags = 0
        self.file_name = b""
        self.crypt_name = b""
        self.block_size = 512
        self.disk = Gendisk(LOOP_MAJOR, n, "loop%d" % n, loop_driver, private=self)
        self.disk.removable = 0

    @property
    def bound(self):
        return self.file is not None

    # -- size -------------------------------------------------------------------------
    def backing_size(self):
        f = self.file
        f.inode.revalidate()
        if S_ISBLK(f.inode.mode):
            return f.private.inode.size
        return f.inode.size

    def compute_capacity(self):
        size = max(0, self.backing_size() - self.offset)
        if self.sizelimit and self.sizelimit < size:
            size = self.sizelimit
        return size >> SECTOR_SHIFT

    def update_capacity(self):
        self.disk.set_capacity(self.compute_capacity() if self.bound else 0)

    # -- I/O ----------------------------------------------------------------------------
    def read(self, pos, buf):
        f = self.file
        data = f.mapping.read(self.offset + pos, len(buf)) if f.mapping is not None else b""
        buf[:len(data)] = data
        if len(data) < len(buf):
            buf[len(data):] = bytes(len(buf) - len(data))

    def write(self, pos, data):
        f = self.file
        inode = f.inode
        if f.mapping is None:
            raise Errno(EIO)
        pos += self.offset
        map_range = getattr(inode, "map_range", None)
        if map_range is not None:               # a file system that allocates blocks (ext2)
            n = map_range(pos, pos + len(data))
            if n < len(data):
                raise Errno(EIO)
        f.mapping.write(pos, data)
        inode.touch(m=True, c=True)
        inode.write_back_maybe()

    def flush(self):
        """The backing file to where it is kept: a Completion."""
        f = self.file
        inode = f.inode
        sb = inode.sb
        if inode.start_writeback is not None and sb.bdev_backed():
            c = inode.start_writeback()
            if inode in (sb.dirty_inodes or ()):
                sb.dirty_inodes.discard(inode)
                inode.write_inode()
            return all_of([c, sb.bdev.sync()])
        try:
            inode.sync()
        except Errno as e:
            return done_completion(-e.errno)
        return done_completion()


class LoopDriver:
    name = "loop"

    def submit(self, disk, bio):
        lo = disk.private
        if not lo.bound:
            bio.bio_endio(-EIO)
            return
        try:
            pos = bio.sector << SECTOR_SHIFT
            if bio.op == REQ_OP_READ:
                for buf in bio.buffers():
                    lo.read(pos, buf)
                    pos += len(buf)
                bio.bio_endio(0)
            elif bio.op == REQ_OP_WRITE:
                if lo.flags & LO_FLAGS_READ_ONLY:
                    raise Errno(EIO)
                lo.write(pos, b"".join(bytes(b) for b in bio.buffers()))
                bio.bio_endio(0)
            elif bio.op == REQ_OP_FLUSH:
                lo.flush().then(lambda c: bio.bio_endio(-EIO if c.status else 0))
        except (Errno, OutOfMemory):
            # the backing file could not take it (its file system is full):
            # an I/O error of the loop device, as Linux's
            bio.bio_endio(-EIO)

    def release(self, disk, f):
        lo = disk.private
        bdev = disk.bdev
        if lo.bound and lo.flags & LO_FLAGS_AUTOCLEAR and bdev is not None and bdev.openers == 0:
            _clr(lo)

    def ioctl(self, disk, bdev, f, t, cmd, arg):
        return loop_ioctl(disk.private, bdev, f, t, cmd, arg)

    def sysfs_extra(self, disk):
        """/sys/block/loopN/loop/... (only while bound, as Linux)."""
        lo = disk.private
        if not lo.bound:
            return {}
        return {"loop": {
            "backing_file": d_path(lo.file.path).decode(errors="replace") + "\n",
            "offset": "%d\n" % lo.offset, "sizelimit": "%d\n" % lo.sizelimit,
            "autoclear": "%d\n" % bool(lo.flags & LO_FLAGS_AUTOCLEAR),
            "partscan": "%d\n" % bool(lo.flags & LO_FLAGS_PARTSCAN),
            "dio": "%d\n" % bool(lo.flags & LO_FLAGS_DIRECT_IO)}}

    def logical_block_size(self, disk):
        return disk.private.block_size


loop_driver = LoopDriver()
loops = {}                  # n -> Loop


# -- binding --------------------------------------------------------------------------------

def _backing_file(t, fd):
    f = fget(t, fd)
    if f is None or f.mode & 4:                     # FMODE_PATH
        raise Errno(EBADF)
    if not (S_ISREG(f.inode.mode) or S_ISBLK(f.inode.mode)) or f.mapping is None:
        raise Errno(EINVAL)
    return f


def _bind(lo, bdev, f, t, fd, flags, offset=0, sizelimit=0, block_size=0, name=b""):
    if lo.bound:
        raise Errno(EBUSY)
    backing = _backing_file(t, fd)
    if S_ISBLK(backing.inode.mode) and backing.private is bdev:
        raise Errno(EINVAL)                         # itself
    if block_size and (block_size < 512 or block_size > 4096 or block_size & (block_size - 1)):
        raise Errno(EINVAL)
    if not backing.writable() or backing.path.mnt.read_only or \
            backing.inode.sb.read_only:
        flags |= LO_FLAGS_READ_ONLY
    lo.file = backing.get()
    lo.flags = flags & CONFIGURE_FLAGS
    lo.offset, lo.sizelimit = offset, sizelimit
    lo.block_size = block_size or 512
    lo.file_name = (name or d_path(backing.path))[:LO_NAME_SIZE - 1]
    lo.crypt_name = b""
    lo.disk.read_only = bool(lo.flags & LO_FLAGS_READ_ONLY)
    lo.update_capacity()
    return 0


def _clr(lo):
    f, lo.file = lo.file, None
    lo.flags = lo.offset = lo.sizelimit = 0
    lo.file_name = b""
    lo.block_size = 512
    lo.disk.read_only = False
    lo.disk.set_capacity(0)
    if f is not None:
        f.put()


def loop_set_status(lo, bdev, t, cmd, arg):
    """LOOP_SET_STATUS64, or the old LOOP_SET_STATUS with its per-ABI layout."""
    if not lo.bound:
        return -ENXIO
    if cmd == LOOP_SET_STATUS64:
        info = _INFO64.unpack(copy_from_user(t.mm, arg, _INFO64.size))
        offset, sizelimit, flags, name = info[3], info[4], info[8], info[9]
    else:
        layout = _INFO_64 if t.arch.BITS == 64 else _INFO_32
        info = layout.unpack(copy_from_user(t.mm, arg, layout.size))
        offset, sizelimit, flags, name = info[4] & 0xFFFFFFFF, 0, info[7], info[8]
    if offset != lo.offset or sizelimit != lo.sizelimit:
        bdev._writeback()
        lo.offset, lo.sizelimit = offset, sizelimit
        lo.update_capacity()
    lo.flags = (lo.flags & ~CLEARABLE) | (flags & SETTABLE) | (lo.flags & LO_FLAGS_PARTSCAN)
    lo.file_name = name.split(b"\0", 1)[0][:LO_NAME_SIZE - 1]
    return 0


def loop_get_status(lo, t, cmd, arg):
    """LOOP_GET_STATUS64, or the old LOOP_GET_STATUS (EOVERFLOW where i386's
    16-bit device or 32-bit inode number cannot hold it)."""
    if not lo.bound:
        return -ENXIO
    st = lo.file.inode
    dev = st.sb_dev or st.sb.dev
    name = lo.file_name.ljust(LO_NAME_SIZE, b"\0")
    if cmd == LOOP_GET_STATUS64:
        raw = _INFO64.pack(dev, st.ino, st.rdev, lo.offset, lo.sizelimit, lo.n, 0, 0,
                           lo.flags, name, lo.crypt_name.ljust(64, b"\0"), bytes(32), 0, 0)
    elif t.arch.BITS == 64:
        raw = _INFO_64.pack(lo.n, dev, st.ino, st.rdev, min(lo.offset, 0x7FFFFFFF), 0, 0,
                            lo.flags, name, bytes(32), 0, 0, bytes(4))
    else:
        if dev > 0xFFFF or st.ino > 0xFFFFFFFF:
            return -EOVERFLOW
        raw = _INFO_32.pack(lo.n, dev, st.ino, st.rdev & 0xFFFF, min(lo.offset, 0x7FFFFFFF),
                            0, 0, lo.flags, name, bytes(32), 0, 0, bytes(4))
    copy_to_user(t.mm, arg, raw)
    return 0


def loop_ioctl(lo, bdev, f, t, cmd, arg):
    if cmd == LOOP_SET_FD:
        return _bind(lo, bdev, f, t, s32(arg), 0 if f.writable() else LO_FLAGS_READ_ONLY)
    if cmd == LOOP_CONFIGURE:
        raw = copy_from_user(t.mm, arg, 8 + _INFO64.size)
        fd, block_size = struct.unpack_from("<Ii", raw, 0)
        info = _INFO64.unpack_from(raw, 8)
        flags = info[8]
        if flags & ~CONFIGURE_FLAGS:
            return -EINVAL
        if not f.writable():
            flags |= LO_FLAGS_READ_ONLY
        return _bind(lo, bdev, f, t, s32(fd), flags, info[3], info[4], block_size,
                     info[9].split(b"\0", 1)[0])
    if cmd == LOOP_CLR_FD:
        if not lo.bound:
            return -ENXIO
        if bdev.openers > 1:
            lo.flags |= LO_FLAGS_AUTOCLEAR          # cleared at the last close
            return 0
        bdev._writeback()
        _clr(lo)
        return 0
    if cmd in (LOOP_SET_STATUS64, LOOP_SET_STATUS):
        return loop_set_status(lo, bdev, t, cmd, arg)
    if cmd in (LOOP_GET_STATUS64, LOOP_GET_STATUS):
        return loop_get_status(lo, t, cmd, arg)
    if cmd == LOOP_SET_CAPACITY:
        if not lo.bound:
            return -ENXIO
        lo.update_capacity()
        return 0
    if cmd == LOOP_SET_BLOCK_SIZE:
        if not lo.bound:
            return -ENXIO
        if arg < 512 or arg > 4096 or arg & (arg - 1):
            return -EINVAL
        lo.block_size = arg
        return 0
    if cmd == LOOP_SET_DIRECT_IO:
        if not lo.bound:
            return -ENXIO
        if arg and lo.offset % lo.block_size:
            return -EINVAL
        lo.flags = lo.flags | LO_FLAGS_DIRECT_IO if arg else lo.flags & ~LO_FLAGS_DIRECT_IO
        return 0
    if cmd == LOOP_CHANGE_FD:
        if not lo.bound:
            return -ENXIO
        if not lo.flags & LO_FLAGS_READ_ONLY:
            return -EINVAL
        new = _backing_file(t, s32(arg))
        old_size = lo.backing_size()
        if new.inode.size != old_size or (new.inode.mode & S_IFMT) != (lo.file.inode.mode & S_IFMT):
            return -EINVAL
        old, lo.file = lo.file, new.get()
        old.put()
        lo.file_name = d_path(new.path)[:LO_NAME_SIZE - 1]
        bdev.size_changed()
        return 0
    return None


# -- /dev/loop-control ---------------------------------------------------------------------------

def loop_add(n):
    if n in loops:
        raise Errno(EEXIST)
    if not 0 <= n < 1 << 20:
        raise Errno(EINVAL)
    lo = loops[n] = Loop(n)
    add_disk(lo.disk)
    return lo


def loop_remove(n):
    lo = loops.get(n)
    if lo is None:
        raise Errno(ENODEV)
    bdev = lo.disk.bdev
    if lo.bound or (bdev is not None and bdev.openers):
        raise Errno(EBUSY)
    del loops[n]
    forget_bdev(lo.disk)
    del_gendisk(lo.disk)


class LoopControlOps(FileOperations):
    def ioctl(self, f, t, cmd, arg):
        if cmd == LOOP_CTL_GET_FREE:
            for n in sorted(loops):
                if not loops[n].bound:
                    return n
            n = max(loops, default=-1) + 1
            loop_add(n)
            return n
        if cmd in (LOOP_CTL_ADD, LOOP_CTL_REMOVE):
            # no capability check: Linux's loop_control_ioctl has none (the
            # device node's 0600 mode is the gate)
            n = s32(arg)
            if cmd == LOOP_CTL_ADD:
                if n < 0:
                    n = max(loops, default=-1) + 1
                loop_add(n)
                return n
            loop_remove(n)
            return n
        return None


def loop_init():
    register_chrdev(MISC_MAJOR, LOOP_CTRL_MINOR, LoopControlOps())
    devtmpfs_create_node(b"loop-control", 0o660, MISC_MAJOR, LOOP_CTRL_MINOR)
    for n in range(LOOP_MIN_COUNT):
        loop_add(n)
