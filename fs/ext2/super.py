"""fs/ext2/super.py - an ext2 file system: mounting, the superblock, the
group descriptors, statfs, sync, remount, umount, errors.

    mount -t ext2 [-o ro,errors=remount-ro] /dev/ubdb /mnt
    ./linux ubd0=root.img root=/dev/ubda rootfstype=ext2

The disk is a row of block groups; each has a block bitmap, an inode
bitmap and a slice of the inode table, and (in groups 0, 1 and powers of
3, 5, 7 with sparse_super) a backup of the superblock and the group
descriptor table.  The superblock (1024 bytes at offset 1024) and the
descriptors are read once at mount into Python objects; changing them
marks the superblock dirty, and write-back packs them into their buffers
(fs/buffer.py) again.  Only the primary copies are kept up to date at run
time, as Linux's ext2 does (e2fsck and resize2fs see to the backups).

A mounted file system is "not clean" on disk (s_state without
EXT2_VALID_FS) until it is unmounted or remounted read-only, so a crash
makes e2fsck look.  errors= says what an inconsistency found at run time
does: continue, remount read-only, or panic.
"""

from kernel import timekeeping
from kernel.errno import EINVAL, EIO, EROFS, Errno
from kernel.printk import pr_err, pr_info, pr_warn
from block.bio import Completion, all_of, bio_flush, done_completion
from fs.buffer import mark_buffer_dirty, sb_bread, sync_dirty_buffer
from fs.ext2 import layout as L
from fs.inode import S_ISDIR, SuperBlock
from drivers.block.io_thread import io_thread
from fs.dcache import Dentry
from fs.ext2.inode import Ext2Inode, ext2_file_fops, ext2_iget
from fs.fs_writeback import dirty_mappings, mark_mapping_dirty, register_sb, unregister_sb


class GroupDesc:
    """One block group's descriptor, and where it lives on disk."""
    dirty = False                       # changed since it was last packed

    def block_bitmap(self, sbi):
        return self.bg_block_bitmap | (self.bg_block_bitmap_hi << 32 if sbi.is64 else 0)

    def inode_bitmap(self, sbi):
        return self.bg_inode_bitmap | (self.bg_inode_bitmap_hi << 32 if sbi.is64 else 0)

    def inode_table(self, sbi):
        return self.bg_inode_table | (self.bg_inode_table_hi << 32 if sbi.is64 else 0)

    def free_blocks(self, sbi):
        return self.bg_free_blocks_count | (self.bg_free_blocks_count_hi << 16 if sbi.is64 else 0)

    def free_inodes(self, sbi):
        return self.bg_free_inodes_count | (self.bg_free_inodes_count_hi << 16 if sbi.is64 else 0)

    def used_dirs(self, sbi):
        return self.bg_used_dirs_count | (self.bg_used_dirs_count_hi << 16 if sbi.is64 else 0)


def _parse_options(data, devname="?", fs_name="EXT2-fs"):
    """errors=, and the options Linux's ext2 accepts that change nothing here."""
    opts = {"errors": None}
    known_flags = {"ro", "rw", "user_xattr", "nouser_xattr", "acl", "noacl", "grpid",
                   "bsdgroups", "nogrpid", "sysvgroups", "nobh", "nouid32", "minixdf",
                   "bsddf", "debug", "oldalloc", "orlov", "quota", "noquota", "usrquota",
                   "grpquota", "nodelalloc", "delalloc", "noload", "norecovery",
                   "barrier", "nobarrier", "relatime", "noatime", "defaults", "dax",
                   "discard", "nodiscard", "journal_checksum", "auto_da_alloc"}
    for opt in (data or b"").decode(errors="replace").split(","):
        opt = opt.strip()
        if not opt or opt in known_flags:
            continue
        key, _, val = opt.partition("=")
        if key == "errors" and val in ("continue", "remount-ro", "panic"):
            opts["errors"] = {"continue": L.EXT2_ERRORS_CONTINUE, "remount-ro": L.EXT2_ERRORS_RO,
                              "panic": L.EXT2_ERRORS_PANIC}[val]
        elif key in ("resuid", "resgid", "sb", "commit", "data", "barrier") and val:
            continue
        else:
            pr_err('%s (%s): error: unrecognized mount option "%s" or missing value'
                   % (fs_name, devname, opt))
            raise Errno(EINVAL)
    return opts


class Ext2SuperBlock(SuperBlock):
    fs_name = "EXT2-fs"
    wb_err_seen = 0                     # the disk's write-back errors reported so far

    @property
    def inode_class(self):
        return Ext2Inode

    @property
    def file_fops(self):
        return ext2_file_fops

    @property
    def max_file_size(self):
        """Linux's ext2_max_size: the indirect tree's reach, and i_blocks
        counting 512-byte sectors in 32 bits."""
        per = self.blocksize >> 2
        tree = (12 + per + per * per + per * per * per) * self.blocksize
        return min(tree, ((1 << 32) - 1) << 9, (1 << 63) - 1)

    def verify_inode(self, inode, raw):
        """ext4 checks an inode's checksum here."""

    def __init__(self, bdev, read_only, data=b"", fstype="ext2"):
        super().__init__(fstype, read_only, dev=bdev.dev, magic=L.EXT2_SUPER_MAGIC)
        self.bdev = bdev
        self.devname = bdev.disk.disk_name
        self.icache = {}                # ino -> in-core inode
        self.dirty_inodes = set()
        self.sb_dirty = False
        self.mount_opts = _parse_options(data, self.devname, self.fs_name)
        self.options = data.decode(errors="replace") if data else ""
        self._read_super()

    # -- messages and errors ------------------------------------------------------
    def msg(self, level, text):
        {"err": pr_err, "warn": pr_warn, "info": pr_info}[level](
            "%s (%s): %s" % (self.fs_name, self.devname, text))

    def error(self, where, text):
        """An inconsistency on disk (Linux's ext2_error): marked in the
        superblock, then errors= decides."""
        pr_err("%s error (device %s): %s: %s" % (self.fs_name, self.devname, where, text))
        if self.read_only:
            return
        self.es.s_state |= L.EXT2_ERROR_FS
        self.mount_state |= L.EXT2_ERROR_FS
        self.mark_super_dirty()
        if self.errors == L.EXT2_ERRORS_PANIC:
            self.write_super()
            io_thread.drain()
            pr_err("Kernel panic - not syncing: %s (device %s): panic forced after error"
                   % (self.fs_name, self.devname))
            raise SystemExit(1)
        if self.errors == L.EXT2_ERRORS_RO:
            self.msg("err", "error: remounting filesystem read-only")
            self.write_super()
            self.read_only = True

    def corrupt(self, where, text):
        """error(), and the call that found it fails with EIO."""
        self.error(where, text)
        raise Errno(EIO)

    # -- reading the superblock ----------------------------------------------------
    def _read_super(self):
        bdev = self.bdev
        bdev.invalidate()                   # what a device file left behind is old
        if bdev.inode.size < 2048:
            raise Errno(EINVAL)
        raw = sb_bread(bdev, 1, 1024).read()
        es = self.es = L.SUPERBLOCK.unpack(raw, _Obj())
        if es.s_magic != L.EXT2_SUPER_MAGIC:
            self._silent_einval("VFS: Can't find ext2 filesystem")
        if es.s_log_block_size > 2:
            self._silent_einval("error: unsupported blocksize (%d)" % (1024 << es.s_log_block_size))
        self.blocksize = 1024 << es.s_log_block_size
        self.blocksize_bits = 10 + es.s_log_block_size
        self.is64 = bool(es.s_feature_incompat & L.INCOMPAT_64BIT)
        self.check_features()
        bs = self.blocksize
        self.sbh = sb_bread(bdev, 1024 // bs, bs)
        self.sb_offset = 1024 % bs
        if es.s_rev_level == 0:
            self.inode_size, self.first_ino = L.EXT2_GOOD_OLD_INODE_SIZE, L.EXT2_GOOD_OLD_FIRST_INO
        else:
            self.inode_size, self.first_ino = es.s_inode_size, es.s_first_ino
        if self.inode_size < 128 or self.inode_size > bs or self.inode_size & (self.inode_size - 1):
            self._silent_einval("error: unsupported inode size: %d" % self.inode_size)
        self.blocks_count = L.blocks_count(es)
        self.blocks_per_group = es.s_blocks_per_group
        self.inodes_per_group = es.s_inodes_per_group
        if not self.blocks_per_group or not self.inodes_per_group or \
                self.blocks_per_group > 8 * bs or self.inodes_per_group > 8 * bs:
            self._silent_einval("error: invalid blocks or inodes per group")
        if bdev.inode.size < self.blocks_count * bs:
            self._silent_einval("error: the file system is larger than the device")
        self.groups_count = (self.blocks_count - es.s_first_data_block + self.blocks_per_group
                             - 1) // self.blocks_per_group
        self.desc_size = es.s_desc_size if self.is64 and es.s_desc_size >= 32 else 32
        self.desc_per_block = bs // self.desc_size
        self.itb_per_group = (self.inodes_per_group * self.inode_size + bs - 1) // bs
        self.errors = self.mount_opts["errors"] or es.s_errors or L.EXT2_ERRORS_CONTINUE
        self._read_group_descs()
        self.overhead = self._overhead()
        self.mount_state = es.s_state
        if not es.s_state & L.EXT2_VALID_FS:
            self.msg("warn", "warning: mounting unchecked fs, running e2fsck is recommended")
        elif es.s_state & L.EXT2_ERROR_FS:
            self.msg("warn", "warning: mounting fs with errors, running e2fsck is recommended")

    def _silent_einval(self, text):
        self.msg("err", text)
        raise Errno(EINVAL)

    def check_features(self):
        es = self.es
        bad = es.s_feature_incompat & ~L.EXT2_INCOMPAT_SUPP
        if bad:
            self._silent_einval("error: couldn't mount because of unsupported optional "
                                "features (%x)" % bad)
        bad = es.s_feature_ro_compat & ~L.EXT2_RO_COMPAT_SUPP
        if bad and not self.read_only:
            self._silent_einval("error: couldn't mount RDWR because of unsupported optional "
                                "features (%x)" % bad)

    def descriptor_block(self, i):
        """Block number of descriptor block i (meta_bg puts them in groups)."""
        es = self.es
        first = es.s_first_data_block
        if not es.s_feature_incompat & L.INCOMPAT_META_BG or i < es.s_first_meta_bg:
            return first + 1 + i
        bg = i * self.desc_per_block
        return self.group_first_block(bg) + (1 if self.bg_has_super(bg) else 0)

    def _read_group_descs(self):
        self.gdt = []
        bs = self.blocksize
        nblocks = (self.groups_count + self.desc_per_block - 1) // self.desc_per_block
        for i in range(nblocks):
            bh = sb_bread(self.bdev, self.descriptor_block(i), bs)
            raw = bh.read()
            for j in range(self.desc_per_block):
                g = i * self.desc_per_block + j
                if g >= self.groups_count:
                    break
                off = j * self.desc_size
                gd = L.GROUP_DESC.unpack(raw[off:off + self.desc_size], GroupDesc(),
                                         limit=self.desc_size)
                gd.bh, gd.off, gd.nr = bh, off, g
                self.gdt.append(gd)
        for gd in self.gdt:
            for blk in (gd.block_bitmap(self), gd.inode_bitmap(self), gd.inode_table(self)):
                if not self.es.s_first_data_block <= blk < self.blocks_count:
                    self._silent_einval("error: group descriptors corrupted (group %d)" % gd.nr)

    # -- geometry -------------------------------------------------------------------
    def group_first_block(self, g):
        return self.es.s_first_data_block + g * self.blocks_per_group

    def bg_has_super(self, g):
        if g == 0 or not self.es.s_feature_ro_compat & L.RO_COMPAT_SPARSE_SUPER:
            return True
        if g == 1:
            return True
        for p in (3, 5, 7):
            n = p
            while n < g:
                n *= p
            if n == g:
                return True
        return False

    def _overhead(self):
        """Blocks the file system itself takes (statfs's bsddf)."""
        es = self.es
        n = es.s_first_data_block
        gdb = (self.groups_count + self.desc_per_block - 1) // self.desc_per_block
        for g in range(self.groups_count):
            if self.bg_has_super(g):
                n += 1 + gdb + es.s_reserved_gdt_blocks
            n += 2 + self.itb_per_group
        return n

    def free_blocks_count(self):
        return self.es.s_free_blocks_count | (self.es.s_free_blocks_count_hi << 32
                                              if self.is64 else 0)

    def set_free_blocks_count(self, n):
        self.es.s_free_blocks_count = n & 0xFFFFFFFF
        if self.is64:
            self.es.s_free_blocks_count_hi = n >> 32

    def r_blocks_count(self):
        return self.es.s_r_blocks_count | (self.es.s_r_blocks_count_hi << 32 if self.is64 else 0)

    # -- statfs ----------------------------------------------------------------------
    def statfs(self):
        es = self.es
        free = self.free_blocks_count()
        avail = max(0, free - self.r_blocks_count())
        return (L.EXT2_SUPER_MAGIC, self.blocksize, self.blocks_count - self.overhead,
                free, avail, es.s_inodes_count, es.s_free_inodes_count, 255)

    # -- writing the superblock and descriptors ----------------------------------------
    def mark_super_dirty(self):
        if not self.sb_dirty:
            self.sb_dirty = True
            mark_mapping_dirty(self.bdev.mapping)

    def mark_group_dirty(self, gd):
        gd.dirty = True
        self.mark_super_dirty()

    def write_super(self):
        """Pack the superblock and every changed descriptor into their
        buffers (marking them dirty); no I/O yet."""
        if self.read_only and not self.sb_dirty:
            return
        es = self.es
        es.s_wtime = timekeeping.ktime_get_real_seconds() & 0xFFFFFFFF
        self.sb_checksum(es)
        view = self.sbh.data
        buf = bytearray(view[self.sb_offset:self.sb_offset + 1024])
        L.SUPERBLOCK.pack(buf, es)
        self.sbh.data[self.sb_offset:self.sb_offset + 1024] = buf
        mark_buffer_dirty(self.sbh)
        for gd in self.gdt:
            if gd.dirty:
                gd.dirty = False
                self.gd_checksum(gd)
                raw = bytearray(gd.bh.data[gd.off:gd.off + self.desc_size])
                L.GROUP_DESC.pack(raw, gd, limit=self.desc_size)
                gd.bh.data[gd.off:gd.off + self.desc_size] = raw
                mark_buffer_dirty(gd.bh)
        self.sb_dirty = False

    def sb_checksum(self, es):
        """ext4 (metadata_csum) sets the superblock's checksum here."""

    # -- the bitmaps (ext4 builds those of uninitialised groups first) ----------------------
    def read_block_bitmap(self, gd):
        return sb_bread(self.bdev, gd.block_bitmap(self), self.blocksize)

    def read_inode_bitmap(self, gd):
        return sb_bread(self.bdev, gd.inode_bitmap(self), self.blocksize)

    def dirty_xattr_block(self, bh, blk):
        """An attribute block changed (ext4 sets its checksum first)."""
        mark_buffer_dirty(bh)

    def inode_taken(self, gd, bit):
        """ext4 counts the inode table's never-used tail (bg_itable_unused) here."""

    def gd_checksum(self, gd):
        """ext4 sets a descriptor's checksum here."""

    # -- write-back and sync ---------------------------------------------------------------
    def write_inodes(self):
        for inode in list(self.dirty_inodes):
            inode.write_inode()
        self.dirty_inodes.clear()

    def writeback(self):
        """Everything dirty to the driver: file pages, inodes into the inode
        table's buffers, the superblock, then the disk's dirty buffers."""
        done = []
        for m in [m for m in dirty_mappings if m.host.sb is self]:
            done.append(m.writeback())
        if not self.read_only:
            self.write_inodes()
            if self.sb_dirty:
                self.write_super()
        done.append(self.bdev.mapping.writeback())
        return all_of(done)

    def sync_fs(self):
        """sync_filesystem: write back, wait, flush the disk's cache."""
        out = Completion()
        wb = self.writeback()

        def written(c):
            bio_flush(self.bdev).then(lambda f: out.complete(c.status or f.status or
                                                             self._error_status()))
        wb.then(written)
        return out

    def _error_status(self):
        seen = self.wb_err_seen
        cur = self.bdev.mapping.wb_err
        self.wb_err_seen = cur
        return -EIO if cur != seen else 0

    # -- mount state ----------------------------------------------------------------------
    def setup_super(self):
        """A read-write mount begins: the disk says "in use" until umount."""
        es = self.es
        if es.s_rev_level > 1:
            self.msg("err", "error: revision level too high, forcing read-only mode")
            self.read_only = True
            return
        if es.s_max_mnt_count > 0 and es.s_mnt_count >= es.s_max_mnt_count:
            self.msg("warn", "warning: maximal mount count reached, running e2fsck is "
                     "recommended")
        es.s_state &= ~L.EXT2_VALID_FS
        es.s_mnt_count = (es.s_mnt_count + 1) & 0xFFFF
        es.s_mtime = timekeeping.ktime_get_real_seconds() & 0xFFFFFFFF
        self.mark_super_dirty()
        self.write_super()
        sync_dirty_buffer(self.sbh)

    def remount(self, read_only, data=b""):
        """MS_REMOUNT: going read-only writes everything and marks the disk
        clean; going read-write is a mount again.  A Completion."""
        opts = _parse_options(data, self.devname, self.fs_name)
        if opts["errors"]:
            self.errors = opts["errors"]
        if read_only == self.read_only:
            return done_completion()
        if read_only:
            c = self.writeback()
            self.es.s_state = self.mount_state
            self.mark_super_dirty()
            self.write_super()
            self.read_only = True
            return all_of([c, self.bdev.sync()])
        if self.bdev.read_only:
            raise Errno(EROFS)
        self.read_only = False
        self.check_features()
        self.mount_state = self.es.s_state
        self.setup_super()
        return done_completion()

    def put_super(self):
        """The last mount went: everything to the disk, marked clean."""
        c = self.writeback()
        if not self.read_only:
            self.es.s_state = self.mount_state
            self.mark_super_dirty()
            self.write_super()
        done = all_of([c, self.bdev.sync()])
        bdev = self.bdev

        def gone(_):
            bdev.invalidate()
        done.then(gone)
        unregister_sb(self)
        bdev.release_claim(self)
        return done


class _Obj:
    pass


def ext2_fill_super(bdev, read_only, data, sb_class=None, fstype="ext2"):
    """Mount the ext2 on bdev: the superblock with its root dentry."""
    cls = sb_class or Ext2SuperBlock
    read_only = read_only or bdev.read_only
    bdev.claim("mounting")
    try:
        sb = cls(bdev, read_only, data, fstype)
        root = ext2_iget(sb, L.EXT2_ROOT_INO)
        if not S_ISDIR(root.mode) or not root.nlink:
            sb.msg("err", "error: corrupt root inode, run e2fsck")
            raise Errno(EINVAL)
    except BaseException:
        bdev.release_claim("mounting")
        raise
    bdev.release_claim("mounting")
    bdev.claim(sb)
    sb.root = Dentry(b"/", None, root)
    if not sb.read_only:
        sb.setup_super()
    register_sb(sb)
    return sb
