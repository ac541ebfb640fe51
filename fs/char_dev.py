"""fs/char_dev.py - character devices: (major, minor) -> driver.

Drivers register their file operations for a device number range; opening
a character-device inode looks its rdev up here (ENXIO when nobody is
registered, as on Linux).
"""

from kernel.errno import ENXIO, Errno
from fs.inode import dev_major, dev_minor

_chrdevs = {}           # (major, minor or None) -> file operations


def register_chrdev(major, minor, fops):
    _chrdevs[(major, minor)] = fops


def chrdev_fops(rdev):
    major, minor = dev_major(rdev), dev_minor(rdev)
    fops = _chrdevs.get((major, minor)) or _chrdevs.get((major, None))
    if fops is None:
        raise Errno(ENXIO)
    return fops
