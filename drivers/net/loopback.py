"""drivers/net/loopback.py - `lo`, the loopback device.

Registered first (ifindex 1) and brought up at boot with 127.0.0.1/8 and
::1/128, as Linux's loopback_net_init and the init scripts do.  Traffic
between sockets on this machine is charged to it: what it transmits, it
receives.  Its MTU is Linux's 64 KiB.
"""

from net.core.dev import (ARPHRD_LOOPBACK, IFF_LOOPBACK, NetDevice, dev_open,
                          register_netdev)
from net.ipv4.devinet import inet_add_ifaddr
from net.ipv6.addrconf import IFA_F_PERMANENT, IFA_HOST, ipv6_add_addr
from net.core.inetaddr import LOOPBACK6

LOOPBACK_MTU = 65536


def loopback_init():
    dev = NetDevice(b"lo", ARPHRD_LOOPBACK, LOOPBACK_MTU, bytes(6), bytes(6), IFF_LOOPBACK)
    register_netdev(dev)
    dev_open(dev)
    inet_add_ifaddr(dev, bytes([127, 0, 0, 1]), 8, label=b"lo")
    ipv6_add_addr(dev, LOOPBACK6, 128, IFA_HOST, IFA_F_PERMANENT)
    return dev
