"""net/core/dev.py - network devices: the list of interfaces and their state.

A NetDevice is what `ip link` shows: an index, a name, flags (IFF_UP ...),
an MTU, a hardware address and traffic counters.  This kernel has two
kinds (drivers/net/): the loopback device `lo`, always present and up from
boot, and the optional user-mode `eth0` whose traffic the kernel carries
over host sockets.  Sockets do not send packets through a device queue
(TCP and UDP here are connection and datagram models, see net/ipv4/tcp.py);
a device is consulted by routing (is it up? which addresses does it own?)
and charged for the traffic that crosses it (dev_account), so that
/proc/net/dev and `ip -s link` show what moved.

Changing a device's flags (SIOCSIFFLAGS, RTM_NEWLINK) goes through
dev_change_flags, which tells the address and routing code (the
netdevice notifier chain in Linux) so that taking `lo` down removes its
local routes and bringing it up restores them.
"""

from kernel.capability import CAP_NET_ADMIN, capable
from kernel.errno import EINVAL, EPERM, Errno

IFNAMSIZ = 16

IFF_UP, IFF_BROADCAST, IFF_DEBUG, IFF_LOOPBACK = 0x1, 0x2, 0x4, 0x8
IFF_POINTOPOINT, IFF_NOTRAILERS, IFF_RUNNING, IFF_NOARP = 0x10, 0x20, 0x40, 0x80
IFF_PROMISC, IFF_ALLMULTI, IFF_MASTER, IFF_SLAVE = 0x100, 0x200, 0x400, 0x800
IFF_MULTICAST, IFF_PORTSEL, IFF_AUTOMEDIA, IFF_DYNAMIC = 0x1000, 0x2000, 0x4000, 0x8000
IFF_LOWER_UP, IFF_DORMANT, IFF_ECHO = 0x10000, 0x20000, 0x40000

# the flags a user may change (dev_change_flags); the others are the device's
IFF_USER_CHANGEABLE = (IFF_UP | IFF_DEBUG | IFF_NOTRAILERS | IFF_NOARP | IFF_DYNAMIC
                       | IFF_MULTICAST | IFF_PORTSEL | IFF_AUTOMEDIA | IFF_PROMISC
                       | IFF_ALLMULTI)

ARPHRD_ETHER, ARPHRD_LOOPBACK = 1, 772

IF_OPER_UNKNOWN, IF_OPER_DOWN, IF_OPER_UP = 0, 2, 6

NETDEV_UP, NETDEV_DOWN, NETDEV_CHANGE, NETDEV_CHANGEMTU = 1, 2, 4, 7

STAT_NAMES = ("rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "rx_fifo_errors",
              "rx_frame_errors", "rx_compressed", "multicast",
              "tx_bytes", "tx_packets", "tx_errors", "tx_dropped", "tx_fifo_errors",
              "collisions", "tx_carrier_errors", "tx_compressed")


class NetDevice:
    """struct net_device: what the rest of the kernel knows of an interface."""

    def __init__(self, name, type_, mtu, hwaddr, broadcast, flags):
        self.name = name                # bytes
        self.ifindex = 0
        self.type = type_               # ARPHRD_*
        self.mtu = mtu
        self.min_mtu, self.max_mtu = 68, 0xFFFF if type_ == ARPHRD_ETHER else 0x7FFFFFFF
        self.dev_addr = hwaddr
        self.broadcast = broadcast
        self.flags = flags              # without IFF_UP: see dev_open
        self.tx_queue_len = 1000
        self.qdisc = b"noqueue"
        self.group = 0
        self.metric = 0
        self.stats = dict.fromkeys(STAT_NAMES, 0)
        self.ip_ptr = None              # net/ipv4/devinet.py: InDevice
        self.ip6_ptr = None             # net/ipv6/addrconf.py: Inet6Device

    def is_up(self):
        return bool(self.flags & IFF_UP)

    def get_flags(self):
        """dev_get_flags: what SIOCGIFFLAGS and ifi_flags report."""
        fl = self.flags
        if fl & IFF_UP:
            fl |= IFF_RUNNING | IFF_LOWER_UP
        return fl

    def operstate(self):
        if not self.is_up():
            return IF_OPER_DOWN
        return IF_OPER_UNKNOWN if self.type == ARPHRD_LOOPBACK else IF_OPER_UP

    # a driver's transmit hook for traffic the kernel counts on it
    def xmit(self, nbytes, npackets=1):
        st = self.stats
        st["tx_bytes"] += nbytes
        st["tx_packets"] += npackets


dev_base = []                           # every device, in ifindex order
_notifiers = []                         # fn(event, dev)


def register_netdevice_notifier(fn):
    _notifiers.append(fn)


def call_netdevice_notifiers(event, dev):
    for fn in list(_notifiers):
        fn(event, dev)


def register_netdev(dev):
    dev.ifindex = max((d.ifindex for d in dev_base), default=0) + 1
    dev_base.append(dev)
    return dev


def dev_get_by_name(name):
    for d in dev_base:
        if d.name == name:
            return d
    return None


def dev_get_by_index(ifindex):
    for d in dev_base:
        if d.ifindex == ifindex:
            return d
    return None


def dev_open(dev):
    if dev.flags & IFF_UP:
        return
    dev.flags |= IFF_UP
    call_netdevice_notifiers(NETDEV_UP, dev)


def dev_close(dev):
    if not dev.flags & IFF_UP:
        return
    dev.flags &= ~IFF_UP
    call_netdevice_notifiers(NETDEV_DOWN, dev)


def dev_change_flags(dev, flags):
    """Set the user-changeable flags to flags (SIOCSIFFLAGS, ip link set)."""
    old = dev.flags
    dev.flags = (old & ~IFF_USER_CHANGEABLE) | (flags & IFF_USER_CHANGEABLE & ~IFF_UP) | (old & IFF_UP)
    if (old ^ flags) & IFF_UP:
        if flags & IFF_UP:
            dev_open(dev)
        else:
            dev_close(dev)
    elif dev.flags != old:
        call_netdevice_notifiers(NETDEV_CHANGE, dev)


def dev_set_mtu(dev, mtu):
    if mtu < 0:
        raise Errno(EINVAL)
    if mtu < dev.min_mtu or mtu > dev.max_mtu:
        raise Errno(EINVAL)
    if mtu != dev.mtu:
        dev.mtu = mtu
        call_netdevice_notifiers(NETDEV_CHANGEMTU, dev)


def dev_account(dev, nbytes, npackets=1, rx=None):
    """Charge traffic to a device: sent by it (tx) and, for the loopback
    device, received again."""
    if dev is None:
        return
    dev.xmit(nbytes, npackets)
    if rx is None:
        rx = dev.type == ARPHRD_LOOPBACK
    if rx:
        dev.stats["rx_bytes"] += nbytes
        dev.stats["rx_packets"] += npackets


def dev_account_rx(dev, nbytes, npackets=1):
    dev.stats["rx_bytes"] += nbytes
    dev.stats["rx_packets"] += npackets


def capable_net_admin(t):
    """CAP_NET_ADMIN (kernel/capability.py), or EPERM."""
    if not capable(t, CAP_NET_ADMIN):
        raise Errno(EPERM)


def loopback_dev():
    return dev_base[0] if dev_base else None


_initialized = False


def net_dev_init(eth0=None):
    """The loopback device, with its addresses, up (and eth0 if the boot
    options asked for it: drivers/net/usernet.py).  At boot when there is
    an eth0, else at the first network socket or interface ioctl: a guest
    cannot tell the difference, and a boot without networking is not
    slowed by it."""
    global _initialized
    if _initialized:
        return
    _initialized = True
    # cycle: drivers.net.loopback -> net.core.dev
    from drivers.net.loopback import loopback_init
    # cycle: net.ipv4.devinet -> net.core.dev
    from net.ipv4 import devinet, fib
    # cycle: net.ipv6.addrconf -> net.core.dev
    from net.ipv6 import addrconf
    # cycle: net.core.rtnetlink -> net.core.dev
    from net.core import rtnetlink
    rtnetlink.rtnetlink_init()
    devinet.devinet_init()
    fib.fib_init()
    addrconf.addrconf_init()
    loopback_init()
    if eth0 is not None:
        # cycle: drivers.net.usernet -> net.core.dev
        from drivers.net import usernet
        usernet.usernet_init(eth0)
