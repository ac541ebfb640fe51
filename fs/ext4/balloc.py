"""fs/ext4/balloc.py - ext4's uninitialised groups, and the checksums of bitmaps.

mkfs.ext4 leaves most block groups uninitialised: a group flagged
BLOCK_UNINIT has no block bitmap on disk (all its blocks are free but the
group's own metadata), one flagged INODE_UNINIT no inode bitmap (all its
inodes are free), and bg_itable_unused counts the inodes at the end of a
group's table that were never used (e2fsck does not look at them).  The
first allocation in such a group builds its bitmap in memory, as Linux's
ext4_init_block_bitmap and ext4_init_inode_bitmap do, and clears the
flag; a new inode beyond the used part of the table moves the mark.

With metadata_csum each descriptor holds the CRC-32C of its two bitmaps
(over the bits of the group only: blocks_per_group / 8 and
inodes_per_group / 8 bytes), 16 bits of each in a 32-byte descriptor, 32
in a 64-byte one.
"""

from lib.crc32c import crc32c
from fs.ext2 import layout as L
from fs.ext2.balloc import blocks_in_group, set_bit

EXT4_BG_BLOCK_BITMAP_CSUM_HI_END = 58       # descriptors this long hold the high halves
EXT4_BG_INODE_BITMAP_CSUM_HI_END = 60


def init_block_bitmap(sb, gd, view):
    """The block bitmap of a BLOCK_UNINIT group: its superblock backup and
    descriptor blocks, the bitmaps and inode tables (of any group, with
    flex_bg) that lie in it, and the padding past the group's end."""
    g = gd.nr
    first = sb.group_first_block(g)
    nblocks = blocks_in_group(sb, g)
    view[:] = bytes(len(view))
    if sb.bg_has_super(g):
        gdb = (sb.groups_count + sb.desc_per_block - 1) // sb.desc_per_block
        for bit in range(1 + gdb + sb.es.s_reserved_gdt_blocks):
            set_bit(view, bit)
    for other in sb.gdt:
        it = other.inode_table(sb)
        for lo, hi in ((other.block_bitmap(sb), other.block_bitmap(sb) + 1),
                       (other.inode_bitmap(sb), other.inode_bitmap(sb) + 1),
                       (it, it + sb.itb_per_group)):
            for blk in range(max(lo, first), min(hi, first + nblocks)):
                set_bit(view, blk - first)
    for bit in range(nblocks, 8 * sb.blocksize):
        set_bit(view, bit)


def init_inode_bitmap(sb, view):
    """The inode bitmap of an INODE_UNINIT group: all free, the padding set."""
    view[:] = bytes(len(view))
    for bit in range(sb.inodes_per_group, 8 * sb.blocksize):
        set_bit(view, bit)


def set_bitmap_csums(sb, gd):
    """The descriptor's bitmap checksums, from the bitmaps as they are now."""
    if not gd.bg_flags & L.EXT4_BG_BLOCK_UNINIT:
        data = sb.read_block_bitmap(gd).read()
        c = crc32c(sb.csum_seed, data[:sb.blocks_per_group // 8])
        gd.bg_block_bitmap_csum_lo = c & 0xFFFF
        if sb.desc_size >= EXT4_BG_BLOCK_BITMAP_CSUM_HI_END:
            gd.bg_block_bitmap_csum_hi = c >> 16
    if not gd.bg_flags & L.EXT4_BG_INODE_UNINIT:
        data = sb.read_inode_bitmap(gd).read()
        c = crc32c(sb.csum_seed, data[:sb.inodes_per_group // 8])
        gd.bg_inode_bitmap_csum_lo = c & 0xFFFF
        if sb.desc_size >= EXT4_BG_INODE_BITMAP_CSUM_HI_END:
            gd.bg_inode_bitmap_csum_hi = c >> 16
