"""net/ipv4/igmp.py - IPv4 multicast group membership.

A socket joins a group on an interface (IP_ADD_MEMBERSHIP,
MCAST_JOIN_GROUP ...: ip_mc_join_group) and may filter the group's
sources: block some (EXCLUDE mode, the mode of a plain join) or take only
some (INCLUDE mode, MCAST_JOIN_SOURCE_GROUP) - ip_mc_source, or set the
whole filter at once (IP_MSFILTER: ip_mc_msfilter).  Each
membership (an IpMcSocklist) is on the socket's `mc_list` and on its
interface's (InDevice.mc_list), which is how the interface knows it is a
member: a datagram to a group arriving on an interface is taken if some
member's filter lets its source through (ip_check_mc), then given to
every socket on the port whose own filter does (ip_mc_sf_allow; a socket
with no membership of the group takes it if IP_MULTICAST_ALL is on).
The all-hosts group 224.0.0.1 is joined by every interface.

No IGMP messages are sent: no router listens on lo, and the user-mode
network carries no multicast.  An accepted TCP socket starts with no
memberships (its listener's are not copied: CVE-2017-8890, LTP accept02).
Closing a socket leaves its groups (ip_mc_drop_socket).
"""

from kernel.errno import EADDRINUSE, EADDRNOTAVAIL, EINVAL, ENOBUFS, ENODEV, Errno
from net.core.dev import dev_get_by_index
from net.core.inetaddr import ipv4_is_multicast
from net.ipv4.devinet import ip_dev_find
from net.ipv4 import fib

MCAST_EXCLUDE, MCAST_INCLUDE = 0, 1
IGMP_ALL_HOSTS = bytes([224, 0, 0, 1])

# sysctls (/proc/sys/net/ipv4/...)
sysctl_igmp_max_memberships = 20
sysctl_igmp_max_msf = 10


class IpMcSocklist:
    """struct ip_mc_socklist: one socket's membership of a group on an
    interface, with its source filter."""
    __slots__ = ("group", "ifindex", "address", "sfmode", "sflist", "in_dev")

    def __init__(self, group, ifindex, address, sfmode, in_dev):
        self.group = group              # 4 bytes
        self.ifindex = ifindex
        self.address = address          # the interface address the join named
        self.sfmode = sfmode            # MCAST_EXCLUDE or MCAST_INCLUDE
        self.sflist = None              # the sources listed; None: no filter yet
        self.in_dev = in_dev

    def allows(self, src):
        """The filter lets a datagram from src through."""
        return (src in (self.sflist or ())) == (self.sfmode == MCAST_INCLUDE)


def ip_mc_find_dev(group, address, ifindex):
    """The interface a membership request names, by index, by address or
    by the route to the group: (its InDevice or None, its index)."""
    if ifindex:
        dev = dev_get_by_index(ifindex)
        return (dev.ip_ptr if dev is not None else None), ifindex
    dev = None
    if any(address):
        dev = ip_dev_find(address)
        if dev is None:
            return None, 0
    else:
        try:
            dev = fib.ip_route_output(group).dev
        except Errno:
            return None, 0
    if dev is None:
        return None, 0
    return dev.ip_ptr, dev.ifindex


def _find(sk, group, ifindex):
    for m in sk.mc_list:
        if m.group == group and m.ifindex == ifindex:
            return m
    return None


def ip_mc_join_group(sk, group, address, ifindex, sfmode=MCAST_EXCLUDE):
    """__ip_mc_join_group: the socket becomes a member; EADDRINUSE if it
    is one already, ENOBUFS past igmp_max_memberships."""
    if not ipv4_is_multicast(group):
        raise Errno(EINVAL)
    in_dev, ifindex = ip_mc_find_dev(group, address, ifindex)
    if in_dev is None:
        raise Errno(ENODEV)
    if _find(sk, group, ifindex) is not None:
        raise Errno(EADDRINUSE)
    if len(sk.mc_list) >= sysctl_igmp_max_memberships:
        raise Errno(ENOBUFS)
    m = IpMcSocklist(group, ifindex, address, sfmode, in_dev)
    sk.mc_list.append(m)
    in_dev.mc_list.append(m)


def ip_mc_leave_group(sk, group, address, ifindex):
    """The membership of group on the interface named by index, or by
    address, goes; EADDRNOTAVAIL if there is none."""
    in_dev, found = ip_mc_find_dev(group, address, ifindex)
    if not ifindex and not any(address) and in_dev is None:
        raise Errno(ENODEV)
    ifindex = found
    for m in sk.mc_list:
        if m.group != group:
            continue
        if ifindex:
            if m.ifindex != ifindex:
                continue
        elif any(address) and address != m.address:
            continue
        _drop(sk, m)
        return
    raise Errno(EADDRNOTAVAIL)


def _drop(sk, m):
    sk.mc_list.remove(m)
    m.in_dev.mc_list.remove(m)


def ip_mc_source(add, omode, sk, group, source, address, ifindex):
    """Add source to (or remove it from) the filter of the socket's
    membership of group, in mode omode: a membership must exist, a filter
    keeps its mode while it has one, igmp_max_msf sources at most;
    removing the last source of an INCLUDE filter leaves the group."""
    if not ipv4_is_multicast(group):
        raise Errno(EINVAL)
    in_dev, ifindex = ip_mc_find_dev(group, address, ifindex)
    if in_dev is None:
        raise Errno(ENODEV)
    m = _find(sk, group, ifindex)
    if m is None:
        raise Errno(EINVAL)             # no prior join
    if m.sfmode != omode:
        if m.sflist is not None:
            raise Errno(EINVAL)
        m.sfmode = omode                # an empty filter may change its mode
    if not add:
        if not m.sflist or source not in m.sflist:
            raise Errno(EADDRNOTAVAIL)
        if len(m.sflist) == 1 and omode == MCAST_INCLUDE:
            # (INCLUDE, nothing) is no membership
            ip_mc_leave_group(sk, group, address, ifindex)
            return
        m.sflist.remove(source)
        return
    if m.sflist is None:
        m.sflist = []
    if len(m.sflist) >= sysctl_igmp_max_msf:
        raise Errno(ENOBUFS)
    if source in m.sflist:
        raise Errno(EADDRNOTAVAIL)
    m.sflist.append(source)


def ip_mc_msfilter(sk, group, address, fmode, sources):
    """IP_MSFILTER: the whole filter of the socket's membership at once;
    (INCLUDE, nothing) leaves the group."""
    if not ipv4_is_multicast(group) or fmode not in (MCAST_INCLUDE, MCAST_EXCLUDE):
        raise Errno(EINVAL)
    in_dev, ifindex = ip_mc_find_dev(group, address, 0)
    if in_dev is None:
        raise Errno(ENODEV)
    if fmode == MCAST_INCLUDE and not sources:
        ip_mc_leave_group(sk, group, address, ifindex)
        return
    m = _find(sk, group, ifindex)
    if m is None:
        raise Errno(EINVAL)             # no prior join
    m.sflist = list(sources) if sources else None
    m.sfmode = fmode


def ip_mc_msfget(sk, group, address):
    """The filter of the socket's membership: (mode, sources)."""
    if not ipv4_is_multicast(group):
        raise Errno(EINVAL)
    in_dev, ifindex = ip_mc_find_dev(group, address, 0)
    if in_dev is None:
        raise Errno(ENODEV)
    m = _find(sk, group, ifindex)
    if m is None:
        raise Errno(EADDRNOTAVAIL)
    return m.sfmode, m.sflist or []


def ip_mc_join_source(add, omode, sk, group, source, address, ifindex):
    """IP_ADD_SOURCE_MEMBERSHIP and MCAST_JOIN_SOURCE_GROUP join the group
    in INCLUDE mode if need be, then add the source; the others only
    change the filter of a membership that exists."""
    if add and omode == MCAST_INCLUDE:
        try:
            ip_mc_join_group(sk, group, address, ifindex, MCAST_INCLUDE)
        except Errno as e:
            if e.errno != EADDRINUSE:
                raise
    ip_mc_source(add, omode, sk, group, source, address, ifindex)


def ip_mc_drop_socket(sk):
    """The socket is closed: it leaves every group."""
    for m in list(sk.mc_list):
        _drop(sk, m)


def ip_check_mc(in_dev, group, src):
    """The interface takes a datagram from src to group: it is a member
    and some member's filter lets src through (ip_check_mc_rcu)."""
    if group == IGMP_ALL_HOSTS:
        return True
    return in_dev is not None and any(m.group == group and m.allows(src)
                                      for m in in_dev.mc_list)


def ip_mc_sf_allow(sk, group, src, dif):
    """The socket takes a datagram from src to group that arrived on
    interface dif: by its membership's filter, or without one by
    IP_MULTICAST_ALL.  Anything but a multicast datagram passes."""
    if not ipv4_is_multicast(group):
        return True
    m = _find(sk, group, dif)
    if m is None:
        return sk.mc_all()
    return m.allows(src)
