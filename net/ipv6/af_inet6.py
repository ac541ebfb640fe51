"""net/ipv6/af_inet6.py - PF_INET6 sockets: creation and binding.

The same TCP and UDP sockets as AF_INET (net/ipv4/af_inet.py), holding
16-byte addresses.  An IPv6 socket talks IPv4 through v4-mapped addresses
unless IPV6_V6ONLY is set (net.ipv6.bindv6only gives the default): bound
to ::, it accepts both; bound to ::ffff:127.0.0.1, only IPv4; bound to a
real IPv6 address, only IPv6 (and binding one sets V6ONLY, as Linux does).
"""

from kernel.capability import CAP_NET_BIND_SERVICE, capable
import struct

from kernel.errno import EACCES, EADDRNOTAVAIL, EAFNOSUPPORT, EINVAL, ENODEV, Errno
from net.core.inetaddr import AF_INET6, ipv6_is_linklocal, ipv6_is_multicast, is_any, is_v4mapped
from net.ipv4.af_inet import inet_create, ntohs_at, sa_family
from net.core.dev import dev_get_by_index
from net.ipv4 import af_inet
from net.ipv4.devinet import RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, inet_addr_type
from net.ipv6.addrconf import ipv6_chk_addr

SIN6_LEN_RFC2133 = 24
SOCKADDR_IN6_LEN = 28
bindv6only = 0                          # /proc/sys/net/ipv6/bindv6only


def inet6_create(t, type_, protocol):
    sk = inet_create(t, type_, protocol, family=AF_INET6)
    sk.ipv6only = bool(bindv6only)
    return sk


def parse_sin6(addr):
    """(port, address, scope id) of a sockaddr_in6 (at least 24 bytes)."""
    port = ntohs_at(addr, 2)
    a = bytes(addr[8:24])
    scope = struct.unpack_from("<I", addr, 24)[0] if len(addr) >= SOCKADDR_IN6_LEN else 0
    return port, a, scope


def inet6_bind(sk, t, addr):
    """__inet6_bind."""
    if len(addr) < SIN6_LEN_RFC2133:
        raise Errno(EINVAL)
    if sa_family(addr) != AF_INET6:
        raise Errno(EAFNOSUPPORT)
    port, a, scope = parse_sin6(addr)
    if ipv6_is_multicast(a) and sk.type == 1:               # SOCK_STREAM
        raise Errno(EINVAL)
    if port and port < 1024 and not capable(t, CAP_NET_BIND_SERVICE):
        raise Errno(EACCES)
    if sk.state != 7 or sk.num:
        raise Errno(EINVAL)
    bcast = False
    if is_v4mapped(a):
        if sk.ipv6only:
            raise Errno(EINVAL)
        v4 = a[12:]
        typ = inet_addr_type(v4)
        if any(v4) and typ not in (RTN_LOCAL, RTN_MULTICAST, RTN_BROADCAST) \
                and not af_inet._nonlocal_ok(sk):
            raise Errno(EADDRNOTAVAIL)
        bcast = any(v4) and typ in (RTN_MULTICAST, RTN_BROADCAST)
    elif not is_any(a):
        if ipv6_is_linklocal(a):
            if len(addr) >= SOCKADDR_IN6_LEN and scope:
                sk.bound_dev_if = scope
            if not sk.bound_dev_if:
                raise Errno(EINVAL)
        if sk.bound_dev_if and dev_get_by_index(sk.bound_dev_if) is None:
            raise Errno(ENODEV)
        if not ipv6_is_multicast(a) and ipv6_chk_addr(a) is None and \
                not af_inet._nonlocal_ok(sk):
            raise Errno(EADDRNOTAVAIL)
    saved = sk.ipv6only
    if not is_any(a) and not is_v4mapped(a):
        sk.ipv6only = True
    try:
        return sk.do_bind(t, a, port, bcast)
    except Errno:
        sk.ipv6only = saved
        raise
