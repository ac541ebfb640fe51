"""net/core/iov_iter.py - the bytes of a send, read from guest memory as a
protocol takes them.

sendmsg names its data by an iovec (a list of guest buffers).  AF_UNIX
takes it all at once; TCP takes it in pieces, as many as its send buffer
has room for, so that a 1 GiB write on a blocking socket does not first
copy 1 GiB into the kernel, and a bad buffer past the first pieces gives
a short count rather than EFAULT, as Linux's copy loop does.
"""

from mm.uaccess import copy_from_user


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
        """Take the next n bytes.  A bad buffer anywhere in them is EFAULT
        for the whole piece (nothing is taken), as Linux's copy of one
        segment's worth is all or nothing; pieces taken before stay sent."""
        n = min(n, self.left)
        out = []
        idx, off, left = self.idx, self.off, n
        while left:
            base, ln = self.vec[idx]
            chunk = min(left, ln - off)
            out.append(copy_from_user(self.mm, base + off, chunk))
            off += chunk
            left -= chunk
            if off == ln:
                idx += 1
                off = 0
        self.idx, self.off = idx, off
        self.left -= n
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
