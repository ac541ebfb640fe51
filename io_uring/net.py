"""io_uring/net.py - the socket opcodes: SENDMSG, RECVMSG, SEND, RECV,
ACCEPT, CONNECT, SHUTDOWN, SOCKET, BIND, LISTEN.

Each is the socket call of net/socket.py, run for the request's task with
the fd its SQE names (a fixed file is refused with EBADF).  A call that
must wait (a receive with nothing queued, an accept with no peer) comes
back as a generator and io_uring/io_wq.py waits in it, as Linux's io-wq
worker would; MSG_DONTWAIT or an O_NONBLOCK socket make EAGAIN the answer
instead.  Names are resolved in the submitter's root: a SENDMSG to a path
outside a chroot fails with ENOENT whoever runs it (LTP io_uring02, the
CVE-2020-29373 check).
"""

from kernel.abi import s32
from kernel.errno import EINVAL, Errno
from io_uring.fs import Cmd, _no_direct, _no_fixed, _unused
from net.socket import (sys_accept4, sys_bind, sys_connect, sys_listen, sys_recvfrom, sys_recvmsg,
                        sys_sendmsg, sys_sendto, sys_shutdown, sys_socket)

IORING_RECVSEND_POLL_FIRST = 1 << 0
IORING_RECV_MULTISHOT = 1 << 1
IORING_ACCEPT_MULTISHOT = 1 << 0


def _sock_prep(req, sqe):
    _no_fixed(req)
    # sqe->ioprio carries the send/recv flags; only POLL_FIRST is meaningful here
    if sqe.ioprio & ~IORING_RECVSEND_POLL_FIRST:
        raise Errno(EINVAL)


def sendmsg_prep(req, sqe):
    _sock_prep(req, sqe)
    _unused(sqe.buf_index, sqe.splice_fd_in)
    req.cmd = Cmd(msg=sqe.addr, flags=sqe.op_flags)


def sendmsg_issue(req):
    return sys_sendmsg(req.task, req.fd, req.cmd.msg, req.cmd.flags)


def recvmsg_prep(req, sqe):
    _sock_prep(req, sqe)
    _unused(sqe.buf_index, sqe.splice_fd_in)
    req.cmd = Cmd(msg=sqe.addr, flags=sqe.op_flags)


def recvmsg_issue(req):
    return sys_recvmsg(req.task, req.fd, req.cmd.msg, req.cmd.flags)


def send_prep(req, sqe):
    _sock_prep(req, sqe)
    _unused(sqe.buf_index)
    addr_len = sqe.file_index & 0xFFFF if sqe.off else 0       # sqe->addr_len
    req.cmd = Cmd(buf=sqe.addr, len=sqe.len, flags=sqe.op_flags, dest=sqe.off,
                  addr_len=addr_len)


def send_issue(req):
    c = req.cmd
    return sys_sendto(req.task, req.fd, c.buf, c.len, c.flags, c.dest, c.addr_len)


def recv_prep(req, sqe):
    _sock_prep(req, sqe)
    _unused(sqe.buf_index, sqe.off, sqe.splice_fd_in)
    req.cmd = Cmd(buf=sqe.addr, len=sqe.len, flags=sqe.op_flags)


def recv_issue(req):
    c = req.cmd
    return sys_recvfrom(req.task, req.fd, c.buf, c.len, c.flags, 0, 0)


def accept_prep(req, sqe):
    _no_fixed(req)
    _unused(sqe.len, sqe.buf_index)
    if sqe.ioprio & IORING_ACCEPT_MULTISHOT or sqe.file_index:
        raise Errno(EINVAL)             # multishot and direct descriptors: not here
    req.cmd = Cmd(addr=sqe.addr, addrlen=sqe.off, flags=sqe.op_flags)


def accept_issue(req):
    c = req.cmd
    return sys_accept4(req.task, req.fd, c.addr, c.addrlen, c.flags)


def connect_prep(req, sqe):
    _no_fixed(req)
    _unused(sqe.len, sqe.buf_index, sqe.op_flags, sqe.splice_fd_in)
    req.cmd = Cmd(addr=sqe.addr, addrlen=sqe.off)


def connect_issue(req):
    return sys_connect(req.task, req.fd, req.cmd.addr, req.cmd.addrlen)


def shutdown_prep(req, sqe):
    _no_fixed(req)
    _unused(sqe.off, sqe.addr, sqe.op_flags, sqe.buf_index, sqe.splice_fd_in)
    req.cmd = Cmd(how=sqe.len)


def shutdown_issue(req):
    return sys_shutdown(req.task, req.fd, req.cmd.how)


def socket_prep(req, sqe):
    _unused(sqe.addr, sqe.op_flags, sqe.buf_index)
    _no_direct(sqe)
    req.cmd = Cmd(domain=s32(sqe.fd), type=sqe.off & 0xFFFFFFFF, protocol=sqe.len)


def socket_issue(req):
    c = req.cmd
    return sys_socket(req.task, c.domain, c.type, c.protocol)


def bind_prep(req, sqe):
    _no_fixed(req)
    _unused(sqe.len, sqe.op_flags, sqe.buf_index, sqe.splice_fd_in)
    req.cmd = Cmd(addr=sqe.addr, addrlen=sqe.off)


def bind_issue(req):
    return sys_bind(req.task, req.fd, req.cmd.addr, req.cmd.addrlen)


def listen_prep(req, sqe):
    _no_fixed(req)
    _unused(sqe.addr, sqe.op_flags, sqe.buf_index, sqe.splice_fd_in, sqe.off)
    req.cmd = Cmd(backlog=sqe.len)


def listen_issue(req):
    return sys_listen(req.task, req.fd, req.cmd.backlog)
