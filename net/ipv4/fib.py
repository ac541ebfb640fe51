"""net/ipv4/fib.py - the IPv4 forwarding information base: routing tables.

Two tables, as Linux has them: `local` (255) holds a route for each of our
own addresses and broadcast addresses, put there by the kernel when an
address is added (fib_add_ifaddr); `main` (254) holds the routes `ip
route` shows: a prefix route for each address's subnet on a non-loopback
device, and whatever is added by hand or by the user-mode network's set-up
(the default route via its gateway).  A lookup tries local, then main,
longest prefix first (the default rules 0, 32766).

Routes live on their device: taking the device down removes them all (a
down `lo` means 127.0.0.1 is unreachable), bringing it up installs its
addresses' routes again.  /proc/net/route shows the main table.
"""

from kernel.errno import EEXIST, ENETUNREACH, ENODEV, ESRCH, Errno
from net.core.inetaddr import in4_to_int, int_to_in4, ipv4_is_multicast, prefix_mask4
from net.ipv4.devinet import (IFA_F_NOPREFIXROUTE, IFA_F_SECONDARY, RTN_BLACKHOLE, RTN_BROADCAST,
                              RTN_LOCAL, RTN_MULTICAST, RTN_UNICAST, RTN_UNREACHABLE,
                              RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, inet_select_addr,
                              ip_dev_find)
from net.core import rtnetlink
from net.core.dev import (NETDEV_DOWN, dev_get_by_index, loopback_dev,
                          register_netdevice_notifier)

RT_TABLE_UNSPEC, RT_TABLE_DEFAULT, RT_TABLE_MAIN, RT_TABLE_LOCAL = 0, 253, 254, 255
RTPROT_UNSPEC, RTPROT_REDIRECT, RTPROT_KERNEL, RTPROT_BOOT, RTPROT_STATIC = 0, 1, 2, 3, 4
RTPROT_DHCP = 16


class FibRoute:
    """One route (Linux's fib_alias + fib_info, with one next hop)."""

    def __init__(self, table, type_, dst, dst_len, dev, prefsrc=None, gateway=None,
                 scope=RT_SCOPE_UNIVERSE, protocol=RTPROT_BOOT, priority=0, tos=0):
        self.table = table
        self.type = type_
        self.dst = int_to_in4(in4_to_int(dst) & prefix_mask4(dst_len))
        self.dst_len = dst_len
        self.dev = dev
        self.prefsrc = prefsrc
        self.gateway = gateway
        self.scope = scope
        self.protocol = protocol
        self.priority = priority
        self.tos = tos
        self.magic = None               # the address that put it here (kernel routes)

    def key(self):
        return (self.table, self.dst, self.dst_len, self.tos, self.priority)

    def matches(self, addr):
        return (in4_to_int(addr) ^ in4_to_int(self.dst)) & prefix_mask4(self.dst_len) == 0


tables = {RT_TABLE_LOCAL: [], RT_TABLE_MAIN: []}


def fib_table_lookup(table, addr):
    best = None
    for r in tables.get(table, ()):
        if not r.matches(addr):
            continue
        if r.dev is not None and not r.dev.is_up():
            continue
        if best is None or r.dst_len > best.dst_len or \
                (r.dst_len == best.dst_len and r.priority < best.priority):
            best = r
    return best


def fib_lookup(addr):
    """The route for addr under the default rules (local, main, default)."""
    for table in (RT_TABLE_LOCAL, RT_TABLE_MAIN, RT_TABLE_DEFAULT):
        r = fib_table_lookup(table, addr)
        if r is not None:
            return r
    return None


def fib_insert(r, replace=False, excl=False):
    tb = tables.setdefault(r.table, [])
    for i, old in enumerate(tb):
        if old.key() == r.key() and old.type == r.type and (r.type != RTN_UNICAST or
                                                           old.dev is r.dev or replace):
            if excl:
                raise Errno(EEXIST)
            if replace:
                tb[i] = r
                _notify(old, False)
                _notify(r, True)
                return r
            if old.dev is r.dev and old.gateway == r.gateway:
                raise Errno(EEXIST)
    tb.append(r)
    _notify(r, True)
    return r


def fib_delete(match):
    """Remove the first route for which match(route) is true; ESRCH if none."""
    for table, tb in tables.items():
        for r in tb:
            if match(r):
                tb.remove(r)
                _notify(r, False)
                return r
    raise Errno(ESRCH)


def _notify(r, new):
    rtnetlink.notify_route4(r, new)


def _magic(type_, dst, dst_len, ifa, priority=0):
    table = RT_TABLE_MAIN if type_ == RTN_UNICAST else RT_TABLE_LOCAL
    scope = RT_SCOPE_HOST if type_ == RTN_LOCAL else RT_SCOPE_LINK
    r = FibRoute(table, type_, dst, dst_len, ifa.dev, prefsrc=ifa.local, scope=scope,
                 protocol=RTPROT_KERNEL, priority=priority)
    for old in tables[table]:
        if old.key() == r.key() and old.type == type_ and old.dev is ifa.dev:
            return                      # the same route, from another address
    r.magic = ifa
    tables[table].append(r)
    _notify(r, True)


def fib_add_ifaddr(ifa):
    """The routes an address brings (Linux's fib_add_ifaddr)."""
    dev = ifa.dev
    _magic(RTN_LOCAL, ifa.local, 32, ifa)
    if not dev.is_up():
        return
    if any(ifa.broadcast) and ifa.broadcast != b"\xff\xff\xff\xff":
        _magic(RTN_BROADCAST, ifa.broadcast, 32, ifa)
    prefix = ifa.prefix()
    if any(prefix) and not ifa.flags & IFA_F_SECONDARY and \
            (prefix != ifa.local or ifa.prefixlen < 32):
        if not ifa.flags & IFA_F_NOPREFIXROUTE:
            _magic(RTN_LOCAL if dev.flags & 0x8 else RTN_UNICAST, prefix, ifa.prefixlen, ifa)
        if ifa.prefixlen < 31:
            brd = int_to_in4(in4_to_int(prefix) | (prefix_mask4(ifa.prefixlen) ^ 0xFFFFFFFF))
            _magic(RTN_BROADCAST, brd, 32, ifa)


def fib_del_ifaddr(ifa, down=False):
    """Remove what the address put in; on a device going down, every route
    through it goes (fib_sync_down_dev)."""
    for table, tb in tables.items():
        for r in list(tb):
            if r.magic is ifa or (down and r.dev is ifa.dev):
                tb.remove(r)
                _notify(r, False)
    if not down:
        # routes another address of the same device still needs come back
        ind = ifa.dev.ip_ptr
        for other in (ind.ifa_list if ind else ()):
            if other is not ifa:
                fib_add_ifaddr(other)


def fib_flush_dev(dev):
    for table, tb in tables.items():
        for r in list(tb):
            if r.dev is dev:
                tb.remove(r)
                _notify(r, False)


class Rtable:
    """The result of routing a flow (struct rtable): how to reach daddr."""
    __slots__ = ("type", "dev", "saddr", "gateway", "daddr")

    def __init__(self, type_, dev, saddr, gateway, daddr):
        self.type = type_
        self.dev = dev
        self.saddr = saddr
        self.gateway = gateway
        self.daddr = daddr

    def is_local(self):
        return self.type == RTN_LOCAL

    def is_broadcast(self):
        return self.type == RTN_BROADCAST

    def is_multicast(self):
        return self.type == RTN_MULTICAST


def ip_route_output(daddr, saddr=None, oif=0):
    """Route a flow to daddr (ip_route_output_key): ENETUNREACH if no route.
    Local destinations leave through the loopback device; oif (the
    interface a multicast flow asks for) is only looked at for those."""
    lo = loopback_dev()
    if saddr is not None and not any(saddr):
        saddr = None
    if ipv4_is_multicast(daddr):
        return _route_multicast(daddr, saddr, oif)
    if not any(daddr):
        # connect(0.0.0.0) means this host
        src = saddr or bytes([127, 0, 0, 1])
        if lo is None or not lo.is_up():
            raise Errno(ENETUNREACH)
        return Rtable(RTN_LOCAL, lo, src, None, src)
    r = fib_lookup(daddr)
    if r is None or r.type in (RTN_UNREACHABLE, RTN_BLACKHOLE):
        raise Errno(ENETUNREACH)
    if r.type == RTN_LOCAL:
        if lo is None or not lo.is_up():
            raise Errno(ENETUNREACH)
        src = saddr or r.prefsrc or daddr
        return Rtable(RTN_LOCAL, lo, src, None, daddr)
    typ = r.type
    if daddr == b"\xff\xff\xff\xff":
        typ = RTN_BROADCAST
    src = saddr or r.prefsrc or inet_select_addr(r.dev, r.gateway or daddr,
                                                 RT_SCOPE_LINK if r.gateway is None
                                                 else RT_SCOPE_UNIVERSE)
    return Rtable(typ, r.dev, src, r.gateway, daddr)


def _route_multicast(daddr, saddr, oif):
    """A multicast flow leaves through the interface asked for, the one
    that owns its source address, or the one the table routes the group
    to; an interface asked for needs no route (it is assumed on link)."""
    if oif:
        dev = dev_get_by_index(oif)
        if dev is None:
            raise Errno(ENODEV)
        if not dev.is_up() or dev.ip_ptr is None:
            raise Errno(ENETUNREACH)
    elif saddr is not None:
        dev = ip_dev_find(saddr)
        if dev is None:
            raise Errno(ENETUNREACH)
    else:
        r = fib_lookup(daddr)
        if r is None or r.type in (RTN_UNREACHABLE, RTN_BLACKHOLE) or r.dev is None:
            raise Errno(ENETUNREACH)
        dev = r.dev
    src = saddr or inet_select_addr(dev, None, RT_SCOPE_LINK)
    return Rtable(RTN_MULTICAST, dev, src, None, daddr)


def fib_init():

    def notify(event, dev):
        if event == NETDEV_DOWN:
            fib_flush_dev(dev)
    register_netdevice_notifier(notify)


# -- /proc/net/route ------------------------------------------------------------------

RTF_UP, RTF_GATEWAY, RTF_HOST = 0x1, 0x2, 0x4


def _le32(a):
    return int.from_bytes(a, "little")


def show_route(reader):
    """fib_route_seq_show: the main table, one line per route, padded."""
    out = ["%-127s\n" % "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"]
    for r in tables.get(RT_TABLE_MAIN, ()):
        if r.type != RTN_UNICAST or r.dev is None:
            continue
        flags = RTF_UP
        if r.gateway:
            flags |= RTF_GATEWAY
        if r.dst_len == 32:
            flags |= RTF_HOST
        line = "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u" % (
            r.dev.name.decode(), _le32(r.dst), _le32(r.gateway or bytes(4)), flags, 0, 0,
            r.priority, _le32(int_to_in4(prefix_mask4(r.dst_len))), 0, 0, 0)
        out.append("%-127s\n" % line)
    return "".join(out)
