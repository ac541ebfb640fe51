"""net/core/sock_diag.py - NETLINK_SOCK_DIAG: the sockets that exist, as
netlink messages (what `ss` asks for first; /proc/net is its fallback).

A SOCK_DIAG_BY_FAMILY dump names a family and protocol (AF_INET/AF_INET6
with TCP or UDP: inet_diag; AF_UNIX: unix_diag) and a mask of states;
each matching socket comes back as an inet_diag_msg / unix_diag_msg with
the attributes Linux always adds (the shutdown state) and those asked for
(names, peers, queue lengths, tcp_info ...).  The queue columns are
Linux's: a listener's receive queue is its accept backlog and its send
queue the backlog limit.
"""

import struct

from kernel.errno import EINVAL, ENOENT, EOPNOTSUPP, Errno
from net.netlink.attr import NLM_F_DUMP, NLM_F_MULTI, nla, nla_u32, nla_u8, nlmsg
from net.core.inetaddr import to_flow
from net.ipv4 import inet_hashtables as ih
from net.ipv4.tcp_ipv4 import listed_sockets
from net.unix import TCP_LISTEN as ULISTEN, unix_sockets

SOCK_DIAG_BY_FAMILY = 20
TCPDIAG_GETSOCK = 18
AF_UNIX, AF_INET, AF_INET6 = 1, 2, 10
IPPROTO_TCP, IPPROTO_UDP = 6, 17
INET_DIAG_MEMINFO, INET_DIAG_INFO, INET_DIAG_CONG, INET_DIAG_TOS = 1, 2, 4, 5
INET_DIAG_TCLASS, INET_DIAG_SKMEMINFO, INET_DIAG_SHUTDOWN = 6, 7, 8
INET_DIAG_SKV6ONLY = 11
UDIAG_SHOW_NAME, UDIAG_SHOW_VFS, UDIAG_SHOW_PEER, UDIAG_SHOW_ICONS = 1, 2, 4, 8
UDIAG_SHOW_RQLEN, UDIAG_SHOW_MEMINFO, UDIAG_SHOW_UID = 16, 32, 64
UNIX_DIAG_NAME, UNIX_DIAG_VFS, UNIX_DIAG_PEER, UNIX_DIAG_ICONS = 0, 1, 2, 3
UNIX_DIAG_RQLEN, UNIX_DIAG_MEMINFO, UNIX_DIAG_SHUTDOWN, UNIX_DIAG_UID = 4, 5, 6, 9
TCP_LISTEN, TCP_TIME_WAIT, TCP_CLOSE = 10, 6, 7


def _sockid(sk):

    def words(a):
        return a if len(a) == 16 else a + bytes(12)
    src = sk.rcv_saddr if any(to_flow(sk.rcv_saddr)) else sk.saddr
    cookie = id(sk) & 0xFFFFFFFFFFFF
    return struct.pack(">HH", sk.sport, sk.dport) + words(src) + words(sk.daddr) + \
        struct.pack("<III", sk.bound_dev_if, cookie & 0xFFFFFFFF, cookie >> 32)


def _inet_msg(sk, proto, ext, seq, pid):
    # cycle: net.ipv4.tcp_sockopt -> net.ipv4.tcp -> drivers.net.usernet -> net.ipv4.devinet -> net.core.rtnetlink -> net.netlink.af_netlink -> net.core.sock_diag
    from net.ipv4.tcp_sockopt import tcp_info
    st = sk.state
    tw = st == TCP_TIME_WAIT
    if tw:
        rq = wq = uid = ino = 0
        timer = 3
    elif proto == IPPROTO_TCP:
        timer = 0
        if st == TCP_LISTEN:
            rq, wq = len(sk.accept_q), sk.backlog
        else:
            rq, wq = len(sk.rcvq), len(sk.sndq)
        uid = sk.uid
        ino = sk.inode.ino if sk.inode is not None and not sk.orphan else 0
    else:
        timer = 0
        rq, wq = sk.rmem, 0
        uid = sk.uid
        ino = sk.inode.ino if sk.inode is not None else 0
    body = struct.pack("<BBBB", sk.family, st, timer, 0) + _sockid(sk) + \
        struct.pack("<IIIII", 0, rq, wq, uid, ino)
    attrs = []
    if not tw:
        if ext & (1 << (INET_DIAG_MEMINFO - 1)):
            attrs.append(nla(INET_DIAG_MEMINFO, struct.pack("<IIII", rq, 0, wq, 0)))
        if ext & (1 << (INET_DIAG_SKMEMINFO - 1)):
            attrs.append(nla(INET_DIAG_SKMEMINFO, struct.pack(
                "<9I", rq, sk.rcvbuf, 0, sk.sndbuf, 0, wq, 0, 0, 0)))
        if ext & (1 << (INET_DIAG_INFO - 1)) and proto == IPPROTO_TCP:
            attrs.append(nla(INET_DIAG_INFO, tcp_info(sk)))
        if ext & (1 << (INET_DIAG_CONG - 1)) and proto == IPPROTO_TCP:
            attrs.append(nla(INET_DIAG_CONG, b"cubic\0"))
        attrs.append(nla_u8(INET_DIAG_SHUTDOWN, sk.shutdown))
        if sk.family == AF_INET6:
            attrs.append(nla_u8(INET_DIAG_SKV6ONLY, 1 if sk.ipv6only else 0))
    return nlmsg(SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, seq, pid, body + b"".join(attrs))


def inet_dump(family, proto, states, ext, seq, pid):
    if proto == IPPROTO_TCP:
        socks = listed_sockets(family)
    elif proto == IPPROTO_UDP:
        socks = [s for port in sorted(ih.udp_ports.ports) for s in ih.udp_ports.ports[port]
                 if s.family == family]
    else:
        raise Errno(EINVAL)
    return [_inet_msg(s, proto, ext, seq, pid) for s in socks if states & (1 << s.state)]


def unix_dump(states, show, seq, pid):
    out = []
    for s in list(unix_sockets.values()):
        if not states & (1 << s.state) or s.inode is None:
            continue
        body = struct.pack("<BBBBI", AF_UNIX, s.type, s.state, 0, s.inode.ino) + \
            struct.pack("<II", id(s) & 0xFFFFFFFF, 0)
        a = []
        if show & UDIAG_SHOW_NAME and s.addr is not None:
            a.append(nla(UNIX_DIAG_NAME, s.addr[2:].rstrip(b"\0") if s.addr[2:3] != b"\0"
                         else s.addr[2:]))
        if show & UDIAG_SHOW_VFS and s.bsd_key is not None:
            a.append(nla(UNIX_DIAG_VFS, struct.pack("<II", s.bsd_key[1], s.bsd_key[0])))
        if show & UDIAG_SHOW_PEER and s.peer is not None and s.peer.inode is not None:
            a.append(nla_u32(UNIX_DIAG_PEER, s.peer.inode.ino))
        if show & UDIAG_SHOW_ICONS and s.state == ULISTEN:
            a.append(nla(UNIX_DIAG_ICONS, b"".join(
                struct.pack("<I", c.peer.inode.ino if c.peer is not None and c.peer.inode
                            is not None else 0) for c in s.queue)))
        if show & UDIAG_SHOW_RQLEN:
            if s.state == ULISTEN:
                rq, wq = len(s.queue), s.backlog
            else:
                rq, wq = sum(x.remaining() for x in s.queue if hasattr(x, "remaining")), s.wmem
            a.append(nla(UNIX_DIAG_RQLEN, struct.pack("<II", rq, wq)))
        if show & UDIAG_SHOW_UID:
            a.append(nla_u32(UNIX_DIAG_UID, s.inode.uid))
        a.append(nla_u8(UNIX_DIAG_SHUTDOWN, s.shutdown))
        out.append(nlmsg(SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, seq, pid, body + b"".join(a)))
    return out


def sock_diag_rcv_msg(t, sk, hdr, msg):
    """One request to NETLINK_SOCK_DIAG."""
    ln, typ, flags, seq, pid = hdr
    body = msg[16:]
    if typ not in (SOCK_DIAG_BY_FAMILY, TCPDIAG_GETSOCK):
        return -EINVAL
    if typ == TCPDIAG_GETSOCK:
        if len(body) < 64 or flags & NLM_F_DUMP != NLM_F_DUMP:
            return -EINVAL
        fam, _, ext, _ = struct.unpack_from("<BBBB", body)
        states = struct.unpack_from("<I", body, 60)[0]
        return sk.start_dump(inet_dump(fam, IPPROTO_TCP, states, ext, seq, sk.portid), seq)
    if len(body) < 2:
        return -EINVAL
    fam, proto = body[0], body[1]
    if fam == AF_UNIX:
        if len(body) < 24:
            return -EINVAL
        states, ino, show = struct.unpack_from("<III", body, 4)
        if flags & NLM_F_DUMP != NLM_F_DUMP:
            return -EOPNOTSUPP
        return sk.start_dump(unix_dump(states, show, seq, sk.portid), seq)
    if fam in (AF_INET, AF_INET6):
        if len(body) < 56:
            return -EINVAL
        ext = body[2]
        states = struct.unpack_from("<I", body, 4)[0]
        if flags & NLM_F_DUMP != NLM_F_DUMP:
            return -ENOENT
        if proto not in (IPPROTO_TCP, IPPROTO_UDP):
            return -ENOENT
        return sk.start_dump(inet_dump(fam, proto, states, ext, seq, sk.portid), seq)
    return -EINVAL
