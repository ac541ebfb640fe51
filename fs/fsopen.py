"""fs/fsopen.py - filesystem contexts: fsopen(2), fspick(2), fsconfig(2)
(Linux's fs/fsopen.c and fs/fs_context.c).

The new mount API splits mount(2) into steps.  fsopen("ext4") gives a file
descriptor for a *filesystem context*: a superblock being configured.
fsconfig() sets its parameters one at a time ("source" = "/dev/loop0", the
flag "ro", "size" = "1m", ...) and FSCONFIG_CMD_CREATE makes the superblock;
fsmount() (fs/fsmount.py) then turns it into a detached mount that
move_mount() attaches to the tree.  fspick() gives a context for a
superblock already mounted, whose parameters FSCONFIG_CMD_RECONFIGURE
applies (a remount).

The superblock is made by fs/namespace.py's vfs_get_tree, the very code
mount(2) uses, from the parameters gathered here as mount(2)'s option
string: what mount(2) refuses (a hostfs directory fs/hostfs_policy.py does
not allow, a busy device) fsconfig refuses the same way.  For hostfs the
host directory is the parameter "hostfs" (as UML's hostfs names it).

Parameters are kept as the option string a "legacy" filesystem gets on
Linux: the superblock flags every filesystem shares (ro/rw, sync/async,
dirsync, lazytime, mand) are understood here, "source" (and "hostfs") are
taken out, and every other key is passed on to the filesystem, which
parses it when the superblock is made; the whole string is limited to a
page (EINVAL beyond), and no key or value may hold a comma.

Reading the context's descriptor gives its log, one message per read(2),
"e <text>\\n" for an error (ENODATA when there is none), as on Linux.
"""

from kernel.abi import s32
from kernel.errno import EBADF, EBUSY, EINVAL, ENODATA, ENODEV, EOPNOTSUPP, EPERM, Errno
from kernel.capability import CAP_SYS_ADMIN, capable
from fs.anon_inodes import anon_inode_getfile, install_new_file
from fs.file import O_RDWR, FileOperations, fget
from fs.mount import all_mounts
from fs.namei import AT_FDCWD, path_lookup
from fs.namespace import (FILESYSTEMS, MS_DIRSYNC, MS_LAZYTIME, MS_MANDLOCK, MS_RDONLY,
                          MS_SYNCHRONOUS, SB_FLAGS, _sb_gone, _wait_then, reconfigure_super,
                          vfs_get_tree)
from mm.uaccess import copy_from_user, strncpy_from_user

FSOPEN_CLOEXEC = 1
FSPICK_CLOEXEC, FSPICK_SYMLINK_NOFOLLOW, FSPICK_NO_AUTOMOUNT, FSPICK_EMPTY_PATH = 1, 2, 4, 8

(FSCONFIG_SET_FLAG, FSCONFIG_SET_STRING, FSCONFIG_SET_BINARY, FSCONFIG_SET_PATH,
 FSCONFIG_SET_PATH_EMPTY, FSCONFIG_SET_FD, FSCONFIG_CMD_CREATE, FSCONFIG_CMD_RECONFIGURE,
 FSCONFIG_CMD_CREATE_EXCL) = range(9)

# the phases of a context (enum fs_context_phase)
CREATE_PARAMS, CREATING, AWAITING_MOUNT, RECONF_PARAMS, RECONFIGURING, FAILED = range(6)

PAGE_SIZE = 4096
_SET_SB_FLAGS = {b"dirsync": MS_DIRSYNC, b"lazytime": MS_LAZYTIME, b"mand": MS_MANDLOCK,
                 b"ro": MS_RDONLY, b"sync": MS_SYNCHRONOUS, b"posixacl": 0}
_CLEAR_SB_FLAGS = {b"async": MS_SYNCHRONOUS, b"nolazytime": MS_LAZYTIME,
                   b"nomand": MS_MANDLOCK, b"rw": MS_RDONLY}


class FsContext:
    """struct fs_context: one superblock being made or reconfigured."""

    def __init__(self, fstype, sb=None):
        self.fstype = fstype            # a name in fs/namespace.py's FILESYSTEMS
        self.sb = sb                    # fspick's, or the one CMD_CREATE made
        self.phase = CREATE_PARAMS if sb is None else RECONF_PARAMS
        self.source = None
        self.hostfs = None              # hostfs: the host directory
        self.sb_flags = MS_RDONLY if sb is not None and sb.read_only else 0
        self.sb_flags_mask = 0          # which of sb_flags a parameter set
        self.options = []               # the rest, as mount(2)'s option string
        self.log = []
        self.pinned = False             # CMD_CREATE's superblock: held until close

    def error(self, msg, errno=EINVAL):
        self.log.append(b"e " + msg + b"\n")
        del self.log[:-8]               # a short log, as Linux's
        raise Errno(errno)

    def data(self):
        return b",".join(self.options)

    def parse_param(self, key, kind, value):
        """vfs_parse_fs_param: one parameter."""
        if self.phase not in (CREATE_PARAMS, RECONF_PARAMS):
            raise Errno(EBUSY)
        for table, setting in ((_SET_SB_FLAGS, True), (_CLEAR_SB_FLAGS, False)):
            if key in table:
                bit = table[key]
                self.sb_flags = self.sb_flags | bit if setting else self.sb_flags & ~bit
                self.sb_flags_mask |= bit
                return 0
        if not key:
            self.error(b"VFS: Unnamed parameter")
        if key == b"source" or (key == b"hostfs" and self.fstype == "hostfs"):
            if kind != FSCONFIG_SET_STRING:
                self.error(b"VFS: Non-string source")
            if self.phase == RECONF_PARAMS:
                return 0                # a superblock's source stays what it was
            if key == b"hostfs":
                self.hostfs = value
                return 0
            if self.source is not None:
                self.error(b"VFS: Multiple sources")
            self.source = value
            return 0
        if kind not in (FSCONFIG_SET_FLAG, FSCONFIG_SET_STRING):
            self.error(b"%s: Unknown parameter '%s'" % (self.fstype.encode(), key))
        if b"," in key or (value is not None and b"," in value):
            self.error(b"VFS: Mount options can't contain commas")
        opt = key if value is None else key + b"=" + value
        if len(self.data()) + len(opt) + 2 > PAGE_SIZE:
            self.error(b"VFS: Legacy: Cumulative options too large")
        self.options.append(opt)
        return 0

    def create(self, t, exclusive):
        """FSCONFIG_CMD_CREATE: make the superblock."""
        if self.phase != CREATE_PARAMS:
            raise Errno(EBUSY)
        if not capable(t, CAP_SYS_ADMIN):
            raise Errno(EPERM)
        self.phase = CREATING
        data = self.data()
        if self.fstype == "hostfs":
            # the host directory first, as mount(2)'s -o /host/dir has it
            data = b",".join(o for o in (self.hostfs or b"/", data) if o)
        try:
            sb = vfs_get_tree(t, self.fstype, self.source, data, self.sb_flags)
            if exclusive and any(m.sb is sb for m in all_mounts):
                raise Errno(EBUSY)      # an existing superblock would be reused
        except Errno as e:
            self.phase = FAILED
            self.log.append(b"e %s: superblock not made (errno %d)\n"
                            % (self.fstype.encode(), e.errno))
            raise
        sb.pins += 1
        self.pinned = True
        self.sb = sb
        self.data_used = data
        self.phase = AWAITING_MOUNT
        return 0

    def reconfigure(self, t):
        """FSCONFIG_CMD_RECONFIGURE: apply the parameters to a mounted
        superblock (what mount -o remount does to the superblock; the
        mounts' own flags stay as they are)."""
        if self.phase != RECONF_PARAMS:
            raise Errno(EBUSY)
        if not capable(t, CAP_SYS_ADMIN):
            raise Errno(EPERM)
        sb = self.sb
        read_only = bool(self.sb_flags & MS_RDONLY) if self.sb_flags_mask & MS_RDONLY \
            else sb.read_only
        self.phase = RECONFIGURING
        try:
            done = reconfigure_super(sb, read_only, self.data())
        except Errno:
            self.phase = FAILED
            raise
        for m in all_mounts:
            if m.sb is sb:
                m.read_only = bool(m.flags & MS_RDONLY) or read_only
        mask = self.sb_flags_mask & SB_FLAGS      # only the flags a parameter named
        sb.s_flags = sb.s_flags & ~mask | self.sb_flags & mask
        self.options, self.sb_flags_mask = [], 0
        self.phase = RECONF_PARAMS
        return _wait_then(t, done, 0)

    def release(self):
        sb, self.sb = self.sb, None
        if self.pinned:
            self.pinned = False
            sb.pins -= 1
            _sb_gone(sb)                # made and never mounted: let it go


class FsContextOperations(FileOperations):
    splice_read = splice_write = False      # an anonymous inode's: Linux's has neither

    def read(self, f, t, count):
        log = f.private.log
        if not log:
            raise Errno(ENODATA)
        msg = log[0]
        if len(msg) > count:
            raise Errno(EMSGSIZE)
        del log[0]
        return msg

    def release(self, f):
        f.private.release()


EMSGSIZE = 90
fscontext_fops = FsContextOperations()


def fscontext_of(t, fd):
    """The FsContext fd refers to (EBADF; EINVAL for another kind of file)."""
    f = fget(t, fd)
    if f is None:
        raise Errno(EBADF)
    if f.f_op is not fscontext_fops:
        raise Errno(EINVAL)
    return f.private


def _install(t, ctx, cloexec):
    f = anon_inode_getfile(b"[fscontext]", fscontext_fops, ctx, O_RDWR)
    return install_new_file(t, f, cloexec)



def sys_fsopen(t, fs_name, flags):
    if not capable(t, CAP_SYS_ADMIN):
        return -EPERM                   # over the mount namespace's user namespace
    flags &= 0xFFFFFFFF
    if flags & ~FSOPEN_CLOEXEC:
        return -EINVAL
    name = strncpy_from_user(t.mm, fs_name, 256).decode(errors="replace")
    if name not in FILESYSTEMS:
        return -ENODEV
    return _install(t, FsContext(name), flags & FSOPEN_CLOEXEC)


def sys_fspick(t, dfd, path, flags):
    if not capable(t, CAP_SYS_ADMIN):      # may_mount
        return -EPERM
    flags &= 0xFFFFFFFF
    if flags & ~(FSPICK_CLOEXEC | FSPICK_SYMLINK_NOFOLLOW | FSPICK_NO_AUTOMOUNT
                 | FSPICK_EMPTY_PATH):
        return -EINVAL
    where = path_lookup(t, strncpy_from_user(t.mm, path, 4096), s32(dfd),
                        follow=not flags & FSPICK_SYMLINK_NOFOLLOW,
                        empty_ok=bool(flags & FSPICK_EMPTY_PATH))
    if where.dentry is not where.mnt.root:
        return -EINVAL                  # not the root of a mount
    sb = where.mnt.sb
    if sb.fstype not in FILESYSTEMS:
        return -EINVAL
    return _install(t, FsContext(sb.fstype, sb), flags & FSPICK_CLOEXEC)


def sys_fsconfig(t, fd, cmd, key, value, aux):
    fd, cmd, aux = s32(fd), cmd & 0xFFFFFFFF, s32(aux)
    if fd < 0:
        return -EINVAL
    # which arguments each command takes; anything else is EINVAL
    if cmd == FSCONFIG_SET_FLAG:
        bad = not key or value or aux
    elif cmd == FSCONFIG_SET_STRING:
        bad = not key or not value or aux
    elif cmd == FSCONFIG_SET_BINARY:
        bad = not key or not value or aux <= 0 or aux > 1024 * 1024
    elif cmd in (FSCONFIG_SET_PATH, FSCONFIG_SET_PATH_EMPTY):
        bad = not key or not value or (aux != AT_FDCWD and aux < 0)
    elif cmd == FSCONFIG_SET_FD:
        bad = not key or value or aux < 0
    elif cmd in (FSCONFIG_CMD_CREATE, FSCONFIG_CMD_CREATE_EXCL, FSCONFIG_CMD_RECONFIGURE):
        bad = key or value or aux
    else:
        return -EOPNOTSUPP
    if bad:
        return -EINVAL
    ctx = fscontext_of(t, fd)
    if cmd in (FSCONFIG_CMD_CREATE, FSCONFIG_CMD_CREATE_EXCL):
        return ctx.create(t, cmd == FSCONFIG_CMD_CREATE_EXCL)
    if cmd == FSCONFIG_CMD_RECONFIGURE:
        return ctx.reconfigure(t)
    name = strncpy_from_user(t.mm, key, 256)
    val = None
    if cmd == FSCONFIG_SET_STRING:
        val = strncpy_from_user(t.mm, value, 256)
    elif cmd == FSCONFIG_SET_BINARY:
        val = copy_from_user(t.mm, value, aux)
    elif cmd in (FSCONFIG_SET_PATH, FSCONFIG_SET_PATH_EMPTY):
        val = strncpy_from_user(t.mm, value, 4096)
    elif cmd == FSCONFIG_SET_FD:
        if fget(t, aux) is None:
            return -EBADF
    return ctx.parse_param(name, cmd, val)

