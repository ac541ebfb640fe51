"""drivers/block/cow.py - UML's copy-on-write file format (version 3).

    ./linux ubd0=root.cow,root.img ...

The backing file (root.img) is never written; every sector the guest
writes goes to the COW file instead, and a bitmap there says which
sectors it holds.  The COW file is UML's, so UML and pyuml can share
them (uml_moo merges one back into its backing file):

    offset 0      header, big-endian, packed (4128 bytes):
                  u32 magic 0x4f4f4f4d ("MOOO"), u32 version 3,
                  u32 mtime of the backing file, u64 its size,
                  u32 sector size (512), u32 alignment (4096),
                  u32 format (0: bitmap), char backing_file[4096]
    bitmap_offset header rounded up to the alignment: one bit per
                  sector, bit s of byte s/8 (least significant first)
    data_offset   bitmap end rounded up to the alignment: sector s of
                  the disk at data_offset + s * 512 (a sparse file)

A COW file remembers its backing file's size and mtime; if the backing
file changed since, its sectors no longer match the bitmap, and the COW
file is refused (as UML does).
"""

import os
import struct

COW_MAGIC = 0x4F4F4F4D
COW_VERSION = 3
PATH_LEN_V3 = 4096
_HEADER = struct.Struct(">IIIQIII%ds" % PATH_LEN_V3)        # 4128 bytes
SECTOR = 512
ALIGNMENT = 4096


class CowError(Exception):
    pass


def _round_up(x, a):
    return (x + a - 1) // a * a


class CowFile:
    """An open COW file: where its bitmap and data are, and the bitmap."""

    def __init__(self, fd, backing, mtime, size, sectorsize, align):
        self.fd = fd
        self.backing = backing              # path (str)
        self.mtime = mtime
        self.size = size
        self.sectorsize = sectorsize
        self.align = align
        self.bitmap_offset = _round_up(_HEADER.size, align)
        nsect = (size + sectorsize - 1) // sectorsize
        self.bitmap_len = (nsect + 7) // 8
        self.data_offset = _round_up(self.bitmap_offset + self.bitmap_len, align)
        self.bitmap = bytearray(os.pread(fd, self.bitmap_len, self.bitmap_offset))
        if len(self.bitmap) < self.bitmap_len:
            self.bitmap += bytes(self.bitmap_len - len(self.bitmap))

    def test(self, sector):
        return self.bitmap[sector >> 3] >> (sector & 7) & 1

    def set_range(self, first, n):
        """Mark sectors [first, first+n) as held here; returns (byte offset
        in the file, bytes) of the bitmap part that changed."""
        for s in range(first, first + n):
            self.bitmap[s >> 3] |= 1 << (s & 7)
        lo, hi = first >> 3, ((first + n - 1) >> 3) + 1
        return self.bitmap_offset + lo, bytes(self.bitmap[lo:hi])

    def clear_range(self, first, n):
        for s in range(first, first + n):
            self.bitmap[s >> 3] &= ~(1 << (s & 7))

    def runs(self, first, n):
        """[(in_cow, first sector, count)] covering [first, first+n)."""
        out = []
        s, end = first, first + n
        while s < end:
            held = self.test(s)
            e = s + 1
            while e < end and self.test(e) == held:
                e += 1
            out.append((bool(held), s, e - s))
            s = e
        return out


def read_cow_header(fd):
    """(backing, mtime, size, sectorsize, align) or None: not a COW file."""
    raw = os.pread(fd, _HEADER.size, 0)
    if len(raw) < 8:
        return None
    magic, version = struct.unpack(">II", raw[:8])
    if magic != COW_MAGIC:
        return None
    if version != COW_VERSION or len(raw) < _HEADER.size:
        raise CowError("COW file version %d is not supported (only %d)" % (version, COW_VERSION))
    _, _, mtime, size, sectorsize, align, fmt, name = _HEADER.unpack(raw)
    if fmt != 0 or sectorsize != SECTOR or align == 0 or align & (align - 1):
        raise CowError("COW file header is invalid")
    return os.fsdecode(name.split(b"\0", 1)[0]), mtime, size, sectorsize, align


def backing_identity(path):
    st = os.stat(path)
    return int(st.st_mtime) & 0xFFFFFFFF, st.st_size


def write_cow_header(fd, backing):
    backing = os.path.abspath(backing)
    name = os.fsencode(backing)
    if len(name) >= PATH_LEN_V3:
        raise CowError("backing file name is too long")
    mtime, size = backing_identity(backing)
    os.pwrite(fd, _HEADER.pack(COW_MAGIC, COW_VERSION, mtime, size, SECTOR, ALIGNMENT, 0, name), 0)
    return mtime, size


def create_cow_file(path, backing):
    """A new, empty COW file over backing (its sectors all the backing's)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        mtime, size = write_cow_header(fd, backing)
        cow = CowFile(fd, os.path.abspath(backing), mtime, size, SECTOR, ALIGNMENT)
        os.ftruncate(fd, cow.data_offset + size)            # sparse: a zero bitmap
        return cow
    except BaseException:
        os.close(fd)
        os.unlink(path)
        raise


def open_cow_file(fd, backing=None):
    """The CowFile of an existing COW file fd (None if it has no COW
    header).  A backing name given on the command line replaces the one
    recorded, if it is the same file by size and mtime."""
    h = read_cow_header(fd)
    if h is None:
        return None
    name, mtime, size, sectorsize, align = h
    if backing is not None and os.path.abspath(backing) != name:
        name = os.path.abspath(backing)
    try:
        actual = backing_identity(name)
    except OSError as e:
        raise CowError("backing file %s: %s" % (name, e.strerror))
    if actual != (mtime, size):
        raise CowError("backing file %s changed since the COW file was made "
                       "(mtime/size %d/%d, recorded %d/%d)" % (name, actual[0], actual[1],
                                                              mtime, size))
    return CowFile(fd, name, mtime, size, sectorsize, align)
