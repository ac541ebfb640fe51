"""fs/ext2/ialloc.py - allocating and freeing inodes (the inode bitmaps).

Inode n (from 1) is bit (n-1) % inodes_per_group of group
(n-1) // inodes_per_group; the first s_first_ino - 1 are reserved (root is
2, the resize inode 7, lost+found usually 11).  Where a new inode goes
decides where its blocks go: a file goes in its directory's group (near
its siblings), a new directory in a group with more than the average of
free inodes and blocks and the fewest directories (a simple Orlov, as
Linux spreads directory trees over the disk).
"""

from kernel.errno import ENOSPC, Errno
from fs.buffer import mark_buffer_dirty
from fs.ext2.balloc import clear_bit, find_zero_bit, set_bit, test_bit


def _find_group_dir(sb, parent_group):
    n = sb.groups_count
    avg_inodes = sb.es.s_free_inodes_count // n
    avg_blocks = sb.free_blocks_count() // n
    best, best_dirs = None, None
    for i in range(n):
        g = (parent_group + i) % n
        gd = sb.gdt[g]
        fi = gd.free_inodes(sb)
        if not fi:
            continue
        if fi >= avg_inodes and gd.free_blocks(sb) >= avg_blocks:
            dirs = gd.used_dirs(sb)
            if best is None or dirs < best_dirs:
                best, best_dirs = g, dirs
    if best is not None:
        return best
    return _find_group_other(sb, parent_group)


def _find_group_other(sb, parent_group):
    n = sb.groups_count
    for i in range(n):
        g = (parent_group + i) % n
        if sb.gdt[g].free_inodes(sb):
            return g
    return None


def new_inode(sb, parent_ino, is_dir):
    """Allocate an inode number; ENOSPC if every inode is taken."""
    if sb.es.s_free_inodes_count == 0:
        raise Errno(ENOSPC)
    parent_group = (parent_ino - 1) // sb.inodes_per_group
    g = _find_group_dir(sb, parent_group) if is_dir else _find_group_other(sb, parent_group)
    tried = 0
    while g is not None and tried < sb.groups_count:
        gd = sb.gdt[g]
        bh = sb.read_inode_bitmap(gd)
        start = sb.first_ino - 1 if g == 0 else 0
        bit = find_zero_bit(bh.read(), start, sb.inodes_per_group)
        if bit >= 0:
            set_bit(bh.data, bit)
            mark_buffer_dirty(bh)
            sb.inode_taken(gd, bit)
            _count(sb, gd, -1, is_dir)
            return g * sb.inodes_per_group + bit + 1
        sb.error("ext2_new_inode", "group %d has free inodes counted but none in its bitmap" % g)
        g = (g + 1) % sb.groups_count
        tried += 1
    raise Errno(ENOSPC)


def _count(sb, gd, delta, is_dir):
    v = gd.free_inodes(sb) + delta
    gd.bg_free_inodes_count = v & 0xFFFF
    if sb.is64:
        gd.bg_free_inodes_count_hi = v >> 16
    if is_dir:
        d = gd.used_dirs(sb) - delta
        gd.bg_used_dirs_count = d & 0xFFFF
        if sb.is64:
            gd.bg_used_dirs_count_hi = d >> 16
    sb.es.s_free_inodes_count += delta
    sb.mark_group_dirty(gd)


def free_inode(sb, ino, is_dir):
    if ino < sb.first_ino or ino > sb.es.s_inodes_count:
        sb.error("ext2_free_inode", "reserved or nonexistent inode %d" % ino)
        return
    g = (ino - 1) // sb.inodes_per_group
    gd = sb.gdt[g]
    bh = sb.read_inode_bitmap(gd)
    bit = (ino - 1) % sb.inodes_per_group
    view = bh.data
    if not test_bit(view, bit):
        sb.error("ext2_free_inode", "bit already cleared for inode %d" % ino)
        return
    clear_bit(view, bit)
    mark_buffer_dirty(bh)
    _count(sb, gd, +1, is_dir)
