"""net/core/dev_ioctl.py - the interface ioctls every socket answers.

ifconfig and friends ask about interfaces with ioctls on any socket,
passing a struct ifreq (a name, then a union: an address, flags, an MTU,
an index ...; 40 bytes for x86_64, 32 for i386):

  SIOCGIFCONF   the IPv4 addresses of all interfaces, one ifreq each
  SIOCGIFNAME   index -> name        SIOCGIFINDEX   name -> index
  SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFMETRIC, SIOCGIFTXQLEN, SIOCGIFMAP,
  SIOCGIFHWADDR   read an interface
  SIOCSIFFLAGS, SIOCSIFMTU, SIOCSIFTXQLEN ...   change one (root only)

The IPv4 address ones (SIOCGIFADDR ...) belong to AF_INET sockets
(net/ipv4/devinet.py); on other sockets they are ENOTTY, as on Linux.
"""

from kernel.capability import CAP_NET_ADMIN, capable
import struct

from kernel.errno import EFAULT, EINVAL, ENODEV, ENOTTY, EOPNOTSUPP, EPERM, Errno
from mm.uaccess import copy_from_user, copy_to_user
from net.core.dev import dev_base, dev_get_by_name
from net.core import dev as netdev
from net.ipv4.devinet import inet_gifconf

SIOCGIFNAME, SIOCGIFCONF, SIOCGIFFLAGS, SIOCSIFFLAGS = 0x8910, 0x8912, 0x8913, 0x8914
SIOCGIFMETRIC, SIOCSIFMETRIC, SIOCGIFMEM, SIOCSIFMEM = 0x891D, 0x891E, 0x891F, 0x8920
SIOCGIFMTU, SIOCSIFMTU, SIOCSIFNAME, SIOCSIFHWADDR = 0x8921, 0x8922, 0x8923, 0x8924
SIOCGIFENCAP, SIOCSIFENCAP, SIOCGIFHWADDR, SIOCGIFSLAVE = 0x8925, 0x8926, 0x8927, 0x8929
SIOCSIFSLAVE, SIOCADDMULTI, SIOCDELMULTI, SIOCGIFINDEX = 0x8930, 0x8931, 0x8932, 0x8933
SIOCSIFPFLAGS, SIOCGIFPFLAGS, SIOCDIFADDR, SIOCSIFHWBROADCAST = 0x8934, 0x8935, 0x8936, 0x8937
SIOCGIFCOUNT, SIOCGIFBR, SIOCSIFBR, SIOCGIFTXQLEN, SIOCSIFTXQLEN = 0x8938, 0x8940, 0x8941, 0x8942, 0x8943
SIOCETHTOOL, SIOCGMIIPHY, SIOCGMIIREG, SIOCSMIIREG = 0x8946, 0x8947, 0x8948, 0x8949
SIOCWANDEV = 0x894A
SIOCGIFMAP, SIOCSIFMAP = 0x8970, 0x8971
SIOCDEVPRIVATE = 0x89F0
SIOCBONDENSLAVE, SIOCBONDCHANGEACTIVE = 0x8990, 0x8995      # and the four between
SIOCBONDSLAVEINFOQUERY, SIOCBONDINFOQUERY = 0x8993, 0x8994
SIOCSHWTSTAMP, SIOCGHWTSTAMP = 0x89B0, 0x89B1
SIOCADDRT, SIOCDELRT, SIOCRTMSG = 0x890B, 0x890C, 0x890D
SIOCDARP, SIOCGARP, SIOCSARP = 0x8953, 0x8954, 0x8955


def ifreq_size(t):
    return 40 if t.arch.BITS == 64 else 32


def ifreq_ioctl(t, arg, fn):
    """Copy the ifreq in, let fn work on it (bytes -> bytes, or None for
    nothing to copy back), copy it out."""
    size = ifreq_size(t)
    ifr = copy_from_user(t.mm, arg, size)
    out = fn(ifr)
    if out is not None:
        copy_to_user(t.mm, arg, out[:size])
    return 0


def _name(ifr):
    return ifr[:16].split(b"\0", 1)[0][:15]


def _dev(ifr):
    d = dev_get_by_name(_name(ifr).split(b":", 1)[0])
    if d is None:
        raise Errno(ENODEV)
    return d


def _put(ifr, off, data):
    return ifr[:off] + data + ifr[off + len(data):]


def dev_ioctl(t, cmd, arg):
    if cmd == SIOCGIFNAME:
        def getname(ifr):
            idx = struct.unpack_from("<i", ifr, 16)[0]
            d = netdev.dev_get_by_index(idx)
            if d is None:
                raise Errno(ENODEV)
            return _put(ifr, 0, d.name + b"\0")
        return ifreq_ioctl(t, arg, getname)
    if cmd == SIOCGIFHWADDR:
        def hwaddr(ifr):
            d = _dev(ifr)
            return _put(ifr, 16, struct.pack("<H", d.type) + d.dev_addr[:14])
        return ifreq_ioctl(t, arg, hwaddr)
    if cmd in (SIOCGIFFLAGS, SIOCGIFMETRIC, SIOCGIFMTU, SIOCGIFSLAVE, SIOCGIFMAP,
               SIOCGIFINDEX, SIOCGIFTXQLEN):
        def get(ifr):
            d = _dev(ifr)
            if cmd == SIOCGIFFLAGS:
                return _put(ifr, 16, struct.pack("<h", _s16(d.get_flags())))
            if cmd == SIOCGIFMETRIC:
                return _put(ifr, 16, struct.pack("<i", 0))
            if cmd == SIOCGIFMTU:
                return _put(ifr, 16, struct.pack("<i", d.mtu))
            if cmd == SIOCGIFSLAVE:
                raise Errno(EINVAL)
            if cmd == SIOCGIFMAP:
                if t.arch.BITS == 64:
                    return _put(ifr, 16, struct.pack("<QQHBBB", 0, 0, 0, 0, 0, 0))
                return _put(ifr, 16, struct.pack("<IIHBBB", 0, 0, 0, 0, 0, 0))
            if cmd == SIOCGIFINDEX:
                return _put(ifr, 16, struct.pack("<i", d.ifindex))
            return _put(ifr, 16, struct.pack("<i", d.tx_queue_len))
        return ifreq_ioctl(t, arg, get)
    if cmd in (SIOCGMIIPHY, SIOCGMIIREG, SIOCSIFNAME):
        if not capable(t, CAP_NET_ADMIN):
            return -EPERM
        ifreq_ioctl(t, arg, _dev)
        return -EOPNOTSUPP
    if cmd in (SIOCBONDSLAVEINFOQUERY, SIOCBONDINFOQUERY, SIOCWANDEV, SIOCGHWTSTAMP) or \
            SIOCDEVPRIVATE <= cmd <= SIOCDEVPRIVATE + 15:
        ifreq_ioctl(t, arg, _dev)
        return -EOPNOTSUPP                  # the driver's own ioctls: lo and eth0 have none
    if SIOCBONDENSLAVE <= cmd <= SIOCBONDCHANGEACTIVE or cmd == SIOCSHWTSTAMP:
        if not capable(t, CAP_NET_ADMIN):
            return -EPERM
        ifreq_ioctl(t, arg, _dev)
        return -EOPNOTSUPP
    if cmd in (SIOCSIFMAP, SIOCSIFTXQLEN, SIOCSIFFLAGS, SIOCSIFMETRIC, SIOCSIFMTU,
               SIOCSIFHWADDR, SIOCSIFSLAVE, SIOCADDMULTI, SIOCDELMULTI,
               SIOCSIFHWBROADCAST, SIOCSMIIREG):
        if not capable(t, CAP_NET_ADMIN):
            return -EPERM

        def change(ifr):
            d = _dev(ifr)
            if cmd == SIOCSIFFLAGS:
                netdev.dev_change_flags(d, struct.unpack_from("<h", ifr, 16)[0] & 0xFFFF)
            elif cmd == SIOCSIFMTU:
                netdev.dev_set_mtu(d, struct.unpack_from("<i", ifr, 16)[0])
            elif cmd == SIOCSIFTXQLEN:
                q = struct.unpack_from("<i", ifr, 16)[0]
                if q < 0:
                    raise Errno(EINVAL)
                d.tx_queue_len = q
            elif cmd in (SIOCADDMULTI, SIOCDELMULTI):
                raise Errno(EINVAL)
            else:
                raise Errno(EOPNOTSUPP)
            return None
        return ifreq_ioctl(t, arg, change)
    return -ENOTTY


def dev_ifconf(t, arg):
    """SIOCGIFCONF: struct ifconf {int len; pointer buf}: fill buf with an
    ifreq per IPv4 address (all of them if buf is NULL: only the length)."""
    if t.arch.BITS == 64:
        length, buf = struct.unpack("<i4xQ", copy_from_user(t.mm, arg, 16))
    else:
        length, buf = struct.unpack("<iI", copy_from_user(t.mm, arg, 8))
    size = ifreq_size(t)
    total = 0
    for dev in dev_base:
        for label, sin in inet_gifconf(dev):
            if not buf:
                total += size
                continue
            if length - total < size:
                break
            ifr = (label + bytes(16))[:16] + sin
            try:
                copy_to_user(t.mm, buf + total, ifr.ljust(size, b"\0"))
            except Errno:
                return -EFAULT
            total += size
    copy_to_user(t.mm, arg, struct.pack("<i", total))
    return 0


def _s16(v):
    v &= 0xFFFF
    return v - 0x10000 if v & 0x8000 else v
