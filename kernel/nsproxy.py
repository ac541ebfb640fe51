"""kernel/nsproxy.py - setns(2): join the namespaces a namespace file or
a pidfd names (Linux's kernel/nsproxy.c).

There is one namespace of each kind (fs/nsfs.py), so every namespace a
task can name is its own: setns checks what Linux checks - the file is
a namespace file (else EINVAL) of the kind asked for (nstype 0: any),
or a pidfd with a set of CLONE_NEW* flags; CAP_SYS_ADMIN (EPERM); a
task may not re-enter its own user namespace (EINVAL), nor join a mount
namespace while it shares its fs info (EINVAL) - and then does what
joining one's own namespaces does: nothing, except that joining a mount
namespace moves root and cwd to the namespace's root, as Linux does.
"""

from kernel.abi import s32
from kernel.errno import EBADF, EINVAL, EPERM, Errno
from fs.file import fget
from fs.nsfs import ALL_FLAGS, CLONE_NEWNS, CLONE_NEWUSER, NsInode
from fs import mount
from fs.namespace import set_fs_pwd
from fs.notify.fsnotify import fsnotify_dput
from kernel.pidfd import pidfd_fops
from kernel.capability import CAP_SYS_ADMIN, capable


def _install(t, flags):
    if not capable(t, CAP_SYS_ADMIN):
        raise Errno(EPERM)                  # ns_capable(CAP_SYS_ADMIN)
    if flags & CLONE_NEWUSER:
        raise Errno(EINVAL)                 # userns_install: already in it
    if flags & CLONE_NEWNS:
        fs = t.fs
        if fs.count > 1:
            raise Errno(EINVAL)
        root = mount.Path(mount.root_mount, mount.root_mount.root)
        while True:                         # what is mounted on top of /
            child = mount.lookup_mnt(root)
            if child is None:
                break
            root = mount.Path(child, child.root)
        old, fs.root = fs.root, root
        fsnotify_dput(old.dentry)
        set_fs_pwd(t, root)


def sys_setns(t, fd, nstype):
    fd = s32(fd)
    nstype &= 0xFFFFFFFF
    f = fget(t, fd)
    if f is None:
        return -EBADF
    inode = f.inode
    if isinstance(inode, NsInode):
        if nstype and nstype != inode.nstype:
            return -EINVAL
        _install(t, inode.nstype)
        return 0
    if f.f_op is pidfd_fops:
        if not nstype or nstype & ~ALL_FLAGS:
            return -EINVAL
        _install(t, nstype)
        return 0
    return -EINVAL
