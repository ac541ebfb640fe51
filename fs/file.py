"""fs/file.py - open files, fd tables, and a task's root and cwd.

A File is one open instance: a Path, the open flags, the position, and the
file operations of what was opened (a regular file's page cache, a
directory, a device, a pipe).  File operations receive the File and the
calling task; read returns bytes and write takes bytes, so the system call
layer (fs/read_write.py) does all copying to and from guest memory.  An
operation that has to wait returns a generator (see kernel/sched.py).

FilesStruct is the fd table (shared by CLONE_FILES threads); FsStruct holds
root, cwd and umask (shared by CLONE_FS).
"""

from kernel.abi import RLIMIT_NOFILE
from kernel.errno import EBADF, EINVAL, EMFILE, ENOTTY, ESPIPE, Errno, EISDIR
from fs.inode import S_ISDIR, S_ISREG
from kernel import resource
from fs.notify.fsnotify import file_dentry_get, file_dentry_put, fsnotify_close

O_ACCMODE = 0o3
O_RDONLY, O_WRONLY, O_RDWR = 0, 1, 2
O_CREAT = 0o100
O_EXCL = 0o200
O_NOCTTY = 0o400
O_TRUNC = 0o1000
O_APPEND = 0o2000
O_NONBLOCK = 0o4000
O_DSYNC = 0o10000
O_ASYNC = 0o20000
O_DIRECT = 0o40000
O_LARGEFILE = 0o100000
O_DIRECTORY = 0o200000
O_NOFOLLOW = 0o400000
O_NOATIME = 0o1000000
O_CLOEXEC = 0o2000000
O_SYNC = 0o4010000
O_PATH = 0o10000000
__O_TMPFILE = 0o20000000
O_TMPFILE = __O_TMPFILE | 0o200000           # with O_DIRECTORY

FMODE_READ = 1
FMODE_WRITE = 2
FMODE_PATH = 4
FMODE_CREATED = 0x100000             # this open made the file (F_CREATED_QUERY)

SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE = 0, 1, 2, 3, 4

POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL = 1, 2, 4, 8, 0x10, 0x20
POLLRDNORM, POLLRDBAND, POLLWRNORM, POLLWRBAND = 0x40, 0x80, 0x100, 0x200


class FileOperations:
    """Defaults for what a kind of file does not support."""

    def read(self, f, t, count):
        raise Errno(EINVAL)

    def write(self, f, t, data):
        raise Errno(EINVAL)

    def pread(self, f, t, count, pos):
        raise Errno(ESPIPE)

    def pwrite(self, f, t, data, pos):
        raise Errno(ESPIPE)

    def llseek(self, f, offset, whence):
        raise Errno(ESPIPE)

    def ioctl(self, f, t, cmd, arg):
        raise Errno(ENOTTY)

    def poll(self, f, t):
        """(mask of ready events, tuple of wait queues to sleep on)"""
        return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM, ()

    def iterate(self, f, t):
        raise Errno(EINVAL)

    def release(self, f):
        pass

    # The optional parts: a hook left None is Linux's NULL f_op pointer.

    # Linux's ->open: open(f, t) once the File is made (may sleep: a
    # generator; may refuse: Errno), for the kinds that need a say
    open = None

    # Linux's ->fsync: only files and directories have one; fsync of a
    # pipe, socket, tty, /proc or anonymous file is EINVAL
    fsync = None
    flush = None            # flush(f): each close of an fd (Linux's ->flush; mqueue)
    # fcntl(f, t, cmd, arg): the commands of one kind of file (pipes'
    # F_GETPIPE_SZ/F_SETPIPE_SZ), asked after the generic ones
    fcntl = None
    # show_fdinfo(f) -> str: the file's own lines in /proc/PID/fdinfo/N
    # (Linux's ->show_fdinfo)
    show_fdinfo = None
    # read_user(f, t, buf, count): a read that copies its records to user
    # memory itself, whole records only (inotify; Linux: .read, no .read_iter)
    read_user = None
    # O_ASYNC/FIOASYNC signals: Linux's ->fasync (fs/fasync.py)
    fasync_supported = False
    # it has a position: lseek and pread/pwrite move in it (Linux's
    # FMODE_LSEEK | FMODE_PREAD); pipes, sockets, ttys have none
    seekable = False
    # fallocate(2) of a regular file: False where Linux's f_op has no
    # ->fallocate (ext2), EOPNOTSUPP
    fallocate_supported = True
    # splice(2): pyuml moves the data through read and write, so any file
    # can be spliced; False where Linux's f_op has no ->splice_read (file to
    # pipe) or ->splice_write (pipe to file): EINVAL (fs/splice.py)
    splice_read = True
    splice_write = True
    mmap_zero = False       # mmap gives anonymous memory, not the file's (/dev/zero)
    # mmap_file(f, pgoff, length, prot) -> (file, pgoff, VM flags to clear):
    # a file whose mmap maps memory of another file (io_uring's rings)
    mmap_file = None


class File:
    # declared defaults for state only some files have
    f_owner = None                      # F_SETOWN/F_SETSIG: a FownStruct (fs/fasync.py)
    fasync = None                       # O_ASYNC: its FasyncEntry (fs/fasync.py)
    nonotify = False                    # a pseudo file: no inotify events (FMODE_NONOTIFY)
    proc_name = None                    # /proc/PID/fd/N's link text, if not the inode's
    pipe_version = 0                    # a FIFO reader: writers seen (fs/pipe.py)
    wb_err_seen = 0                     # write-back errors reported (fs/fs_writeback.py)
    tty_console = False                 # opened as /dev/console (drivers/tty.py)
    tty_hung = False                    # its tty was hung up
    _open_gen = None                    # a sleeping f_op.open still to finish (fs/open.py)
    mmap_check = None                   # a method: may it be mapped still? (ipc/shm.py)
    landlock_allowed = None             # rights had at an open in a sandbox (security/landlock/fs.py)

    def __init__(self, path, flags, fop, inode=None, pseudo=False):
        self.path = path
        self.inode = inode if inode is not None else path.dentry.inode
        self.flags = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)
        self.open_flags = flags         # as open() had them: a tty looks at O_NOCTTY
        acc = flags & O_ACCMODE
        if flags & O_PATH:
            self.mode = FMODE_PATH
        else:
            self.mode = (FMODE_READ if acc in (O_RDONLY, O_RDWR) else 0) | \
                (FMODE_WRITE if acc in (O_WRONLY, O_RDWR) else 0)
        # a regular file open for writing may not be a running program;
        # a file made without a path (pseudo: a memfd, a shm segment) takes
        # no write access, as Linux's alloc_file_pseudo, so a memfd its
        # maker still writes can be executed
        self.write_access = bool(self.mode & FMODE_WRITE) and S_ISREG(self.inode.mode) \
            and not pseudo
        if self.write_access:
            self.inode.get_write_access()
        self.deny_write = False         # fs/exec.py's open_exec sets it
        self.pos = 0
        # every kind of file is a FileOperations, whose defaults the
        # optional hooks are read against (f.f_op.flush is not None)
        assert isinstance(fop, FileOperations), fop
        self.f_op = fop
        self.private = None
        self.refs = 1
        self.mapping = self.inode.mapping
        self.dir_cache = None           # a directory listing being read
        self.locks = None
        self.inode.file_opened()
        if self.mode & FMODE_READ and not self.mode & FMODE_WRITE:
            self.inode.i_readcount += 1         # leases look at it (fs/locks.py)
        file_dentry_get(self)

    def __repr__(self):
        return "<File %r>" % (self.path,)

    def readable(self):
        return bool(self.mode & FMODE_READ)

    def writable(self):
        return bool(self.mode & FMODE_WRITE)

    def get(self):
        self.refs += 1
        return self

    def put(self):
        self.refs -= 1
        if self.refs == 0:
            fsnotify_close(self)
            if self.fasync is not None:
                # cycle: fs.fasync -> fs.file
                from fs.fasync import fasync_release
                fasync_release(self)
            if self.inode.i_flctx is not None:
                # cycle: fs.locks -> fs.file
                from fs.locks import locks_remove_file
                locks_remove_file(self)
            self.f_op.release(self)
            if self.write_access:
                self.inode.put_write_access()
            if self.deny_write:
                self.inode.allow_write_access()
            if self.mode & FMODE_READ and not self.mode & FMODE_WRITE:
                self.inode.i_readcount -= 1
            self.inode.file_closed()
            file_dentry_put(self)               # may be the inode's end (IN_DELETE_SELF)


class FilesStruct:
    """The fd table."""

    def __init__(self):
        self.fd = {}                # fd -> File
        self.cloexec = set()
        self.count = 1

    def copy(self):
        if self.fd and max(self.fd) >= resource.NR_OPEN:
            raise Errno(EMFILE)         # fs.nr_open was lowered below an open fd
        n = FilesStruct()
        for fd, f in self.fd.items():
            n.fd[fd] = f.get()
        n.cloexec = set(self.cloexec)
        return n

    def get(self):
        self.count += 1
        return self

    def put(self):
        self.count -= 1
        if self.count == 0:
            fds, self.fd = self.fd, {}
            # highest fd first: Linux's deferred fputs run last-queued first
            # (inotify shows the order of the IN_CLOSE events)
            for fd in sorted(fds, reverse=True):
                self.release_file(fds[fd])

    def alloc_fd(self, t, f, cloexec=False, minfd=0):
        limit = t.signal.rlim[RLIMIT_NOFILE][0]
        fd = minfd
        while fd in self.fd:
            fd += 1
        if fd >= limit:
            raise Errno(EMFILE)
        self.install(fd, f, cloexec)
        return fd

    def install(self, fd, f, cloexec=False):
        self.fd[fd] = f
        if cloexec:
            self.cloexec.add(fd)
        else:
            self.cloexec.discard(fd)

    def close(self, fd):
        f = self.fd.pop(fd, None)
        if f is None:
            raise Errno(EBADF)
        self.cloexec.discard(fd)
        self.release_file(f)

    def release_file(self, f):
        """A descriptor of f is gone: the process's POSIX locks on the
        file go with it (fs/locks.py), then the reference."""
        if f.inode.i_flctx is not None:
            # cycle: fs.locks -> fs.file
            from fs.locks import locks_remove_posix
            locks_remove_posix(self, f)
        if f.inode.i_fsnotify_marks:
            # cycle: fs.notify.dnotify -> fs.fasync -> fs.file
            from fs.notify.dnotify import dnotify_flush
            dnotify_flush(f, self)
        if f.f_op.flush is not None:
            f.f_op.flush(f)
        f.put()

    def close_on_exec(self):
        for fd in sorted(self.cloexec, reverse=True):        # as put()
            f = self.fd.pop(fd, None)
            if f is not None:
                self.release_file(f)
        self.cloexec = set()


class FsStruct:
    def __init__(self, root, pwd, umask=0o022):
        self.root = root
        self.pwd = pwd
        self.umask = umask
        self.count = 1

    def copy(self):
        return FsStruct(self.root, self.pwd, self.umask)

    def get(self):
        self.count += 1
        return self

    def put(self):
        self.count -= 1


def fget(t, fd):
    """The File for fd, or None.  O_PATH files are included."""
    if fd < 0:
        return None
    return t.files.fd.get(fd)


def fdget(t, fd, mode=0):
    """The File for fd; EBADF if missing, O_PATH, or lacking mode."""
    f = t.files.fd.get(fd) if fd >= 0 else None
    if f is None or f.mode & FMODE_PATH:
        raise Errno(EBADF)
    if mode and not f.mode & mode:
        raise Errno(EBADF)
    return f


class DirOperations(FileOperations):
    """A directory opened for reading its entries (getdents64)."""

    def read(self, f, t, count):
        raise Errno(EISDIR)

    def pread(self, f, t, count, pos):
        raise Errno(EISDIR)

    def fsync(self, f):
        return 0

    def write(self, f, t, data):
        raise Errno(EISDIR)

    def pwrite(self, f, t, data, pos):
        raise Errno(EISDIR)

    def llseek(self, f, offset, whence):
        if whence == SEEK_SET and offset >= 0:
            f.pos = offset
            if offset == 0:
                f.dir_cache = None
            return offset
        if whence == SEEK_CUR and f.pos + offset >= 0:
            f.pos += offset
            return f.pos
        raise Errno(EINVAL)

    seekable = True
    splice_read = splice_write = False      # Linux's directories have neither


dir_fops = DirOperations()


def is_dir(f):
    return S_ISDIR(f.inode.mode)
