"""fs/ext4/super.py - ext4, read-only: what ext4 adds to ext2, for reading.

    mount -t ext4 -o ro /dev/ubdb /mnt        (a read-write mount is EROFS)

ext4's on-disk format is ext2's with additions; this file system is
fs/ext2/'s with those additions for reading them:

 - extents instead of block pointers (fs/ext4/extents.py);
 - 64bit: 64-byte group descriptors and 48-bit block numbers;
 - flex_bg: bitmaps and inode tables of several groups packed together
   (the descriptors say where, so nothing else changes);
 - dir_index: htree directories, read linearly as ext2 reads them (their
   index blocks look like empty entries);
 - metadata_csum: every superblock, group descriptor, inode, extent block
   and directory block read is checked (fs/ext4/csum.py, lib/crc32c.py);
 - 64-bit sizes for every kind of inode, huge_file block counts.

The journal is not replayed: an image that was not cleanly unmounted
(needs_recovery) is refused, as Linux refuses one on a read-only device.
Inline data, encryption, casefolding and the like are refused too.
"""

import struct

from kernel.errno import EINVAL, EROFS, Errno
from fs.ext2 import layout as L
from fs.ext2.inode import Ext2Inode
from fs.ext2.super import Ext2SuperBlock, ext2_fill_super
from fs.ext4 import csum as C
from fs.buffer import sb_bread
from fs.ext4.extents import ext4_map_block
from kernel.printk import pr_err


class Ext4SuperBlock(Ext2SuperBlock):
    fs_name = "EXT4-fs"

    def __init__(self, bdev, read_only, data=b"", fstype="ext4"):
        if not read_only:
            pr_err("EXT4-fs (%s): pyuml's ext4 is read-only: mount with -o ro"
                   % bdev.disk.disk_name)
            raise Errno(EROFS)
        self.csum_ok = set()            # blocks whose checksum was verified
        super().__init__(bdev, True, data, fstype)

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
        inode.csum_seed = C.inode_seed(self.csum_seed, inode.ino, gen)
        got, stored = C.inode_csum(inode.csum_seed, raw, self.inode_size)
        if got != stored:
            self.corrupt("ext4_iget", "checksum invalid for inode #%d" % inode.ino)

    def statfs(self):
        t = list(super().statfs())
        t[0] = L.EXT2_SUPER_MAGIC           # ext2, ext3 and ext4 share the magic
        return tuple(t)


class Ext4Inode(Ext2Inode):
    extent_cache = None
    csum_seed = 0

    def read_inode(self):
        super().read_inode()
        r = self.raw
        self.size = r.i_size | (r.i_size_high << 32)
        if self.sb.es.s_feature_ro_compat & L.RO_COMPAT_HUGE_FILE and \
                self.i_flags & L.EXT4_HUGE_FILE_FL:
            self.i_blocks *= self.sb.blocksize >> 9
        if self.i_flags & L.EXT4_INLINE_DATA_FL:
            self.sb.corrupt("ext4_iget", "inode #%d has inline data (not supported)" % self.ino)

    def get_block(self, iblock, create=False):
        if create:
            raise Errno(EROFS)
        if self.i_flags & L.EXT4_EXTENTS_FL:
            return ext4_map_block(self, iblock)
        return super().get_block(iblock, False)

    def fast_symlink(self):
        if self.i_flags & L.EXT4_EXTENTS_FL and self.i_blocks:
            return False
        return super().fast_symlink()

    def verify_dir_block(self, pblk, data):
        sb = self.sb
        if not sb.has_csum or pblk in sb.csum_ok:
            return
        bs = len(data)
        ino, rec_len, name_len, ft = L.DIRENT.unpack_from(data, bs - 12)
        if ino == 0 and rec_len == 12 and name_len == 0 and ft == L.EXT4_FT_DIR_CSUM:
            want = struct.unpack_from("<I", data, bs - 4)[0]
            if C.tail_csum(self.csum_seed, data, bs - 12) != want:
                sb.corrupt("ext4_dirblock_csum_verify", "inode #%d: directory block %d "
                           "checksum invalid" % (self.ino, pblk))
        sb.csum_ok.add(pblk)


def ext4_fill_super(bdev, read_only, data, fstype="ext4"):
    if not read_only:
        raise Errno(EROFS)
    return ext2_fill_super(bdev, True, data, sb_class=Ext4SuperBlock, fstype=fstype)


__all__ = ["Ext4SuperBlock", "Ext4Inode", "ext4_fill_super", "EINVAL"]
