"""fs/proc/inode.py - the machinery procfs files are made of.

Procfs holds no data: every file's text is generated from the kernel's
state when it is opened (like Linux's seq_file single_open), and reads
then page through that snapshot; a seek generates it afresh, as seq_file
starts over on lseek (a reader that rewinds sees the state of now).  Directories list and look up their
entries on demand (the set of processes changes all the time), so the
superblock asks the dentry cache to revalidate, and an inode is the same
file as another when it names the same thing (same_file: same key).

Kinds of inode:
 - ProcFile: show(task) -> bytes, generated at open;
 - ProcDir: entries() -> {name: inode factory} or a lookup function;
 - ProcLink: a symbolic link whose target is computed; a "magic" link
   (/proc/PID/exe, cwd, fd/N) also hands the path walk the very Path it
   points at (follow_link), so it works even for deleted files and pipes.
"""

import zlib

from kernel.errno import EINVAL, ENOENT, EPERM, Errno
from fs.file import (FileOperations, POLLERR, POLLIN, POLLPRI, POLLRDNORM, SEEK_CUR, SEEK_END,
                     SEEK_SET)
from fs.mount import mnt_ns
from fs.inode import S_IFDIR, S_IFLNK, S_IFREG, Inode, SuperBlock, dtype

PROC_SUPER_MAGIC = 0x9FA0
PROC_ROOT_INO = 1


def proc_ino(key):
    """A stable inode number for a key such as ("pid", 42, "stat")."""
    return (zlib.crc32(repr(key).encode()) | 0x1000) & 0x7FFFFFFF


class ProcInode(Inode):
    ioctl_fn = None         # ioctl(f, t, cmd, arg) of a file that has one (/proc/PID/maps)

    def __init__(self, sb, mode, key, uid=0, gid=0):
        super().__init__(sb, mode, uid, gid, ino=proc_ino(key) if key else PROC_ROOT_INO)
        self.key = key
        self.nlink = 2 if mode & S_IFDIR == S_IFDIR else 1

    def same_file(self, other):
        return isinstance(other, ProcInode) and other.key == self.key

    def refresh_from(self, other):
        self.uid, self.gid, self.mode = other.uid, other.gid, other.mode

    def setattr(self, size=None, **kw):
        # chmod/chown are refused; a size change (O_TRUNC on a tunable that
        # is opened to be written) means nothing and is let be, as Linux
        if any(v is not None for v in kw.values()):
            raise Errno(EPERM)


class ProcSeq:
    """An open ProcFile: the text generated for its opener, and the mount
    namespace event it has seen (for /proc/PID/mounts' poll)."""
    __slots__ = ("text", "opener", "event")

    def __init__(self, text, opener):
        self.text = text
        self.opener = opener
        self.event = mnt_ns.event


class ProcFileOperations(FileOperations):
    """Reads page through the text generated at open (f.private: ProcSeq)."""
    seekable = True

    def open(self, f, t):
        f.private = ProcSeq(f.inode.show(t), t)

    def read(self, f, t, count):
        data = f.private.text[f.pos:f.pos + count]
        f.pos += len(data)
        return data

    def pread(self, f, t, count, pos):
        return f.private.text[pos:pos + count]

    def write(self, f, t, data):
        w = getattr(f.inode, "store", None)
        if w is None:
            raise Errno(EINVAL)
        return w(t, data)

    def ioctl(self, f, t, cmd, arg):
        fn = f.inode.ioctl_fn      # /proc/PID/maps: PROCMAP_QUERY
        if fn is None:
            return super().ioctl(f, t, cmd, arg)
        return fn(f, t, cmd, arg)

    def llseek(self, f, offset, whence):
        if whence == SEEK_SET:
            new = offset
        elif whence == SEEK_CUR:
            new = f.pos + offset
        elif whence == SEEK_END:
            new = len(f.private.text) + offset
        else:
            raise Errno(EINVAL)
        if new < 0:
            raise Errno(EINVAL)
        seq = f.private
        seq.text = f.inode.show(seq.opener)
        f.pos = new
        return new


proc_file_fops = ProcFileOperations()


class ProcMountsOperations(ProcFileOperations):
    """/proc/PID/mounts and mountinfo can be polled: POLLERR|POLLPRI once
    the mount tree has changed since the file last said so (Linux's
    mounts_poll), so a program can wait for mounts and unmounts."""

    def poll(self, f, t):
        mask = POLLIN | POLLRDNORM
        seq = f.private
        if seq.event != mnt_ns.event:
            seq.event = mnt_ns.event
            mask |= POLLERR | POLLPRI
        return mask, (mnt_ns.poll,)


proc_mounts_fops = ProcMountsOperations()


class ProcFile(ProcInode):
    def __init__(self, sb, key, show, mode=0o444, uid=0, gid=0, store=None, fops=proc_file_fops):
        super().__init__(sb, S_IFREG | mode, key, uid, gid)
        self._show = show
        self.store = store
        self.i_fop = fops

    def show(self, t):
        data = self._show(t)
        return data.encode() if isinstance(data, str) else data


class ProcRawOperations(FileOperations):
    """A file too big to generate whole (/proc/PID/pagemap): each read asks
    read_at(opener, pos, count) for the bytes at pos."""
    seekable = True
    splice_read = splice_write = False      # Linux's pagemap has neither

    def open(self, f, t):
        f.private = f.inode.opened(t)

    def read(self, f, t, count):
        data = self.pread(f, t, count, f.pos)
        f.pos += len(data)
        return data

    def pread(self, f, t, count, pos):
        return f.inode.read_at(f.private, pos, count)

    def llseek(self, f, offset, whence):
        new = offset if whence == SEEK_SET else f.pos + offset if whence == SEEK_CUR else -1
        if new < 0:
            raise Errno(EINVAL)
        f.pos = new
        return new


proc_raw_fops = ProcRawOperations()


class ProcRawFile(ProcInode):
    """opened(opener) -> state kept for the open file; read_at(state, pos,
    count) -> bytes."""

    def __init__(self, sb, key, opened, read_at, mode=0o444, uid=0, gid=0):
        super().__init__(sb, S_IFREG | mode, key, uid, gid)
        self.opened = opened
        self.read_at = read_at
        self.i_fop = proc_raw_fops


class ProcLink(ProcInode):
    def __init__(self, sb, key, target, path=None, uid=0, gid=0, mode=0o777):
        super().__init__(sb, S_IFLNK | mode, key, uid, gid)
        self._target = target           # () -> bytes
        self._path = path               # () -> Path, for magic links

    def readlink(self):
        return self._target()

    def follow_link(self):
        """A Path to jump to, or None to follow the text."""
        return self._path() if self._path is not None else None

    @property
    def size(self):
        try:
            return len(self._target())
        except Errno:
            return 0

    @size.setter
    def size(self, v):
        pass


class ProcDir(ProcInode):
    """A directory whose entries come from a function: {name: factory}."""

    def __init__(self, sb, key, entries, mode=0o555, uid=0, gid=0):
        super().__init__(sb, S_IFDIR | mode, key, uid, gid)
        self._entries = entries

    def entries(self):
        return self._entries()

    def create(self, name, mode, cred, rdev=0):
        raise Errno(ENOENT)

    def mkdir(self, name, mode, cred):
        raise Errno(ENOENT)

    def lookup(self, name):
        make = self.entries().get(name)
        return make() if make is not None else None

    def readdir(self):
        out = []
        for name, make in self.entries().items():
            try:
                i = make()
            except Errno:
                continue
            if i is not None:
                out.append((name, i.ino, dtype(i.mode)))
        return out


class ProcSuperBlock(SuperBlock):
    def __init__(self, read_only=False):
        super().__init__("proc", read_only, magic=PROC_SUPER_MAGIC)
        self.revalidate = True
