"""net/ipv4/inet_hashtables.py - who owns which port: binding, ephemeral
ports, and finding the listener a connection is for.

TCP and UDP each have a port table (IPv4 and IPv6 sockets share it, as on
Linux): port -> the sockets bound to it (TIME_WAIT leftovers included, for
TCP).  Whether a new binding may join a port is Linux's rule:

 - the two bindings must overlap in address (the same address, or either
   one a wildcard; an IPv6 wildcard covers IPv4 too unless IPV6_V6ONLY);
 - if they do, they may still share the port when both set SO_REUSEADDR
   (TCP: and the other is not listening), or both set SO_REUSEPORT and
   belong to the same user (or the other is in TIME_WAIT).

Ephemeral ports come from net.ipv4.ip_local_port_range (/proc/sys): an
explicit bind(port 0) of a TCP socket prefers ports of the other parity
than the range's low end, connect() those of the same parity (Linux keeps
the two from crowding each other); UDP takes any free port.
"""

import random

from kernel.errno import EADDRINUSE, EADDRNOTAVAIL, Errno
from net.core.inetaddr import AF_INET6, is_any, is_v4mapped

ip_local_port_range = [32768, 60999]        # /proc/sys/net/ipv4/ip_local_port_range
ip_unprivileged_port_start = 1024

TCP_LISTEN, TCP_TIME_WAIT = 10, 6

SOCK_SNDBUF_LOCK, SOCK_RCVBUF_LOCK, SOCK_BINDADDR_LOCK, SOCK_BINDPORT_LOCK = 1, 2, 4, 8


def coverage(sk):
    """What a binding covers: (IPv4 part, IPv6 part), each None (nothing),
    "*" (every address) or one address."""
    a = sk.rcv_saddr
    if sk.family != AF_INET6:
        return ("*" if is_any(a) else a), None
    if is_v4mapped(a):
        v4 = a[12:]
        return ("*" if is_any(v4) else v4), None
    if is_any(a):
        return (None if sk.ipv6only else "*"), "*"
    return None, a


def _meet(x, y):
    return x is not None and y is not None and (x == "*" or y == "*" or x == y)


def addr_overlap(sk1, sk2):
    a4, a6 = coverage(sk1)
    b4, b6 = coverage(sk2)
    return _meet(a4, b4) or _meet(a6, b6)


def _dev_overlap(sk, sk2):
    return not sk.bound_dev_if or not sk2.bound_dev_if or sk.bound_dev_if == sk2.bound_dev_if


class PortTable:
    """One protocol's ports: port -> list of bound sockets, in bind order."""

    def __init__(self, name):
        self.name = name
        self.ports = {}

    def owners(self, port):
        return self.ports.get(port, ())

    def add(self, sk, port):
        self.ports.setdefault(port, []).append(sk)
        sk.num = sk.sport = port

    def remove(self, sk):
        lst = self.ports.get(sk.num)
        if lst and sk in lst:
            lst.remove(sk)
            if not lst:
                del self.ports[sk.num]


tcp_ports = PortTable("tcp")
udp_ports = PortTable("udp")
udplite_ports = PortTable("udplite")


def tcp_bind_conflict(sk, sk2, relax):
    """inet_bind_conflict: may sk not share a port with sk2?"""
    if sk2 is sk or not _dev_overlap(sk, sk2) or not addr_overlap(sk, sk2):
        return False
    tw = sk2.state == TCP_TIME_WAIT
    if sk.reuse and sk2.reuse and sk2.state != TCP_LISTEN:
        if not relax:
            return True
        return False
    if sk.reuseport and sk2.reuseport and (tw or sk.uid == sk2.uid):
        return False
    return True


def udp_bind_conflict(sk, sk2, relax=True):
    """udp_lib_lport_inuse's test for one other socket."""
    if sk2 is sk or (sk.reuse and sk2.reuse) or not _dev_overlap(sk, sk2) \
            or not addr_overlap(sk, sk2):
        return False
    if sk.reuseport and sk2.reuseport and sk.uid == sk2.uid:
        return False
    return True


def _conflict(table, sk, port, relax):
    test = tcp_bind_conflict if table is tcp_ports else udp_bind_conflict
    return any(test(sk, o, relax) for o in table.owners(port))


def local_port_range():
    lo, hi = ip_local_port_range
    return lo, hi


def get_port(table, sk, snum):
    """inet_csk_get_port / udp_lib_get_port: bind sk to snum, or to a free
    ephemeral port if snum is 0.  EADDRINUSE if it cannot."""
    if snum:
        if _conflict(table, sk, snum, True):
            raise Errno(EADDRINUSE)
        table.add(sk, snum)
        return snum
    lo, hi = local_port_range()
    hi += 1
    if table is not tcp_ports:
        n = hi - lo
        start = random.randrange(n) if n > 0 else 0
        for i in range(n):
            port = lo + (start + i) % n
            if not _conflict(table, sk, port, False):
                table.add(sk, port)
                return port
        raise Errno(EADDRINUSE)
    # TCP: first the half of the range below its middle if SO_REUSEADDR,
    # ports of the parity opposite to lo's first
    halves = [(lo, hi)]
    if sk.reuse and hi - lo >= 4:
        half = lo + (((hi - lo) >> 2) << 1)
        halves = [(lo, half), (half, hi)]
    for low, high in halves:
        remaining = high - low
        if remaining > 1:
            remaining &= ~1
        if remaining <= 0:
            continue
        offset = random.randrange(remaining) | 1
        for parity_pass in range(2):
            port = low + offset
            for i in range(0, remaining, 2):
                if port >= high:
                    port -= remaining
                if not _conflict(table, sk, port, False):
                    table.add(sk, port)
                    return port
                port += 2
            offset -= 1
            if offset & 1:
                break
    raise Errno(EADDRINUSE)


def connect_port(sk, same_tuple):
    """__inet_hash_connect: an ephemeral port for a connecting TCP socket,
    of lo's parity first.  A port whose sockets all came from connect() may
    be shared when the 4-tuple differs (same_tuple(owner) says it does
    not).  EADDRNOTAVAIL when none is left."""
    lo, hi = local_port_range()
    hi += 1
    remaining = hi - lo
    if remaining > 1:
        remaining &= ~1
    if remaining <= 0:
        raise Errno(EADDRNOTAVAIL)
    key = (sk.daddr, sk.dport, sk.saddr)
    offset = (_perturb.get(key, random.randrange(1 << 16))) % remaining
    offset &= ~1
    for parity_pass in range(2):
        port = lo + offset
        for i in range(0, remaining, 2):
            if port >= hi:
                port -= remaining
            owners = tcp_ports.owners(port)
            if all(o.connect_bound and not same_tuple(o) for o in owners):
                for o in list(owners):
                    if o.state == TCP_TIME_WAIT and same_tuple(o):
                        o.kill()
                tcp_ports.add(sk, port)
                sk.connect_bound = True
                _perturb[key] = offset + i + 2
                return port
            port += 2
        offset += 1
        if not (offset & 1) or remaining <= 1:
            break
    raise Errno(EADDRNOTAVAIL)


_perturb = {}


# -- finding a socket for an incoming flow --------------------------------------------

def flow_matches(sk, daddr):
    """Does sk's bound address accept a flow to daddr (4 or 16 bytes)?
    Returns a score (higher: more specific), or -1."""
    a = sk.rcv_saddr
    if len(daddr) == 4:
        if sk.family == AF_INET6:
            if is_v4mapped(a):
                v4 = a[12:]
            elif is_any(a) and not sk.ipv6only:
                v4 = bytes(4)
            else:
                return -1
        else:
            v4 = a
        if is_any(v4):
            return 1 if sk.family == AF_INET6 else 2
        return 4 if v4 == daddr else -1
    if sk.family != AF_INET6 or is_v4mapped(a):
        return -1
    if is_any(a):
        return 1
    return 4 if a == daddr else -1


def lookup_listener(daddr, dport, saddr=None, sport=0):
    """The listening TCP socket for a connection to daddr:dport; among
    SO_REUSEPORT sockets of equal fit, one chosen by the 4-tuple's hash."""
    best, best_score, group = None, -1, []
    for sk in tcp_ports.owners(dport):
        if sk.state != TCP_LISTEN:
            continue
        s = flow_matches(sk, daddr)
        if s < 0:
            continue
        if s > best_score:
            best, best_score, group = sk, s, [sk]
        elif s == best_score and sk.reuseport and best.reuseport:
            group.append(sk)
    if len(group) > 1:
        return group[hash((daddr, dport, saddr, sport)) % len(group)]
    return best
