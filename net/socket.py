"""net/socket.py - the BSD socket system calls and sockets as files.

A socket is an open file on "sockfs" (fstat shows S_IFSOCK, /proc names it
socket:[ino]) whose private data is a Socket of some address family.  The
system calls here do what is common to every family: fd and flag handling,
copying addresses, iovecs and msghdrs in and out of guest memory, socket
options at level SOL_SOCKET, SIGPIPE.  The family does the rest through
the methods of its Socket subclass: AF_UNIX (net/unix.py), AF_INET and
AF_INET6 (net/ipv4/af_inet.py, net/ipv6/af_inet6.py), AF_NETLINK
(net/netlink/af_netlink.py); any other family is EAFNOSUPPORT.  Options at
other levels than SOL_SOCKET go to the family (setsockopt_level), and
ioctls the family does not know go to the network devices
(net/core/dev_ioctl.py), as in Linux's sock_do_ioctl.

A family whose Socket sets wants_iter receives a send's bytes as a
MsgIter (net/core/iov_iter.py) and copies from guest memory as it has
room; the others get bytes.  A receive's bytes are copied out after the
family returns them; if that faults part-way, the family's giveback puts
back what could not be delivered (TCP keeps it queued, as Linux does).

A family method that must wait returns a generator (kernel/sched.py);
sleeping honours O_NONBLOCK/MSG_DONTWAIT and SO_RCVTIMEO/SO_SNDTIMEO, and a
signal interrupts it with a restartable error (SA_RESTART restarts it) or
EINTR once a timeout was set.  (i386 reaches these through socketcall(2),
arch/x86/socketcall.py; the handlers use 32-bit layouts for 32-bit tasks.)
"""

from kernel.capability import CAP_NET_ADMIN, CAP_NET_RAW, capable
import struct

from kernel.abi import RLIMIT_NOFILE, s32
from kernel import sched
from kernel.errno import (EAFNOSUPPORT, EAGAIN, EBADF, EDOM, EFAULT, EINTR, EINVAL, EMFILE,
                          EMSGSIZE, ENODEV, ENOPROTOOPT, ENOTCONN, ENOTSOCK, ENOTTY, EOPNOTSUPP,
                          EPERM, EPIPE, ERESTARTSYS, Errno)
from fs.dcache import Dentry
from fs.fasync import f_getown, f_setown
from fs.file import (O_CLOEXEC, O_NONBLOCK, O_RDWR, File, FileOperations,
                     fget)
from fs.inode import Inode, SuperBlock
from fs.mount import Mount, Path
from fs.poll import deadline_after_ns, get_timespec_ns, put_remaining, then, time_bits
from mm.uaccess import copy_from_user, copy_to_user, get_user_u32
from net.scm import (MSG_CMSG_CLOEXEC, ScmCookie, read_control, scm_recv,
                     scm_send)
from fs.read_write import read_iovec
from kernel.signal import SIGPIPE, SI_USER, SigInfo, send_signal, signal_pending
from net.core.iov_iter import BytesIter, MsgIter
from net.core.dev import IFNAMSIZ, dev_get_by_index, dev_get_by_name, net_dev_init
import security.landlock.net as landlock

AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6, AF_NETLINK = 0, 1, 2, 10, 16
NPROTO = 46
SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_RDM, SOCK_SEQPACKET = 1, 2, 3, 4, 5
SOCK_MAX = 11
SOCK_TYPE_MASK = 0xF
SOCK_NONBLOCK = O_NONBLOCK
SOCK_CLOEXEC = O_CLOEXEC

MSG_OOB, MSG_PEEK, MSG_DONTROUTE, MSG_CTRUNC = 1, 2, 4, 8
MSG_TRUNC, MSG_DONTWAIT, MSG_EOR, MSG_WAITALL = 0x20, 0x40, 0x80, 0x100
MSG_ERRQUEUE, MSG_NOSIGNAL, MSG_MORE = 0x2000, 0x4000, 0x8000

SHUT_RD, SHUT_WR, SHUT_RDWR = 0, 1, 2
RCV_SHUTDOWN, SEND_SHUTDOWN = 1, 2
SHUTDOWN_MASK = 3

SOL_SOCKET = 1
SO_DEBUG, SO_REUSEADDR, SO_TYPE, SO_ERROR, SO_DONTROUTE = 1, 2, 3, 4, 5
SO_BROADCAST, SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE, SO_OOBINLINE = 6, 7, 8, 9, 10
SO_NO_CHECK, SO_PRIORITY, SO_LINGER, SO_BSDCOMPAT, SO_REUSEPORT = 11, 12, 13, 14, 15
SO_PASSCRED, SO_PEERCRED, SO_RCVLOWAT, SO_SNDLOWAT = 16, 17, 18, 19
SO_RCVTIMEO, SO_SNDTIMEO = 20, 21
SO_SNDBUFFORCE, SO_RCVBUFFORCE = 32, 33
SO_ACCEPTCONN, SO_PROTOCOL, SO_DOMAIN, SO_PEEK_OFF = 30, 38, 39, 42
SO_BINDTODEVICE, SO_PEERNAME, SO_TIMESTAMP, SO_TIMESTAMPNS, SO_MARK = 25, 28, 29, 35, 36
SO_RXQ_OVFL, SO_INCOMING_CPU, SO_COOKIE, SO_BINDTOIFINDEX = 40, 49, 57, 62
SO_TIMESTAMP_NEW, SO_TIMESTAMPNS_NEW = 63, 64
SOCK_SNDBUF_LOCK, SOCK_RCVBUF_LOCK = 1, 2

WMEM_DEFAULT = RMEM_DEFAULT = 212992
WMEM_MAX = RMEM_MAX = 4194304
SOCK_MIN_SNDBUF = 4608
SOCK_MIN_RCVBUF = 2304
SOMAXCONN = 4096
SOCKFS_MAGIC = 0x534F434B
SIOCINQ, SIOCOUTQ = 0x541B, 0x5411
_SOCKADDR_MAX = 128                     # sizeof(struct sockaddr_storage)


# -- sockfs --------------------------------------------------------------------------

_sockfs = None
sockets_allocated = 0               # open socket files (/proc/net/sockstat)


def _sockfs_mount():
    global _sockfs
    if _sockfs is None:
        sb = SuperBlock("sockfs", magic=SOCKFS_MAGIC)
        sb.root = Dentry(b"/", None, Inode(sb, 0o040755))
        _sockfs = Mount(sb, sb.root, source=b"sockfs")
    return _sockfs


class Socket:
    """struct socket and the family-independent part of struct sock."""
    family = AF_UNSPEC
    wants_iter = False                  # sends get a MsgIter, not bytes (see the head)
    # optional parts of a family, None where it has none (proto_ops' NULL
    # entries): ioctl(t, cmd, arg) -> result or None for "not mine";
    # setsockopt_level / getsockopt_level for levels other than SOL_SOCKET;
    # set_peek_off(val) for SO_PEEK_OFF; socketpair(t, other)
    ioctl = None
    setsockopt_level = None
    getsockopt_level = None
    set_peek_off = None
    socketpair = None
    landlock_domain = None              # its maker's Landlock domain (security/landlock/task.py)

    def __init__(self, type_, protocol=0):
        self.type = type_
        self.protocol = protocol
        self.file = None
        self.inode = None
        self.wq = sched.WaitQueue()     # sleepers and pollers of this socket
        self.shutdown = 0
        self.err = 0
        self.sndbuf = WMEM_DEFAULT
        self.rcvbuf = RMEM_DEFAULT
        self.rcvtimeo = None            # seconds, or None: wait forever
        self.sndtimeo = None
        self.rcvlowat = 1
        self.passcred = False
        self.peek_off = -1
        self.opts = {}                  # other SOL_SOCKET options, as stored ints
        self.linger = (0, 0)
        self.dead = False
        self.userlocks = 0              # SOCK_SNDBUF_LOCK ...: set by the user, not tuned
        self.bound_dev_if = 0           # SO_BINDTODEVICE

    # what a family provides (defaults: not supported)
    def bind(self, t, addr):
        raise Errno(EOPNOTSUPP)

    def connect(self, t, addr, nonblock):
        raise Errno(EOPNOTSUPP)

    def listen(self, t, backlog):
        raise Errno(EOPNOTSUPP)

    def accept(self, t, nonblock):
        raise Errno(EOPNOTSUPP)

    def getname(self, peer):
        raise Errno(EOPNOTSUPP)

    def sendmsg(self, t, data, name, scm, flags, nonblock):
        raise Errno(EOPNOTSUPP)

    def recvmsg(self, t, size, flags, nonblock):
        raise Errno(EOPNOTSUPP)

    def shutdown_sock(self, how):
        raise Errno(EOPNOTSUPP)

    def poll(self, t):
        """(ready mask, wait queues)"""
        return 0, (self.wq,)

    def inq(self):
        return 0

    def outq(self):
        return 0

    def peercred(self):
        return (0, 0xFFFFFFFF, 0xFFFFFFFF)

    def is_listening(self):
        return False

    def release(self):
        pass

    def sock_error(self):
        """Take the pending error (SO_ERROR reads and clears it)."""
        e, self.err = self.err, 0
        return e


class RecvResult:
    """One recvmsg's worth: bytes, sender address, fds/creds, flags; and
    giveback(bytes), if the family takes back what could not be copied."""
    __slots__ = ("data", "name", "scm", "flags", "length", "giveback")

    def __init__(self, data, name=None, scm=None, flags=0, length=None, giveback=None):
        self.data = data
        self.name = name
        self.scm = scm
        self.flags = flags
        self.length = len(data) if length is None else length
        self.giveback = giveback


def sock_intr_errno(timeo):
    """A signal interrupted a socket wait: restartable unless a timeout was
    set (then EINTR), as Linux's sock_intr_errno."""
    return -ERESTARTSYS if timeo is None else -EINTR


def sock_wait(t, queues, cond, deadline, timeo):
    """Sleep on queues until cond(): a generator returning 0, -EAGAIN once
    the deadline (of the socket's timeout, timeo) passes, or the errno for
    a signal."""
    while not cond():
        if signal_pending(t):
            return sock_intr_errno(timeo)
        if deadline is not None and sched.now() >= deadline:
            return -EAGAIN
        yield sched.Sleep(queues, deadline)
    return 0


class SocketFileOps(FileOperations):
    """read/write/poll/ioctl/close of a socket fd."""

    fasync_supported = True            # O_ASYNC signals (fs/fasync.py)

    def read(self, f, t, count):
        sock = f.private
        res = sock.recvmsg(t, count, 0, bool(f.flags & O_NONBLOCK))
        return then(res, _just_data)

    def write(self, f, t, data):
        sock = f.private
        if sock.wants_iter:
            data = BytesIter(data)
        res = sock.sendmsg(t, data, None, ScmCookie(), 0, bool(f.flags & O_NONBLOCK))
        return then(res, lambda r: _sigpipe(t, sock, r, 0))

    def poll(self, f, t):
        return f.private.poll(t)

    def ioctl(self, f, t, cmd, arg):
        """sock_ioctl: the queue sizes, then the family's own, then the
        device ioctls (SIOCGIFCONF, SIOCGIF*) every socket can use."""
        sock = f.private
        if cmd in (SIOCINQ, SIOCOUTQ) and sock.family != AF_NETLINK:
            n = sock.inq() if cmd == SIOCINQ else sock.outq()
            copy_to_user(t.mm, arg, struct.pack("<i", n))
            return 0
        if cmd in (FIOSETOWN, SIOCSPGRP, FIOGETOWN, SIOCGPGRP):
            return _sock_owner(f, t, cmd, arg)
        if sock.ioctl is not None:
            r = sock.ioctl(t, cmd, arg)
            if r is not None:
                return r
        # cycle: net.core.dev_ioctl -> net.ipv4.devinet -> net.core.rtnetlink -> net.netlink.af_netlink -> net.socket
        from net.core import dev_ioctl
        net_dev_init()
        if cmd == dev_ioctl.SIOCGIFCONF:
            return dev_ioctl.dev_ifconf(t, arg)
        if (cmd >> 8) & 0xFF == 0x89:
            copy_from_user(t.mm, arg, dev_ioctl.ifreq_size(t))      # get_user_ifreq first
            return dev_ioctl.dev_ioctl(t, cmd, arg)
        return -ENOTTY

    def release(self, f):
        global sockets_allocated
        sock = f.private
        sock.release()
        sock.file = None
        sockets_allocated -= 1

    def show_fdinfo(self, f):
        return ""


socket_file_ops = SocketFileOps()
FIOSETOWN, SIOCSPGRP, FIOGETOWN, SIOCGPGRP = 0x8901, 0x8902, 0x8903, 0x8904


def _sock_owner(f, t, cmd, arg):
    """FIOSETOWN/SIOCSPGRP and FIOGETOWN/SIOCGPGRP: sock_ioctl's f_setown
    and f_getown, the file's own F_SETOWN owner (the one SIGIO goes to)."""
    if cmd in (FIOSETOWN, SIOCSPGRP):
        return f_setown(t, f, s32(get_user_u32(t.mm, arg)))
    copy_to_user(t.mm, arg, struct.pack("<i", f_getown(f)))
    return 0


def _just_data(r):
    """read(): the bytes; fds that came along are closed (no control buffer).
    An error is raised: f_op.read returns bytes or raises Errno."""
    if isinstance(r, int) and r < 0:
        raise Errno(-r)
    if isinstance(r, int):
        return r
    if r.scm is not None:
        r.scm.destroy()
    return r.data


def sock_alloc_file(t, sock, flags):
    """Give sock an inode on sockfs and an open File."""
    mnt = _sockfs_mount()
    inode = Inode(mnt.sb, 0o140777, t.cred.fsuid, t.cred.fsgid)
    inode.proc_name = b"socket:[%d]" % inode.ino       # /proc/PID/fd/N
    sock.inode = inode
    d = Dentry(b"socket:[%d]" % inode.ino, mnt.root, inode)
    f = File(Path(mnt, d), O_RDWR | (flags & O_NONBLOCK), socket_file_ops, inode=inode)
    f.private = sock
    sock.file = f
    sock.landlock_domain = t.cred.landlock
    global sockets_allocated
    sockets_allocated += 1
    return f


def sock_map_fd(t, sock, flags):
    f = sock_alloc_file(t, sock, flags)
    try:
        return t.files.alloc_fd(t, f, cloexec=bool(flags & O_CLOEXEC))
    except BaseException:
        f.put()
        raise


def sockfd_lookup(t, fd):
    f = fget(t, s32(fd))
    if f is None or f.mode & 4:                 # missing or O_PATH
        raise Errno(EBADF)
    if f.f_op is not socket_file_ops:
        raise Errno(ENOTSOCK)
    return f.private, f


def _nonblock(f, flags):
    return bool(f.flags & O_NONBLOCK or flags & MSG_DONTWAIT)


def _sigpipe(t, sock, r, flags):
    """EPIPE on a stream socket also raises SIGPIPE (as on Linux, not on
    datagram or seqpacket ones), unless MSG_NOSIGNAL."""
    if r == -EPIPE and sock.type == SOCK_STREAM and not flags & MSG_NOSIGNAL:
        send_signal(t, SigInfo(SIGPIPE, SI_USER, pid=t.tgid, uid=t.cred.uid), group=False)
    return r


# -- creating ------------------------------------------------------------------------

def sock_create(t, family, type_, protocol):
    if family < 0 or family >= NPROTO:
        raise Errno(EAFNOSUPPORT)
    if type_ < 0 or type_ >= SOCK_MAX:
        raise Errno(EINVAL)
    if family == AF_UNIX:
        # cycle: net.unix -> net.socket
        from net.unix import unix_create
        return unix_create(t, type_, protocol)
    if family in (AF_INET, AF_INET6, AF_NETLINK):
        net_dev_init()                      # lo comes up at first use
    if family == AF_INET:
        # cycle: net.ipv4.af_inet -> net.socket
        from net.ipv4.af_inet import inet_create
        return inet_create(t, type_, protocol)
    if family == AF_INET6:
        # cycle: net.ipv6.af_inet6 -> net.ipv4.af_inet -> net.socket
        from net.ipv6.af_inet6 import inet6_create
        return inet6_create(t, type_, protocol)
    if family == AF_NETLINK:
        # cycle: net.netlink.af_netlink -> net.socket
        from net.netlink.af_netlink import netlink_create
        return netlink_create(t, type_, protocol)
    raise Errno(EAFNOSUPPORT)


def _split_type(type_):
    type_ = s32(type_)
    flags = type_ & ~SOCK_TYPE_MASK
    if flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK):
        raise Errno(EINVAL)
    return type_ & SOCK_TYPE_MASK, flags


def sys_socket(t, family, type_, protocol):
    type_, flags = _split_type(type_)
    sock = sock_create(t, s32(family), type_, s32(protocol))
    return sock_map_fd(t, sock, flags)


def sys_socketpair(t, family, type_, protocol, usockvec):
    """__sys_socketpair: the two fds are reserved and written out before
    the sockets are made (so a bad pointer is EFAULT whatever the family)."""
    type_, flags = _split_type(type_)
    family = s32(family)
    files = t.files
    free = []
    fd = 0
    while len(free) < 2:
        if fd not in files.fd:
            free.append(fd)
        fd += 1
    if free[1] >= t.signal.rlim[RLIMIT_NOFILE][0]:
        return -EMFILE
    copy_to_user(t.mm, usockvec, struct.pack("<ii", *free))
    a = sock_create(t, family, type_, s32(protocol))
    if a.socketpair is None:
        a.release()
        return -EOPNOTSUPP
    b = sock_create(t, family, type_, s32(protocol))
    a.socketpair(t, b)
    fa = sock_alloc_file(t, a, flags)
    fb = sock_alloc_file(t, b, flags)
    cloexec = bool(flags & O_CLOEXEC)
    try:
        fd1 = files.alloc_fd(t, fa, cloexec)
    except BaseException:
        fa.put()
        fb.put()
        raise
    try:
        files.alloc_fd(t, fb, cloexec)
    except BaseException:
        files.close(fd1)
        fb.put()
        raise
    return 0


# -- addresses ------------------------------------------------------------------------

def move_addr_to_kernel(t, uaddr, addrlen):
    addrlen = s32(addrlen)
    if addrlen < 0 or addrlen > _SOCKADDR_MAX:
        raise Errno(EINVAL)
    if addrlen == 0:
        return b""
    return copy_from_user(t.mm, uaddr, addrlen)


def move_addr_to_user(t, kaddr, uaddr, ulen_addr):
    """Copy an address out: as much as fits, and its full length (the
    callers skip it when the address pointer is NULL where Linux does)."""
    ulen = s32(struct.unpack("<i", copy_from_user(t.mm, ulen_addr, 4))[0])
    if ulen < 0:
        raise Errno(EINVAL)
    n = min(ulen, len(kaddr))
    if n:
        copy_to_user(t.mm, uaddr, kaddr[:n])
    copy_to_user(t.mm, ulen_addr, struct.pack("<i", len(kaddr)))


def sys_bind(t, fd, umyaddr, addrlen):
    sock, _ = sockfd_lookup(t, fd)
    addr = move_addr_to_kernel(t, umyaddr, addrlen)
    landlock.socket_bind(t, sock, addr)
    return sock.bind(t, addr)


def sys_connect(t, fd, uservaddr, addrlen):
    # __sys_connect: the fd, then the address, then whether it is a socket
    f = fget(t, s32(fd))
    if f is None or f.mode & 4:
        raise Errno(EBADF)
    addr = move_addr_to_kernel(t, uservaddr, addrlen)
    sock, f = sockfd_lookup(t, fd)
    landlock.socket_connect(t, sock, addr)
    return sock.connect(t, addr, bool(f.flags & O_NONBLOCK))


def sys_listen(t, fd, backlog):
    sock, _ = sockfd_lookup(t, fd)
    backlog &= 0xFFFFFFFF                   # compared unsigned, as Linux does
    if backlog > SOMAXCONN:
        backlog = SOMAXCONN
    return sock.listen(t, backlog)


def do_accept(t, fd, upeer, upeer_len, flags):
    flags = s32(flags)
    f = fget(t, s32(fd))
    if f is None or f.mode & 4:
        raise Errno(EBADF)              # the fd, then the flags, then ENOTSOCK
    if flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK):
        return -EINVAL
    sock, f = sockfd_lookup(t, fd)

    def finish(newsock):
        if isinstance(newsock, int):
            return newsock
        nf = sock_alloc_file(t, newsock, flags)
        try:
            if upeer:
                move_addr_to_user(t, newsock.getname(True), upeer, upeer_len)
            return t.files.alloc_fd(t, nf, cloexec=bool(flags & O_CLOEXEC))
        except BaseException:
            nf.put()
            raise
    return then(sock.accept(t, bool(f.flags & O_NONBLOCK)), finish)


def sys_accept4(t, fd, upeer, upeer_len, flags):
    return do_accept(t, fd, upeer, upeer_len, flags)


def sys_accept(t, fd, upeer, upeer_len):
    return do_accept(t, fd, upeer, upeer_len, 0)


def sys_getsockname(t, fd, usockaddr, usockaddr_len):
    sock, _ = sockfd_lookup(t, fd)
    move_addr_to_user(t, sock.getname(False), usockaddr, usockaddr_len)
    return 0


def sys_getpeername(t, fd, usockaddr, usockaddr_len):
    sock, _ = sockfd_lookup(t, fd)
    move_addr_to_user(t, sock.getname(True), usockaddr, usockaddr_len)
    return 0


def sys_shutdown(t, fd, how):
    sock, _ = sockfd_lookup(t, fd)
    return sock.shutdown_sock(s32(how))


# -- sending and receiving ----------------------------------------------------------------

def _msghdr_fmt(t):
    return struct.Struct("<QI4xQQQQi4x" if t.arch.BITS == 64 else "<IiIIIIi")


def _read_iov(t, iov, iovlen):
    if iovlen > 1024:
        raise Errno(EMSGSIZE)
    return read_iovec(t, iov, iovlen)


def _gather(t, vec):
    return b"".join(copy_from_user(t.mm, base, ln) for base, ln in vec if ln)


def _scatter(t, vec, data):
    done = 0
    for base, ln in vec:
        if done >= len(data):
            break
        chunk = data[done:done + ln]
        copy_to_user(t.mm, base, chunk)
        done += len(chunk)


def do_sendmsg(t, fd, data, name, control, flags):
    sock, f = sockfd_lookup(t, fd)
    if flags & MSG_OOB and sock.family == AF_UNIX:
        return -EOPNOTSUPP
    scm = scm_send(t, control, sock.family == AF_UNIX,
                   inet=sock.family in (AF_INET, AF_INET6)) if control else ScmCookie()
    try:
        res = sock.sendmsg(t, data, name, scm, flags, _nonblock(f, flags))
    except BaseException:
        scm.destroy()
        raise
    return then(res, lambda r: _sigpipe(t, sock, r, flags))


def sys_sendto(t, fd, buff, length, flags, addr, addr_len):
    length = min(length, 0x7FFFF000)
    flags = s32(flags)
    if not user_range_ok(t, buff, length):
        return -EFAULT                  # import_ubuf comes first
    sock, _ = sockfd_lookup(t, fd)
    # a non-NULL address of length 0 is still an address (UDP says EINVAL)
    name = move_addr_to_kernel(t, addr, addr_len) if addr else None
    if sock.wants_iter:
        data = MsgIter(t.mm, [(buff, length)], length)
    else:
        data = copy_from_user(t.mm, buff, length)
    return do_sendmsg(t, fd, data, name, b"", flags)


def sys_send(t, fd, buff, length, flags):
    return sys_sendto(t, fd, buff, length, flags, 0, 0)


MSG_CMSG_COMPAT = 0x80000000


def _cmsg_compat(t, flags):
    """MSG_CMSG_COMPAT is the kernel's own mark: a 64-bit caller may not set it."""
    return t.arch.BITS == 64 and flags & MSG_CMSG_COMPAT


def copy_msghdr(t, msg, sending):
    """copy_msghdr_from_user: (name, namelen, iovec, control, controllen)
    of a guest msghdr, checked in Linux's order.  A NULL name has length
    0, a longer one is cut to a sockaddr_storage; for sendmsg the name is
    copied in now (bytes, or None), for recvmsg it stays an address."""
    fmt = _msghdr_fmt(t)
    name, namelen, iov, iovlen, control, controllen, _ = fmt.unpack(
        copy_from_user(t.mm, msg, fmt.size))
    namelen = s32(namelen) if name else 0
    if namelen < 0:
        raise Errno(EINVAL)
    namelen = min(namelen, _SOCKADDR_MAX)
    if sending:
        name = move_addr_to_kernel(t, name, namelen) if name and namelen else None
    if (iovlen & 0xFFFFFFFFFFFFFFFF) > 1024:
        raise Errno(EMSGSIZE)
    vec = _read_iov(t, iov, iovlen)
    for base, ln in vec:
        if not user_range_ok(t, base, ln):
            raise Errno(EFAULT)
    return name, namelen, vec, control, controllen


def sys_sendmsg(t, fd, msg, flags):
    if _cmsg_compat(t, flags):
        return -EINVAL
    flags = s32(flags) & ~MSG_CMSG_CLOEXEC
    sock, _ = sockfd_lookup(t, fd)
    namebytes, _, vec, control, controllen = copy_msghdr(t, msg, True)
    if sock.wants_iter:
        data = MsgIter(t.mm, vec, _count_len(vec))
    else:
        data = _gather(t, vec)[:0x7FFFF000]
    control = read_control(t, control, controllen)
    return do_sendmsg(t, fd, data, namebytes, control, flags)


def _count_len(vec):
    return min(sum(ln for _, ln in vec), 0x7FFFF000)


def do_recv(t, fd, size, flags):
    sock, f = sockfd_lookup(t, fd)
    if flags & MSG_ERRQUEUE:
        return -EAGAIN
    if flags & MSG_OOB and sock.family == AF_UNIX:
        # Linux has AF_UNIX out-of-band data for streams (never any here)
        return -EINVAL if sock.type == SOCK_STREAM else -EOPNOTSUPP
    return sock.recvmsg(t, size, flags, _nonblock(f, flags))


def sys_recvfrom(t, fd, ubuf, size, flags, addr, addr_len):
    size = min(size, 0x7FFFF000)
    flags = s32(flags)
    if not user_range_ok(t, ubuf, size):
        return -EFAULT

    def finish(r):
        if isinstance(r, int):
            return r
        if r.scm is not None:
            r.scm.destroy()
        if r.data:
            n = copy_out(t, [(ubuf, len(r.data))], r)
            if n < len(r.data):
                return n
        if addr:
            move_addr_to_user(t, r.name or b"", addr, addr_len)
        return r.length if flags & MSG_TRUNC else len(r.data)
    return then(do_recv(t, fd, size, flags), finish)


def sys_recv(t, fd, ubuf, size, flags):
    return sys_recvfrom(t, fd, ubuf, size, flags, 0, 0)


def sys_recvmsg(t, fd, msg, flags):
    if _cmsg_compat(t, flags):
        return -EINVAL
    flags = s32(flags)
    sockfd_lookup(t, fd)
    name, namelen, vec, control, controllen = copy_msghdr(t, msg, False)
    size = _count_len(vec)

    def finish(r):
        if isinstance(r, int):
            return r
        if r.giveback is not None:
            n = copy_out(t, vec, r)
            if n < len(r.data):
                return n
        else:
            _scatter(t, vec, r.data)
        if name:
            # move_addr_to_user: the guest's own length says how much fits
            move_addr_to_user(t, r.name or b"", name, msg + (8 if t.arch.BITS == 64 else 4))
        mflags = r.flags | (flags & MSG_CMSG_CLOEXEC)
        used = 0
        scm = r.scm
        if scm is not None and (scm.fds or scm.creds is not None):
            used, extra = scm_recv(t, control, controllen, scm.creds, scm.fds, flags)
            scm.fds = []
            mflags |= extra
        if t.arch.BITS == 64:
            copy_to_user(t.mm, msg + 48, struct.pack("<i", mflags))
            copy_to_user(t.mm, msg + 40, struct.pack("<Q", used))
        else:
            copy_to_user(t.mm, msg + 24, struct.pack("<i", mflags))
            copy_to_user(t.mm, msg + 20, struct.pack("<I", used))
        return r.length if flags & MSG_TRUNC else len(r.data)
    return then(do_recv(t, fd, size, flags), finish)


def user_range_ok(t, addr, n):
    """access_ok as x86_64 Linux decides it (import_ubuf, import_iovec):
    the range must end below the 64-bit user limit, even when it is empty
    (an i386 task is checked against the same limit, not its own 4 GiB)."""
    limit = 0x7FFFFFFFF000
    return 0 <= addr <= limit and addr + n <= limit


def copy_out(t, vec, r):
    """Copy r.data into the guest's buffers.  A bad page anywhere makes it
    EFAULT, and the bytes go back to the family (r.giveback), so that a
    TCP reader finds them again, as on Linux."""
    data = r.data
    done = 0
    try:
        for base, ln in vec:
            if done >= len(data):
                break
            chunk = data[done:done + ln]
            copy_to_user(t.mm, base, chunk)
            done += len(chunk)
    except Errno:
        if r.giveback is not None:
            r.giveback(data)
        raise
    return done


def run_or_sleep(gen):
    """Run a generator operation up to its first sleep: its value if it
    never sleeps, else a generator that goes on from there."""
    try:
        first = gen.send(None)
    except StopIteration as e:
        return e.value
    return _go_on(gen, first)


def _go_on(gen, first):
    yield first
    return (yield from gen)


def _mmsghdr_step(t):
    return (64, 56) if t.arch.BITS == 64 else (32, 28)      # size, msg_len offset


def sys_sendmmsg(t, fd, mmsg, vlen, flags):
    """sendmsg for each message in turn; the count sent, or the error if
    none was."""
    if _cmsg_compat(t, flags):
        return -EINVAL
    sockfd_lookup(t, fd)
    return run_or_sleep(_sendmmsg(t, fd, mmsg, min(vlen & 0xFFFFFFFF, 1024), flags))


def _sendmmsg(t, fd, mmsg, vlen, flags):
    step, len_off = _mmsghdr_step(t)
    sent = 0
    err = 0
    while sent < vlen:
        try:
            r = sys_sendmsg(t, fd, mmsg + sent * step, flags)
            if sched.is_generator(r):
                r = yield from r
        except Errno as e:
            r = -e.errno                # what was sent stays sent
        if r < 0:
            err = r
            break
        copy_to_user(t.mm, mmsg + sent * step + len_off, struct.pack("<I", r))
        sent += 1
    return sent or err


MSG_WAITFORONE = 0x10000


def sys_recvmmsg(t, fd, mmsg, vlen, flags, timeout):
    """recvmsg into each message in turn, until vlen, an error (reported
    only if nothing was received), MSG_WAITFORONE's first datagram, or the
    timeout (checked after each datagram, as Linux does)."""
    if _cmsg_compat(t, flags):
        return -EINVAL
    sockfd_lookup(t, fd)
    deadline = None
    fmt = "<qq" if time_bits(t) == 64 else "<ii"
    if timeout:
        deadline = deadline_after_ns(get_timespec_ns(t, timeout))
    gen = _recvmmsg(t, fd, mmsg, min(vlen & 0xFFFFFFFF, 1024), s32(flags), deadline)

    def finish(n):
        if n > 0 and timeout and not put_remaining(t, timeout, deadline, fmt):
            return -EFAULT
        return n
    return then(run_or_sleep(gen), finish)


def _recvmmsg(t, fd, mmsg, vlen, flags, deadline):
    step, len_off = _mmsghdr_step(t)
    got = 0
    err = 0
    while got < vlen:
        try:
            r = sys_recvmsg(t, fd, mmsg + got * step, flags & ~MSG_WAITFORONE)
            if sched.is_generator(r):
                r = yield from r
        except Errno as e:
            r = -e.errno
        if r < 0:
            err = r
            break
        copy_to_user(t.mm, mmsg + got * step + len_off, struct.pack("<I", r))
        got += 1
        if flags & MSG_WAITFORONE:
            flags |= MSG_DONTWAIT
        if deadline is not None and sched.now() >= deadline:
            break
    if got == 0:
        return err
    if err and err != -EAGAIN:
        sock, _ = sockfd_lookup(t, fd)
        sock.err = -err                 # reported by the next call
    return got


# -- socket options ---------------------------------------------------------------------

def _get_int(t, optval, optlen):
    if s32(optlen) < 4:
        raise Errno(EINVAL)
    return struct.unpack("<i", copy_from_user(t.mm, optval, 4))[0]


HZ = 250                                # socket timeouts are kept in jiffies


def _timeval_secs(t, optval, optlen):
    """SO_RCVTIMEO/SO_SNDTIMEO: a timeval, rounded up to whole jiffies like
    Linux (so it reads back rounded).  None is "wait forever"."""
    fmt = "<qq" if t.arch.BITS == 64 else "<ii"
    if s32(optlen) < struct.calcsize(fmt):
        raise Errno(EINVAL)
    sec, usec = struct.unpack(fmt, copy_from_user(t.mm, optval, struct.calcsize(fmt)))
    if usec < 0 or usec >= 1000000:
        raise Errno(EDOM)
    if sec < 0:
        return 0.0
    if sec == 0 and usec == 0:
        return None
    step = 1000000 // HZ
    jiffies = sec * HZ + (usec + step - 1) // step
    return jiffies / HZ


def sys_setsockopt(t, fd, level, optname, optval, optlen):
    sock, _ = sockfd_lookup(t, fd)
    level, optname = s32(level), s32(optname)
    if s32(optlen) < 0:
        return -EINVAL
    if level != SOL_SOCKET:
        if sock.setsockopt_level is not None:
            return sock.setsockopt_level(t, level, optname, optval, optlen)
        return -EOPNOTSUPP if sock.family == AF_UNIX else -ENOPROTOOPT
    if optname in (SO_BINDTODEVICE, SO_BINDTOIFINDEX):
        return _bindtodevice(t, sock, optname, optval, optlen)
    if optname in (SO_RCVTIMEO, SO_SNDTIMEO):
        secs = _timeval_secs(t, optval, optlen)
        if optname == SO_RCVTIMEO:
            sock.rcvtimeo = secs
        else:
            sock.sndtimeo = secs
        return 0
    if optname == SO_LINGER:
        if s32(optlen) < 8:
            return -EINVAL
        sock.linger = struct.unpack("<ii", copy_from_user(t.mm, optval, 8))
        return 0
    val = _get_int(t, optval, optlen)
    if optname in (SO_SNDBUF, SO_SNDBUFFORCE):
        if optname == SO_SNDBUFFORCE and not capable(t, CAP_NET_ADMIN):
            return -EPERM
        v = max(val, 0) if optname == SO_SNDBUFFORCE else min(val & 0xFFFFFFFF, WMEM_MAX)
        sock.sndbuf = max(min(v, 0x7FFFFFFF // 2) * 2, SOCK_MIN_SNDBUF)
        sock.userlocks |= SOCK_SNDBUF_LOCK
        sock.wq.wake_up()
    elif optname in (SO_RCVBUF, SO_RCVBUFFORCE):
        if optname == SO_RCVBUFFORCE and not capable(t, CAP_NET_ADMIN):
            return -EPERM
        v = max(val, 0) if optname == SO_RCVBUFFORCE else min(val & 0xFFFFFFFF, RMEM_MAX)
        sock.rcvbuf = max(min(v, 0x7FFFFFFF // 2) * 2, SOCK_MIN_RCVBUF)
        sock.userlocks |= SOCK_RCVBUF_LOCK
    elif optname == SO_PASSCRED:
        if not _may_scm_recv(sock):
            return -EOPNOTSUPP
        sock.passcred = bool(val)
    elif optname == SO_RCVLOWAT:
        sock.rcvlowat = max(val, 1) if val >= 0 else 0x7FFFFFFF
    elif optname == SO_PEEK_OFF:
        if sock.set_peek_off is None:
            return -EOPNOTSUPP
        sock.set_peek_off(val)
    elif optname in (SO_TYPE, SO_PROTOCOL, SO_DOMAIN, SO_ERROR, SO_ACCEPTCONN,
                     SO_PEERCRED, SO_SNDLOWAT):
        return -ENOPROTOOPT
    elif optname in (SO_DEBUG, SO_REUSEADDR, SO_DONTROUTE, SO_BROADCAST,
                     SO_KEEPALIVE, SO_OOBINLINE, SO_NO_CHECK, SO_REUSEPORT,
                     SO_TIMESTAMP, SO_TIMESTAMPNS, SO_RXQ_OVFL,
                     SO_TIMESTAMP_NEW, SO_TIMESTAMPNS_NEW):
        if optname == SO_DEBUG and val and not capable(t, CAP_NET_ADMIN):
            return -EPERM
        sock.opts[optname] = 1 if val else 0
    elif optname == SO_MARK:
        if not (capable(t, CAP_NET_RAW) or capable(t, CAP_NET_ADMIN)):
            return -EPERM
        sock.opts[optname] = val
    elif optname == SO_INCOMING_CPU:
        sock.opts[optname] = val
    elif optname == SO_PRIORITY:
        if (val < 0 or val > 6) and not (capable(t, CAP_NET_RAW) or capable(t, CAP_NET_ADMIN)):
            return -EPERM
        sock.opts[optname] = val
    elif optname == SO_BSDCOMPAT:
        pass
    else:
        return -ENOPROTOOPT
    return 0


def _may_scm_recv(sock):
    """sk_may_scm_recv: only AF_UNIX and netlink sockets take credentials
    (SO_PASSCRED on any other is EOPNOTSUPP, since Linux 6.16)."""
    return sock.family in (AF_UNIX, AF_NETLINK)


class OptLen:
    """getsockopt's length, read when the protocol asks for it (each one
    does so at its own point, and treats a negative one its own way); and
    the buffer, which a few options also read (IP_MSFILTER's group)."""
    __slots__ = ("t", "addr", "value", "optval")

    def __init__(self, t, addr, optval):
        self.t = t
        self.addr = addr
        self.value = None
        self.optval = optval

    def get(self):
        if self.value is None:
            self.value = struct.unpack("<i", copy_from_user(self.t.mm, self.addr, 4))[0]
        return self.value


def sys_getsockopt(t, fd, level, optname, optval, optlen):
    sock, _ = sockfd_lookup(t, fd)
    level, optname = s32(level), s32(optname)
    if level != SOL_SOCKET:
        if sock.getsockopt_level is None:
            return -EOPNOTSUPP if sock.family == AF_UNIX else -ENOPROTOOPT
        ol = OptLen(t, optlen, optval)
        val = sock.getsockopt_level(t, level, optname, ol)
        if isinstance(val, int):
            return val
        n = min(ol.get() & 0xFFFFFFFF, len(val))
        copy_to_user(t.mm, optval, val[:n])
        copy_to_user(t.mm, optlen, struct.pack("<i", n))
        return 0
    length = struct.unpack("<i", copy_from_user(t.mm, optlen, 4))[0]
    if length < 0:
        return -EINVAL
    if optname == SO_BINDTODEVICE:
        return _get_bindtodevice(t, sock, optval, optlen, length)
    if optname == SO_PASSCRED and not _may_scm_recv(sock):
        return -EOPNOTSUPP
    if optname == SO_PEERNAME:
        try:
            val = sock.getname(True)
        except Errno:
            return -ENOTCONN
        if len(val) > length:
            return -EINVAL
    elif optname == SO_COOKIE:
        val = struct.pack("<Q", id(sock) & 0xFFFFFFFFFFFF)
    elif optname == SO_PEERCRED:
        val = struct.pack("<iII", *sock.peercred())
    elif optname in (SO_RCVTIMEO, SO_SNDTIMEO):
        secs = sock.rcvtimeo if optname == SO_RCVTIMEO else sock.sndtimeo
        jiffies = int(round((secs or 0) * HZ))
        fmt = "<qq" if t.arch.BITS == 64 else "<ii"
        val = struct.pack(fmt, jiffies // HZ, (jiffies % HZ) * 1000000 // HZ)
    elif optname == SO_LINGER:
        val = struct.pack("<ii", *sock.linger)
    elif optname == SO_PEEK_OFF and sock.set_peek_off is None:
        return -EOPNOTSUPP
    else:
        table = {
            SO_TYPE: lambda: sock.type,
            SO_PROTOCOL: lambda: sock.protocol,
            SO_DOMAIN: lambda: sock.family,
            SO_ERROR: sock.sock_error,
            SO_SNDBUF: lambda: sock.sndbuf,
            SO_RCVBUF: lambda: sock.rcvbuf,
            SO_PASSCRED: lambda: int(sock.passcred),
            SO_ACCEPTCONN: lambda: int(sock.is_listening()),
            SO_RCVLOWAT: lambda: sock.rcvlowat,
            SO_SNDLOWAT: lambda: 1,
            SO_PEEK_OFF: lambda: sock.peek_off,
        }
        if optname in table:
            v = table[optname]()
        elif optname in (SO_DEBUG, SO_REUSEADDR, SO_DONTROUTE, SO_BROADCAST,
                         SO_KEEPALIVE, SO_OOBINLINE, SO_NO_CHECK, SO_REUSEPORT,
                         SO_PRIORITY, SO_TIMESTAMP, SO_TIMESTAMPNS, SO_MARK, SO_RXQ_OVFL,
                         SO_TIMESTAMP_NEW, SO_TIMESTAMPNS_NEW):
            v = sock.opts.get(optname, 0)
        elif optname == SO_INCOMING_CPU:
            v = sock.opts.get(optname, -1) if sock.family in (AF_INET, AF_INET6) else 0
        elif optname == SO_BINDTOIFINDEX:
            v = sock.bound_dev_if
        else:
            return -ENOPROTOOPT
        val = struct.pack("<i", v)
    n = min(length, len(val))
    copy_to_user(t.mm, optval, val[:n])
    copy_to_user(t.mm, optlen, struct.pack("<i", n))
    return 0


def _bindtodevice(t, sock, optname, optval, optlen):
    """SO_BINDTODEVICE (a name; empty unbinds) and SO_BINDTOIFINDEX: only
    root may, and only a device that exists."""
    optlen = s32(optlen)
    if optname == SO_BINDTOIFINDEX:
        idx = _get_int(t, optval, optlen)
        if not capable(t, CAP_NET_RAW):
            return -EPERM
        if idx < 0:
            return -EINVAL
        if idx and dev_get_by_index(idx) is None:
            return -ENODEV
        sock.bound_dev_if = idx
        return 0
    if optlen < 0:
        return -EINVAL
    name = copy_from_user(t.mm, optval, min(optlen, IFNAMSIZ - 1)).split(b"\0", 1)[0]
    if not capable(t, CAP_NET_RAW):
        return -EPERM
    if not name:
        sock.bound_dev_if = 0
        return 0
    dev = dev_get_by_name(name)
    if dev is None:
        return -ENODEV
    sock.bound_dev_if = dev.ifindex
    return 0


def _get_bindtodevice(t, sock, optval, optlen_addr, length):
    idx = sock.bound_dev_if
    if not idx:
        copy_to_user(t.mm, optlen_addr, struct.pack("<i", 0))
        return 0
    dev = dev_get_by_index(idx)
    name = (dev.name if dev is not None else b"") + b"\0"
    if length < len(name):
        return -EINVAL
    copy_to_user(t.mm, optval, name)
    copy_to_user(t.mm, optlen_addr, struct.pack("<i", len(name)))
    return 0


