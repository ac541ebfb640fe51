"""fs/ext2/dir.py - directory blocks: finding, adding and removing entries.

A directory's data is a row of blocks (read as buffers, fs/buffer.py),
each filled exactly by variable-length entries:

    u32 inode, u16 rec_len, u8 name_len, u8 file_type, name (not NUL-ended)

rec_len reaches to the next entry (4-byte aligned; the last one reaches
the block's end), so an entry has room to spare after its name.  Adding
a name takes an unused entry (inode 0) or splits the spare room of one;
removing one gives its room to the entry before it (or, first in its
block, sets its inode to 0).  Every block read is checked the way
Linux's ext2_check_page checks it, and a bad entry is a file-system
error (EIO).

Looking a name up scans the blocks once per directory and then keeps an
index in memory (name -> block, offset), kept up to date by every change:
creating the 20,000th file of a directory does not read the other
19,999.  A directory that ext3/ext4 gave an htree index (EXT2_INDEX_FL)
reads the same way - its index blocks look like empty entries - and
loses the flag at its first change, as Linux's ext2 does, since the index
would not follow.
"""

from kernel.errno import EIO, Errno
from fs.buffer import sb_bread, sb_getblk
from fs.ext2 import layout as L
from fs.inode import (DT_UNKNOWN, S_IFMT, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK,
                      S_IFREG, S_IFSOCK)

DIRENT = L.DIRENT
_FT = {S_IFREG: L.EXT2_FT_REG_FILE, S_IFDIR: L.EXT2_FT_DIR, S_IFCHR: L.EXT2_FT_CHRDEV,
       S_IFBLK: L.EXT2_FT_BLKDEV, S_IFIFO: L.EXT2_FT_FIFO, S_IFSOCK: L.EXT2_FT_SOCK,
       S_IFLNK: L.EXT2_FT_SYMLINK}
_DT = {L.EXT2_FT_REG_FILE: 8, L.EXT2_FT_DIR: 4, L.EXT2_FT_CHRDEV: 2, L.EXT2_FT_BLKDEV: 6,
       L.EXT2_FT_FIFO: 1, L.EXT2_FT_SOCK: 12, L.EXT2_FT_SYMLINK: 10}


def file_type(sb, mode):
    if not sb.es.s_feature_incompat & L.INCOMPAT_FILETYPE:
        return 0
    return _FT.get(mode & S_IFMT, 0)


def dtype_of(ft):
    return _DT.get(ft, DT_UNKNOWN)


def nblocks(dir):
    return dir.size >> dir.sb.blocksize_bits


def read_dir_block(dir, i):
    """The buffer of the directory's block i (EIO for a hole)."""
    pblk = dir.get_block(i)
    if not pblk:
        dir.sb.corrupt("ext2_readdir", "directory #%d contains a hole at offset %d"
                       % (dir.ino, i << dir.sb.blocksize_bits))
    bh = sb_bread(dir.sb.bdev, pblk, dir.sb.blocksize)
    dir.verify_dir_block(pblk, bh.read())
    return bh


def entries(dir, i, data):
    """[(offset, inode, rec_len, name_len, file_type, name)] of block i,
    checked."""
    sb = dir.sb
    bs = dir.dir_block_end(data)
    out = []
    off = 0
    while off < bs:
        if off + DIRENT.size > bs:
            _bad(dir, i, off, "directory entry across blocks")
        ino, rec_len, name_len, ft = DIRENT.unpack_from(data, off)
        if rec_len < 12:
            _bad(dir, i, off, "rec_len is smaller than minimal")
        if rec_len & 3:
            _bad(dir, i, off, "unaligned directory entry")
        if rec_len < L.rec_len_for(name_len):
            _bad(dir, i, off, "rec_len is too small for name_len")
        if off + rec_len > bs:
            _bad(dir, i, off, "directory entry across blocks")
        if ino > sb.es.s_inodes_count:
            _bad(dir, i, off, "inode out of bounds")
        out.append((off, ino, rec_len, name_len, ft, bytes(data[off + 8:off + 8 + name_len])))
        off += rec_len
    return out


def _bad(dir, i, off, what):
    dir.sb.corrupt("ext2_check_page", "bad entry in directory #%d: %s - offset=%d"
                   % (dir.ino, what, (i << dir.sb.blocksize_bits) + off))


def _index(dir):
    """name -> (block, offset, inode, file_type), built on first use."""
    if dir.dents is None:
        idx = {}
        for i in range(nblocks(dir)):
            bh = read_dir_block(dir, i)
            for off, ino, _, _, ft, name in entries(dir, i, bh.read()):
                if ino:
                    idx[name] = (i, off, ino, ft)
        dir.dents = idx
    return dir.dents


def find_entry(dir, name):
    """(block, offset, inode, file_type) of name, or None."""
    return _index(dir).get(name)


def readdir(dir):
    """Every entry, in the order on disk: [(name, inode, file_type)]."""
    out = []
    for i in range(nblocks(dir)):
        bh = read_dir_block(dir, i)
        for _, ino, _, _, ft, name in entries(dir, i, bh.read()):
            if ino:
                out.append((name, ino, ft))
    return out


def _put(view, off, ino, rec_len, name, ft):
    DIRENT.pack_into(view, off, ino, rec_len, len(name), ft)
    view[off + 8:off + 8 + len(name)] = name


def _changing(dir):
    if dir.i_flags & L.EXT2_INDEX_FL:
        dir.drop_dir_index()


def _changed(dir):
    dir.touch(m=True, c=True)


def add_entry(dir, name, ino, ft):
    """Put name -> ino into the directory (the caller checked it is not
    there): in the block last changed or the last block if there is room,
    else in a new block at the end."""
    sb = dir.sb
    _changing(dir)
    idx = _index(dir)
    need = L.rec_len_for(len(name))
    n = nblocks(dir)
    for i in sorted({b for b in (dir.dir_hint, n - 1) if 0 <= b < n}):
        bh = read_dir_block(dir, i)
        for off, e_ino, rec_len, name_len, _, _ in entries(dir, i, bh.read()):
            used = L.rec_len_for(name_len) if e_ino else 0
            if rec_len - used < need:
                continue
            view = bh.data
            if e_ino:
                view[off + 4:off + 6] = used.to_bytes(2, "little")
                _put(view, off + used, ino, rec_len - used, name, ft)
                idx[name] = (i, off + used, ino, ft)
            else:
                _put(view, off, ino, rec_len, name, ft)
                idx[name] = (i, off, ino, ft)
            dir.dirty_dir_block(bh)
            dir.dir_hint = i
            _changed(dir)
            return
    pblk = dir.get_block(n, create=True)
    bh = sb_getblk(sb.bdev, pblk, sb.blocksize)
    view = bh.data
    _put(view, 0, ino, dir.block_rec_len(), name, ft)
    dir.init_dir_block_tail(view)
    dir.dirty_dir_block(bh)
    idx[name] = (n, 0, ino, ft)
    dir.size += sb.blocksize
    dir.dir_hint = n
    _changed(dir)


def delete_entry(dir, name):
    """Take name out; its room goes to the entry before it."""
    _changing(dir)
    idx = _index(dir)
    where = idx.get(name)
    if where is None:
        raise Errno(EIO)
    i, off, _, _ = where
    bh = read_dir_block(dir, i)
    prev = None
    for e_off, _, rec_len, _, _, _ in entries(dir, i, bh.read()):
        if e_off == off:
            break
        prev = (e_off, rec_len)
    view = bh.data
    if prev is not None:
        p_off, p_len = prev
        this_len = int.from_bytes(view[off + 4:off + 6], "little")
        view[p_off + 4:p_off + 6] = (p_len + this_len).to_bytes(2, "little")
    else:
        view[off:off + 4] = bytes(4)
    dir.dirty_dir_block(bh)
    del idx[name]
    dir.dir_hint = i
    _changed(dir)


def set_entry(dir, name, ino, ft):
    """Point the existing entry name at another inode (rename over a file)."""
    _changing(dir)
    idx = _index(dir)
    i, off, _, _ = idx[name]
    bh = read_dir_block(dir, i)
    view = bh.data
    view[off:off + 4] = ino.to_bytes(4, "little")
    if dir.sb.es.s_feature_incompat & L.INCOMPAT_FILETYPE:
        view[off + 7] = ft
    dir.dirty_dir_block(bh)
    idx[name] = (i, off, ino, ft)
    _changed(dir)


def make_empty(dir, parent_ino):
    """A new directory's first block: "." and ".."."""
    sb = dir.sb
    pblk = dir.get_block(0, create=True)
    bh = sb_getblk(sb.bdev, pblk, sb.blocksize)
    view = bh.data
    ft = file_type(sb, S_IFDIR)
    _put(view, 0, dir.ino, 12, b".", ft)
    _put(view, 12, parent_ino, dir.block_rec_len() - 12, b"..", ft)
    dir.init_dir_block_tail(view)
    dir.dirty_dir_block(bh)
    dir.size = sb.blocksize
    dir.dents = {b".": (0, 0, dir.ino, ft), b"..": (0, 12, parent_ino, ft)}


def is_empty(dir):
    for name in _index(dir):
        if name not in (b".", b".."):
            return False
    return True
