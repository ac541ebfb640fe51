"""fs/ext2/layout.py - the on-disk structures of ext2 (and ext4's
additions), as Linux's fs/ext2/ext2.h and fs/ext4/ext4.h lay them out.

Everything on disk is little-endian.  A Layout is a list of (field,
struct format, byte offset); unpack() copies the fields into a Python
object's attributes, pack() writes them back into a buffer, leaving every
byte it does not name as it was (fields pyuml does not know survive a
read-modify-write).
"""

import struct


class Layout:
    def __init__(self, size, fields):
        self.size = size
        self.fields = [(name, struct.Struct("<" + fmt), off) for name, fmt, off in fields]

    def unpack(self, buf, obj, limit=None):
        limit = self.size if limit is None else limit
        for name, st, off in self.fields:
            if off + st.size <= limit:
                setattr(obj, name, st.unpack_from(buf, off)[0])
            else:
                setattr(obj, name, b"" if st.format.endswith("s") else 0)
        return obj

    def pack(self, buf, obj, limit=None):
        limit = self.size if limit is None else limit
        for name, st, off in self.fields:
            if off + st.size <= limit:
                st.pack_into(buf, off, getattr(obj, name))


EXT2_SUPER_MAGIC = 0xEF53
SUPERBLOCK_OFFSET = 1024
EXT2_GOOD_OLD_INODE_SIZE = 128
EXT2_GOOD_OLD_FIRST_INO = 11
EXT2_ROOT_INO = 2
EXT2_RESIZE_INO = 7

# s_state
EXT2_VALID_FS, EXT2_ERROR_FS = 1, 2
# s_errors
EXT2_ERRORS_CONTINUE, EXT2_ERRORS_RO, EXT2_ERRORS_PANIC = 1, 2, 3

# features
COMPAT_DIR_PREALLOC = 0x1
COMPAT_IMAGIC_INODES = 0x2
COMPAT_HAS_JOURNAL = 0x4
COMPAT_EXT_ATTR = 0x8
COMPAT_RESIZE_INODE = 0x10
COMPAT_DIR_INDEX = 0x20
COMPAT_SPARSE_SUPER2 = 0x200
COMPAT_FAST_COMMIT = 0x400
COMPAT_STABLE_INODES = 0x800
COMPAT_ORPHAN_FILE = 0x1000

RO_COMPAT_SPARSE_SUPER = 0x1
RO_COMPAT_LARGE_FILE = 0x2
RO_COMPAT_BTREE_DIR = 0x4
RO_COMPAT_HUGE_FILE = 0x8
RO_COMPAT_GDT_CSUM = 0x10
RO_COMPAT_DIR_NLINK = 0x20
RO_COMPAT_EXTRA_ISIZE = 0x40
RO_COMPAT_QUOTA = 0x100
RO_COMPAT_BIGALLOC = 0x200
RO_COMPAT_METADATA_CSUM = 0x400
RO_COMPAT_READONLY = 0x1000
RO_COMPAT_PROJECT = 0x2000
RO_COMPAT_ORPHAN_PRESENT = 0x10000

INCOMPAT_COMPRESSION = 0x1
INCOMPAT_FILETYPE = 0x2
INCOMPAT_RECOVER = 0x4
INCOMPAT_JOURNAL_DEV = 0x8
INCOMPAT_META_BG = 0x10
INCOMPAT_EXTENTS = 0x40
INCOMPAT_64BIT = 0x80
INCOMPAT_MMP = 0x100
INCOMPAT_FLEX_BG = 0x200
INCOMPAT_EA_INODE = 0x400
INCOMPAT_DIRDATA = 0x1000
INCOMPAT_CSUM_SEED = 0x2000
INCOMPAT_LARGEDIR = 0x4000
INCOMPAT_INLINE_DATA = 0x8000
INCOMPAT_ENCRYPT = 0x10000
INCOMPAT_CASEFOLD = 0x20000

# what Linux's ext2 driver handles (fs/ext2/ext2.h EXT2_FEATURE_*_SUPP)
EXT2_INCOMPAT_SUPP = INCOMPAT_FILETYPE | INCOMPAT_META_BG
EXT2_RO_COMPAT_SUPP = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_BTREE_DIR

# what pyuml's ext4 reads (fs/ext4/)
EXT4_INCOMPAT_SUPP = (INCOMPAT_FILETYPE | INCOMPAT_META_BG | INCOMPAT_EXTENTS | INCOMPAT_64BIT
                      | INCOMPAT_FLEX_BG | INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR
                      | INCOMPAT_MMP | INCOMPAT_RECOVER)
# ... and what it writes: with any other feature a read-write mount is EROFS
EXT4_RW_COMPAT = (COMPAT_DIR_PREALLOC | COMPAT_HAS_JOURNAL | COMPAT_EXT_ATTR
                  | COMPAT_RESIZE_INODE | COMPAT_DIR_INDEX | COMPAT_FAST_COMMIT
                  | COMPAT_STABLE_INODES | COMPAT_ORPHAN_FILE)
EXT4_RW_INCOMPAT = (INCOMPAT_FILETYPE | INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_FLEX_BG
                    | INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR)
EXT4_RW_RO_COMPAT = (RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_HUGE_FILE
                     | RO_COMPAT_DIR_NLINK | RO_COMPAT_EXTRA_ISIZE | RO_COMPAT_METADATA_CSUM
                     | RO_COMPAT_GDT_CSUM)

SUPERBLOCK = Layout(1024, [
    ("s_inodes_count", "I", 0), ("s_blocks_count", "I", 4), ("s_r_blocks_count", "I", 8),
    ("s_free_blocks_count", "I", 12), ("s_free_inodes_count", "I", 16),
    ("s_first_data_block", "I", 20), ("s_log_block_size", "I", 24),
    ("s_log_cluster_size", "I", 28), ("s_blocks_per_group", "I", 32),
    ("s_clusters_per_group", "I", 36), ("s_inodes_per_group", "I", 40),
    ("s_mtime", "I", 44), ("s_wtime", "I", 48), ("s_mnt_count", "H", 52),
    ("s_max_mnt_count", "h", 54), ("s_magic", "H", 56), ("s_state", "H", 58),
    ("s_errors", "H", 60), ("s_minor_rev_level", "H", 62), ("s_lastcheck", "I", 64),
    ("s_checkinterval", "I", 68), ("s_creator_os", "I", 72), ("s_rev_level", "I", 76),
    ("s_def_resuid", "H", 80), ("s_def_resgid", "H", 82), ("s_first_ino", "I", 84),
    ("s_inode_size", "H", 88), ("s_block_group_nr", "H", 90),
    ("s_feature_compat", "I", 92), ("s_feature_incompat", "I", 96),
    ("s_feature_ro_compat", "I", 100), ("s_uuid", "16s", 104), ("s_volume_name", "16s", 120),
    ("s_last_mounted", "64s", 136), ("s_reserved_gdt_blocks", "H", 206),
    ("s_hash_seed", "16s", 236), ("s_def_hash_version", "B", 252), ("s_desc_size", "H", 254),
    ("s_default_mount_opts", "I", 256), ("s_first_meta_bg", "I", 260),
    ("s_mkfs_time", "I", 264), ("s_blocks_count_hi", "I", 336),
    ("s_r_blocks_count_hi", "I", 340), ("s_free_blocks_count_hi", "I", 344),
    ("s_min_extra_isize", "H", 348), ("s_want_extra_isize", "H", 350), ("s_flags", "I", 352),
    ("s_log_groups_per_flex", "B", 372), ("s_checksum_type", "B", 373),
    ("s_kbytes_written", "Q", 376), ("s_checksum_seed", "I", 624), ("s_checksum", "I", 1020),
])

GROUP_DESC = Layout(64, [
    ("bg_block_bitmap", "I", 0), ("bg_inode_bitmap", "I", 4), ("bg_inode_table", "I", 8),
    ("bg_free_blocks_count", "H", 12), ("bg_free_inodes_count", "H", 14),
    ("bg_used_dirs_count", "H", 16), ("bg_flags", "H", 18),
    ("bg_block_bitmap_csum_lo", "H", 24), ("bg_inode_bitmap_csum_lo", "H", 26),
    ("bg_itable_unused", "H", 28), ("bg_checksum", "H", 30),
    ("bg_block_bitmap_hi", "I", 32), ("bg_inode_bitmap_hi", "I", 36),
    ("bg_inode_table_hi", "I", 40), ("bg_free_blocks_count_hi", "H", 44),
    ("bg_free_inodes_count_hi", "H", 46), ("bg_used_dirs_count_hi", "H", 48),
    ("bg_itable_unused_hi", "H", 50), ("bg_block_bitmap_csum_hi", "H", 56),
    ("bg_inode_bitmap_csum_hi", "H", 58),
])
EXT4_BG_INODE_UNINIT, EXT4_BG_BLOCK_UNINIT, EXT4_BG_INODE_ZEROED = 1, 2, 4

INODE = Layout(160, [
    ("i_mode", "H", 0), ("i_uid", "H", 2), ("i_size", "I", 4), ("i_atime", "I", 8),
    ("i_ctime", "I", 12), ("i_mtime", "I", 16), ("i_dtime", "I", 20), ("i_gid", "H", 24),
    ("i_links_count", "H", 26), ("i_blocks", "I", 28), ("i_flags", "I", 32),
    ("i_version", "I", 36), ("i_block", "60s", 40), ("i_generation", "I", 100),
    ("i_file_acl", "I", 104), ("i_size_high", "I", 108), ("i_faddr", "I", 112),
    ("l_i_blocks_hi", "H", 116), ("l_i_file_acl_high", "H", 118),
    ("l_i_uid_high", "H", 120), ("l_i_gid_high", "H", 122),
    ("l_i_checksum_lo", "H", 124), ("i_extra_isize", "H", 128), ("i_checksum_hi", "H", 130),
    ("i_ctime_extra", "I", 132), ("i_mtime_extra", "I", 136), ("i_atime_extra", "I", 140),
    ("i_crtime", "I", 144), ("i_crtime_extra", "I", 148), ("i_version_hi", "I", 152),
    ("i_projid", "I", 156),
])
EXT2_N_BLOCKS = 15
EXT2_NDIR_BLOCKS, EXT2_IND_BLOCK, EXT2_DIND_BLOCK, EXT2_TIND_BLOCK = 12, 12, 13, 14
EXT2_EXTRA_ISIZE = 32               # what we give new inodes of 256 bytes (as mke2fs)

# i_flags
EXT2_SECRM_FL, EXT2_UNRM_FL, EXT2_COMPR_FL, EXT2_SYNC_FL = 0x1, 0x2, 0x4, 0x8
EXT2_IMMUTABLE_FL, EXT2_APPEND_FL, EXT2_NODUMP_FL, EXT2_NOATIME_FL = 0x10, 0x20, 0x40, 0x80
EXT2_INDEX_FL = 0x1000
EXT4_HUGE_FILE_FL = 0x40000
EXT4_EXTENTS_FL = 0x80000
EXT4_EA_INODE_FL = 0x200000
EXT4_INLINE_DATA_FL = 0x10000000

# directory entries: inode u32, rec_len u16, name_len u8, file_type u8, name
DIRENT = struct.Struct("<IHBB")
EXT2_FT_UNKNOWN, EXT2_FT_REG_FILE, EXT2_FT_DIR, EXT2_FT_CHRDEV = 0, 1, 2, 3
EXT2_FT_BLKDEV, EXT2_FT_FIFO, EXT2_FT_SOCK, EXT2_FT_SYMLINK = 4, 5, 6, 7
EXT4_FT_DIR_CSUM = 0xDE


def rec_len_for(name_len):
    """The smallest record an entry with a name this long takes."""
    return (DIRENT.size + name_len + 3) & ~3


def blocks_count(es):
    return es.s_blocks_count | (es.s_blocks_count_hi << 32 if es.s_feature_incompat
                                & INCOMPAT_64BIT else 0)
