"""net/ipv4/devinet.py - IPv4 addresses of the interfaces.

Each device may carry IPv4 addresses (struct in_ifaddr: local address,
prefix length, broadcast, label, scope).  Adding one installs its routes
(net/ipv4/fib.py: a local route for the address, broadcast routes, the
prefix route); removing it takes them away.  The queries the rest of the
stack asks are here: is this address one of ours (inet_addr_type), which
of ours to use as a source towards a device (inet_select_addr).

Users reach this through the old ioctls (SIOCGIFADDR, SIOCSIFADDR,
SIOCGIFNETMASK, SIOCGIFBRDADDR ..., what ifconfig uses: devinet_ioctl) and
through rtnetlink (RTM_GETADDR/NEWADDR/DELADDR, what `ip addr` uses).
"""

from kernel.capability import CAP_NET_ADMIN, capable
import struct

from kernel.errno import EADDRNOTAVAIL, EEXIST, EINVAL, ENODEV, EPERM, Errno
from net.core.inetaddr import (AF_INET, in4_to_int, int_to_in4, ipv4_is_lbcast,
                               ipv4_is_loopback, ipv4_is_multicast, prefix_mask4)
from net.core import rtnetlink
from net.core.dev import (IFF_UP, NETDEV_DOWN, dev_base, dev_change_flags, dev_get_by_name,
                          register_netdevice_notifier)

RT_SCOPE_UNIVERSE, RT_SCOPE_SITE, RT_SCOPE_LINK, RT_SCOPE_HOST, RT_SCOPE_NOWHERE = 0, 200, 253, 254, 255
IFA_F_SECONDARY, IFA_F_NODAD, IFA_F_PERMANENT, IFA_F_NOPREFIXROUTE = 0x01, 0x02, 0x80, 0x200

RTN_UNSPEC, RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST = 0, 1, 2, 3
RTN_ANYCAST, RTN_MULTICAST, RTN_BLACKHOLE, RTN_UNREACHABLE = 4, 5, 6, 7


class InIfAddr:
    """struct in_ifaddr."""

    def __init__(self, dev, local, prefixlen, broadcast, label, scope, flags=IFA_F_PERMANENT):
        self.dev = dev
        self.local = local              # our address
        self.address = local            # the peer's on point-to-point links, else local
        self.prefixlen = prefixlen
        self.broadcast = broadcast      # 4 bytes (zero: none)
        self.label = label
        self.scope = scope
        self.flags = flags

    @property
    def mask(self):
        return int_to_in4(prefix_mask4(self.prefixlen))

    def prefix(self):
        return int_to_in4(in4_to_int(self.address) & prefix_mask4(self.prefixlen))


class InDevice:
    """struct in_device: a device's IPv4 side."""

    def __init__(self, dev):
        self.dev = dev
        self.ifa_list = []
        self.mc_list = []               # sockets' group memberships here (net/ipv4/igmp.py)


def in_dev_get(dev):
    if dev.ip_ptr is None:
        dev.ip_ptr = InDevice(dev)
    return dev.ip_ptr


def inet_add_ifaddr(dev, local, prefixlen, broadcast=None, label=None, scope=None,
                    flags=IFA_F_PERMANENT):
    """Give dev an address (inet_insert_ifa); its routes follow."""
    # cycle: net.ipv4.fib -> net.ipv4.devinet
    from net.ipv4 import fib
    ind = in_dev_get(dev)
    if scope is None:
        scope = RT_SCOPE_HOST if ipv4_is_loopback(local) else RT_SCOPE_UNIVERSE
    ifa = InIfAddr(dev, local, prefixlen, broadcast or bytes(4), label or dev.name, scope, flags)
    for old in ind.ifa_list:
        if old.local == local and old.prefixlen == prefixlen:
            raise Errno(EEXIST)
    # a second address in a subnet we already have is a secondary one
    for old in ind.ifa_list:
        if not old.flags & IFA_F_SECONDARY and old.prefixlen == prefixlen and \
                old.prefix() == ifa.prefix():
            ifa.flags |= IFA_F_SECONDARY
            break
    if ifa.flags & IFA_F_SECONDARY:
        ind.ifa_list.append(ifa)
    else:
        # primaries before secondaries, in order of addition
        pos = len([a for a in ind.ifa_list if not a.flags & IFA_F_SECONDARY])
        ind.ifa_list.insert(pos, ifa)
    fib.fib_add_ifaddr(ifa)
    rtnetlink.notify_addr(ifa, new=True)
    return ifa


def inet_del_ifa(ifa):
    # cycle: net.ipv4.fib -> net.ipv4.devinet
    from net.ipv4 import fib
    ind = in_dev_get(ifa.dev)
    if ifa not in ind.ifa_list:
        return
    ind.ifa_list.remove(ifa)
    fib.fib_del_ifaddr(ifa)
    # a secondary of a removed primary is promoted (Linux's promote_secondaries)
    if not ifa.flags & IFA_F_SECONDARY:
        for other in ind.ifa_list:
            if other.flags & IFA_F_SECONDARY and other.prefixlen == ifa.prefixlen \
                    and other.prefix() == ifa.prefix():
                other.flags &= ~IFA_F_SECONDARY
                fib.fib_add_ifaddr(other)
                break
    rtnetlink.notify_addr(ifa, new=False)


def all_ifaddrs():
    for dev in dev_base:
        if dev.ip_ptr is not None:
            yield from dev.ip_ptr.ifa_list


def inet_addr_type(addr):
    """RTN_LOCAL for our own addresses (all of 127/8 while lo is up),
    RTN_BROADCAST, RTN_MULTICAST, else RTN_UNICAST (what the local routing
    table says)."""
    # cycle: net.ipv4.fib -> net.ipv4.devinet
    from net.ipv4 import fib
    if ipv4_is_lbcast(addr) or not any(addr):
        return RTN_BROADCAST
    if ipv4_is_multicast(addr):
        return RTN_MULTICAST
    r = fib.fib_table_lookup(fib.RT_TABLE_LOCAL, addr)
    if r is not None and r.type in (RTN_LOCAL, RTN_BROADCAST):
        return r.type
    return RTN_UNICAST


def ip_dev_find(addr):
    """The device that owns a local address (__ip_dev_find), or None."""
    # cycle: net.ipv4.fib -> net.ipv4.devinet
    from net.ipv4 import fib
    for ifa in all_ifaddrs():
        if ifa.local == addr:
            return ifa.dev
    r = fib.fib_table_lookup(fib.RT_TABLE_LOCAL, addr)
    if r is not None and r.type == RTN_LOCAL:
        return r.dev
    return None


def inet_select_addr(dev, dst, scope):
    """A source address on dev for talking to dst: the primary address in
    dst's subnet, else the first primary one of a wide enough scope."""
    if dev is None or dev.ip_ptr is None:
        return bytes(4)
    best = None
    for ifa in dev.ip_ptr.ifa_list:
        if ifa.flags & IFA_F_SECONDARY or ifa.scope > scope:
            continue
        if dst is not None and ifa.prefixlen and \
                (in4_to_int(ifa.address) ^ in4_to_int(dst)) & prefix_mask4(ifa.prefixlen) == 0:
            return ifa.local
        if best is None:
            best = ifa.local
    if best is not None:
        return best
    # any device's address of universe scope (Linux looks at the others too)
    for ifa in all_ifaddrs():
        if not ifa.flags & IFA_F_SECONDARY and ifa.scope <= scope and ifa.scope < RT_SCOPE_LINK:
            return ifa.local
    return bytes(4)


# -- the SIOC*IF* ioctls of AF_INET sockets ---------------------------------------

SIOCGIFADDR, SIOCSIFADDR = 0x8915, 0x8916
SIOCGIFDSTADDR, SIOCSIFDSTADDR = 0x8917, 0x8918
SIOCGIFBRDADDR, SIOCSIFBRDADDR = 0x8919, 0x891A
SIOCGIFNETMASK, SIOCSIFNETMASK = 0x891B, 0x891C
SIOCSIFFLAGS = 0x8914
DEVINET_IOCTLS = (SIOCGIFADDR, SIOCSIFADDR, SIOCGIFDSTADDR, SIOCSIFDSTADDR,
                  SIOCGIFBRDADDR, SIOCSIFBRDADDR, SIOCGIFNETMASK, SIOCSIFNETMASK)


def _sin(addr):
    return struct.pack("<H", AF_INET) + b"\0\0" + addr + bytes(8)


def _mask_to_plen(mask):
    v = in4_to_int(mask)
    plen = 32 - (v ^ 0xFFFFFFFF).bit_length() if v != 0xFFFFFFFF else 32
    if prefix_mask4(plen) != v:
        return -1
    return plen


def devinet_ioctl(t, cmd, ifr):
    """One of the address ioctls on an ifreq (name, then the sockaddr at
    offset 16, as bytes); returns the ifreq to copy back."""
    name = ifr[:16].split(b"\0", 1)[0][:15]
    sin = ifr[16:32]
    family = struct.unpack_from("<H", sin)[0]
    base, _, alias = name.partition(b":")
    tryaddrmatch = _devinet_ioctl_check(t, cmd, family)
    dev = dev_get_by_name(base)
    if dev is None:
        raise Errno(ENODEV)
    ifa = _find_ifa(in_dev_get(dev), name, sin[4:8] if tryaddrmatch else None)
    if ifa is None and cmd not in (SIOCSIFADDR, SIOCSIFFLAGS):
        raise Errno(EADDRNOTAVAIL)
    if cmd in _GET:
        out = _GET[cmd](ifa)
        if out is not None:
            return ifr[:16] + _sin(out) + ifr[32:]
        return ifr
    if cmd == SIOCSIFFLAGS:
        flags = struct.unpack_from("<h", ifr, 16)[0] & 0xFFFF
        _devinet_set_flags(dev, ifa, alias, flags)
        return ifr
    _SET[cmd](dev, ifa, name, sin[4:8])
    return ifr


def _devinet_ioctl_check(t, cmd, family):
    """The command and the caller's right to it; returns whether the
    address of the ifreq picks among a label's addresses (a get of AF_INET)."""
    if cmd in _GET:
        return family == AF_INET
    if cmd == SIOCSIFFLAGS:
        if not capable(t, CAP_NET_ADMIN):
            raise Errno(EPERM)
        return False
    if cmd in _SET:
        if not capable(t, CAP_NET_ADMIN):
            raise Errno(EPERM)
        if family != AF_INET:
            raise Errno(EINVAL)
        return False
    raise Errno(EINVAL)


def _find_ifa(ind, label, local):
    """The address of that label: the one with that local address if local
    is given and there is one, else the label's first."""
    if local is not None:
        for a in ind.ifa_list:
            if a.label == label and a.local == local:
                return a
    for a in ind.ifa_list:
        if a.label == label:
            return a
    return None


def _devinet_set_flags(dev, ifa, alias, flags):
    """SIOCSIFFLAGS: on an alias (eth0:1) only IFF_UP counts, and taking
    it down deletes the address; on the device itself, dev_change_flags."""
    if alias:
        if ifa is None:
            raise Errno(EADDRNOTAVAIL)
        if not flags & IFF_UP:
            inet_del_ifa(ifa)
        return
    dev_change_flags(dev, flags)


def _set_ifaddr(dev, ifa, name, new):
    if ifa is not None and ifa.local == new:
        return
    plen = ifa.prefixlen if ifa is not None else _classful_plen(new)
    if ifa is not None:
        inet_del_ifa(ifa)
    brd = None
    if not dev.flags & 0x8 and plen < 31:     # not IFF_LOOPBACK
        brd = int_to_in4(in4_to_int(new) | (prefix_mask4(plen) ^ 0xFFFFFFFF))
    inet_add_ifaddr(dev, new, plen, brd, name)


def _set_brdaddr(dev, ifa, name, new):
    if ifa.broadcast != new:
        inet_del_ifa(ifa)
        inet_add_ifaddr(dev, ifa.local, ifa.prefixlen, new, ifa.label, ifa.scope)


def _set_dstaddr(dev, ifa, name, new):
    if ifa.address != new:
        # cycle: net.ipv4.fib -> net.ipv4.devinet
        from net.ipv4 import fib
        fib.fib_del_ifaddr(ifa)
        ifa.address = new
        fib.fib_add_ifaddr(ifa)


def _set_netmask(dev, ifa, name, new):
    plen = _mask_to_plen(new)
    if plen < 0:
        raise Errno(EINVAL)
    if plen != ifa.prefixlen:
        inet_del_ifa(ifa)
        brd = ifa.broadcast
        if any(brd) and plen < 31:
            brd = int_to_in4(in4_to_int(ifa.local) | (prefix_mask4(plen) ^ 0xFFFFFFFF))
        inet_add_ifaddr(dev, ifa.local, plen, brd, ifa.label, ifa.scope)


# the gets: what of the address goes back in the ifreq; the sets
_GET = {SIOCGIFADDR: lambda ifa: ifa.local, SIOCGIFBRDADDR: lambda ifa: ifa.broadcast,
        SIOCGIFDSTADDR: lambda ifa: ifa.address, SIOCGIFNETMASK: lambda ifa: ifa.mask}
_SET = {SIOCSIFADDR: _set_ifaddr, SIOCSIFBRDADDR: _set_brdaddr, SIOCSIFDSTADDR: _set_dstaddr,
        SIOCSIFNETMASK: _set_netmask}


def _classful_plen(a):
    """SIOCSIFADDR on an address-less device: the old class A/B/C mask."""
    if a[0] < 128:
        return 8
    if a[0] < 192:
        return 16
    return 24


def inet_gifconf(dev):
    """SIOCGIFCONF's entries for dev: (label, address) per IPv4 address."""
    if dev.ip_ptr is None:
        return []
    return [(ifa.label, _sin(ifa.local)) for ifa in dev.ip_ptr.ifa_list]


def devinet_init():
    # cycle: net.ipv4.fib -> net.ipv4.devinet
    from net.ipv4 import fib

    def notify(event, dev):
        ind = dev.ip_ptr
        if ind is None:
            return
        for ifa in ind.ifa_list:
            if event == NETDEV_DOWN:
                fib.fib_del_ifaddr(ifa, down=True)
            elif event == 1:                    # NETDEV_UP
                fib.fib_add_ifaddr(ifa)
    register_netdevice_notifier(notify)
