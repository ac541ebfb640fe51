"""net/core/datagram.py - waiting for a datagram (Linux's
__skb_wait_for_more_packets and the loop of __skb_recv_datagram around it).

UDP and netlink receive the same way: a pending error comes first, then a
queued datagram; else EAGAIN when the caller may not wait, an empty read
after SHUT_RD, or a sleep (bounded by SO_RCVTIMEO) until one of those
changes.  The socket has .err, .rcvq, .shutdown, .rcvtimeo, .wq and
sock_error() (net/socket.py's Socket)."""

from kernel import sched
from kernel.errno import EAGAIN
from net.socket import RCV_SHUTDOWN, RecvResult, sock_wait


def wait_for_datagram(sock, t, nonblock):
    """A generator: None once sock.rcvq holds a datagram, else what the
    receive returns instead (-errno, or an empty RecvResult)."""
    timeo = 0 if nonblock else sock.rcvtimeo
    deadline = None if timeo is None else sched.now() + timeo
    while True:
        if sock.err:
            return -sock.sock_error()
        if sock.rcvq:
            return None
        if timeo == 0:
            return -EAGAIN
        if sock.shutdown & RCV_SHUTDOWN:
            return RecvResult(b"")
        r = yield from sock_wait(t, (sock.wq,), lambda: sock.rcvq or sock.err
                                 or sock.shutdown & RCV_SHUTDOWN, deadline, timeo)
        if r < 0:
            return r
