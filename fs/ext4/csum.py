"""fs/ext4/csum.py - metadata_csum: the CRC-32C checksums ext4 keeps on its
metadata, verified as they are read (Linux's fs/ext4/*_csum* helpers).

Every checksum starts from the file system's seed: s_checksum_seed when
the csum_seed feature says it is stored, else crc32c(~0, s_uuid).  Each
kind of metadata then adds what it belongs to:

  superblock          crc32c(~0, the first 1020 bytes)           s_checksum
  group descriptor    crc32c(seed, le32 group, desc w/o checksum) & 0xffff
  inode               crc32c(seed, le32 ino, le32 generation, inode with
                      its two checksum halves as zeros)          lo16 at 124, hi16 at 130
  extent block        crc32c(inode seed, header + entries)       tail after eh_max entries
  directory block     crc32c(inode seed, entries)                12-byte tail entry

A mismatch is a file-system error (EXT4-fs error ... checksum invalid)
and the read fails with EIO, as Linux's ext4 does.
"""

import struct

from lib.crc32c import crc32c
from fs.ext2 import layout as L

U32 = struct.Struct("<I")


def fs_seed(es):
    if es.s_feature_incompat & L.INCOMPAT_CSUM_SEED:
        return es.s_checksum_seed
    return crc32c(0xFFFFFFFF, es.s_uuid)


def superblock_csum(raw1024):
    return crc32c(0xFFFFFFFF, raw1024[:1020])


def group_desc_csum(seed, group, raw_desc):
    d = bytearray(raw_desc)
    d[30:32] = b"\0\0"                  # bg_checksum itself
    return crc32c(crc32c(seed, U32.pack(group)), d) & 0xFFFF


def inode_seed(seed, ino, generation):
    return crc32c(crc32c(seed, U32.pack(ino)), U32.pack(generation))


def inode_csum(iseed, raw, inode_size):
    """(computed, stored) over an on-disk inode; 16 bits only if the inode
    has no room for i_checksum_hi."""
    d = bytearray(raw[:inode_size])
    has_hi = inode_size > 128 and struct.unpack_from("<H", d, 128)[0] >= 4
    stored = struct.unpack_from("<H", d, 124)[0]
    d[124:126] = b"\0\0"
    if has_hi:
        stored |= struct.unpack_from("<H", d, 130)[0] << 16
        d[130:132] = b"\0\0"
    c = crc32c(iseed, d)
    return (c if has_hi else c & 0xFFFF), stored


def tail_csum(iseed, block, upto):
    """Extent and directory blocks: the checksum over block[:upto]."""
    return crc32c(iseed, block[:upto])
