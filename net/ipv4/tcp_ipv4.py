"""net/ipv4/tcp_ipv4.py - /proc/net/tcp and /proc/net/tcp6: the TCP sockets
that exist, one line each, in Linux's format (what netstat reads, and ss
when it does not use sock_diag).

A socket is listed when it is in the tables: listening, connecting,
connected, closing (orphans too) or in TIME_WAIT; a socket that is only
bound, or CLOSE, is not.  Addresses are the 32-bit words as the machine
holds them (127.0.0.1 is 0100007F), ports in hex.
"""

import struct

from kernel import sched
from net.core.inetaddr import AF_INET, AF_INET6
from net.ipv4 import inet_hashtables as ih

HZ_USER = 100
TCP_LISTEN, TCP_TIME_WAIT, TCP_CLOSE = 10, 6, 7

_HDR4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
_HDR6 = ("  sl  local_address                         remote_address                        "
         "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode")


def _addr(a):
    """%08X of each 32-bit word of the address, as stored in memory."""
    return "".join("%08X" % w for w in struct.unpack("<%dI" % (len(a) // 4), a))


def listed_sockets(family):
    """The hashed TCP sockets of a family: listeners first, then the rest
    (Linux walks the listening hash before the established one)."""
    socks = [s for port in sorted(ih.tcp_ports.ports) for s in ih.tcp_ports.ports[port]
             if s.family == family and s.state != TCP_CLOSE]
    return [s for s in socks if s.state == TCP_LISTEN] + \
        [s for s in socks if s.state != TCP_LISTEN]


def _line(i, sk, v6):
    src = _addr(sk.rcv_saddr if any(sk.rcv_saddr) else sk.saddr)
    dst = _addr(sk.daddr)
    if sk.state == TCP_TIME_WAIT:
        left = max(0, int((sk.expires - sched.now()) * HZ_USER))
        return ("%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016x" % (
            i, src, sk.sport, dst, sk.dport, sk.substate, 0, 0, 3, left, 0, 0, 0, 0, 3, 0))
    listen = sk.state == TCP_LISTEN
    rx = len(sk.accept_q) if listen else len(sk.rcvq)
    tx = 0 if listen else len(sk.sndq)
    ino = sk.inode.ino if sk.inode is not None and not sk.orphan else 0
    rto, ato = (100, 0) if listen else (20, 4)
    return ("%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5u %8d %d %d %016x %d %d %d %d %d" % (
        i, src, sk.sport, dst, sk.dport, sk.state, tx, rx, 0, 0, 0, sk.uid, 0, ino,
        1 if listen else 2, 0, rto, ato, 0, 10, 0 if listen else -1))


def show_tcp(reader):
    out = ["%-149s\n" % _HDR4]
    for i, sk in enumerate(listed_sockets(AF_INET)):
        out.append("%-149s\n" % _line(i, sk, False))
    return "".join(out)


def show_tcp6(reader):
    out = [_HDR6 + "\n"]
    for i, sk in enumerate(listed_sockets(AF_INET6)):
        out.append(_line(i, sk, True) + "\n")
    return "".join(out)


def tcp_curr_estab():
    """tcpCurrEstab: the connections in ESTABLISHED or CLOSE_WAIT now."""
    return sum(1 for lst in ih.tcp_ports.ports.values() for s in lst if s.state in (1, 8))


def sockstat_tcp():
    socks = [s for lst in ih.tcp_ports.ports.values() for s in lst]
    inuse = sum(1 for s in socks if s.family == AF_INET and s.state not in (TCP_CLOSE, TCP_TIME_WAIT))
    orphan = sum(1 for s in socks if s.orphan)
    tw = sum(1 for s in socks if s.state == TCP_TIME_WAIT)
    return inuse, orphan, tw, len(socks)
