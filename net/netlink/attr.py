"""net/netlink/attr.py - netlink messages and attributes (include/net/netlink.h).

A netlink message is a 16-byte header {len, type, flags, seq, pid}, a
family header (ifinfomsg, ifaddrmsg, rtmsg ...) and attributes: {len,
type} then the payload, each padded to 4 bytes; nested attributes hold
attributes.  These helpers build and parse them.
"""

import struct

NLMSG_HDR = struct.Struct("<IHHII")
NLMSG_HDRLEN = 16
NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN = 1, 2, 3, 4
NLMSG_MIN_TYPE = 0x10
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_ECHO = 0x1, 0x2, 0x4, 0x8
NLM_F_DUMP_INTR, NLM_F_DUMP_FILTERED = 0x10, 0x20
NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC = 0x100, 0x200, 0x400
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND = 0x100, 0x200, 0x400, 0x800
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLA_F_NESTED = 0x8000
NLA_TYPE_MASK = 0x3FFF


def align(n):
    return (n + 3) & ~3


def nla(type_, payload):
    n = 4 + len(payload)
    return struct.pack("<HH", n, type_) + payload + bytes(align(n) - n)


def nla_u8(type_, v):
    return nla(type_, struct.pack("<B", v))


def nla_u32(type_, v):
    return nla(type_, struct.pack("<I", v & 0xFFFFFFFF))


def nla_string(type_, s):
    return nla(type_, s + b"\0")


def nla_nest(type_, *attrs):
    """A nested attribute (without NLA_F_NESTED, as the rtnetlink messages
    that predate it are still sent)."""
    return nla(type_, b"".join(attrs))


def nlmsg(type_, flags, seq, pid, payload):
    n = NLMSG_HDRLEN + len(payload)
    return NLMSG_HDR.pack(n, type_, flags, seq, pid & 0xFFFFFFFF) + payload + bytes(align(n) - n)


def nla_parse(data):
    """{type: payload} of a run of attributes (a later duplicate wins, as
    nla_parse keeps the last); malformed tails are ignored."""
    out = {}
    off = 0
    while off + 4 <= len(data):
        n, typ = struct.unpack_from("<HH", data, off)
        if n < 4 or off + n > len(data):
            break
        out[typ & NLA_TYPE_MASK] = data[off + 4:off + n]
        off += align(n)
    return out


def nla_get_u32(payload):
    return struct.unpack_from("<I", payload)[0] if len(payload) >= 4 else 0


def nla_get_string(payload):
    return payload.split(b"\0", 1)[0]


def iter_messages(data):
    """(header tuple, payload) for each message in a buffer, stopping at a
    malformed one (netlink_rcv_skb)."""
    off = 0
    while len(data) - off >= NLMSG_HDRLEN:
        ln, typ, flags, seq, pid = NLMSG_HDR.unpack_from(data, off)
        if ln < NLMSG_HDRLEN or ln > len(data) - off:
            return
        yield (ln, typ, flags, seq, pid), data[off:off + ln]
        off += min(align(ln), len(data) - off)
