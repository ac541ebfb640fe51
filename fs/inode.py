"""fs/inode.py - struct inode: a file as its filesystem knows it.

An Inode carries the attributes stat() reports and the operations its
filesystem implements; a subclass per filesystem (tmpfs, hostfs, procfs)
overrides what it supports.  Directory operations take a name and the
caller's credentials; the path walk (fs/namei.py) has already checked
search and write permission on the directory.
"""

import itertools

from kernel import timekeeping
from kernel.errno import EINVAL, EISDIR, ENOTDIR, EOPNOTSUPP, EPERM, EROFS, ETXTBSY, Errno

S_IFMT = 0o170000
S_IFSOCK = 0o140000
S_IFLNK = 0o120000
S_IFREG = 0o100000
S_IFBLK = 0o060000
S_IFDIR = 0o040000
S_IFCHR = 0o020000
S_IFIFO = 0o010000
S_ISUID, S_ISGID, S_ISVTX = 0o4000, 0o2000, 0o1000
S_IXGRP = 0o010

DT_UNKNOWN, DT_FIFO, DT_CHR, DT_DIR, DT_BLK, DT_REG, DT_LNK, DT_SOCK = 0, 1, 2, 4, 6, 8, 10, 12


def S_ISDIR(m):
    return m & S_IFMT == S_IFDIR


def S_ISREG(m):
    return m & S_IFMT == S_IFREG


def S_ISLNK(m):
    return m & S_IFMT == S_IFLNK


def S_ISCHR(m):
    return m & S_IFMT == S_IFCHR


def S_ISBLK(m):
    return m & S_IFMT == S_IFBLK


def S_ISFIFO(m):
    return m & S_IFMT == S_IFIFO


def S_ISSOCK(m):
    return m & S_IFMT == S_IFSOCK


def dtype(mode):
    return (mode & S_IFMT) >> 12


def now_ns():
    return timekeeping.ktime_get_real_ns()


def mkdev(major, minor):
    return (major << 8) | (minor & 0xFF) | ((minor & ~0xFF) << 12)


def dev_major(dev):
    return (dev >> 8) & 0xFFF


def dev_minor(dev):
    return (dev & 0xFF) | ((dev >> 12) & ~0xFF)


class Inode:
    """Common attributes; filesystems subclass it."""

    # State only some inodes have, declared here with its default (a
    # filesystem or a subsystem sets it on the inodes it concerns)
    acl_access = None                   # POSIX ACLs (fs/posix_acl.py)
    i_readcount = 0                     # Files open for reading only (leases: fs/locks.py)
    acl_default = None
    seals = None                        # memfd seals (tmpfs; mm/memfd.py); None: unsealable
    immutable = False                   # chattr +i (FS_IOC_SETFLAGS)
    append_only = False                 # chattr +a
    i_flctx = None                      # its file locks and leases (fs/locks.py)
    i_generation = None                 # its file handles' generation (fs/fhandle.py)
    i_fsnotify_marks = None             # its inotify watches (fs/notify/fsnotify.py)
    proc_name = None                    # /proc/PID/fd/N's link text for a nameless file
    proc_task = None                    # the Task a /proc/PID directory is about
    sb_dev = None                       # st_dev where not the superblock's (hostfs)
    entries = None                      # a tmpfs directory's names
    bdev = None                         # a block device node's BlockDevice
    linkable = False                    # an O_TMPFILE file linkat may still name (I_LINKABLE)
    secretmem = False                   # memfd_secret's memory (mm/secretmem.py)

    def __init__(self, sb, mode, uid=0, gid=0, rdev=0, ino=None):
        self.sb = sb
        self.ino = ino if ino is not None else sb.next_ino()
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.nlink = 1
        self.size = 0
        self.rdev = rdev
        t = now_ns()
        self.atime = self.mtime = self.ctime = t
        self.btime = t
        self.mapping = None             # AddressSpace of a regular file
        self.i_fop = None               # file operations when opened
        self.pipe = None                # a FIFO's pipe
        self.socket = None              # a bound unix socket
        self.opens = 0                  # open Files (VMAs hold Files too)

    # -- attributes -----------------------------------------------------------
    def blocks(self):
        if self.mapping is not None:
            return self.mapping.nrpages() * 8
        return 0

    def touch(self, a=False, m=False, c=False):
        t = now_ns()
        if a:
            self.atime = t
        if m:
            self.mtime = t
        if c:
            self.ctime = t

    # chattr +i / +a (ext2's i_flags); the VFS refuses changes accordingly
    immutable = False
    append_only = False

    def revalidate(self):
        """Refresh attributes from a backing store (hostfs); default no-op."""

    def write_back_maybe(self):
        """A backed filesystem may write dirty pages back now."""

    def sync(self):
        """fsync: write dirty pages and attributes to the backing store."""

    def same_file(self, other):
        return self is other

    def refresh_from(self, other):
        """Take fresh attributes from a new lookup of the same file."""

    def setattr(self, mode=None, uid=None, gid=None, size=None, atime=None, mtime=None):
        if self.sb.read_only:
            raise Errno(EROFS)
        if mode is not None:
            self.mode = (self.mode & S_IFMT) | (mode & 0o7777)
        if uid is not None:
            self.uid = uid
        if gid is not None:
            self.gid = gid
        if size is not None:
            self.truncate(size)
        if atime is not None:
            self.atime = atime
        if mtime is not None:
            self.mtime = mtime
        self.touch(c=True)

    def truncate(self, size):
        if S_ISDIR(self.mode):
            raise Errno(EISDIR)
        if not S_ISREG(self.mode):
            raise Errno(EINVAL)
        if self.mapping is not None:
            self.mapping.truncate(size)
        self.size = size
        self.touch(m=True, c=True)

    # -- directory operations (defaults: not a directory / not supported) ------
    def lookup(self, name):
        """The inode called name in this directory, or None.  Used by
        filesystems whose directories are not wholly in the dcache."""
        raise Errno(ENOTDIR)

    def create(self, name, mode, cred, rdev=0):
        raise Errno(EPERM)

    # chattr/lsattr (FS_IOC_GETFLAGS/SETFLAGS, fs/ioctl.py): a file system
    # that keeps the flags in its inodes (tmpfs) defines both; ext2 answers
    # the ioctls in its own file operations
    fileattr_get = None
    fileattr_set = None

    # moved(new_dir, new_name): told after a rename, by an inode that keeps
    # its own name (hostfs: its host path)
    moved = None
    # start_writeback() -> Completion: sync_file_range's WRITE starts the
    # inode's write-back without waiting (ext2); without it, a sync
    start_writeback = None

    def tmpfile(self, mode, cred):
        """A new file of this directory's file system with no name
        (O_TMPFILE); a file system without ->tmpfile says EOPNOTSUPP."""
        raise Errno(EOPNOTSUPP)

    def mkdir(self, name, mode, cred):
        raise Errno(EPERM)

    def symlink(self, name, target, cred):
        raise Errno(EPERM)

    def link(self, name, inode):
        raise Errno(EPERM)

    def unlink(self, name, inode):
        raise Errno(EPERM)

    def rmdir(self, name, inode):
        raise Errno(EPERM)

    def rename(self, old_name, new_dir, new_name):
        raise Errno(EPERM)

    def readdir(self):
        """[(name, ino, dtype)] of a directory, without . and .."""
        raise Errno(ENOTDIR)

    def readlink(self):
        raise Errno(EINVAL)

    # -- extended attributes (fs/xattr.py; default: none supported) -----------
    def get_xattr(self, name):
        raise Errno(EOPNOTSUPP)

    def set_xattr(self, name, value, flags):
        """value None removes the attribute."""
        raise Errno(EOPNOTSUPP)

    def list_xattr(self):
        return []

    def file_opened(self):
        self.opens += 1

    # -- writing against running programs (ETXTBSY) ------------------------------
    # i_writecount > 0: that many Files open for writing; < 0: that many
    # Files being executed (a program or its interpreter being loaded, and
    # every mm's exe_file) refuse writers, as Linux's get_write_access and
    # deny_write_access do.
    i_writecount = 0

    def get_write_access(self):
        if self.i_writecount < 0:
            raise Errno(ETXTBSY)
        self.i_writecount += 1

    def put_write_access(self):
        self.i_writecount -= 1

    def deny_write_access(self):
        if self.i_writecount > 0:
            raise Errno(ETXTBSY)
        self.i_writecount -= 1

    def allow_write_access(self):
        self.i_writecount += 1

    def file_closed(self):
        self.opens -= 1
        self.maybe_evict()

    def maybe_evict(self):
        """An unlinked file's data lives until its last open File is gone."""
        if self.nlink <= 0 and self.opens <= 0:
            self.evict()

    def evict(self):
        """Last link and last user gone: free what the inode holds."""
        if self.mapping is not None:
            self.mapping.release()



class SuperBlock:
    """One mounted filesystem instance."""
    _devs = itertools.count(1)
    # declared defaults for what only some filesystems have
    blocksize = 4096                    # st_blksize (a disk file system's block)
    bdev = None                         # the BlockDevice of a disk file system
    posix_acl = False                   # keeps system.posix_acl_* (tmpfs)
    inodes = None                       # hostfs: its inode table
    dirty_inodes = None                 # a disk file system's inodes to write back
    fh_dentries = None                  # (ino, generation) -> Dentry, weakly (fs/fhandle.py)
    pins = 0                            # detached mounts and fs contexts holding it (fs/fsmount.py)
    devs = None                         # hostfs: host st_dev -> the guest dev it shows
    s_flags = 0                         # its own mount flags: sync, dirsync, lazytime (fs/namespace.py)

    def __init__(self, fstype, read_only=False, dev=None, magic=0):
        self.fstype = fstype
        self.read_only = read_only
        self.hard_read_only = False     # its medium is read-only: no rw remount
        self.dev = dev if dev is not None else mkdev(0, next(SuperBlock._devs))
        self.magic = magic
        self._ino = itertools.count(1)
        self.root = None                # root Dentry
        self.options = ""
        self.revalidate = False         # cached dentries may go stale (hostfs)
        self.nr_pages = 0               # page-cache pages it holds (tmpfs)
        self.max_pages = None           # tmpfs size=: ENOSPC beyond

    def next_ino(self):
        return next(self._ino)

    def bdev_backed(self):
        """Is this a file system on a disk (block/bdev.py)?"""
        return self.bdev is not None

    def statfs(self):
        """(f_type, bsize, blocks, bfree, bavail, files, ffree, namelen)"""
        return (self.magic, 4096, 0, 0, 0, 0, 0, 255)
