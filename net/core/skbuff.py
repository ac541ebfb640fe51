"""net/core/skbuff.py - socket buffers: the byte queues of stream sockets
and the datagrams of datagram sockets.

A TCP socket's receive queue (and the part of its send queue the peer has
not taken yet) is a ByteQueue: chunks of bytes as they were written, so
that moving data between the two ends moves references, not bytes, and a
64 KiB write costs one copy from the writer's memory and one into the
reader's.  A UDP or netlink socket's queue holds Datagram records.
"""

from collections import deque


class ByteQueue:
    """A FIFO of bytes kept as the chunks that were appended."""
    __slots__ = ("chunks", "head", "nbytes")

    def __init__(self):
        self.chunks = deque()
        self.head = 0                   # bytes of chunks[0] already taken
        self.nbytes = 0

    def __len__(self):
        return self.nbytes

    def __bool__(self):
        return self.nbytes > 0

    def append(self, data):
        if data:
            self.chunks.append(data)
            self.nbytes += len(data)

    def take(self, n):
        """Remove and return up to n bytes."""
        out = []
        left = min(n, self.nbytes)
        self.nbytes -= left
        chunks = self.chunks
        while left:
            c = chunks[0]
            avail = len(c) - self.head
            if avail <= left:
                out.append(c[self.head:] if self.head else c)
                chunks.popleft()
                self.head = 0
                left -= avail
            else:
                out.append(c[self.head:self.head + left])
                self.head += left
                left = 0
        if len(out) == 1:
            return bytes(out[0])
        return b"".join(out)

    def take_chunk(self, n):
        """Up to n bytes, at most one chunk: what a segment carries."""
        c = self.chunks[0]
        avail = len(c) - self.head
        if avail <= n and not self.head:
            self.chunks.popleft()
            self.nbytes -= avail
            return c
        return self.take(min(n, avail))

    def peek(self, off, n):
        """Up to n bytes starting off bytes in, without removing them."""
        out = []
        pos = -self.head
        for c in self.chunks:
            end = pos + len(c)
            if end > off:
                lo = max(off - pos, 0)
                hi = min(len(c), off + n - pos)
                out.append(c[lo:hi])
                if pos + hi >= off + n:
                    break
            pos = end
        return b"".join(out)

    def push_front(self, data):
        """Put bytes back at the head (a reader that could not take them)."""
        if self.head:
            self.chunks[0] = self.chunks[0][self.head:]
            self.head = 0
        self.chunks.appendleft(data)
        self.nbytes += len(data)

    def clear(self):
        self.chunks.clear()
        self.head = 0
        self.nbytes = 0


class Datagram:
    """One queued message: its bytes, who sent it, what it costs."""
    __slots__ = ("data", "src", "truesize", "extra")

    def __init__(self, data, src, truesize, extra=None):
        self.data = data
        self.src = src                  # the sender's address (family-specific)
        self.truesize = truesize
        self.extra = extra


_KMALLOC = (8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192)


def skb_truesize(n):
    """The memory an skb with n bytes of linear data is charged
    (SKB_TRUESIZE of a kmalloc'd head): what fills SO_RCVBUF."""
    size = ((n + 63) & ~63) + 320       # + skb_shared_info
    for b in _KMALLOC:
        if size <= b:
            break
    else:
        b = 4096
        while b < size:
            b <<= 1
    return b + 256                      # + struct sk_buff
