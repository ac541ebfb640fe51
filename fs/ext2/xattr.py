"""fs/ext2/xattr.py - extended attributes, read-only: getxattr and
listxattr of what mke2fs -d, setfattr on the host, or Linux put there.

Attributes live in the inode's spare room after i_extra_isize (256-byte
inodes) and in one shared block named by i_file_acl.  Both hold a magic
number, then entries

    u8 name_len, u8 name_index, u16 value_offs, u32 value_inum,
    u32 value_size, u32 hash, name          (padded to 4 bytes)

ended by four zero bytes; name_index is the prefix ("user.", "trusted.",
"security.", "system.posix_acl_access", ...).  A value is at value_offs
from the block's start, or in the inode from the first entry.  pyuml
does not write attributes (setxattr is EOPNOTSUPP), but deleting an inode
gives its share of an attribute block back (h_refcount).
"""

import struct

from kernel.errno import ENODATA, ERANGE, Errno
from fs.buffer import sb_bread
from fs.ext2.balloc import free_blocks

EXT2_XATTR_MAGIC = 0xEA020000
_ENTRY = struct.Struct("<BBHIII")
PREFIXES = {1: b"user.", 2: b"system.posix_acl_access", 3: b"system.posix_acl_default",
            4: b"trusted.", 6: b"security.", 7: b"system.", 8: b"system.richacl"}


def _parse(buf, start, value_base, limit):
    """{full name: value} of the entries from start."""
    out = {}
    off = start
    while off + 4 <= limit and buf[off:off + 4] != b"\0\0\0\0":
        if off + _ENTRY.size > limit:
            break
        name_len, index, voff, vinum, vsize, _ = _ENTRY.unpack_from(buf, off)
        name = bytes(buf[off + 16:off + 16 + name_len])
        prefix = PREFIXES.get(index)
        if prefix is not None and not vinum:
            v0 = value_base + voff
            out[prefix + name] = bytes(buf[v0:v0 + vsize])
        off += (16 + name_len + 3) & ~3
    return out


def all_xattrs(inode):
    sb = inode.sb
    out = {}
    if sb.inode_size > 128 and inode.raw is not None and \
            inode.raw.i_extra_isize >= 4:
        block, off = inode._location()
        raw = sb_bread(sb.bdev, block, sb.blocksize).read()[off:off + sb.inode_size]
        start = 128 + inode.raw.i_extra_isize
        if start + 4 <= len(raw) and struct.unpack_from("<I", raw, start)[0] == EXT2_XATTR_MAGIC:
            out.update(_parse(raw, start + 4, start + 4, len(raw)))
    if inode.file_acl and sb.es.s_first_data_block <= inode.file_acl < sb.blocks_count:
        data = sb_bread(sb.bdev, inode.file_acl, sb.blocksize).read()
        if struct.unpack_from("<I", data, 0)[0] == EXT2_XATTR_MAGIC:
            out.update(_parse(data, 32, 0, len(data)))
    return out


def get_xattr(self, name):
    v = all_xattrs(self).get(name)
    if v is None:
        raise Errno(ENODATA)
    return v


def list_xattr(self):
    return list(all_xattrs(self))


def xattr_delete_inode(inode):
    """The inode goes: drop its reference to a shared attribute block."""
    sb = inode.sb
    blk = inode.file_acl
    if not blk:
        return
    inode.file_acl = 0
    if not sb.es.s_first_data_block <= blk < sb.blocks_count:
        return
    bh = sb_bread(sb.bdev, blk, sb.blocksize)
    view = bh.data
    magic, refcount = struct.unpack_from("<II", view, 0)
    if magic != EXT2_XATTR_MAGIC:
        return
    if refcount <= 1:
        free_blocks(sb, blk)
        inode.i_blocks = max(0, inode.i_blocks - (sb.blocksize >> 9))
    else:
        struct.pack_into("<I", view, 4, refcount - 1)
        sb.dirty_xattr_block(bh, blk)


__all__ = ["get_xattr", "list_xattr", "xattr_delete_inode", "ERANGE"]
