"""arch/x86/sys_ia32.py - i386 calls whose arguments differ from x86_64's.

Each adapts the i386 argument convention and calls the common handler:

 - a 64-bit file offset or length does not fit a register: i386 passes it
   in two (low word first), as pread64, pwrite64, truncate64, ftruncate64,
   fadvise64(_64), readahead, fallocate and sync_file_range do, and
   fanotify_mark its 64-bit event mask; _llseek returns its 64-bit result
   through a pointer;
 - the plain 32-bit versions (truncate, ftruncate) take a signed 32-bit
   offset;
 - clone puts the TLS argument before the child's tid pointer
   (CLONE_BACKWARDS); waitpid is wait4 without the rusage;
 - the old getrlimit reports "infinity" as 0x7fffffff; olduname and
   oldolduname are uname with shorter fields; the old select takes its
   arguments in a struct; nice moves the nice value;
 - statfs64 and fstatfs64 fill i386's packed struct statfs64 (and check
   the size the caller says it has); readdir is the old one-entry-a-call
   directory read.

The common handlers are looked up by name when called, so a call whose
handler is not written yet is ENOSYS, as the dispatcher would say.
"""

import struct

from kernel.abi import s32, s64
from kernel.errno import EBADF, EINVAL, ENOENT, ENOSYS, ENOTDIR, EOVERFLOW, EPERM
from fs.file import fdget, fget
from fs.inode import S_ISDIR
from fs.namei import AT_FDCWD, path_lookup
from fs.notify.fanotify.fanotify_user import do_fanotify_mark
from fs.readdir import dir_entries
from fs.splice import _sendfile
from fs.statfs import vfs_statfs
from kernel import sys as ksys
from kernel.resource import do_prlimit
from kernel.syscall import syscall_handler
from mm.uaccess import copy_from_user, copy_to_user, strncpy_from_user
from kernel.capability import CAP_SYS_NICE, capable

_M32 = 0xFFFFFFFF


def _s64(lo, hi):
    """A 64-bit argument an i386 caller passes in two registers."""
    return s64((lo & _M32) | (hi & _M32) << 32)


def _call(name, *args):
    fn = syscall_handler(name)
    if fn is None:
        return -ENOSYS
    return fn(*args)


def _u64(v):
    return v & ((1 << 64) - 1)


# -- 64-bit offsets in two registers -------------------------------------------------

def sys_ia32_pread64(t, fd, buf, count, pos_lo, pos_hi):
    return _call("pread64", t, fd, buf, count, _u64(_s64(pos_lo, pos_hi)))


def sys_ia32_pwrite64(t, fd, buf, count, pos_lo, pos_hi):
    return _call("pwrite64", t, fd, buf, count, _u64(_s64(pos_lo, pos_hi)))


def sys_ia32_truncate64(t, path, len_lo, len_hi):
    return _call("truncate", t, path, _u64(_s64(len_lo, len_hi)))


def sys_ia32_ftruncate64(t, fd, len_lo, len_hi):
    return _call("ftruncate", t, fd, _u64(_s64(len_lo, len_hi)))


def sys_ia32_truncate(t, path, length):
    return _call("truncate", t, path, _u64(s32(length)))


def sys_ia32_ftruncate(t, fd, length):
    return _call("ftruncate", t, fd, _u64(s32(length)))


def sys_ia32_fadvise64(t, fd, off_lo, off_hi, length, advice):
    return _call("fadvise64", t, fd, _u64(_s64(off_lo, off_hi)), length & _M32, advice)


def sys_ia32_fadvise64_64(t, fd, off_lo, off_hi, len_lo, len_hi, advice):
    return _call("fadvise64", t, fd, _u64(_s64(off_lo, off_hi)),
                 _u64(_s64(len_lo, len_hi)), advice)


def sys_ia32_readahead(t, fd, off_lo, off_hi, count):
    return _call("readahead", t, fd, _u64(_s64(off_lo, off_hi)), count)


def sys_ia32_fanotify_mark(t, fanotify_fd, flags, mask_lo, mask_hi, dirfd, pathname):
    return do_fanotify_mark(t, s32(fanotify_fd), flags & _M32,
                            (mask_lo & _M32) | (mask_hi & _M32) << 32, s32(dirfd), pathname)


def sys_ia32_fallocate(t, fd, mode, off_lo, off_hi, len_lo, len_hi):
    return _call("fallocate", t, fd, mode, _u64(_s64(off_lo, off_hi)),
                 _u64(_s64(len_lo, len_hi)))


def sys_ia32_sync_file_range(t, fd, off_lo, off_hi, n_lo, n_hi, flags):
    return _call("sync_file_range", t, fd, _u64(_s64(off_lo, off_hi)),
                 _u64(_s64(n_lo, n_hi)), flags)


def sys_ia32_sendfile(t, out_fd, in_fd, offset, count):
    """sendfile with a 32-bit off_t (sendfile64 is the common call)."""
    return _sendfile(t, out_fd, in_fd, offset, count, off32=True)


def sys_llseek(t, fd, offset_high, offset_low, result, whence):
    """_llseek(fd, high, low, loff_t *result, whence)."""
    f = fdget(t, s32(fd))
    whence &= _M32
    if whence > 4:                                  # SEEK_MAX (SEEK_HOLE)
        return -EINVAL
    pos = f.f_op.llseek(f, _s64(offset_low, offset_high), whence)
    if pos < 0:
        return pos
    copy_to_user(t.mm, result, struct.pack("<q", pos))
    return 0


def sys_old_select(t, arg):
    """select (number 82): its five arguments in a struct sel_arg_struct."""
    n, inp, outp, exp, tvp = struct.unpack("<5I", copy_from_user(t.mm, arg, 20))
    return _call("select", t, n, inp, outp, exp, tvp)


# -- processes -------------------------------------------------------------------------

def sys_ia32_clone(t, flags, newsp, parent_tid, tls, child_tid):
    """i386 clone(flags, stack, parent_tid, tls, child_tid)."""
    return _call("clone", t, flags, newsp, parent_tid, child_tid, tls)


def sys_nice(t, increment):
    """nice(inc): the task's nice value moved by inc, within [-20, 19];
    lowering it takes privilege."""
    inc = max(-40, min(40, s32(increment)))
    old = t.nice
    new = max(-20, min(19, old + inc))
    if new < old and not capable(t, CAP_SYS_NICE):
        return -EPERM
    t.nice = new
    return 0


def sys_waitpid(t, pid, stat_addr, options):
    return _call("wait4", t, pid, stat_addr, options, 0)


def sys_old_getrlimit(t, resource, rlim):
    old, err = do_prlimit(t, t, resource & _M32, None)
    if err:
        return err
    copy_to_user(t.mm, rlim, struct.pack("<II", min(old[0], 0x7FFFFFFF),
                                         min(old[1], 0x7FFFFFFF)))
    return 0


# -- uname with short fields --------------------------------------------------------

def _uts_fields(t):
    machine = b"x86_64"
    if t.personality & 0xFF == 0x0008:
        machine = b"i686"
    return (ksys.UTS_SYSNAME, t.nsproxy.uts_ns.nodename, ksys.UTS_RELEASE,
            ksys.UTS_VERSION, machine)


def sys_olduname(t, buf):
    """struct old_utsname: five 65-byte fields (no domainname)."""
    copy_to_user(t.mm, buf, b"".join(f[:64].ljust(65, b"\0") for f in _uts_fields(t)))
    return 0


def sys_oldolduname(t, buf):
    """struct oldold_utsname: five 9-byte fields."""
    copy_to_user(t.mm, buf, b"".join(f[:8].ljust(9, b"\0") for f in _uts_fields(t)))
    return 0


# -- i386-only layouts: struct statfs64, the old one-entry readdir ---------------------

COMPAT_STATFS64 = struct.Struct("<IIQQQQQiiIII16x")     # packed: 84 bytes


def _put_statfs64(t, buf, path):
    ftype, bsize, blocks, bfree, bavail, files, ffree, fsid, namelen, flags = vfs_statfs(path)
    copy_to_user(t.mm, buf, COMPAT_STATFS64.pack(
        ftype & _M32, bsize, blocks, bfree, bavail, files, ffree, fsid[0], fsid[1],
        namelen, bsize, flags))
    return 0


def sys_statfs64(t, pathname, sz, buf):
    """statfs64(path, sizeof(struct statfs64), buf): the size must be the
    size of the i386 structure."""
    if sz & _M32 != COMPAT_STATFS64.size:
        return -EINVAL
    path = path_lookup(t, strncpy_from_user(t.mm, pathname, 4096), AT_FDCWD)
    return _put_statfs64(t, buf, path)


def sys_fstatfs64(t, fd, sz, buf):
    if sz & _M32 != COMPAT_STATFS64.size:
        return -EINVAL
    f = fget(t, s32(fd))
    if f is None:
        return -EBADF
    return _put_statfs64(t, buf, f.path)


OLD_DIRENT = struct.Struct("<IIH")      # d_ino, d_offset, d_namlen, then d_name


def sys_old_readdir(t, fd, dirent, count):
    """readdir (89): one struct old_linux_dirent per call, whatever count
    says; 1 for an entry, 0 at the end of the directory."""
    f = fdget(t, s32(fd))
    if not S_ISDIR(f.inode.mode):
        return -ENOTDIR
    if f.inode.nlink == 0 and f.pos == 0:
        return -ENOENT
    ents = dir_entries(f)
    if f.pos >= len(ents):
        return 0
    name, ino, _ = ents[f.pos]
    if ino > _M32:
        return -EOVERFLOW
    copy_to_user(t.mm, dirent, OLD_DIRENT.pack(ino, f.pos, len(name)) + name + b"\0")
    f.pos += 1
    return 1
