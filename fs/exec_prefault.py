"""fs/exec_prefault.py - replaying a program's first page faults at exec.

A freshly exec'd program faults in the same pages every time it starts: its
entry code, the data its C library initialises, its first heap and stack
pages.  Each such fault costs three host stops (PLATFORM.md), and a static
hello world takes half a dozen of them before main().  With no address-space
randomisation the addresses are the same from one run to the next, so the
first run of a program records its first page faults on the file's page
cache, and every later exec of the unchanged file (same size and mtime)
resolves them in the kernel before the program runs: the new mappings go
to the host in the batch that exec needs anyway for the stack.

Nothing a program can see changes: a prefaulted page holds exactly what the
fault would have put there (a private copy of a file page for a write, zeros
for anonymous memory), and an address no longer valid is skipped.  At most
HISTORY faults are remembered, so a program never gets more prefaulted than
its first steps used.
"""

from mm.memory import VMFault, handle_mm_fault
from mm.pgtable import _PAGE_PRESENT, _PAGE_RW
from mm.vma import VM_EXEC, VM_READ, VM_WRITE

HISTORY = 64
exec_prefault_enabled = True    # boot option exec_prefault= (init/switches.py)


def exec_prefault(t):
    """Called once the new program is loaded, before it first runs."""
    mm = t.mm
    f = mm.exe_file
    if not exec_prefault_enabled or f is None or f.mapping is None:
        return
    key = (f.inode.size, f.inode.mtime)
    hist = f.mapping.exec_faults
    if hist is not None and hist[0] == key and hist[1]:
        replay(mm, hist[1])
        return
    log = []
    f.mapping.exec_faults = (key, log)
    mm.fault_log = log                  # mm/fault.py appends to it


def replay(mm, faults):
    for addr, write in faults:
        vma = mm.vma_at(addr)
        if vma is None:
            continue
        if write:
            if not vma.flags & VM_WRITE:
                continue
        elif not vma.flags & (VM_READ | VM_EXEC | VM_WRITE):
            continue
        pte = mm.pt.lookup(addr)
        if pte & _PAGE_PRESENT and (not write or pte & _PAGE_RW):
            continue
        try:
            handle_mm_fault(mm, vma, addr, write)
        except VMFault:
            return                      # short of memory: let faults happen
