"""net/ipv4/ip_sockglue.py - the SOL_IP and SOL_IPV6 socket options.

Values are stored (sk.ip, keyed by (level, option)) and read back as Linux
reads them: defaults where nothing was set (IP_TTL reads 64, the
multicast TTL 1 ...), Linux's range checks, and the one-byte answer
getsockopt gives for small values when asked with a short buffer.
IPV6_V6ONLY is the one that changes behaviour here (which addresses a
socket accepts: net/ipv4/inet_hashtables.py); IP_FREEBIND and
IP_TRANSPARENT let bind() take an address that is not ours; the group
memberships (IP_ADD_MEMBERSHIP, MCAST_JOIN_GROUP, the source filters)
are parsed here and kept by net/ipv4/igmp.py, IP_MULTICAST_IF picks the
interface a socket's multicasts leave by (InetSock.route).
"""

from kernel.abi import s32
from kernel.capability import CAP_NET_ADMIN, CAP_NET_RAW, capable
import struct

from kernel.errno import (EADDRNOTAVAIL, EINVAL, ENOBUFS, ENOPROTOOPT, ENOTCONN, EOPNOTSUPP,
                          EPERM, EPROTO, Errno)
from mm.uaccess import copy_from_user
from net.core.dev import dev_get_by_index
from net.core.inetaddr import AF_INET, AF_INET6, ANY4
from net.ipv4 import igmp
from net.ipv4.devinet import ip_dev_find
from net.socket import SOCK_STREAM

SOL_IP, SOL_IPV6 = 0, 41
ip_nonlocal_bind = 0
ip_default_ttl = 64

IP_TOS, IP_TTL, IP_HDRINCL, IP_OPTIONS, IP_RECVOPTS, IP_RETOPTS = 1, 2, 3, 4, 6, 7
IP_PKTINFO, IP_MTU_DISCOVER, IP_RECVERR, IP_RECVTTL, IP_RECVTOS, IP_MTU = 8, 10, 11, 12, 13, 14
IP_FREEBIND, IP_PASSSEC, IP_TRANSPARENT, IP_RECVORIGDSTADDR = 15, 18, 19, 20
IP_MINTTL, IP_NODEFRAG, IP_CHECKSUM, IP_BIND_ADDRESS_NO_PORT = 21, 22, 23, 24
IP_RECVFRAGSIZE, IP_RECVERR_RFC4884 = 25, 26
IP_MULTICAST_IF, IP_MULTICAST_TTL, IP_MULTICAST_LOOP = 32, 33, 34
IP_ROUTER_ALERT, IP_PKTOPTIONS = 5, 9
IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IP_UNBLOCK_SOURCE, IP_BLOCK_SOURCE = 35, 36, 37, 38
IP_ADD_SOURCE_MEMBERSHIP, IP_DROP_SOURCE_MEMBERSHIP, IP_MSFILTER = 39, 40, 41
MCAST_JOIN_GROUP, MCAST_BLOCK_SOURCE, MCAST_UNBLOCK_SOURCE, MCAST_LEAVE_GROUP = 42, 43, 44, 45
MCAST_JOIN_SOURCE_GROUP, MCAST_LEAVE_SOURCE_GROUP, MCAST_MSFILTER = 46, 47, 48
IP_MULTICAST_ALL, IP_UNICAST_IF, IP_LOCAL_PORT_RANGE, IP_PROTOCOL = 49, 50, 51, 52

IPV6_ADDRFORM, IPV6_UNICAST_HOPS, IPV6_MULTICAST_IF = 1, 16, 17
IPV6_MULTICAST_HOPS, IPV6_MULTICAST_LOOP = 18, 19
IPV6_MTU_DISCOVER, IPV6_MTU, IPV6_RECVERR, IPV6_V6ONLY = 23, 24, 25, 26
IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, IPV6_DONTFRAG = 49, 51, 62
IPV6_RECVTCLASS, IPV6_TCLASS, IPV6_AUTOFLOWLABEL = 66, 67, 70
IPV6_ADDR_PREFERENCES, IPV6_TRANSPARENT, IPV6_FREEBIND = 72, 75, 78
IPV6_HOPOPTS, IPV6_RTHDRDSTOPTS, IPV6_RTHDR, IPV6_DSTOPTS = 54, 55, 57, 59
IPV6_STICKY = (IPV6_HOPOPTS, IPV6_RTHDRDSTOPTS, IPV6_RTHDR, IPV6_DSTOPTS)
IPV6_MIN_MTU = 1280
IPV6_SRCRT_TYPE_4 = 4                   # segment routing (type 2 is Mobile IPv6's: not built)

# option -> (default, check(val) -> True if acceptable)
_bool = (0, lambda v: True)
IP_OPTS = {
    IP_TOS: (0, lambda v: True),
    IP_TTL: (-1, lambda v: v == -1 or 1 <= v <= 255),
    IP_RECVOPTS: _bool, IP_RETOPTS: _bool, IP_PKTINFO: _bool,
    IP_MTU_DISCOVER: (1, lambda v: 0 <= v <= 5),
    IP_RECVERR: _bool, IP_RECVTTL: _bool, IP_RECVTOS: _bool,
    IP_FREEBIND: _bool, IP_PASSSEC: _bool, IP_TRANSPARENT: _bool,
    IP_RECVORIGDSTADDR: _bool, IP_MINTTL: (0, lambda v: 0 <= v <= 255),
    IP_NODEFRAG: _bool, IP_CHECKSUM: _bool, IP_BIND_ADDRESS_NO_PORT: _bool,
    IP_RECVFRAGSIZE: _bool, IP_RECVERR_RFC4884: (0, lambda v: v in (0, 1)),
    IP_MULTICAST_TTL: (1, lambda v: -1 <= v <= 255),
    IP_MULTICAST_LOOP: (1, lambda v: True), IP_MULTICAST_ALL: (1, lambda v: True),
}
# options whose setsockopt wants at least one byte
_NEED_BYTE = {2, 15, 19, 21, 33, 34, 49}           # TTL FREEBIND TRANSPARENT MINTTL MC_TTL MC_LOOP MC_ALL
_BOOLS4 = {IP_RECVOPTS, IP_RETOPTS, IP_PKTINFO, IP_RECVERR, IP_RECVTTL, IP_RECVTOS,
           IP_FREEBIND, IP_PASSSEC, IP_TRANSPARENT, IP_RECVORIGDSTADDR, IP_NODEFRAG,
           IP_CHECKSUM, IP_BIND_ADDRESS_NO_PORT, IP_RECVFRAGSIZE, IP_MULTICAST_LOOP,
           IP_MULTICAST_ALL}

IPV6_OPTS = {
    IPV6_UNICAST_HOPS: (-1, lambda v: -1 <= v <= 255),
    IPV6_MULTICAST_HOPS: (-1, lambda v: -1 <= v <= 255),
    IPV6_MULTICAST_LOOP: (1, lambda v: v in (0, 1)),
    IPV6_MTU_DISCOVER: (1, lambda v: 0 <= v <= 5),
    IPV6_RECVERR: _bool, IPV6_RECVPKTINFO: _bool, IPV6_RECVHOPLIMIT: _bool,
    IPV6_DONTFRAG: _bool, IPV6_RECVTCLASS: _bool,
    IPV6_TCLASS: (0, lambda v: -1 <= v <= 255),
    IPV6_AUTOFLOWLABEL: (1, lambda v: True),
    IPV6_TRANSPARENT: _bool, IPV6_FREEBIND: _bool,
}


def _read_int(t, optval, optlen, small_ok):
    optlen = s32(optlen)
    if optlen >= 4:
        return struct.unpack("<i", copy_from_user(t.mm, optval, 4))[0]
    if small_ok and optlen >= 1:
        return copy_from_user(t.mm, optval, 1)[0]
    if small_ok:
        return 0                        # do_ip_setsockopt: no bytes mean 0
    raise Errno(EINVAL)


def setsockopt(sk, t, level, optname, optval, optlen):
    if sk.family == AF_INET6 and level != SOL_IP:
        if level != SOL_IPV6:
            return -ENOPROTOOPT
        return _set6(sk, t, optname, optval, optlen)
    if level != SOL_IP:
        return -ENOPROTOOPT
    if optname == IP_HDRINCL:
        return -ENOPROTOOPT                 # raw sockets only
    if optname == IP_OPTIONS:
        if s32(optlen) > 40:
            return -EINVAL
        sk.ip[(SOL_IP, IP_OPTIONS)] = copy_from_user(t.mm, optval, max(s32(optlen), 0))
        return 0
    if optname in (IP_NODEFRAG, IP_PKTOPTIONS):
        return -ENOPROTOOPT                 # raw sockets, or gone
    if optname == IP_ROUTER_ALERT or (optname == IP_RECVFRAGSIZE and sk.type == 1):
        return -EINVAL
    if optname == IP_MULTICAST_IF:
        return _set_multicast_if(sk, t, optval, s32(optlen))
    if optname == IP_MSFILTER:
        return _set_msfilter(sk, t, optval, s32(optlen))
    if IP_ADD_MEMBERSHIP <= optname < MCAST_MSFILTER:
        return _set_membership(sk, t, optname, optval, s32(optlen))
    if optname in (IP_UNICAST_IF, IP_LOCAL_PORT_RANGE, MCAST_MSFILTER):
        return -EINVAL                      # (not provided)
    if optname not in IP_OPTS:
        return -ENOPROTOOPT
    if optname in _NEED_BYTE and s32(optlen) < 1:
        return -EINVAL
    val = _read_int(t, optval, optlen, True)
    default, ok = IP_OPTS[optname]
    if not ok(val):
        return -EINVAL
    if optname in (IP_TRANSPARENT,) and not (capable(t, CAP_NET_RAW) or capable(t, CAP_NET_ADMIN)):
        return -EPERM
    if optname in _BOOLS4:
        val = 1 if val else 0
    if optname == IP_TOS and sk.type == 1:                  # TCP keeps the ECN bits
        val = (val & ~3) | (sk.ip.get((SOL_IP, IP_TOS), 0) & 3)
    if optname == IP_MULTICAST_TTL and val == -1:
        val = 1
    sk.ip[(SOL_IP, optname)] = val & 0xFF if optname == IP_TOS else val
    if optname in (IP_FREEBIND, IP_TRANSPARENT):
        sk.ip[optname] = val
    return 0


def _set_multicast_if(sk, t, optval, optlen):
    """IP_MULTICAST_IF: an in_addr, an ip_mreq (its interface address) or
    an ip_mreqn (index and address); 0.0.0.0 and no index forget it."""
    if sk.type == SOCK_STREAM or optlen < 4:
        return -EINVAL
    ifindex = 0
    if optlen >= 12:
        _, address, ifindex = struct.unpack("<4s4si", copy_from_user(t.mm, optval, 12))
    elif optlen >= 8:
        address = copy_from_user(t.mm, optval, 8)[4:]
    else:
        address = copy_from_user(t.mm, optval, 4)
    if not ifindex:
        if not any(address):
            sk.mc_index, sk.mc_addr = 0, ANY4
            return 0
        dev = ip_dev_find(address)
        if dev is not None:
            ifindex = dev.ifindex
    else:
        dev = dev_get_by_index(ifindex)
    if dev is None:
        return -EADDRNOTAVAIL
    if sk.bound_dev_if and ifindex != sk.bound_dev_if:
        return -EINVAL
    sk.mc_index, sk.mc_addr = ifindex, address
    return 0


def _sockaddr_in(b, off):
    """(family, address) of a struct sockaddr_in inside a request."""
    family, addr = struct.unpack_from("<H2x4s", b, off)
    return family, addr


def _set_membership(sk, t, optname, optval, optlen):
    """The group membership options, parsed as do_ip_setsockopt does, then
    net/ipv4/igmp.py.  struct group_req and group_source_req are 4 bytes
    shorter for an i386 caller (no padding before the sockaddr)."""
    compat = t.arch.BITS == 32
    ss_off = 4 if compat else 8
    try:
        if optname in (IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP):
            if sk.type == SOCK_STREAM:
                return -EPROTO              # not for connection-oriented sockets
            if optlen < 8:
                return -EINVAL
            b = copy_from_user(t.mm, optval, 12 if optlen >= 12 else 8).ljust(12, b"\0")
            group, address, ifindex = struct.unpack("<4s4si", b)
            if optname == IP_ADD_MEMBERSHIP:
                igmp.ip_mc_join_group(sk, group, address, ifindex)
            else:
                igmp.ip_mc_leave_group(sk, group, address, ifindex)
        elif optname <= IP_DROP_SOURCE_MEMBERSHIP:
            if optlen != 12:                # struct ip_mreq_source
                return -EINVAL
            group, address, source = struct.unpack("<4s4s4s", copy_from_user(t.mm, optval, 12))
            add, omode = _SOURCE_OPS[optname]
            igmp.ip_mc_join_source(add, omode, sk, group, source, address, 0)
        elif optname in (MCAST_JOIN_GROUP, MCAST_LEAVE_GROUP):
            size = ss_off + 128             # struct group_req
            if optlen < size:
                return -EINVAL
            b = copy_from_user(t.mm, optval, size)
            family, group = _sockaddr_in(b, ss_off)
            if family != AF_INET:
                return -EINVAL
            ifindex = struct.unpack_from("<I", b)[0]
            if optname == MCAST_JOIN_GROUP:
                igmp.ip_mc_join_group(sk, group, ANY4, ifindex)
            else:
                igmp.ip_mc_leave_group(sk, group, ANY4, ifindex)
        else:
            size = ss_off + 256             # struct group_source_req
            if optlen != size:
                return -EINVAL
            b = copy_from_user(t.mm, optval, size)
            gfamily, group = _sockaddr_in(b, ss_off)
            sfamily, source = _sockaddr_in(b, ss_off + 128)
            if gfamily != AF_INET or sfamily != AF_INET:
                return -EADDRNOTAVAIL
            add, omode = _SOURCE_OPS[optname]
            igmp.ip_mc_join_source(add, omode, sk, group, source, ANY4,
                                   struct.unpack_from("<I", b)[0])
    except Errno as e:
        return -e.errno
    return 0


IP_MSFILTER_SIZE0 = 16                  # struct ip_msfilter without its sources
SYSCTL_OPTMEM_MAX = 131072              # net.core.optmem_max


def _set_msfilter(sk, t, optval, optlen):
    """IP_MSFILTER: group, interface address, mode, count, sources."""
    if optlen < IP_MSFILTER_SIZE0:
        return -EINVAL
    if optlen > SYSCTL_OPTMEM_MAX:
        return -ENOBUFS
    b = copy_from_user(t.mm, optval, optlen)
    group, address, fmode, numsrc = struct.unpack_from("<4s4sII", b)
    if numsrc > igmp.sysctl_igmp_max_msf:
        return -ENOBUFS
    if IP_MSFILTER_SIZE0 + 4 * numsrc > optlen:
        return -EINVAL
    sources = [b[16 + 4 * i:20 + 4 * i] for i in range(numsrc)]
    try:
        igmp.ip_mc_msfilter(sk, group, address, fmode, sources)
    except Errno as e:
        return -e.errno
    return 0


def _get_msfilter(sk, t, optval, optlen):
    """ip_mc_msfget: the mode and as many sources as the caller's count
    asks for; the count says how many there are."""
    if optlen < IP_MSFILTER_SIZE0:
        raise Errno(EINVAL)
    group, address, _, numsrc = struct.unpack("<4s4sII", copy_from_user(t.mm, optval, 16))
    fmode, sources = igmp.ip_mc_msfget(sk, group, address)
    return struct.pack("<4s4sII", group, address, fmode, len(sources)) + \
        b"".join(sources[:numsrc])


# option -> (add the source?, the filter mode it applies to)
_SOURCE_OPS = {
    IP_BLOCK_SOURCE: (True, igmp.MCAST_EXCLUDE), IP_UNBLOCK_SOURCE: (False, igmp.MCAST_EXCLUDE),
    IP_ADD_SOURCE_MEMBERSHIP: (True, igmp.MCAST_INCLUDE),
    IP_DROP_SOURCE_MEMBERSHIP: (False, igmp.MCAST_INCLUDE),
    MCAST_BLOCK_SOURCE: (True, igmp.MCAST_EXCLUDE),
    MCAST_UNBLOCK_SOURCE: (False, igmp.MCAST_EXCLUDE),
    MCAST_JOIN_SOURCE_GROUP: (True, igmp.MCAST_INCLUDE),
    MCAST_LEAVE_SOURCE_GROUP: (False, igmp.MCAST_INCLUDE),
}


def _set6(sk, t, optname, optval, optlen):
    """do_ipv6_setsockopt: the int is read first, whatever the option (a
    NULL or short value is 0), then each option checks the length."""
    val = 0
    if optval and s32(optlen) >= 4:
        val = struct.unpack("<i", copy_from_user(t.mm, optval, 4))[0]
    if optname == IPV6_V6ONLY:
        if s32(optlen) < 4:
            return -EINVAL
        if sk.num:
            return -EINVAL
        sk.ipv6only = bool(val)
        return 0
    if optname == IPV6_ADDRFORM:
        return -EINVAL
    if optname in IPV6_STICKY:
        return _set_opt_hdr(sk, t, optname, optval, s32(optlen))
    if optname == IPV6_MTU:
        if s32(optlen) < 4 or (val and val < IPV6_MIN_MTU):
            return -EINVAL
        sk.ip[(SOL_IPV6, IPV6_MTU)] = val       # the fragment size (np->frag_size)
        return 0
    if optname not in IPV6_OPTS:
        return -ENOPROTOOPT
    if s32(optlen) < 4:
        return -EINVAL
    default, ok = IPV6_OPTS[optname]
    if not ok(val):
        return -EINVAL
    if optname == IPV6_TRANSPARENT and not (capable(t, CAP_NET_RAW) or capable(t, CAP_NET_ADMIN)):
        return -EPERM
    if optname in (IPV6_RECVERR, IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, IPV6_DONTFRAG,
                   IPV6_RECVTCLASS, IPV6_AUTOFLOWLABEL, IPV6_TRANSPARENT, IPV6_FREEBIND):
        val = 1 if val else 0
    sk.ip[(SOL_IPV6, optname)] = val
    if optname in (IPV6_FREEBIND, IPV6_TRANSPARENT):
        sk.ip[{IPV6_FREEBIND: IP_FREEBIND, IPV6_TRANSPARENT: IP_TRANSPARENT}[optname]] = val
    return 0


def _set_opt_hdr(sk, t, optname, optval, optlen):
    """ipv6_set_opt_hdr: a sticky extension header for what the socket
    sends, kept as given (no length removes it).  Hop-by-hop and
    destination options need CAP_NET_RAW; a routing header must be a
    valid segment routing one."""
    if optname != IPV6_RTHDR and not capable(t, CAP_NET_RAW):
        return -EPERM
    if optlen <= 0:
        sk.ip.pop((SOL_IPV6, optname), None)
        return 0
    if not optval or optlen < 2 or optlen & 7 or optlen > 8 * 255:
        return -EINVAL
    hdr = copy_from_user(t.mm, optval, optlen)
    hdrlen = (hdr[1] + 1) * 8               # ipv6_optlen
    if hdrlen > optlen:
        return -EINVAL
    if optname == IPV6_RTHDR and not seg6_validate_srh(hdr, optlen):
        return -EINVAL
    sk.ip[(SOL_IPV6, optname)] = hdr[:hdrlen]
    return 0


def seg6_validate_srh(srh, length):
    """A segment routing header (struct ipv6_sr_hdr) that fills exactly
    length bytes: its segment indexes within the segment list, then whole
    TLVs to the end."""
    if len(srh) < 8 or srh[2] != IPV6_SRCRT_TYPE_4:
        return False
    hdrlen, segments_left, first_segment = srh[1], srh[3], srh[4]
    if (hdrlen + 1) * 8 != length or segments_left > first_segment:
        return False
    if first_segment > hdrlen // 2 - 1:
        return False
    off = 8 + (first_segment + 1) * 16
    if off > length:
        return False
    while off < length:
        if length - off < 2:
            return False
        off += 2 + srh[off + 1]             # struct sr6_tlv: type, len, data
        if off > length:
            return False
    return True


def getsockopt(sk, t, level, optname, ol):
    """The value as bytes, shortened as Linux does for small buffers; ol
    is the caller's length, read where Linux reads it."""
    if sk.family == AF_INET6 and level != SOL_IP:
        if level != SOL_IPV6:
            raise Errno(ENOPROTOOPT)
        ol.get()
        return _get6(sk, optname)
    if level != SOL_IP:
        raise Errno(EOPNOTSUPP)
    optlen = ol.get()
    if optlen < 0:
        raise Errno(EINVAL)
    if optname == IP_OPTIONS:
        return sk.ip.get((SOL_IP, IP_OPTIONS), b"")
    if optname == IP_MTU:
        if not sk.dport:
            raise Errno(ENOTCONN)
        return struct.pack("<i", sk.dev.mtu if sk.dev is not None else 65536)
    if optname == IP_PROTOCOL:
        return struct.pack("<i", sk.protocol)
    if optname == IP_MULTICAST_IF:
        return sk.mc_addr                   # (cut to the caller's length)
    if optname == IP_MSFILTER:
        return _get_msfilter(sk, t, ol.optval, optlen)
    if optname in (IP_HDRINCL, IP_NODEFRAG, IP_ROUTER_ALERT, IP_UNICAST_IF,
                   IP_LOCAL_PORT_RANGE):
        return struct.pack("<i", 0)
    if optname == IP_PKTOPTIONS:
        return b""
    if optname not in IP_OPTS:
        raise Errno(ENOPROTOOPT)
    val = sk.ip.get((SOL_IP, optname), IP_OPTS[optname][0])
    if optname == IP_TTL and val < 0:
        val = ip_default_ttl
    if 0 < optlen < 4 and 0 <= val <= 255:
        return bytes([val])
    return struct.pack("<i", val)


def _get6(sk, optname):
    if optname in IPV6_STICKY:
        return sk.ip.get((SOL_IPV6, optname), b"")      # (cut to the caller's length)
    if optname == IPV6_V6ONLY:
        return struct.pack("<i", 1 if sk.ipv6only else 0)
    if optname == IPV6_MTU:
        if not sk.dport:
            raise Errno(ENOTCONN)
        return struct.pack("<i", sk.dev.mtu if sk.dev is not None else 65536)
    if optname not in IPV6_OPTS:
        raise Errno(ENOPROTOOPT)
    val = sk.ip.get((SOL_IPV6, optname), IPV6_OPTS[optname][0])
    if optname == IPV6_UNICAST_HOPS and val < 0:
        val = 64
    if optname == IPV6_MULTICAST_HOPS and val < 0:
        val = 1
    return struct.pack("<i", val)
