"""drivers/net/tun.py - /dev/net/tun, the TUN/TAP driver's control device.

Opening it gives a tun file attached to no interface.  TUNGETFEATURES
says which IFF_* flags TUNSETIFF knows (what a program asks first; LTP
ioctl03).  Attaching the file to a tun or tap interface (TUNSETIFF) is
not provided: this kernel's devices carry no packets (net/core/dev.py),
so the interface would have nothing to hand the file; it is EOPNOTSUPP
after Linux's own checks (the ifreq is read, CAP_NET_ADMIN asked for).
An unattached file answers as Linux's: reads, writes and the other
ioctls are EBADFD, poll says POLLERR.
"""

from kernel.capability import CAP_NET_ADMIN, capable
from kernel.errno import EBADFD, EINVAL, EOPNOTSUPP, EPERM, Errno
from fs.char_dev import register_chrdev
from fs.devtmpfs import devtmpfs_create_node
from fs.file import POLLERR, FileOperations
from mm.uaccess import copy_from_user, put_user_u32

MISC_MAJOR, TUN_MINOR = 10, 200
IFREQ_SIZE = 40

TUNSETIFF = 0x400454CA                  # _IOW('T', 202, int)
TUNGETFEATURES = 0x800454CF             # _IOR('T', 207, unsigned int)
TUNSETQUEUE = 0x400454D9                # _IOW('T', 217, int)

IFF_TUN, IFF_TAP, IFF_NAPI, IFF_NAPI_FRAGS, IFF_NO_CARRIER = 0x1, 0x2, 0x10, 0x20, 0x40
IFF_MULTI_QUEUE, IFF_NO_PI, IFF_ONE_QUEUE, IFF_VNET_HDR = 0x100, 0x1000, 0x2000, 0x4000
TUN_FEATURES = (IFF_TUN | IFF_TAP | IFF_NO_CARRIER | IFF_NO_PI | IFF_ONE_QUEUE | IFF_VNET_HDR
                | IFF_MULTI_QUEUE | IFF_NAPI | IFF_NAPI_FRAGS)


class TunOps(FileOperations):
    """tun_fops for a file no interface is attached to."""

    def ioctl(self, f, t, cmd, arg):
        if cmd in (TUNSETIFF, TUNSETQUEUE):
            copy_from_user(t.mm, arg, IFREQ_SIZE)       # EFAULT first, as Linux
        if cmd == TUNGETFEATURES:
            put_user_u32(t.mm, arg, TUN_FEATURES)
            return 0
        if cmd == TUNSETQUEUE:
            return -EINVAL                  # no queue of ours was ever detached
        if cmd == TUNSETIFF:
            if not capable(t, CAP_NET_ADMIN):
                return -EPERM
            return -EOPNOTSUPP
        return -EBADFD

    def read(self, f, t, count):
        raise Errno(EBADFD)

    def write(self, f, t, data):
        raise Errno(EBADFD)

    def poll(self, f, t):
        return POLLERR, ()


def tun_init():
    """The misc device (10, 200), at /dev/net/tun."""
    register_chrdev(MISC_MAJOR, TUN_MINOR, TunOps())
    devtmpfs_create_node(b"net/tun", 0o600, MISC_MAJOR, TUN_MINOR)
