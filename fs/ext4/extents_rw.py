"""fs/ext4/extents_rw.py - changing an inode's extent tree (read-write mounts).

fs/ext4/extents.py looks blocks up in the tree on disk.  Once a file is
written (or truncated) on a read-write mount, its tree is read whole
into an ExtentTree: the sorted list of its extents, and the list of the
blocks the tree itself occupies.  Allocation changes the list (a block
right after the previous extent's end grows that extent, as Linux's
ext4_ext_try_to_merge does; any other starts a new one); truncation
shortens and drops extents and frees their blocks.

The tree on disk is rewritten from the list when the inode is written
back: the extents packed into as few leaves as fit, the leaves into index
blocks, until four entries or fewer are left for the root in i_block -
the shallowest tree there is (what e2fsck -E bmap2extent would build).
Its blocks are the ones it had, more allocated or the extra ones freed;
each gets its header and checksum tail.  The blocks the new list needs
are reserved as each extent is added, so write-back never needs a block
the disk does not have.
"""

import bisect
import struct

from fs.buffer import bforget, mark_buffer_dirty, sb_getblk
from fs.ext2.balloc import free_blocks
from fs.ext4 import csum as C
from fs.ext4.extents import (EXT4_EXT_MAGIC, EXT_INIT_MAX_LEN, MAX_DEPTH, read_extent_block,
                             HEADER, INDEX, LEAF)

ROOT_ENTRIES = 4                                # what i_block holds after the header
EXT_UNWRITTEN_MAX_LEN = EXT_INIT_MAX_LEN - 1


class Extent:
    """File blocks [lblk, lblk+len) are disk blocks [pblk, pblk+len)."""
    __slots__ = ("lblk", "len", "pblk", "unwritten")

    def __init__(self, lblk, length, pblk, unwritten=False):
        self.lblk, self.len, self.pblk, self.unwritten = lblk, length, pblk, unwritten

    def end(self):
        return self.lblk + self.len


class ExtentTree:
    def __init__(self, inode):
        self.inode = inode
        self.extents = []               # sorted by lblk, not overlapping
        self.blocks = []                # the tree's own (index and leaf) blocks
        self.dirty = False
        self._load(struct.pack("<15I", *inode.i_block), 0)

    # -- reading the tree on disk --------------------------------------------------------
    def _load(self, data, level):
        inode = self.inode
        sb = inode.sb
        magic, entries, emax, depth, _ = HEADER.unpack_from(data, 0)
        if magic != EXT4_EXT_MAGIC or entries > emax or 12 + 12 * emax > len(data) \
                or level > MAX_DEPTH:
            sb.corrupt("ext4_ext_check", "inode #%d: bad extent header (level %d)"
                       % (inode.ino, level))
        for i in range(entries):
            if depth == 0:
                ee_block, ee_len, hi, lo = LEAF.unpack_from(data, 12 + 12 * i)
                unwritten = ee_len > EXT_INIT_MAX_LEN
                length = ee_len - EXT_INIT_MAX_LEN if unwritten else ee_len
                self.extents.append(Extent(ee_block, length, (hi << 32) | lo, unwritten))
            else:
                _, leaf_lo, leaf_hi, _ = INDEX.unpack_from(data, 12 + 12 * i)
                blk = (leaf_hi << 32) | leaf_lo
                if not sb.es.s_first_data_block <= blk < sb.blocks_count:
                    sb.corrupt("ext4_ext_check", "inode #%d: extent block %d out of range"
                               % (inode.ino, blk))
                self.blocks.append(blk)
                self._load(read_extent_block(inode, blk), level + 1)

    # -- lookups and allocation ------------------------------------------------------------
    def _find(self, iblock):
        """Index of the extent holding iblock or the last one before it, -1 if none."""
        return bisect.bisect_right(self.extents, iblock, key=_lblk) - 1

    def map(self, iblock):
        i = self._find(iblock)
        if i < 0:
            return 0
        e = self.extents[i]
        if iblock >= e.end() or e.unwritten:
            return 0
        return e.pblk + iblock - e.lblk

    def get_block(self, iblock, create):
        i = self._find(iblock)
        prev = self.extents[i] if i >= 0 else None
        if prev is not None and iblock < prev.end():
            if not prev.unwritten:
                return prev.pblk + iblock - prev.lblk
            if not create:
                return 0
            return self._write_unwritten(i, iblock)
        if not create:
            return 0
        self.reserve(len(self.extents) + 1)
        inode = self.inode
        goal = prev.pblk + iblock - prev.lblk if prev is not None else None
        blk = inode._alloc(iblock, indirect=False, goal=goal)
        if prev is not None and not prev.unwritten and prev.end() == iblock and \
                prev.pblk + prev.len == blk and prev.len < EXT_INIT_MAX_LEN:
            prev.len += 1
        else:
            i += 1
            self.extents.insert(i, Extent(iblock, 1, blk))
        self._merge_next(i)
        self.dirty = True
        return blk

    def _merge_next(self, i):
        if i + 1 >= len(self.extents):
            return
        e, nxt = self.extents[i], self.extents[i + 1]
        if not e.unwritten and not nxt.unwritten and e.end() == nxt.lblk and \
                e.pblk + e.len == nxt.pblk and e.len + nxt.len <= EXT_INIT_MAX_LEN:
            e.len += nxt.len
            del self.extents[i + 1]

    def _write_unwritten(self, i, iblock):
        """A write into a preallocated (unwritten) extent: the block becomes
        an initialised extent of its own between what stays unwritten."""
        self.reserve(len(self.extents) + 2)
        e = self.extents[i]
        off = iblock - e.lblk
        pieces = []
        if off:
            pieces.append(Extent(e.lblk, off, e.pblk, True))
        pieces.append(Extent(iblock, 1, e.pblk + off))
        if off + 1 < e.len:
            pieces.append(Extent(iblock + 1, e.len - off - 1, e.pblk + off + 1, True))
        self.extents[i:i + 1] = pieces
        self.dirty = True
        return e.pblk + off

    def reserve(self, n_extents):
        """Allocate now the tree blocks n_extents will need (ENOSPC here, not
        at write-back)."""
        inode = self.inode
        need = tree_blocks_needed(n_extents, per_block(inode.sb))
        while len(self.blocks) < need:
            goal = self.blocks[-1] + 1 if self.blocks else None
            self.blocks.append(inode._alloc(0, indirect=True, goal=goal))

    # -- truncation ------------------------------------------------------------------------
    def truncate(self, first):
        """Free every block from file block first on."""
        inode = self.inode
        sb = inode.sb
        keep = []
        for e in self.extents:
            if e.end() <= first:
                keep.append(e)
                continue
            self.dirty = True
            cut = max(0, first - e.lblk)
            count = e.len - cut
            free_blocks(sb, e.pblk + cut, count)
            inode.i_blocks = max(0, inode.i_blocks - count * (sb.blocksize >> 9))
            if cut:
                e.len = cut
                keep.append(e)
        self.extents = keep

    # -- writing the tree ------------------------------------------------------------------
    def write(self):
        """The list as a tree: leaves and index blocks, the root into i_block."""
        inode = self.inode
        sb = inode.sb
        bs = sb.blocksize
        per = per_block(sb)
        entries = [(e.lblk, LEAF.pack(e.lblk, e.len + (EXT_INIT_MAX_LEN if e.unwritten else 0),
                                      e.pblk >> 32, e.pblk & 0xFFFFFFFF))
                   for e in self.extents]
        used = 0
        depth = 0
        while len(entries) > ROOT_ENTRIES:
            upper = []
            for k in range(0, len(entries), per):
                chunk = entries[k:k + per]
                blk = self.blocks[used]
                used += 1
                buf = bytearray(bs)
                HEADER.pack_into(buf, 0, EXT4_EXT_MAGIC, len(chunk), per, depth, 0)
                buf[12:12 + 12 * len(chunk)] = b"".join(raw for _, raw in chunk)
                if sb.has_csum:
                    tail = 12 + 12 * per
                    struct.pack_into("<I", buf, tail, C.tail_csum(inode.csum_seed, buf, tail))
                bh = sb_getblk(sb.bdev, blk, bs)
                bh.data[:] = buf
                mark_buffer_dirty(bh)
                sb.csum_ok.add(blk)
                upper.append((chunk[0][0], INDEX.pack(chunk[0][0], blk & 0xFFFFFFFF,
                                                      blk >> 32, 0)))
            entries = upper
            depth += 1
        root = bytearray(60)
        HEADER.pack_into(root, 0, EXT4_EXT_MAGIC, len(entries), ROOT_ENTRIES, depth, 0)
        root[12:12 + 12 * len(entries)] = b"".join(raw for _, raw in entries)
        inode.i_block = list(struct.unpack("<15I", root))
        for blk in self.blocks[used:]:
            bforget(sb.bdev, blk, bs)
            free_blocks(sb, blk)
            inode.i_blocks = max(0, inode.i_blocks - (bs >> 9))
        del self.blocks[used:]
        self.dirty = False


def _lblk(e):
    return e.lblk


def per_block(sb):
    """Entries in a tree block: after the 12-byte header, before the 4-byte tail."""
    return (sb.blocksize - 12) // 12


def tree_blocks_needed(n, per):
    total = 0
    while n > ROOT_ENTRIES:
        n = (n + per - 1) // per
        total += n
    return total


def empty_root():
    """i_block of a new extent-mapped inode: a header with no entries."""
    root = bytearray(60)
    HEADER.pack_into(root, 0, EXT4_EXT_MAGIC, 0, ROOT_ENTRIES, 0, 0)
    return list(struct.unpack("<15I", root))
