"""drivers/mem.py - /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom.

Major 1, as on Linux.  random and urandom draw from the host's getrandom():
the kernel has no entropy of its own to offer.
"""

import os

from kernel.errno import ENOSPC, Errno
from fs.char_dev import register_chrdev
from fs.file import FileOperations


class NullOps(FileOperations):
    seekable = True

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

    def read(self, f, t, count):
        return bytes(count)

    def pread(self, f, t, count, pos):
        return bytes(count)


class FullOps(ZeroOps):
    mmap_zero = False       # /dev/full cannot be mapped

    def write(self, f, t, data):
        raise Errno(ENOSPC)

    pwrite = None

    def __init__(self):
        self.pwrite = lambda f, t, data, pos: self.write(f, t, data)


class RandomOps(NullOps):
    def read(self, f, t, count):
        return os.urandom(min(count, 1 << 20))

    def pread(self, f, t, count, pos):
        return self.read(f, t, count)


def chr_dev_init():
    register_chrdev(1, 3, NullOps())
    register_chrdev(1, 5, ZeroOps())
    register_chrdev(1, 7, FullOps())
    register_chrdev(1, 8, RandomOps())
    register_chrdev(1, 9, RandomOps())
