"""net/unix.py - AF_UNIX sockets: stream, datagram and seqpacket.

A unix socket is a receive queue and a peer.  Sending appends an Skb (bytes,
plus any fds or credentials: net/scm.py) to the peer's queue; receiving
takes from one's own.  Memory is accounted to the sender, as on Linux: each
queued Skb charges its "truesize" to the sending socket until it is read,
and a sender blocks (or gets EAGAIN) once SO_SNDBUF is used up.  A datagram
socket may also not queue more than max_dgram_qlen (10) messages on a
receiver that is not connected back to it.

Names: a socket can be bound to a filesystem path (a socket inode is
created there; connecting needs write permission on it, and the name stays
until unlinked) or to an "abstract" name (sun_path starting with a NUL
byte: no file, gone with the socket), or autobound to an abstract 5-hex-
digit name.  bsd_sockets maps the inode, abstract_sockets the name.

Stream and seqpacket sockets listen and accept: connect() makes the server
end at once and queues it on the listener (the client is connected even
before accept), up to the backlog.  Closing one end makes the other see end
of file (reads return 0, writes EPIPE and SIGPIPE), and ECONNRESET once if
data it had sent was never read.

SO_PEEK_OFF (unix_set_peek_off): MSG_PEEK starts that many bytes in and
moves the offset on, reads move it back by what they took.  A stream peek
skips bytes across skbs; a datagram peek skips whole datagrams and starts
inside the one the offset falls in (__skb_try_recv_from_queue).
"""

import itertools
import random
import struct
from collections import deque

from kernel import sched
from kernel.errno import (EADDRINUSE, EAGAIN, ECONNREFUSED, ECONNRESET, EINVAL, EISCONN, EMSGSIZE,
                          ENOSPC, ENOTCONN, EOPNOTSUPP, EPERM, EPIPE, EPROTONOSUPPORT, EPROTOTYPE,
                          ESOCKTNOSUPPORT, Errno)
from mm.uaccess import copy_to_user
from fs.inode import S_IFSOCK, S_ISSOCK
from fs.file import POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRBAND, POLLWRNORM
from net.scm import ScmCookie, current_creds
from net.socket import (AF_UNIX, AF_UNSPEC, MSG_PEEK, MSG_TRUNC, MSG_WAITALL,
                        RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, SOCK_DGRAM,
                        SOCK_RAW, SOCK_SEQPACKET, SOCK_STREAM, RecvResult,
                        Socket, run_or_sleep, sock_wait)
from fs.dir import vfs_mknod
from fs.namei import AT_FDCWD, MAY_WRITE, inode_permission, path_create, path_lookup
import security.landlock.task as landlock

PF_UNIX = AF_UNIX
TCP_ESTABLISHED, TCP_CLOSE, TCP_LISTEN = 1, 7, 10
UNIX_PATH_MAX = 108
SUN_PATH_OFFSET = 2
MAX_DGRAM_QLEN = 10
OVERFLOW_ID = 65534

bsd_sockets = {}            # (sb dev, inode number) -> UnixSocket bound there
abstract_sockets = {}       # (name bytes, type) -> UnixSocket
unix_sockets = {}           # every live socket, in creation order (/proc/net/unix)


# -- memory accounting: what an skb costs its sender (Linux's skb->truesize)
# The sk_buff and shared info, the kmalloc'd head and the page fragments,
# laid out as unix_stream_sendmsg and unix_dgram_sendmsg lay them out; so
# SO_SNDBUF fills up after as many bytes as on Linux.
PAGE = 4096
SKB_MAX_HEAD = PAGE - 320               # what fits in an order-0 head
SKB_MAX_ALLOC = 4 * PAGE - 320          # a datagram's head, at most
UNIX_SKB_FRAGS_SZ = 32768
MAX_SKB_FRAGS = 17


def _get_order(n):
    pages = (n + PAGE - 1) // PAGE
    return max(0, (pages - 1).bit_length())


def _kmalloc_size(n):
    for b in (8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192):
        if n <= b:
            return b
    return PAGE << _get_order(n)


def _head_truesize(linear):
    return _kmalloc_size(((linear + 63) & ~63) + 320) + 256


def _frags_truesize(data_len, max_order=3):
    """alloc_skb_with_frags: the largest block (up to max_order) that the
    rest still fills, page-aligned, then smaller ones: 5 pages are 4 + 1."""
    total = 0
    order = max_order
    while data_len > 0:
        while order and _page_align(data_len) < PAGE << order:
            order -= 1
        chunk = PAGE << order
        total += chunk
        data_len -= min(data_len, chunk)
    return total


def _page_align(n):
    return (n + PAGE - 1) & ~(PAGE - 1)


def stream_truesize(size):
    data_len = min(size, _page_align(max(0, size - SKB_MAX_HEAD)))
    return _head_truesize(size - data_len) + _frags_truesize(data_len)


def dgram_truesize(size):
    data_len = 0
    if size > SKB_MAX_ALLOC:
        data_len = _page_align(min(size - SKB_MAX_ALLOC, MAX_SKB_FRAGS * PAGE))
    return _head_truesize(size - data_len) + _frags_truesize(data_len)


class Skb:
    __slots__ = ("data", "off", "sender", "scm", "creds", "truesize", "peeked")

    def __init__(self, data, sender, scm, creds):
        self.data = data
        self.off = 0                    # bytes of a stream skb already read
        self.peeked = False             # a zero-length datagram seen by MSG_PEEK
        self.sender = sender
        self.scm = scm                  # ScmCookie with fds, or None
        self.creds = creds              # (pid, uid, gid) or None
        self.truesize = (stream_truesize if sender.type == SOCK_STREAM
                         else dgram_truesize)(len(data))

    def remaining(self):
        return len(self.data) - self.off


def unix_create(t, type_, protocol):
    if protocol and protocol != PF_UNIX:
        raise Errno(EPROTONOSUPPORT)
    if type_ == SOCK_RAW:
        type_ = SOCK_DGRAM
    if type_ not in (SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET):
        raise Errno(ESOCKTNOSUPPORT)
    return UnixSocket(type_, 0)             # SO_PROTOCOL reads 0 either way


def _deadline(timeo):
    return None if timeo is None else sched.now() + timeo


class UnixSocket(Socket):
    family = AF_UNIX
    wants_iter = True                   # sends copy from guest memory as Linux does

    def __init__(self, type_, protocol=0):
        super().__init__(type_, protocol)
        self.state = TCP_CLOSE
        self.addr = None                # the bound sockaddr_un, as bytes
        self.bsd_key = None
        self.abstract_key = None
        self.peer = None
        self.queue = deque()            # Skbs, or embryo sockets when listening
        self.backlog = 0
        self.wmem = 0                   # truesize of our Skbs not yet read
        self.cred = None                # SO_PEERCRED: (pid, uid, gid)
        unix_sockets[id(self)] = self

    # -- names -------------------------------------------------------------------------
    def getname(self, peer):
        if peer:
            other = self.peer
            if other is None:
                raise Errno(ENOTCONN)
            addr = other.addr
        else:
            addr = self.addr
        return addr if addr is not None else struct.pack("<H", AF_UNIX)

    def peercred(self):
        return self.cred if self.cred is not None else (0, 0xFFFFFFFF, 0xFFFFFFFF)

    @staticmethod
    def _validate(addr):
        if len(addr) <= SUN_PATH_OFFSET or len(addr) > SUN_PATH_OFFSET + UNIX_PATH_MAX:
            raise Errno(EINVAL)
        if struct.unpack_from("<H", addr)[0] != AF_UNIX:
            raise Errno(EINVAL)

    @staticmethod
    def _bsd_path(addr):
        path = addr[SUN_PATH_OFFSET:]
        nul = path.find(b"\0")
        return path if nul < 0 else path[:nul]

    def bind(self, t, addr):
        if len(addr) == SUN_PATH_OFFSET and struct.unpack_from("<H", addr)[0] == AF_UNIX:
            return self.autobind()
        self._validate(addr)
        if addr[SUN_PATH_OFFSET] != 0:
            return self._bind_bsd(t, addr)
        if self.addr is not None:
            raise Errno(EINVAL)
        key = (addr[SUN_PATH_OFFSET:], self.type)
        if key in abstract_sockets:
            raise Errno(EADDRINUSE)
        abstract_sockets[key] = self
        self.abstract_key = key
        self.addr = addr
        return 0

    def autobind(self):
        if self.addr is not None:
            return 0
        start = random.randrange(0x100000)
        for i in range(0x100000):
            name = b"\0" + b"%05x" % ((start + i) & 0xFFFFF)
            key = (name, self.type)
            if key not in abstract_sockets:
                abstract_sockets[key] = self
                self.abstract_key = key
                self.addr = struct.pack("<H", AF_UNIX) + name
                return 0
        raise Errno(ENOSPC)

    def _bind_bsd(self, t, addr):
        """A socket inode at the path (fs.dir.vfs_mknod), which connect()
        then finds by its device and inode number."""
        path = self._bsd_path(addr)
        _, _, existing = path_create(t, path, follow=False)
        if existing is not None:
            raise Errno(EADDRINUSE)
        if self.addr is not None:
            raise Errno(EINVAL)
        p = vfs_mknod(t, AT_FDCWD, path, S_IFSOCK | 0o777)
        inode = p.dentry.inode
        inode.socket = self
        key = (inode.sb.dev, inode.ino)
        bsd_sockets[key] = self
        self.bsd_key = key
        self.addr = addr[:SUN_PATH_OFFSET] + path + b"\0"
        return 0

    def find_other(self, t, addr):
        """The socket addr names (connect, sendto)."""
        self._validate(addr)
        if addr[SUN_PATH_OFFSET] != 0:
            p = path_lookup(t, self._bsd_path(addr))
            inode = p.dentry.inode
            inode_permission(t, inode, MAY_WRITE, p.mnt)
            if not S_ISSOCK(inode.mode):
                raise Errno(ECONNREFUSED)
            other = bsd_sockets.get((inode.sb.dev, inode.ino))
            if other is None:
                raise Errno(ECONNREFUSED)
            if other.type != self.type:
                raise Errno(EPROTOTYPE)
            return other
        other = abstract_sockets.get((addr[SUN_PATH_OFFSET:], self.type))
        if other is None:
            raise Errno(ECONNREFUSED)
        landlock.unix_may_connect(t, self, other)
        return other

    # -- connections -----------------------------------------------------------------
    def socketpair(self, t, other):
        self.peer, other.peer = other, self
        self.cred = other.cred = current_creds(t)
        self.state = other.state = TCP_ESTABLISHED

    def connect(self, t, addr, nonblock):
        if self.type == SOCK_DGRAM:
            return self._dgram_connect(t, addr)
        self._validate(addr)
        if self.passcred:
            self.autobind()
        return run_or_sleep(self._stream_connect(t, addr, nonblock))

    def _stream_connect(self, t, addr, nonblock):
        timeo = 0 if nonblock else self.sndtimeo
        deadline = _deadline(timeo)
        while True:
            other = self.find_other(t, addr)
            if other.state != TCP_LISTEN or other.shutdown & RCV_SHUTDOWN:
                return -ECONNREFUSED
            if len(other.queue) > other.backlog:
                if timeo == 0:
                    return -EAGAIN
                r = yield from sock_wait(t, (other.wq,), lambda: len(other.queue) <= other.backlog
                                     or other.state != TCP_LISTEN, deadline, timeo)
                if r < 0:
                    return r
                continue
            break
        if self.state == TCP_ESTABLISHED:
            return -EISCONN
        if self.state != TCP_CLOSE:
            return -EINVAL
        newsk = UnixSocket(self.type, self.protocol)
        newsk.state = TCP_ESTABLISHED
        newsk.peer = self
        newsk.cred = current_creds(t)
        newsk.addr = other.addr
        newsk.sndbuf, newsk.rcvbuf = other.sndbuf, other.rcvbuf
        newsk.passcred = other.passcred
        self.peer = newsk
        self.state = TCP_ESTABLISHED
        self.cred = other.cred
        other.queue.append(newsk)
        other.wq.wake_up()
        return 0

    def _dgram_connect(self, t, addr):
        if len(addr) < SUN_PATH_OFFSET:
            raise Errno(EINVAL)
        if struct.unpack_from("<H", addr)[0] != AF_UNSPEC:
            self._validate(addr)
            if self.passcred:
                self.autobind()
            other = self.find_other(t, addr)
            if not self._may_send(other):
                return -EPERM
            self.state = other.state = TCP_ESTABLISHED
        else:
            other = None
            self.state = TCP_CLOSE
        old = self.peer
        self.peer = other
        if old is not None and old is not other:
            self._dgram_disconnected(old)
        self.wq.wake_up()
        return 0

    def _dgram_disconnected(self, other):
        """Leaving a peer drops what it sent us; if it was connected back to
        us it learns so through ECONNRESET."""
        if self.queue:
            self._purge_queue()
            if not other.dead and other.peer is self:
                other.err = ECONNRESET
                other.wq.wake_up()

    def _may_send(self, other):
        return other.peer is None or other.peer is self

    def listen(self, t, backlog):
        if self.type not in (SOCK_STREAM, SOCK_SEQPACKET):
            return -EOPNOTSUPP
        if self.addr is None:
            return -EINVAL
        if self.state not in (TCP_CLOSE, TCP_LISTEN):
            return -EINVAL
        self.backlog = backlog
        self.state = TCP_LISTEN
        self.cred = current_creds(t)
        self.wq.wake_up()
        return 0

    def is_listening(self):
        return self.state == TCP_LISTEN

    def accept(self, t, nonblock):
        if self.type not in (SOCK_STREAM, SOCK_SEQPACKET):
            return -EOPNOTSUPP
        if self.state != TCP_LISTEN:
            return -EINVAL
        return run_or_sleep(self._accept(t, nonblock))

    def _accept(self, t, nonblock):
        timeo = 0 if nonblock else self.rcvtimeo
        deadline = _deadline(timeo)
        while not self.queue:
            if self.err:
                return -self.sock_error()
            if self.shutdown & RCV_SHUTDOWN:
                return -EINVAL
            if timeo == 0:
                return -EAGAIN
            r = yield from sock_wait(
                t, (self.wq,), lambda: self.queue or self.shutdown & RCV_SHUTDOWN
                or self.state != TCP_LISTEN, deadline, timeo)
            if r < 0:
                return r
            if self.state != TCP_LISTEN:
                return -EINVAL
        newsk = self.queue.popleft()
        self.wq.wake_up(WRITE_SPACE)        # room in the backlog
        return newsk

    def shutdown_sock(self, how):
        if how < 0 or how > 2:
            return -EINVAL
        mode = how + 1
        self.shutdown |= mode
        self.wq.wake_up()
        other = self.peer
        if other is not None and self.type in (SOCK_STREAM, SOCK_SEQPACKET):
            peer_mode = 0
            if mode & RCV_SHUTDOWN:
                peer_mode |= SEND_SHUTDOWN
            if mode & SEND_SHUTDOWN:
                peer_mode |= RCV_SHUTDOWN
            other.shutdown |= peer_mode
            other.wq.wake_up()
        return 0

    # -- sending ---------------------------------------------------------------------------
    def _make_skb(self, t, data, other, scm):
        """An skb from us to other; credentials ride along when either end
        asked for them (SO_PASSCRED) or the sender gave them explicitly."""
        creds = scm.creds if scm is not None else None
        if creds is None and (self.passcred or other.passcred):
            creds = current_creds(t)
        skb = Skb(data, self, scm if scm is not None and scm.fds else None, creds)
        self.wmem += skb.truesize
        return skb

    def sendmsg(self, t, data, name, scm, flags, nonblock):
        if self.type == SOCK_STREAM:
            if name:
                scm.destroy()
                return -EISCONN if self.state == TCP_ESTABLISHED else -EOPNOTSUPP
            if self.peer is None:
                scm.destroy()
                return -ENOTCONN
            if self.shutdown & SEND_SHUTDOWN:
                scm.destroy()
                return -EPIPE
            return run_or_sleep(self._stream_send(t, data, scm, nonblock))
        if self.type == SOCK_SEQPACKET:
            if self.state != TCP_ESTABLISHED:
                scm.destroy()
                return -ENOTCONN
            if self.err:
                scm.destroy()
                return -self.sock_error()
            name = None
        return run_or_sleep(self._dgram_send(t, data, name, scm, nonblock))

    def _wait_wmem(self, t, timeo, deadline):
        """sock_alloc_send_pskb: room in our send buffer (0) or an errno."""
        while True:
            if self.err:
                return -self.sock_error()
            if self.shutdown & SEND_SHUTDOWN:
                return -EPIPE
            if self.wmem < self.sndbuf:
                return 0
            if timeo == 0:
                return -EAGAIN
            r = yield from sock_wait(t, (self.wq,), lambda: self.wmem < self.sndbuf or self.err
                                 or self.shutdown & SEND_SHUTDOWN, deadline, timeo)
            if r < 0:
                return r

    def _stream_send(self, t, data, scm, nonblock):
        timeo = 0 if nonblock else self.sndtimeo
        deadline = _deadline(timeo)
        sent = 0
        total = len(data)
        first = True
        try:
            while sent < total:
                size = min(total - sent, (self.sndbuf >> 1) - 64,
                           SKB_MAX_HEAD + UNIX_SKB_FRAGS_SZ)
                r = yield from self._wait_wmem(t, timeo, deadline)
                if r < 0:
                    return sent or r
                try:
                    chunk = data.copy(size)     # from guest memory, as the skb fills
                except Errno as e:
                    return sent or -e.errno
                other = self.peer
                if other is None or other.dead or other.shutdown & RCV_SHUTDOWN:
                    return sent or -EPIPE
                skb = self._make_skb(t, chunk, other, scm if first else None)
                if first:
                    scm = None                  # the skb owns the fds now
                first = False
                other.queue.append(skb)
                other.wq.wake_up(DATA_READY)
                sent += size
            return sent
        finally:
            if scm is not None:
                scm.destroy()

    def _dgram_send(self, t, data, name, scm, nonblock):
        timeo = 0 if nonblock else self.sndtimeo
        deadline = _deadline(timeo)
        try:
            # Linux's order: the address, the size, room to send (EPIPE
            # after shutdown), then whom to send to
            if name:
                self._validate(name)
            if self.passcred and self.addr is None:
                self.autobind()
            if len(data) > self.sndbuf - 32:
                return -EMSGSIZE
            r = yield from self._wait_wmem(t, timeo, deadline)
            if r < 0:
                return r
            size = len(data)
            try:
                data = data.copy(size)          # into the skb, before finding the peer
            except Errno as e:
                return -e.errno
            other = None
            if not name:
                other = self.peer
                if other is None:
                    return -ENOTCONN
            while True:
                if other is None:
                    if not name:
                        return -ECONNRESET
                    other = self.find_other(t, name)
                if not self._may_send(other):
                    return -EPERM
                if other.dead:
                    if self.type == SOCK_SEQPACKET:
                        return -EPIPE
                    if self.peer is other:
                        self.peer = None
                        self.state = TCP_CLOSE
                        self._dgram_disconnected(other)
                        return -ECONNREFUSED
                    other = None
                    continue
                if other.shutdown & RCV_SHUTDOWN:
                    return -EPIPE
                if other is not self and other.peer is not self \
                        and len(other.queue) > MAX_DGRAM_QLEN:
                    if timeo == 0:
                        return -EAGAIN
                    r = yield from sock_wait(
                        t, (other.wq,), lambda: len(other.queue) <= MAX_DGRAM_QLEN or other.dead,
                        deadline, timeo)
                    if r < 0:
                        return r
                    continue
                break
            skb = self._make_skb(t, data, other, scm)
            scm = None
            other.queue.append(skb)
            other.wq.wake_up(DATA_READY)
            return size
        finally:
            if scm is not None:
                scm.destroy()

    # -- receiving ------------------------------------------------------------------------
    def _consumed(self, skb):
        """An skb left our queue: its sender gets the memory back."""
        s = skb.sender
        s.wmem -= skb.truesize
        s.wq.wake_up(WRITE_SPACE)

    def _creds_out(self, skb):
        if skb.creds is not None:
            return skb.creds
        return (0, OVERFLOW_ID, OVERFLOW_ID)

    def recvmsg(self, t, size, flags, nonblock):
        if self.type == SOCK_STREAM:
            if self.state != TCP_ESTABLISHED:
                return -EINVAL
            return run_or_sleep(self._stream_recv(t, size, flags, nonblock))
        if self.type == SOCK_SEQPACKET and self.state != TCP_ESTABLISHED:
            return -ENOTCONN
        return run_or_sleep(self._dgram_recv(t, size, flags, nonblock))

    def set_peek_off(self, val):
        """unix_set_peek_off: SO_PEEK_OFF, where MSG_PEEK starts (< 0: off)."""
        self.peek_off = val

    def _peek_offset_bwd(self, n):
        """sk_peek_offset_bwd: n bytes were read, the offset moves back."""
        if self.peek_off >= 0:
            self.peek_off = max(self.peek_off - n, 0)

    def _peek_offset_fwd(self, n):
        """sk_peek_offset_fwd: n bytes were peeked at."""
        if self.peek_off >= 0:
            self.peek_off += n

    def _next_skb(self, peek, copied):
        """The next skb with bytes for a stream reader, and how many of its
        bytes to skip (a peek walks past the peek offset and the copied
        bytes it saw)."""
        if not peek:
            return (self.queue[0] if self.queue else None), 0
        seen = copied
        for s in self.queue:
            if seen < s.remaining():
                return s, seen
            seen -= s.remaining()
        return None, 0

    def _stream_recv(self, t, size, flags, nonblock):
        timeo = 0 if nonblock else self.rcvtimeo
        deadline = _deadline(timeo)
        target = size if flags & MSG_WAITALL else min(self.rcvlowat, size)
        target = target or 1
        peek = flags & MSG_PEEK
        peek_start = max(self.peek_off, 0) if peek else 0   # sk_peek_offset
        out = []
        copied = 0
        name = None
        named = False
        creds = None
        check_creds = False
        fds = []
        while True:
            skb, skip = self._next_skb(peek, peek_start + copied)
            if skb is None:
                if copied >= target:
                    break
                if self.err:
                    e = self.sock_error()
                    if copied:
                        break
                    return -e
                if self.shutdown & RCV_SHUTDOWN:
                    break
                if timeo == 0:
                    if copied:
                        break
                    return -EAGAIN
                n_before = len(self.queue)
                r = yield from sock_wait(
                    t, (self.wq,), lambda: len(self.queue) > n_before
                    or self.err or self.shutdown & RCV_SHUTDOWN, deadline, timeo)
                if r < 0:
                    if copied:
                        break
                    return r
                continue
            if check_creds:
                if self._creds_out(skb) != creds:
                    break
            elif self.passcred:
                creds = self._creds_out(skb)
                check_creds = True
            if not named:
                named = True
                name = skb.sender.addr
            chunk = min(skb.remaining() - skip, size)
            start = skb.off + skip
            out.append(skb.data[start:start + chunk])
            copied += chunk
            size -= chunk
            has_fds = skb.scm is not None and skb.scm.fds
            if not peek:
                skb.off += chunk
                self._peek_offset_bwd(chunk)
                if has_fds:
                    fds.extend(skb.scm.fds)
                    skb.scm.fds = []
                if skb.remaining():
                    break
                self.queue.popleft()
                self._consumed(skb)
                if has_fds:
                    break
            else:
                self._peek_offset_fwd(chunk)
                if has_fds:
                    fds.extend(f.get() for f in skb.scm.fds)
                    break
            if not size:
                break
        scm = ScmCookie(fds, creds) if (fds or creds is not None) else None
        return RecvResult(b"".join(out), name, scm)

    def _dgram_skb(self, peek):
        """__skb_try_recv_from_queue: the datagram a receive takes, and the
        offset into it.  A peek at the peek offset skips the datagrams
        wholly before it (a zero-length one once it has been peeked at)."""
        off = self.peek_off if peek else -1         # < 0: the head datagram
        for skb in self.queue:
            if off >= len(skb.data) and (off or skb.peeked):
                off -= len(skb.data)
                continue
            if peek and not skb.data:
                skb.peeked = True
            return skb, max(off, 0)
        return None, 0

    def _tail(self):
        return self.queue[-1] if self.queue else None

    def _dgram_recv(self, t, size, flags, nonblock):
        timeo = 0 if nonblock else self.rcvtimeo
        deadline = _deadline(timeo)
        peek = flags & MSG_PEEK
        # a pending error comes first, even before queued datagrams
        # (__skb_try_recv_datagram checks sock_error before the queue)
        while True:
            if self.err:
                return -self.sock_error()
            skb, skip = self._dgram_skb(peek)
            if skb is not None:
                break
            if timeo == 0:
                if self.type == SOCK_SEQPACKET and self.shutdown & RCV_SHUTDOWN:
                    return RecvResult(b"")
                return -EAGAIN
            if self.shutdown & RCV_SHUTDOWN:
                return RecvResult(b"")
            if self.type == SOCK_SEQPACKET and self.state != TCP_ESTABLISHED:
                return -ENOTCONN
            # __skb_wait_for_more_packets: until one comes after the last
            # one there is (a peek may be waiting past them all)
            last = self._tail()
            r = yield from sock_wait(t, (self.wq,), lambda: self._tail() is not last or self.err
                                     or self.shutdown & RCV_SHUTDOWN, deadline, timeo)
            if r < 0:
                return r
        length = len(skb.data) - skip
        data = skb.data[skip:skip + size]
        if not peek:
            self.queue.popleft()
            self._consumed(skb)
            self.wq.wake_up(WRITE_SPACE)    # senders waiting for queue room
            fds = skb.scm.fds if skb.scm is not None else []
            if skb.scm is not None:
                skb.scm.fds = []
            self._peek_offset_bwd(len(skb.data))
        else:
            fds = [f.get() for f in skb.scm.fds] if skb.scm is not None else []
            self._peek_offset_fwd(len(data))
        creds = self._creds_out(skb) if self.passcred else None
        mflags = MSG_TRUNC if length > size else 0
        scm = ScmCookie(fds, creds) if (fds or creds is not None) else None
        return RecvResult(data, skb.sender.addr, scm, mflags, length)

    # -- state -----------------------------------------------------------------------------
    def poll(self, t):
        POLLRDHUP = 0x2000
        mask = 0
        queues = (self.wq,)
        if self.err:
            mask |= POLLERR
        if self.shutdown & RCV_SHUTDOWN:
            mask |= POLLRDHUP | POLLIN | POLLRDNORM
        if self.shutdown == SHUTDOWN_MASK:
            mask |= POLLHUP
        if self.queue:
            mask |= POLLIN | POLLRDNORM
        if self.type in (SOCK_STREAM, SOCK_SEQPACKET) and self.state == TCP_CLOSE:
            mask |= POLLHUP
        writable = self.state != TCP_LISTEN and self.wmem * 4 <= self.sndbuf
        if writable and self.type != SOCK_STREAM:
            other = self.peer
            if other is not None and other.peer is not self and len(other.queue) > MAX_DGRAM_QLEN:
                writable = False
                queues = (self.wq, other.wq)
        if writable:
            mask |= POLLOUT | POLLWRNORM | POLLWRBAND
        return mask, queues

    def inq(self):
        if self.state == TCP_LISTEN:
            raise Errno(EINVAL)
        if self.type in (SOCK_STREAM, SOCK_SEQPACKET):
            return sum(s.remaining() for s in self.queue)
        return len(self.queue[0].data) if self.queue else 0

    def outq(self):
        return self.wmem

    def ioctl(self, t, cmd, arg):
        """unix_ioctl: SIOCATMARK, never at a mark (no out-of-band data here)."""
        if cmd == 0x8905:                       # SIOCATMARK
            copy_to_user(t.mm, arg, struct.pack("<i", 0))
            return 0
        return None

    def _purge_queue(self):
        q = self.queue
        self.queue = deque()
        for skb in q:
            if isinstance(skb, UnixSocket):
                skb.release(embryo=True)
                continue
            if skb.scm is not None:
                skb.scm.destroy()
            self._consumed(skb)

    def release(self, embryo=False):
        if self.dead:
            return
        self.dead = True
        unix_sockets.pop(id(self), None)
        if self.bsd_key is not None:
            if bsd_sockets.get(self.bsd_key) is self:
                del bsd_sockets[self.bsd_key]
        if self.abstract_key is not None:
            if abstract_sockets.get(self.abstract_key) is self:
                del abstract_sockets[self.abstract_key]
        self.state = TCP_CLOSE
        self.shutdown = SHUTDOWN_MASK
        other = self.peer
        if other is not None:
            if self.type in (SOCK_STREAM, SOCK_SEQPACKET):
                # unread data resets the peer; an empty skb at the head (a
                # zero-length seqpacket, a consumed OOB byte) does not count
                unread = list(itertools.islice(self.queue, 2))
                if unread and unread[0].remaining() == 0:
                    unread = unread[1:]
                if unread or embryo:
                    other.err = ECONNRESET
                other.shutdown = SHUTDOWN_MASK
            other.wq.wake_up()
            self.peer = None
        self._purge_queue()
        self.wq.wake_up()


DATA_READY = POLLIN | POLLRDNORM            # sk_data_ready's wake-up
WRITE_SPACE = POLLOUT | POLLWRNORM | POLLWRBAND


def show_unix(reader):
    """/proc/net/unix (unix_seq_show): flags 00010000 for a listener, the
    socket state SS_CONNECTED (03) or SS_UNCONNECTED (01), the inode, the
    name (abstract ones with @ for each NUL)."""
    out = ["Num       RefCount Protocol Flags    Type St Inode Path\n"]
    for s in list(unix_sockets.values()):
        listening = s.state == TCP_LISTEN
        if s.file is not None:
            st = 3 if s.state == TCP_ESTABLISHED else 1
        else:
            st = 2 if s.state == TCP_ESTABLISHED else 4
        ino = s.inode.ino if s.inode is not None else 0
        line = "%016x: %08X %08X %08X %04X %02X %5d" % (
            0, 3 if s.peer is not None else 2, 0, 0x10000 if listening else 0, s.type, st, ino)
        if s.addr is not None:
            path = s.addr[SUN_PATH_OFFSET:]
            if path[:1] == b"\0":
                name = "@" + path[1:].replace(b"\0", b"@").decode(errors="replace")
            else:
                name = path.rstrip(b"\0").replace(b"\0", b"@").decode(errors="replace")
            line += " " + name
        out.append(line + "\n")
    return "".join(out)
