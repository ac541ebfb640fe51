"""mm/uaccess.py - copy_from_user, copy_to_user and friends.

The kernel reads and writes guest memory through physmem, walking the
guest's page tables in software: no ptrace call, no host process involved.
A page that is not there yet (never touched, or copy-on-write) is faulted in
by the kernel itself, exactly as a guest access would, so a read() into a
fresh buffer or a write into a COW page behaves as on Linux.  An address the
guest may not access is EFAULT.
"""

import struct

from kernel.errno import E2BIG, EFAULT, ENAMETOOLONG, Errno
from mm import physmem as _pm
from mm.memory import VMFault, handle_mm_fault
from mm.pgtable import _PAGE_AROUND, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER, PTE_PFN_MASK
from mm.physmem import PAGE_SIZE
from mm.vma import VM_EXEC, VM_READ, VM_WRITE

_OK_READ = _PAGE_PRESENT | _PAGE_USER
_OK_WRITE = _PAGE_PRESENT | _PAGE_USER | _PAGE_RW


def user_page(mm, addr, write):
    """physmem byte offset of the page holding addr, faulting it in."""
    pt = mm.pt
    want = _OK_WRITE if write else _OK_READ
    idx = pt.pte_index(addr)
    if idx is not None:
        pte = pt.q[idx]
        if pte & want == want:
            if pte & _PAGE_AROUND:
                pt.q[idx] = pte & ~_PAGE_AROUND     # touched now (mincore)
            return pte & PTE_PFN_MASK
    if addr >= mm.task_size:
        raise Errno(EFAULT)
    vma = mm.vma_at(addr)
    if vma is None:
        # cycle: mm.uaccess -> mm.mmap -> mm.memfd -> mm.uaccess
        from mm.mmap import expand_stack
        vma = expand_stack(mm, addr)    # a kernel write below a thread's stack
    if vma is None:
        raise Errno(EFAULT)
    # as the fault path (mm/fault.py): x86 cannot map a page write- or
    # execute-only, so any access right lets the kernel read it
    if not vma.flags & (VM_WRITE if write else VM_READ | VM_WRITE | VM_EXEC):
        raise Errno(EFAULT)
    if vma.uffd is not None:
        # cycle: mm.uaccess -> fs.userfaultfd -> mm.uaccess
        from fs.userfaultfd import uaccess_faults
        if uaccess_faults(mm, vma, addr, write):
            raise Errno(EFAULT)         # Linux would wait for the fault handler
    try:
        handle_mm_fault(mm, vma, addr, write)
    except VMFault:
        raise Errno(EFAULT)
    pte = pt.q[pt.pte_index(addr)]
    if pte & want != want:
        raise Errno(EFAULT)
    return pte & PTE_PFN_MASK


def access_ok(mm, addr, n):
    return 0 <= addr and addr + n <= mm.task_size


def copy_from_user(mm, addr, n):
    """n bytes of guest memory at addr, as bytes."""
    if n == 0:
        return b""
    if not access_ok(mm, addr, n):
        raise Errno(EFAULT)
    mem = _pm.physmem.mem
    off = addr & (PAGE_SIZE - 1)
    if off + n <= PAGE_SIZE:                        # the common case
        base = user_page(mm, addr, False) + off
        return bytes(mem[base:base + n])
    out = bytearray()
    while n:
        off = addr & (PAGE_SIZE - 1)
        chunk = min(n, PAGE_SIZE - off)
        base = user_page(mm, addr, False) + off
        out += mem[base:base + chunk]
        addr += chunk
        n -= chunk
    return bytes(out)


def copy_to_user(mm, addr, data):
    n = len(data)
    if n == 0:
        return
    if not access_ok(mm, addr, n):
        raise Errno(EFAULT)
    mem = _pm.physmem.mem
    pos = 0
    while pos < n:
        off = addr & (PAGE_SIZE - 1)
        chunk = min(n - pos, PAGE_SIZE - off)
        base = user_page(mm, addr, True) + off
        mem[base:base + chunk] = data[pos:pos + chunk]
        addr += chunk
        pos += chunk


def strncpy_from_user(mm, addr, maxlen):
    """A NUL-terminated string (without the NUL); ENAMETOOLONG past maxlen."""
    mem = _pm.physmem.mem
    out = bytearray()
    while True:
        if addr >= mm.task_size:
            raise Errno(EFAULT)
        off = addr & (PAGE_SIZE - 1)
        base = user_page(mm, addr, False)
        page = mem[base + off:base + PAGE_SIZE]
        nul = bytes(page).find(0)
        if nul >= 0:
            out += page[:nul]
            if len(out) >= maxlen:
                raise Errno(ENAMETOOLONG)
            return bytes(out)
        out += page
        if len(out) >= maxlen:
            raise Errno(ENAMETOOLONG)
        addr += PAGE_SIZE - off


def get_user_u32(mm, addr):
    return struct.unpack("<I", copy_from_user(mm, addr, 4))[0]


def put_user_u32(mm, addr, v):
    copy_to_user(mm, addr, struct.pack("<I", v & 0xFFFFFFFF))


def get_user_ptr_array(mm, addr, ptr_size, limit):
    """argv/envp: the pointers of a NULL-terminated array."""
    fmt = "<Q" if ptr_size == 8 else "<I"
    out = []
    while True:
        (p,) = struct.unpack(fmt, copy_from_user(mm, addr, ptr_size))
        if p == 0:
            return out
        out.append(p)
        if len(out) > limit:
            raise Errno(E2BIG)
        addr += ptr_size




def peek_user(mm, addr, n):
    """n bytes at addr if they are mapped now (no fault, no permission
    check), else None: for the kernel's own look at guest code."""
    out = b""
    mem = _pm.physmem.mem
    while n:
        idx = mm.pt.pte_index(addr)
        if idx is None:
            return None
        pte = mm.pt.q[idx]
        if not pte & _PAGE_PRESENT:
            return None
        off = addr & (PAGE_SIZE - 1)
        chunk = min(n, PAGE_SIZE - off)
        base = (pte & PTE_PFN_MASK) + off
        out += bytes(mem[base:base + chunk])
        addr += chunk
        n -= chunk
    return out
