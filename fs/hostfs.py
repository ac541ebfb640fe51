"""fs/hostfs.py - a host directory as a guest filesystem (UML's hostfs).

    mount -t hostfs none /mnt -o /host/dir        (or the root:
    ./linux root=/dev/root rootfstype=hostfs rootflags=/host/dir [ro|rw])

The guest must never reach a host file outside the directory it was given.
So the host is only ever asked about ONE name inside a directory the kernel
already holds open:

 - every directory inode keeps (or re-opens on demand) an O_PATH descriptor
   of its host directory, opened relative to its parent's descriptor with
   O_NOFOLLOW|O_DIRECTORY; the root's is opened once at mount time;
 - every host call is the *at form on such a descriptor with a single
   component, never containing "/", never "." or ".." (the guest VFS handles
   those, and refuses ".." above the mount's root), and never following a
   symbolic link (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW);
 - symbolic links are read with readlinkat and followed by the guest's path
   walk (fs/namei.py), so an absolute link resolves against the guest's
   root, not the host's.

A file swapped for a symlink on the host between two calls makes the
O_NOFOLLOW open fail (ELOOP) rather than leave the directory.  Host
pseudo-filesystems (proc, sys, ...) mounted below the directory are not
entered: their mount points look empty, so the guest mounts its own.

Data goes through the page cache (mm/vmscan.py's ReclaimableMapping: a
clean page nobody maps can be dropped when memory runs out): pages are
read with preadv into physmem, written through with pwrite as write()
happens, and dirty MAP_SHARED pages are written back on msync, munmap,
fsync, close and exit.  The host can change files behind our back, so the
superblock asks for revalidation (fs/dcache.py): every walk re-checks each
name, and a file whose size or mtime changed on the host loses its clean
cached pages.

Device nodes found on the host are the guest's devices (their rdev names a
guest driver, fs/char_dev.py); the guest may not create device nodes on the
host (EPERM).
"""

import ctypes
import errno as _errno
import os
from collections import OrderedDict

from kernel.errno import EINVAL, ENOENT, ENOTDIR, EOPNOTSUPP, EPERM, EROFS, ESTALE, EXDEV, Errno
from fs.inode import (DT_DIR, DT_LNK, DT_REG, S_IFMT, S_ISBLK, S_ISCHR,
                      S_ISDIR, S_ISLNK, S_ISREG, Inode, SuperBlock, dtype, mkdev)
from mm.vmscan import ReclaimableMapping
from mm.physmem import PAGE_SHIFT, PAGE_SIZE
from fs.dcache import Dentry
from mm import physmem as _pm

HOSTFS_SUPER_MAGIC = 0x00C0FFEE
MAX_OPEN_FDS = 256                       # host fds one hostfs may hold

_O_PATH = getattr(os, "O_PATH", 0o10000000)
_DIR_FLAGS = _O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC

# host filesystems that are views of the host kernel, not files: never entered
_PSEUDO_MAGICS = {
    0x9FA0,         # proc
    0x62656572,     # sysfs
    0x64626720,     # debugfs
    0x74726163,     # tracefs
    0x73636673,     # securityfs
    0x27E0EB,       # cgroup
    0x63677270,     # cgroup2
    0xCAFE4A11,     # bpf
    0x62656570,     # configfs
    0x65735546,     # fusectl
    0x6E736673,     # nsfs
    0x1CD1,         # devpts
    0x42494E4D,     # binfmt_misc
    0x19800202,     # mqueue
    0x5A3C69F0,     # efivarfs-ish / misc
}

_libc = ctypes.CDLL(None, use_errno=True)
_XATTR_SHOWN = (b"user.", b"trusted.", b"security.")


def _host_errno(e):
    return Errno(e.errno if e.errno else EINVAL)


def _check_name(name):
    if not name or name in (b".", b"..") or b"/" in name or b"\0" in name:
        raise Errno(ENOENT)


class _Statfs(ctypes.Structure):
    _fields_ = [("f_type", ctypes.c_long), ("f_bsize", ctypes.c_long),
                ("f_blocks", ctypes.c_ulong), ("f_bfree", ctypes.c_ulong),
                ("f_bavail", ctypes.c_ulong), ("f_files", ctypes.c_ulong),
                ("f_ffree", ctypes.c_ulong), ("f_fsid", ctypes.c_int * 2),
                ("f_namelen", ctypes.c_long), ("f_frsize", ctypes.c_long),
                ("f_flags", ctypes.c_long), ("f_spare", ctypes.c_long * 4)]


def host_fstatfs(fd):
    buf = _Statfs()
    if _libc.fstatfs(fd, ctypes.byref(buf)) != 0:
        raise OSError(ctypes.get_errno(), "fstatfs")
    return buf


def is_pseudo_fs(fd):
    """Whether the host directory fd is on a view of the host kernel."""
    try:
        return host_fstatfs(fd).f_type & 0xFFFFFFFF in _PSEUDO_MAGICS
    except OSError:
        return True


class HostfsSuperBlock(SuperBlock):
    def __init__(self, host_root, read_only, root_fd):
        super().__init__("hostfs", read_only, magic=HOSTFS_SUPER_MAGIC)
        self.revalidate = True
        self.host_root = host_root
        self.root_fd = root_fd
        # what fs/hostfs_policy.py allowed: a remount cannot make it writable
        self.hard_read_only = read_only
        st = os.fstat(self.root_fd)
        self.root_host_dev = st.st_dev
        self.fds = OrderedDict()            # inode -> host fd (LRU)
        self.devs = {st.st_dev: self.dev}   # host st_dev -> guest dev
        self.inodes = {}                    # (host dev, ino) -> HostfsInode
        self.options = host_root

    def guest_dev(self, host_dev):
        d = self.devs.get(host_dev)
        if d is None:
            d = self.devs[host_dev] = mkdev(0, next(SuperBlock._devs))
        return d

    # -- the descriptor cache ----------------------------------------------------
    def cached_fd(self, inode):
        fd = self.fds.get(inode)
        if fd is not None:
            self.fds.move_to_end(inode)
        return fd

    def remember_fd(self, inode, fd):
        self.fds[inode] = fd
        while len(self.fds) > MAX_OPEN_FDS:
            old, ofd = self.fds.popitem(last=False)
            os.close(ofd)
            old.fd_kind = None

    def forget_fd(self, inode):
        fd = self.fds.pop(inode, None)
        if fd is not None:
            os.close(fd)
        inode.fd_kind = None

    def statfs(self):
        try:
            s = host_fstatfs(self.root_fd)
        except OSError:
            return super().statfs()
        return (self.magic, s.f_bsize, s.f_blocks, s.f_bfree, s.f_bavail,
                s.f_files, s.f_ffree, s.f_namelen)


class HostfsInode(Inode):
    """A host file, known by (directory inode, name)."""

    def __init__(self, sb, parent, name, st, pseudo=False):
        super().__init__(sb, st.st_mode, st.st_uid, st.st_gid, ino=st.st_ino)
        self.parent = parent                # HostfsInode of the directory
        self.name = name
        self.host_dev = st.st_dev
        self.host_ino = st.st_ino
        self.pseudo = pseudo                # a host pseudo-fs: shown empty
        self.fd_kind = None                 # "path", "ro" or "rw" when cached
        self.target = None
        self._load(st)
        if S_ISREG(self.mode):
            self.mapping = ReclaimableMapping(self)

    def _load(self, st):
        self.mode = st.st_mode
        self.uid, self.gid = st.st_uid, st.st_gid
        self.nlink = st.st_nlink
        self.size = st.st_size
        self.atime, self.mtime, self.ctime = st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns
        self.btime = self.ctime
        self.rdev = st.st_rdev
        self.host_blocks = st.st_blocks
        self.ino = st.st_ino
        if S_ISDIR(self.mode) and self.pseudo:
            self.nlink = 2

    # -- host descriptors ------------------------------------------------------------
    def dir_fd(self):
        """O_PATH fd of this directory on the host."""
        sb = self.sb
        if self.parent is None:
            return sb.root_fd
        fd = sb.cached_fd(self)
        if fd is not None:
            return fd
        pfd = self.parent.dir_fd()
        try:
            fd = os.open(self.name, _DIR_FLAGS, dir_fd=pfd)
        except OSError as e:
            raise Errno(ESTALE if e.errno in (_errno.ENOENT, _errno.ELOOP, _errno.ENOTDIR)
                        else e.errno)
        self._same_or_stale(fd)
        sb.remember_fd(self, fd)
        self.fd_kind = "path"
        return fd

    def _same_or_stale(self, fd):
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != (self.host_dev, self.host_ino):
            os.close(fd)
            raise Errno(ESTALE)

    def file_fd(self, write=False):
        """A host fd of this regular file open for reading (and writing)."""
        sb = self.sb
        fd = sb.cached_fd(self)
        if fd is not None and (not write or self.fd_kind == "rw"):
            return fd
        if fd is not None:
            sb.forget_fd(self)
        pfd = self.parent.dir_fd()
        want_rw = write or not sb.read_only
        flags = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY
        try:
            fd = os.open(self.name, flags | (os.O_RDWR if want_rw else os.O_RDONLY), dir_fd=pfd)
            kind = "rw" if want_rw else "ro"
        except OSError as e:
            if write or e.errno not in (_errno.EACCES, _errno.EROFS, _errno.EPERM, _errno.ETXTBSY):
                raise Errno(ESTALE if e.errno == _errno.ELOOP else e.errno)
            try:
                fd = os.open(self.name, flags | os.O_RDONLY, dir_fd=pfd)
            except OSError as e2:
                raise _host_errno(e2)
            kind = "ro"
        self._same_or_stale(fd)
        sb.remember_fd(self, fd)
        self.fd_kind = kind
        return fd

    # -- attributes ----------------------------------------------------------------
    def blocks(self):
        return self.host_blocks

    def _host_stat(self):
        if self.parent is None:
            return os.fstat(self.sb.root_fd)
        return os.stat(self.name, dir_fd=self.parent.dir_fd(), follow_symlinks=False)

    def revalidate(self):
        if self.mapping is not None and self.mapping.dirty:
            return                          # our own unwritten data wins
        try:
            st = self._host_stat()
        except (OSError, Errno):
            return
        if (st.st_dev, st.st_ino) != (self.host_dev, self.host_ino):
            return
        self.refresh_stat(st)

    def refresh_stat(self, st):
        if self.mapping is not None and (st.st_mtime_ns != self.mtime or st.st_size != self.size):
            if not self.mapping.dirty:
                self.mapping.truncate(0)
        self._load(st)

    def same_file(self, other):
        return isinstance(other, HostfsInode) and \
            (self.host_dev, self.host_ino) == (other.host_dev, other.host_ino)

    def refresh_from(self, other):
        pass                                # lookup() already refreshed us

    def _ro(self):
        if self.sb.read_only:
            raise Errno(EROFS)

    def setattr(self, mode=None, uid=None, gid=None, size=None, atime=None, mtime=None):
        self._ro()
        pfd = self.parent.dir_fd() if self.parent is not None else None
        name = self.name if self.parent is not None else "."
        dfd = pfd if pfd is not None else self.sb.root_fd
        try:
            if size is not None:
                self.sync()
                os.ftruncate(self.file_fd(write=True), size)
                self.mapping.truncate(size)
            if mode is not None:
                if S_ISLNK(self.mode):
                    raise Errno(EOPNOTSUPP)     # as Linux for links
                if self.parent is None:
                    os.chmod("/proc/self/fd/%d" % dfd, mode & 0o7777)
                else:
                    os.chmod(name, mode & 0o7777, dir_fd=dfd, follow_symlinks=True)
            if uid is not None or gid is not None:
                os.chown(name if self.parent is not None else ".",
                         -1 if uid is None else uid, -1 if gid is None else gid,
                         dir_fd=dfd, follow_symlinks=False)
            if atime is not None or mtime is not None:
                st = self._host_stat()
                a = atime if atime is not None else st.st_atime_ns
                m = mtime if mtime is not None else st.st_mtime_ns
                os.utime(name if self.parent is not None else ".", ns=(a, m),
                         dir_fd=dfd, follow_symlinks=False)
        except OSError as e:
            raise _host_errno(e)
        self.revalidate()

    def truncate(self, size):
        self.setattr(size=size)

    # -- data ----------------------------------------------------------------------
    def readpage(self, index, buf):
        fd = self.file_fd()
        n = os.preadv(fd, [buf], index << PAGE_SHIFT)
        if n < PAGE_SIZE:
            buf[n:] = bytes(PAGE_SIZE - n)

    def writepage(self, index):
        pfn = self.mapping.pages.get(index)
        if pfn is None:
            return
        start = index << PAGE_SHIFT
        n = min(PAGE_SIZE, self.size - start)
        if n <= 0:
            return
        off = pfn << PAGE_SHIFT
        os.pwrite(self.file_fd(write=True), _pm.physmem.mem[off:off + n], start)

    def write_back_maybe(self):
        """write() is write-through: the host file changes at once."""
        self.sync()

    def sync(self):
        m = self.mapping
        if m is None or not m.dirty:
            return
        if self.sb.read_only:
            m.dirty.clear()
            return
        try:
            for index in sorted(m.dirty):
                self.writepage(index)
            fd = self.file_fd(write=True)
            if os.fstat(fd).st_size != self.size:
                os.ftruncate(fd, self.size)
            st = os.fstat(fd)
        except OSError as e:
            raise _host_errno(e)
        m.dirty.clear()
        self.mtime, self.ctime = st.st_mtime_ns, st.st_ctime_ns

    def file_closed(self):
        if self.mapping is not None and self.mapping.dirty:
            try:
                self.sync()
            except Errno:
                pass
        super().file_closed()
        if self.opens <= 0 and self.mapping is not None:
            self.sb.forget_fd(self)

    def evict(self):
        pass

    # -- directories ----------------------------------------------------------------
    def _child(self, name, st):
        sb = self.sb
        key = (st.st_dev, st.st_ino)
        old = sb.inodes.get(key)
        if old is not None and not S_ISDIR(st.st_mode) == S_ISDIR(old.mode):
            old = None
        if old is not None and (old.mode & S_IFMT) == (st.st_mode & S_IFMT):
            old.parent, old.name = self, name
            old.refresh_stat(st)
            return old
        pseudo = False
        if S_ISDIR(st.st_mode) and st.st_dev != self.host_dev:
            pseudo = self._is_pseudo(name)
        inode = HostfsInode(sb, self, name, st, pseudo)
        inode.sb_dev = sb.guest_dev(st.st_dev)
        sb.inodes[key] = inode
        return inode

    def _is_pseudo(self, name):
        try:
            fd = os.open(name, _DIR_FLAGS, dir_fd=self.dir_fd())
        except OSError:
            return True
        try:
            return is_pseudo_fs(fd)
        finally:
            os.close(fd)

    def lookup(self, name):
        if not S_ISDIR(self.mode):
            raise Errno(ENOTDIR)
        if self.pseudo:
            return None
        _check_name(name)
        try:
            st = os.stat(name, dir_fd=self.dir_fd(), follow_symlinks=False)
        except OSError as e:
            if e.errno in (_errno.ENOENT, _errno.ENOTDIR):
                return None
            if e.errno == _errno.ENAMETOOLONG:
                raise Errno(e.errno)
            raise _host_errno(e)
        return self._child(name, st)

    def readdir(self):
        if self.pseudo:
            return []
        try:
            fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=self.dir_fd())
        except OSError as e:
            raise _host_errno(e)
        out = []
        try:
            with os.scandir(fd) as it:
                for e in it:
                    name = os.fsencode(e.name)
                    try:
                        if e.is_symlink():
                            dt = DT_LNK
                        elif e.is_dir(follow_symlinks=False):
                            dt = DT_DIR
                        elif e.is_file(follow_symlinks=False):
                            dt = DT_REG
                        else:
                            dt = dtype(e.stat(follow_symlinks=False).st_mode)
                    except OSError:
                        continue
                    out.append((name, e.inode(), dt))
        except OSError as e:
            raise _host_errno(e)
        finally:
            os.close(fd)
        return out

    def readlink(self):
        if self.target is None:
            try:
                self.target = os.readlink(self.name, dir_fd=self.parent.dir_fd())
            except OSError as e:
                raise _host_errno(e)
        return self.target

    # -- extended attributes: the host file's own, user.* to change ------------
    def _xattr_call(self, fn, *args):
        """fn(path, *args) on "/proc/self/fd/N", N an O_PATH descriptor of
        this very file (opened O_NOFOLLOW inside its directory, so the
        call never reaches another host file)."""
        own = None
        if self.parent is None:
            fd = self.sb.root_fd
        elif S_ISDIR(self.mode):
            fd = self.dir_fd()
        else:
            try:
                fd = own = os.open(self.name, _O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC,
                                   dir_fd=self.parent.dir_fd())
            except OSError as e:
                raise _host_errno(e)
        try:
            if own is not None:
                self._same_or_stale(own)
            return fn("/proc/self/fd/%d" % fd, *args, follow_symlinks=False) \
                if S_ISLNK(self.mode) else fn("/proc/self/fd/%d" % fd, *args)
        except OSError as e:
            raise _host_errno(e)
        finally:
            if own is not None:
                os.close(own)

    def get_xattr(self, name):
        if not name.startswith(_XATTR_SHOWN):
            raise Errno(_errno.ENODATA)
        return self._xattr_call(os.getxattr, name)

    def set_xattr(self, name, value, flags):
        # the host's trusted.* and security.* (file capabilities!) would act
        # on the host: only user.* may be changed
        if not name.startswith(b"user."):
            raise Errno(_errno.EOPNOTSUPP)
        if value is None:
            self._xattr_call(os.removexattr, name)
        else:
            self._xattr_call(os.setxattr, name, value, flags)
        self.revalidate()

    def list_xattr(self):
        try:
            names = self._xattr_call(os.listxattr)
        except Errno as e:
            if e.errno in (_errno.EOPNOTSUPP, _errno.ENOTSUP):
                return []
            raise
        return [n.encode() for n in names if n.encode().startswith(_XATTR_SHOWN)]

    def _after_change(self, name):
        self.revalidate()
        inode = self.lookup(name)
        if inode is None:
            raise Errno(ENOENT)
        return inode

    def create(self, name, mode, cred, rdev=0):
        self._ro()
        _check_name(name)
        kind = mode & S_IFMT
        try:
            if S_ISREG(mode) or kind == 0:
                fd = os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW
                             | os.O_CLOEXEC, mode & 0o7777, dir_fd=self.dir_fd())
                os.close(fd)
            elif S_ISCHR(mode) or S_ISBLK(mode):
                raise Errno(EPERM)
            else:
                os.mknod(name, mode, 0, dir_fd=self.dir_fd())
            self._own(name, cred)
        except OSError as e:
            raise _host_errno(e)
        return self._after_change(name)

    def _own(self, name, cred):
        """New files belong to the guest's fsuid/fsgid (setgid dirs: the dir's)."""
        gid = self.gid if self.mode & 0o2000 else cred.fsgid
        try:
            os.chown(name, cred.fsuid, gid, dir_fd=self.dir_fd(), follow_symlinks=False)
        except OSError:
            pass

    def mkdir(self, name, mode, cred):
        self._ro()
        _check_name(name)
        try:
            os.mkdir(name, mode & 0o7777, dir_fd=self.dir_fd())
            self._own(name, cred)
            if self.mode & 0o2000:
                st = os.stat(name, dir_fd=self.dir_fd(), follow_symlinks=False)
                os.chmod(name, (st.st_mode & 0o7777) | 0o2000, dir_fd=self.dir_fd(),
                         follow_symlinks=True)
        except OSError as e:
            raise _host_errno(e)
        return self._after_change(name)

    def symlink(self, name, target, cred):
        self._ro()
        _check_name(name)
        try:
            os.symlink(target, name, dir_fd=self.dir_fd())
            self._own(name, cred)
        except OSError as e:
            raise _host_errno(e)
        return self._after_change(name)

    def link(self, name, inode):
        self._ro()
        _check_name(name)
        if not isinstance(inode, HostfsInode) or inode.sb is not self.sb:
            raise Errno(EXDEV)
        try:
            os.link(inode.name, name, src_dir_fd=inode.parent.dir_fd(),
                    dst_dir_fd=self.dir_fd(), follow_symlinks=False)
        except OSError as e:
            raise _host_errno(e)
        self.revalidate()
        inode.revalidate()

    def unlink(self, name, inode):
        self._ro()
        _check_name(name)
        try:
            os.unlink(name, dir_fd=self.dir_fd())
        except OSError as e:
            raise _host_errno(e)
        self.revalidate()
        inode.nlink -= 1

    def rmdir(self, name, inode):
        self._ro()
        _check_name(name)
        self.sb.forget_fd(inode)
        try:
            os.rmdir(name, dir_fd=self.dir_fd())
        except OSError as e:
            raise _host_errno(e)
        self.revalidate()
        inode.nlink = 0

    def rename(self, old_name, new_dir, new_name, flags=0):
        self._ro()
        _check_name(old_name)
        _check_name(new_name)
        if not isinstance(new_dir, HostfsInode) or new_dir.sb is not self.sb:
            raise Errno(EXDEV)
        r = _libc.renameat2(self.dir_fd(), old_name, new_dir.dir_fd(), new_name,
                            ctypes.c_uint(flags))
        if r != 0:
            raise Errno(ctypes.get_errno())
        self.revalidate()
        new_dir.revalidate()

    def moved(self, new_dir, new_name):
        """The VFS moved our dentry: follow it."""
        self.parent, self.name = new_dir, new_name


def make_hostfs(path, read_only=False, root_fd=None):
    """A hostfs superblock for the host directory path (raises OSError).
    A guest's mount passes the root_fd fs/hostfs_policy.py opened; the
    boot's own root opens path itself (the user named it)."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if root_fd is None:
        path = os.path.realpath(path)
        root_fd = os.open(path, _DIR_FLAGS)
    sb = HostfsSuperBlock(path, read_only, root_fd)
    st = os.fstat(sb.root_fd)
    root = HostfsInode(sb, None, b"", st)
    sb.inodes[(st.st_dev, st.st_ino)] = root
    sb.root = Dentry(b"/", None, root)
    return sb
