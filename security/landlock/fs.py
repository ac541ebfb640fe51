"""security/landlock/fs.py - the filesystem half of Landlock: which
rights a sandbox has on a path, and the VFS hooks that ask.

A path-beneath rule hangs on an inode and grants its rights to everything
below it, so the rights on a path are found by walking from it up to the
root, crossing mount points (the directory a mount hides lends it no
rules), and collecting each layer's rules until every layer has granted
what was asked.  Files and directories opened before the sandbox (or
outside any) keep all their rights: a File opened inside one records the
rights it had at open (truncate, device ioctls), as ftruncate and ioctl
ask for them later, not the path.  Each hook is a no-op outside a domain.
"""

from kernel.errno import EACCES, EXDEV, Errno
from fs.inode import (S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK,
                      S_ISBLK, S_ISCHR, S_ISDIR)
from fs.mount import all_mounts
from fs.file import FMODE_READ, FMODE_WRITE
from security.landlock.ruleset import (
    ACCESS_FILE, MASK_ACCESS_FS, ACCESS_FS_EXECUTE, ACCESS_FS_IOCTL_DEV, ACCESS_FS_MAKE_BLOCK, ACCESS_FS_MAKE_CHAR,
    ACCESS_FS_MAKE_DIR, ACCESS_FS_MAKE_FIFO, ACCESS_FS_MAKE_REG, ACCESS_FS_MAKE_SOCK,
    ACCESS_FS_MAKE_SYM, ACCESS_FS_READ_DIR, ACCESS_FS_READ_FILE, ACCESS_FS_REFER,
    ACCESS_FS_REMOVE_DIR, ACCESS_FS_REMOVE_FILE, ACCESS_FS_TRUNCATE, ACCESS_FS_WRITE_FILE)

_MAKE = {S_IFREG: ACCESS_FS_MAKE_REG, S_IFDIR: ACCESS_FS_MAKE_DIR, S_IFCHR: ACCESS_FS_MAKE_CHAR,
         S_IFBLK: ACCESS_FS_MAKE_BLOCK, S_IFIFO: ACCESS_FS_MAKE_FIFO,
         S_IFSOCK: ACCESS_FS_MAKE_SOCK, S_IFLNK: ACCESS_FS_MAKE_SYM}

# ioctls the VFS answers for any file: never the device's business
FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC = 0x5451, 0x5450, 0x5421, 0x5452
FIOQSIZE, FIFREEZE, FITHAW, FIGETBSZ = 0x5460, 0xC0045877, 0xC0045878, 0x2
FS_IOC_FIEMAP, FICLONE, FICLONERANGE, FIDEDUPERANGE = 0xC020660B, 0x40049409, 0x4020940D, 0xC0189436
FS_IOC_GETFSUUID, FS_IOC_GETFSSYSFSPATH = 0x80111500, 0x80811501
_VFS_IOCTLS = frozenset((FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC, FIOQSIZE, FIFREEZE, FITHAW,
                         FIGETBSZ, FS_IOC_FIEMAP, FICLONE, FICLONERANGE, FIDEDUPERANGE,
                         FS_IOC_GETFSUUID, FS_IOC_GETFSSYSFSPATH))


def get_mode_access(mode):
    """The MAKE_* right creating (or moving in) a node of this type needs."""
    return _MAKE.get(mode & S_IFMT, ACCESS_FS_MAKE_REG)


def maybe_remove(inode):
    return ACCESS_FS_REMOVE_DIR if S_ISDIR(inode.mode) else ACCESS_FS_REMOVE_FILE


def _walk(path):
    """The inodes from path up to the root, as Landlock sees them; ends
    with None when the walk ran into an internal filesystem's root (a pipe
    or socket reached through /proc/PID/fd), which Landlock never denies."""
    mnt, d = path.mnt, path.dentry
    while True:
        yield d.inode
        while d is mnt.root:
            if mnt.parent is mnt:
                if mnt not in all_mounts and not mnt.detached:
                    yield None
                return
            d, mnt = mnt.mountpoint, mnt.parent
        if d.parent is d:
            return
        d = d.parent


def _denied(domain, path, masks):
    """masks: per layer, the rights asked of it.  Clears what rules on the
    way up grant and returns what each layer still refuses."""
    masks = list(masks)
    if not any(masks):
        return masks
    for inode in _walk(path):
        if inode is None:
            return [0] * len(masks)
        for i, layer in enumerate(domain):
            if masks[i]:
                masks[i] &= ~layer.fs_rules.get(inode, 0)
        if not any(masks):
            break
    return masks


def _asked(domain, access):
    return [access & layer.fs_mask() for layer in domain]


def _union(masks):
    r = 0
    for m in masks:
        r |= m
    return r


def check_access_path(t, path, access):
    """EACCES unless every layer grants access on path."""
    domain = t.cred.landlock
    if domain is not None and any(_denied(domain, path, _asked(domain, access))):
        raise Errno(EACCES)


# -- the hooks -------------------------------------------------------------------------

def file_open(t, f, execute=False):
    """Opening for reading, writing, executing (or a directory for
    listing) needs the matching right; what else the file may do later
    (truncate, device ioctls) is decided now and kept on the File."""
    domain = t.cred.landlock
    if domain is None:
        return
    inode = f.inode
    need = 0
    if f.mode & FMODE_READ:
        need = ACCESS_FS_READ_DIR if S_ISDIR(inode.mode) else ACCESS_FS_READ_FILE
    if f.mode & FMODE_WRITE:
        need |= ACCESS_FS_WRITE_FILE
    if execute:
        need |= ACCESS_FS_EXECUTE
    optional = ACCESS_FS_TRUNCATE
    if S_ISCHR(inode.mode) or S_ISBLK(inode.mode):
        optional |= ACCESS_FS_IOCTL_DEV
    full = need | optional
    refused = _union(_denied(domain, f.path, _asked(domain, full)))
    f.landlock_allowed = full & ~refused
    if need & refused:
        raise Errno(EACCES)


def path_mknod(t, dir_path, mode):
    """Creating a node of this type in the directory."""
    check_access_path(t, dir_path, get_mode_access(mode))


def path_unlink(t, dir_path):
    check_access_path(t, dir_path, ACCESS_FS_REMOVE_FILE)


def path_rmdir(t, dir_path):
    check_access_path(t, dir_path, ACCESS_FS_REMOVE_DIR)


def path_truncate(t, path):
    check_access_path(t, path, ACCESS_FS_TRUNCATE)


def file_truncate(t, f):
    if f.landlock_allowed is not None and not f.landlock_allowed & ACCESS_FS_TRUNCATE:
        raise Errno(EACCES)


def file_ioctl(t, f, cmd):
    """A device's own ioctls need IOCTL_DEV (had at open)."""
    if f.landlock_allowed is None or cmd in _VFS_IOCTLS:
        return
    if (S_ISCHR(f.inode.mode) or S_ISBLK(f.inode.mode)) \
            and not f.landlock_allowed & ACCESS_FS_IOCTL_DEV:
        raise Errno(EACCES)


def _granted(domain, path):
    """Per layer, the union of the rights the rules from path up grant."""
    granted = [0] * len(domain)
    for inode in _walk(path):
        if inode is None:
            break
        for i, layer in enumerate(domain):
            granted[i] |= layer.fs_rules.get(inode, 0)
    return granted


def _gains(domain, moved, new_dir):
    """Would what moves to new_dir get rights it does not have where it
    is?  (A layer's handled rights granted at new_dir must be granted at
    the moved file already; for a file that is not a directory, only the
    rights on files count.)"""
    src, dst = _granted(domain, moved), _granted(domain, new_dir)
    relevant = MASK_ACCESS_FS if S_ISDIR(moved.dentry.inode.mode) else ACCESS_FILE
    return any(dst[i] & layer.fs_mask() & relevant & ~src[i] for i, layer in enumerate(domain))


def path_refer(t, old_dir, old, new_dir, new, removable, exchange):
    """link (removable False) and rename: old (a Path in old_dir) goes to
    new_dir, replacing new (a Path or None).  Making and removing the
    entries needs EACCES-checked rights; moving between directories also
    REFER on both sides and no gain in rights, or it is EXDEV."""
    domain = t.cred.landlock
    if domain is None:
        return
    access1 = get_mode_access(new.dentry.inode.mode) if exchange else 0
    access2 = get_mode_access(old.dentry.inode.mode)
    if removable:
        access1 |= maybe_remove(old.dentry.inode)
        if new is not None:
            access2 |= maybe_remove(new.dentry.inode)
    if old_dir.dentry is new_dir.dentry:
        # no reparenting: REFER is not needed
        if any(_denied(domain, new_dir, _asked(domain, access1 | access2))):
            raise Errno(EACCES)
        return
    denied1 = _union(_denied(domain, old_dir, _asked(domain, access1 | ACCESS_FS_REFER)))
    denied2 = _union(_denied(domain, new_dir, _asked(domain, access2 | ACCESS_FS_REFER)))
    if (denied1 | denied2) & ~ACCESS_FS_REFER:
        raise Errno(EACCES)
    if denied1 | denied2 or _gains(domain, old, new_dir) or (
            exchange and _gains(domain, new, old_dir)):
        raise Errno(EXDEV)
