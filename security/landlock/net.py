"""security/landlock/net.py - TCP ports in a sandbox: bind(2) and
connect(2) of a TCP socket need the layers that handle BIND_TCP or
CONNECT_TCP to have a rule for the port.  Checked before the protocol
looks at the address, so a malformed one is EINVAL here as in Linux;
other families and types pass untouched."""

import struct

from kernel.errno import EACCES, EAFNOSUPPORT, EINVAL, Errno
from security.landlock.ruleset import ACCESS_NET_BIND_TCP, ACCESS_NET_CONNECT_TCP

IPPROTO_TCP = 6
SOCKADDR_IN_LEN = 16
SIN6_LEN_RFC2133 = 24


def _check_port(t, sock, addr, access):
    domain = t.cred.landlock
    if domain is None or not any(layer.handled_net for layer in domain):
        return
    # cycle: net.socket -> security.landlock.net -> net.socket
    from net.socket import AF_INET, AF_INET6, AF_UNSPEC, SOCK_STREAM
    if sock.family not in (AF_INET, AF_INET6) or sock.type != SOCK_STREAM \
            or sock.protocol != IPPROTO_TCP:
        return
    if len(addr) < 2:
        raise Errno(EINVAL)
    family = struct.unpack_from("<H", addr)[0]
    if family in (AF_UNSPEC, AF_INET):
        if len(addr) < SOCKADDR_IN_LEN:
            raise Errno(EINVAL)
    elif family == AF_INET6:
        if len(addr) < SIN6_LEN_RFC2133:
            raise Errno(EINVAL)
    else:
        return
    if family == AF_UNSPEC:
        if access == ACCESS_NET_CONNECT_TCP:
            return                      # dissolving a connection is always allowed
        # bind takes AF_UNSPEC as AF_INET's INADDR_ANY only
        if sock.family != AF_INET:
            raise Errno(EINVAL)
        if any(addr[4:8]):
            raise Errno(EAFNOSUPPORT)
    elif family != sock.family:
        raise Errno(EINVAL)             # not EACCES for what the stack refuses anyway
    port = struct.unpack_from(">H", addr, 2)[0]
    for layer in domain:
        if layer.handled_net & access and not layer.net_rules.get(port, 0) & access:
            raise Errno(EACCES)


def socket_bind(t, sock, addr):
    _check_port(t, sock, addr, ACCESS_NET_BIND_TCP)


def socket_connect(t, sock, addr):
    _check_port(t, sock, addr, ACCESS_NET_CONNECT_TCP)
