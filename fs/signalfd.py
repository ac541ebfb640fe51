"""fs/signalfd.py - signalfd(2), signalfd4(2): taking signals by read().

A signalfd holds a signal mask.  read() dequeues pending signals in that
mask - the reading thread's own, then its process's, as sigwaitinfo would -
and returns each as a 128-byte struct signalfd_siginfo; it blocks while
none is pending (EAGAIN if non-blocking).  The file is readable when one
is pending, so a program can wait for signals in poll/epoll with its other
fds.  The signals are normally blocked too, or they would be delivered
before anyone reads them.

Whose signals: the caller's, at read and poll time, as on Linux (a
signalfd inherited over fork reads the child's).  Senders wake the
"signalfd_wqh" wait queue of the receiving process's SigHand
(kernel/signal.py's send_signal), which poll/epoll sleep on.

Passing an existing signalfd as fd changes its mask.
"""

import struct

from kernel import sched, signal as ks
from kernel.errno import EAGAIN, EINVAL, ERESTARTSYS, Errno
from kernel.signal import ALL_SIGNALS, UNBLOCKABLE, dequeue_signal, signal_pending
from fs.anon_inodes import anon_inode_getfile, install_new_file
from fs.file import O_CLOEXEC, O_NONBLOCK, O_RDWR, POLLIN, POLLRDNORM, FileOperations, fdget
from mm.uaccess import copy_from_user
from kernel.abi import s32

SFD_CLOEXEC = O_CLOEXEC
SFD_NONBLOCK = O_NONBLOCK
SIGINFO_SIZE = 128


class SignalfdCtx:
    __slots__ = ("sigmask",)

    def __init__(self, sigmask):
        self.sigmask = sigmask


def signalfd_wqh(t):
    sh = t.sighand
    wq = sh.signalfd_wqh
    if wq is None:
        wq = sh.signalfd_wqh = sched.WaitQueue()
    return wq


def _pending(t, mask):
    return (t.pending.signal | t.signal.shared_pending.signal) & mask


def pack_signalfd_siginfo(info):
    """struct signalfd_siginfo: the same 128 bytes for every ABI."""
    sig, code = info.signo, info.code
    pid = uid = fd = tid = band = overrun = status = 0
    ival = ptr = utime = stime = addr = syscall = call_addr = arch = 0
    if info.raw is not None:
        # rt_sigqueueinfo's: the kill/rt fields, as kernel/signal.py read them
        pid, uid, ptr = info.pid, info.uid, info.value
        ival = ptr & 0xFFFFFFFF
    elif 0 < code < ks.SI_KERNEL and sig == ks.SIGCHLD:
        pid, uid, status = info.pid, info.uid, info.status
        utime, stime = int(info.utime), int(info.stime)
    elif 0 < code < ks.SI_KERNEL and sig in (ks.SIGSEGV, ks.SIGBUS, ks.SIGILL,
                                            ks.SIGFPE, ks.SIGTRAP):
        addr = info.addr
    elif 0 < code < ks.SI_KERNEL and sig == ks.SIGSYS:
        call_addr, syscall, arch = info.call_addr, info.syscall, info.arch
    elif 0 < code < ks.SI_KERNEL:
        band, fd = info.band, info.fd
    elif code == ks.SI_TIMER:
        tid, overrun, ptr = info.timerid, info.overrun, info.value
        ival = ptr & 0xFFFFFFFF
    elif code < 0:
        pid, uid, ptr = info.pid, info.uid, info.value
        ival = ptr & 0xFFFFFFFF
    else:
        pid, uid = info.pid, info.uid
    if ival & 0x80000000:
        ival -= 1 << 32
    m32 = 0xFFFFFFFF
    m64 = (1 << 64) - 1
    head = struct.pack("<IiiIIiIIIIiiQQQQHHiQI",
                       sig, info.errno, code, pid & m32, uid & m32, fd, tid & m32,
                       band & m32, overrun & m32, info.trapno & m32, status, ival,
                       ptr & m64, utime & m64, stime & m64, addr & m64, 0, 0,
                       syscall, call_addr & m64, arch & m32)
    return head.ljust(SIGINFO_SIZE, b"\0")


class SignalfdOps(FileOperations):
    splice_read = splice_write = False      # an anonymous inode's: Linux's has neither

    def read(self, f, t, count):
        ctx = f.private
        n = count // SIGINFO_SIZE
        if n == 0:
            raise Errno(EINVAL)
        out = []
        info = dequeue_signal(t, ~ctx.sigmask & ALL_SIGNALS)
        if info is None:
            if f.flags & O_NONBLOCK:
                raise Errno(EAGAIN)
            return self._read_wait(t, ctx, n)
        out.append(pack_signalfd_siginfo(info))
        return self._more(t, ctx, n, out)

    def _more(self, t, ctx, n, out):
        while len(out) < n:
            info = dequeue_signal(t, ~ctx.sigmask & ALL_SIGNALS)
            if info is None:
                break
            out.append(pack_signalfd_siginfo(info))
        return b"".join(out)

    def _read_wait(self, t, ctx, n):
        wq = signalfd_wqh(t)
        while True:
            info = dequeue_signal(t, ~ctx.sigmask & ALL_SIGNALS)
            if info is not None:
                return self._more(t, ctx, n, [pack_signalfd_siginfo(info)])
            if signal_pending(t):
                raise Errno(ERESTARTSYS)
            yield sched.Sleep((wq,))

    def llseek(self, f, offset, whence):
        return f.pos                # Linux's noop_llseek: no error, no move

    def poll(self, f, t):
        ready = POLLIN | POLLRDNORM if _pending(t, f.private.sigmask) else 0
        return ready, (signalfd_wqh(t),)

    def show_fdinfo(self, f):
        return "sigmask:\t%016x\n" % f.private.sigmask


signalfd_fops = SignalfdOps()


def do_signalfd4(t, ufd, user_mask, sizemask, flags):
    flags &= 0xFFFFFFFF
    if flags & ~(SFD_CLOEXEC | SFD_NONBLOCK):
        return -EINVAL
    if sizemask != 8:
        return -EINVAL
    mask = int.from_bytes(copy_from_user(t.mm, user_mask, 8), "little") & ~UNBLOCKABLE
    ufd = s32(ufd)
    if ufd == -1:
        ctx = SignalfdCtx(mask)
        f = anon_inode_getfile(b"[signalfd]", signalfd_fops, ctx,
                               O_RDWR | (flags & O_NONBLOCK))
        return install_new_file(t, f, flags & SFD_CLOEXEC)
    f = fdget(t, ufd)
    if f.f_op is not signalfd_fops:
        return -EINVAL
    f.private.sigmask = mask
    signalfd_wqh(t).wake_up(POLLIN | POLLRDNORM)
    return ufd


def sys_signalfd4(t, ufd, user_mask, sizemask, flags):
    return do_signalfd4(t, ufd, user_mask, sizemask, flags)


def sys_signalfd(t, ufd, user_mask, sizemask):
    return do_signalfd4(t, ufd, user_mask, sizemask, 0)
