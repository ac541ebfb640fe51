"""fs/pagecache.py - struct address_space: a file's pages in physmem.

Every regular file's data passes through its page cache: read() and write()
copy between guest memory and cache frames, and mmap() maps the very same
frames into guests (read-only for private mappings until a write copies
them, read-write for shared ones).  So two processes mapping one file see
each other's writes, and a binary exec'd a hundred times is in memory once.

tmpfs keeps its files only here (its pages are the file); a filesystem with
a backing store (hostfs) fills pages with readpage() and writes dirty ones
back with writepage().  Cache frames carry PG_CACHE and one reference held
by the cache.
"""

from mm import physmem as _pm
from mm.physmem import PAGE_SHIFT, PAGE_SIZE, PG_CACHE, OutOfMemory
from kernel import task as ktask
from kernel.errno import Errno
from mm.memory import zap_page_range
from mm.vma import VM_MAYWRITE, VM_SHARED


class AddressSpace:
    # declared defaults
    elf_image = None                    # parsed ELF headers (fs/binfmt_elf.py's cache)
    exec_faults = None                  # first faults of its program (fs/exec_prefault.py)
    wb_err = 0                          # write-back errors so far (errseq, fs/fs_writeback.py)

    def __init__(self, host, backed=False):
        self.host = host                # the inode
        self.pages = {}                 # page index -> pfn
        self.dirty = set()              # page indexes to write back
        self.backed = backed            # True: readpage() fills pages

    def nrpages(self):
        return len(self.pages)

    def find_page(self, index):
        return self.pages.get(index)

    def _add(self, index, pfn):
        _pm.physmem.flags[pfn] |= PG_CACHE
        self.pages[index] = pfn
        if not self.backed:
            self.host.sb.nr_pages += 1

    def _new_frame(self):
        """A frame for a new page; a full tmpfs is OutOfMemory (ENOSPC)."""
        sb = self.host.sb
        if not self.backed and sb.max_pages is not None and sb.nr_pages >= sb.max_pages:
            raise OutOfMemory()
        return _pm.physmem.alloc_frame()

    def _drop(self, index):
        """Take page index out of the cache (the caller unmapped it)."""
        pm = _pm.physmem
        pfn = self.pages.pop(index)
        self.dirty.discard(index)
        pm.flags[pfn] &= ~PG_CACHE
        pm.put_frame(pfn)
        if not self.backed:
            self.host.sb.nr_pages -= 1

    def read_page(self, index):
        """The page at index, read in if needed; None beyond end of file."""
        pfn = self.pages.get(index)
        if pfn is not None:
            return pfn
        if index << PAGE_SHIFT >= self.host.size:
            return None
        pm = _pm.physmem
        pfn = self._new_frame()
        if self.backed:
            off = pfn << PAGE_SHIFT
            try:
                self.host.readpage(index, pm.mem[off:off + PAGE_SIZE])
            except BaseException:
                pm.put_frame(pfn)
                raise
        self._add(index, pfn)
        return pfn

    def grab_page(self, index):
        """The page at index for writing, created (zeroed) if missing."""
        pfn = self.pages.get(index)
        if pfn is None:
            if self.backed and index << PAGE_SHIFT < self.host.size:
                return self.read_page(index)
            pfn = self._new_frame()
            self._add(index, pfn)
        return pfn

    def mark_dirty(self, index):
        if self.backed:
            self.dirty.add(index)

    # -- byte-level access ---------------------------------------------------
    def read(self, pos, count):
        """Up to count bytes at pos (stops at end of file)."""
        size = self.host.size
        if pos >= size or count <= 0:
            return b""
        count = min(count, size - pos)
        mem = _pm.physmem.mem
        out = bytearray()
        while count > 0:
            index, off = pos >> PAGE_SHIFT, pos & (PAGE_SIZE - 1)
            chunk = min(count, PAGE_SIZE - off)
            pfn = self.read_page(index) if self.backed else self.pages.get(index)
            if pfn is None:
                out += bytes(chunk)             # a hole
            else:
                base = (pfn << PAGE_SHIFT) + off
                out += mem[base:base + chunk]
            pos += chunk
            count -= chunk
        return bytes(out)

    def write(self, pos, data):
        """Write data at pos, growing the file.  Raises OutOfMemory."""
        mem = _pm.physmem.mem
        n = len(data)
        done = 0
        try:
            while done < n:
                index, off = pos >> PAGE_SHIFT, pos & (PAGE_SIZE - 1)
                chunk = min(n - done, PAGE_SIZE - off)
                pfn = self.grab_page(index)
                base = (pfn << PAGE_SHIFT) + off
                mem[base:base + chunk] = data[done:done + chunk]
                self.mark_dirty(index)
                pos += chunk
                done += chunk
                if pos > self.host.size:
                    self.host.size = pos
        finally:
            if pos > self.host.size:
                self.host.size = pos
        return done

    def zero_range(self, start, end):
        """Bytes [start, end) read as zero afterwards: whole pages are
        dropped (holes), partial ones cleared.  Allocates nothing."""
        pm = _pm.physmem
        first_whole = (start + PAGE_SIZE - 1) >> PAGE_SHIFT
        last_whole = end >> PAGE_SHIFT                      # exclusive
        for index in [i for i in self.pages if first_whole <= i < last_whole]:
            pfn = self.pages[index]
            if self.backed:
                pm.frame_view(pfn)[:] = bytes(PAGE_SIZE)
                self.dirty.add(index)
            else:
                self._drop(index)
        for index in {start >> PAGE_SHIFT, (end - 1) >> PAGE_SHIFT}:
            if first_whole <= index < last_whole:
                continue
            pfn = self.pages.get(index)
            if pfn is None:
                continue
            lo = max(start, index << PAGE_SHIFT) - (index << PAGE_SHIFT)
            hi = min(end, (index + 1) << PAGE_SHIFT) - (index << PAGE_SHIFT)
            pm.frame_view(pfn)[lo:hi] = bytes(hi - lo)
            self.mark_dirty(index)
        if not self.backed and last_whole > first_whole:
            unmap_mapping_range(self.host, first_whole, last_whole)

    def truncate(self, size):
        """Drop pages wholly beyond size; zero the tail of the last one.
        Mappings lose their ptes beyond the new end: touching there is
        SIGBUS, as on Linux."""
        pm = _pm.physmem
        first_gone = (size + PAGE_SIZE - 1) >> PAGE_SHIFT
        if self.pages:
            unmap_mapping_range(self.host, first_gone)
        for index in [i for i in self.pages if i >= first_gone]:
            self._drop(index)
        if size & (PAGE_SIZE - 1):
            pfn = self.pages.get(size >> PAGE_SHIFT)
            if pfn is not None:
                off = (pfn << PAGE_SHIFT) + (size & (PAGE_SIZE - 1))
                end = (pfn + 1) << PAGE_SHIFT
                pm.mem[off:end] = bytes(end - off)

    def release(self):
        """The inode is gone: give every page back."""
        self.truncate(0)


def mapping_vmas(inode):
    """(mm, vma) for every mapping of inode in every address space (there is
    no reverse map: walk the tasks' mms, each once)."""
    seen = set()
    for t in list(ktask.tasks.values()):
        mm = t.mm
        if mm is None or id(mm) in seen:
            continue
        seen.add(id(mm))
        for vma in list(mm.vmas):
            if vma.file is not None and vma.file.inode is inode:
                yield mm, vma


def unmap_mapping_range(inode, first_pgoff, end_pgoff=None):
    """Drop every pte that maps inode's pages from first_pgoff on (up to
    end_pgoff), in every address space."""
    for mm, vma in mapping_vmas(inode):
        start = vma.start + max(0, (first_pgoff - vma.pgoff) << PAGE_SHIFT)
        end = vma.end
        if end_pgoff is not None:
            end = min(end, vma.start + max(0, (end_pgoff - vma.pgoff) << PAGE_SHIFT))
        if start >= end:
            continue
        if zap_page_range(mm, start, end):
            mm.note_unmap(start, end)


def dirty_vma_pages(vma, start=None, end=None):
    """A writable shared mapping may have stored into any page it maps
    without a fault (the pte stays writable): take them all as dirty."""
    f = vma.file
    if f is None or f.mapping is None or not vma.flags & VM_SHARED \
            or not vma.flags & VM_MAYWRITE or not f.mapping.backed:
        return
    start = vma.start if start is None else max(start, vma.start)
    end = vma.end if end is None else min(end, vma.end)
    first = vma.pgoff + ((start - vma.start) >> PAGE_SHIFT)
    last = first + ((end - start) >> PAGE_SHIFT)
    pages = f.mapping.pages
    for index in range(first, last) if last - first < len(pages) else \
            [i for i in pages if first <= i < last]:
        if index in pages:
            f.mapping.dirty.add(index)


def filemap_close(vma):
    """A shared file mapping goes away (munmap, exit): its dirty pages go
    to the backing store (hostfs) now."""
    f = vma.file
    if f is None or not vma.flags & VM_SHARED:
        return
    dirty_vma_pages(vma)
    try:
        f.inode.sync()
    except Errno:
        pass
