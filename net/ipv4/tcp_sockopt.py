"""net/ipv4/tcp_sockopt.py - the SOL_TCP socket options (do_tcp_setsockopt,
do_tcp_getsockopt).

The values are kept and read back with Linux's checks and ranges.  They
change nothing on a path that never loses a segment (the keepalive
timers, Nagle's algorithm), except TCP_MAXSEG, which is the segment size,
TCP_CORK, which holds a partial segment back (net/ipv4/tcp.py push), and
TCP_INFO, which reports the connection as it is.  Clearing TCP_CORK or
setting TCP_NODELAY sends what the cork held.
"""

from kernel.abi import s32
from kernel.capability import CAP_NET_ADMIN, capable
import struct

from kernel.errno import EINVAL, ENOENT, ENOPROTOOPT, EPERM, Errno
from mm.uaccess import copy_from_user
from net.ipv4 import tcp

TCP_NODELAY, TCP_MAXSEG, TCP_CORK, TCP_KEEPIDLE = 1, 2, 3, 4
TCP_KEEPINTVL, TCP_KEEPCNT, TCP_SYNCNT, TCP_LINGER2 = 5, 6, 7, 8
TCP_DEFER_ACCEPT, TCP_WINDOW_CLAMP, TCP_INFO, TCP_QUICKACK = 9, 10, 11, 12
TCP_CONGESTION, TCP_MD5SIG, TCP_THIN_LINEAR_TIMEOUTS = 13, 14, 16
TCP_THIN_DUPACK, TCP_USER_TIMEOUT, TCP_REPAIR = 17, 18, 19
TCP_FASTOPEN, TCP_TIMESTAMP, TCP_NOTSENT_LOWAT, TCP_CC_INFO = 23, 24, 25, 26
TCP_FASTOPEN_CONNECT, TCP_ULP, TCP_FASTOPEN_NO_COOKIE, TCP_INQ = 30, 31, 34, 36
TCP_TX_DELAY = 37

MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT = 32767, 32767, 127
MAX_TCP_SYNCNT = 127
MAX_TCP_WINDOW = 32767
TCP_MIN_MSS, MAX_TCP_OPTION_SPACE = 88, 40
CONGESTION = b"cubic"
TCP_CA_NAME_MAX = 16
HZ = 250

_BOOL_OPTS = (TCP_NODELAY, TCP_CORK, TCP_QUICKACK, TCP_THIN_LINEAR_TIMEOUTS,
              TCP_THIN_DUPACK, TCP_FASTOPEN_CONNECT, TCP_FASTOPEN_NO_COOKIE, TCP_INQ)


def _defaults(sk):
    return {
        TCP_NODELAY: 0, TCP_CORK: 0, TCP_KEEPIDLE: tcp.tcp_keepalive_time,
        TCP_KEEPINTVL: tcp.tcp_keepalive_intvl, TCP_KEEPCNT: tcp.tcp_keepalive_probes,
        TCP_SYNCNT: tcp.tcp_syn_retries,
        TCP_DEFER_ACCEPT: 0, TCP_WINDOW_CLAMP: 0, TCP_QUICKACK: 1,
        TCP_USER_TIMEOUT: 0, TCP_NOTSENT_LOWAT: 0, TCP_FASTOPEN: 0,
        TCP_THIN_LINEAR_TIMEOUTS: 0, TCP_THIN_DUPACK: 0, TCP_FASTOPEN_CONNECT: 0,
        TCP_FASTOPEN_NO_COOKIE: 0, TCP_INQ: 0, TCP_TX_DELAY: 0,
    }


def _get(sk, opt):
    return sk.tcp.get(opt, _defaults(sk).get(opt, 0))


def setsockopt(sk, t, optname, optval, optlen):
    optlen = s32(optlen)
    if optname == TCP_CONGESTION:
        if optlen < 1:
            return -EINVAL
        name = copy_from_user(t.mm, optval, min(optlen, TCP_CA_NAME_MAX - 1)).split(b"\0")[0]
        if name not in (b"cubic", b"reno"):
            return -ENOENT
        sk.tcp[TCP_CONGESTION] = name
        return 0
    if optname == TCP_ULP:
        return -ENOENT
    if optname in (TCP_INFO, TCP_CC_INFO, TCP_MD5SIG) and optlen < 4:
        return -EINVAL
    if optname in (TCP_INFO, TCP_CC_INFO):
        return -ENOPROTOOPT
    if optname == TCP_REPAIR:
        return -EPERM if not capable(t, CAP_NET_ADMIN) else -EINVAL
    if optlen < 4:
        return -EINVAL
    val = struct.unpack("<i", copy_from_user(t.mm, optval, 4))[0]
    closed = sk.state in (tcp.TCP_CLOSE, tcp.TCP_LISTEN)
    if optname in (TCP_NODELAY, TCP_CORK):
        val = 1 if val else 0
    elif optname in (TCP_THIN_LINEAR_TIMEOUTS, TCP_INQ):
        if val < 0 or val > 1:
            return -EINVAL
    elif optname == TCP_FASTOPEN_CONNECT:
        if val < 0 or val > 1 or sk.state != tcp.TCP_CLOSE:
            return -EINVAL
    elif optname == TCP_FASTOPEN:
        if val < 0 or not closed:
            return -EINVAL
    elif optname in (TCP_QUICKACK, TCP_THIN_DUPACK, TCP_FASTOPEN_NO_COOKIE):
        val = 1 if val else 0
        if optname == TCP_THIN_DUPACK:
            return 0                        # obsolete: accepted, changes nothing
    elif optname == TCP_MAXSEG:
        if val and (val < TCP_MIN_MSS or val > MAX_TCP_WINDOW):
            return -EINVAL
        sk.user_mss = val
        return 0
    elif optname == TCP_KEEPIDLE:
        if val < 1 or val > MAX_TCP_KEEPIDLE:
            return -EINVAL
    elif optname == TCP_KEEPINTVL:
        if val < 1 or val > MAX_TCP_KEEPINTVL:
            return -EINVAL
    elif optname == TCP_KEEPCNT:
        if val < 1 or val > MAX_TCP_KEEPCNT:
            return -EINVAL
    elif optname == TCP_SYNCNT:
        if val < 1 or val > MAX_TCP_SYNCNT:
            return -EINVAL
    elif optname == TCP_LINGER2:
        val = -1 if val < 0 else min(val, 120)
    elif optname == TCP_DEFER_ACCEPT:
        val = _defer_accept_secs(val)
    elif optname == TCP_WINDOW_CLAMP:
        if not val:
            if sk.state != tcp.TCP_CLOSE:
                return -EINVAL
        else:
            val = max(val, 2304 // 2)       # SOCK_MIN_RCVBUF / 2
    elif optname == TCP_USER_TIMEOUT:
        if val < 0:
            return -EINVAL
    elif optname not in (TCP_NOTSENT_LOWAT, TCP_TX_DELAY):
        return -ENOPROTOOPT
    sk.tcp[optname] = val
    if (optname == TCP_CORK and not val) or (optname == TCP_NODELAY and val):
        sk.push(cork=False)             # what the cork held goes now
    return 0


def _defer_accept_secs(secs):
    """TCP_DEFER_ACCEPT is kept as a number of SYN-ACK retransmits (1 s,
    then doubling up to 120 s) and read back as the time they cover."""
    if secs <= 0:
        return 0
    res, timeout, period = 1, 1, 1
    while secs > period and res < 255:
        res += 1
        timeout = min(timeout << 1, 120)
        period += timeout
    return period


def tcp_info(sk):
    """struct tcp_info (the first 104 bytes Linux 6 fills, then zeros to 232)."""
    state = sk.state
    rto = 200000 if state != tcp.TCP_LISTEN else 0
    head = struct.pack("<BBBBBBBB", state, 0, 0, 0, 0, 0, 0x77, 0)   # wscale 7/7
    mss = sk.mss
    body = struct.pack("<IIIIIIII", rto, 40000 if state == tcp.TCP_ESTABLISHED else 0,
                       mss, mss, 0, 0, 0, 0)
    body += struct.pack("<IIII", 0, 0, 0, 0)        # last_data_sent, last_ack_sent, ...
    body += struct.pack("<IIIIIIIII", 65536, 0, 0, 0x7FFFFFFF, 10, 0, 0, 3, 0)
    out = head + body
    out += struct.pack("<QQ", 0, sk.bytes_sent)     # pacing rates / bytes_acked
    out += struct.pack("<QII", sk.bytes_received, sk.segs_out, sk.segs_in)
    return out.ljust(232, b"\0")


def getsockopt(sk, t, optname, optlen):
    """The value as bytes (the caller copies min(len, optlen))."""
    if optname == TCP_INFO:
        return tcp_info(sk)
    if optname == TCP_CONGESTION:
        return sk.tcp.get(TCP_CONGESTION, CONGESTION).ljust(TCP_CA_NAME_MAX, b"\0")
    if optname == TCP_MAXSEG:
        if sk.state in (tcp.TCP_CLOSE, tcp.TCP_LISTEN):
            v = sk.user_mss or tcp.TCP_MSS_DEFAULT
        else:
            v = sk.mss
        return struct.pack("<i", v)
    if optname == TCP_ULP:
        return b""
    if optname == TCP_LINGER2:
        v = sk.tcp.get(TCP_LINGER2, 0)
        return struct.pack("<i", v if v < 0 else (v or tcp.tcp_fin_timeout))
    if optname in _defaults(sk) or optname in _BOOL_OPTS:
        return struct.pack("<i", _get(sk, optname))
    raise Errno(ENOPROTOOPT)
