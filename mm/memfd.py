"""mm/memfd.py - memfd_create(2) and file seals (fcntl F_ADD_SEALS/F_GET_SEALS).

A memfd is an anonymous file: an unlinked tmpfs inode on the kernel's
internal shm mount (fs/shmem.py), named "memfd:NAME", so that read, write,
ftruncate and mmap work as on any tmpfs file and /proc shows
"/memfd:NAME (deleted)".  Processes share it by passing or inheriting the
descriptor.

Seals are what lets one process hand such a file to another that does not
trust it: once sealed, the file cannot shrink (F_SEAL_SHRINK), grow
(F_SEAL_GROW), have its contents changed (F_SEAL_WRITE; F_SEAL_FUTURE_WRITE
spares the shared writable mappings that exist already), have its exec bits
changed (F_SEAL_EXEC), or get more seals (F_SEAL_SEAL).  Every tmpfs file
carries seals (TmpfsInode.seals), F_SEAL_SEAL from birth except for a memfd
created with MFD_ALLOW_SEALING.  The checks sit where the file changes:
GenericFileOperations.pwrite, TmpfsInode.setattr (truncate, chmod),
fallocate, madvise(MADV_REMOVE) and mmap (memfd_check_seals_mmap).
"""

from kernel.errno import EBUSY, EINVAL, ENAMETOOLONG, ENOSYS, EPERM, Errno
from mm.physmem import PAGE_SIZE
from fs.file import FMODE_WRITE
from fs.pagecache import mapping_vmas
from mm.uaccess import strncpy_from_user
from mm.vma import VM_MAYWRITE, VM_SHARED, VM_WRITE

MFD_CLOEXEC = 0x0001
MFD_ALLOW_SEALING = 0x0002
MFD_HUGETLB = 0x0004
MFD_NOEXEC_SEAL = 0x0008
MFD_EXEC = 0x0010
MFD_ALL_FLAGS = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC
MFD_HUGE_SHIFT, MFD_HUGE_MASK = 26, 0x3F

F_SEAL_SEAL = 0x0001
F_SEAL_SHRINK = 0x0002
F_SEAL_GROW = 0x0004
F_SEAL_WRITE = 0x0008
F_SEAL_FUTURE_WRITE = 0x0010
F_SEAL_EXEC = 0x0020
F_ALL_SEALS = (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
               | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC)
WRITE_SEALS = F_SEAL_WRITE | F_SEAL_FUTURE_WRITE

MFD_NAME_PREFIX = b"memfd:"
NAME_MAX = 255
MFD_NAME_MAX_LEN = NAME_MAX - len(MFD_NAME_PREFIX)     # 249 bytes of the caller's

F_ADD_SEALS, F_GET_SEALS = 1033, 1034


def sys_memfd_create(t, uname, flags):
    # cycle: fs.shmem -> fs.tmpfs -> mm.memfd
    from fs.shmem import shmem_file_setup
    flags &= 0xFFFFFFFF
    allowed = MFD_ALL_FLAGS
    if flags & MFD_HUGETLB:
        allowed |= MFD_HUGE_MASK << MFD_HUGE_SHIFT     # a huge page size
    if flags & ~allowed:
        return -EINVAL
    if flags & MFD_EXEC and flags & MFD_NOEXEC_SEAL:
        return -EINVAL
    # (vm.memfd_noexec is 0: neither flag means MFD_EXEC)
    try:
        name = strncpy_from_user(t.mm, uname, MFD_NAME_MAX_LEN + 1)
    except Errno as e:
        if e.errno == ENAMETOOLONG:
            return -EINVAL
        raise
    if flags & MFD_HUGETLB:
        return -ENOSYS              # as Linux built without hugetlbfs
    f = shmem_file_setup(0, MFD_NAME_PREFIX + name, mode=0o777, cred=t.cred)
    inode = f.inode
    if flags & MFD_NOEXEC_SEAL:
        inode.mode &= ~0o111
        inode.seals = (inode.seals & ~F_SEAL_SEAL) | F_SEAL_EXEC
    elif flags & MFD_ALLOW_SEALING:
        inode.seals &= ~F_SEAL_SEAL
    try:
        return t.files.alloc_fd(t, f, cloexec=bool(flags & MFD_CLOEXEC))
    except Errno:
        f.put()
        raise


# -- seals ----------------------------------------------------------------------------------

def file_seals(f):
    """The seals of f's inode, or None where there are none (not tmpfs)."""
    return f.inode.seals


def mapping_writably_mapped(inode):
    """Does any process map inode shared with write access possible (even
    if PROT_READ now: mprotect could make it writable)?  There is no
    reverse map: walk every address space, as unmap_mapping_range does."""
    return any(vma.flags & VM_SHARED and vma.flags & VM_MAYWRITE
               for _, vma in mapping_vmas(inode))


def memfd_add_seals(f, seals):
    if not f.mode & FMODE_WRITE:
        raise Errno(EPERM)
    if seals & ~F_ALL_SEALS:
        raise Errno(EINVAL)
    inode = f.inode
    cur = file_seals(f)
    if cur is None:
        raise Errno(EINVAL)
    if cur & F_SEAL_SEAL:
        raise Errno(EPERM)
    if seals & F_SEAL_WRITE and not cur & F_SEAL_WRITE and mapping_writably_mapped(inode):
        raise Errno(EBUSY)
    # sealing exec on an executable file also seals writing (W^X); as on
    # Linux this comes after the check for writable mappings
    if seals & F_SEAL_EXEC and inode.mode & 0o111:
        seals |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE
    inode.seals = cur | seals
    return 0


def memfd_fcntl(f, cmd, arg):
    arg &= 0xFFFFFFFF
    if cmd == F_ADD_SEALS:
        return memfd_add_seals(f, arg)
    seals = file_seals(f)
    return -EINVAL if seals is None else seals


def memfd_check_seals_mmap(f, vm_flags):
    """mmap of a write-sealed file: no new shared writable mapping, and a
    shared read-only one may never become writable.  Returns the flags."""
    seals = file_seals(f)
    if not seals or not seals & WRITE_SEALS or not vm_flags & VM_SHARED:
        return vm_flags
    if vm_flags & VM_WRITE:
        raise Errno(EPERM)
    return vm_flags & ~VM_MAYWRITE


def seal_check_write(inode, pos, n):
    """How many of n bytes at pos a write may store (EPERM if none): none
    under a write seal; under F_SEAL_GROW, the page-sized steps a write
    takes stop at the first that would extend the file."""
    seals = inode.seals or 0
    if not seals & (WRITE_SEALS | F_SEAL_GROW) or n == 0:
        return n
    if seals & WRITE_SEALS:
        raise Errno(EPERM)
    size = inode.size
    p, end = pos, pos + n
    while p < end:
        step = min(PAGE_SIZE - (p & (PAGE_SIZE - 1)), end - p)
        if p + step > size:
            break
        p += step
    if p == pos:
        raise Errno(EPERM)
    return p - pos


def seal_check_setattr(inode, mode=None, size=None):
    seals = inode.seals or 0
    if not seals:
        return
    if size is not None and (size < inode.size and seals & F_SEAL_SHRINK
                             or size > inode.size and seals & F_SEAL_GROW):
        raise Errno(EPERM)
    if mode is not None and seals & F_SEAL_EXEC and (inode.mode ^ mode) & 0o111:
        raise Errno(EPERM)


def seal_check_fallocate(inode, punch, end):
    seals = inode.seals or 0
    if punch and seals & WRITE_SEALS:
        raise Errno(EPERM)
    if not punch and seals & F_SEAL_GROW and end > inode.size:
        raise Errno(EPERM)
