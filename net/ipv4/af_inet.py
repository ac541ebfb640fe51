"""net/ipv4/af_inet.py - PF_INET sockets: creation, names, binding, shutdown,
the ioctls; what TCP and UDP share.

An InetSock is the part of Linux's struct inet_sock (and ipv6_pinfo) that
does not depend on the protocol: the bound address (rcv_saddr) and port
(num), the source address chosen at connect (saddr), the peer (daddr,
dport), and the SOL_SOCKET flags that matter to ports (SO_REUSEADDR,
SO_REUSEPORT, SO_BROADCAST).  Both address families use it: an AF_INET
socket holds 4-byte addresses, an AF_INET6 one 16-byte ones (IPv4 peers of
an IPv6 socket appear v4-mapped, ::ffff:a.b.c.d).  The family-specific
parts (parsing a sockaddr, what bind accepts) are here for AF_INET and in
net/ipv6/af_inet6.py for AF_INET6.

socket(AF_INET, type, protocol) finds the protocol as inet_create does:
SOCK_STREAM is TCP (net/ipv4/tcp.py), SOCK_DGRAM is UDP (net/ipv4/udp.py),
SOCK_RAW (protocol 0 is EPROTONOSUPPORT) needs CAP_NET_RAW and is
net/ipv4/raw.py for AF_INET (ESOCKTNOSUPPORT for AF_INET6: not provided).
"""

from kernel.capability import CAP_NET_BIND_SERVICE, CAP_NET_RAW, capable
import struct

from kernel.errno import (EACCES, EADDRINUSE, EAGAIN, EADDRNOTAVAIL, EAFNOSUPPORT,
                          EINVAL, ENOTCONN, EPERM, EPROTONOSUPPORT,
                          ESOCKTNOSUPPORT, Errno)
from net.core.inetaddr import (AF_INET, AF_INET6, ANY4, ANY6, for_family, ipv4_is_multicast,
                               to_flow)
from net.ipv4 import inet_hashtables as ih
from net.socket import (SO_BROADCAST, SO_REUSEADDR, SO_REUSEPORT, SOCK_DGRAM,
                        SOCK_RAW, SOCK_STREAM, Socket)
from net.ipv4.fib import ip_route_output
from net.ipv6.addrconf import addrconf_ioctl, ip6_route_output
from net.ipv4 import ip_sockglue
from net.ipv4.devinet import (DEVINET_IOCTLS, RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST,
                              SIOCSIFFLAGS, devinet_ioctl, inet_addr_type)
from net.core.dev_ioctl import ifreq_ioctl

IPPROTO_IP, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP = 0, 1, 6, 17
IPPROTO_IPV6, IPPROTO_ICMPV6, IPPROTO_UDPLITE, IPPROTO_RAW = 41, 58, 136, 255
IPPROTO_MPTCP = 262
IPPROTO_MAX = 263
AF_UNSPEC = 0

TCP_CLOSE = 7
SS_FREE, SS_UNCONNECTED, SS_CONNECTING, SS_CONNECTED, SS_DISCONNECTING = 0, 1, 2, 3, 4

SOCK_SNDBUF_LOCK, SOCK_RCVBUF_LOCK = ih.SOCK_SNDBUF_LOCK, ih.SOCK_RCVBUF_LOCK
SOCK_BINDADDR_LOCK, SOCK_BINDPORT_LOCK = ih.SOCK_BINDADDR_LOCK, ih.SOCK_BINDPORT_LOCK


class InetSock(Socket):
    """What TCP and UDP sockets of both families have in common."""

    def __init__(self, uid, family, type_, protocol):
        super().__init__(type_, protocol)
        self.family = family
        any_ = ANY6 if family == AF_INET6 else ANY4
        self.rcv_saddr = any_           # bound local address
        self.saddr = any_               # source address in use
        self.daddr = any_               # peer address
        self.dport = 0
        self.num = 0                    # local port (host order); 0: none yet
        self.sport = 0                  # the port getsockname shows
        self.ss = SS_UNCONNECTED        # struct socket's state
        self.state = TCP_CLOSE          # struct sock's sk_state
        self.userlocks = 0
        self.bound_dev_if = 0
        self.ipv6only = False
        self.connect_bound = False      # the port came from connect()
        self.uid = uid                  # SO_REUSEPORT groups are per user
        self.ip = {}                    # IP-level options (ip_sockglue.py)
        self.mc_index = 0               # IP_MULTICAST_IF: the interface's index
        self.mc_addr = ANY4             # and its address
        self.mc_list = []               # IPv4 group memberships (igmp.py); not inherited
        self.dev = None                 # the device a connection goes out of (TCP's)

    # SOL_SOCKET flags, stored by net/socket.py
    @property
    def reuse(self):
        return bool(self.opts.get(SO_REUSEADDR))

    @property
    def reuseport(self):
        return bool(self.opts.get(SO_REUSEPORT))

    @property
    def broadcast(self):
        return bool(self.opts.get(SO_BROADCAST))

    def mc_all(self):
        """IP_MULTICAST_ALL: take a group's datagrams without joining it."""
        return bool(self.ip.get((ip_sockglue.SOL_IP, ip_sockglue.IP_MULTICAST_ALL), 1))

    def mc_loop(self):
        """IP_MULTICAST_LOOP: our own multicasts come back to this host."""
        return bool(self.ip.get((ip_sockglue.SOL_IP, ip_sockglue.IP_MULTICAST_LOOP), 1))

    def ports(self):
        return ih.tcp_ports if self.type == SOCK_STREAM else ih.udp_ports

    # -- addresses -----------------------------------------------------------------
    def sockaddr(self, addr, port):
        """A sockaddr of our family for addr (4 or 16 bytes) and port."""
        addr = for_family(self.family, addr)
        if self.family == AF_INET6:
            scope = self.bound_dev_if if addr[0] == 0xFE and addr[1] & 0xC0 == 0x80 else 0
            return struct.pack("<HHI16sI", AF_INET6, _htons(port), 0, addr, scope)
        return struct.pack("<HH4s8x", AF_INET, _htons(port), addr)

    def getname(self, peer):
        if peer:
            if not self.dport or self.state in (TCP_CLOSE, 2):      # CLOSE, SYN_SENT
                raise Errno(ENOTCONN)
            return self.sockaddr(self.daddr, self.dport)
        addr = self.rcv_saddr if any(self.rcv_saddr) else self.saddr
        return self.sockaddr(addr, self.sport)

    def flow_saddr(self):
        return to_flow(self.saddr if any(self.saddr) else self.rcv_saddr)

    def flow_daddr(self):
        return to_flow(self.daddr)

    # -- binding ------------------------------------------------------------------------
    def bind(self, t, addr):
        if self.family == AF_INET6:
            # cycle: net.ipv6.af_inet6 -> net.ipv4.af_inet
            from net.ipv6.af_inet6 import inet6_bind
            return inet6_bind(self, t, addr)
        return inet_bind(self, t, addr)

    def do_bind(self, t, rcv_saddr, snum, is_bcast=False):
        """The common tail of inet_bind/inet6_bind: take the port."""
        if snum and snum < ih.ip_unprivileged_port_start and not capable(t, CAP_NET_BIND_SERVICE):
            raise Errno(EACCES)
        if self.state != TCP_CLOSE or self.num:
            raise Errno(EINVAL)
        old = (self.rcv_saddr, self.saddr)
        self.rcv_saddr = rcv_saddr
        self.saddr = rcv_saddr if not is_bcast else bytes(len(rcv_saddr))
        try:
            ih.get_port(self.ports(), self, snum)
        except Errno:
            self.rcv_saddr, self.saddr = old
            raise Errno(EADDRINUSE)
        if any(to_flow(rcv_saddr)):
            self.userlocks |= SOCK_BINDADDR_LOCK
        if snum:
            self.userlocks |= SOCK_BINDPORT_LOCK
        self.daddr = bytes(len(self.daddr))
        self.dport = 0
        return 0

    def autobind(self):
        """inet_autobind: an ephemeral port for a socket that sends or
        listens unbound; EAGAIN if none is free."""
        if self.num:
            return
        try:
            ih.get_port(self.ports(), self, 0)
        except Errno:
            raise Errno(EAGAIN)

    def unhash_port(self):
        if self.num:
            self.ports().remove(self)
            self.num = 0

    # -- route a flow from this socket ----------------------------------------------
    def route(self, daddr):
        """Route to daddr (a flow address): an Rtable, or ENETUNREACH."""
        saddr = self.flow_saddr()
        if len(daddr) == 4:
            if saddr is not None and len(saddr) != 4:
                saddr = None
            oif = 0
            if ipv4_is_multicast(daddr):
                # IP_MULTICAST_IF names the interface and the source
                oif = self.bound_dev_if or self.mc_index
                if saddr is None or not any(saddr):
                    saddr = self.mc_addr
            return ip_route_output(daddr, saddr, oif)
        mapped = saddr is not None and len(saddr) == 4
        rt = ip6_route_output(daddr, None if mapped else saddr)
        if mapped:
            raise Errno(EAFNOSUPPORT)       # an IPv4 source for an IPv6 flow
        return rt

    # -- options ------------------------------------------------------------------
    def setsockopt_level(self, t, level, optname, optval, optlen):
        return ip_sockglue.setsockopt(self, t, level, optname, optval, optlen)

    def getsockopt_level(self, t, level, optname, ol):
        return ip_sockglue.getsockopt(self, t, level, optname, ol)

    def ioctl(self, t, cmd, arg):
        """inet_ioctl: the address ioctls of AF_INET sockets; others fall
        through to the device ioctls (None)."""
        if self.family == AF_INET and (cmd in DEVINET_IOCTLS or cmd == SIOCSIFFLAGS):
            return ifreq_ioctl(t, arg, lambda ifr: devinet_ioctl(t, cmd, ifr))
        if self.family != AF_INET:
            return addrconf_ioctl(t, cmd, arg)
        return None


def _htons(p):
    return ((p & 0xFF) << 8) | ((p >> 8) & 0xFF)


def ntohs_at(addr, off):
    return struct.unpack_from(">H", addr, off)[0]


def sa_family(addr):
    return struct.unpack_from("<H", addr)[0] if len(addr) >= 2 else None


def inet_bind(sk, t, addr):
    """AF_INET bind (inet_bind/__inet_bind)."""
    if len(addr) < 16:
        raise Errno(EINVAL)
    fam = sa_family(addr)
    a = addr[4:8]
    if fam != AF_INET and (fam != AF_UNSPEC or any(a)):
        raise Errno(EAFNOSUPPORT)
    typ = inet_addr_type(a)
    if any(a) and typ not in (RTN_LOCAL, RTN_MULTICAST, RTN_BROADCAST) \
            and not _nonlocal_ok(sk):
        raise Errno(EADDRNOTAVAIL)
    return sk.do_bind(t, a, ntohs_at(addr, 2), typ in (RTN_MULTICAST, RTN_BROADCAST) and any(a))


def _nonlocal_ok(sk):
    return ip_sockglue.ip_nonlocal_bind or sk.ip.get(ip_sockglue.IP_FREEBIND) \
        or sk.ip.get(ip_sockglue.IP_TRANSPARENT)


def inet_create(t, type_, protocol, family=AF_INET):
    """socket(AF_INET or AF_INET6, ...): the protocol for the type."""
    if protocol < 0 or protocol >= IPPROTO_MAX:
        raise Errno(EINVAL)
    if type_ == SOCK_STREAM:
        if protocol not in (IPPROTO_IP, IPPROTO_TCP, IPPROTO_MPTCP):
            raise Errno(EPROTONOSUPPORT)
        # cycle: net.ipv4.tcp -> net.ipv4.af_inet
        from net.ipv4.tcp import TcpSock
        # MPTCP over one path (there is only one here) is TCP
        return TcpSock(t.cred.euid, family, protocol or IPPROTO_TCP)
    if type_ == SOCK_DGRAM:
        if protocol not in (IPPROTO_IP, IPPROTO_UDP, IPPROTO_UDPLITE,
                            IPPROTO_ICMP if family == AF_INET else IPPROTO_ICMPV6):
            raise Errno(EPROTONOSUPPORT)
        if protocol in (IPPROTO_ICMP, IPPROTO_ICMPV6):
            # ping sockets: only for groups in net.ipv4.ping_group_range ("1 0": none)
            raise Errno(EACCES)
        # cycle: net.ipv4.udp -> net.ipv4.af_inet
        from net.ipv4.udp import UdpSock
        return UdpSock(t.cred.euid, family, protocol or IPPROTO_UDP)
    if type_ == SOCK_RAW:
        # the raw entry matches any protocol but IPPROTO_IP itself (a
        # wildcard only on the entry's side): EPROTONOSUPPORT comes before
        # the capability is asked for
        if protocol == IPPROTO_IP:
            raise Errno(EPROTONOSUPPORT)
        if not capable(t, CAP_NET_RAW):
            raise Errno(EPERM)
        if family == AF_INET6:
            raise Errno(ESOCKTNOSUPPORT)    # (no raw IPv6 sockets)
        # cycle: net.ipv4.raw -> net.ipv4.af_inet
        from net.ipv4.raw import RawSock
        return RawSock(t.cred.euid, protocol)
    raise Errno(ESOCKTNOSUPPORT)
