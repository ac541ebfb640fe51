"""drivers/mem.py - /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom.

Major 1, as on Linux.  random and urandom draw from the host's getrandom():
the kernel has no entropy of its own to offer.  Their ioctls answer as
Linux 5.18+ does, whose pool is always full: the count is POOL_BITS,
entropy a privileged program adds is taken and changes nothing.
"""

import os

from kernel.capability import CAP_SYS_ADMIN, capable
from kernel.errno import EINVAL, ENOSPC, EPERM, Errno
from fs.char_dev import register_chrdev
from fs.file import FileOperations
from mm.uaccess import copy_from_user, get_user_u32, put_user_u32

POOL_BITS = 256                 # /proc/sys/kernel/random/entropy_avail, poolsize
RNDGETENTCNT = 0x80045200       # _IOR('R', 0, int)
RNDADDTOENTCNT = 0x40045201     # _IOW('R', 1, int)
RNDADDENTROPY = 0x40085203      # _IOW('R', 3, int[2]): count, size, then the bytes
RNDZAPENTCNT = 0x5204
RNDCLEARPOOL = 0x5206
RNDRESEEDCRNG = 0x5207


class NullOps(FileOperations):
    seekable = True
    splice_read = False     # Linux's null_fops has only ->splice_write

    def read(self, f, t, count):
        return b""

    def write(self, f, t, data):
        return len(data)

    def pread(self, f, t, count, pos):
        return b""

    def pwrite(self, f, t, data, pos):
        return len(data)

    def llseek(self, f, offset, whence):
        f.pos = 0
        return 0


class ZeroOps(NullOps):
    mmap_zero = True        # mmap gives anonymous memory (mm/mmap.py)
    splice_read = True

    def read(self, f, t, count):
        return bytes(count)

    def pread(self, f, t, count, pos):
        return bytes(count)


class FullOps(ZeroOps):
    mmap_zero = False       # /dev/full cannot be mapped
    splice_write = False    # Linux's full_fops has only ->splice_read

    def write(self, f, t, data):
        raise Errno(ENOSPC)

    pwrite = None

    def __init__(self):
        self.pwrite = lambda f, t, data, pos: self.write(f, t, data)


class RandomOps(NullOps):
    splice_read = True

    def read(self, f, t, count):
        return os.urandom(min(count, 1 << 20))

    def pread(self, f, t, count, pos):
        return self.read(f, t, count)

    def ioctl(self, f, t, cmd, arg):
        if cmd == RNDGETENTCNT:
            put_user_u32(t.mm, arg, POOL_BITS)
            return 0
        if cmd in (RNDADDTOENTCNT, RNDADDENTROPY, RNDZAPENTCNT, RNDCLEARPOOL, RNDRESEEDCRNG):
            if not capable(t, CAP_SYS_ADMIN):
                return -EPERM
            if cmd == RNDADDTOENTCNT:
                get_user_u32(t.mm, arg)             # EFAULT for a bad pointer
            elif cmd == RNDADDENTROPY:
                head = copy_from_user(t.mm, arg, 8)
                count = int.from_bytes(head[:4], "little", signed=True)
                size = int.from_bytes(head[4:], "little", signed=True)
                if count < 0 or size < 0:
                    return -EINVAL
                copy_from_user(t.mm, arg + 8, size)  # the bytes must be there
            return 0
        return -EINVAL                          # RNDGETPOOL (gone) and the rest, as Linux


def chr_dev_init():
    register_chrdev(1, 3, NullOps())
    register_chrdev(1, 5, ZeroOps())
    register_chrdev(1, 7, FullOps())
    register_chrdev(1, 8, RandomOps())
    register_chrdev(1, 9, RandomOps())
