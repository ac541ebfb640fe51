"""fs/tmpfs.py - tmpfs: files that live only in memory (also the rootfs).

A tmpfs file's data is its page cache, in physmem frames, so tmpfs content
counts against mem= as on Linux.  A directory keeps its entries in a dict;
the dentry cache on top of it is always in step because every change goes
through the VFS.
"""

from kernel.errno import EEXIST, ENOENT, ENOTEMPTY, EOPNOTSUPP, EPERM, Errno  # noqa: F401 (EPERM: lab links)
from fs.inode import (S_IFDIR, S_IFLNK, S_ISDIR, S_ISREG, Inode,
                      SuperBlock, dtype)
from fs.pagecache import AddressSpace
from fs.posix_acl import acl_chmod
from fs.xattr import SimpleXattrInode
from mm.memfd import F_SEAL_SEAL, seal_check_setattr
from fs.dcache import Dentry
from mm import physmem as _pm

TMPFS_MAGIC = 0x01021994


FS_IMMUTABLE_FL, FS_APPEND_FL, FS_NODUMP_FL, FS_NOATIME_FL = 0x10, 0x20, 0x40, 0x80
SHMEM_FL_USER_MODIFIABLE = FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | FS_NOATIME_FL


class TmpfsInode(SimpleXattrInode, Inode):
    def __init__(self, sb, mode, uid=0, gid=0, rdev=0):
        super().__init__(sb, mode, uid, gid, rdev)
        self.entries = {} if S_ISDIR(mode) else None
        self.target = b""
        self.i_flags = 0                    # chattr's flags (FS_IOC_SETFLAGS)
        if S_ISDIR(mode):
            self.nlink = 2
            self.size = 4096 // 4096 * 40
        if S_ISREG(mode):
            self.mapping = AddressSpace(self)
            self.seals = F_SEAL_SEAL        # mm/memfd.py: sealing not allowed

    @property
    def immutable(self):
        return bool(self.i_flags & FS_IMMUTABLE_FL)

    @property
    def append_only(self):
        return bool(self.i_flags & FS_APPEND_FL)

    def fileattr_get(self):
        return self.i_flags

    def fileattr_set(self, flags):
        """shmem_fileattr_set: only the flags tmpfs keeps; the VFS checked
        ownership and CAP_LINUX_IMMUTABLE (fs/ioctl.py)."""
        if flags & ~SHMEM_FL_USER_MODIFIABLE:
            raise Errno(EOPNOTSUPP)
        self.i_flags = flags
        self.touch(c=True)

    def setattr(self, mode=None, uid=None, gid=None, size=None, atime=None, mtime=None):
        if S_ISREG(self.mode):
            seal_check_setattr(self, mode, size)
        super().setattr(mode, uid, gid, size, atime, mtime)
        if mode is not None and self.acl_access is not None:
            self.acl_access = acl_chmod(self.acl_access, mode)     # posix_acl_chmod

    # -- directories -------------------------------------------------------------
    def lookup(self, name):
        return self.entries.get(name)

    def _new(self, name, mode, cred, rdev=0):
        if name in self.entries:
            raise Errno(EEXIST)
        gid = self.gid if self.mode & 0o2000 else cred.fsgid
        if S_ISDIR(mode) and self.mode & 0o2000:
            mode |= 0o2000
        inode = TmpfsInode(self.sb, mode, cred.fsuid, gid, rdev)
        self.entries[name] = inode
        self.touch(m=True, c=True)
        return inode

    def create(self, name, mode, cred, rdev=0):
        return self._new(name, mode, cred, rdev)

    def tmpfile(self, mode, cred):
        gid = self.gid if self.mode & 0o2000 else cred.fsgid
        inode = TmpfsInode(self.sb, mode, cred.fsuid, gid)
        inode.nlink = 0
        return inode

    def mkdir(self, name, mode, cred):
        inode = self._new(name, S_IFDIR | (mode & 0o7777), cred)
        self.nlink += 1
        return inode

    def symlink(self, name, target, cred):
        inode = self._new(name, S_IFLNK | 0o777, cred)
        inode.target = target
        inode.size = len(target)
        return inode

    def link(self, name, inode):
        """A second name for inode in this directory (the VFS checked the
        rest: not a directory, the same file system, write access)."""
        # LAB links: begin
        if name in self.entries:
            raise Errno(EEXIST)
        self.entries[name] = inode
        inode.nlink += 1
        inode.touch(c=True)
        self.touch(m=True, c=True)
        # LAB links: starter
        #> raise Errno(EPERM)               # "this file system has no hard links"
        # LAB links: end

    def unlink(self, name, inode):
        """Drop one name; the data goes with the last name and the last open
        file (Inode.maybe_evict)."""
        if self.entries.get(name) is not inode:
            raise Errno(ENOENT)
        del self.entries[name]
        # LAB links: begin
        inode.nlink -= 1
        inode.touch(c=True)
        self.touch(m=True, c=True)
        if inode.nlink == 0:
            inode.maybe_evict()
        # LAB links: starter
        #> inode.nlink = 0                  # one name per file; freed only by a last close
        #> self.touch(m=True, c=True)
        # LAB links: end

    def rmdir(self, name, inode):
        if inode.entries:
            raise Errno(ENOTEMPTY)
        del self.entries[name]
        self.nlink -= 1
        inode.nlink = 0
        self.touch(m=True, c=True)

    def rename(self, old_name, new_dir, new_name, flags=0):
        if flags & 2:                               # RENAME_EXCHANGE
            a, b = self.entries[old_name], new_dir.entries[new_name]
            self.entries[old_name], new_dir.entries[new_name] = b, a
            if new_dir is not self and S_ISDIR(a.mode) != S_ISDIR(b.mode):
                delta = 1 if S_ISDIR(a.mode) else -1
                self.nlink -= delta
                new_dir.nlink += delta
            for i in (self, new_dir, a, b):
                i.touch(c=True)
            return
        inode = self.entries.pop(old_name)
        victim = new_dir.entries.get(new_name)
        if victim is not None:
            if S_ISDIR(victim.mode):
                new_dir.nlink -= 1
            victim.nlink -= 1 if not S_ISDIR(victim.mode) else victim.nlink
            if victim.nlink <= 0:
                victim.maybe_evict()
        new_dir.entries[new_name] = inode
        if S_ISDIR(inode.mode) and new_dir is not self:
            self.nlink -= 1
            new_dir.nlink += 1
        self.touch(m=True, c=True)
        new_dir.touch(m=True, c=True)
        inode.touch(c=True)

    def readdir(self):
        return [(name, i.ino, dtype(i.mode)) for name, i in self.entries.items()]

    # -- symlinks ---------------------------------------------------------------
    def readlink(self):
        return self.target



class TmpfsSuperBlock(SuperBlock):
    def __init__(self, read_only=False, size_limit=None):
        super().__init__("tmpfs", read_only, magic=TMPFS_MAGIC)
        self.size_limit = size_limit
        self.posix_acl = True           # CONFIG_TMPFS_POSIX_ACL

    def statfs(self):
        pm = _pm.physmem
        if self.max_pages is None:
            # no limit of its own (the kernel's internal shm, where memfds
            # live): Linux reports no block or inode counts at all
            return (self.magic, 4096, 0, 0, 0, 0, 0, 255)
        total = self.max_pages
        free = max(0, min(total - self.nr_pages, pm.nr_free))
        return (self.magic, 4096, total, free, free, 1 << 20, 1 << 20, 255)


def make_tmpfs(read_only=False, mode=0o1777, fstype="tmpfs", max_pages="half"):
    """A new tmpfs.  Like Linux, it may fill half of memory by default
    (max_pages=None: no limit of its own, for the kernel's internal shm)."""
    sb = TmpfsSuperBlock(read_only)
    sb.fstype = fstype
    if max_pages == "half":
        max_pages = _pm.physmem.nr_frames // 2 if _pm.physmem is not None else None
    sb.max_pages = max_pages
    root = TmpfsInode(sb, S_IFDIR | mode)
    sb.root = Dentry(b"/", None, root)
    return sb

