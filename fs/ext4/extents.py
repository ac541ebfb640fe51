"""fs/ext4/extents.py - mapping file blocks through ext4's extent tree.

An extent-mapped inode (EXT4_EXTENTS_FL) keeps a small tree in i_block
instead of block pointers: a header (magic 0xf30a, entries, max, depth),
then at depth 0 leaf extents "file blocks [ee_block, ee_block+len) are
disk blocks [start, start+len)" (a length above 32768 is an unwritten,
preallocated extent, which reads as zeros), or at depth > 0 index entries
pointing to blocks holding the next level, each of those with the same
header and a checksum tail after its last possible entry.  A lookup
takes, at every level, the last entry starting at or before the block
(binary search); the extent found last is remembered, so reading a file
front to back walks the tree once per extent.
"""

import struct

from fs.buffer import sb_bread
from fs.ext4 import csum as C

EXT4_EXT_MAGIC = 0xF30A
EXT_INIT_MAX_LEN = 1 << 15
HEADER = struct.Struct("<HHHHI")
LEAF = struct.Struct("<IHHI")              # ee_block, ee_len, ee_start_hi, ee_start_lo
INDEX = struct.Struct("<IIHH")             # ei_block, ei_leaf_lo, ei_leaf_hi, unused
MAX_DEPTH = 5


def _last_at_or_before(data, n, iblock):
    """Index of the last of n 12-byte entries (after the header) whose first
    u32 is <= iblock, or -1."""
    lo, hi = 0, n - 1
    found = -1
    while lo <= hi:
        mid = (lo + hi) // 2
        if struct.unpack_from("<I", data, 12 + 12 * mid)[0] <= iblock:
            found = mid
            lo = mid + 1
        else:
            hi = mid - 1
    return found


def ext4_map_block(inode, iblock):
    """The disk block of file block iblock, 0 for a hole or an unwritten extent."""
    cached = inode.extent_cache
    if cached is not None and cached[0] <= iblock < cached[0] + cached[1]:
        return cached[2] + (iblock - cached[0]) if cached[2] else 0
    sb = inode.sb
    data = struct.pack("<15I", *inode.i_block)
    for level in range(MAX_DEPTH + 1):
        magic, entries, emax, depth, _ = HEADER.unpack_from(data, 0)
        if magic != EXT4_EXT_MAGIC or entries > emax or 12 + 12 * emax > len(data):
            sb.corrupt("ext4_ext_find_extent", "inode #%d: bad extent header (level %d)"
                       % (inode.ino, level))
        i = _last_at_or_before(data, entries, iblock)
        if i < 0:
            return 0
        if depth == 0:
            ee_block, ee_len, hi, lo = LEAF.unpack_from(data, 12 + 12 * i)
            unwritten = ee_len > EXT_INIT_MAX_LEN
            length = ee_len - EXT_INIT_MAX_LEN if unwritten else ee_len
            if iblock >= ee_block + length:
                return 0
            start = (hi << 32) | lo
            inode.extent_cache = (ee_block, length, 0 if unwritten else start)
            return 0 if unwritten else start + (iblock - ee_block)
        _, leaf_lo, leaf_hi, _ = INDEX.unpack_from(data, 12 + 12 * i)
        blk = (leaf_hi << 32) | leaf_lo
        if not sb.es.s_first_data_block <= blk < sb.blocks_count:
            sb.corrupt("ext4_ext_find_extent", "inode #%d: extent block %d out of range"
                       % (inode.ino, blk))
        data = read_extent_block(inode, blk)
    sb.corrupt("ext4_ext_find_extent", "inode #%d: extent tree too deep" % inode.ino)


def read_extent_block(inode, blk):
    """The bytes of a tree block, its checksum checked the first time."""
    sb = inode.sb
    data = sb_bread(sb.bdev, blk, sb.blocksize).read()
    if sb.has_csum and blk not in sb.csum_ok:
        emax = HEADER.unpack_from(data, 0)[2]
        tail = 12 + 12 * emax
        if tail + 4 <= len(data):
            want = struct.unpack_from("<I", data, tail)[0]
            if C.tail_csum(inode.csum_seed, data, tail) != want:
                sb.corrupt("ext4_extent_block_csum_verify",
                           "inode #%d: extent block %d checksum invalid" % (inode.ino, blk))
        sb.csum_ok.add(blk)
    return data
