"""fs/ext2/inode.py - an ext2 inode in memory: reading and writing it,
mapping its blocks, truncating, its file operations.

An inode's place on disk is fixed by its number: group (ino-1) // per
group, slot (ino-1) % per group of that group's inode table.  iget reads
it once into an Ext2Inode (kept in sb.icache while the kernel runs);
mark_inode_dirty() puts it on the superblock's dirty list, and
write-back packs it into its inode-table buffer again (write_inode).

Block mapping (get_block), as ext2 has always done it: i_block[0..11]
are the first twelve blocks, i_block[12] an indirect block of block
numbers, [13] a doubly and [14] a triply indirect one.  A 0 is a hole
(reads as zeros).  Writing allocates: the data block near the previous
one, indirect blocks on the way, all counted in i_blocks (512-byte
units).  Truncating frees whole branches beyond the new end.

Regular files keep their data in the page cache (fs/mpage.py: a
BlockMapping whose pages are read and written through get_block);
everything else an inode has (directories, slow symlinks, indirect
blocks) is read as buffers (fs/buffer.py).
"""

import struct

from kernel.abi import RLIMIT_FSIZE, s32
from kernel.errno import EFBIG, EINVAL, EIO, EISDIR, ENOMEM, ENOSPC, EPERM, EROFS, Errno
from kernel.capability import CAP_LINUX_IMMUTABLE, capable
from kernel.user_namespace import inode_owner_or_capable
from fs.buffer import bforget, mark_buffer_dirty, sb_bread, sb_getblk
from fs.ext2 import layout as L
from fs.ext2.balloc import free_blocks, new_block
from fs.file import O_DSYNC, DirOperations
from fs.inode import Inode, S_ISBLK, S_ISCHR, S_ISDIR, S_ISLNK, S_ISREG, mkdev, now_ns
from fs.read_write import GenericFileOperations
from mm import physmem as _pm
from mm.physmem import PAGE_SHIFT, PAGE_SIZE, OutOfMemory
from block.bio import all_of, done_completion, wait_for
from fs.ext2.ialloc import free_inode
from fs.ext2.xattr import xattr_delete_inode
from fs.fs_writeback import (balance_dirty_pages, file_check_and_advance_wb_err,
                             file_sample_wb_err, mapping_clean, mark_mapping_dirty)
from fs.mpage import BlockMapping, mpage_readpage, mpage_readpages
from fs.namei import may_write_path
from kernel import sched
from kernel.signal import SIGXFSZ, SigInfo, send_signal
from mm.uaccess import copy_from_user, copy_to_user

NSEC = 10 ** 9
EXT2_LINK_MAX = 32000


def _decode_time(sec, extra, has_extra):
    """(seconds as s32 + the epoch bits of extra) and nanoseconds, in ns."""
    s = sec - (1 << 32) if sec & 0x80000000 else sec
    if has_extra:
        s += (extra & 3) << 32
        return s * NSEC + (extra >> 2)
    return s * NSEC


def _encode_time(ns):
    sec, nsec = divmod(ns, NSEC)
    extra = ((sec - s32(sec)) >> 32) & 3 | (nsec << 2)
    return sec & 0xFFFFFFFF, extra & 0xFFFFFFFF


def old_decode_dev(v):
    return ((v >> 8) & 0xFF, v & 0xFF)


def new_decode_dev(v):
    return ((v & 0xFFF00) >> 8, (v & 0xFF) | ((v >> 12) & 0xFFF00))


class Ext2Inode(Inode):
    raw = None                          # the on-disk inode as read (None: not yet)
    last_alloc = 0                      # the last block given to it: the next goes after
    _evicted = False                    # evict_inode has run

    def __init__(self, sb, ino):
        super().__init__(sb, 0, ino=ino)
        self.i_block = [0] * L.EXT2_N_BLOCKS
        self.i_flags = 0
        self.i_blocks = 0               # 512-byte sectors, as on disk
        self.dtime = 0
        self.generation = 0
        self.file_acl = 0
        self.dir_hint = 0               # fs/ext2/dir.py: where to try adding first
        self.dents = None               # fs/ext2/dir.py: name -> (block, offset)

    def __repr__(self):
        return "<ext2 inode %d>" % self.ino

    # -- where it is on disk -------------------------------------------------------------
    def _location(self):
        sb = self.sb
        g, slot = divmod(self.ino - 1, sb.inodes_per_group)
        if g >= sb.groups_count:
            raise Errno(EIO)
        pos = slot * sb.inode_size
        block = sb.gdt[g].inode_table(sb) + pos // sb.blocksize
        return block, pos % sb.blocksize

    def read_inode(self):
        sb = self.sb
        block, off = self._location()
        bh = sb_bread(sb.bdev, block, sb.blocksize)
        raw = bh.read()[off:off + sb.inode_size]
        sb.verify_inode(self, raw)
        r = self.raw = L.INODE.unpack(raw, _Raw(), limit=sb.inode_size)
        extra = sb.inode_size > 128 and r.i_extra_isize >= 4
        self.has_extra = sb.inode_size > 128
        self.mode = r.i_mode
        self.uid = r.i_uid | (r.l_i_uid_high << 16)
        self.gid = r.i_gid | (r.l_i_gid_high << 16)
        self.nlink = r.i_links_count
        self.size = r.i_size | (r.i_size_high << 32 if S_ISREG(self.mode) or
                                 sb.es.s_feature_ro_compat & L.RO_COMPAT_LARGE_FILE else 0)
        big = extra and r.i_extra_isize >= 24
        self.atime = _decode_time(r.i_atime, r.i_atime_extra, extra and r.i_extra_isize >= 16)
        self.ctime = _decode_time(r.i_ctime, r.i_ctime_extra, extra and r.i_extra_isize >= 8)
        self.mtime = _decode_time(r.i_mtime, r.i_mtime_extra, extra and r.i_extra_isize >= 12)
        self.btime = _decode_time(r.i_crtime, r.i_crtime_extra, big) if big else self.ctime
        self.dtime = r.i_dtime
        self.i_flags = r.i_flags
        self.i_blocks = r.i_blocks | (r.l_i_blocks_hi << 32 if sb.es.s_feature_ro_compat
                                      & L.RO_COMPAT_HUGE_FILE else 0)
        self.i_block = list(struct.unpack("<15I", r.i_block))
        self.generation = r.i_generation
        self.file_acl = r.i_file_acl | (r.l_i_file_acl_high << 32 if sb.is64 else 0)
        self.rdev = 0
        if S_ISCHR(self.mode) or S_ISBLK(self.mode):
            if self.i_block[0]:
                self.rdev = mkdev(*old_decode_dev(self.i_block[0]))
            else:
                self.rdev = mkdev(*new_decode_dev(self.i_block[1]))
        self.setup_ops()

    def setup_ops(self):
        if S_ISREG(self.mode):
            self.mapping = BlockMapping(self, self.sb.bdev)
            self.i_fop = self.sb.file_fops
        elif S_ISDIR(self.mode):
            self.i_fop = ext2_dir_fops

    def write_inode(self):
        """Pack the in-core inode into its inode-table buffer."""
        sb = self.sb
        if sb.read_only:
            return
        block, off = self._location()
        bh = sb_bread(sb.bdev, block, sb.blocksize)
        if self.zero_slot:
            buf = bytearray(sb.inode_size)      # a new inode: nothing of the old one stays
            self.zero_slot = False
        else:
            buf = bytearray(bh.data[off:off + sb.inode_size])
        r = self.raw
        r.i_mode = self.mode & 0xFFFF
        r.i_uid, r.l_i_uid_high = self.uid & 0xFFFF, (self.uid >> 16) & 0xFFFF
        r.i_gid, r.l_i_gid_high = self.gid & 0xFFFF, (self.gid >> 16) & 0xFFFF
        r.i_links_count = max(0, min(self.nlink, 0xFFFF))
        r.i_size = self.size & 0xFFFFFFFF
        r.i_size_high = self.size >> 32 if S_ISREG(self.mode) else r.i_size_high
        if S_ISREG(self.mode) and self.size >= 1 << 31 and \
                not sb.es.s_feature_ro_compat & L.RO_COMPAT_LARGE_FILE:
            sb.es.s_feature_ro_compat |= L.RO_COMPAT_LARGE_FILE
            sb.mark_super_dirty()
        r.i_atime, r.i_atime_extra = _encode_time(self.atime)
        r.i_ctime, r.i_ctime_extra = _encode_time(self.ctime)
        r.i_mtime, r.i_mtime_extra = _encode_time(self.mtime)
        r.i_dtime = self.dtime
        r.i_flags = self.i_flags
        r.i_blocks = self.i_blocks & 0xFFFFFFFF
        r.i_block = struct.pack("<15I", *self.i_block)
        r.i_generation = self.generation
        r.i_file_acl = self.file_acl & 0xFFFFFFFF
        if sb.inode_size > 128 and r.i_extra_isize < 4 and self.new_inode:
            r.i_extra_isize = L.EXT2_EXTRA_ISIZE
        limit = sb.inode_size if sb.inode_size <= 128 else 128 + max(0, min(
            r.i_extra_isize, sb.inode_size - 128))
        L.INODE.pack(buf, r, limit=min(limit, L.INODE.size))
        if limit >= 128 + 24 and self.new_inode:
            crt, crt_extra = _encode_time(self.btime)
            struct.pack_into("<II", buf, 144, crt, crt_extra)
        bh.data[off:off + sb.inode_size] = buf
        mark_buffer_dirty(bh)

    new_inode = False
    zero_slot = False

    # -- dirtiness -------------------------------------------------------------------------
    def mark_dirty(self):
        if self.sb.read_only:
            return
        self.sb.dirty_inodes.add(self)
        mark_mapping_dirty(self.sb.bdev.mapping)

    def touch(self, a=False, m=False, c=False):
        if a and not (m or c):
            return                      # no atime updates (as mounted "noatime")
        super().touch(False, m, c)
        self.mark_dirty()

    def setattr(self, mode=None, uid=None, gid=None, size=None, atime=None, mtime=None):
        if self.sb.read_only:
            raise Errno(EROFS)
        if self.i_flags & (L.EXT2_IMMUTABLE_FL | L.EXT2_APPEND_FL):
            raise Errno(EPERM)                  # not even chmod or a new time
        if size is not None:
            self.truncate(size)
        super().setattr(mode, uid, gid, None, atime, mtime)
        self.mark_dirty()

    def blocks(self):
        return self.i_blocks

    @property
    def immutable(self):
        return bool(self.i_flags & L.EXT2_IMMUTABLE_FL)

    @property
    def append_only(self):
        return bool(self.i_flags & L.EXT2_APPEND_FL)

    # -- block mapping ------------------------------------------------------------------------
    def _path(self, iblock):
        per = self.sb.blocksize >> 2
        if iblock < 12:
            return [iblock]
        iblock -= 12
        if iblock < per:
            return [12, iblock]
        iblock -= per
        if iblock < per * per:
            return [13, iblock // per, iblock % per]
        iblock -= per * per
        if iblock < per * per * per:
            return [14, iblock // (per * per), (iblock // per) % per, iblock % per]
        raise Errno(EFBIG)

    def get_block(self, iblock, create=False):
        """The disk block of the file's block iblock (0: a hole).  create
        allocates what is missing (ENOSPC when the disk is full)."""
        sb = self.sb
        path = self._path(iblock)
        bs = sb.blocksize
        blk = self.i_block[path[0]]
        if blk == 0:
            if not create:
                return 0
            blk = self._alloc(iblock, indirect=len(path) > 1)
            self.i_block[path[0]] = blk
            self.mark_dirty()
        parent = blk
        for depth, off in enumerate(path[1:], 1):
            if not sb.es.s_first_data_block <= parent < sb.blocks_count:
                sb.corrupt("ext2_get_block", "inode %d: block %d out of range" % (self.ino, parent))
            bh = sb_bread(sb.bdev, parent, bs)
            blk = struct.unpack_from("<I", bh.data, off * 4)[0]
            if blk == 0:
                if not create:
                    return 0
                blk = self._alloc(iblock, indirect=depth < len(path) - 1, goal=parent + 1)
                bh = sb_bread(sb.bdev, parent, bs)
                struct.pack_into("<I", bh.data, off * 4, blk)
                mark_buffer_dirty(bh)
            parent = blk
        return blk

    def _alloc(self, iblock, indirect, goal=None):
        sb = self.sb
        if goal is None:
            goal = self._goal(iblock)
        blk = new_block(sb, goal)
        self.i_blocks += sb.blocksize >> 9
        self.last_alloc = blk
        if indirect:
            bh = sb_getblk(sb.bdev, blk, sb.blocksize)
            mark_buffer_dirty(bh)
        self.mark_dirty()
        return blk

    def _goal(self, iblock):
        last = self.last_alloc
        if last:
            return last + 1
        g = (self.ino - 1) // self.sb.inodes_per_group
        return self.sb.group_first_block(g)

    def map_range(self, start, end):
        """Allocate the blocks behind bytes [start, end) of the file; returns
        how many bytes from start are backed (short if the disk filled)."""
        bits = self.sb.blocksize_bits
        first, last = start >> bits, (end - 1) >> bits
        for ib in range(first, last + 1):
            try:
                self.get_block(ib, create=True)
            except Errno as e:
                if e.errno != ENOSPC:
                    raise
                done = (ib << bits) - start
                if done <= 0:
                    raise
                return done
        return end - start

    # -- truncation -------------------------------------------------------------------------------
    def truncate(self, size):
        if S_ISDIR(self.mode):
            raise Errno(EISDIR)
        if not S_ISREG(self.mode):
            raise Errno(EINVAL)
        if size > self.sb.max_file_size:
            raise Errno(EFBIG)
        old = self.size
        bits = self.sb.blocksize_bits
        if size < old and size & (self.sb.blocksize - 1) and self.mapping is not None:
            # the tail of the last block must read as zeros if the file grows again
            index = size >> PAGE_SHIFT
            if self.get_block(size >> bits):
                try:
                    pfn = self.mapping.read_page(index)
                except OutOfMemory:
                    raise Errno(ENOMEM)
                if pfn is not None:
                    lo = size & (PAGE_SIZE - 1)
                    _pm.physmem.frame_view(pfn)[lo:] = bytes(PAGE_SIZE - lo)
                    self.mapping.mark_dirty(index)
        if self.mapping is not None:
            self.mapping.truncate(size)
        self.size = size
        if size < old:
            self.truncate_blocks(size)
        self.touch(m=True, c=True)

    def truncate_blocks(self, size):
        """Free every block wholly beyond size."""
        sb = self.sb
        bits = sb.blocksize_bits
        first = (size + sb.blocksize - 1) >> bits
        per = sb.blocksize >> 2
        for i in range(12):
            if i >= first and self.i_block[i]:
                self._free(self.i_block[i])
                self.i_block[i] = 0
        base = 12
        for level, slot in ((1, 12), (2, 13), (3, 14)):
            span = per ** level
            root = self.i_block[slot]
            if root:
                if first <= base:
                    self._free_tree(root, level)
                    self.i_block[slot] = 0
                elif first < base + span:
                    self._trunc_tree(root, level, base, first)
            base += span
        self.last_alloc = 0
        self.mark_dirty()

    def _free(self, blk):
        free_blocks(self.sb, blk)
        self.i_blocks = max(0, self.i_blocks - (self.sb.blocksize >> 9))

    def _ptrs(self, blk):
        sb = self.sb
        if not sb.es.s_first_data_block <= blk < sb.blocks_count:
            sb.error("ext2_free_branches", "inode %d: indirect block %d out of range"
                     % (self.ino, blk))
            return None
        bh = sb_bread(sb.bdev, blk, sb.blocksize)
        return bh, list(struct.unpack("<%dI" % (sb.blocksize >> 2), bh.read()))

    def _free_tree(self, blk, depth):
        if depth > 0:
            got = self._ptrs(blk)
            if got is None:
                return
            for p in got[1]:
                if p:
                    self._free_tree(p, depth - 1)
            bforget(self.sb.bdev, blk, self.sb.blocksize)
        self._free(blk)

    def _trunc_tree(self, blk, depth, base, first):
        got = self._ptrs(blk)
        if got is None:
            return
        bh, ptrs = got
        span = (self.sb.blocksize >> 2) ** (depth - 1)
        changed = False
        for i, p in enumerate(ptrs):
            lo = base + i * span
            if lo + span <= first or not p:
                continue
            if lo >= first:
                self._free_tree(p, depth - 1)
                ptrs[i] = 0
                changed = True
            else:
                self._trunc_tree(p, depth - 1, lo, first)
        if changed:
            bh.data[:] = struct.pack("<%dI" % len(ptrs), *ptrs)
            mark_buffer_dirty(bh)

    # -- data through the page cache ------------------------------------------------------------
    def readpage(self, index, buf):
        mpage_readpage(self, index, buf)

    def readpages(self, indexes, bufs):
        mpage_readpages(self, indexes, bufs)

    def start_writeback(self):
        if self.mapping is not None:
            return self.mapping.writeback()
        return done_completion()

    # -- the end of an inode -------------------------------------------------------------------
    def evict(self):
        """Last link and last user gone: blocks, xattrs and the inode itself
        go back to the bitmaps."""
        sb = self.sb
        if sb.read_only or self.nlink > 0:
            return
        if self._evicted:
            return
        self._evicted = True
        if self.mapping is not None:
            self.mapping.release()
            mapping_clean(self.mapping)
        if S_ISREG(self.mode) or S_ISDIR(self.mode) or (S_ISLNK(self.mode)
                                                         and not self.fast_symlink()):
            self.size = 0
            self.truncate_blocks(0)
        xattr_delete_inode(self)
        self.dtime = now_ns() // NSEC & 0xFFFFFFFF
        self.nlink = 0
        self.write_inode()
        self.sb.dirty_inodes.discard(self)
        free_inode(sb, self.ino, S_ISDIR(self.mode))
        sb.icache.pop(self.ino, None)

    def read_slow_symlink(self):
        sb = self.sb
        pblk = self.get_block(0)
        if not pblk or self.size >= sb.blocksize:
            sb.corrupt("ext2_get_link", "inode %d: bad symlink" % self.ino)
        return sb_bread(sb.bdev, pblk, sb.blocksize).read()[:self.size]

    def verify_dir_block(self, pblk, data):
        """ext4 checks a directory block's checksum here."""

    def block_rec_len(self):
        """The room a directory block has for entries (ext4's checksum tail
        takes 12 bytes of it)."""
        return self.sb.blocksize

    def init_dir_block_tail(self, view):
        pass

    def dir_block_end(self, data):
        """Where a directory block's entries end (before ext4's checksum tail)."""
        return len(data)

    def dirty_dir_block(self, bh):
        """A directory block changed (ext4 updates its checksum tail first)."""
        mark_buffer_dirty(bh)

    def drop_dir_index(self):
        """The directory changes: an htree index would not follow it."""
        self.i_flags &= ~L.EXT2_INDEX_FL

    def init_new(self):
        """A new inode, before its first block (ext4 makes it extent-mapped)."""

    def fast_symlink(self):
        ea = (self.sb.blocksize >> 9) if self.file_acl else 0
        return S_ISLNK(self.mode) and self.i_blocks - ea == 0

    # -- directories and links: fs/ext2/namei.py ------------------------------------------------
    from fs.ext2.namei import (create, link, lookup, mkdir, readdir, readlink,  # noqa: E402
                               rename, rmdir, symlink, tmpfile, unlink)

    # -- extended attributes: fs/ext2/xattr.py ---------------------------------------------------
    from fs.ext2.xattr import get_xattr, list_xattr                            # noqa: E402


class _Raw:
    pass


def ext2_iget(sb, ino):
    """The in-core inode ino, read from disk the first time."""
    inode = sb.icache.get(ino)
    if inode is not None:
        return inode
    if ino < 1 or ino > sb.es.s_inodes_count:
        sb.corrupt("ext2_iget", "bad inode number: %d" % ino)
    inode = sb.inode_class(sb, ino)
    inode.read_inode()
    if inode.nlink == 0 and inode.mode == 0:
        sb.corrupt("ext2_iget", "deleted inode referenced: %d" % ino)
    sb.icache[ino] = inode
    return inode


# -- file operations ------------------------------------------------------------------------------

class Ext2FileOperations(GenericFileOperations):
    """A regular file: the page cache, blocks allocated as writes arrive,
    write-back by the flusher; fsync waits for the disk."""
    fallocate_supported = False         # Linux's ext2 has no ->fallocate either

    def open(self, f, t):
        file_sample_wb_err(f)

    def pread(self, f, t, count, pos):
        try:
            return f.mapping.read(pos, count)
        except OutOfMemory:
            raise Errno(ENOMEM)

    def pwrite(self, f, t, data, pos):
        may_write_path(t, f.path)
        inode = f.inode
        if inode.sb.read_only:
            raise Errno(EROFS)
        if inode.i_flags & L.EXT2_IMMUTABLE_FL:
            raise Errno(EPERM)
        limit = t.signal.rlim[RLIMIT_FSIZE][0]
        if pos + len(data) > limit:
            if pos >= limit:
                send_signal(t, SigInfo(SIGXFSZ), group=False)
                raise Errno(EFBIG)
            data = data[:limit - pos]
        maxsize = inode.sb.max_file_size
        if pos + len(data) > maxsize:
            if pos >= maxsize:
                raise Errno(EFBIG)
            data = data[:maxsize - pos]
        if not data:
            return 0
        n = _write_pages(inode, pos, data)
        inode.touch(m=True, c=True)
        if f.flags & O_DSYNC:
            return _sync_write(f, t, n)
        wait = balance_dirty_pages(t)
        if wait is not None:
            return _after(wait, n)
        return n

    def fsync(self, f):
        return ext2_fsync(f)

    def ioctl(self, f, t, cmd, arg):
        return ext2_ioctl(f, t, cmd, arg)


FS_IOC_GETFLAGS = {0x80086601, 0x80046601}      # _IOR('f', 1, long), and i386's
FS_IOC_SETFLAGS = {0x40086602, 0x40046602}
EXT2_FL_USER_VISIBLE = 0x0004BDFF
EXT2_FL_USER_MODIFIABLE = 0x000380FF


def ext2_ioctl(f, t, cmd, arg):
    """chattr/lsattr: FS_IOC_GETFLAGS and FS_IOC_SETFLAGS (an int)."""
    inode = f.inode
    if cmd in FS_IOC_GETFLAGS:
        copy_to_user(t.mm, arg, struct.pack("<I", inode.i_flags & EXT2_FL_USER_VISIBLE))
        return 0
    if cmd in FS_IOC_SETFLAGS:
        if inode.sb.read_only:
            raise Errno(EROFS)
        if not inode_owner_or_capable(t.cred, inode):
            raise Errno(EPERM)
        new = struct.unpack("<I", copy_from_user(t.mm, arg, 4))[0]
        changed = (new ^ inode.i_flags) & EXT2_FL_USER_MODIFIABLE
        if changed & (L.EXT2_IMMUTABLE_FL | L.EXT2_APPEND_FL) \
                and not capable(t, CAP_LINUX_IMMUTABLE):
            raise Errno(EPERM)
        inode.i_flags = (inode.i_flags & ~EXT2_FL_USER_MODIFIABLE) | \
            (new & EXT2_FL_USER_MODIFIABLE)
        inode.touch(c=True)
        return 0
    return None


def _write_pages(inode, pos, data):
    """Copy data into the page cache at pos: the pages first (so that the
    blocks about to be allocated read as zeros, never as the disk's old
    bytes), pinned while the blocks are found, then the bytes."""
    pm = _pm.physmem
    m = inode.mapping
    end = pos + len(data)
    pinned = []
    try:
        for index in range(pos >> PAGE_SHIFT, ((end - 1) >> PAGE_SHIFT) + 1):
            pfn = m.grab_page(index)
            pm.get_frame(pfn)
            pinned.append(pfn)
        n = inode.map_range(pos, end)
        return m.write(pos, data[:n])
    except OutOfMemory:
        raise Errno(ENOSPC)
    finally:
        for pfn in pinned:
            pm.put_frame(pfn)


def _after(gen, n):
    yield from gen
    return n


def _sync_write(f, t, n):
    st = yield from ext2_fsync(f)
    return st if st else n


def ext2_fsync(f):
    """fsync/fdatasync: the file's pages, its inode, the metadata buffers,
    then a cache flush of the disk; -EIO if a write-back failed."""
    inode = f.inode
    sb = inode.sb
    done = []
    if inode.mapping is not None:
        done.append(inode.mapping.writeback())
    if inode in sb.dirty_inodes:
        sb.dirty_inodes.discard(inode)
        inode.write_inode()
    if sb.sb_dirty:
        sb.write_super()
    done.append(sb.bdev.sync())
    st = yield from wait_for(sched.current, all_of(done))
    err = file_check_and_advance_wb_err(f)
    return st or err or sb._error_status()


class Ext2DirOperations(DirOperations):
    def fsync(self, f):
        return ext2_fsync(f)

    def ioctl(self, f, t, cmd, arg):
        return ext2_ioctl(f, t, cmd, arg)


ext2_file_fops = Ext2FileOperations()
ext2_dir_fops = Ext2DirOperations()
