"""net/ipv4/proc.py - /proc/net/snmp: the TCP and UDP MIB counters.

What `netstat -s` and `nstat` read: one header line and one value line
per protocol, in Linux's order (RFC 1213/4022/4113 names).  The counters
are the whole kernel's (one network namespace) and are counted where the
protocols do what Linux counts:

  Tcp  ActiveOpens (a SYN sent by connect), PassiveOpens (a connection
       made for a listener), AttemptFails (a connection that ended before
       it was established), EstabResets (ESTABLISHED or CLOSE_WAIT straight
       to CLOSE: a reset), CurrEstab (ESTABLISHED and CLOSE_WAIT sockets
       now), InSegs/OutSegs (the model's segments: data chunks, SYN, FIN,
       RST, as `lo`'s counters see them; pure ACKs are not modelled),
       OutRsts; the loopback loses nothing, so RetransSegs, InErrs and
       InCsumErrors stay 0.
  Udp  InDatagrams (read by recvmsg, not peeked), NoPorts (nobody on the
       port), InErrors and RcvbufErrors (dropped: the receive buffer was
       full), OutDatagrams; UDP over IPv6 counts here too (Linux keeps it
       apart in /proc/net/snmp6, which this kernel does not have).

The Ip and Icmp sections are not kept (packets are not modelled below
TCP and UDP, net/ipv4/tcp.py).
"""

from net.ipv4.tcp_ipv4 import tcp_curr_estab

TCP_FIELDS = ("RtoAlgorithm", "RtoMin", "RtoMax", "MaxConn", "ActiveOpens", "PassiveOpens",
              "AttemptFails", "EstabResets", "CurrEstab", "InSegs", "OutSegs", "RetransSegs",
              "InErrs", "OutRsts", "InCsumErrors")
UDP_FIELDS = ("InDatagrams", "NoPorts", "InErrors", "OutDatagrams", "RcvbufErrors",
              "SndbufErrors", "InCsumErrors", "IgnoredMulti", "MemErrors")

tcp_mib = dict.fromkeys(TCP_FIELDS, 0)
tcp_mib.update(RtoAlgorithm=1, RtoMin=200, RtoMax=120000, MaxConn=-1)   # constants
udp_mib = dict.fromkeys(UDP_FIELDS, 0)
udplite_mib = dict.fromkeys(UDP_FIELDS, 0)


def _section(name, fields, values):
    return "%s: %s\n%s: %s\n" % (name, " ".join(fields), name,
                                 " ".join(str(values[f]) for f in fields))


def show_snmp(reader):
    tcp = dict(tcp_mib, CurrEstab=tcp_curr_estab())
    return (_section("Tcp", TCP_FIELDS, tcp) + _section("Udp", UDP_FIELDS, udp_mib)
            + _section("UdpLite", UDP_FIELDS, udplite_mib))
