"""net/core/net_procfs.py - /proc/net: the network's state as text.

/proc/net is a link to /proc/self/net, as on Linux; every process sees the
same directory (there is one network namespace).  Each file is generated
by the part of the stack that owns the state (the table below names it);
/proc/net/dev, the devices' counters, is this file's own.
"""

import importlib

from fs.proc.inode import ProcDir, ProcFile
from net.core.dev import dev_base, net_dev_init
from net.ipv4 import inet_hashtables as ih
from net.ipv4.udp import show_udp, show_udp6
from net.ipv4 import raw
from net.ipv4.tcp_ipv4 import sockstat_tcp
from net.core.inetaddr import AF_INET, AF_INET6
from net import socket

# name -> "module:function" (show(reader) -> text)
PROC_NET = {
    "dev": "net.core.net_procfs:show_dev",
    "tcp": "net.ipv4.tcp_ipv4:show_tcp",
    "tcp6": "net.ipv4.tcp_ipv4:show_tcp6",
    "udp": "net.ipv4.udp:show_udp",
    "udp6": "net.ipv4.udp:show_udp6",
    "udplite": "net.core.net_procfs:show_udplite",
    "udplite6": "net.core.net_procfs:show_udplite6",
    "raw": "net.ipv4.raw:show_raw",
    "raw6": "net.core.net_procfs:show_raw6",
    "unix": "net.unix:show_unix",
    "netlink": "net.netlink.af_netlink:show_netlink",
    "route": "net.ipv4.fib:show_route",
    "ipv6_route": "net.ipv6.addrconf:show_ipv6_route",
    "if_inet6": "net.ipv6.addrconf:show_if_inet6",
    "snmp": "net.ipv4.proc:show_snmp",
    "sockstat": "net.core.net_procfs:show_sockstat",
    "sockstat6": "net.core.net_procfs:show_sockstat6",
    "arp": "net.core.net_procfs:show_arp",
    "packet": "net.core.net_procfs:show_packet",
    "protocols": "net.core.net_procfs:show_protocols",
}


def _show(spec):
    modname, fn = spec.split(":")

    def show(reader):
        net_dev_init()
        return getattr(importlib.import_module(modname), fn)(reader)
    return show


def proc_net_dir(sb, tid):
    """The factory of /proc/PID/net for fs/proc/base.py."""
    def entries():
        return {name.encode(): (lambda name=name, spec=spec:
                                ProcFile(sb, ("net", name), _show(spec), 0o444))
                for name, spec in PROC_NET.items()}
    return lambda: ProcDir(sb, ("net", tid), entries, 0o555)


def show_dev(reader):
    """dev_seq_show: each device's counters."""
    out = ["Inter-|   Receive                                                |  Transmit\n",
           " face |bytes    packets errs drop fifo frame compressed multicast|"
           "bytes    packets errs drop fifo colls carrier compressed\n"]
    for d in dev_base:
        s = d.stats
        out.append("%6s:%8d %7d %4d %4d %4d %5d %10d %9d %8d %7d %4d %4d %4d %5d %7d %10d\n" % (
            d.name.decode(), s["rx_bytes"], s["rx_packets"], s["rx_errors"], s["rx_dropped"],
            s["rx_fifo_errors"], s["rx_frame_errors"], s["rx_compressed"], s["multicast"],
            s["tx_bytes"], s["tx_packets"], s["tx_errors"], s["tx_dropped"], s["tx_fifo_errors"],
            s["collisions"], s["tx_carrier_errors"], s["tx_compressed"]))
    return "".join(out)


def show_udplite(reader):
    return show_udp(reader, ih.udplite_ports)


def show_udplite6(reader):
    return show_udp6(reader, ih.udplite_ports)


def show_raw6(reader):
    return ("  sl  local_address                         remote_address                        "
            "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n")


def show_arp(reader):
    return "IP address       HW type     Flags       HW address            Mask     Device\n"


def show_packet(reader):
    return "sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n"


def show_sockstat(reader):
    inuse, orphan, tw, alloc = sockstat_tcp()
    udp = [s for lst in ih.udp_ports.ports.values() for s in lst if s.family == AF_INET]
    return ("sockets: used %d\nTCP: inuse %d orphan %d tw %d alloc %d mem 0\n"
            "UDP: inuse %d mem 0\nUDPLITE: inuse 0\nRAW: inuse %d\nFRAG: inuse 0 memory 0\n"
            % (_sockets_used(), inuse, orphan, tw, alloc, len(udp), len(raw.raw_sockets)))


def show_sockstat6(reader):
    tcp6 = [s for lst in ih.tcp_ports.ports.values() for s in lst
            if s.family == AF_INET6 and s.state not in (6, 7)]
    udp6 = [s for lst in ih.udp_ports.ports.values() for s in lst if s.family == AF_INET6]
    return "TCP6: inuse %d\nUDP6: inuse %d\nUDPLITE6: inuse 0\nRAW6: inuse 0\nFRAG6: inuse 0 memory 0\n" % (
        len(tcp6), len(udp6))


def _sockets_used():
    return socket.sockets_allocated


def show_protocols(reader):
    rows = [("PACKET", 0), ("PINGv6", 0), ("RAWv6", 0), ("UDPLITEv6", 0), ("UDPv6", 0),
            ("TCPv6", 0), ("UNIX", 0), ("UDP-Lite", 0), ("PING", 0), ("RAW", 0),
            ("UDP", 0), ("TCP", 0), ("NETLINK", 0)]
    out = ["protocol  size sockets  memory press maxhdr  slab module     "
           "cl co di ac io in de sh ss gs se re sp bi br ha uh gp em\n"]
    for name, n in rows:
        out.append("%-9s %4d %6d %6d   %-3s %6d   %-3s %-10s %s\n" % (
            name, 0, n, -1, "NI", 0, "no", "kernel", " ".join(["y"] * 19)))
    return "".join(out)
