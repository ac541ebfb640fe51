"""mm/secretmem.py - memfd_secret(2): memory only its process can see.

The file's pages are mapped into the processes that map it and nowhere
else: Linux removes them from its own direct map, so the kernel cannot
read or write them through the file (read and write are EINVAL, there
is no seek) and other processes cannot reach them by process_vm_readv or
/proc/PID/mem.  Here the pages live in a shmem page cache, as any shared
memory, and the file's operations refuse access the same way.  The size
may be set once, by ftruncate; mappings must be shared and are locked
(VM_LOCKED, charged to RLIMIT_MEMLOCK: EAGAIN beyond it).
"""

from kernel.errno import EAGAIN, EINVAL, ESPIPE, Errno
from fs.file import FileOperations, O_CLOEXEC
from fs.anon_inodes import install_new_file
from fs.shmem import shmem_file_setup
from fs.tmpfs import TmpfsInode
from mm.vma import VM_LOCKED, VM_SHARED

SECRETMEM_MAGIC = 0x5345434d


class SecretmemOps(FileOperations):
    """No read, no write, no llseek: only mmap (through the page cache)."""
    splice_read = splice_write = False      # refused before a pipe loses its data

    def read(self, f, t, count):
        raise Errno(EINVAL)

    def write(self, f, t, data):
        raise Errno(EINVAL)

    def pread(self, f, t, count, pos):
        raise Errno(EINVAL)

    def pwrite(self, f, t, data, pos):
        raise Errno(EINVAL)

    def llseek(self, f, offset, whence):
        raise Errno(ESPIPE)


secretmem_fops = SecretmemOps()


def sys_memfd_secret(t, flags):
    flags &= 0xFFFFFFFF
    if flags & ~O_CLOEXEC:
        return -EINVAL
    f = shmem_file_setup(0, name=b"secretmem", cred=t.cred, inode_cls=SecretmemInode)
    f.f_op = secretmem_fops
    return install_new_file(t, f, flags & O_CLOEXEC)


def _inode_class():

    class SecretmemInode(TmpfsInode):
        secretmem = True

        def setattr(self, mode=None, uid=None, gid=None, size=None, atime=None, mtime=None):
            if size is not None and self.size:
                raise Errno(EINVAL)             # the size is set once
            super().setattr(mode, uid, gid, size, atime, mtime)
    return SecretmemInode


SecretmemInode = _inode_class()


def secretmem_mmap_flags(file, vm, cred_root, mm, length):
    """mmap of a secretmem file: shared only, then locked (EAGAIN past
    RLIMIT_MEMLOCK)."""
    # cycle: mm.secretmem -> mm.mmap -> mm.secretmem
    from mm.mmap import mlock_future_ok
    if not vm & VM_SHARED:
        raise Errno(EINVAL)
    vm |= VM_LOCKED
    if not mlock_future_ok(mm, vm, length, False):
        raise Errno(EAGAIN)
    return vm
