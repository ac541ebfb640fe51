"""fs/ioctl.py - ioctl(2): the generic commands, then the file's own."""

from kernel.errno import ENOTTY, EPERM
from fs.file import O_ASYNC, O_NONBLOCK, fdget
from mm.uaccess import get_user_u32, put_user_u32
from fs.fasync import fasync_helper
from fs.namei import may_write_path
from kernel.capability import CAP_FOWNER, CAP_LINUX_IMMUTABLE, capable
import security.landlock.fs as landlock

FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC = 0x5451, 0x5450, 0x5421, 0x5452
FIONREAD = 0x541B
FS_IOC_GETFLAGS = {0x80086601, 0x80046601}      # _IOR('f', 1, long), and i386's
FS_IOC_SETFLAGS = {0x40086602, 0x40046602}
FS_FL_USER_VISIBLE = 0x0003DFFF
FS_IMMUTABLE_FL, FS_APPEND_FL = 0x10, 0x20


def ioctl_setflags(t, f, flags):
    """vfs_fileattr_set: the owner (or CAP_FOWNER) may change the flags;
    immutable and append-only take CAP_LINUX_IMMUTABLE either way."""
    inode = f.inode
    may_write_path(t, f.path)
    if t.cred.fsuid != inode.uid and not capable(t, CAP_FOWNER):
        return -EPERM
    if (flags ^ inode.fileattr_get()) & (FS_IMMUTABLE_FL | FS_APPEND_FL) \
            and not capable(t, CAP_LINUX_IMMUTABLE):
        return -EPERM
    inode.fileattr_set(flags)
    return 0


def sys_ioctl(t, fd, cmd, arg):
    fd = fd & 0xFFFFFFFF
    fd = fd - (1 << 32) if fd & 0x80000000 else fd
    f = fdget(t, fd)
    cmd &= 0xFFFFFFFF
    landlock.file_ioctl(t, f, cmd)
    if cmd == FIOCLEX:
        t.files.cloexec.add(fd)
        return 0
    if cmd == FIONCLEX:
        t.files.cloexec.discard(fd)
        return 0
    if cmd == FIONBIO:
        if get_user_u32(t.mm, arg):
            f.flags |= O_NONBLOCK
        else:
            f.flags &= ~O_NONBLOCK
        return 0
    if cmd == FIOASYNC:
        on = bool(get_user_u32(t.mm, arg))
        if on != bool(f.flags & O_ASYNC):
            if not f.f_op.fasync_supported:
                return -ENOTTY
            fasync_helper(t, fd, f, on)
        return 0
    if cmd in FS_IOC_GETFLAGS and f.inode.fileattr_get is not None:
        put_user_u32(t.mm, arg, f.inode.fileattr_get() & FS_FL_USER_VISIBLE)
        return 0
    if cmd in FS_IOC_SETFLAGS and f.inode.fileattr_set is not None:
        return ioctl_setflags(t, f, get_user_u32(t.mm, arg))
    if cmd == FIONREAD and f.f_op.seekable and f.mapping is not None:
        put_user_u32(t.mm, arg, max(0, f.inode.size - f.pos))
        return 0
    r = f.f_op.ioctl(f, t, cmd, arg)
    return -ENOTTY if r is None else r
