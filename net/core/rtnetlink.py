"""net/core/rtnetlink.py - NETLINK_ROUTE: links, addresses and routes as
messages (what `ip` and glibc's getifaddrs speak).

A request is dispatched by message type (RTM_GETLINK, RTM_NEWADDR ...)
and, for the address and route messages, by the family in its header, as
rtnetlink_rcv_msg does; a GET with NLM_F_DUMP lists everything of its
kind (AF_UNSPEC: every family in turn).  Anything but a GET needs
CAP_NET_ADMIN.  The messages are built here for all families, with the
attributes Linux puts in them and in its order: rtnl_fill_ifinfo for
links, inet_fill_ifaddr / inet6_fill_ifaddr for addresses, fib_dump_info
/ rt6_fill_node for routes.  The state itself lives where Linux keeps it:
net/core/dev.py, net/ipv4/devinet.py, net/ipv4/fib.py,
net/ipv6/addrconf.py.

Changes are announced to the sockets that joined the matching multicast
group (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR ...), which is what `ip monitor`
listens to.
"""

from kernel.capability import CAP_NET_ADMIN, capable
import struct
import time

from kernel.errno import (EADDRNOTAVAIL, EEXIST, EINVAL, ENETDOWN, ENETUNREACH,
                          ENODEV, ENOENT, EOPNOTSUPP, EPERM, ESRCH, Errno)
from net.core.inetaddr import AF_INET, AF_INET6
from net.netlink.attr import (NLM_F_CREATE, NLM_F_DUMP, NLM_F_DUMP_FILTERED, NLM_F_EXCL,
                              NLM_F_MULTI,
                              NLM_F_REPLACE, nla, nla_get_string, nla_get_u32,
                              nla_nest, nla_parse, nla_string, nla_u8, nla_u32, nlmsg)
from net.core.dev import (dev_base, dev_change_flags, dev_get_by_index, dev_get_by_name,
                          dev_set_mtu, register_netdevice_notifier)
from net.ipv4 import devinet
from net.ipv6 import addrconf
from net.netlink import af_netlink

RTM_BASE = 16
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK = 16, 17, 18, 19
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26
RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH = 28, 29, 30
RTM_NEWRULE, RTM_DELRULE, RTM_GETRULE = 32, 33, 34
RTM_GETQDISC, RTM_GETNETCONF = 38, 82
RTM_MAX = 123

IFLA_ADDRESS, IFLA_BROADCAST, IFLA_IFNAME, IFLA_MTU, IFLA_LINK, IFLA_QDISC = 1, 2, 3, 4, 5, 6
IFLA_STATS, IFLA_MASTER, IFLA_TXQLEN, IFLA_MAP, IFLA_OPERSTATE, IFLA_LINKMODE = 7, 10, 13, 14, 16, 17
IFLA_LINKINFO, IFLA_IFALIAS, IFLA_STATS64, IFLA_AF_SPEC, IFLA_GROUP = 18, 20, 23, 26, 27
IFLA_EXT_MASK, IFLA_PROMISCUITY, IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES = 29, 30, 31, 32
IFLA_CARRIER, IFLA_CARRIER_CHANGES, IFLA_PROTO_DOWN, IFLA_GSO_MAX_SEGS = 33, 35, 39, 40
IFLA_GSO_MAX_SIZE, IFLA_PAD, IFLA_XDP, IFLA_CARRIER_UP_COUNT = 41, 42, 43, 47
IFLA_CARRIER_DOWN_COUNT, IFLA_MIN_MTU, IFLA_MAX_MTU, IFLA_ALT_IFNAME = 48, 50, 51, 53
IFLA_GRO_MAX_SIZE, IFLA_TSO_MAX_SIZE, IFLA_TSO_MAX_SEGS, IFLA_ALLMULTI = 58, 59, 60, 61
IFLA_GSO_IPV4_MAX_SIZE, IFLA_GRO_IPV4_MAX_SIZE, IFLA_TARGET_NETNSID = 63, 64, 46
IFLA_DEVLINK_PORT, IFLA_DPLL_PIN, IFLA_MAX_PACING_OFFLOAD_HORIZON = 62, 65, 66
IFLA_NETNS_IMMUTABLE, IFLA_HEADROOM, IFLA_TAILROOM = 67, 68, 69
IFLA_XDP_ATTACHED = 2
IFLA_INET6_FLAGS, IFLA_INET6_ADDR_GEN_MODE = 1, 8
IFLA_INET_CONF = 1

IFA_ADDRESS, IFA_LOCAL, IFA_LABEL, IFA_BROADCAST = 1, 2, 3, 4
IFA_CACHEINFO, IFA_FLAGS, IFA_RT_PRIORITY, IFA_TARGET_NETNSID = 6, 8, 9, 10

RTA_DST, RTA_SRC, RTA_IIF, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY = 1, 2, 3, 4, 5, 6
RTA_PREFSRC, RTA_METRICS, RTA_CACHEINFO, RTA_TABLE, RTA_MARK = 7, 8, 12, 15, 16
RTA_PREF, RTA_UID = 20, 25
RTM_F_CLONED, RTM_F_LOOKUP_TABLE, RTM_F_FIB_MATCH = 0x200, 0x1000, 0x2000
RTCF_LOCAL, RTCF_BROADCAST = 0x80000000, 0x10000000
RT_TABLE_COMPAT = 252

FRA_TABLE, FRA_PRIORITY, FRA_PROTOCOL = 15, 6, 21
FR_ACT_TO_TBL = 1

RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE = 1, 5, 7
RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV6_ROUTE = 9, 11

INFINITY_LIFE_TIME = 0xFFFFFFFF
_boot = time.monotonic()


def _hundredths():
    return int((time.monotonic() - _boot) * 100) & 0xFFFFFFFF


def _need_admin(t):
    if not capable(t, CAP_NET_ADMIN):
        raise Errno(EPERM)


# -- links -------------------------------------------------------------------------

def fill_ifinfo(dev, type_, flags, seq, pid, change=0):
    """rtnl_fill_ifinfo: the attributes, in Linux 6's order."""
    hdr = struct.pack("<BxHiII", 0, dev.type, dev.ifindex, dev.get_flags(), change)
    lo = dev.type == 772
    st = dev.stats
    a = [nla_string(IFLA_IFNAME, dev.name),
         nla_u32(IFLA_TXQLEN, dev.tx_queue_len),
         nla_u8(IFLA_OPERSTATE, dev.operstate()),
         nla_u8(IFLA_LINKMODE, 0),
         nla_u8(IFLA_NETNS_IMMUTABLE, 1 if lo else 0),
         nla_u32(IFLA_MTU, dev.mtu),
         nla_u32(IFLA_MIN_MTU, 0 if lo else dev.min_mtu),
         nla_u32(IFLA_MAX_MTU, 0 if lo else dev.max_mtu),
         nla_u32(IFLA_GROUP, dev.group),
         nla_u32(IFLA_PROMISCUITY, 0),
         nla_u32(IFLA_ALLMULTI, 0),
         nla_u32(IFLA_NUM_TX_QUEUES, 1),
         nla_u32(IFLA_GSO_MAX_SEGS, 65535),
         nla_u32(IFLA_GSO_MAX_SIZE, 65536),
         nla_u32(IFLA_GRO_MAX_SIZE, 65536),
         nla_u32(IFLA_GSO_IPV4_MAX_SIZE, 65536),
         nla_u32(IFLA_GRO_IPV4_MAX_SIZE, 65536),
         nla_u32(IFLA_TSO_MAX_SIZE, 524280),
         nla_u32(IFLA_TSO_MAX_SEGS, 65535),
         nla_u32(IFLA_MAX_PACING_OFFLOAD_HORIZON, 0),
         nla_u32(IFLA_NUM_RX_QUEUES, 1),
         nla_u8(IFLA_CARRIER, 1 if dev.is_up() else 0),
         nla_u32(IFLA_CARRIER_CHANGES, 0),
         nla_u32(IFLA_CARRIER_UP_COUNT, 0),
         nla_u32(IFLA_CARRIER_DOWN_COUNT, 0),
         nla(IFLA_HEADROOM, struct.pack("<H", 0)),
         nla(IFLA_TAILROOM, struct.pack("<H", 0)),
         nla_u8(IFLA_PROTO_DOWN, 0),
         nla(IFLA_ADDRESS, dev.dev_addr),
         nla(IFLA_BROADCAST, dev.broadcast)]
    s64 = [st["rx_packets"], st["tx_packets"], st["rx_bytes"], st["tx_bytes"],
           st["rx_errors"], st["tx_errors"], st["rx_dropped"], st["tx_dropped"],
           st["multicast"], st["collisions"]] + [0] * 15
    a.append(nla(IFLA_STATS64, struct.pack("<25Q", *s64)))
    a.append(nla(IFLA_STATS, struct.pack("<24I", *[v & 0xFFFFFFFF for v in s64[:24]])))
    a.append(nla_nest(IFLA_XDP, nla_u8(IFLA_XDP_ATTACHED, 0)))
    a.append(nla_string(IFLA_QDISC, dev.qdisc))
    a.append(nla_nest(IFLA_AF_SPEC,
                      nla_nest(AF_INET, nla(IFLA_INET_CONF, bytes(4 * 33))),
                      nla_nest(AF_INET6, nla_u32(IFLA_INET6_FLAGS, 0x80000000),
                               nla_u8(IFLA_INET6_ADDR_GEN_MODE, 0))))
    a.append(nla(IFLA_MAP, struct.pack("<QQQHBB4x", 0, 0, 0, 0, 0, 0)))
    a.append(nla(IFLA_DEVLINK_PORT | 0x8000, b""))
    a.append(nla(IFLA_DPLL_PIN | 0x8000, b""))
    return nlmsg(RTM_NEWLINK, flags, seq, pid, hdr + b"".join(a))


def _ifinfomsg(msg):
    body = msg[16:]
    if len(body) < 16:
        return None, {}
    fam, typ, idx, flags, change = struct.unpack_from("<BxHiII", body)
    return (fam, typ, idx, flags, change), nla_parse(body[16:])


def dump_links(t, sk, hdr, msg):
    seq = hdr[3]
    if sk.strict():
        head, attrs = _ifinfomsg(msg)
        if head is None:
            return sk.start_dump([], seq, -EINVAL)
        _, typ, idx, flags, change = head
        if struct.unpack_from("<B", msg, 17)[0] or typ or flags or change or idx:
            return sk.start_dump([], seq, -EINVAL)
        for k in attrs:
            if k not in (IFLA_TARGET_NETNSID, IFLA_EXT_MASK, IFLA_MASTER, IFLA_LINKINFO):
                return sk.start_dump([], seq, -EINVAL)
    return sk.start_dump([fill_ifinfo(d, RTM_NEWLINK, NLM_F_MULTI, seq, sk.portid)
                          for d in dev_base], seq)


def _find_dev(head, attrs):
    idx = head[2] if head else 0
    if idx > 0:
        return dev_get_by_index(idx)
    name = attrs.get(IFLA_IFNAME) or attrs.get(IFLA_ALT_IFNAME)
    if name is not None:
        return dev_get_by_name(nla_get_string(name))
    raise Errno(EINVAL)


def getlink(t, sk, hdr, msg):
    head, attrs = _ifinfomsg(msg)
    if head is None:
        raise Errno(EINVAL)
    dev = _find_dev(head, attrs)
    if dev is None:
        raise Errno(ENODEV)
    sk.unicast(fill_ifinfo(dev, RTM_NEWLINK, 0, hdr[3], sk.portid))
    return 0


def setlink(t, sk, hdr, msg, new=False):
    _need_admin(t)
    head, attrs = _ifinfomsg(msg)
    if head is None:
        raise Errno(EINVAL)
    flags = hdr[2]
    try:
        dev = _find_dev(head, attrs)
    except Errno:
        if not new:
            raise
        dev = None
    if dev is None:
        if new and flags & NLM_F_CREATE:
            raise Errno(EOPNOTSUPP)             # no link types to create
        raise Errno(ENODEV)
    if new and flags & NLM_F_EXCL:
        raise Errno(EEXIST)
    if new and flags & NLM_F_REPLACE:
        raise Errno(EOPNOTSUPP)
    if IFLA_MTU in attrs:
        dev_set_mtu(dev, nla_get_u32(attrs[IFLA_MTU]))
    if IFLA_TXQLEN in attrs:
        dev.tx_queue_len = nla_get_u32(attrs[IFLA_TXQLEN])
    if IFLA_IFNAME in attrs and nla_get_string(attrs[IFLA_IFNAME]) != dev.name and head[2] > 0:
        raise Errno(EOPNOTSUPP)
    if IFLA_ADDRESS in attrs:
        raise Errno(EOPNOTSUPP)
    _, _, _, ifi_flags, change = head
    if ifi_flags or change:
        new_flags = ((ifi_flags & change) | (dev.flags & ~change)) if change else ifi_flags
        dev_change_flags(dev, new_flags)
    return 0


def notify_link(dev):
    _multicast(RTNLGRP_LINK, lambda: fill_ifinfo(dev, RTM_NEWLINK, 0, 0, 0))


# -- addresses ------------------------------------------------------------------------

def _cacheinfo():
    now = _hundredths()
    return nla(IFA_CACHEINFO, struct.pack("<IIII", INFINITY_LIFE_TIME, INFINITY_LIFE_TIME,
                                          now, now))


def fill_ifaddr4(ifa, type_, flags, seq, pid):
    """inet_fill_ifaddr."""
    hdr = struct.pack("<BBBBI", AF_INET, ifa.prefixlen, ifa.flags & 0xFF, ifa.scope,
                      ifa.dev.ifindex)
    a = []
    if any(ifa.address):
        a.append(nla(IFA_ADDRESS, ifa.address))
    if any(ifa.local):
        a.append(nla(IFA_LOCAL, ifa.local))
    if any(ifa.broadcast):
        a.append(nla(IFA_BROADCAST, ifa.broadcast))
    if ifa.label:
        a.append(nla_string(IFA_LABEL, ifa.label))
    a.append(nla_u32(IFA_FLAGS, ifa.flags))
    a.append(_cacheinfo())
    return nlmsg(type_, flags, seq, pid, hdr + b"".join(a))


def fill_ifaddr6(ifp, type_, flags, seq, pid):
    """inet6_fill_ifaddr."""
    hdr = struct.pack("<BBBBI", AF_INET6, ifp.prefixlen, ifp.flags & 0xFF, ifp.rt_scope,
                      ifp.dev.ifindex)
    a = [nla(IFA_ADDRESS, ifp.addr), _cacheinfo(), nla_u32(IFA_FLAGS, ifp.flags)]
    return nlmsg(type_, flags, seq, pid, hdr + b"".join(a))


def _ifaddrmsg(msg):
    body = msg[16:]
    if len(body) < 8:
        return None, {}
    return struct.unpack_from("<BBBBI", body), nla_parse(body[8:])


def dump_addrs(t, sk, hdr, msg, family):
    seq = hdr[3]
    ifindex = 0
    if sk.strict():
        head, attrs = _ifaddrmsg(msg)
        if head is None:
            return sk.start_dump([], seq, -EINVAL)
        _, plen, fl, scope, ifindex = head
        if plen or fl or scope or any(k != IFA_TARGET_NETNSID for k in attrs):
            return sk.start_dump([], seq, -EINVAL)
        if ifindex:
            if dev_get_by_index(ifindex) is None:
                return sk.start_dump([], seq, -ENODEV)
    mflags = NLM_F_MULTI | (NLM_F_DUMP_FILTERED if ifindex else 0)
    parts = []
    if family in (0, AF_INET):
        parts += [fill_ifaddr4(a, RTM_NEWADDR, mflags, seq, sk.portid)
                  for a in devinet.all_ifaddrs() if not ifindex or a.dev.ifindex == ifindex]
    if family in (0, AF_INET6):
        parts += [fill_ifaddr6(a, RTM_NEWADDR, mflags, seq, sk.portid)
                  for a in addrconf.all_ifaddrs6() if not ifindex or a.dev.ifindex == ifindex]
    return sk.start_dump(parts, seq, flags=mflags & NLM_F_DUMP_FILTERED)


def newaddr(t, sk, hdr, msg, family, delete=False):
    _need_admin(t)
    head, attrs = _ifaddrmsg(msg)
    if head is None:
        raise Errno(EINVAL)
    fam, plen, fl, scope, ifindex = head
    local = attrs.get(IFA_LOCAL) or attrs.get(IFA_ADDRESS)
    if family == AF_INET:
        if plen > 32:
            raise Errno(EINVAL)
        if delete:
            for ifa in list(devinet.all_ifaddrs()):
                if (not ifindex or ifa.dev.ifindex == ifindex) and \
                        (local is None or (ifa.local == local and ifa.prefixlen == plen)) and \
                        (IFA_LABEL not in attrs or
                         ifa.label == nla_get_string(attrs[IFA_LABEL])):
                    devinet.inet_del_ifa(ifa)
                    return 0
            raise Errno(EADDRNOTAVAIL)
        if local is None or len(local) != 4:
            raise Errno(EINVAL)
        dev = dev_get_by_index(ifindex)
        if dev is None:
            raise Errno(ENODEV)
        for ifa in devinet.in_dev_get(dev).ifa_list:
            if ifa.local == local and ifa.prefixlen == plen:
                if hdr[2] & NLM_F_EXCL or not hdr[2] & NLM_F_REPLACE:
                    raise Errno(EEXIST)
                return 0
        label = nla_get_string(attrs[IFA_LABEL]) if IFA_LABEL in attrs else dev.name
        flags = nla_get_u32(attrs[IFA_FLAGS]) if IFA_FLAGS in attrs else fl
        devinet.inet_add_ifaddr(dev, bytes(local), plen, attrs.get(IFA_BROADCAST), label,
                                scope, (flags | devinet.IFA_F_PERMANENT) & ~devinet.IFA_F_SECONDARY)
        return 0
    if plen > 128:
        raise Errno(EINVAL)
    if local is None or len(local) != 16:
        raise Errno(EINVAL)
    if delete:
        for ifp in list(addrconf.all_ifaddrs6()):
            if ifp.addr == local and (not ifindex or ifp.dev.ifindex == ifindex):
                addrconf.ipv6_del_addr(ifp)
                return 0
        raise Errno(EADDRNOTAVAIL)
    flags = nla_get_u32(attrs[IFA_FLAGS]) if IFA_FLAGS in attrs else fl
    addrconf.inet6_addr_add(ifindex, bytes(local), plen, flags)
    return 0


def notify_addr(ifa, new):
    _multicast(RTNLGRP_IPV4_IFADDR,
               lambda: fill_ifaddr4(ifa, RTM_NEWADDR if new else RTM_DELADDR, 0, 0, 0))


def notify_addr6(ifp, new):
    _multicast(RTNLGRP_IPV6_IFADDR,
               lambda: fill_ifaddr6(ifp, RTM_NEWADDR if new else RTM_DELADDR, 0, 0, 0))


# -- routes -----------------------------------------------------------------------------

def fill_route4(r, type_, flags, seq, pid):
    """fib_dump_info."""
    hdr = struct.pack("<BBBBBBBBI", AF_INET, r.dst_len, 0, r.tos,
                      r.table if r.table < 256 else RT_TABLE_COMPAT, r.protocol, r.scope,
                      r.type, 0)
    a = [nla_u32(RTA_TABLE, r.table)]
    if r.dst_len:
        a.append(nla(RTA_DST, r.dst))
    if r.priority:
        a.append(nla_u32(RTA_PRIORITY, r.priority))
    if r.prefsrc:
        a.append(nla(RTA_PREFSRC, r.prefsrc))
    if r.gateway:
        a.append(nla(RTA_GATEWAY, r.gateway))
    if r.dev is not None:
        a.append(nla_u32(RTA_OIF, r.dev.ifindex))
    return nlmsg(type_, flags, seq, pid, hdr + b"".join(a))


def fill_route6(r, type_, flags, seq, pid):
    """rt6_fill_node."""
    hdr = struct.pack("<BBBBBBBBI", AF_INET6, r.dst_len, 0, 0,
                      r.table if r.table < 256 else RT_TABLE_COMPAT, r.protocol, 0, r.type, 0)
    a = [nla_u32(RTA_TABLE, r.table)]
    if r.dst_len:
        a.append(nla(RTA_DST, r.dst))
    a.append(nla_u32(RTA_PRIORITY, r.metric))
    a.append(nla_u32(RTA_OIF, r.dev.ifindex))
    a.append(nla(RTA_CACHEINFO, struct.pack("<IIiIIIII", 0, 0, 0, 0, 0, 0, 0, 0)))
    a.append(nla_u8(RTA_PREF, 0))
    return nlmsg(type_, flags, seq, pid, hdr + b"".join(a))


def _route_order4(r):
    return (int.from_bytes(r.dst, "big"), -r.dst_len, r.priority)


def dump_routes(t, sk, hdr, msg, family):
    # cycle: net.ipv4.fib -> net.ipv4.devinet -> net.core.rtnetlink
    from net.ipv4 import fib
    seq = hdr[3]
    parts = []
    if family in (0, AF_INET):
        for table in sorted(fib.tables, key=lambda x: x == fib.RT_TABLE_LOCAL):
            for r in sorted(fib.tables[table], key=_route_order4):
                parts.append(fill_route4(r, RTM_NEWROUTE, NLM_F_MULTI, seq, sk.portid))
    if family in (0, AF_INET6):
        for table in (addrconf.RT6_TABLE_MAIN, addrconf.RT6_TABLE_LOCAL):
            for r in sorted((x for x in addrconf.routes6 if x.table == table),
                            key=lambda x: (x.dst, -x.dst_len)):
                parts.append(fill_route6(r, RTM_NEWROUTE, NLM_F_MULTI, seq, sk.portid))
    return sk.start_dump(parts, seq)


def _rtmsg(msg):
    body = msg[16:]
    if len(body) < 12:
        return None, {}
    return struct.unpack_from("<BBBBBBBBI", body), nla_parse(body[12:])


def getroute(t, sk, hdr, msg, family):
    """inet_rtm_getroute: what `ip route get` asks."""
    # cycle: net.ipv4.fib -> net.ipv4.devinet -> net.core.rtnetlink
    from net.ipv4 import fib
    head, attrs = _rtmsg(msg)
    if head is None:
        raise Errno(EINVAL)
    if family != AF_INET:
        if family == AF_INET6:
            dst = attrs.get(RTA_DST, bytes(16))
            rt = addrconf.ip6_route_output(bytes(dst))
            src = bytes(attrs.get(RTA_SRC, bytes(16)))
            h = struct.pack("<BBBBBBBBI", AF_INET6, 128, 128, 0, 255, 2, 0, rt.type, 0)
            a = [nla_u32(RTA_TABLE, 255), nla(RTA_DST, rt.daddr), nla(RTA_SRC, src),
                 nla(RTA_PREFSRC, rt.saddr), nla_u32(RTA_PRIORITY, 0),
                 nla_u32(RTA_OIF, rt.dev.ifindex),
                 nla(RTA_CACHEINFO, bytes(32)), nla_u8(RTA_PREF, 0)]
            sk.unicast(nlmsg(RTM_NEWROUTE, 0, hdr[3], sk.portid, h + b"".join(a)))
            return 0
        raise Errno(EOPNOTSUPP)
    dst = bytes(attrs.get(RTA_DST, bytes(4)))
    src = attrs.get(RTA_SRC)
    rt = fib.ip_route_output(dst, bytes(src) if src else None)
    # without policy rules Linux merges local into main: the answer is main's
    table = fib.RT_TABLE_MAIN
    rflags = RTM_F_CLONED | (RTCF_LOCAL if rt.type == 2 else 0) | \
        (RTCF_BROADCAST if rt.type == 3 else 0)
    h = struct.pack("<BBBBBBBBI", AF_INET, 32, 0, 0, table, 0, 0, rt.type, rflags)
    a = [nla_u32(RTA_TABLE, table), nla(RTA_DST, dst)]
    a.append(nla_u32(RTA_OIF, rt.dev.ifindex))
    if rt.gateway:
        a.append(nla(RTA_GATEWAY, rt.gateway))
    a.append(nla(RTA_PREFSRC, rt.saddr))
    a.append(nla_u32(RTA_UID, t.cred.uid))
    a.append(nla(RTA_CACHEINFO, struct.pack("<IIiIIIII", 0, 0, 0, 0, 0, 0, 0, 0)))
    sk.unicast(nlmsg(RTM_NEWROUTE, 0, hdr[3], sk.portid, h + b"".join(a)))
    return 0


def newroute(t, sk, hdr, msg, family, delete=False):
    """ip route add/del for IPv4 (fib_new/delete through inet_rtm_newroute)."""
    # cycle: net.ipv4.fib -> net.ipv4.devinet -> net.core.rtnetlink
    from net.ipv4 import fib
    _need_admin(t)
    if family != AF_INET:
        raise Errno(EOPNOTSUPP)
    head, attrs = _rtmsg(msg)
    if head is None:
        raise Errno(EINVAL)
    _, dst_len, src_len, tos, table, proto, scope, typ, rflags = head
    if dst_len > 32:
        raise Errno(EINVAL)
    table = nla_get_u32(attrs[RTA_TABLE]) if RTA_TABLE in attrs else (table or fib.RT_TABLE_MAIN)
    dst = bytes(attrs.get(RTA_DST, bytes(4)))
    gw = bytes(attrs[RTA_GATEWAY]) if RTA_GATEWAY in attrs else None
    dev = None
    if RTA_OIF in attrs:
        dev = dev_get_by_index(nla_get_u32(attrs[RTA_OIF]))
        if dev is None:
            raise Errno(ENODEV)
    prio = nla_get_u32(attrs[RTA_PRIORITY]) if RTA_PRIORITY in attrs else 0
    if delete:
        def match(r):
            return r.table == table and r.dst_len == dst_len and \
                r.dst == fib.FibRoute(table, 1, dst, dst_len, None).dst and \
                (dev is None or r.dev is dev) and (gw is None or r.gateway == gw) and \
                (RTA_PRIORITY not in attrs or r.priority == prio)
        try:
            fib.fib_delete(match)
        except Errno:
            raise Errno(ESRCH)
        return 0
    if gw is not None and dev is None:
        r = fib.fib_lookup(gw)
        if r is None or r.type != devinet.RTN_UNICAST or r.gateway:
            raise Errno(ENETUNREACH)
        dev = r.dev
    if dev is None:
        raise Errno(ENODEV)
    if not dev.is_up():
        raise Errno(ENETDOWN)
    prefsrc = bytes(attrs[RTA_PREFSRC]) if RTA_PREFSRC in attrs else None
    r = fib.FibRoute(table, typ or devinet.RTN_UNICAST, dst, dst_len, dev, prefsrc, gw,
                     scope if scope != 0 or gw else (devinet.RT_SCOPE_LINK if gw is None else 0),
                     proto, prio, tos)
    if not hdr[2] & NLM_F_CREATE and not hdr[2] & NLM_F_REPLACE:
        raise Errno(ENOENT)
    fib.fib_insert(r, replace=bool(hdr[2] & NLM_F_REPLACE), excl=bool(hdr[2] & NLM_F_EXCL))
    return 0


def notify_route4(r, new):
    _multicast(RTNLGRP_IPV4_ROUTE,
               lambda: fill_route4(r, RTM_NEWROUTE if new else RTM_DELROUTE, 0, 0, 0))


def notify_route6(r, new):
    _multicast(RTNLGRP_IPV6_ROUTE,
               lambda: fill_route6(r, RTM_NEWROUTE if new else RTM_DELROUTE, 0, 0, 0))


# -- rules, neighbours ---------------------------------------------------------------------

def dump_rules(t, sk, hdr, msg, family):
    """The three default rules of each family (fib_default_rules_init)."""
    seq = hdr[3]
    parts = []
    for fam in ((AF_INET, AF_INET6) if family == 0 else (family,)):
        if fam not in (AF_INET, AF_INET6):
            continue
        for prio, table in ((0, 255), (32766, 254), (32767, 253)):
            if fam == AF_INET6 and table == 253:
                continue
            h = struct.pack("<BBBBBBBBI", fam, 0, 0, 0, table, 0, 0, FR_ACT_TO_TBL, 0)
            a = nla_u32(FRA_TABLE, table) + (nla_u32(FRA_PRIORITY, prio) if prio else b"") \
                + nla_u8(FRA_PROTOCOL, 2)
            parts.append(nlmsg(RTM_NEWRULE, NLM_F_MULTI, seq, sk.portid, h + a))
    return sk.start_dump(parts, seq)


def dump_empty(t, sk, hdr, msg, family=0):
    return sk.start_dump([], hdr[3])


# -- dispatch ----------------------------------------------------------------------------

# type -> (doit, dumpit); a handler taking a family gets the message's
DOIT = {
    RTM_GETLINK: getlink,
    RTM_SETLINK: lambda t, sk, h, m: setlink(t, sk, h, m),
    RTM_NEWLINK: lambda t, sk, h, m: setlink(t, sk, h, m, new=True),
    RTM_NEWADDR: lambda t, sk, h, m, f: newaddr(t, sk, h, m, f),
    RTM_DELADDR: lambda t, sk, h, m, f: newaddr(t, sk, h, m, f, delete=True),
    RTM_GETROUTE: getroute,
    RTM_NEWROUTE: lambda t, sk, h, m, f: newroute(t, sk, h, m, f),
    RTM_DELROUTE: lambda t, sk, h, m, f: newroute(t, sk, h, m, f, delete=True),
}
DUMPIT = {
    RTM_GETLINK: dump_links,
    RTM_GETADDR: dump_addrs,
    RTM_GETROUTE: dump_routes,
    RTM_GETRULE: dump_rules,
    RTM_GETNEIGH: dump_empty,
    RTM_GETQDISC: dump_empty,
    RTM_GETNETCONF: dump_empty,
}
_FAMILY_HANDLERS = {dump_addrs, dump_routes, dump_rules, dump_empty, getroute}
_PER_FAMILY = (RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR, RTM_NEWROUTE, RTM_DELROUTE,
               RTM_GETROUTE, RTM_GETRULE)


def rtnetlink_rcv_msg(t, sk, hdr, msg):
    """One request: 0, -errno, or -EINTR when a dump answers by itself."""
    ln, typ, flags, seq, pid = hdr
    if typ > RTM_MAX:
        return -EOPNOTSUPP
    if ln - 16 < 1:
        return 0
    family = msg[16]
    kind = (typ - RTM_BASE) & 3
    if kind != 2 and not capable(t, CAP_NET_ADMIN):
        return -EPERM
    if kind == 2 and flags & NLM_F_DUMP == NLM_F_DUMP:
        fn = DUMPIT.get(typ)
        if fn is None:
            return -EOPNOTSUPP
        if typ in _PER_FAMILY and family not in (0, AF_INET, AF_INET6):
            return -EOPNOTSUPP if typ != RTM_GETADDR else sk.start_dump([], seq)
        if fn in _FAMILY_HANDLERS:
            return fn(t, sk, hdr, msg, family)
        return fn(t, sk, hdr, msg)
    fn = DOIT.get(typ)
    if fn is None:
        return -EOPNOTSUPP
    if typ in _PER_FAMILY:
        if family not in (AF_INET, AF_INET6):
            return -EOPNOTSUPP
        r = fn(t, sk, hdr, msg, family)
    else:
        r = fn(t, sk, hdr, msg)
    return r


def _multicast(group, build):
    if af_netlink.has_listeners(0, group):
        af_netlink.netlink_broadcast(0, build(), 0, group)


def rtnetlink_init():
    register_netdevice_notifier(lambda event, dev: notify_link(dev))

