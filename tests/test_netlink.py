"""Netlink and the interface tools: NETLINK_ROUTE against the host kernel
(tests/guest/netlink.c), and Debian's iproute2 and busybox run from the
host's / as a hostfs root, their output compared with the same commands
run on the host where the host's loopback is the same as ours (`lo`
exists everywhere), or checked against what Linux prints where a test must
change the interfaces (that only happens inside the guest)."""

import os
import re
import subprocess

import pytest

from conftest import boot, differential, guest

HOSTFS = ["mem=256M", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro"]


def guest_sh(script, timeout=120, extra=()):
    r = boot(["quiet"] + HOSTFS + list(extra) + ["init=/bin/sh", "--", "-c",
              "mount -t proc proc /proc; " + script], timeout=timeout)
    return r


def host_sh(script):
    p = subprocess.run(["/bin/sh", "-c", script], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    return p.stdout.decode()


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_netlink_sockets(libc):
    n, u = differential(guest("netlink", libc))
    assert u.out.endswith("done\n")


LO_COMMANDS = [
    "ip addr show lo",
    "ip link show lo",
    "ip -d link show lo",
    "ip -6 addr show dev lo",
    "ip -4 route show table local dev lo",
    "ip -6 route show table local dev lo",
    "ip route get 127.0.0.1",
    "ip -6 route get ::1",
    "ip rule",
    "busybox ip addr show lo",
    "busybox ip link show lo",
    "busybox ifconfig lo | grep -v 'packets\\|bytes'",
]


def test_ip_and_ifconfig_show_lo_as_the_host_does():
    sep = "echo ====; "
    script = sep.join("%s 2>&1; " % c for c in LO_COMMANDS)
    r = guest_sh(script)
    assert r.status == 0, r.stderr.decode()
    assert r.out.split("====\n") == host_sh(script).split("====\n")


def test_ip_changes_interfaces():
    """ip addr add/del, ip link set down/up, ip route add, as root in the
    guest: what Linux does (checked against its known output, not the host,
    whose interfaces a test must not touch)."""
    script = """
python3 -c 'import socket; s=socket.socket(); print("connect up", s.connect_ex(("127.0.0.1", 9)))'
ip link set lo down; echo down $?
ip -o link show lo | sed 's/ qdisc.*//'
ip route show table local
python3 -c 'import socket; s=socket.socket(); print("connect down", s.connect_ex(("127.0.0.1", 9)))'
ip link set lo up; echo up $?
ip addr add 10.9.9.9/24 dev lo; echo add $?
ip addr add 10.9.9.9/24 dev lo; echo add again $?
ip -4 -o addr show dev lo | sed 's/ *valid.*//'
ip route show table local | grep 10.9
python3 -c 'import socket; s=socket.socket(); s.bind(("10.9.9.9", 0)); print("bound", s.getsockname()[0])'
ip route add 10.20.0.0/16 dev lo; echo route add $?
ip route add 10.21.0.0/16 via 10.9.9.1; echo local gateway $?
ip route add 10.30.0.0/16 via 10.99.0.1; echo unreachable gateway $?
ip route
ip route del 10.20.0.0/16; echo route del $?
ip addr del 10.9.9.9/24 dev lo; echo del $?
ip route
ip link set lo mtu 1500; ip -o link show lo | sed 's/ qdisc.*//'
ip link set dev nosuch up; echo nosuch $?
busybox ifconfig lo 127.0.0.1 netmask 255.0.0.0 mtu 65536 up; echo ifconfig $?
busybox ifconfig lo | head -3
"""
    r = guest_sh(script)
    assert r.status == 0, r.stderr.decode()
    out = r.out
    assert "connect up 111\n" in out                     # ECONNREFUSED: lo is there
    assert "down 0\n1: lo: <LOOPBACK> mtu 65536" in out
    assert "connect down 101\n" in out                   # ENETUNREACH with lo down
    assert "up 0\nadd 0\n" in out
    assert "RTNETLINK answers: File exists\nadd again 2\n" in out
    assert "inet 10.9.9.9/24 scope global lo" in out
    assert "local 10.9.9.9 dev lo proto kernel scope host src 10.9.9.9" in out
    assert "broadcast 10.9.9.255 dev lo proto kernel scope link src 10.9.9.9" in out
    assert "bound 10.9.9.9\n" in out
    assert "route add 0\n" in out
    assert "local gateway 2\n" in out                    # a gateway must not be ours
    assert "unreachable gateway 2\n" in out
    assert "10.20.0.0/16 dev lo scope link" in out
    assert "route del 0\ndel 0\n" in out
    assert "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 1500" in out
    assert "nosuch 1\n" in out
    assert "ifconfig 0\n" in out
    assert "inet addr:127.0.0.1  Mask:255.0.0.0" in out


def test_ss_and_netstat_show_the_sockets():
    """The sockets a guest program holds, as ss (through sock_diag: a
    listener's Send-Q is its backlog), netstat and busybox netstat (from
    /proc/net) list them."""
    prog = r"""
import socket, subprocess, os
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 0)); l.listen(5); port = l.getsockname()[1]
c = socket.create_connection(("127.0.0.1", port)); s, _ = l.accept()
six = socket.socket(socket.AF_INET6); six.bind(("::1", 0)); six.listen(7)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
x = socket.socket(socket.AF_UNIX); x.bind("\0pyuml-ss"); x.listen(5)
s.send(b"12345")
print("ports", port, c.getsockname()[1], six.getsockname()[1], u.getsockname()[1], flush=True)
for cmd in (["ss", "-tuanx"], ["netstat", "-tuan"], ["busybox", "netstat", "-tuanx"]):
    print("====", flush=True)
    subprocess.run(cmd, stderr=subprocess.DEVNULL)
"""
    r = guest_sh("python3 -c '%s'" % prog.replace("'", "'\"'\"'"))
    assert r.status == 0, r.stderr.decode()
    head, ss, netstat, bb = r.out.split("====\n")
    port, cport, p6, pu = head.split()[1:5]
    norm = lambda t: [" ".join(line.split()) for line in t.splitlines()]  # noqa: E731
    ss, netstat, bb = norm(ss), norm(netstat), norm(bb)
    assert "tcp LISTEN 0 5 127.0.0.1:%s 0.0.0.0:*" % port in ss
    assert "tcp ESTAB 0 0 127.0.0.1:%s 127.0.0.1:%s" % (port, cport) in ss
    assert "tcp ESTAB 5 0 127.0.0.1:%s 127.0.0.1:%s" % (cport, port) in ss
    assert "tcp LISTEN 0 7 [::1]:%s [::]:*" % p6 in ss
    assert "udp UNCONN 0 0 127.0.0.1:%s 0.0.0.0:*" % pu in ss
    assert any(line.startswith("u_str LISTEN 0 5 @pyuml-ss") for line in ss), ss
    assert "tcp 0 0 127.0.0.1:%s 0.0.0.0:* LISTEN" % port in netstat
    assert "tcp 5 0 127.0.0.1:%s 127.0.0.1:%s ESTABLISHED" % (cport, port) in netstat
    assert "tcp6 0 0 ::1:%s :::* LISTEN" % p6 in netstat
    assert "udp 0 0 127.0.0.1:%s 0.0.0.0:*" % pu in netstat
    assert "tcp 0 0 127.0.0.1:%s 0.0.0.0:* LISTEN" % port in bb
    assert any("@pyuml-ss" in line and "LISTENING" in line for line in bb)


IN6_IOCTLS = r"""
import errno, fcntl, socket, struct
SIOCSIFADDR, SIOCDIFADDR, SIOCSIFDSTADDR = 0x8916, 0x8936, 0x8918
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
def in6_ifreq(addr, plen, ifindex):
    return struct.pack("16sIi", socket.inet_pton(socket.AF_INET6, addr), plen, ifindex)
def do(name, cmd, *req):
    try:
        fcntl.ioctl(s, cmd, in6_ifreq(*req)); print(name, 0)
    except OSError as e:
        print(name, errno.errorcode[e.errno])
"""
IN6_IOCTLS_ADD = r"""
do("add", SIOCSIFADDR, "fd00::7", 64, 1)
b = socket.socket(socket.AF_INET6); b.bind(("fd00::7", 0)); print("bound", b.getsockname()[0]); b.close()
do("add again", SIOCSIFADDR, "fd00::7", 64, 1)
do("add plen 129", SIOCSIFADDR, "fd00::8", 129, 1)
do("add no device", SIOCSIFADDR, "fd00::8", 64, 99)
do("dstaddr", SIOCSIFDSTADDR, "fd00::8", 64, 1)
"""
IN6_IOCTLS_DEL = r"""
do("del other plen", SIOCDIFADDR, "fd00::7", 48, 1)
do("del", SIOCDIFADDR, "fd00::7", 64, 1)
do("del again", SIOCDIFADDR, "fd00::7", 64, 1)
try:
    socket.socket(socket.AF_INET6).bind(("fd00::7", 0))
except OSError as e:
    print("bind after del", errno.errorcode[e.errno])
"""


def test_inet6_address_ioctls():
    """SIOCSIFADDR/SIOCDIFADDR on an AF_INET6 socket (struct in6_ifreq, as
    net-tools' ifconfig uses them): the address appears in ip -6 addr and
    can be bound, and goes away again; the errnos are inet6_ioctl's.  (Not
    against the host: a test must not change the host's interfaces.)"""
    script = ("python3 -c '%s' ; ip -6 -o addr show dev lo | sed 's/ *valid.*//'; "
              "python3 -c '%s'; ip -6 -o addr show dev lo | sed 's/ *valid.*//'"
              % (IN6_IOCTLS + IN6_IOCTLS_ADD, IN6_IOCTLS + IN6_IOCTLS_DEL))
    r = guest_sh(script)
    assert r.status == 0, r.stderr.decode()
    out = r.out
    assert out.startswith("add 0\nbound fd00::7\nadd again EEXIST\nadd plen 129 EINVAL\n"
                          "add no device ENODEV\ndstaddr ENODEV\n"), out
    first, second = out.split("dstaddr ENODEV\n")[1].split("del other plen")
    assert "1: lo    inet6 fd00::7/64 scope global" in first
    assert " EADDRNOTAVAIL\ndel 0\ndel again EADDRNOTAVAIL\n" \
        "bind after del EADDRNOTAVAIL\n" in second
    assert "fd00::7" not in second.split("bind after del")[1]


def test_network_privileges_are_capabilities():
    """Root without CAP_NET_BIND_SERVICE may not bind port 80, without
    CAP_NET_ADMIN may not add an address (setpriv drops them from the
    bounding set, so the exec leaves them out); root with them may.  (Not
    against the host: the second half changes interfaces.)"""
    script = r"""
P='import socket
for port in (80, 0):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port)); print("bind", port, "ok")
    except OSError as e:
        print("bind", port, e.errno)'
python3 -c "$P"
setpriv --bounding-set=-net_bind_service python3 -c "$P"
setpriv --bounding-set=-net_admin ip addr add 10.7.7.7/24 dev lo; echo "ip without net_admin $?"
ip addr add 10.7.7.7/24 dev lo; echo "ip with it $?"
"""
    r = guest_sh(script)
    assert r.status == 0, r.stderr.decode()
    assert r.out.split("\n") == [
        "bind 80 ok", "bind 0 ok", "bind 80 13", "bind 0 ok",
        "RTNETLINK answers: Operation not permitted", "ip without net_admin 2",
        "ip with it 0", ""], r.out
