"""net/core/inetaddr.py - IPv4 and IPv6 addresses as the kernel holds them.

An address is bytes in network order: 4 bytes for IPv4, 16 for IPv6.  An
AF_INET6 socket that talks IPv4 holds "v4-mapped" addresses
(::ffff:a.b.c.d); the packets themselves (a "flow") are IPv4, so flow
addresses are the 4-byte form.  These are the predicates Linux spells
ipv4_is_loopback, ipv6_addr_any, ipv6_addr_v4mapped ...
"""

import struct

AF_INET, AF_INET6 = 2, 10
ANY4 = bytes(4)
ANY6 = bytes(16)
LOOPBACK4 = bytes([127, 0, 0, 1])
LOOPBACK6 = bytes(15) + b"\1"
BROADCAST4 = b"\xff\xff\xff\xff"
_MAPPED_PREFIX = bytes(10) + b"\xff\xff"


def is_any(a):
    return not any(a)


def is_v4mapped(a):
    return len(a) == 16 and a[:12] == _MAPPED_PREFIX


def v4mapped(a4):
    return _MAPPED_PREFIX + a4


def to_flow(a):
    """The address a packet carries: v4-mapped becomes IPv4."""
    return a[12:] if is_v4mapped(a) else a


def for_family(family, a):
    """An address as a socket of family shows it (IPv4 in AF_INET6: mapped)."""
    if family == AF_INET6 and len(a) == 4:
        return v4mapped(a)
    return a


def ipv4_is_loopback(a):
    return a[0] == 127


def ipv4_is_multicast(a):
    return a[0] & 0xF0 == 0xE0


def ipv4_is_lbcast(a):
    return a == BROADCAST4


def ipv6_is_multicast(a):
    return a[0] == 0xFF


def ipv6_is_linklocal(a):
    return a[0] == 0xFE and a[1] & 0xC0 == 0x80


def in4_to_int(a):
    return struct.unpack(">I", a)[0]


def int_to_in4(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


def prefix_mask4(plen):
    return ((0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF) if plen else 0
