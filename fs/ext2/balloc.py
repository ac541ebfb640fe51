"""fs/ext2/balloc.py - allocating and freeing blocks (the block bitmaps).

Each block group has a bitmap of its blocks, one bit each, in a block of
its own; the group descriptor and the superblock count the free ones, and
all three change together.  A new block goes as near its goal as it can
(the block after the file's previous one, so files stay contiguous): the
goal's group first, from the goal on, then the other groups in turn.  The
last few percent (s_r_blocks_count) are kept for root, as Linux does.

Finding a clear bit is a scan of the bitmap's bytes for one that is not
0xff, done by bytes.lstrip in C, then a look at that byte.
"""

from kernel.errno import ENOSPC, Errno
from kernel.capability import CAP_SYS_RESOURCE, capable
from fs.buffer import bforget, mark_buffer_dirty
from kernel import sched


def find_zero_bit(data, start, limit):
    """The first clear bit in [start, limit) of the bytes data, or -1."""
    if start >= limit:
        return -1
    byte = start >> 3
    b = data[byte]
    bit = start & 7
    if bit:
        free = ~b & (0xFF << bit) & 0xFF
        if free:
            i = (byte << 3) + ((free & -free).bit_length() - 1)
            return i if i < limit else -1
        byte += 1
    end = (limit + 7) >> 3
    rest = data[byte:end]
    skip = len(rest) - len(rest.lstrip(b"\xff"))
    byte += skip
    if byte >= end:
        return -1
    b = data[byte]
    free = ~b & 0xFF
    i = (byte << 3) + ((free & -free).bit_length() - 1)
    return i if i < limit else -1


def test_bit(view, nr):
    return view[nr >> 3] >> (nr & 7) & 1


def set_bit(view, nr):
    view[nr >> 3] |= 1 << (nr & 7)


def clear_bit(view, nr):
    view[nr >> 3] &= ~(1 << (nr & 7)) & 0xFF


def blocks_in_group(sb, g):
    if g == sb.groups_count - 1:
        return sb.blocks_count - sb.group_first_block(g)
    return sb.blocks_per_group


def _may_use_reserved(sb):
    t = sched.current
    if t is None:
        return True
    cred = t.cred
    es = sb.es
    return capable(t, CAP_SYS_RESOURCE) or cred.fsuid == es.s_def_resuid \
        or cred.fsgid == es.s_def_resgid


def new_block(sb, goal):
    """Allocate one block, near goal if it can; ENOSPC if none is free."""
    free = sb.free_blocks_count()
    if free == 0 or (free <= sb.r_blocks_count() and not _may_use_reserved(sb)):
        raise Errno(ENOSPC)
    first = sb.es.s_first_data_block
    if not first <= goal < sb.blocks_count:
        goal = first
    g0 = (goal - first) // sb.blocks_per_group
    n = sb.groups_count
    for i in range(n + 1):
        g = (g0 + i) % n
        gd = sb.gdt[g]
        if gd.free_blocks(sb) == 0:
            continue
        start = goal - sb.group_first_block(g) if i == 0 else 0
        bh = sb.read_block_bitmap(gd)
        data = bh.read()
        limit = blocks_in_group(sb, g)
        bit = find_zero_bit(data, start, limit)
        if bit < 0 and start:
            bit = find_zero_bit(data, 0, start)
        if bit < 0:
            sb.error("ext2_new_block", "group %d has free blocks counted but none in its bitmap" % g)
            continue
        set_bit(bh.data, bit)
        mark_buffer_dirty(bh)
        _count(sb, gd, -1)
        block = sb.group_first_block(g) + bit
        bforget(sb.bdev, block, sb.blocksize)
        return block
    raise Errno(ENOSPC)


def _count(sb, gd, delta):
    v = gd.free_blocks(sb) + delta
    gd.bg_free_blocks_count = v & 0xFFFF
    if sb.is64:
        gd.bg_free_blocks_count_hi = v >> 16
    sb.set_free_blocks_count(sb.free_blocks_count() + delta)
    sb.mark_group_dirty(gd)


def in_system_zone(sb, block):
    """Is block one of a group's bitmaps or inode table blocks?"""
    first = sb.es.s_first_data_block
    g = (block - first) // sb.blocks_per_group
    if not 0 <= g < sb.groups_count:
        return True
    gd = sb.gdt[g]
    it = gd.inode_table(sb)
    return block in (gd.block_bitmap(sb), gd.inode_bitmap(sb)) or it <= block < it + sb.itb_per_group


def free_blocks(sb, block, count=1):
    """Give blocks [block, block+count) back."""
    first = sb.es.s_first_data_block
    for blk in range(block, block + count):
        if blk < first or blk >= sb.blocks_count or in_system_zone(sb, blk):
            sb.error("ext2_free_blocks", "Freeing blocks not in datazone - block = %d, count = 1"
                     % blk)
            continue
        g = (blk - first) // sb.blocks_per_group
        gd = sb.gdt[g]
        bh = sb.read_block_bitmap(gd)
        view = bh.data
        bit = blk - sb.group_first_block(g)
        if not test_bit(view, bit):
            sb.error("ext2_free_blocks", "bit already cleared for block %d" % blk)
            continue
        clear_bit(view, bit)
        mark_buffer_dirty(bh)
        _count(sb, gd, +1)
        bforget(sb.bdev, blk, sb.blocksize)
