"""mm/physmem.py - the machine's physical memory: one memfd, frames, refcounts.

All guest memory lives in one memfd of mem= bytes.  The kernel maps the whole
of it once and reads or writes guest memory, page tables included, through
that mapping; guests map its frames into their host processes with
mmap(MAP_SHARED|MAP_FIXED) from the stub.  Reading a page here costs 0.2 us;
PTRACE_PEEKDATA would cost 1,200 us (PLATFORM.md).

Frames are 4 KiB, numbered by offset / 4096.  Frame 0 is never handed out, so
0 can mean "no frame".  Each frame has a reference count: one for each pte
that maps it, one for the page cache that holds it, one for a page table
that lives in it.  A frame is free exactly when its count is zero.
"""

import math
import mmap
import os
from array import array
from heapq import heappop, heappush

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
PAGE_MASK = ~(PAGE_SIZE - 1)
ZERO_PAGE = bytes(PAGE_SIZE)
PG_CACHE = 1


class OutOfMemory(Exception):
    """No free frame: the caller turns this into ENOMEM or an OOM kill."""


class PhysMem:
    def __init__(self, size):
        size &= PAGE_MASK
        if size < 16 * PAGE_SIZE:
            raise ValueError("mem= too small")
        self.size = size
        # flags=0: no MFD_CLOEXEC, the stub inherits it at a fixed fd number.
        self.fd = os.memfd_create("pyuml-physmem", 0)
        os.ftruncate(self.fd, size)
        self.map = mmap.mmap(self.fd, size, mmap.MAP_SHARED,
                             mmap.PROT_READ | mmap.PROT_WRITE)
        self.mem = memoryview(self.map)          # bytes
        self.q = self.mem.cast("Q")              # little-endian u64 words
        self.nr_frames = size >> PAGE_SHIFT
        self.refcount = array("I", bytes(4 * self.nr_frames))
        # per-frame flags; PG_CACHE: the frame belongs to a page cache
        self.flags = bytearray(self.nr_frames)
        # A min-heap of free frames: the lowest free frame is handed out
        # first, so consecutive allocations tend to be consecutive frames,
        # which the TLB flush maps with a single host mmap.
        self.free_list = list(range(1, self.nr_frames))
        self.nr_free = self.nr_frames - 1

    # -- frames ----------------------------------------------------------
    def alloc_frame(self, zero=True):
        """Take a free frame with refcount 1; zero-filled unless zero=False."""
        fl, rc = self.free_list, self.refcount
        while True:
            while fl:
                pfn = heappop(fl)
                if rc[pfn] == 0:    # skip entries alloc_frames() took since
                    break
            else:
                # none free: page reclaim may drop cached disk pages
                # (mm/vmscan.py); only then is memory really out
                # cycle: mm.vmscan -> mm.physmem
                from mm.vmscan import try_to_free_pages
                if try_to_free_pages():
                    continue
                raise OutOfMemory()
            break
        rc[pfn] = 1
        self.nr_free -= 1
        if zero:
            off = pfn << PAGE_SHIFT
            self.mem[off:off + PAGE_SIZE] = ZERO_PAGE
        return pfn

    def alloc_some(self, n):
        """Up to n zeroed frames (fewer if memory runs out), ascending."""
        out = []
        try:
            for _ in range(n):
                out.append(self.alloc_frame())
        except OutOfMemory:
            pass
        out.sort()
        return out

    def alloc_frames(self, n):
        """n zeroed frames at consecutive addresses, for a stub's pages.

        Single frames come from the bottom of memory, runs from the top, so
        runs stay easy to find.  Frames taken here stay in the free heap as
        stale entries that alloc_frame() skips.
        """
        rc = self.refcount
        pfn = self.nr_frames - n
        while pfn > 0:
            for i in range(n - 1, -1, -1):
                if rc[pfn + i]:
                    pfn = pfn + i - n
                    break
            else:
                for i in range(n):
                    rc[pfn + i] = 1
                self.nr_free -= n
                off = pfn << PAGE_SHIFT
                self.mem[off:off + n * PAGE_SIZE] = bytes(n * PAGE_SIZE)
                return pfn
        raise OutOfMemory()

    def get_frame(self, pfn):
        self.refcount[pfn] += 1

    def put_frame(self, pfn):
        rc = self.refcount[pfn]
        if rc == 0:
            raise AssertionError("put_frame on free frame %d" % pfn)
        rc -= 1
        self.refcount[pfn] = rc
        if rc == 0:
            self.flags[pfn] = 0
            heappush(self.free_list, pfn)
            self.nr_free += 1

    # -- bytes -----------------------------------------------------------
    def frame_view(self, pfn):
        off = pfn << PAGE_SHIFT
        return self.mem[off:off + PAGE_SIZE]

    def copy_frame(self, dst, src):
        d, s = dst << PAGE_SHIFT, src << PAGE_SHIFT
        self.mem[d:d + PAGE_SIZE] = self.mem[s:s + PAGE_SIZE]

    def close(self):
        self.q.release()
        self.mem.release()
        self.map.close()
        os.close(self.fd)


physmem = None          # the machine's one PhysMem, set by setup_physmem()
# vm.min_free_kbytes: the reserve Linux keeps free (init_per_zone_wmark_min's
# sqrt(16 * memory in KiB), 128 KiB to 256 MiB).  There are no watermarks
# here; programs read it to size what they may take (LTP's memory filler).
min_free_kbytes = 128


def setup_physmem(size):
    global physmem, min_free_kbytes
    physmem = PhysMem(size)
    min_free_kbytes = min(max(math.isqrt(16 * (size >> 10)), 128), 262144)
    return physmem
