"""Real programs talking over the guest's loopback, from the host's / as
a hostfs root: Python's http.server fetched by urllib in the same guest,
busybox nc as a server and a client, busybox ping.  All traffic is the guest's own
(no host sockets); every wait is bounded by a timeout."""

from test_netlink import guest_sh

HTTP = r"""
import http.server, os, socket, sys, threading, urllib.request
os.chdir("/tmp")
with open("/tmp/page.txt", "w") as f:
    f.write("hello from pyuml\n" * 1000)
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
port = srv.server_address[1]
threading.Thread(target=srv.serve_forever, daemon=True).start()
body = urllib.request.urlopen("http://127.0.0.1:%d/page.txt" % port, timeout=30).read()
print("got", len(body), body[:17])
try:
    urllib.request.urlopen("http://127.0.0.1:%d/missing" % port, timeout=30)
except urllib.error.HTTPError as e:
    print("missing", e.code)
srv.shutdown()
srv.server_close()
"""

SERVER_MODULE = r"""
set -e
mount -t tmpfs tmpfs /tmp
echo "module server" > /tmp/index.html
cd /tmp
timeout 60 python3 -m http.server --bind ::1 8123 >/dev/null 2>&1 &
python3 -c '
import time, urllib.request
for i in range(300):
    try:
        print(urllib.request.urlopen("http://[::1]:8123/index.html", timeout=30).read().decode(), end="")
        break
    except OSError:
        time.sleep(0.1)
'
kill %1
"""


def test_http_server_and_urllib():
    r = guest_sh("mount -t tmpfs tmpfs /tmp; python3 -c '%s'" % HTTP.replace("'", "'\"'\"'"),
                 timeout=180)
    assert r.status == 0, r.stderr.decode()
    assert "got 17000 b'hello from pyuml\\n'" in r.out
    assert "missing 404" in r.out


def test_python_m_http_server_over_ipv6():
    r = guest_sh(SERVER_MODULE, timeout=180)
    assert r.status == 0, r.stderr.decode()
    assert r.out.strip().endswith("module server")


def test_busybox_nc():
    """busybox nc -l receives what busybox nc sends, and answers."""
    script = r"""
mount -t tmpfs tmpfs /tmp
busybox timeout 60 busybox nc -l -p 9157 > /tmp/got &
for i in $(seq 100); do
    echo "through nc" | busybox nc 127.0.0.1 9157 && break
    sleep 0.1
done
wait
echo "server got: $(cat /tmp/got)"
"""
    r = guest_sh(script, timeout=120)
    assert r.status == 0, r.stderr.decode()
    assert "server got: through nc" in r.out


def test_busybox_ping():
    """busybox ping reaches 127.0.0.1 through a raw ICMP socket: the
    kernel answers each echo request (net/ipv4/raw.py)."""
    r = guest_sh("busybox ping -c 2 127.0.0.1; echo rc=$?", timeout=60)
    assert "2 packets transmitted, 2 packets received, 0% packet loss" in r.out, \
        r.out + r.stderr.decode()
    assert "rc=0" in r.out
