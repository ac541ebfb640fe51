"""net/scm.py - socket control messages: passing fds and credentials.

sendmsg's msg_control is a list of cmsghdr records ({len, level, type} then
data, each aligned to a long).  At level SOL_SOCKET, SCM_RIGHTS carries fds:
the sender's open files travel inside the message (each File gets one more
reference) and become new fds of whoever receives it; SCM_CREDENTIALS
carries a struct ucred (pid, uid, gid) that the kernel checks against the
sender (root may claim anything).

On receipt the records are rebuilt in the receiver's buffer: credentials
first, then the fds.  Fds that do not fit are closed and MSG_CTRUNC is set,
as Linux does.
"""

import struct

from kernel.errno import EBADF, EINVAL, ENOBUFS, EPERM, ESRCH, Errno
from kernel.capability import CAP_SETGID, CAP_SETUID, CAP_SYS_ADMIN, capable, ns_capable
from fs.file import fget
from mm.uaccess import copy_from_user, copy_to_user
from kernel import task as ktask

SOL_SOCKET = 1
SCM_RIGHTS = 1
SCM_CREDENTIALS = 2
SCM_MAX_FD = 253
MSG_CTRUNC = 8
MSG_CMSG_CLOEXEC = 0x40000000
_UCRED = struct.Struct("<iII")


class Cmsg:
    """The layout of struct cmsghdr for a subarch (size_t length on x86_64)."""

    def __init__(self, bits):
        self.word = bits // 8
        self.hdr = struct.Struct("<Qii" if bits == 64 else "<Iii")

    def align(self, n):
        return (n + self.word - 1) & ~(self.word - 1)

    def len(self, n):
        return self.align(self.hdr.size) + n

    def space(self, n):
        return self.align(self.hdr.size) + self.align(n)


class ScmCookie:
    """What a message carries besides its bytes."""
    __slots__ = ("fds", "creds")

    def __init__(self, fds=None, creds=None):
        self.fds = fds or []            # Files, one reference each
        self.creds = creds              # (pid, uid, gid) or None

    def destroy(self):
        for f in self.fds:
            f.put()
        self.fds = []


def current_creds(t):
    return (t.tgid, t.cred.uid, t.cred.gid)


def scm_send(t, control, family_unix=True, inet=False):
    """Parse a guest msg_control buffer (bytes) into an ScmCookie.  For
    TCP and UDP (inet) SOL_SOCKET's SCM_RIGHTS and SCM_CREDENTIALS are
    passed over, as Linux's sock_cmsg_send does; netlink (family_unix
    False) refuses SCM_RIGHTS as __scm_send does."""
    scm = ScmCookie()
    layout = Cmsg(t.arch.BITS)
    hsz = layout.hdr.size
    off = 0
    try:
        while off + hsz <= len(control):
            clen, level, ctype = layout.hdr.unpack_from(control, off)
            if clen < hsz or clen > len(control) - off:
                raise Errno(EINVAL)
            data = control[off + layout.align(hsz):off + clen]
            if level == SOL_SOCKET and inet and ctype in (SCM_RIGHTS, SCM_CREDENTIALS):
                pass
            elif level == SOL_SOCKET:
                if ctype == SCM_RIGHTS:
                    if not family_unix:
                        raise Errno(EINVAL)
                    n = len(data) // 4
                    if n > 0:
                        if len(scm.fds) + n > SCM_MAX_FD:
                            raise Errno(EINVAL)
                        for (fd,) in struct.iter_unpack("<i", data[:n * 4]):
                            f = fget(t, fd)
                            if f is None or f.mode & 4:         # O_PATH
                                raise Errno(EBADF)
                            scm.fds.append(f.get())
                elif ctype == SCM_CREDENTIALS:
                    if clen != layout.len(_UCRED.size):
                        raise Errno(EINVAL)
                    scm.creds = _check_creds(t, _UCRED.unpack(data))
                else:
                    raise Errno(EINVAL)
            off += layout.align(clen)
    except BaseException:
        scm.destroy()
        raise
    return scm


def _check_creds(t, creds):
    pid, uid, gid = creds
    c = t.cred
    if pid != t.tgid and not capable(t, CAP_SYS_ADMIN):   # over the (initial) PID namespace
        raise Errno(EPERM)
    if uid not in (c.uid, c.euid, c.suid) and not ns_capable(c, c.user_ns, CAP_SETUID):
        raise Errno(EPERM)
    if gid not in (c.gid, c.egid, c.sgid) and not ns_capable(c, c.user_ns, CAP_SETGID):
        raise Errno(EPERM)
    if ktask.find_task(pid) is None:
        raise Errno(ESRCH)
    return creds


def scm_recv(t, control_addr, control_len, creds, fds, flags):
    """Write the control messages for a received message into the guest's
    buffer.  Returns (bytes used, extra msg_flags).  Takes over fds: each is
    installed in t's fd table or closed."""
    layout = Cmsg(t.arch.BITS)
    hsz = layout.hdr.size
    used = 0
    mflags = 0
    room = control_len
    if creds is not None:
        clen = layout.len(_UCRED.size)
        if not control_addr or room < hsz:
            mflags |= MSG_CTRUNC
        else:
            data = layout.hdr.pack(clen, SOL_SOCKET, SCM_CREDENTIALS).ljust(
                layout.align(hsz), b"\0") + _UCRED.pack(*creds)
            if room < clen:
                mflags |= MSG_CTRUNC
                data = data[:room]
            copy_to_user(t.mm, control_addr + used, data)
            step = min(layout.space(_UCRED.size), room)
            used += step
            room -= step
    if fds:
        fdmax = (room - layout.align(hsz)) // 4 if control_addr else 0
        installed = []
        cloexec = bool(flags & MSG_CMSG_CLOEXEC)
        for f in fds:
            if len(installed) >= fdmax:
                f.put()
                continue
            try:
                installed.append(t.files.alloc_fd(t, f, cloexec=cloexec))
            except Errno:
                f.put()
        if installed:
            n = len(installed)
            data = layout.hdr.pack(layout.len(4 * n), SOL_SOCKET, SCM_RIGHTS).ljust(
                layout.align(hsz), b"\0") + struct.pack("<%di" % n, *installed)
            copy_to_user(t.mm, control_addr + used, data)
            step = min(layout.space(4 * n), room)
            used += step
            room -= step
        if len(installed) < len(fds) or fdmax <= 0:
            mflags |= MSG_CTRUNC
    return used, mflags


def read_control(t, addr, length):
    if not length:
        return b""
    if length > 0x7FFFFFFF:
        raise Errno(ENOBUFS)
    return copy_from_user(t.mm, addr, length)
