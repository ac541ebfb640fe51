"""net/ipv4/tcp.py - TCP sockets (both families): a connection model.

DESIGN: TCP here is not segments on a wire but a *connection model with
TCP's observable semantics*.  Both ends of a connection are in this kernel
(or one end is a host socket the kernel drives: drivers/net/usernet.py),
the loopback path never loses or reorders anything, so sequence numbers,
retransmission and ACK clocking would be work with no visible effect.
What a program can observe is kept exactly: the state machine (SYN_SENT
... TIME_WAIT, as /proc/net/tcp and ss show it), the listen backlog, the
bytes in each direction with their flow control, FIN after the last byte,
RST and the errors it brings, and poll readiness.

A connection is two TcpSocks whose `peer` is each other.  Each end has:

  rcvq   the bytes that have arrived and not been read (SIOCINQ);
  sndq   the bytes written that the peer has not taken yet because its
         receive window (a share of its SO_RCVBUF) is full (SIOCOUTQ);
         the writer may queue up to SO_SNDBUF there, then it blocks.

A write appends to sndq and pushes (tcp_push): as much as the peer's
window takes moves to its rcvq, by reference, in chunks of at most the
loopback's segment size (so the counters of `lo` move as with real
segments).  A read takes from rcvq and opens the window, which pushes the
writer's sndq again and wakes the writer once a third of its send buffer
is free (sk_stream_write_space).  Corked (MSG_MORE, TCP_CORK) a partial
last segment stays in sndq: until more data fills it, the cork is
released, a FIN follows it, or the probe timer sends it 200 ms later.
Shutting down the sending side queues a FIN behind sndq; it is delivered
when sndq is empty.  The peer end of a
connection is anything with the methods rcv_window/rcv_data/rcv_fin/
rcv_rst/window_open (a host socket's proxy has them too).

Connecting finds the listener (net/ipv4/inet_hashtables.py): if its
accept queue has room the connection is made at once (the client is
ESTABLISHED, the server end waits in the accept queue, as after Linux's
three-way handshake on lo); if the queue is full the client stays in
SYN_SENT until accept() makes room, or until the SYN retries run out
(ETIMEDOUT); with no listener it is refused (ECONNREFUSED).
"""

import struct
from collections import deque

from kernel import sched
from kernel.errno import (EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, EAGAIN, EALREADY, ECONNABORTED,
                          ECONNREFUSED, ECONNRESET, EINPROGRESS, EINVAL, EISCONN, ENETUNREACH,
                          ENOTCONN, EPIPE, ETIMEDOUT, Errno)
from fs.file import (POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRBAND,
                     POLLWRNORM)
from net.core.dev import ARPHRD_LOOPBACK, dev_account
from net.ipv4.proc import tcp_mib
from net.core.inetaddr import (AF_INET6, ANY4, ANY6, LOOPBACK6, for_family, ipv4_is_multicast,
                               is_any, is_v4mapped, to_flow, v4mapped)
from net.core.skbuff import ByteQueue
from net.ipv4 import inet_hashtables as ih
from net.ipv4.igmp import ip_mc_drop_socket
from net.ipv4.af_inet import (AF_UNSPEC, SOCK_BINDPORT_LOCK, SOCK_RCVBUF_LOCK,
                              SOCK_SNDBUF_LOCK, SS_CONNECTED, SS_CONNECTING,
                              SS_DISCONNECTING, SS_UNCONNECTED, InetSock, sa_family)
from net.socket import (MSG_MORE, MSG_OOB, MSG_PEEK, MSG_TRUNC, MSG_WAITALL, RCV_SHUTDOWN,
                        SEND_SHUTDOWN, SHUTDOWN_MASK, SOCK_STREAM, RecvResult, run_or_sleep,
                        sock_intr_errno)
from net.ipv4.inet_timewait_sock import TimeWaitSock
from kernel.signal import signal_pending
from net.ipv6.af_inet6 import SIN6_LEN_RFC2133, parse_sin6
from drivers.net import usernet
from mm.uaccess import copy_to_user
from net.ipv4 import tcp_sockopt

POLLRDHUP = 0x2000

TCP_ESTABLISHED, TCP_SYN_SENT, TCP_SYN_RECV, TCP_FIN_WAIT1 = 1, 2, 3, 4
TCP_FIN_WAIT2, TCP_TIME_WAIT, TCP_CLOSE, TCP_CLOSE_WAIT = 5, 6, 7, 8
TCP_LAST_ACK, TCP_LISTEN, TCP_CLOSING = 9, 10, 11

# sysctls (/proc/sys/net/ipv4/...)
tcp_rmem = [4096, 131072, 6291456]
tcp_wmem = [4096, 16384, 4194304]
tcp_fin_timeout = 60
tcp_syn_retries = 6
tcp_keepalive_time = 7200
tcp_keepalive_intvl = 75
tcp_keepalive_probes = 9
TCP_TIMEWAIT_LEN = 60.0
TCP_MSS_DEFAULT = 536
TCP_RTO_MIN = 0.2                       # the probe timer's delay on lo
MAX_TCP_HEADER = 320
TCP_HDR = 32                            # TCP header with timestamps
DATA_READY = POLLIN | POLLRDNORM
WRITE_SPACE = POLLOUT | POLLWRNORM | POLLWRBAND

STATE_NAMES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1",
               5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT",
               9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}


def _roundup_pow2(n):
    p = 1
    while p < n:
        p <<= 1
    return p


def _xmit(dev, nbytes, segs):
    """Segments sent (and, on lo, received again): the device's counters
    and the TCP MIB's (net/ipv4/proc.py)."""
    dev_account(dev, nbytes, segs)
    tcp_mib["OutSegs"] += segs
    if dev is not None and dev.type == ARPHRD_LOOPBACK:
        tcp_mib["InSegs"] += segs


class TcpSock(InetSock):
    wants_iter = True

    def __init__(self, uid, family, protocol):
        super().__init__(uid, family, SOCK_STREAM, protocol)
        self._init_fields()

    def _init_fields(self):
        self.sndbuf = tcp_wmem[1]
        self.rcvbuf = tcp_rmem[1]
        self.rcvq = ByteQueue()
        self.sndq = ByteQueue()
        self.peer = None
        self.done = False               # SOCK_DONE: the peer's FIN came
        self.fin_queued = False         # our FIN waits behind sndq
        self.orphan = False             # closed by the user, still in the tables
        self.accept_q = deque()         # LISTEN: connections ready for accept()
        self.syn_q = deque()            # LISTEN: clients waiting for room
        self.syn_target = None          # SYN_SENT: the listener we wait for
        self.backlog = 0
        self.listener = None            # a child in an accept queue: whose
        self.mss = TCP_MSS_DEFAULT
        self.user_mss = 0
        self.tcp = {}                   # TCP-level options (tcp_sockopt.py)
        self.timer = None               # SYN retries or FIN_WAIT2 timeout
        self.probe_timer = None         # releases a corked tail (TCP_RTO_MIN)
        self.dev = None                 # the device the connection uses
        self.bytes_sent = self.bytes_received = 0
        self.segs_out = self.segs_in = 0

    # -- what the other end calls -----------------------------------------------------
    def rcv_window(self):
        """How many more bytes we take now (our advertised window: three
        quarters of SO_RCVBUF, less what waits to be read)."""
        if self.shutdown & RCV_SHUTDOWN and self.state in (TCP_FIN_WAIT1, TCP_FIN_WAIT2):
            return 1 << 30                  # anything sent now is answered by a RST
        return max(0, (self.rcvbuf - (self.rcvbuf >> 2)) - len(self.rcvq))

    def rcv_data(self, data):
        """Bytes from the peer (only within our window)."""
        if self.shutdown & RCV_SHUTDOWN and self.state in (TCP_FIN_WAIT1, TCP_FIN_WAIT2):
            # data for a socket that will never read it: reset both ends
            peer = self.peer
            self.tcp_reset()
            if peer is not None:
                tcp_mib["OutRsts"] += 1
                peer.rcv_rst()
            return
        self.rcvq.append(data)
        self.bytes_received += len(data)
        self.segs_in += 1
        self.wq.wake_up(DATA_READY)

    def rcv_fin(self):
        """tcp_fin: the peer sent everything it will."""
        self.done = True
        self.shutdown |= RCV_SHUTDOWN
        st = self.state
        if st in (TCP_SYN_RECV, TCP_ESTABLISHED):
            self.set_state(TCP_CLOSE_WAIT)
        elif st == TCP_FIN_WAIT1:
            self.set_state(TCP_CLOSING)
        elif st == TCP_FIN_WAIT2:
            self.time_wait()
            return
        self.wq.wake_up(DATA_READY | POLLRDHUP)

    def rcv_rst(self):
        self.tcp_reset()

    def window_open(self):
        """The peer read: more of sndq may go."""
        self.push()

    def established(self, peer, dev):
        """The handshake completed (client side): peer is the other end."""
        self.peer = peer
        self.dev = dev
        self.set_state(TCP_ESTABLISHED)
        self.init_buffer_space()
        self.stop_timer()
        self.wq.wake_up(WRITE_SPACE)
        self.push()

    # -- state ------------------------------------------------------------------------
    def set_state(self, st):
        if st == TCP_CLOSE and self.state in (TCP_ESTABLISHED, TCP_CLOSE_WAIT):
            tcp_mib["EstabResets"] += 1
        self.state = st
        if st == TCP_CLOSE:
            self.unhash()

    def unhash(self):
        """Out of the tables (tcp_set_state(TCP_CLOSE)): the port goes too
        unless the user bound it explicitly."""
        if self.num and not self.userlocks & SOCK_BINDPORT_LOCK:
            self.unhash_port()
        elif self.orphan:
            self.unhash_port()

    def init_buffer_space(self):
        """tcp_init_buffer_space: the send buffer grows to what ten full
        segments take twice (tcp_sndbuf_expand), unless SO_SNDBUF fixed it."""
        mtu = self.dev.mtu if self.dev is not None else 65536
        hdr = 40 if len(self.flow_daddr()) == 4 else 60
        self.mss = self.user_mss or (mtu - hdr - 12)
        if not self.userlocks & SOCK_SNDBUF_LOCK:
            per_mss = _roundup_pow2(self.mss + 12 + MAX_TCP_HEADER + 320) + 256
            self.sndbuf = max(self.sndbuf, min(2 * 10 * per_mss, tcp_wmem[2]))

    def stop_timer(self):
        if self.timer is not None:
            sched.del_timer(self.timer)
            self.timer = None
        if self.probe_timer is not None:
            sched.del_timer(self.probe_timer)
            self.probe_timer = None

    def tcp_reset(self):
        """A RST arrived (tcp_reset): the error depends on the state."""
        st = self.state
        if st == TCP_CLOSE:
            return
        if st == TCP_SYN_SENT:
            err = ECONNREFUSED
        elif st == TCP_CLOSE_WAIT:
            err = EPIPE
        else:
            err = ECONNRESET
        self.err = err
        self.sndq.clear()
        self.peer = None
        self.tcp_done()
        self.wq.wake_up(POLLERR | POLLHUP | DATA_READY | POLLRDHUP | WRITE_SPACE)

    def connect_failed(self, err):
        """The connection could not be made (a host socket's answer, the
        user-mode network's policy): CLOSE with err for SO_ERROR."""
        if self.state != TCP_SYN_SENT:
            return
        self.err = err
        self.peer = None
        self.tcp_done()
        self.wq.wake_up(POLLERR | POLLHUP | DATA_READY | WRITE_SPACE)

    def tcp_done(self):
        """The connection is over (CLOSE); an orphan is freed."""
        self.stop_timer()
        self._leave_listener()
        self._leave_syn_q()
        if self.state in (TCP_SYN_SENT, TCP_SYN_RECV):
            tcp_mib["AttemptFails"] += 1
        self.set_state(TCP_CLOSE)
        self.shutdown = SHUTDOWN_MASK
        self.peer = None
        if self.orphan:
            self.destroy()
        else:
            self.wq.wake_up(POLLHUP | DATA_READY | POLLRDHUP | WRITE_SPACE)

    def destroy(self):
        self.stop_timer()
        self.rcvq.clear()
        self.sndq.clear()
        self.unhash_port()

    def time_wait(self):
        """tcp_time_wait: a TIME_WAIT entry keeps the port and the 4-tuple
        for 60 s; the socket itself is CLOSE."""
        TimeWaitSock(self, TCP_TIME_WAIT, TCP_TIMEWAIT_LEN)
        self.peer = None
        self.tcp_done()

    def _leave_listener(self):
        ln = self.listener
        if ln is not None:
            self.listener = None
            try:
                ln.accept_q.remove(self)
            except ValueError:
                pass

    def _leave_syn_q(self):
        ln = self.syn_target
        if ln is not None:
            self.syn_target = None
            try:
                ln.syn_q.remove(self)
            except ValueError:
                pass

    # -- moving bytes -------------------------------------------------------------------
    def corked(self):
        """TCP_CORK is set (tp->nonagle's TCP_NAGLE_CORK)."""
        return bool(self.tcp.get(tcp_sockopt.TCP_CORK))

    def push(self, cork=None):
        """tcp_push: hand the peer what its window takes, then our FIN once
        everything is out; the number of bytes moved.  Corked (MSG_MORE
        for this send, TCP_CORK for the socket: cork None asks the socket)
        only whole segments go: a partial tail waits for more data, the
        cork's release, our FIN or the probe timer (TCP_RTO_MIN)."""
        peer = self.peer
        if peer is None:
            return 0
        if cork is None:
            cork = self.corked()
        if self.fin_queued:
            cork = False                    # tcp_send_fin pushes past any cork
        moved = 0
        segs = 0
        sndq = self.sndq
        mss = self.mss if self.mss > TCP_MSS_DEFAULT else 65483
        gso = max(mss, 65483)
        while sndq:
            if cork and len(sndq) < gso:
                break
            room = peer.rcv_window()
            if room <= 0:
                break
            chunk = sndq.take_chunk(min(room, gso))
            moved += len(chunk)
            segs += 1
            peer.rcv_data(chunk)
            if self.peer is None:           # the peer answered with a RST
                return moved
        if moved:
            self.bytes_sent += moved
            self.segs_out += segs
            _xmit(self.dev, moved + segs * (TCP_HDR + 20), segs)
            if len(sndq) * 3 <= self.sndbuf * 2:
                self.wq.wake_up(WRITE_SPACE)
        if not sndq and self.fin_queued:
            self.fin_queued = False
            _xmit(self.dev, TCP_HDR + 20, 1)
            peer.rcv_fin()
            self.fin_acked()
        elif sndq and cork and self.probe_timer is None:
            # nothing is in flight, so the zero-window probe timer runs;
            # its probe carries the waiting bytes, cork or not
            self.probe_timer = sched.add_timer(sched.now() + TCP_RTO_MIN, self._probe)
        return moved

    def _probe(self):
        self.probe_timer = None
        self.push(cork=False)

    def fin_acked(self):
        """Our FIN reached the peer and was acknowledged."""
        st = self.state
        if st == TCP_FIN_WAIT1:
            self.set_state(TCP_FIN_WAIT2)
            if self.orphan:
                self.arm_timer(tcp_fin_timeout, self.tcp_done)
            self.wq.wake_up(WRITE_SPACE)
        elif st == TCP_CLOSING:
            self.time_wait()
        elif st == TCP_LAST_ACK:
            self.tcp_done()

    def arm_timer(self, secs, fn):
        self.stop_timer()
        self.timer = sched.add_timer(sched.now() + secs, fn)

    def send_fin(self):
        self.fin_queued = True
        self.push()

    def close_state(self):
        """tcp_close_state: the next state when we stop sending; True if a
        FIN must go out."""
        st = self.state
        nxt = {TCP_ESTABLISHED: TCP_FIN_WAIT1, TCP_SYN_RECV: TCP_FIN_WAIT1,
               TCP_CLOSE_WAIT: TCP_LAST_ACK}.get(st)
        if nxt is None:
            if st in (TCP_SYN_SENT, TCP_LISTEN):
                self.set_state(TCP_CLOSE)
            return False
        self.set_state(nxt)
        return True

    def send_active_reset(self):
        peer = self.peer
        self.peer = None
        if peer is not None:
            tcp_mib["OutRsts"] += 1
            _xmit(self.dev, TCP_HDR + 20, 1)
            peer.rcv_rst()

    # -- connecting ---------------------------------------------------------------------
    def connect(self, t, addr, nonblock):
        """inet_stream_connect."""
        if len(addr) < 2:
            return -EINVAL
        if sa_family(addr) == AF_UNSPEC:
            self.disconnect()
            self.ss = SS_UNCONNECTED
            return 0
        if self.ss == SS_CONNECTED:
            return -EISCONN
        if self.ss == SS_CONNECTING:
            err = -EALREADY
            outcome = None
        elif self.ss == SS_UNCONNECTED:
            if self.state != TCP_CLOSE:
                return -EISCONN
            outcome = self.proto_connect(t, addr)
            self.ss = SS_CONNECTING
            err = -EINPROGRESS
        else:
            return -EINVAL
        timeo = 0 if nonblock else self.sndtimeo
        if self.state in (TCP_SYN_SENT, TCP_SYN_RECV):
            if timeo == 0:
                if outcome is not None:
                    outcome()               # the answer, processed at release_sock
                return err
            if outcome is not None:
                outcome()
            return run_or_sleep(self._wait_connect(t, timeo, err))
        return self._connect_finish(err)

    def _wait_connect(self, t, timeo, err):
        deadline = None if timeo is None else sched.now() + timeo
        while self.state in (TCP_SYN_SENT, TCP_SYN_RECV):
            if signal_pending(t):
                return sock_intr_errno(timeo)
            if deadline is not None and sched.now() >= deadline:
                return err
            yield sched.Sleep((self.wq,), deadline)
        return self._connect_finish(err)

    def _connect_finish(self, err):
        if self.state == TCP_CLOSE:
            e = self.sock_error()
            self.ss = SS_UNCONNECTED
            self.disconnect()
            return -(e or ECONNABORTED)
        self.ss = SS_CONNECTED
        return 0

    def proto_connect(self, t, addr):
        """tcp_v4_connect / tcp_v6_connect: route, source address, port,
        SYN_SENT.  Returns the handshake to run (a function)."""
        if self.family == AF_INET6:
            if len(addr) < SIN6_LEN_RFC2133:
                raise Errno(EINVAL)
            if sa_family(addr) != AF_INET6:
                raise Errno(EAFNOSUPPORT)
            port, a, scope = parse_sin6(addr)
            if is_any(a):
                a = v4mapped(bytes([127, 0, 0, 1])) if is_v4mapped(self.rcv_saddr) else LOOPBACK6
            if a[0] == 0xFF:
                raise Errno(ENETUNREACH)
            if a[0] == 0xFE and a[1] & 0xC0 == 0x80:
                if len(addr) >= 28 and scope:
                    if self.bound_dev_if and self.bound_dev_if != scope:
                        raise Errno(EINVAL)
                    self.bound_dev_if = scope
                if not self.bound_dev_if:
                    raise Errno(EINVAL)
            if is_v4mapped(a):
                if self.ipv6only:
                    raise Errno(ENETUNREACH)
            daddr = to_flow(a)
        else:
            if len(addr) < 16:
                raise Errno(EINVAL)
            if sa_family(addr) != 2:
                raise Errno(EAFNOSUPPORT)
            port = int.from_bytes(addr[2:4], "big")
            daddr = bytes(addr[4:8])
        rt = self.route(daddr)
        if rt.is_broadcast() or (len(daddr) == 4 and ipv4_is_multicast(daddr)):
            raise Errno(ENETUNREACH)
        if not any(to_flow(self.saddr)):
            self.saddr = for_family(self.family, rt.saddr)
            if not self.userlocks & ih.SOCK_BINDADDR_LOCK:
                self.rcv_saddr = self.saddr
        self.daddr = for_family(self.family, rt.daddr)
        self.dport = port
        self.dev = rt.dev
        self.state = TCP_SYN_SENT
        if not self.num:
            try:
                ih.connect_port(self, self._same_tuple)
            except Errno:
                self.state = TCP_CLOSE
                self.dport = 0
                self.daddr = bytes(len(self.daddr))
                raise
        elif any(self._same_tuple(o) for o in ih.tcp_ports.owners(self.num)
                 if o is not self and o.state not in (TCP_CLOSE, TCP_LISTEN, TCP_TIME_WAIT)):
            self.state = TCP_CLOSE
            self.dport = 0
            raise Errno(EADDRNOTAVAIL)
        tcp_mib["ActiveOpens"] += 1
        if rt.is_local():
            return lambda: self._syn_local()
        return lambda: usernet.tcp_connect(self, rt)

    def _same_tuple(self, o):
        return (to_flow(o.daddr), o.dport, to_flow(o.saddr)) == \
            (to_flow(self.daddr), self.dport, to_flow(self.saddr)) and o.dport

    def _syn_local(self):
        """Our SYN reaches a listener of this kernel (or nobody: RST)."""
        if self.state != TCP_SYN_SENT:
            return
        daddr = self.flow_daddr()
        ln = ih.lookup_listener(daddr, self.dport, self.flow_saddr(), self.num)
        _xmit(self.dev, TCP_HDR + 20, 1)
        if ln is None:
            tcp_mib["OutRsts"] += 1             # nobody listens: the answer is a RST
            self.tcp_reset()
            return
        if ln.acceptq_is_full():
            # the SYN is dropped; it is tried again when accept() makes room
            self.syn_target = ln
            ln.syn_q.append(self)
            self._arm_syn_retries()
            return
        ln.make_child(self, daddr)

    def _arm_syn_retries(self):
        total = sum(1 << i for i in range(tcp_syn_retries + 1))     # 1+2+4+...: 127 s

        def expire():
            self.timer = None
            if self.state == TCP_SYN_SENT:
                self._leave_syn_q()
                self.err = ETIMEDOUT
                self.tcp_done()
                self.wq.wake_up(POLLERR)
        self.arm_timer(total, expire)

    # -- listening -------------------------------------------------------------------
    def listen(self, t, backlog):
        """inet_listen."""
        if self.ss != SS_UNCONNECTED:
            return -EINVAL
        if self.state not in (TCP_CLOSE, TCP_LISTEN):
            return -EINVAL
        if self.state == TCP_LISTEN:
            self.backlog = backlog
            self._admit_waiting()
            return 0
        if not self.num:
            try:
                ih.get_port(ih.tcp_ports, self, 0)
            except Errno:
                return -EADDRINUSE
        elif any(ih.tcp_bind_conflict(self, o, True) for o in ih.tcp_ports.owners(self.num)):
            # others that shared the port while not listening may not now
            return -EADDRINUSE
        self.backlog = backlog
        self.state = TCP_LISTEN
        self.wq.wake_up()
        return 0

    def is_listening(self):
        return self.state == TCP_LISTEN

    def acceptq_is_full(self):
        return len(self.accept_q) > self.backlog

    def make_child(self, client, daddr):
        """The handshake completes: a new socket for our end, in the accept
        queue, connected to client."""
        child = TcpSock(self.uid, self.family, self.protocol)
        child.opts = dict(self.opts)
        child.ip = dict(self.ip)
        child.tcp = dict(self.tcp)
        child.userlocks = self.userlocks & (SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK)
        child.sndbuf, child.rcvbuf = self.sndbuf, self.rcvbuf
        child.rcvtimeo, child.sndtimeo = self.rcvtimeo, self.sndtimeo
        child.linger = self.linger
        child.ipv6only = self.ipv6only
        child.bound_dev_if = self.bound_dev_if
        child.user_mss = self.user_mss
        child.rcv_saddr = for_family(self.family, daddr)
        child.saddr = child.rcv_saddr
        child.daddr = for_family(self.family, client.flow_saddr())
        child.dport = client.num
        child.dev = client.dev
        ih.tcp_ports.add(child, self.num)
        tcp_mib["PassiveOpens"] += 1
        child.state = TCP_ESTABLISHED
        child.ss = SS_CONNECTED
        child.peer = client
        child.listener = self
        child.init_buffer_space()
        self.accept_q.append(child)
        _xmit(client.dev, 2 * (TCP_HDR + 20), 2)      # SYN-ACK, ACK
        client.established(child, client.dev)
        self.wq.wake_up(DATA_READY)
        return child

    def _admit_waiting(self):
        """Room in the accept queue: clients whose SYN was dropped get in."""
        while self.syn_q and not self.acceptq_is_full() and self.state == TCP_LISTEN:
            c = self.syn_q.popleft()
            c.syn_target = None
            if c.state == TCP_SYN_SENT:
                self.make_child(c, c.flow_daddr())

    def accept(self, t, nonblock):
        if self.state != TCP_LISTEN:
            return -EINVAL
        return run_or_sleep(self._accept(t, nonblock))

    def _accept(self, t, nonblock):
        timeo = 0 if nonblock else self.rcvtimeo
        deadline = None if timeo is None else sched.now() + timeo
        while not self.accept_q:
            if self.state != TCP_LISTEN:
                return -EINVAL
            if timeo == 0:
                return -EAGAIN
            if signal_pending(t):
                return sock_intr_errno(timeo)
            if deadline is not None and sched.now() >= deadline:
                return -EAGAIN
            yield sched.Sleep((self.wq,), deadline)
        child = self.accept_q.popleft()
        child.listener = None
        self._admit_waiting()
        return child

    def listen_stop(self):
        """inet_csk_listen_stop: connections never accepted are reset,
        clients still waiting are refused."""
        while self.accept_q:
            child = self.accept_q.popleft()
            child.listener = None
            child.orphan = True
            child.send_active_reset()
            child.tcp_done()
        while self.syn_q:
            c = self.syn_q.popleft()
            c.syn_target = None
            c.tcp_reset()

    # -- sending ---------------------------------------------------------------------------
    def sendmsg(self, t, it, name, scm, flags, nonblock):
        scm.destroy()
        if flags & MSG_OOB:
            flags &= ~MSG_OOB               # urgent data is sent as ordinary bytes
        return run_or_sleep(self._send(t, it, flags, nonblock))

    def _send(self, t, it, flags, nonblock):
        timeo = 0 if nonblock else self.sndtimeo
        deadline = None if timeo is None else sched.now() + timeo
        if self.state not in (TCP_ESTABLISHED, TCP_CLOSE_WAIT):
            # sk_stream_wait_connect
            while True:
                if self.err:
                    return -self.sock_error()
                if self.state not in (TCP_SYN_SENT, TCP_SYN_RECV):
                    if self.state in (TCP_ESTABLISHED, TCP_CLOSE_WAIT):
                        break
                    return self._stream_error(-EPIPE)
                if timeo == 0:
                    return -EAGAIN
                if signal_pending(t):
                    return sock_intr_errno(timeo)
                yield sched.Sleep((self.wq,), deadline)
                if deadline is not None and sched.now() >= deadline:
                    timeo = 0
        more = bool(flags & MSG_MORE)
        copied = moved = 0
        while len(it):
            if self.err or self.shutdown & SEND_SHUTDOWN:
                return copied or self._stream_error(-EPIPE)
            space = self.sndbuf - len(self.sndq)
            if space <= 0:
                # sk_stream_wait_memory, after pushing out what we copied
                if copied:
                    moved += self.push(cork=False)
                if timeo == 0:
                    return copied or -EAGAIN
                if signal_pending(t):
                    return copied or sock_intr_errno(timeo)
                if deadline is not None and sched.now() >= deadline:
                    return copied or -EAGAIN
                yield sched.Sleep((self.wq,), deadline)
                continue
            try:
                data = it.copy(min(space, len(it), 65536))
            except Errno as e:
                return copied or -e.errno
            self.sndq.append(data)
            copied += len(data)
            moved += self.push(cork=more or None)
        if more and moved:
            # the ACKs of what went out come back (on lo before we
            # return) and push the rest under TCP_CORK alone
            self.push()
        return copied

    def _stream_error(self, err):
        """sk_stream_error: a pending error wins over EPIPE."""
        if err == -EPIPE:
            e = self.sock_error()
            if e:
                return -e
        return err

    # -- receiving ------------------------------------------------------------------------
    def recvmsg(self, t, size, flags, nonblock):
        if self.state == TCP_LISTEN:
            return -ENOTCONN
        if flags & MSG_OOB:
            return -EINVAL                  # no urgent data is ever pending
        return run_or_sleep(self._recv(t, size, flags, nonblock))

    def _recv(self, t, size, flags, nonblock):
        timeo = 0 if nonblock else self.rcvtimeo
        deadline = None if timeo is None else sched.now() + timeo
        peek = flags & MSG_PEEK
        target = size if flags & MSG_WAITALL else min(self.rcvlowat, size)
        target = max(target, 1)
        out = []
        copied = 0
        peek_off = 0
        if peek and self.peek_off >= 0:
            peek_off = self.peek_off
        while True:
            avail = len(self.rcvq) - (peek_off + copied if peek else 0)
            if avail > 0 and copied == size:
                break
            if avail > 0:
                n = min(avail, size - copied)
                if peek:
                    out.append(self.rcvq.peek(peek_off + copied, n))
                else:
                    out.append(self.rcvq.take(n))
                    if self.peek_off >= 0:
                        self.peek_off = max(0, self.peek_off - n)
                copied += n
                if not peek:
                    self._window_opened()
                continue
            if copied >= target:
                break
            if copied:
                if timeo == 0 or self.err or self.state == TCP_CLOSE or \
                        self.shutdown & RCV_SHUTDOWN or signal_pending(t):
                    break
            else:
                if self.done:
                    break
                if self.err:
                    return -self.sock_error()
                if self.shutdown & RCV_SHUTDOWN:
                    break
                if self.state == TCP_CLOSE:
                    return -ENOTCONN
                if timeo == 0:
                    return -EAGAIN
                if signal_pending(t):
                    return sock_intr_errno(timeo)
            have = len(self.rcvq)
            yield sched.Sleep((self.wq,), deadline)
            if deadline is not None and sched.now() >= deadline and len(self.rcvq) == have:
                timeo = 0
        if peek and self.peek_off >= 0:
            self.peek_off += copied
        data = b"".join(out) if len(out) != 1 else out[0]
        if flags & MSG_TRUNC:
            return RecvResult(b"", length=len(data))
        return RecvResult(data, giveback=None if peek else self._giveback)

    def _giveback(self, data):
        """Bytes we took but could not copy out (a bad buffer): back to the
        head of the queue, as if never read."""
        self.rcvq.push_front(data)

    def _window_opened(self):
        peer = self.peer
        if peer is not None:
            peer.window_open()

    def set_peek_off(self, val):
        self.peek_off = val

    # -- shutdown and close -------------------------------------------------------------
    def shutdown_sock(self, how):
        """inet_shutdown + tcp_shutdown."""
        how += 1
        if how & ~SHUTDOWN_MASK or not how:
            return -EINVAL
        if self.ss == SS_CONNECTING:
            self.ss = SS_DISCONNECTING if self.state in (TCP_SYN_SENT, TCP_SYN_RECV, TCP_CLOSE) \
                else SS_CONNECTED
        err = 0
        st = self.state
        if st == TCP_LISTEN:
            if how & RCV_SHUTDOWN:
                self.disconnect()
                self.ss = SS_UNCONNECTED
        elif st == TCP_SYN_SENT:
            self.disconnect()
            self.ss = SS_UNCONNECTED
        else:
            if st == TCP_CLOSE:
                err = -ENOTCONN
            self.shutdown |= how
            if how & SEND_SHUTDOWN and st in (TCP_ESTABLISHED, TCP_SYN_RECV, TCP_CLOSE_WAIT):
                if self.close_state():
                    self.send_fin()
        self.wq.wake_up()
        return err

    def disconnect(self):
        """tcp_disconnect: back to CLOSE, resetting the peer if there was a
        connection; the socket may be used again."""
        st = self.state
        err = 0
        if st == TCP_LISTEN:
            self.state = TCP_CLOSE
            self.listen_stop()
            self.unhash()
        elif st in (TCP_SYN_SENT,):
            self._leave_syn_q()
            self.stop_timer()
            self.set_state(TCP_CLOSE)
            err = ECONNRESET
        elif st != TCP_CLOSE:
            self.send_active_reset()
            self.set_state(TCP_CLOSE)
            err = ECONNRESET
        self.stop_timer()
        self.rcvq.clear()
        self.sndq.clear()
        self.fin_queued = False
        self.done = False
        self.shutdown = 0
        self.err = err                  # a reset connection says so once
        self.peer = None
        self.dport = 0
        self.daddr = bytes(len(self.daddr))
        if not self.userlocks & ih.SOCK_BINDADDR_LOCK:
            self.saddr = self.rcv_saddr = ANY6 if self.family == AF_INET6 else ANY4
        self.wq.wake_up()
        return 0

    def release(self):
        """tcp_close: the last fd is gone."""
        if self.dead:
            return
        self.dead = True
        self.shutdown = SHUTDOWN_MASK
        ip_mc_drop_socket(self)
        st = self.state
        self._leave_listener()
        if st == TCP_LISTEN:
            self.state = TCP_CLOSE
            self.listen_stop()
            self.unhash_port()
            return
        unread = len(self.rcvq)
        self.rcvq.clear()
        self.orphan = True
        if st == TCP_CLOSE:
            self.destroy()
            return
        lingering0 = self.linger[0] and not self.linger[1]
        if unread or lingering0:
            # unread data is thrown away: the peer learns by a reset
            self.send_active_reset()
            self.set_state(TCP_CLOSE)
            self.tcp_done()
            return
        if st == TCP_SYN_SENT:
            self._leave_syn_q()
            self.tcp_done()
            return
        if self.close_state():
            self.send_fin()
        if self.state == TCP_FIN_WAIT2 and not self.timer:
            self.arm_timer(tcp_fin_timeout, self.tcp_done)
        if self.state == TCP_CLOSE:
            self.destroy()

    # -- readiness ----------------------------------------------------------------------
    def poll(self, t):
        """tcp_poll."""
        st = self.state
        if st == TCP_LISTEN:
            return (POLLIN | POLLRDNORM if self.accept_q else 0), (self.wq,)
        mask = 0
        shut = self.shutdown
        if shut == SHUTDOWN_MASK or st == TCP_CLOSE:
            mask |= POLLHUP
        if shut & RCV_SHUTDOWN:
            mask |= POLLIN | POLLRDNORM | POLLRDHUP
        if st not in (TCP_SYN_SENT, TCP_SYN_RECV):
            if len(self.rcvq) >= min(self.rcvlowat, 1 << 30) or (self.rcvq and self.done):
                mask |= POLLIN | POLLRDNORM
            if not shut & SEND_SHUTDOWN:
                if self.stream_writeable():
                    mask |= POLLOUT | POLLWRNORM
            else:
                mask |= POLLOUT | POLLWRNORM
        if self.err:
            mask |= POLLERR
        return mask, (self.wq,)

    def stream_writeable(self):
        """sk_stream_is_writeable: free space at least half what is queued."""
        queued = len(self.sndq)
        return self.sndbuf - queued >= queued >> 1

    def inq(self):
        if self.state == TCP_LISTEN:
            raise Errno(EINVAL)
        return len(self.rcvq)

    def outq(self):
        if self.state == TCP_LISTEN:
            raise Errno(EINVAL)
        return len(self.sndq)

    def ioctl(self, t, cmd, arg):
        SIOCOUTQNSD, SIOCATMARK = 0x894B, 0x8905
        if cmd in (SIOCOUTQNSD, SIOCATMARK):
            if self.state == TCP_LISTEN and cmd == SIOCOUTQNSD:
                return -EINVAL              # (SIOCATMARK has no such check)
            v = len(self.sndq) if cmd == SIOCOUTQNSD else 0
            copy_to_user(t.mm, arg, struct.pack("<i", v))
            return 0
        return super().ioctl(t, cmd, arg)

    def setsockopt_level(self, t, level, optname, optval, optlen):
        if level == 6:                      # SOL_TCP
            return tcp_sockopt.setsockopt(self, t, optname, optval, optlen)
        return super().setsockopt_level(t, level, optname, optval, optlen)

    def getsockopt_level(self, t, level, optname, ol):
        if level == 6:
            ol.get()                        # read first; a negative one is not refused
            return tcp_sockopt.getsockopt(self, t, optname, ol.get())
        return super().getsockopt_level(t, level, optname, ol)
