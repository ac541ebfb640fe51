"""net/core/iov_iter.py - the bytes of a send, read from guest memory as a
protocol takes them.

sendmsg names its data by an iovec (a list of guest buffers).  AF_UNIX
takes it all at once; TCP takes it in pieces, as many as its send buffer
has room for, so that a 1 GiB write on a blocking socket does not first
copy 1 GiB into the kernel, and a bad buffer past the first pieces gives
a short count rather than EFAULT, as Linux's copy loop does.
"""

from kernel.errno import EFAULT, Errno
from mm.uaccess import copy_from_user

PAGE_SIZE = 4096


def _copy_some(mm, addr, n):
    """copy_from_user, or as much of it as lies before the first bad page."""
    try:
        return copy_from_user(mm, addr, n)
    except Errno as e:
        if e.errno != EFAULT:
            raise
    out = []
    while n:
        chunk = min(n, PAGE_SIZE - (addr & (PAGE_SIZE - 1)))
        try:
            out.append(copy_from_user(mm, addr, chunk))
        except Errno:
            break
        addr += chunk
        n -= chunk
    if not out:
        raise Errno(EFAULT)
    return b"".join(out)


class MsgIter:
    __slots__ = ("mm", "vec", "idx", "off", "left")

    def __init__(self, mm, vec, total):
        self.mm = mm
        self.vec = [(b, n) for b, n in vec if n]
        self.idx = 0
        self.off = 0
        self.left = total               # bytes still to take

    def __len__(self):
        return self.left

    def copy(self, n):
        """Take up to n bytes.  A bad buffer stops the copy at the bad page:
        the bytes before it are returned, and the next call raises
        Errno(EFAULT) (so a protocol sends what it could, as Linux does)."""
        n = min(n, self.left)
        out = []
        while n:
            base, ln = self.vec[self.idx]
            chunk = min(n, ln - self.off)
            try:
                data = _copy_some(self.mm, base + self.off, chunk)
            except Errno:
                if out:
                    break
                raise
            out.append(data)
            self.off += len(data)
            self.left -= len(data)
            n -= len(data)
            if self.off == ln:
                self.idx += 1
                self.off = 0
            if len(data) < chunk:
                break
        return out[0] if len(out) == 1 else b"".join(out)


class BytesIter:
    """A MsgIter over bytes already in the kernel (write(), a forwarder)."""
    __slots__ = ("data", "pos", "left")

    def __init__(self, data):
        self.data = data
        self.pos = 0
        self.left = len(data)

    def __len__(self):
        return self.left

    def copy(self, n):
        n = min(n, self.left)
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        self.left -= n
        return bytes(out)
