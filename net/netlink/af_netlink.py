"""net/netlink/af_netlink.py - AF_NETLINK sockets: messages between a
process and the kernel.

A netlink socket has a port id (its "address": the process id for the
first one a process binds, negative numbers after that) and may join
multicast groups to hear the kernel's notifications.  A message sent to
port 0 is the kernel's: it is handled at once, in the sender's system call
(netlink_unicast_kernel), by the protocol's handler (only NETLINK_ROUTE
exists: net/core/rtnetlink.py), whose answers are queued on the sender.
Each queued skb is one datagram for recvmsg (MSG_PEEK|MSG_TRUNC gives its
size, as iproute2 asks).

A dump (NLM_F_DUMP) is produced one skb at a time, as Linux's
netlink_dump: the first at the request, the next each time the reader
has taken one and its queue is below half of SO_RCVBUF; the last part
ends with NLMSG_DONE.  Errors and requested acknowledgements come back as
NLMSG_ERROR with the request's header (and body, for errors).
"""

from kernel.capability import CAP_NET_ADMIN, CAP_NET_BROADCAST, capable
import struct
from collections import deque

from kernel.errno import (EADDRINUSE, EBUSY, ECONNREFUSED, EINTR, EINVAL, EMSGSIZE, ENOBUFS,
                          ENODATA, ENOPROTOOPT, EOPNOTSUPP, EPERM, EPROTONOSUPPORT,
                          ESOCKTNOSUPPORT, Errno)
from fs.file import POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRBAND, POLLWRNORM
from mm.uaccess import copy_from_user
from net.core.datagram import wait_for_datagram
from net.core.skbuff import Datagram, skb_truesize
from net.netlink.attr import (NLM_F_ACK, NLM_F_CAPPED, NLM_F_MULTI, NLM_F_REQUEST,
                              NLMSG_DONE, NLMSG_ERROR, NLMSG_MIN_TYPE, iter_messages,
                              nlmsg)
from net.socket import (AF_NETLINK, MSG_OOB, MSG_PEEK, MSG_TRUNC, RCV_SHUTDOWN,
                        SHUTDOWN_MASK, SOCK_DGRAM, SOCK_RAW, RecvResult, Socket,
                        run_or_sleep)
from net.core import rtnetlink, sock_diag
from net.scm import ScmCookie

NETLINK_ROUTE, NETLINK_SOCK_DIAG = 0, 4
MAX_LINKS = 32
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP, NETLINK_DROP_MEMBERSHIP, NETLINK_PKTINFO = 1, 2, 3
NETLINK_BROADCAST_ERROR, NETLINK_NO_ENOBUFS, NETLINK_LISTEN_ALL_NSID = 4, 5, 8
NETLINK_LIST_MEMBERSHIPS, NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK = 9, 10, 11, 12
_FLAG_OPTS = (NETLINK_PKTINFO, NETLINK_BROADCAST_ERROR, NETLINK_NO_ENOBUFS,
              NETLINK_LISTEN_ALL_NSID, NETLINK_CAP_ACK, NETLINK_EXT_ACK,
              NETLINK_GET_STRICT_CHK)
NLMSG_GOODSIZE = 4096 - 320
MAX_RECVMSG = 32768 - 320

_ports = {}                             # (protocol, portid) -> NetlinkSock
_rover = [-4096]


def netlink_create(t, type_, protocol):
    if type_ not in (SOCK_RAW, SOCK_DGRAM):
        raise Errno(ESOCKTNOSUPPORT)
    if protocol < 0 or protocol >= MAX_LINKS:
        raise Errno(EPROTONOSUPPORT)
    if protocol not in (NETLINK_ROUTE, NETLINK_SOCK_DIAG):
        raise Errno(EPROTONOSUPPORT)
    return NetlinkSock(type_, protocol)


class NetlinkSock(Socket):
    family = AF_NETLINK
    ngroups = 32
    wants_iter = True                   # copied after the address checks

    def __init__(self, type_, protocol):
        super().__init__(type_, protocol)
        self.portid = 0
        self.bound = False
        self.groups = 0
        self.dst_portid = 0
        self.dst_group = 0
        self.rcvq = deque()
        self.rmem = 0
        self.flags = set()              # the NETLINK_* flag options that are on
        self.dump = None                # the skbs of a dump still to come
        self.max_recvmsg_len = 0
        self.owner_tgid = 0
        self.kernel_users = 0           # netlink_attach: held by the kernel (mq_notify)

    def strict(self):
        """NETLINK_GET_STRICT_CHK: dump requests are checked strictly."""
        return NETLINK_GET_STRICT_CHK in self.flags

    # -- names --------------------------------------------------------------------
    def insert(self, portid):
        key = (self.protocol, portid)
        if key in _ports:
            raise Errno(EADDRINUSE)
        _ports[key] = self
        self.portid = portid
        self.bound = True

    def autobind(self, t):
        pid = t.tgid
        if (self.protocol, pid) not in _ports:
            self.insert(pid)
            return
        while True:
            pid = _rover[0]
            _rover[0] -= 1
            if _rover[0] > -4096 or _rover[0] < -(1 << 31) + 4096:
                _rover[0] = -4097
            if (self.protocol, pid) not in _ports:
                self.insert(pid)
                return

    def bind(self, t, addr):
        if len(addr) < 12:
            raise Errno(EINVAL)
        fam, _, pid, groups = struct.unpack_from("<HHiI", addr)
        if fam != AF_NETLINK:
            raise Errno(EINVAL)
        if self.bound and pid != self.portid:
            raise Errno(EINVAL)
        if not self.bound:
            if pid:
                self.insert(pid)
            else:
                self.autobind(t)
        self.groups = groups
        return 0

    def connect(self, t, addr, nonblock):
        if len(addr) < 2:
            return -EINVAL
        fam = struct.unpack_from("<H", addr)[0]
        if fam == 0:
            self.dst_portid = self.dst_group = 0
            return 0
        if fam != AF_NETLINK or len(addr) < 12:
            return -EINVAL
        _, _, pid, groups = struct.unpack_from("<HHiI", addr)
        if (pid or groups) and not capable(t, CAP_NET_ADMIN):
            return -EPERM
        if not self.bound:
            self.autobind(t)
        self.dst_portid = pid
        self.dst_group = (groups & -groups).bit_length()
        return 0

    def getname(self, peer):
        if peer:
            mask = 1 << (self.dst_group - 1) if self.dst_group else 0
            return struct.pack("<HHiI", AF_NETLINK, 0, self.dst_portid, mask)
        return struct.pack("<HHiI", AF_NETLINK, 0, self.portid, self.groups)

    # -- sending: to the kernel --------------------------------------------------------
    def sendmsg(self, t, data, name, scm, flags, nonblock):
        scm.destroy()
        if flags & MSG_OOB:
            return -EOPNOTSUPP
        if not len(data):
            return -ENODATA                 # a zero-length message (Linux 6 refuses it)
        if name:
            if len(name) < 12:
                return -EINVAL
            fam, _, dst_portid, groups = struct.unpack_from("<HHiI", name)
            if fam != AF_NETLINK:
                return -EINVAL
            dst_group = (groups & -groups).bit_length()
            if (dst_group or dst_portid) and not capable(t, CAP_NET_ADMIN):
                return -EPERM
        else:
            dst_portid, dst_group = self.dst_portid, self.dst_group
        if not self.bound:
            self.autobind(t)
        if len(data) > self.sndbuf - 32:
            return -EMSGSIZE
        if not isinstance(data, bytes):
            data = data.copy(len(data))
        if dst_group:
            netlink_broadcast(self.protocol, data, self.portid, dst_group, exclude=self)
        if dst_portid:
            other = _ports.get((self.protocol, dst_portid))
            if other is None:
                return -ECONNREFUSED
            other.queue(data, self.portid, 0)
            return len(data)
        self.kernel_rcv(t, data)
        return len(data)

    def kernel_rcv(self, t, data):
        """netlink_rcv_skb: each message of the request in turn."""
        handler = rtnetlink.rtnetlink_rcv_msg if self.protocol == NETLINK_ROUTE \
            else sock_diag.sock_diag_rcv_msg
        for hdr, msg in iter_messages(data):
            ln, typ, flags, seq, pid = hdr
            err = 0
            if flags & NLM_F_REQUEST and typ >= NLMSG_MIN_TYPE:
                try:
                    err = handler(t, self, hdr, msg)
                except Errno as e:
                    err = -e.errno
                if err == -EINTR:       # a dump started: it answers itself
                    continue
            if flags & NLM_F_ACK or err:
                self.ack(hdr, msg, err)

    def ack(self, hdr, msg, err):
        ln, typ, flags, seq, pid = hdr
        rflags = 0
        body = msg[:16]
        if err and NETLINK_CAP_ACK not in self.flags:
            body = msg
        else:
            rflags |= NLM_F_CAPPED
        payload = struct.pack("<i", err) + body
        self.queue(nlmsg(NLMSG_ERROR, rflags, seq, self.portid, payload), 0, 0)

    def unicast(self, data):
        """A kernel answer for us (rtnl_unicast)."""
        self.queue(data, 0, 0)

    def start_dump(self, parts, seq, err=0, flags=0):
        """netlink_dump_start: parts is a list of message bytes; they go out
        in skbs as big as the reader's buffers, NLMSG_DONE last (carrying
        err: a dump request found wrong by strict checking fails there)."""
        if self.dump is not None:
            raise Errno(EBUSY)
        done = nlmsg(NLMSG_DONE, NLM_F_MULTI | flags, seq, self.portid, struct.pack("<i", err))
        self.dump = deque(parts)
        self.dump_done = done
        self.dump_next()
        return -EINTR           # as netlink_dump_start: no ack, the dump answers

    def dump_next(self):
        """netlink_dump: fill one skb."""
        if self.dump is None:
            return
        size = max(NLMSG_GOODSIZE, self.max_recvmsg_len)
        skb = []
        used = 0
        while self.dump and (not skb or used + len(self.dump[0]) <= size):
            m = self.dump.popleft()
            skb.append(m)
            used += len(m)
        if not self.dump and used + len(self.dump_done) <= size:
            skb.append(self.dump_done)
            self.dump = None
        elif not self.dump and not skb:
            skb.append(self.dump_done)
            self.dump = None
        self.queue(b"".join(skb), 0, 0)

    def queue(self, data, portid, group):
        """An skb for our receive queue; dropped (ENOBUFS to the reader) if
        SO_RCVBUF is full."""
        size = skb_truesize(len(data))
        if self.rmem + size > self.rcvbuf and self.rmem:
            if NETLINK_NO_ENOBUFS not in self.flags:
                self.err = ENOBUFS
                self.wq.wake_up(POLLERR)
            return False
        self.rcvq.append(Datagram(data, (portid, group), size))
        self.rmem += size
        self.wq.wake_up(POLLIN | POLLRDNORM)
        return True

    # -- receiving -------------------------------------------------------------------------
    def recvmsg(self, t, size, flags, nonblock):
        if flags & MSG_OOB:
            return -EOPNOTSUPP
        self.max_recvmsg_len = min(max(self.max_recvmsg_len, size), MAX_RECVMSG)
        return run_or_sleep(self._recv(t, size, flags, nonblock))

    def _recv(self, t, size, flags, nonblock):
        r = yield from wait_for_datagram(self, t, nonblock)
        if r is not None:
            return r
        dg = self.rcvq[0]
        if not flags & MSG_PEEK:
            self.rcvq.popleft()
            self.rmem -= dg.truesize
            if self.dump is not None and self.rmem <= self.rcvbuf // 2:
                self.dump_next()
        data = dg.data[:size]
        mflags = MSG_TRUNC if len(dg.data) > size else 0
        portid, group = dg.src
        name = struct.pack("<HHiI", AF_NETLINK, 0, portid, 1 << (group - 1) if group else 0)
        scm = None
        if self.passcred:
            scm = ScmCookie([], (0, 0, 0))
        return RecvResult(data, name, scm, mflags, len(dg.data))

    def poll(self, t):
        mask = 0
        if self.err:
            mask |= POLLERR
        if self.shutdown & RCV_SHUTDOWN:
            mask |= 0x2000 | POLLIN | POLLRDNORM
        if self.shutdown == SHUTDOWN_MASK:
            mask |= POLLHUP
        if self.rcvq:
            mask |= POLLIN | POLLRDNORM
        mask |= POLLOUT | POLLWRNORM | POLLWRBAND
        return mask, (self.wq,)

    def shutdown_sock(self, how):
        return -EOPNOTSUPP

    def ioctl(self, t, cmd, arg):
        return None                     # netlink_ioctl: nothing of its own

    def inq(self):
        return 0

    def outq(self):
        return 0

    def release(self):
        if self.dead:
            return
        self.dead = True
        if self.bound and _ports.get((self.protocol, self.portid)) is self:
            del _ports[(self.protocol, self.portid)]
        self.rcvq.clear()
        self.dump = None

    # -- SOL_NETLINK options ----------------------------------------------------------
    def setsockopt_level(self, t, level, optname, optval, optlen):
        if level != SOL_NETLINK:
            return -ENOPROTOOPT
        val = 0                             # a value shorter than an int is 0
        if optlen & 0xFFFFFFFF >= 4:
            val = struct.unpack("<I", copy_from_user(t.mm, optval, 4))[0]
        if optname in (NETLINK_ADD_MEMBERSHIP, NETLINK_DROP_MEMBERSHIP):
            if not val or val > self.ngroups:
                return -EINVAL
            if not self.bound:
                self.autobind(t)
            bit = 1 << (val - 1)
            self.groups = self.groups | bit if optname == NETLINK_ADD_MEMBERSHIP \
                else self.groups & ~bit
            return 0
        if optname in _FLAG_OPTS:
            if optname == NETLINK_LISTEN_ALL_NSID and not capable(t, CAP_NET_BROADCAST):
                return -EPERM
            if val:
                self.flags.add(optname)
            else:
                self.flags.discard(optname)
            return 0
        return -ENOPROTOOPT

    def getsockopt_level(self, t, level, optname, ol):
        if level != SOL_NETLINK:
            return -ENOPROTOOPT
        length = ol.get()
        if length < 0:
            return -EINVAL
        if optname == NETLINK_LIST_MEMBERSHIPS:
            return struct.pack("<I", self.groups)
        if optname in _FLAG_OPTS:
            if length < 4:
                return -EINVAL
            return struct.pack("<i", 1 if optname in self.flags else 0)
        return -ENOPROTOOPT


# -- the kernel's own users of a netlink socket (ipc/mqueue.py's SIGEV_THREAD) --

def is_netlink(sock):
    """Is sock a netlink socket (netlink_getsockbyfilp's check)?"""
    return isinstance(sock, NetlinkSock)


def netlink_attach(sock):
    """A kernel user keeps sock to send to it later (sock_hold): the count
    only records it; the Python object lives while it is held."""
    sock.kernel_users += 1


def netlink_detach(sock):
    """The kernel user lets sock go again (sock_put)."""
    sock.kernel_users -= 1


def netlink_sendskb(sock, data):
    """An skb from the kernel (portid 0) on sock's receive queue, if it is
    still open; dropped, as on Linux, when its buffer is full."""
    if not sock.dead:
        sock.queue(data, 0, 0)


def netlink_broadcast(protocol, data, portid, group, exclude=None):
    """Queue data for every socket of protocol that joined group."""
    bit = 1 << (group - 1)
    for (proto, pid), sk in list(_ports.items()):
        if proto == protocol and sk.groups & bit and sk is not exclude:
            sk.queue(data, portid, group)


def has_listeners(protocol, group):
    bit = 1 << (group - 1)
    return any(p == protocol and sk.groups & bit for (p, _), sk in _ports.items())



def show_netlink(reader):
    """/proc/net/netlink: one line per bound socket."""
    out = ["sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode\n"]
    for (proto, pid), sk in sorted(_ports.items(), key=lambda kv: (kv[0][0], kv[0][1] & 0xFFFFFFFF)):
        out.append("%016x %-3d %-10u %08x %-8d %-8d %-5d %-8d %-8d %-8d\n" % (
            0, proto, pid & 0xFFFFFFFF, sk.groups, sk.rmem, 0, 1 if sk.dump is not None else 0,
            2, 0, sk.inode.ino if sk.inode is not None else 0))
    return "".join(out)
