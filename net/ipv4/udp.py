"""net/ipv4/udp.py - UDP sockets (both families).

A datagram sent to one of our addresses is delivered at once to the socket
that Linux's lookup would choose (net/ipv4/inet_hashtables.py for the
address match; a socket bound to the very address beats a wildcard one, a
connected one beats an unconnected one, SO_REUSEPORT groups share by the
4-tuple's hash); a broadcast goes to every socket on the port.  The
receiver's queue is limited by SO_RCVBUF in skb truesize, as on Linux: a
datagram that does not fit is dropped and counted (the `drops` column of
/proc/net/udp).  With nobody on the port the sender gets the ICMP port
unreachable's ECONNREFUSED on its next call, if it is connected.  Routes
through eth0 hand the datagram to the user-mode network
(drivers/net/usernet.py).

Linux's orders of checks are kept: autobind before anything, then the
size, then the address, the route, broadcast permission, the pending
error and shutdown.

Corked (MSG_MORE, UDP_CORK) a send starts a datagram that is not sent
(`pending`, a UdpCork): the next sends append to it whatever their
address, within the size of one datagram (past it, EMSGSIZE drops it
all), until one without the cork sends it or clearing UDP_CORK does;
close discards it.
"""

from kernel.abi import s32
import struct
from collections import deque

from kernel.errno import (EACCES, EAFNOSUPPORT, EAGAIN, ECONNREFUSED, EDESTADDRREQ, EINVAL,
                          EMSGSIZE, ENETUNREACH, ENOPROTOOPT, ENOTCONN, EOPNOTSUPP, EPIPE, Errno)
from fs.file import POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRBAND, POLLWRNORM
from net.core.dev import ARPHRD_LOOPBACK, dev_account
from net.core.inetaddr import (AF_INET, AF_INET6, ANY4, ANY6, LOOPBACK4, for_family,
                               is_any, is_v4mapped, to_flow, v4mapped)
from net.core.datagram import wait_for_datagram
from net.core.skbuff import Datagram, skb_truesize
from net.ipv4 import inet_hashtables as ih
from net.ipv4.igmp import ip_check_mc, ip_mc_drop_socket, ip_mc_sf_allow
from net.ipv4.af_inet import (AF_UNSPEC, SOCK_BINDADDR_LOCK, SOCK_BINDPORT_LOCK,
                              InetSock, sa_family)
from net.socket import (MSG_MORE, MSG_OOB, MSG_PEEK, MSG_TRUNC, RCV_SHUTDOWN, SEND_SHUTDOWN,
                        SHUTDOWN_MASK, SOCK_DGRAM, RecvResult, run_or_sleep)
from net.ipv4 import proc
from net.ipv6.af_inet6 import SIN6_LEN_RFC2133, parse_sin6
from drivers.net import usernet
from mm.uaccess import copy_from_user
from net.ipv4.tcp_ipv4 import _addr

POLLRDHUP = 0x2000
TCP_ESTABLISHED, TCP_CLOSE = 1, 7
UDP_HDR, IP_HDR, IP6_HDR = 8, 20, 40
SKB_MAX_ALLOC = 4 * 4096 - 320
IPPROTO_UDPLITE = 136
UDP_CORK, UDP_ENCAP, UDP_NO_CHECK6_TX, UDP_NO_CHECK6_RX, UDP_SEGMENT, UDP_GRO = 1, 100, 101, 102, 103, 104
UDP_OPTS = (UDP_CORK, UDP_ENCAP, UDP_NO_CHECK6_TX, UDP_NO_CHECK6_RX, UDP_SEGMENT, UDP_GRO)


def _max_payload(hdr):
    """The most a datagram carries: an IPv4 packet is at most 64 KiB, an
    IPv6 payload (the UDP header and data) too."""
    return 0xFFFF - IP_HDR - UDP_HDR if hdr == IP_HDR else 0xFFFF - UDP_HDR


class UdpCork:
    """A datagram on its way out (Linux's corked skb with inet->cork): the
    route and addresses the first send chose, and the bytes gathered."""
    __slots__ = ("rt", "daddr", "dport", "saddr", "hdr", "parts", "length")

    def __init__(self, rt, daddr, dport, saddr, hdr, data):
        self.rt = rt
        self.daddr = daddr              # a flow address: 4 or 16 bytes
        self.dport = dport
        self.saddr = saddr
        self.hdr = hdr                  # the IP header's size
        self.parts = [data]
        self.length = len(data)


def dgram_truesize(n, hdr):
    """What a datagram of n payload bytes costs the receiver's buffer: a
    linear skb while it fits an order-2 head, else a header skb and page
    fragments (lo can gather)."""
    total = n + hdr + UDP_HDR + 16 + 15
    if total < SKB_MAX_ALLOC:
        return skb_truesize(total)
    return skb_truesize(hdr + UDP_HDR + 31) + ((n + 4095) & ~4095)


class UdpSock(InetSock):
    wants_iter = True                   # the bytes are copied after the checks, as Linux

    def __init__(self, uid, family, protocol):
        super().__init__(uid, family, SOCK_DGRAM, protocol)
        self.rcvq = deque()
        self.rmem = 0
        self.drops = 0
        self.host = None                # drivers/net/usernet.py: our host socket
        self.udp = {}                   # SOL_UDP options
        self.pending = None             # UdpCork: MSG_MORE or UDP_CORK gathers it

    def mib(self):
        """The counters of /proc/net/snmp this socket's traffic goes to."""
        return proc.udplite_mib if self.protocol == IPPROTO_UDPLITE else proc.udp_mib

    def ports(self):
        return ih.udplite_ports if self.protocol == IPPROTO_UDPLITE else ih.udp_ports

    # -- connecting ---------------------------------------------------------------
    def connect(self, t, addr, nonblock):
        """inet_dgram_connect + ip4/ip6_datagram_connect."""
        if len(addr) < 2:
            return -EINVAL
        if sa_family(addr) == AF_UNSPEC:
            return self.disconnect()
        if not self.num:
            try:
                self.autobind()
            except Errno:
                return -EAGAIN
        fam = sa_family(addr)
        if self.family == AF_INET6:
            if fam == AF_INET:
                if self.ipv6only:
                    return -EAFNOSUPPORT
                return self._connect4(addr)
            if len(addr) < SIN6_LEN_RFC2133:
                return -EINVAL
            if fam != AF_INET6:
                return -EAFNOSUPPORT
            port, a, scope = parse_sin6(addr)
            if is_any(a):
                a = v4mapped(LOOPBACK4) if is_v4mapped(self.rcv_saddr) else ANY6[:15] + b"\1"
            if is_v4mapped(a):
                if self.ipv6only:
                    return -ENETUNREACH
                return self._connect4(struct.pack("<HH4s8x", AF_INET, 0, a[12:]), port)
            rt = self.route(a)
            self._set_connected(rt, a, port)
            return 0
        return self._connect4(addr)

    def _connect4(self, addr, port=None):
        if len(addr) < 16:
            return -EINVAL
        if sa_family(addr) != AF_INET:
            return -EAFNOSUPPORT
        if port is None:
            port = int.from_bytes(addr[2:4], "big")
        daddr = bytes(addr[4:8])
        rt = self.route(daddr)
        if rt.is_broadcast() and not self.broadcast:
            return -EACCES
        self._set_connected(rt, rt.daddr, port)
        if self.pending is not None and len(self.pending.daddr) == 4:
            # ip4_datagram_connect routes in the cork's own flow: a
            # corked IPv4 datagram now goes where we connected
            self.pending.daddr, self.pending.dport = rt.daddr, port
        return 0

    def _set_connected(self, rt, daddr, port):
        if not any(to_flow(self.saddr)):
            self.saddr = for_family(self.family, rt.saddr)
        if not any(to_flow(self.rcv_saddr)):
            self.rcv_saddr = for_family(self.family, rt.saddr)
        self.daddr = for_family(self.family, daddr)
        self.dport = port
        self.state = TCP_ESTABLISHED

    def disconnect(self):
        """__udp_disconnect."""
        self.state = TCP_CLOSE
        self.daddr = bytes(len(self.daddr))
        self.dport = 0
        self.bound_dev_if = 0
        if not self.userlocks & SOCK_BINDADDR_LOCK:
            self.rcv_saddr = self.saddr = ANY6 if self.family == AF_INET6 else ANY4
        if not self.userlocks & SOCK_BINDPORT_LOCK:
            self.unhash_port()
            self.sport = 0
        return 0

    # -- sending ------------------------------------------------------------------------
    def sendmsg(self, t, data, name, scm, flags, nonblock):
        scm.destroy()
        if not self.num:
            try:
                self.autobind()
            except Errno:
                return -EAGAIN
        cork = bool(flags & MSG_MORE or self.udp.get(UDP_CORK))
        v6 = self.family == AF_INET6
        if not v6:
            # udp_sendmsg: the size and MSG_OOB before the address
            if len(data) > 0xFFFF:
                return -EMSGSIZE
            if flags & MSG_OOB:
                return -EOPNOTSUPP
            if self.pending is not None:
                return self._corked4(data, flags, cork)
        if name is not None:
            if len(name) < 2:
                return -EINVAL
            fam = sa_family(name)
            if v6 and fam == AF_INET6:
                if len(name) < SIN6_LEN_RFC2133:
                    return -EINVAL
                port, a, scope = parse_sin6(name)
                if is_any(a) and is_v4mapped(self.saddr):
                    a = v4mapped(LOOPBACK4)
                if is_v4mapped(a):
                    if self.ipv6only:
                        return -ENETUNREACH
                    return self._send4(data, a[12:], port, flags, cork)
                if len(data) > 0x7FFFFFFF - UDP_HDR:
                    return -EMSGSIZE
                if self.pending is not None:
                    return self._corked6(data, flags, cork)
                if port == 0:
                    return -EINVAL
                return self._send(data, a, port, flags, cork)
            if v6 and fam == AF_UNSPEC:
                name = None
            elif v6 and fam != AF_INET:
                return -EINVAL
            elif v6:
                if self.ipv6only:
                    return -ENETUNREACH
                return self._sendto4(data, name, flags, cork)
            else:
                return self._sendto4(data, name, flags, cork)
        if self.pending is not None:
            return self._corked6(data, flags, cork)
        if self.state != TCP_ESTABLISHED:
            return -EDESTADDRREQ
        d = to_flow(self.daddr)
        if len(d) == 4:
            if len(data) > 0xFFFF:
                return -EMSGSIZE
            if flags & MSG_OOB:
                return -EOPNOTSUPP
        return self._send(data, d, self.dport, flags, cork)

    def _sendto4(self, data, name, flags, cork):
        if len(data) > 0xFFFF:
            return -EMSGSIZE
        if flags & MSG_OOB:
            return -EOPNOTSUPP
        if self.pending is not None:
            return self._corked4(data, flags, cork)
        if len(name) < 16:
            return -EINVAL
        fam = sa_family(name)
        if fam != AF_INET and fam != AF_UNSPEC:
            return -EAFNOSUPPORT
        port = int.from_bytes(name[2:4], "big")
        if port == 0:
            return -EINVAL
        return self._send(data, bytes(name[4:8]), port, flags, cork)

    def _send4(self, data, daddr, port, flags, cork):
        if len(data) > 0xFFFF:
            return -EMSGSIZE
        if flags & MSG_OOB:
            return -EOPNOTSUPP
        if self.pending is not None:
            return self._corked4(data, flags, cork)
        if port == 0:
            return -EINVAL
        return self._send(data, daddr, port, flags, cork)

    def _send(self, data, daddr, dport, flags, cork):
        """Route, check, deliver (or cork): udp_sendmsg's second half."""
        if len(daddr) == 16 and flags & MSG_OOB:
            return -EOPNOTSUPP
        rt = self.route(daddr)
        if rt.is_broadcast() and not self.broadcast:
            return -EACCES
        hdr = IP_HDR if len(daddr) == 4 else IP6_HDR
        if len(data) > _max_payload(hdr):
            return -EMSGSIZE
        if self.err:
            return -self.sock_error()
        if self.shutdown & SEND_SHUTDOWN:
            return -EPIPE
        if not isinstance(data, bytes):
            data = data.copy(len(data))         # EFAULT now, if the buffer is bad
        saddr = to_flow(self.saddr) if any(to_flow(self.saddr)) else rt.saddr
        if len(saddr) != len(daddr):
            saddr = rt.saddr
        dg = UdpCork(rt, daddr, dport, saddr, hdr, data)
        if cork:
            self.pending = dg
        else:
            self._deliver(dg)
        return len(data)

    # -- corking: MSG_MORE and UDP_CORK ---------------------------------------------------
    def _corked4(self, data, flags, cork):
        """udp_sendmsg with a datagram pending: the bytes join it, wherever
        this send was addressed, if it is an IPv4 one."""
        if len(data) > 0xFFFF:
            return -EMSGSIZE
        if flags & MSG_OOB:
            return -EOPNOTSUPP
        if len(self.pending.daddr) != 4:
            return -EINVAL
        return self._append(data, cork)

    def _corked6(self, data, flags, cork):
        """udpv6_sendmsg with a datagram pending; an IPv4 one is udp_sendmsg's."""
        if len(self.pending.daddr) == 4:
            return self._corked4(data, flags, cork)
        return self._append(data, cork)

    def _append(self, data, cork):
        """ip_append_data to the pending datagram: past the size limit or
        with a bad buffer the whole datagram is dropped; the send that
        ends the cork sends it."""
        dg = self.pending
        if dg.length + len(data) > _max_payload(dg.hdr):
            self.pending = None
            return -EMSGSIZE
        try:
            b = data if isinstance(data, bytes) else data.copy(len(data))
        except Errno as e:
            self.pending = None
            return -e.errno
        dg.parts.append(b)
        dg.length += len(b)
        if not cork:
            self.push_pending_frames()
        return len(b)

    def push_pending_frames(self):
        """udp_push_pending_frames: the corked datagram goes."""
        dg = self.pending
        if dg is not None:
            self.pending = None
            self._deliver(dg)

    def _deliver(self, dg):
        """udp_send_skb: count it, hand it to the user-mode network or to
        the socket(s) Linux's lookup picks."""
        rt, daddr, dport, hdr = dg.rt, dg.daddr, dg.dport, dg.hdr
        data = dg.parts[0] if len(dg.parts) == 1 else b"".join(dg.parts)
        dev_account(rt.dev, len(data) + hdr + UDP_HDR, 1)
        self.mib()["OutDatagrams"] += 1
        src = (dg.saddr, self.num)
        if rt.is_multicast():
            # lo hands every multicast back; another interface loops a
            # copy back if IP_MULTICAST_LOOP (ip_mc_output), and the one
            # on the wire goes nowhere (the user-mode network has none)
            if rt.dev.type == ARPHRD_LOOPBACK or self.mc_loop():
                if ip_check_mc(rt.dev.ip_ptr, daddr, dg.saddr):
                    for sk in udp_lookup_all(self.ports(), daddr, dport, dg.saddr, self.num,
                                             rt.dev.ifindex):
                        sk.queue_rcv(data, src, hdr)
            return
        if not rt.is_local() and not rt.is_broadcast():
            usernet.udp_send(self, rt, daddr, dport, data)
            return
        if rt.is_broadcast():
            for sk in udp_lookup_all(self.ports(), daddr, dport, dg.saddr, self.num,
                                     rt.dev.ifindex if rt.dev is not None else 0):
                sk.queue_rcv(data, src, hdr)
            return
        sk = udp_lookup(self.ports(), daddr, dport, dg.saddr, self.num)
        if sk is None:
            self.mib()["NoPorts"] += 1
            # ICMP port unreachable: it finds us only if we are connected
            # to where it came from (udp_err)
            if self.state == TCP_ESTABLISHED and to_flow(self.daddr) == daddr \
                    and self.dport == dport:
                self.err = ECONNREFUSED
                self.wq.wake_up(POLLERR)
            return
        sk.queue_rcv(data, src, hdr)

    def queue_rcv(self, data, src, hdr=IP_HDR):
        """__udp_enqueue_schedule_skb: queue, or drop if SO_RCVBUF is full
        (one datagram is always let into an empty queue)."""
        size = dgram_truesize(len(data), hdr)
        if self.rmem + size > self.rcvbuf and self.rmem:
            self.drops += 1
            mib = self.mib()
            mib["RcvbufErrors"] += 1
            mib["InErrors"] += 1
            return False
        self.rcvq.append(Datagram(data, src, size))
        self.rmem += size
        self.wq.wake_up(POLLIN | POLLRDNORM)
        return True

    # -- receiving ------------------------------------------------------------------------
    def recvmsg(self, t, size, flags, nonblock):
        return run_or_sleep(self._recv(t, size, flags, nonblock))

    def _recv(self, t, size, flags, nonblock):
        r = yield from wait_for_datagram(self, t, nonblock)
        if r is not None:
            return r
        peek = flags & MSG_PEEK
        off = self.peek_off if peek and self.peek_off >= 0 else 0
        dg = None
        for d in self.rcvq:
            if off >= len(d.data) and (len(d.data) or off):
                off -= len(d.data)
                continue
            dg = d
            break
        if dg is None:
            return -EAGAIN
        ulen = len(dg.data)
        data = dg.data[off:off + size]
        mflags = MSG_TRUNC if size < ulen - off else 0
        if not peek:
            self.mib()["InDatagrams"] += 1
            self.rcvq.remove(dg)
            self.rmem -= dg.truesize
            if self.peek_off >= 0:
                self.peek_off = max(0, self.peek_off - ulen)
        elif self.peek_off >= 0:
            self.peek_off += len(data)
        saddr, sport = dg.src
        return RecvResult(data, self.sockaddr(saddr, sport), None, mflags, ulen)

    def set_peek_off(self, val):
        self.peek_off = val

    # -- state --------------------------------------------------------------------------
    def shutdown_sock(self, how):
        how += 1
        if how & ~SHUTDOWN_MASK or not how:
            return -EINVAL
        self.shutdown |= how
        self.wq.wake_up()
        return -ENOTCONN if self.state == TCP_CLOSE else 0

    def poll(self, t):
        """datagram_poll."""
        mask = 0
        if self.err:
            mask |= POLLERR
        if self.shutdown & RCV_SHUTDOWN:
            mask |= POLLRDHUP | POLLIN | POLLRDNORM
        if self.shutdown == SHUTDOWN_MASK:
            mask |= POLLHUP
        if self.rcvq:
            mask |= POLLIN | POLLRDNORM
        mask |= POLLOUT | POLLWRNORM | POLLWRBAND   # nothing stays in our send buffer
        return mask, (self.wq,)

    def inq(self):
        return len(self.rcvq[0].data) if self.rcvq else 0

    def outq(self):
        return 0

    def release(self):
        if self.dead:
            return
        self.dead = True
        self.unhash_port()
        self.rcvq.clear()
        self.rmem = 0
        self.pending = None             # a corked datagram never goes
        ip_mc_drop_socket(self)
        if self.host is not None:
            self.host.close()
            self.host = None

    def setsockopt_level(self, t, level, optname, optval, optlen):
        """udp_lib_setsockopt for SOL_UDP: the values are kept; clearing
        UDP_CORK sends the datagram it gathered."""
        if level in (17, IPPROTO_UDPLITE):          # SOL_UDP, SOL_UDPLITE
            if s32(optlen) < 4:
                return -EINVAL
            val = struct.unpack("<i", copy_from_user(t.mm, optval, 4))[0]
            if optname not in UDP_OPTS:
                return -ENOPROTOOPT
            if optname == UDP_SEGMENT and not 0 <= val <= 0xFFFF:
                return -EINVAL
            self.udp[optname] = val if optname in (UDP_ENCAP, UDP_SEGMENT) else int(bool(val))
            if optname == UDP_CORK and not val:
                self.push_pending_frames()
            return 0
        return super().setsockopt_level(t, level, optname, optval, optlen)

    def getsockopt_level(self, t, level, optname, ol):
        if level in (17, IPPROTO_UDPLITE):
            length = ol.get()
            if length < 0:
                return -EINVAL
            if optname not in UDP_OPTS:
                return -ENOPROTOOPT
            return struct.pack("<i", self.udp.get(optname, 0))
        return super().getsockopt_level(t, level, optname, ol)


def _score(sk, daddr, saddr, sport):
    """compute_score: -1 if sk does not take this datagram."""
    m = ih.flow_matches(sk, daddr)
    if m < 0:
        return -1
    score = m * 16          # a socket bound to the address wins over a wildcard
    if sk.dport:
        if to_flow(sk.daddr) != saddr or sk.dport != sport:
            return -1
        score += 8
    elif any(to_flow(sk.daddr)):
        return -1
    if sk.family == AF_INET:
        score += 1
    return score


def udp_lookup(table, daddr, dport, saddr, sport):
    """The receiver of a unicast datagram; among equals the socket bound
    last (Linux adds to the head of the port's chain)."""
    best, best_score, group = None, -1, []
    for sk in reversed(table.owners(dport)):
        if sk.dead:
            continue
        s = _score(sk, daddr, saddr, sport)
        if s < 0:
            continue
        if s > best_score:
            best, best_score, group = sk, s, [sk]
        elif s == best_score and sk.reuseport and best.reuseport:
            group.append(sk)
    if len(group) > 1:
        return group[hash((daddr, dport, saddr, sport)) % len(group)]
    return best


def udp_lookup_all(table, daddr, dport, saddr, sport, dif):
    """Every socket a broadcast or multicast to daddr:dport that arrived
    on interface dif reaches (__udp_is_mcast_sock)."""
    out = []
    for sk in table.owners(dport):
        if sk.dead:
            continue
        a = to_flow(sk.rcv_saddr)
        if len(a) != len(daddr) and not (sk.family == AF_INET6 and is_any(sk.rcv_saddr)
                                         and not sk.ipv6only):
            continue
        if any(a) and a != daddr:
            continue
        if sk.dport and (to_flow(sk.daddr) != saddr or sk.dport != sport):
            continue
        if sk.bound_dev_if and sk.bound_dev_if != dif:
            continue
        if not ip_mc_sf_allow(sk, daddr, saddr, dif):
            continue
        out.append(sk)
    return out



# -- /proc/net/udp, udp6 ----------------------------------------------------------------

UDP_HTABLE_MASK = 127
_HDR4 = ("   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
         "   uid  timeout inode ref pointer drops")
_HDR6 = ("  sl  local_address                         remote_address                        "
         "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops")


def _proc_lines(table, family):
    out = []
    for port in sorted(table.ports, key=lambda p: (p & UDP_HTABLE_MASK, p)):
        for sk in table.ports[port]:
            if sk.family != family:
                continue
            src = _addr(sk.rcv_saddr if any(sk.rcv_saddr) else sk.saddr)
            ino = sk.inode.ino if sk.inode is not None else 0
            out.append("%5d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5u %8d %d %d %016x %u" % (
                port & UDP_HTABLE_MASK, src, sk.sport, _addr(sk.daddr), sk.dport, sk.state,
                0, sk.rmem, 0, 0, 0, sk.uid, 0, ino, 2, 0, sk.drops))
    return out


def show_udp(reader, table=None):
    lines = _proc_lines(table or ih.udp_ports, AF_INET)
    return "".join("%-127s\n" % x for x in [_HDR4] + lines)


def show_udp6(reader, table=None):
    return "".join(x + "\n" for x in [_HDR6] + _proc_lines(table or ih.udp_ports, AF_INET6))
