"""net/ipv4/raw.py - raw IPv4 sockets (SOCK_RAW: ping, traceroute, tools).

A raw socket of protocol P sends IP packets of protocol P: the kernel
writes the IP header in front of what it is given, or takes the caller's
own with IP_HDRINCL (IPPROTO_RAW sockets always).  A packet to one of our
addresses comes back over lo as an IP packet would: every raw socket of
its protocol whose bound and connected addresses match (and, for ICMP,
whose ICMP_FILTER lets its type through) gets a copy, header included
(raw_v4_input); an ICMP echo request is then answered by the kernel with
an echo reply that goes the same way (icmp_echo), which is what ping sees.

TCP and UDP here carry no packets (net/ipv4/tcp.py), so a raw socket of
those protocols sees only what other raw sockets send; a packet to an
address that is not ours goes nowhere (the user-mode network carries
TCP and UDP only).
"""

import struct
from collections import deque

from kernel.abi import s32
from kernel.errno import (EACCES, EADDRNOTAVAIL, EAFNOSUPPORT, EDESTADDRREQ, EINVAL, EMSGSIZE,
                          ENOPROTOOPT, ENOTCONN, EOPNOTSUPP, Errno)
from fs.file import POLLERR, POLLIN, POLLOUT, POLLRDNORM, POLLWRBAND, POLLWRNORM
from mm.uaccess import copy_from_user
from net.core.datagram import wait_for_datagram
from net.core.dev import dev_account
from net.core.inetaddr import AF_INET
from net.core.skbuff import Datagram, skb_truesize
from net.ipv4.af_inet import AF_UNSPEC, InetSock, sa_family
from net.ipv4.devinet import RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, inet_addr_type
from net.ipv4 import ip_sockglue
from net.ipv4.tcp_ipv4 import _addr
from net.socket import MSG_OOB, MSG_PEEK, MSG_TRUNC, SOCK_RAW, RecvResult, run_or_sleep

IPPROTO_ICMP, IPPROTO_RAW = 1, 255
SOL_RAW, ICMP_FILTER = 255, 1
ICMP_ECHOREPLY, ICMP_ECHO = 0, 8
IP_DF = 0x4000
TCP_ESTABLISHED, TCP_CLOSE = 1, 7

raw_sockets = []                        # every open raw socket (raw_v4_hashinfo)


def ip_fast_csum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) & 1:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_header(tos, length, frag, ttl, protocol, saddr, daddr):
    """A 20-byte IPv4 header with its checksum (identifier 0: what Linux
    gives a DF packet of an unconnected socket)."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, length, 0, frag, ttl, protocol, 0,
                      saddr, daddr)
    return hdr[:10] + struct.pack("!H", ip_fast_csum(hdr)) + hdr[12:]


class RawSock(InetSock):
    def __init__(self, uid, protocol):
        super().__init__(uid, AF_INET, SOCK_RAW, protocol)
        self.num = protocol             # inet_num is the protocol
        self.hdrincl = protocol == IPPROTO_RAW
        self.icmp_filter = 0            # ICMP_FILTER: the ICMP types not wanted
        self.rcvq = deque()
        self.rmem = 0
        raw_sockets.append(self)

    # -- addresses ----------------------------------------------------------------------
    def bind(self, t, addr):
        """raw_bind: an address only (no port, no family check)."""
        if self.state != TCP_CLOSE or len(addr) < 16:
            return -EINVAL
        a = bytes(addr[4:8])
        typ = inet_addr_type(a)
        if any(a) and typ not in (RTN_LOCAL, RTN_MULTICAST, RTN_BROADCAST) and \
                not ip_sockglue.ip_nonlocal_bind:
            return -EADDRNOTAVAIL
        self.rcv_saddr = self.saddr = a
        if typ in (RTN_MULTICAST, RTN_BROADCAST):
            self.saddr = bytes(4)
        return 0

    def connect(self, t, addr, nonblock):
        """ip4_datagram_connect: the peer packets go to and come from."""
        if len(addr) < 2:
            return -EINVAL
        if sa_family(addr) == AF_UNSPEC:
            self.state = TCP_CLOSE
            self.daddr = bytes(4)
            return 0
        if len(addr) < 16:
            return -EINVAL
        if sa_family(addr) != AF_INET:
            return -EAFNOSUPPORT
        rt = self.route(bytes(addr[4:8]))
        if rt.is_broadcast() and not self.broadcast:
            return -EACCES
        if not any(self.saddr):
            self.saddr = rt.saddr
        if not any(self.rcv_saddr):
            self.rcv_saddr = rt.saddr
        self.daddr = rt.daddr
        self.state = TCP_ESTABLISHED
        return 0

    def getname(self, peer):
        """inet_getname: the port shown is the protocol; with no peer port
        a raw socket is never connected to getpeername."""
        if peer:
            raise Errno(ENOTCONN)
        return self.sockaddr(self.rcv_saddr if any(self.rcv_saddr) else self.saddr, self.num)

    # -- sending ------------------------------------------------------------------------
    def sendmsg(self, t, data, name, scm, flags, nonblock):
        """raw_sendmsg."""
        scm.destroy()
        if len(data) > 0xFFFF:
            return -EMSGSIZE
        if flags & MSG_OOB:
            return -EOPNOTSUPP
        if name is not None:
            if len(name) < 16:
                return -EINVAL
            if sa_family(name) not in (AF_INET, AF_UNSPEC):
                return -EAFNOSUPPORT
            daddr = bytes(name[4:8])
        else:
            if self.state != TCP_ESTABLISHED:
                return -EDESTADDRREQ
            daddr = self.daddr
        rt = self.route(daddr)
        if rt.is_broadcast() and not self.broadcast:
            return -EACCES
        if self.hdrincl:
            if len(data) > (rt.dev.mtu if rt.dev is not None else 65536):
                return -EMSGSIZE
            if len(data) < 20:
                return -EINVAL
            pkt = bytearray(data if isinstance(data, bytes) else data.copy(len(data)))
            ihl = (pkt[0] & 0xF) * 4
            if ihl > len(pkt):
                return -EINVAL
            if ihl >= 20:
                # raw_send_hdrinc fills in what the caller left out
                if not any(pkt[12:16]):
                    pkt[12:16] = rt.saddr
                struct.pack_into("!H", pkt, 2, len(pkt))
                pkt[10:12] = b"\0\0"
                struct.pack_into("!H", pkt, 10, ip_fast_csum(bytes(pkt[:ihl])))
            pkt = bytes(pkt)
        else:
            ttl = self.ip.get((ip_sockglue.SOL_IP, ip_sockglue.IP_TTL), -1)
            ttl = ip_sockglue.ip_default_ttl if ttl < 0 else ttl
            tos = self.ip.get((ip_sockglue.SOL_IP, ip_sockglue.IP_TOS), 0)
            if not isinstance(data, bytes):
                data = data.copy(len(data))
            # DF: Linux's choice on a route whose MTU is not locked
            pkt = ip_header(tos, 20 + len(data), IP_DF, ttl, self.protocol, rt.saddr,
                            rt.daddr) + data
        dev_account(rt.dev, len(pkt), 1)
        if rt.is_local() or rt.is_broadcast():
            ip_local_deliver(pkt)
        return len(data)

    # -- receiving ----------------------------------------------------------------------
    def takes(self, pkt):
        """raw_v4_match and the ICMP filter."""
        if self.dead or pkt[9] != self.protocol:
            return False
        saddr, daddr = pkt[12:16], pkt[16:20]
        if any(self.rcv_saddr) and self.rcv_saddr != daddr:
            return False
        if self.state == TCP_ESTABLISHED and self.daddr != saddr:
            return False
        if self.protocol == IPPROTO_ICMP:
            ihl = (pkt[0] & 0xF) * 4
            if len(pkt) > ihl and pkt[ihl] < 32 and self.icmp_filter >> pkt[ihl] & 1:
                return False
        return True

    def queue_rcv(self, pkt):
        size = skb_truesize(len(pkt) + 16 + 15)     # the sender's skb: lo's headroom, alignment
        if self.rmem + size > self.rcvbuf and self.rmem:
            return
        self.rcvq.append(Datagram(pkt, pkt[12:16], size))
        self.rmem += size
        self.wq.wake_up(POLLIN | POLLRDNORM)

    def recvmsg(self, t, size, flags, nonblock):
        return run_or_sleep(self._recv(t, size, flags, nonblock))

    def _recv(self, t, size, flags, nonblock):
        r = yield from wait_for_datagram(self, t, nonblock)
        if r is not None:
            return r
        dg = self.rcvq[0]
        if not flags & MSG_PEEK:
            self.rcvq.popleft()
            self.rmem -= dg.truesize
        data = dg.data[:size]
        return RecvResult(data, self.sockaddr(dg.src, 0), None,
                          MSG_TRUNC if size < len(dg.data) else 0, len(dg.data))

    def poll(self, t):
        mask = POLLOUT | POLLWRNORM | POLLWRBAND
        if self.rcvq:
            mask |= POLLIN | POLLRDNORM
        if self.err:
            mask |= POLLERR
        return mask, (self.wq,)

    def inq(self):
        return len(self.rcvq[0].data) if self.rcvq else 0

    def outq(self):
        return 0

    def shutdown_sock(self, how):
        how += 1
        if how & ~3 or not how:
            return -EINVAL
        self.shutdown |= how
        self.wq.wake_up()
        return 0

    def release(self):
        if self.dead:
            return
        self.dead = True
        self.rcvq.clear()
        raw_sockets.remove(self)

    # -- options ------------------------------------------------------------------------
    def setsockopt_level(self, t, level, optname, optval, optlen):
        if level == SOL_RAW:
            if optname != ICMP_FILTER:
                return -ENOPROTOOPT
            if self.protocol != IPPROTO_ICMP:
                return -EOPNOTSUPP
            n = min(max(s32(optlen), 0), 4)
            self.icmp_filter = int.from_bytes(copy_from_user(t.mm, optval, n).ljust(4, b"\0"),
                                              "little")
            return 0
        if level == ip_sockglue.SOL_IP and optname == ip_sockglue.IP_HDRINCL:
            if s32(optlen) < 1:
                return -EINVAL
            b = copy_from_user(t.mm, optval, min(s32(optlen), 4))
            self.hdrincl = bool(int.from_bytes(b, "little"))
            return 0
        return super().setsockopt_level(t, level, optname, optval, optlen)

    def getsockopt_level(self, t, level, optname, ol):
        if level == SOL_RAW:
            if optname != ICMP_FILTER:
                raise Errno(ENOPROTOOPT)
            if self.protocol != IPPROTO_ICMP:
                raise Errno(EOPNOTSUPP)
            return struct.pack("<I", self.icmp_filter)
        if level == ip_sockglue.SOL_IP and optname == ip_sockglue.IP_HDRINCL:
            ol.get()
            return struct.pack("<i", int(self.hdrincl))
        return super().getsockopt_level(t, level, optname, ol)


def ip_local_deliver(pkt):
    """An IP packet to one of our addresses: to the raw sockets of its
    protocol, then to the kernel's ICMP (an echo request is answered)."""
    if len(pkt) < 20 or (pkt[0] & 0xF) * 4 > len(pkt):
        return
    for sk in list(raw_sockets):
        if sk.takes(pkt):
            sk.queue_rcv(pkt)
    if pkt[9] == IPPROTO_ICMP:
        icmp_rcv(pkt)


def icmp_rcv(pkt):
    """icmp_echo: an echo request with a good checksum gets its reply:
    the same identifier, sequence and data, from the address it went to."""
    ihl = (pkt[0] & 0xF) * 4
    icmp = pkt[ihl:]
    if len(icmp) < 8 or icmp[0] != ICMP_ECHO or ip_fast_csum(icmp) != 0:
        return
    saddr, daddr = pkt[12:16], pkt[16:20]
    if inet_addr_type(daddr) != RTN_LOCAL:
        return                          # (icmp_echo_ignore_broadcasts)
    reply = bytearray(bytes([ICMP_ECHOREPLY, 0, 0, 0]) + icmp[4:])     # checksum below
    struct.pack_into("!H", reply, 2, ip_fast_csum(bytes(reply)))
    # the kernel's ICMP socket does not set DF (IP_PMTUDISC_DONT)
    ip_local_deliver(ip_header(pkt[1], 20 + len(reply), 0, ip_sockglue.ip_default_ttl,
                               IPPROTO_ICMP, daddr, saddr) + bytes(reply))


# -- /proc/net/raw ---------------------------------------------------------------------

def show_raw(reader):
    """raw_seq_show: a line per socket, the protocol as the local port."""
    out = ["  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
           "   uid  timeout inode ref pointer drops\n"]
    for sk in raw_sockets:
        ino = sk.inode.ino if sk.inode is not None else 0
        out.append("%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5u %8d %d %d %016x %u\n" % (
            sk.num, _addr(sk.rcv_saddr), sk.num, _addr(sk.daddr), 0, sk.state, 0, sk.rmem,
            0, 0, 0, sk.uid, 0, ino, 2, 0, 0))
    return "".join(out)
