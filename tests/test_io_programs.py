"""Debian's own programs on the I/O calls: python3's asyncio (epoll, a
socketpair to wake itself, a unix-socket server and client), select and
poll modules, with the host's / as a read-only hostfs root, against the
same command on the host."""

import pytest

from test_dynamic import native_sh, pyuml_sh

PROGRAMS = {
    "asyncio_unix_server": r"""
import asyncio, os
path = "/dev/shm/pyuml-io-%d.sock" % os.getpid()
async def handle(r, w):
    line = await r.readline()
    w.write(line.upper())
    await w.drain()
    w.close()
async def main():
    srv = await asyncio.start_unix_server(handle, path)
    for i in range(3):
        r, w = await asyncio.open_unix_connection(path)
        w.write(b"hello %d over a unix socket\n" % i)
        await w.drain()
        print((await r.readline()).decode().strip())
        w.close()
    srv.close()
    await srv.wait_closed()
    os.unlink(path)
    print(type(asyncio.get_running_loop()._selector).__name__)
asyncio.run(main())
""",
    "select_and_poll": r"""
import os, select, socket
a, b = socket.socketpair()
a.setblocking(False)
n = 0
try:
    while True:
        n += a.send(b"x" * 4096)
except BlockingIOError:
    pass
print("filled", n > 0)
print(select.select([b], [a], [], 0)[0:2] == ([b], []))
p = select.poll()
p.register(a, select.POLLOUT)
p.register(b, select.POLLIN)
print(sorted(ev for fd, ev in p.poll(0)))
ep = select.epoll()
ep.register(b.fileno(), select.EPOLLIN | select.EPOLLET)
print(ep.poll(0))
got = 0
while got < n:
    got += len(b.recv(65536))
print("drained", got == n, ep.poll(0))
r, w = os.pipe()
os.write(w, b"ping")
print(select.select([r], [], [], 1)[0] == [r], os.read(r, 4))
b.close()
print(a.recv(10), select.select([a], [], [], 0)[0] == [a])
""",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_python3_io(name):
    cmd = "python3 -c '%s'" % PROGRAMS[name].replace("'", "'\"'\"'")
    nout, nst = native_sh(cmd)
    uout, ust, log = pyuml_sh(cmd)
    assert uout == nout, "--- native\n%s\n--- pyuml\n%s\n--- log\n%s" % (nout, uout, log[-3000:])
    assert ust == nst
