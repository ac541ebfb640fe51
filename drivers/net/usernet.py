"""drivers/net/usernet.py - eth0=user: user-mode networking to the host.

The idea of qemu's "user" network and UML's slirp: the guest gets an
ordinary interface (eth0, 10.0.2.15/24, default route via the gateway
10.0.2.2), and what it sends through it the kernel carries on host
sockets of its own, made on the guest's behalf:

  - a TCP connect() through eth0 becomes a non-blocking host connect;
    the guest socket stays in SYN_SENT until the host says yes (then the
    two are spliced: drivers/net/usernet_tcp.py) or no (ECONNREFUSED);
  - a UDP datagram through eth0 goes out of a host UDP socket kept for the
    guest socket, and what comes back to it is delivered to the guest;
  - a port forward (hostfwd=) listens on a host port and turns each
    accepted connection (or datagram) into one to a guest listener.

The host sockets are served from the scheduler's loop (kernel/sched.py
host_fds and host_wfds): no call here ever blocks the kernel.

POLICY (the only one; it is not configurable): the guest reaches the host
and nothing else.  The gateway address 10.0.2.2 is the host's 127.0.0.1;
TCP to any other address through eth0 is refused at once with
EHOSTUNREACH (as a filtering router answers), UDP to it is dropped.  Port
forwards listen on the host's 127.0.0.1 only.  The network is off unless
the boot options ask for it:

    eth0=user[,hostfwd=tcp:[127.0.0.1]:HOSTPORT-[10.0.2.15]:GUESTPORT]...
    hostfwd=udp::HOSTPORT-:GUESTPORT          (another forward)

HOSTPORT 0 lets the host choose; the kernel log says which it got.
"""

import re
import socket

from kernel import sched
from kernel.errno import EHOSTUNREACH, Errno
from kernel.printk import pr_info
from net.core.dev import (ARPHRD_ETHER, IFF_BROADCAST, IFF_MULTICAST, NetDevice,
                          dev_account_rx, dev_open, register_netdev)
from net.ipv4.devinet import RTN_UNICAST, inet_add_ifaddr
from net.ipv4.fib import RTPROT_BOOT, RT_TABLE_MAIN, FibRoute, fib_insert
from drivers.net import usernet_tcp
from net.ipv4 import inet_hashtables as ih, udp

GUEST_ADDR = bytes([10, 0, 2, 15])
GATEWAY = bytes([10, 0, 2, 2])
NET_PREFIX = 24
MAC = bytes([0x52, 0x54, 0x00, 0x12, 0x34, 0x56])
HOST_LOOPBACK = "127.0.0.1"
ETH_MTU = 1500
UDP_RECV_MAX = 65535


class UserNetOptionError(Exception):
    pass


class Forward:
    def __init__(self, proto, host_port, guest_port):
        self.proto = proto
        self.host_port = host_port
        self.guest_port = guest_port
        self.sock = None


class UserNetConfig:
    def __init__(self):
        self.forwards = []


_FWD = re.compile(r"^(tcp|udp):([0-9.]*):(\d+)-([0-9.]*):(\d+)$")


def _parse_forward(text):
    m = _FWD.match(text)
    if not m:
        raise UserNetOptionError("hostfwd=%s: give tcp|udp:[127.0.0.1]:HOSTPORT-[10.0.2.15]:GUESTPORT"
                                 % text)
    proto, haddr, hport, gaddr, gport = m.groups()
    if haddr not in ("", HOST_LOOPBACK):
        raise UserNetOptionError("hostfwd=%s: forwards listen on the host's 127.0.0.1 only"
                                 % text)
    if gaddr not in ("", "10.0.2.15"):
        raise UserNetOptionError("hostfwd=%s: the guest is 10.0.2.15" % text)
    hport, gport = int(hport), int(gport)
    if hport > 65535 or not 0 < gport <= 65535:
        raise UserNetOptionError("hostfwd=%s: ports are 1-65535 (0 for the host port: any)"
                                 % text)
    return Forward(proto, hport, gport)


def parse_option(name, value, cfg):
    """eth0=user[,hostfwd=...] or hostfwd=...: the configuration so far,
    or UserNetOptionError with a one-line reason."""
    if name == "eth0":
        parts = value.split(",")
        if parts[0] != "user":
            raise UserNetOptionError("only eth0=user (user-mode networking) is supported")
        cfg = cfg or UserNetConfig()
        for p in parts[1:]:
            if not p.startswith("hostfwd="):
                raise UserNetOptionError("unknown eth0 option %r (hostfwd=... is)" % p)
            cfg.forwards.append(_parse_forward(p[len("hostfwd="):]))
        return cfg
    if cfg is None:
        raise UserNetOptionError("a port forward needs eth0=user first")
    cfg.forwards.append(_parse_forward(value))
    return cfg


# -- the device -----------------------------------------------------------------------

class UserNetDevice(NetDevice):
    def __init__(self):
        super().__init__(b"eth0", ARPHRD_ETHER, ETH_MTU, MAC, b"\xff" * 6,
                         IFF_BROADCAST | IFF_MULTICAST)


eth0 = None


def usernet_init(cfg):
    """Boot: eth0 up with its address and default route, the forwards
    listening."""
    global eth0
    eth0 = register_netdev(UserNetDevice())
    dev_open(eth0)
    inet_add_ifaddr(eth0, GUEST_ADDR, NET_PREFIX, bytes([10, 0, 2, 255]), b"eth0")
    fib_insert(FibRoute(RT_TABLE_MAIN, RTN_UNICAST, bytes(4), 0, eth0, gateway=GATEWAY,
                        protocol=RTPROT_BOOT))
    pr_info("eth0: user-mode networking: 10.0.2.15/24, the gateway 10.0.2.2 is the host's "
            "127.0.0.1, nothing else is reachable")
    for fwd in cfg.forwards:
        if fwd.proto == "tcp":
            usernet_tcp.listen_forward(fwd)
        else:
            listen_udp_forward(fwd)
        pr_info("eth0: hostfwd %s 127.0.0.1:%d -> 10.0.2.15:%d" % (
            fwd.proto, fwd.host_port, fwd.guest_port))


def host_address(daddr):
    """The host address a guest destination stands for, or None (policy)."""
    return HOST_LOOPBACK if daddr == GATEWAY else None


def tcp_connect(sk, rt):
    """A guest TCP connect routed to eth0 (from net/ipv4/tcp.py)."""
    if rt.dev is not eth0 or host_address(sk.flow_daddr()) is None:
        sk.connect_failed(EHOSTUNREACH)     # the gateway forwards only to the host
        return
    usernet_tcp.HostTcpConn.connect(sk, host_address(sk.flow_daddr()), sk.dport)


# -- UDP -----------------------------------------------------------------------------

class HostUdp:
    """The host UDP socket that carries one guest socket's datagrams."""

    def __init__(self, sk, sock=None, forward=None):
        self.sk = sk
        self.forward = forward
        if sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.setblocking(False)
            sock.bind((HOST_LOOPBACK, 0))
        self.sock = sock
        self.fd = sock.fileno()
        sched.host_fds[self.fd] = self.readable

    def sendto(self, data, port):
        try:
            self.sock.sendto(data, (HOST_LOOPBACK, port))
        except OSError:
            pass                            # a datagram may be lost

    def readable(self, fd):
        for _ in range(64):
            try:
                data, (addr, port) = self.sock.recvfrom(UDP_RECV_MAX)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                if self.sk is not None and e.errno is not None:
                    self.sk.err = e.errno
                    self.sk.wq.wake_up(0x8)
                continue
            dev_account_rx(eth0, len(data) + 28)
            target = self.sk
            if self.forward is not None:
                target = forward_target(self.forward, port)
                if target is None:
                    continue
                _fwd_clients[(target, port)] = self
            if target is not None and not target.dead:
                target.queue_rcv(data, (GATEWAY, port))

    def close(self):
        sched.host_fds.pop(self.fd, None)
        if self.forward is None:
            self.sock.close()


_fwd_clients = {}                       # (guest socket, host client port) -> its forward


def udp_send(sk, rt, daddr, dport, data):
    """A guest datagram routed to eth0 (from net/ipv4/udp.py)."""
    if rt.dev is not eth0 or host_address(daddr) is None:
        return                              # dropped by policy
    fwd = _fwd_clients.get((sk, dport))
    if fwd is not None and not fwd.sk:
        fwd.sendto(data, dport)             # an answer to a forwarded client
        return
    if sk.host is None:
        sk.host = HostUdp(sk)
    sk.host.sendto(data, dport)


def listen_udp_forward(fwd):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    try:
        s.bind((HOST_LOOPBACK, fwd.host_port))
    except OSError as e:
        s.close()
        raise Errno(e.errno)
    fwd.host_port = s.getsockname()[1]
    fwd.sock = HostUdp(None, s, fwd)


def forward_target(fwd, client_port):
    """The guest UDP socket a forwarded datagram is for."""
    return udp.udp_lookup(ih.udp_ports, GUEST_ADDR, fwd.guest_port, GATEWAY, client_port)

