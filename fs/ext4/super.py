"""fs/ext4/super.py - ext4: what it adds to ext2.

    mount -t ext4 /dev/ubdb /mnt

ext4's on-disk format is ext2's with additions; this file system is
fs/ext2/'s with those additions:

 - extents instead of block pointers (fs/ext4/extents.py to look blocks
   up, fs/ext4/extents_rw.py to change the tree); new files and
   directories are extent-mapped (EXT4_EXTENTS_FL);
 - 64bit: 64-byte group descriptors and 48-bit block numbers;
 - flex_bg: bitmaps and inode tables of several groups packed together
   (the descriptors say where), and uninitialised groups
   (fs/ext4/balloc.py);
 - dir_index: htree directories, read linearly as ext2 reads them (their
   index blocks look like empty entries); a directory changed loses its
   index (EXT4_INDEX_FL cleared, as Linux accepts), its index blocks
   becoming plain empty blocks with a checksum tail;
 - metadata_csum: every superblock, group descriptor, inode, extent block
   and directory block read is checked, and each written gets its
   checksum, the descriptors those of their bitmaps too (fs/ext4/csum.py,
   lib/crc32c.py);
 - 64-bit sizes for every kind of inode, huge_file block counts.

The journal is not replayed: an image that was not cleanly unmounted
(needs_recovery) is refused, as Linux refuses one on a read-only device.
Nor is it written: metadata goes to its place directly, as on ext2.  That
is consistent once the file system is unmounted (or synced) cleanly: the
journal stays empty and needs_recovery clear, which is what e2fsck and
Linux expect of a clean ext4; a crash in between leaves what a crash
leaves ext2 (e2fsck repairs it).  Inline data, encryption, casefolding
and the like are refused; so is a read-write mount (EROFS, with the
reason in the log) of a file system with a feature these writes would
get wrong: quota, bigalloc, meta_bg, mmp, an orphan file in use,
uninit_bg's CRC-16 descriptors.
"""

import struct

from kernel.errno import EINVAL, EROFS, Errno
from kernel.printk import pr_err
from lib.crc32c import crc32c
from fs.buffer import mark_buffer_dirty, sb_bread
from fs.ext2 import dir as D
from fs.ext2 import layout as L
from fs.ext2.inode import Ext2Inode
from fs.ext2.super import Ext2SuperBlock, ext2_fill_super
from fs.ext4 import csum as C
from fs.ext4.balloc import init_block_bitmap, init_inode_bitmap, set_bitmap_csums
from fs.ext4.extents import ext4_map_block
from fs.ext4.extents_rw import ExtentTree, empty_root
from fs.inode import S_ISDIR, S_ISLNK, S_ISREG


class Ext4SuperBlock(Ext2SuperBlock):
    fs_name = "EXT4-fs"

    def __init__(self, bdev, read_only, data=b"", fstype="ext4"):
        self.csum_ok = set()            # blocks whose checksum was verified
        super().__init__(bdev, read_only, data, fstype)

    @property
    def inode_class(self):
        return Ext4Inode

    @property
    def max_file_size(self):
        return ((1 << 32) - 1) * self.blocksize

    def check_features(self):
        es = self.es
        self.has_csum = bool(es.s_feature_ro_compat & L.RO_COMPAT_METADATA_CSUM)
        if es.s_feature_incompat & L.INCOMPAT_RECOVER:
            self._silent_einval("error: the journal needs recovery; pyuml cannot replay it "
                                "(e2fsck -fy or mount it once on Linux)")
        bad = es.s_feature_incompat & ~L.EXT4_INCOMPAT_SUPP
        if bad:
            self._silent_einval("Couldn't mount because of unsupported optional features (%x)"
                                % bad)
        if es.s_feature_ro_compat & L.RO_COMPAT_BIGALLOC:
            self._silent_einval("Couldn't mount: bigalloc is not supported")
        if self.has_csum:
            if es.s_checksum_type != 1:
                self._silent_einval("VFS: Found ext4 filesystem with unknown checksum "
                                    "algorithm.")
            self.csum_seed = C.fs_seed(es)
            raw = self.bdev_sb_raw()
            if C.superblock_csum(raw) != es.s_checksum:
                self._silent_einval("VFS: Found ext4 filesystem with invalid superblock "
                                    "checksum.  Run e2fsck?")
        if not self.read_only:
            self._check_rw_features()

    def _check_rw_features(self):
        """What pyuml cannot write correctly is not written at all."""
        es = self.es
        why = None
        compat = es.s_feature_compat & ~L.EXT4_RW_COMPAT
        incompat = es.s_feature_incompat & ~L.EXT4_RW_INCOMPAT
        ro_compat = es.s_feature_ro_compat & ~L.EXT4_RW_RO_COMPAT
        if compat or incompat or ro_compat:
            why = "features compat %x incompat %x ro_compat %x" % (compat, incompat, ro_compat)
        elif es.s_feature_ro_compat & L.RO_COMPAT_GDT_CSUM and not self.has_csum:
            why = "uninit_bg (CRC-16 group descriptors)"
        if why:
            pr_err("EXT4-fs (%s): pyuml's ext4 cannot write %s: mount it read-only"
                   % (self.devname, why))
            raise Errno(EROFS)

    def bdev_sb_raw(self):
        return sb_bread(self.bdev, 1, 1024).read()

    def _read_group_descs(self):
        super()._read_group_descs()
        if not self.has_csum:
            return
        for gd in self.gdt:
            raw = gd.bh.read()[gd.off:gd.off + self.desc_size]
            if C.group_desc_csum(self.csum_seed, gd.nr, raw) != gd.bg_checksum:
                self._silent_einval("ext4_check_descriptors: Checksum for group %d failed"
                                    % gd.nr)

    def verify_inode(self, inode, raw):
        if not self.has_csum:
            return
        gen = struct.unpack_from("<I", raw, 100)[0]
        got, stored = C.inode_csum(C.inode_seed(self.csum_seed, inode.ino, gen), raw,
                                   self.inode_size)
        if got != stored:
            self.corrupt("ext4_iget", "checksum invalid for inode #%d" % inode.ino)

    def statfs(self):
        t = list(super().statfs())
        t[0] = L.EXT2_SUPER_MAGIC           # ext2, ext3 and ext4 share the magic
        return tuple(t)

    # -- writing: checksums, uninitialised groups ----------------------------------------
    def sb_checksum(self, es):
        if self.has_csum:
            buf = bytearray(self.sbh.data[self.sb_offset:self.sb_offset + 1024])
            L.SUPERBLOCK.pack(buf, es)
            es.s_checksum = C.superblock_csum(buf)

    def gd_checksum(self, gd):
        if not self.has_csum:
            return
        set_bitmap_csums(self, gd)
        raw = bytearray(gd.bh.data[gd.off:gd.off + self.desc_size])
        L.GROUP_DESC.pack(raw, gd, limit=self.desc_size)
        gd.bg_checksum = C.group_desc_csum(self.csum_seed, gd.nr, raw)

    def read_block_bitmap(self, gd):
        bh = super().read_block_bitmap(gd)
        if gd.bg_flags & L.EXT4_BG_BLOCK_UNINIT:
            init_block_bitmap(self, gd, bh.data)
            mark_buffer_dirty(bh)
            gd.bg_flags &= ~L.EXT4_BG_BLOCK_UNINIT
            self.mark_group_dirty(gd)
        return bh

    def read_inode_bitmap(self, gd):
        bh = super().read_inode_bitmap(gd)
        if gd.bg_flags & L.EXT4_BG_INODE_UNINIT:
            init_inode_bitmap(self, bh.data)
            mark_buffer_dirty(bh)
            gd.bg_flags &= ~L.EXT4_BG_INODE_UNINIT
            self.mark_group_dirty(gd)
        return bh

    def dirty_xattr_block(self, bh, blk):
        """An attribute block changed (its reference count): with
        metadata_csum its h_checksum covers the block and its number."""
        if self.has_csum:
            data = bytearray(bh.data)
            data[16:20] = bytes(4)
            c = crc32c(crc32c(self.csum_seed, struct.pack("<Q", blk)), data)
            struct.pack_into("<I", bh.data, 16, c)
        mark_buffer_dirty(bh)

    def inode_taken(self, gd, bit):
        if not self.es.s_feature_ro_compat & (L.RO_COMPAT_GDT_CSUM | L.RO_COMPAT_METADATA_CSUM):
            return
        unused = gd.bg_itable_unused | (gd.bg_itable_unused_hi << 16 if self.is64 else 0)
        if bit >= self.inodes_per_group - unused:
            unused = self.inodes_per_group - bit - 1
            gd.bg_itable_unused = unused & 0xFFFF
            if self.is64:
                gd.bg_itable_unused_hi = unused >> 16


class Ext4Inode(Ext2Inode):
    extent_cache = None                 # (first, len, start) of the extent read last
    tree = None                         # an ExtentTree once the mapping changes

    @property
    def csum_seed(self):
        return C.inode_seed(self.sb.csum_seed, self.ino, self.generation)

    def read_inode(self):
        super().read_inode()
        r = self.raw
        self.size = r.i_size | (r.i_size_high << 32)
        if self.sb.es.s_feature_ro_compat & L.RO_COMPAT_HUGE_FILE and \
                self.i_flags & L.EXT4_HUGE_FILE_FL:
            self.i_blocks *= self.sb.blocksize >> 9
        if self.i_flags & L.EXT4_INLINE_DATA_FL:
            self.sb.corrupt("ext4_iget", "inode #%d has inline data (not supported)" % self.ino)

    def init_new(self):
        """A new file or directory is extent-mapped (symlinks become so if
        they need a block) - where the extents feature is on: an ext3
        mounted as ext4 keeps block pointers."""
        if S_ISREG(self.mode) or S_ISDIR(self.mode):
            self._use_extents()

    def _use_extents(self):
        if self.sb.es.s_feature_incompat & L.INCOMPAT_EXTENTS:
            self.i_flags |= L.EXT4_EXTENTS_FL
            self.i_block = empty_root()

    def extent_tree(self):
        if self.tree is None:
            self.tree = ExtentTree(self)
            self.extent_cache = None
        return self.tree

    def get_block(self, iblock, create=False):
        if create and not self.i_flags & L.EXT4_EXTENTS_FL and S_ISLNK(self.mode) \
                and not any(self.i_block):
            self._use_extents()
        if self.i_flags & L.EXT4_EXTENTS_FL:
            if self.tree is None and not create:
                return ext4_map_block(self, iblock)
            tree = self.extent_tree()
            block = tree.get_block(iblock, create)
            if tree.dirty:
                self.mark_dirty()
            return block
        return super().get_block(iblock, create)

    def truncate_blocks(self, size):
        if not self.i_flags & L.EXT4_EXTENTS_FL:
            return super().truncate_blocks(size)
        first = (size + self.sb.blocksize - 1) >> self.sb.blocksize_bits
        self.extent_tree().truncate(first)
        self.last_alloc = 0
        self.mark_dirty()

    def write_inode(self):
        sb = self.sb
        if sb.read_only:
            return
        if self.tree is not None and self.tree.dirty:
            self.tree.write()
        r = self.raw
        if sb.es.s_feature_ro_compat & L.RO_COMPAT_HUGE_FILE:
            self.i_flags &= ~L.EXT4_HUGE_FILE_FL        # i_blocks in sectors again
            r.l_i_blocks_hi = self.i_blocks >> 32
        if not S_ISREG(self.mode):
            r.i_size_high = self.size >> 32
        super().write_inode()
        if sb.has_csum:
            block, off = self._location()
            bh = sb_bread(sb.bdev, block, sb.blocksize)
            raw = bytes(bh.data[off:off + sb.inode_size])
            c, _ = C.inode_csum(self.csum_seed, raw, sb.inode_size)
            struct.pack_into("<H", bh.data, off + 124, c & 0xFFFF)
            if sb.inode_size > 128 and struct.unpack_from("<H", raw, 128)[0] >= 4:
                struct.pack_into("<H", bh.data, off + 130, c >> 16)
            mark_buffer_dirty(bh)

    def fast_symlink(self):
        if self.i_flags & L.EXT4_EXTENTS_FL and self.i_blocks:
            return False
        return super().fast_symlink()

    # -- directory blocks: the checksum tail ---------------------------------------------
    def _has_tail(self, data):
        bs = len(data)
        ino, rec_len, name_len, ft = L.DIRENT.unpack_from(data, bs - 12)
        return ino == 0 and rec_len == 12 and name_len == 0 and ft == L.EXT4_FT_DIR_CSUM

    def verify_dir_block(self, pblk, data):
        sb = self.sb
        if not sb.has_csum or pblk in sb.csum_ok:
            return
        bs = len(data)
        if self._has_tail(data):
            want = struct.unpack_from("<I", data, bs - 4)[0]
            if C.tail_csum(self.csum_seed, data, bs - 12) != want:
                sb.corrupt("ext4_dirblock_csum_verify", "inode #%d: directory block %d "
                           "checksum invalid" % (self.ino, pblk))
        sb.csum_ok.add(pblk)

    def dir_block_end(self, data):
        if self.sb.has_csum and self._has_tail(data):
            return len(data) - 12
        return len(data)

    def block_rec_len(self):
        return self.sb.blocksize - 12 if self.sb.has_csum else self.sb.blocksize

    def init_dir_block_tail(self, view):
        if self.sb.has_csum:
            L.DIRENT.pack_into(view, self.sb.blocksize - 12, 0, 12, 0, L.EXT4_FT_DIR_CSUM)

    def drop_dir_index(self):
        """The htree goes (Linux accepts a directory without EXT4_INDEX_FL);
        with metadata_csum its index blocks - the root's "." and "..", and
        nodes that look like one empty entry - get the checksum tail every
        plain directory block has, cut from their last entry's spare room."""
        super().drop_dir_index()
        if not self.sb.has_csum:
            return
        for i in range(D.nblocks(self)):
            bh = D.read_dir_block(self, i)
            if self._has_tail(bh.data):
                continue
            off, ino, rec_len, name_len, _, _ = D.entries(self, i, bh.read())[-1]
            if rec_len - (L.rec_len_for(name_len) if ino else 0) < 12:
                self.sb.corrupt("ext4_convert_dx", "inode #%d: no room for a checksum tail "
                                "in block %d" % (self.ino, i))
            struct.pack_into("<H", bh.data, off + 4, rec_len - 12)
            self.init_dir_block_tail(bh.data)
            self.dirty_dir_block(bh)

    def dirty_dir_block(self, bh):
        if self.sb.has_csum:
            data = bh.data
            if self._has_tail(data):
                bs = len(data)
                struct.pack_into("<I", data, bs - 4, C.tail_csum(self.csum_seed, bytes(data),
                                                                 bs - 12))
        mark_buffer_dirty(bh)


def ext4_fill_super(bdev, read_only, data, fstype="ext4"):
    return ext2_fill_super(bdev, read_only, data, sb_class=Ext4SuperBlock, fstype=fstype)


__all__ = ["Ext4SuperBlock", "Ext4Inode", "ext4_fill_super", "EINVAL"]
