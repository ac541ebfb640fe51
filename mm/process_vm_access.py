"""mm/process_vm_access.py - process_vm_readv and process_vm_writev.

Copy between the caller's iovecs and another process's memory, named by
pid, without going through that process: the remote address space is
walked in software like the caller's own (mm/uaccess.py), faulting its pages
in (copy-on-write broken for a write) as a guest access would.

As on Linux: the local iovecs are checked like readv's (at most IOV_MAX,
no negative length, each within the user address range, the total clipped
to MAX_RW_COUNT); an empty local total returns 0 before anything else is
looked at, as does a remote list whose lengths are all zero.  The copy goes
remote page by remote page, stops at the first remote page that cannot be
accessed (unmapped, or not readable / not writable), or at a local page that
faults, and returns the bytes done, or EFAULT if there were none.  i386
callers pass 32-bit iovecs.
"""

import struct

from kernel.errno import EFAULT, EINVAL, EPERM, ESRCH, Errno
from kernel.ptrace_access import PTRACE_MODE_ATTACH_REALCREDS, ptrace_may_access
from mm.physmem import PAGE_SIZE
from mm.uaccess import copy_from_user, copy_to_user, user_page
from kernel.task import find_task

UIO_MAXIOV = 1024
MAX_RW_COUNT = 0x7FFFF000               # INT_MAX & PAGE_MASK
TASK_SIZE_MAX = 0x7FFFFFFFF000          # access_ok's limit, compat tasks too


def _read_iovecs(t, addr, count):
    """The (base, len) pairs at addr: EINVAL for too many or a negative
    length, EFAULT if the array cannot be read."""
    if count > UIO_MAXIOV:
        raise Errno(EINVAL)
    if count == 0:
        return []
    if t.arch.BITS == 32:
        fmt, sign = "<II", 1 << 31
    else:
        fmt, sign = "<QQ", 1 << 63
    size = struct.calcsize(fmt)
    raw = copy_from_user(t.mm, addr, size * count)
    out = []
    for i in range(count):
        base, n = struct.unpack_from(fmt, raw, i * size)
        if n & sign:
            raise Errno(EINVAL)
        out.append((base, n))
    return out


def _import_local(t, addr, count):
    iov = _read_iovecs(t, addr, count)
    total = 0
    out = []
    for base, n in iov:
        if base + n > TASK_SIZE_MAX:
            raise Errno(EFAULT)
        n = min(n, MAX_RW_COUNT - total)
        total += n
        if n:
            out.append((base, n))
    return out, total


class _LocalIter:
    """The caller's side: hands out pieces that stay within one local page,
    so that a fault leaves exactly the bytes before its page done."""

    def __init__(self, t, segs, total):
        self.mm = t.mm
        self.segs = segs
        self.i = 0
        self.off = 0
        self.count = total

    def transfer(self, n, remote):
        """Move n bytes, calling remote(local mm, local addr, offset in
        the n bytes, length) for each piece."""
        pos = 0
        while pos < n:
            base, length = self.segs[self.i]
            addr = base + self.off
            piece = min(n - pos, length - self.off, PAGE_SIZE - (addr & (PAGE_SIZE - 1)))
            remote(self.mm, addr, pos, piece)       # raises EFAULT on a local fault
            pos += piece
            self.off += piece
            self.count -= piece
            if self.off == length:
                self.i += 1
                self.off = 0


def process_vm_rw(t, pid, lvec, liovcnt, rvec, riovcnt, flags, vm_write):
    if flags != 0:
        return -EINVAL
    segs, total = _import_local(t, lvec, liovcnt)
    if total == 0:
        return 0
    remote = _read_iovecs(t, rvec, riovcnt)
    if not any(n for _, n in remote):
        return 0
    pid &= 0xFFFFFFFF
    pid = pid - (1 << 32) if pid & 0x80000000 else pid
    task = find_task(pid) if pid > 0 else None
    if task is None:
        return -ESRCH
    rmm = task.mm
    if rmm is None:
        return -ESRCH
    if rmm is not t.mm and not ptrace_may_access(t, task, PTRACE_MODE_ATTACH_REALCREDS):
        return -EPERM
    it = _LocalIter(t, segs, total)
    done = 0
    err = 0
    try:
        for raddr, rlen in remote:
            while rlen and it.count:
                chunk = min(rlen, PAGE_SIZE - (raddr & (PAGE_SIZE - 1)), it.count)
                if raddr + chunk > rmm.task_size:
                    raise Errno(EFAULT)
                user_page(rmm, raddr, vm_write)     # "pin" the remote page first
                if vm_write:
                    def move(lmm, laddr, pos, piece, raddr=raddr):
                        copy_to_user(rmm, raddr + pos, copy_from_user(lmm, laddr, piece))
                else:
                    def move(lmm, laddr, pos, piece, raddr=raddr):
                        copy_to_user(lmm, laddr, copy_from_user(rmm, raddr + pos, piece))
                before = it.count
                try:
                    it.transfer(chunk, move)
                finally:
                    done += before - it.count
                raddr += chunk
                rlen -= chunk
            if not it.count:
                break
    except Errno as e:
        err = e.errno
    if done:
        return done
    return -err if err else 0


def sys_process_vm_readv(t, pid, lvec, liovcnt, rvec, riovcnt, flags):
    return process_vm_rw(t, pid, lvec, liovcnt, rvec, riovcnt, flags, False)


def sys_process_vm_writev(t, pid, lvec, liovcnt, rvec, riovcnt, flags):
    return process_vm_rw(t, pid, lvec, liovcnt, rvec, riovcnt, flags, True)
