"""eth0=user: the guest reaches a server on the host's 127.0.0.1 through
the gateway 10.0.2.2, and the host reaches a guest server through a port
forward (hostfwd).  Every host socket here is on 127.0.0.1 with a port the
host chose at test time; every loop is bounded.  Off by default, and a bad
option is a one-line boot error."""

import os
import re
import select
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

from conftest import LINUX, boot

HOSTFS = ["root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro"]

GUEST_CLIENT = r"""
import socket, subprocess, sys
tport, uport = int(sys.argv[1]), int(sys.argv[2])
c = socket.create_connection(("10.0.2.2", tport), timeout=30)
print("peer", c.getpeername()[0], "local", c.getsockname()[0])
c.sendall(b"x" * 200000 + b"END")
c.shutdown(socket.SHUT_WR)
got = b""
while True:
    d = c.recv(65536)
    if not d:
        break
    got += d
print("tcp answer", len(got), got[:16])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(30)
u.connect(("10.0.2.2", uport))
u.send(b"udp ping")
print("udp answer", u.recvfrom(100))
for addr in (("10.0.2.2", tport ^ 1), ("192.0.2.9", 80), ("10.0.2.99", 80)):
    s = socket.socket()
    s.settimeout(30)
    print("connect", addr[0], s.connect_ex(addr))
lo = socket.socket(); lo.bind(("127.0.0.1", 0)); lo.listen()
print("loopback still local", socket.create_connection(lo.getsockname()).getpeername()[0])
"""


def _host_servers():
    """A TCP server that answers with the length of what it got, and a UDP
    echo, both on 127.0.0.1 ports chosen by the host."""
    t = socket.socket()
    t.bind(("127.0.0.1", 0))
    t.listen(4)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    t.settimeout(60)
    u.settimeout(60)

    def tcp():
        try:
            s, _ = t.accept()
        except OSError:
            return
        data = b""
        while not data.endswith(b"END"):
            d = s.recv(65536)
            if not d:
                break
            data += d
        s.sendall(b"received %7d" % len(data) + b"y" * 100000)
        s.close()

    def udp():
        try:
            d, a = u.recvfrom(100)
            u.sendto(b"echo:" + d, a)
        except OSError:
            pass
    for fn in (tcp, udp):
        threading.Thread(target=fn, daemon=True).start()
    return t, u


def test_guest_reaches_the_host_through_the_gateway():
    t, u = _host_servers()
    uport = u.getsockname()[1]
    try:
        r = boot(["quiet", "eth0=user"] + HOSTFS + ["init=/usr/bin/python3", "--", "-c",
                  GUEST_CLIENT, str(t.getsockname()[1]), str(u.getsockname()[1])], timeout=120)
    finally:
        t.close()
        u.close()
    assert r.status == 0, r.stderr.decode()
    out = r.out
    assert "tcp answer 100016 b'received  200003'" in out
    assert "peer 10.0.2.2 local 10.0.2.15" in out
    assert "udp answer (b'echo:udp ping', ('10.0.2.2', %d))" % uport in out
    assert "connect 10.0.2.2 111" in out          # nobody there on the host: refused
    assert "connect 192.0.2.9 113" in out         # policy: only the host
    assert "connect 10.0.2.99 113" in out
    assert "loopback still local 127.0.0.1" in out


GUEST_SERVER = r"""
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8000)); s.listen(4)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 5000))
print("listening", flush=True)
c, a = s.accept()
data = c.recv(100)
c.sendall(b"guest saw " + data + b" from " + a[0].encode())
c.close()
d, a = u.recvfrom(100)
u.sendto(b"guest udp " + d, a)
print("served", a[0], flush=True)
"""


def _forward_port(proc, proto, deadline):
    """The host port the kernel chose for a forward (from its log)."""
    buf = b""
    while time.time() < deadline:
        r, _, _ = select.select([proc.stderr], [], [], 1)
        if r:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            m = re.search(rb"hostfwd %s 127\.0\.0\.1:(\d+) -> " % proto.encode(), buf)
            if m:
                return int(m.group(1)), buf
    raise AssertionError("no hostfwd line in the kernel log: %r" % buf)


def test_host_reaches_a_guest_server_through_a_port_forward():
    p = subprocess.Popen([LINUX, "eth0=user,hostfwd=tcp::0-:8000", "hostfwd=udp::0-:5000"]
                         + HOSTFS + ["init=/usr/bin/python3", "--", "-c", GUEST_SERVER],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        deadline = time.time() + 90
        tport, log = _forward_port(p, "tcp", deadline)
        m = re.search(rb"hostfwd udp 127\.0\.0\.1:(\d+) -> ", log)
        uport = int(m.group(1)) if m else _forward_port(p, "udp", deadline)[0]
        answer = None
        while answer is None and time.time() < deadline:
            c = socket.create_connection(("127.0.0.1", tport), timeout=30)
            c.sendall(b"hello")
            try:
                answer = c.recv(100) or None      # reset: the guest is not listening yet
            except ConnectionResetError:
                time.sleep(0.2)
            c.close()
        assert answer == b"guest saw hello from 10.0.2.2", answer
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.settimeout(30)
        u.sendto(b"datagram", ("127.0.0.1", uport))
        assert u.recvfrom(100) == (b"guest udp datagram", ("127.0.0.1", uport))
        out, err = p.communicate(timeout=60)
        assert b"served 10.0.2.2" in out, (out, err)
        assert p.returncode == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()


def test_the_forward_listens_only_on_the_host_loopback():
    """The forward's socket is bound to 127.0.0.1 (as the host sees it)."""
    p = subprocess.Popen([LINUX, "eth0=user,hostfwd=tcp::0-:8000"] + HOSTFS +
                         ["init=/bin/sleep", "--", "20"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        port, _ = _forward_port(p, "tcp", time.time() + 60)
        with open("/proc/net/tcp") as f:
            mine = [line.split() for line in f if (":%04X " % port) in line]
        assert mine and all(x[1] == "0100007F:%04X" % port for x in mine), mine
    finally:
        p.kill()
        p.communicate()


def test_off_by_default():
    r = boot(["quiet"] + HOSTFS + ["init=/bin/sh", "--", "-c",
              "ip -o link | cut -d: -f2; python3 -c 'import socket; s=socket.socket(); "
              "print(s.connect_ex((\"10.0.2.2\", 80)))'"], timeout=60)
    assert r.out.split() == ["lo", "101"]          # no eth0; ENETUNREACH


@pytest.mark.parametrize("opts,why", [
    (["eth0=tuntap"], "only eth0=user"),
    (["eth0=user,hostfwd=tcp:0.0.0.0:8080-:80"], "127.0.0.1 only"),
    (["eth0=user,hostfwd=tcp::8080-10.0.2.3:80"], "the guest is 10.0.2.15"),
    (["eth0=user,hostfwd=sctp::1-:1"], "give tcp|udp"),
    (["eth0=user,hostfwd=tcp::70000-:80"], "ports are"),
    (["eth0=user,hostfwd=tcp::1-:0"], "ports are"),
    (["eth0=user,dns=1.1.1.1"], "unknown eth0 option"),
    (["hostfwd=tcp::1-:1"], "needs eth0=user"),
])
def test_bad_options_are_one_line_errors(opts, why):
    r = boot(opts + HOSTFS + ["init=/bin/true"], timeout=30)
    err = r.stderr.decode()
    assert r.status != 0
    assert err.count("\n") == 1 and err.startswith("linux: ") and why in err, err


def test_a_forward_on_a_busy_port_is_a_boot_error():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    try:
        r = boot(["quiet", "eth0=user,hostfwd=tcp::%d-:80" % s.getsockname()[1]] + HOSTFS +
                 ["init=/bin/true"], timeout=30)
    finally:
        s.close()
    err = r.stderr.decode()
    assert r.status != 0 and err.count("\n") == 1 and "Address already in use" in err, err
