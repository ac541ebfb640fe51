"""net/ipv6/addrconf.py - IPv6 addresses of the interfaces, and their routes.

`lo` has ::1/128; a device with a hardware address (eth0) gets a
link-local fe80::/64 address made from it (EUI-64) when it comes up, as
Linux's address autoconfiguration does.  Each address brings a local route
(table local) and, unless it is ::1's /128, a prefix route in main, with
Linux's metrics (0 for local, 256 for the others); /proc/net/if_inet6 and
RTM_GETADDR list the addresses, RTM_GETROUTE the routes.

Routing an IPv6 flow (ip6_route_output) finds one of our addresses (local:
through lo) or fails with ENETUNREACH: the user-mode network carries IPv4
only (drivers/net/usernet.py).
"""

import struct

from kernel.errno import (EADDRNOTAVAIL, EEXIST, EINVAL, ENETUNREACH, ENODEV, ENXIO, EOPNOTSUPP,
                          Errno)
from net.core.inetaddr import LOOPBACK6, ipv6_is_linklocal, is_v4mapped
from net.core import rtnetlink
from net.core.dev import (ARPHRD_ETHER, NETDEV_DOWN, NETDEV_UP, capable_net_admin, dev_base,
                          dev_get_by_index, loopback_dev, register_netdevice_notifier)
from mm.uaccess import copy_from_user

IFA_F_SECONDARY, IFA_F_NODAD, IFA_F_OPTIMISTIC, IFA_F_DADFAILED = 0x01, 0x02, 0x04, 0x08
IFA_F_HOMEADDRESS, IFA_F_DEPRECATED, IFA_F_TENTATIVE, IFA_F_PERMANENT = 0x10, 0x20, 0x40, 0x80
IFA_F_NOPREFIXROUTE = 0x200

# address scopes as /proc/net/if_inet6 shows them (IPV6_ADDR_*)
IFA_GLOBAL, IFA_HOST, IFA_LINK, IFA_SITE = 0x00, 0x10, 0x20, 0x40
RT_SCOPE_OF = {IFA_GLOBAL: 0, IFA_HOST: 254, IFA_LINK: 253, IFA_SITE: 200}

RTN_UNICAST, RTN_LOCAL, RTN_MULTICAST = 1, 2, 5
RT6_TABLE_MAIN, RT6_TABLE_LOCAL = 254, 255
RTPROT_KERNEL = 2
IP6_RT_PRIO_USER = 1024
IP6_RT_PRIO_ADDRCONF = 256


class Inet6IfAddr:
    """struct inet6_ifaddr."""

    def __init__(self, dev, addr, prefixlen, scope, flags):
        self.dev = dev
        self.addr = addr
        self.prefixlen = prefixlen
        self.scope = scope
        self.flags = flags

    @property
    def rt_scope(self):
        return RT_SCOPE_OF.get(self.scope, 0)


class Inet6Device:
    def __init__(self, dev):
        self.dev = dev
        self.addr_list = []


class Rt6Info:
    """An IPv6 route."""

    def __init__(self, table, type_, dst, dst_len, dev, metric, protocol=RTPROT_KERNEL):
        self.table = table
        self.type = type_
        self.dst = dst
        self.dst_len = dst_len
        self.dev = dev
        self.metric = metric
        self.protocol = protocol
        self.owner = None


routes6 = []


def in6_dev_get(dev):
    if dev.ip6_ptr is None:
        dev.ip6_ptr = Inet6Device(dev)
    return dev.ip6_ptr


def _route_add(r, owner):
    for old in routes6:
        if (old.table, old.type, old.dst, old.dst_len, old.dev) == \
                (r.table, r.type, r.dst, r.dst_len, r.dev):
            return
    r.owner = owner
    routes6.append(r)
    rtnetlink.notify_route6(r, True)


def _routes_for(ifp):
    dev = ifp.dev
    if not dev.is_up():
        return
    _route_add(Rt6Info(RT6_TABLE_LOCAL, RTN_LOCAL, ifp.addr, 128, dev, 0), ifp)
    if not ifp.flags & IFA_F_NOPREFIXROUTE and not dev.flags & 0x8:    # not on lo
        plen = ifp.prefixlen
        prefix = (int.from_bytes(ifp.addr, "big") >> (128 - plen) << (128 - plen)
                  if plen else 0).to_bytes(16, "big")
        _route_add(Rt6Info(RT6_TABLE_MAIN, RTN_UNICAST, prefix, plen, dev,
                           IP6_RT_PRIO_ADDRCONF), ifp)
    if not dev.flags & 0x8:                         # IFF_LOOPBACK
        _route_add(Rt6Info(RT6_TABLE_LOCAL, RTN_MULTICAST, b"\xff" + bytes(15), 8, dev,
                           IP6_RT_PRIO_ADDRCONF), ifp)


def _routes_drop(match):
    for r in list(routes6):
        if match(r):
            routes6.remove(r)
            rtnetlink.notify_route6(r, False)


def ipv6_add_addr(dev, addr, prefixlen, scope, flags):
    idev = in6_dev_get(dev)
    for old in idev.addr_list:
        if old.addr == addr:
            raise Errno(EEXIST)
    ifp = Inet6IfAddr(dev, addr, prefixlen, scope, flags)
    # Linux keeps the list sorted by scope: global before link-local
    pos = len([a for a in idev.addr_list if a.scope <= scope])
    idev.addr_list.insert(pos, ifp)
    _routes_for(ifp)
    rtnetlink.notify_addr6(ifp, True)
    return ifp


def inet6_addr_add(ifindex, addr, plen, flags=0):
    """A permanent address on the device with this index (RTM_NEWADDR,
    SIOCSIFADDR); its scope follows from the address."""
    if plen > 128:
        raise Errno(EINVAL)
    dev = dev_get_by_index(ifindex)
    if dev is None:
        raise Errno(ENODEV)
    sc = IFA_HOST if addr == bytes(15) + b"\1" else \
        IFA_LINK if addr[0] == 0xFE and addr[1] & 0xC0 == 0x80 else IFA_GLOBAL
    return ipv6_add_addr(dev, addr, plen, sc, flags | IFA_F_PERMANENT)


def inet6_addr_del(ifindex, addr, plen):
    """SIOCDIFADDR: the address with this prefix on that device."""
    if plen > 128:
        raise Errno(EINVAL)
    dev = dev_get_by_index(ifindex)
    if dev is None:
        raise Errno(ENODEV)
    if dev.ip6_ptr is None:
        raise Errno(ENXIO)
    for ifp in dev.ip6_ptr.addr_list:
        if ifp.addr == addr and ifp.prefixlen == plen:
            ipv6_del_addr(ifp)
            return
    raise Errno(EADDRNOTAVAIL)


SIOCSIFADDR, SIOCSIFDSTADDR, SIOCDIFADDR = 0x8916, 0x8918, 0x8936
SIOCADDRT, SIOCDELRT = 0x890B, 0x890C


def addrconf_ioctl(t, cmd, arg):
    """inet6_ioctl's address ioctls (struct in6_ifreq: address, prefix
    length, ifindex), or None for the others.  Routes cannot be changed
    this way here (ip -6 route does it over netlink): EOPNOTSUPP."""
    if cmd in (SIOCADDRT, SIOCDELRT):
        copy_from_user(t.mm, arg, 80 if t.arch.BITS == 64 else 68)     # struct in6_rtmsg
        capable_net_admin(t)
        return -EOPNOTSUPP
    if cmd not in (SIOCSIFADDR, SIOCDIFADDR, SIOCSIFDSTADDR):
        return None
    capable_net_admin(t)
    addr, plen, ifindex = struct.unpack("<16sIi", copy_from_user(t.mm, arg, 24))
    if cmd == SIOCSIFADDR:
        inet6_addr_add(ifindex, addr, plen)
    elif cmd == SIOCDIFADDR:
        inet6_addr_del(ifindex, addr, plen)
    else:
        dev_get_by_index(ifindex)
        return -ENODEV                      # only sit tunnels have a destination
    return 0


def ipv6_del_addr(ifp):
    idev = in6_dev_get(ifp.dev)
    if ifp in idev.addr_list:
        idev.addr_list.remove(ifp)
        _routes_drop(lambda r: r.owner is ifp)
        rtnetlink.notify_addr6(ifp, False)


def all_ifaddrs6():
    for dev in dev_base:
        if dev.ip6_ptr is not None:
            yield from dev.ip6_ptr.addr_list


def ipv6_chk_addr(addr):
    """One of our addresses (on a device that is up)?"""
    for ifp in all_ifaddrs6():
        if ifp.addr == addr and ifp.dev.is_up():
            return ifp
    return None


def eui64_linklocal(hwaddr):
    eui = bytes([hwaddr[0] ^ 2]) + hwaddr[1:3] + b"\xff\xfe" + hwaddr[3:6]
    return b"\xfe\x80" + bytes(6) + eui


class Rt6Result:
    __slots__ = ("type", "dev", "saddr", "daddr")

    def __init__(self, type_, dev, saddr, daddr):
        self.type = type_
        self.dev = dev
        self.saddr = saddr
        self.daddr = daddr

    def is_local(self):
        return self.type == RTN_LOCAL

    def is_broadcast(self):
        return False

    def is_multicast(self):
        return False                    # (no IPv6 multicast routes here)


def ip6_route_output(daddr, saddr=None):
    lo = loopback_dev()
    if is_v4mapped(daddr):
        raise Errno(ENETUNREACH)
    if saddr is not None and not any(saddr):
        saddr = None
    if not any(daddr):
        daddr = LOOPBACK6
    ifp = ipv6_chk_addr(daddr)
    if ifp is not None and lo is not None and lo.is_up():
        return Rt6Result(RTN_LOCAL, lo, saddr or daddr, daddr)
    raise Errno(ENETUNREACH)


def addrconf_notify(event, dev):
    if event == NETDEV_UP:
        idev = in6_dev_get(dev)
        if dev.type == ARPHRD_ETHER and \
                not any(ipv6_is_linklocal(a.addr) for a in idev.addr_list):
            ipv6_add_addr(dev, eui64_linklocal(dev.dev_addr), 64, IFA_LINK, IFA_F_PERMANENT)
        for ifp in idev.addr_list:
            _routes_for(ifp)
    elif event == NETDEV_DOWN:
        _routes_drop(lambda r: r.dev is dev)
        # link-local addresses go with the link (addrconf_ifdown)
        idev = dev.ip6_ptr
        for ifp in list(idev.addr_list if idev else ()):
            if ifp.scope == IFA_LINK:
                ipv6_del_addr(ifp)


def addrconf_init():
    register_netdevice_notifier(addrconf_notify)


def show_if_inet6(reader):
    """/proc/net/if_inet6: address, ifindex, prefix length, scope, flags, name."""
    out = []
    for ifp in all_ifaddrs6():
        out.append("%s %02x %02x %02x %02x %8s\n" % (
            ifp.addr.hex(), ifp.dev.ifindex, ifp.prefixlen, ifp.scope, ifp.flags,
            ifp.dev.name.decode()))
    return "".join(out)


def show_ipv6_route(reader):
    """/proc/net/ipv6_route: dst, plen, src, plen, next hop, metric, refcnt,
    use, flags, device."""
    out = []
    for r in routes6:
        flags = 0x1 | (0x80000000 if r.type == RTN_LOCAL else 0)     # RTF_UP, RTF_LOCAL
        if r.protocol == RTPROT_KERNEL and r.type == RTN_UNICAST:
            flags |= 0x40000                                          # RTF_ADDRCONF-ish
        out.append("%s %02x %s %02x %s %08x %08x %08x %08x %8s\n" % (
            r.dst.hex(), r.dst_len, bytes(16).hex(), 0, bytes(16).hex(), r.metric, 1, 0,
            flags, r.dev.name.decode()))
    return "".join(out)
