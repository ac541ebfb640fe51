"""net/ipv4/inet_timewait_sock.py - TIME_WAIT: what is left of a connection
after an active close.

When both FINs have been exchanged the side that closed first keeps the
connection's port and 4-tuple for TCP_TIMEWAIT_LEN (60 s) in a small
record that takes the socket's place in the port table, so that a server
restarted without SO_REUSEADDR gets EADDRINUSE, as on Linux, and
/proc/net/tcp and ss show the TIME_WAIT line.  connect() may recycle one
whose 4-tuple it needs (net.ipv4.tcp_tw_reuse's default for loopback).
"""

from kernel import sched
from net.ipv4 import inet_hashtables as ih


class TimeWaitSock:
    orphan = False                      # /proc/net/sockstat counts it as tw, not an orphan

    def __init__(self, sk, substate, timeo):
        self.family = sk.family
        self.type = sk.type
        self.rcv_saddr = sk.rcv_saddr
        self.saddr = sk.saddr
        self.daddr = sk.daddr
        self.dport = sk.dport
        self.sport = sk.sport
        self.state = ih.TCP_TIME_WAIT
        self.substate = substate
        self.reuse = sk.reuse
        self.reuseport = sk.reuseport
        self.uid = sk.uid
        self.bound_dev_if = sk.bound_dev_if
        self.ipv6only = sk.ipv6only
        self.connect_bound = sk.connect_bound
        self.inode = None
        self.num = 0
        self.expires = sched.now() + timeo
        ih.tcp_ports.add(self, sk.num)
        self.timer = sched.add_timer(self.expires, self.kill)

    def kill(self):
        sched.del_timer(self.timer)
        ih.tcp_ports.remove(self)
