"""block/ioctl.py - the ioctls every block device file answers.

What mkfs, e2fsck, blockdev(8) and LTP's tst_device ask a disk: its size
(BLKGETSIZE64 in bytes, BLKGETSIZE in sectors), its sector and block
sizes, whether it is read-only, and to drop its cache (BLKFLSBUF).
Anything else goes to the disk's driver (the loop device's LOOP_*), and
is ENOTTY if the driver does not know it either.  Numbers that carry a
size_t differ between x86_64 and i386 (_IOR(0x12, 114, size_t)); both
forms are accepted.
"""

import struct

from kernel.errno import EACCES, EBADF, EBUSY, EFBIG, EINVAL, ENOTTY, EOPNOTSUPP, EPERM
from kernel.capability import CAP_SYS_ADMIN, capable
from block.bio import SECTOR_SHIFT
from mm.uaccess import copy_from_user, copy_to_user

BLKROSET, BLKROGET, BLKRRPART, BLKGETSIZE, BLKFLSBUF = 0x125D, 0x125E, 0x125F, 0x1260, 0x1261
BLKRASET, BLKRAGET, BLKFRASET, BLKFRAGET = 0x1262, 0x1263, 0x1264, 0x1265
BLKSECTGET, BLKSSZGET = 0x1267, 0x1268
BLKIOMIN, BLKIOOPT, BLKALIGNOFF, BLKPBSZGET = 0x1278, 0x1279, 0x127A, 0x127B
BLKDISCARD, BLKDISCARDZEROES, BLKSECDISCARD, BLKZEROOUT = 0x1277, 0x127C, 0x127D, 0x127F
BLKROTATIONAL = 0x127E
HDIO_GETGEO = 0x0301


def _ior(nr, size):
    return (2 << 30) | (size << 16) | (0x12 << 8) | nr


def _iow(nr, size):
    return (1 << 30) | (size << 16) | (0x12 << 8) | nr


BLKBSZGET = {_ior(112, 8): 8, _ior(112, 4): 4}
BLKBSZSET = {_iow(113, 8): 8, _iow(113, 4): 4}
BLKGETSIZE64 = {_ior(114, 8), _ior(114, 4)}


def _put_int(t, arg, v, size=4):
    copy_to_user(t.mm, arg, struct.pack("<i" if size == 4 else "<q", v))
    return 0


def _put_ulong(t, arg, v):
    if t.arch.BITS == 64:
        copy_to_user(t.mm, arg, struct.pack("<Q", v & (2**64 - 1)))
    else:
        copy_to_user(t.mm, arg, struct.pack("<I", v & 0xFFFFFFFF))
    return 0


def logical_block_size(disk):
    fn = getattr(disk.driver, "logical_block_size", None)
    return fn(disk) if fn is not None else 512


def blkdev_ioctl(bdev, f, t, cmd, arg):
    disk = bdev.disk
    size = disk.capacity << SECTOR_SHIFT
    if cmd in BLKGETSIZE64:
        copy_to_user(t.mm, arg, struct.pack("<Q", size))
        return 0
    if cmd == BLKGETSIZE:
        if t.arch.BITS == 32 and disk.capacity > 0xFFFFFFFF:
            return -EFBIG
        return _put_ulong(t, arg, disk.capacity)
    if cmd == BLKSSZGET:
        return _put_int(t, arg, logical_block_size(disk))
    if cmd in (BLKPBSZGET, BLKIOMIN):
        return _put_int(t, arg, 512)
    if cmd in (BLKIOOPT, BLKALIGNOFF):
        return _put_int(t, arg, 0)
    if cmd in BLKBSZGET:
        return _put_int(t, arg, bdev.block_size)
    if cmd in BLKBSZSET:
        v = struct.unpack("<i", copy_from_user(t.mm, arg, 4))[0]
        if v < 512 or v > 4096 or v & (v - 1):
            return -EINVAL
        if bdev.holder is not None and bdev.holder is not f:
            return -EBUSY
        bdev.block_size = v
        return 0
    if cmd == BLKROGET:
        return _put_int(t, arg, 1 if disk.read_only else 0)
    if cmd == BLKROSET:
        if not capable(t, CAP_SYS_ADMIN):
            return -EACCES
        v = struct.unpack("<i", copy_from_user(t.mm, arg, 4))[0]
        set_ro = getattr(disk.driver, "set_read_only", None)
        if set_ro is not None:
            set_ro(disk, bool(v))
        else:
            disk.read_only = bool(v)
        return 0
    if cmd == BLKFLSBUF:
        if not capable(t, CAP_SYS_ADMIN):
            return -EACCES
        bdev._writeback()
        bdev.invalidate()
        return 0
    if cmd in (BLKRAGET, BLKFRAGET):
        return _put_ulong(t, arg, 256)
    if cmd in (BLKRASET, BLKFRASET):
        return 0 if capable(t, CAP_SYS_ADMIN) else -EACCES
    if cmd == BLKSECTGET:
        copy_to_user(t.mm, arg, struct.pack("<H", 2048))
        return 0
    if cmd == BLKROTATIONAL:
        copy_to_user(t.mm, arg, struct.pack("<H", 0))
        return 0
    if cmd == BLKDISCARDZEROES:
        return _put_int(t, arg, 0)
    if cmd in (BLKDISCARD, BLKSECDISCARD):
        return -EOPNOTSUPP
    if cmd == BLKZEROOUT:
        return _zeroout(bdev, f, t, arg)
    if cmd == BLKRRPART:
        return -EINVAL                  # whole-disk images, no partition table
    if cmd == HDIO_GETGEO:
        heads, sectors = 4, 16          # what UML's ubd_getgeo says
        cyl = disk.capacity // (heads * sectors)
        raw = struct.pack("<BBH", heads, sectors, min(cyl, 0xFFFF))
        raw += struct.pack("<Q" if t.arch.BITS == 64 else "<I", 0)
        copy_to_user(t.mm, arg, raw)
        return 0
    drv = getattr(disk.driver, "ioctl", None)
    if drv is not None:
        r = drv(disk, bdev, f, t, cmd, arg)
        if r is not None:
            return r
    return -ENOTTY


def _zeroout(bdev, f, t, arg):
    start, length = struct.unpack("<QQ", copy_from_user(t.mm, arg, 16))
    if start & 511 or length & 511:
        return -EINVAL
    if not f.writable():
        return -EBADF
    size = bdev.inode.size
    if start + length > size or start + length < start:
        return -EINVAL
    if bdev.read_only:
        return -EPERM
    pos = start
    while pos < start + length:
        n = min(1 << 20, start + length - pos)
        bdev.mapping.write(pos, bytes(n))
        pos += n
    return 0
