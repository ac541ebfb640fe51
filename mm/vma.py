"""mm/vma.py - virtual memory areas: what an address range is allowed to be.

A VMA is a page-aligned range [start, end) with access rights and a backing:
anonymous memory, or a file (vm_file, from page vm_pgoff on).  The page
tables say what is mapped now; the VMAs say what may be mapped on a fault.
An mm keeps its VMAs sorted and non-overlapping (mm/mm.py).
"""

VM_READ = 0x1
VM_WRITE = 0x2
VM_EXEC = 0x4
VM_SHARED = 0x8
VM_MAYREAD = 0x10
VM_MAYWRITE = 0x20
VM_MAYEXEC = 0x40
VM_MAYSHARE = 0x80
VM_GROWSDOWN = 0x100
VM_LOCKED = 0x2000              # mlock: every page stays resident
VM_DONTCOPY = 0x20000
VM_DONTEXPAND = 0x40000
VM_LOCKONFAULT = 0x80000        # mlock2(MLOCK_ONFAULT): locked as they fault in
VM_WIPEONFORK = 0x02000000      # madvise: the child of a fork sees zeroes here
VM_DONTDUMP = 0x04000000        # madvise: left out of core dumps
VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT
VM_SEALED = 1 << 42             # mseal: no more unmap, move, resize, mprotect (mm/mseal.py)

PROT_READ, PROT_WRITE, PROT_EXEC = 1, 2, 4


def prot_to_vm(prot):
    flags = 0
    if prot & PROT_READ:
        flags |= VM_READ
    if prot & PROT_WRITE:
        flags |= VM_WRITE
    if prot & PROT_EXEC:
        flags |= VM_EXEC
    return flags


class VMA:
    __slots__ = ("start", "end", "flags", "file", "pgoff", "name", "zero_from", "uffd", "policy")

    def __init__(self, start, end, flags, file=None, pgoff=0, name=None,
                 zero_from=None):
        self.start = start
        self.end = end
        self.flags = flags
        self.file = file            # an open struct file, or None (anonymous)
        self.pgoff = pgoff          # file page mapped at start
        self.name = name            # "[heap]", "[stack]", ...
        # ELF: bytes of the file at or after this address read as zero
        # (the bss that shares a page with the end of .data)
        self.zero_from = zero_from
        self.uffd = None            # (userfaultfd ctx, modes) once registered (fs/userfaultfd.py)
        self.policy = None          # its NUMA policy, from mbind (mm/mempolicy.py)

    def __repr__(self):
        f = self.flags
        return "<VMA %x-%x %s%s%s%s %s>" % (
            self.start, self.end, "r" if f & VM_READ else "-",
            "w" if f & VM_WRITE else "-", "x" if f & VM_EXEC else "-",
            "s" if f & VM_SHARED else "p", self.name or (self.file and "file") or "")

    def split_copy(self, start, end):
        """A copy of this VMA restricted to [start, end) (for split)."""
        pgoff = self.pgoff + ((start - self.start) >> 12) if self.file else 0
        zf = self.zero_from if self.zero_from is not None and self.zero_from < end else None
        v = VMA(start, end, self.flags, self.file, pgoff, self.name, zf)
        v.uffd = self.uffd
        v.policy = self.policy
        if self.file is not None:
            self.file.get()
        return v
