"""mm/vmscan.py - page reclaim: giving back page-cache frames when memory
runs out.

tmpfs pages are the files themselves and anonymous memory has no swap,
but a page cached from a disk (fs/mpage.py: a file on ext2, a disk's own
cache) or a host file (fs/hostfs.py) can always be read again: their
mappings are ReclaimableMappings.  Such pages are kept on one list in the
order they came into the cache (the LRU, without Linux's active/inactive
split).  When the frame allocator finds no free frame it calls
try_to_free_pages(), which walks the list from the oldest page and drops
clean ones nobody maps; a dirty, mapped or pinned page gets a second
chance at the young end.  If nothing could be dropped, every dirty page is
handed to write-back first (its bytes go to the driver, so the pages are
clean at once) and the walk runs again.
"""

from collections import OrderedDict
from itertools import islice

from fs.fs_writeback import writeback_sbs
from fs.pagecache import AddressSpace
from mm import physmem as _pm

SWAP_CLUSTER_MAX = 32           # frames reclaimed per call, as Linux
_lru = OrderedDict()            # (id(mapping), index) -> mapping, oldest first
_reclaiming = False
stats = {"reclaimed": 0, "scans": 0}


def lru_add(mapping, index):
    _lru[(id(mapping), index)] = mapping


def lru_del(mapping, index):
    _lru.pop((id(mapping), index), None)


class ReclaimableMapping(AddressSpace):
    """A page cache whose pages can be read again from where they came
    from (a disk: fs/mpage.py; a host file: fs/hostfs.py): each is on the
    LRU while cached."""

    def __init__(self, host):
        super().__init__(host, backed=True)

    def _add(self, index, pfn):
        super()._add(index, pfn)
        lru_add(self, index)

    def _drop(self, index):
        super()._drop(index)
        lru_del(self, index)

    def evict_page(self, index):
        """Reclaim: the page is clean and unmapped; let it go."""
        self._drop(index)
        forget = getattr(self.host, "page_evicted", None)
        if forget is not None:
            forget(index)

    def page_busy(self, index):
        """Pinned by something reclaim cannot see (block/bdev.py overrides)."""
        return False


def shrink_page_cache(nr_to_reclaim=SWAP_CLUSTER_MAX):
    """Drop up to nr_to_reclaim clean, unmapped cached pages."""
    pm = _pm.physmem
    freed = 0
    stats["scans"] += 1
    for key in list(islice(_lru, 0, max(4 * nr_to_reclaim, 256))):
        mapping = _lru.get(key)
        if mapping is None:
            continue
        index = key[1]
        pfn = mapping.pages.get(index)
        if pfn is None:
            del _lru[key]
            continue
        if index in mapping.dirty or pm.refcount[pfn] > 1 or mapping.page_busy(index):
            _lru.move_to_end(key)               # second chance
            continue
        mapping.evict_page(index)
        freed += 1
        if freed >= nr_to_reclaim:
            break
    stats["reclaimed"] += freed
    return freed


def try_to_free_pages():
    """The frame allocator's last resort; True if frames were freed."""
    global _reclaiming
    if _reclaiming or not _lru:
        return False
    _reclaiming = True
    try:
        if shrink_page_cache():
            return True
        for sb in list(writeback_sbs):
            try:
                sb.writeback()
            except Exception:
                pass
        return shrink_page_cache() > 0
    finally:
        _reclaiming = False
