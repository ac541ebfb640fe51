"""drivers/net/usernet_tcp.py - TCP over the user-mode network: a guest
connection spliced to a host socket.

A HostTcpConn is the far end of a guest TcpSock (net/ipv4/tcp.py calls
the peer methods rcv_window, rcv_data, rcv_fin, rcv_rst, window_open on
it), and it drives a non-blocking host socket:

  guest -> host  bytes the guest sends wait in `out` (at most OUT_LIMIT:
                 that is the guest's window) until the host socket takes
                 them; a FIN becomes shutdown(SHUT_WR) once they are out;
  host -> guest  the host socket is read only while the guest socket's
                 receive window has room, and no further: a slow guest
                 reader slows the host sender, as TCP would.

A reset from either side resets the other (SO_LINGER 0 on the host
socket sends the RST).  For a port forward the same object stands for the
remote client while the guest's listener accepts it.
"""

import errno as _errno
import socket
import struct

from kernel import sched
from kernel.printk import pr_warn
from net.core.dev import dev_account, dev_account_rx
from net.core.skbuff import ByteQueue
from drivers.net import usernet
from net.ipv4 import inet_hashtables as ih
from kernel.errno import Errno

OUT_LIMIT = 256 * 1024
READ_CHUNK = 256 * 1024
TCP_SYN_SENT, TCP_ESTABLISHED = 2, 1


class HostTcpConn:
    def __init__(self, sock):
        self.sock = sock
        self.fd = sock.fileno()
        self.guest = None               # the guest TcpSock
        self.out = ByteQueue()
        self.fin_pending = False        # the guest's FIN, to pass on when out is empty
        self.host_eof = False
        self.guest_eof = False
        self.closed = False
        self.reading = False
        self.state = TCP_SYN_SENT       # (for a forward: until the guest accepts)
        self.syn_target = None
        self.dev = None
        self.port = 0

    # -- guest -> host connect ------------------------------------------------------
    @classmethod
    def connect(cls, sk, addr, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        c = cls(s)
        c.guest = sk
        c.dev = usernet.eth0
        err = s.connect_ex((addr, port))
        if err not in (0, _errno.EINPROGRESS):
            c.close()
            sk.connect_failed(err)
            return
        sched.host_wfds[c.fd] = c._connected

    def _connected(self, fd):
        sched.host_wfds.pop(self.fd, None)
        err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        sk = self.guest
        if sk is None or sk.state != TCP_SYN_SENT:
            self.abort()
            return
        if err:
            self.close()
            sk.connect_failed(err)
            return
        self.state = TCP_ESTABLISHED
        dev_account(self.dev, 2 * 52, 2, rx=False)
        dev_account_rx(self.dev, 52)
        sk.established(self, self.dev)
        self._watch_read()

    # -- what the guest socket calls (the peer interface) ------------------------------
    def rcv_window(self):
        if self.closed:
            return 0
        return max(0, OUT_LIMIT - len(self.out))

    def rcv_data(self, data):
        if self.closed:
            return
        self.out.append(data)
        dev_account(self.dev, len(data) + 52, 1, rx=False)
        self._flush()

    def rcv_fin(self):
        self.guest_eof = True
        self.fin_pending = True
        self._flush()

    def rcv_rst(self):
        self.guest = None
        self.abort()

    def window_open(self):
        self._watch_read()

    # -- host socket ---------------------------------------------------------------
    def _flush(self):
        while self.out and not self.closed:
            chunk = self.out.take_chunk(READ_CHUNK)
            try:
                n = self.sock.send(chunk)
            except (BlockingIOError, InterruptedError):
                n = 0
            except OSError:
                self._host_reset()
                return
            if n < len(chunk):
                self.out.push_front(chunk[n:])
                sched.host_wfds[self.fd] = self._writable
                return
        if not self.out:
            sched.host_wfds.pop(self.fd, None)
            if self.guest is not None:
                self.guest.window_open()
            if self.fin_pending and not self.closed:
                self.fin_pending = False
                try:
                    self.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                self._maybe_done()

    def _writable(self, fd):
        self._flush()

    def _watch_read(self):
        if not self.closed and not self.host_eof and not self.reading:
            self.reading = True
            sched.host_fds[self.fd] = self._readable

    def _readable(self, fd):
        g = self.guest
        if g is None or g.state == 7:       # the guest end is gone (CLOSE)
            self.guest = None
            self.abort()
            return
        room = g.rcv_window()
        if room <= 0:
            # the guest's window is full: stop reading until it opens
            self.reading = False
            sched.host_fds.pop(self.fd, None)
            return
        try:
            data = self.sock.recv(min(room, READ_CHUNK))
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._host_reset()
            return
        if not data:
            self.host_eof = True
            self.reading = False
            sched.host_fds.pop(self.fd, None)
            dev_account_rx(self.dev, 52)
            g.rcv_fin()
            self._maybe_done()
            return
        dev_account_rx(self.dev, len(data) + 52)
        g.rcv_data(data)

    def _host_reset(self):
        g = self.guest
        self.guest = None
        self.abort()
        if g is not None:
            g.rcv_rst()

    def _maybe_done(self):
        if self.host_eof and self.guest_eof and not self.out:
            self.close()

    # -- ending ---------------------------------------------------------------------------
    def abort(self):
        """Reset the host connection (an RST, not a FIN)."""
        if not self.closed:
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        self.close()

    def close(self):
        if self.closed:
            return
        self.closed = True
        sched.host_fds.pop(self.fd, None)
        sched.host_wfds.pop(self.fd, None)
        self.sock.close()

    # -- as the client of a forwarded connection ------------------------------------
    def flow_saddr(self):
        return usernet.GATEWAY

    def flow_daddr(self):
        return usernet.GUEST_ADDR

    @property
    def num(self):
        return self.port

    def established(self, child, dev):
        """The guest's listener took us (make_child): splice."""
        self.guest = child
        self.state = TCP_ESTABLISHED
        self._watch_read()

    def tcp_reset(self):
        """The guest's listener went away before accepting us."""
        self.guest = None
        self.abort()


# -- port forwards --------------------------------------------------------------------

class TcpForward:
    def __init__(self, fwd):
        self.fwd = fwd
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setblocking(False)
        s.bind(("127.0.0.1", fwd.host_port))
        s.listen(64)
        fwd.host_port = s.getsockname()[1]
        self.sock = s
        sched.host_fds[s.fileno()] = self._accept

    def _accept(self, fd):
        for _ in range(16):
            try:
                conn, (addr, port) = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                pr_warn("eth0: hostfwd accept: %s" % e)
                return
            conn.setblocking(False)
            c = HostTcpConn(conn)
            c.dev = usernet.eth0
            c.port = port
            dev_account_rx(c.dev, 52)
            ln = ih.lookup_listener(usernet.GUEST_ADDR, self.fwd.guest_port, usernet.GATEWAY, port)
            if ln is None:
                c.abort()                   # nobody listens: refused
                continue
            if ln.acceptq_is_full():
                c.syn_target = ln           # waits, as a SYN would be retried
                ln.syn_q.append(c)
                continue
            ln.make_child(c, usernet.GUEST_ADDR)


def listen_forward(fwd):
    try:
        TcpForward(fwd)
    except OSError as e:
        raise Errno(e.errno or _errno.EADDRINUSE)
