"""fs/ext2/namei.py - the directory operations of an ext2 inode: lookup,
create, tmpfile, mknod, mkdir, symlink, link, unlink, rmdir, rename, readlink.

These are methods of fs/ext2/inode.py's Ext2Inode (self is the
directory).  The VFS (fs/dir.py) has checked permissions, the sticky bit
and mount points; what is left is ext2's own part: a new inode from the
inode bitmap (fs/ext2/ialloc.py), entries in directory blocks
(fs/ext2/dir.py), link counts (a directory has 2 + one per subdirectory,
at most 32000), and timestamps.

Symbolic links up to 59 bytes live in i_block itself ("fast"); longer
ones get a block of their own ("slow").
"""

import os
import struct

from kernel.errno import (EEXIST, EISDIR, EMLINK, ENAMETOOLONG, ENOENT, ENOTDIR, ENOTEMPTY, EROFS,
                          EXDEV, Errno)
from fs.ext2 import dir as D
from fs.ext2 import layout as L
from fs.inode import (S_IFDIR, S_IFLNK, S_ISBLK, S_ISCHR, S_ISDIR, S_ISGID, now_ns,
                      dev_major, dev_minor)
from fs.buffer import mark_buffer_dirty, sb_getblk
from fs.ext2.ialloc import new_inode

EXT2_LINK_MAX = 32000
EXT2_NAME_LEN = 255
_INHERIT_DIR = 0x000380FF & ~(L.EXT2_INDEX_FL)         # what a new directory inherits
_INHERIT_OTHER = L.EXT2_NODUMP_FL | L.EXT2_NOATIME_FL


def _rw(dir):
    if dir.sb.read_only:
        raise Errno(EROFS)


def _name_ok(name):
    if len(name) > EXT2_NAME_LEN:
        raise Errno(ENAMETOOLONG)


def lookup(self, name):
    # cycle: fs.ext2.inode -> fs.ext2.namei
    from fs.ext2.inode import ext2_iget
    _name_ok(name)
    ent = D.find_entry(self, name)
    if ent is None:
        return None
    return ext2_iget(self.sb, ent[2])


def readdir(self):
    return [(name, ino, D.dtype_of(ft)) for name, ino, ft in D.readdir(self)
            if name not in (b".", b"..")]


def _new_inode(dir, mode, cred, rdev=0):
    """A fresh inode in the bitmap, set up in memory (written at write-back)."""
    sb = dir.sb
    ino = new_inode(sb, dir.ino, S_ISDIR(mode))
    inode = sb.inode_class(sb, ino)
    # cycle: fs.ext2.inode -> fs.ext2.namei
    from fs.ext2.inode import _Raw
    inode.raw = L.INODE.unpack(bytes(L.INODE.size), _Raw())
    inode.new_inode = True
    inode.zero_slot = True
    inode.has_extra = sb.inode_size > 128
    gid = cred.fsgid
    if dir.mode & S_ISGID:
        gid = dir.gid
        if S_ISDIR(mode):
            mode |= S_ISGID
    inode.mode = mode
    inode.uid, inode.gid = cred.fsuid, gid
    inode.nlink = 1
    inode.size = 0
    t = now_ns()
    inode.atime = inode.mtime = inode.ctime = inode.btime = t
    inode.i_flags = dir.i_flags & (_INHERIT_DIR if S_ISDIR(mode) else _INHERIT_OTHER)
    inode.generation = int.from_bytes(os.urandom(4), "little")
    if S_ISCHR(mode) or S_ISBLK(mode):
        major, minor = dev_major(rdev), dev_minor(rdev)
        inode.rdev = rdev
        if major < 256 and minor < 256:
            inode.i_block[0] = (major << 8) | minor
        else:
            inode.i_block[1] = (minor & 0xFF) | (major << 8) | ((minor & ~0xFF) << 12)
    inode.init_new()
    inode.setup_ops()
    sb.icache[ino] = inode
    inode.mark_dirty()
    return inode


def _add(dir, name, inode):
    try:
        D.add_entry(dir, name, inode.ino, D.file_type(dir.sb, inode.mode))
    except BaseException:
        # no room for the name (ENOSPC): the new inode goes back
        inode.nlink = 0
        inode.evict()
        raise


def create(self, name, mode, cred, rdev=0):
    _rw(self)
    _name_ok(name)
    if D.find_entry(self, name) is not None:
        raise Errno(EEXIST)
    inode = _new_inode(self, mode, cred, rdev)
    _add(self, name, inode)
    return inode


def tmpfile(self, mode, cred):
    """O_TMPFILE: an inode with no name (nlink 0), freed at its last close
    unless linkat names it first.  ext2 keeps no orphan list: after a crash
    before that, e2fsck frees it, as for any unlinked open file."""
    _rw(self)
    inode = _new_inode(self, mode, cred)
    inode.nlink = 0
    return inode


def mkdir(self, name, mode, cred):
    _rw(self)
    _name_ok(name)
    if D.find_entry(self, name) is not None:
        raise Errno(EEXIST)
    if self.nlink >= EXT2_LINK_MAX:
        raise Errno(EMLINK)
    inode = _new_inode(self, S_IFDIR | (mode & 0o7777), cred)
    try:
        D.make_empty(inode, self.ino)
    except BaseException:
        inode.nlink = 0
        inode.evict()
        raise
    inode.nlink = 2
    _add(self, name, inode)
    self.nlink += 1
    self.mark_dirty()
    return inode


def symlink(self, name, target, cred):
    _rw(self)
    _name_ok(name)
    sb = self.sb
    if len(target) >= sb.blocksize:
        raise Errno(ENAMETOOLONG)
    if D.find_entry(self, name) is not None:
        raise Errno(EEXIST)
    inode = _new_inode(self, S_IFLNK | 0o777, cred)
    try:
        if len(target) < L.EXT2_N_BLOCKS * 4:
            raw = target + bytes(L.EXT2_N_BLOCKS * 4 - len(target))
            inode.i_block = list(struct.unpack("<15I", raw))
        else:
            inode.size = len(target)
            pblk = inode.get_block(0, create=True)
            bh = sb_getblk(sb.bdev, pblk, sb.blocksize)
            bh.data[:len(target)] = target
            mark_buffer_dirty(bh)
        inode.size = len(target)
    except BaseException:
        inode.nlink = 0
        inode.evict()
        raise
    _add(self, name, inode)
    return inode


def readlink(self):
    if self.fast_symlink():
        return struct.pack("<15I", *self.i_block)[:self.size]
    return self.read_slow_symlink()


def link(self, name, inode):
    _rw(self)
    _name_ok(name)
    if inode.sb is not self.sb:
        raise Errno(EXDEV)
    if inode.nlink >= EXT2_LINK_MAX:
        raise Errno(EMLINK)
    if D.find_entry(self, name) is not None:
        raise Errno(EEXIST)
    D.add_entry(self, name, inode.ino, D.file_type(self.sb, inode.mode))
    inode.nlink += 1
    inode.touch(c=True)


def unlink(self, name, inode):
    _rw(self)
    ent = D.find_entry(self, name)
    if ent is None or ent[2] != inode.ino:
        raise Errno(ENOENT)
    D.delete_entry(self, name)
    inode.nlink -= 1
    inode.touch(c=True)
    if inode.nlink <= 0:
        inode.maybe_evict()


def rmdir(self, name, inode):
    _rw(self)
    ent = D.find_entry(self, name)
    if ent is None or ent[2] != inode.ino:
        raise Errno(ENOENT)
    if not D.is_empty(inode):
        raise Errno(ENOTEMPTY)
    D.delete_entry(self, name)
    inode.nlink = 0
    inode.touch(c=True)
    self.nlink -= 1
    self.mark_dirty()
    inode.maybe_evict()


def _set_dotdot(dir_inode, parent_ino):
    D.set_entry(dir_inode, b"..", parent_ino, D.file_type(dir_inode.sb, S_IFDIR))


def rename(self, old_name, new_dir, new_name, flags=0):
    """Move old_name here to new_name in new_dir (replacing what is there;
    flags RENAME_EXCHANGE swaps the two)."""
    # cycle: fs.ext2.inode -> fs.ext2.namei
    from fs.ext2.inode import ext2_iget
    _rw(self)
    _name_ok(new_name)
    sb = self.sb
    if new_dir.sb is not sb:
        raise Errno(EXDEV)
    old_ent = D.find_entry(self, old_name)
    if old_ent is None:
        raise Errno(ENOENT)
    inode = ext2_iget(sb, old_ent[2])
    new_ent = D.find_entry(new_dir, new_name)
    victim = ext2_iget(sb, new_ent[2]) if new_ent is not None else None
    is_dir = S_ISDIR(inode.mode)
    if flags & 2:                                   # RENAME_EXCHANGE
        if victim is None:
            raise Errno(ENOENT)
        D.set_entry(self, old_name, victim.ino, D.file_type(sb, victim.mode))
        D.set_entry(new_dir, new_name, inode.ino, D.file_type(sb, inode.mode))
        if new_dir is not self:
            if is_dir:
                _set_dotdot(inode, new_dir.ino)
            if S_ISDIR(victim.mode):
                _set_dotdot(victim, self.ino)
            delta = (1 if is_dir else 0) - (1 if S_ISDIR(victim.mode) else 0)
            self.nlink -= delta
            new_dir.nlink += delta
        for i in (self, new_dir, inode, victim):
            i.touch(c=True)
        return
    if victim is not None:
        if S_ISDIR(victim.mode):
            if not is_dir:
                raise Errno(EISDIR)
            if not D.is_empty(victim):
                raise Errno(ENOTEMPTY)
        elif is_dir:
            raise Errno(ENOTDIR)
        if is_dir and new_dir is not self and new_dir.nlink >= EXT2_LINK_MAX:
            raise Errno(EMLINK)
        D.set_entry(new_dir, new_name, inode.ino, D.file_type(sb, inode.mode))
        if S_ISDIR(victim.mode):
            victim.nlink = 0
            new_dir.nlink -= 1
        else:
            victim.nlink -= 1
        victim.touch(c=True)
    else:
        if is_dir and new_dir is not self and new_dir.nlink >= EXT2_LINK_MAX:
            raise Errno(EMLINK)
        D.add_entry(new_dir, new_name, inode.ino, D.file_type(sb, inode.mode))
    D.delete_entry(self, old_name)
    if is_dir and new_dir is not self:
        _set_dotdot(inode, new_dir.ino)
        self.nlink -= 1
        new_dir.nlink += 1
    inode.touch(c=True)
    self.mark_dirty()
    new_dir.mark_dirty()
    if victim is not None and victim.nlink <= 0:
        victim.maybe_evict()
