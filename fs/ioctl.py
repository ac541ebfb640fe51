"""fs/ioctl.py - ioctl(2): the generic commands, then the file's own."""

from kernel.errno import ENOTTY
from fs.file import O_ASYNC, O_NONBLOCK, fdget
from mm.uaccess import get_user_u32, put_user_u32
from fs.fasync import fasync_helper
import security.landlock.fs as landlock

FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC = 0x5451, 0x5450, 0x5421, 0x5452
FIONREAD = 0x541B


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
            if not getattr(f.f_op, "fasync_supported", False):
                return -ENOTTY
            fasync_helper(t, fd, f, on)
        return 0
    if cmd == FIONREAD and f.f_op.seekable and f.mapping is not None:
        put_user_u32(t.mm, arg, max(0, f.inode.size - f.pos))
        return 0
    r = f.f_op.ioctl(f, t, cmd, arg)
    return -ENOTTY if r is None else r
