"""mm/fault.py - handle_page_fault: a guest page fault, arch-neutral.

skas/userspace.py brings the fault here with what the stub's SIGSEGV
handler copied out of the host's sigcontext: the address (cr2), the x86
error code and the trap number.  The fault is either resolved (the VMA
allows the access: demand paging, copy-on-write) or becomes a signal for
the guest with the siginfo Linux would give.
"""

from kernel.signal import (BUS_ADRERR, SEGV_ACCERR, SEGV_MAPERR, SI_KERNEL,
                           SIGBUS, SIGKILL, SIGSEGV, SigInfo)
from mm.memory import VMFault, handle_mm_fault
from mm.mmap import expand_stack
from mm.vma import VM_EXEC, VM_READ, VM_WRITE
from mm.oom_kill import out_of_memory
from fs.userfaultfd import FAULT_RETRY, handle_userfault

X86_PF_PROT = 1 << 0        # the page was present: a protection violation
X86_PF_WRITE = 1 << 1
X86_PF_USER = 1 << 2
X86_PF_RSVD = 1 << 3
X86_PF_INSTR = 1 << 4
X86_PF_PK = 1 << 5

X86_TRAP_PF = 14
X86_TRAP_GP = 13
X86_TRAP_SS = 12
X86_TRAP_AC = 17


def handle_page_fault(t, address, error_code, trapno):
    """Returns None when resolved, else the SigInfo to force on t.  Only a
    fault that raises a signal leaves its address, error code and trap
    number for the signal frame (Linux's set_signal_archinfo); a resolved
    one leaves those of the last fault that did."""
    info = _do_page_fault(t, address, error_code, trapno)
    if info is not None:
        t.fault_cr2, t.fault_err, t.fault_trapno = address, error_code, trapno
    return info


def _do_page_fault(t, address, error_code, trapno):
    mm = t.mm
    if trapno == X86_TRAP_SS or trapno == X86_TRAP_AC:
        return SigInfo(SIGBUS, SI_KERNEL)
    if trapno != X86_TRAP_PF:
        # a general protection fault: privileged or non-canonical access
        return SigInfo(SIGSEGV, SI_KERNEL, addr=0, trapno=trapno)
    vma = mm.vma_at(address) if address < mm.task_size else None
    if vma is None:
        vma = expand_stack(mm, address) if address < mm.task_size else None
    if vma is None:
        return SigInfo(SIGSEGV, SEGV_MAPERR, addr=address, trapno=trapno)
    write = bool(error_code & X86_PF_WRITE)
    if write:
        ok = vma.flags & VM_WRITE
    elif error_code & X86_PF_INSTR:
        ok = vma.flags & VM_EXEC
    else:
        ok = vma.flags & (VM_READ | VM_EXEC | VM_WRITE)
    if not ok:
        return SigInfo(SIGSEGV, SEGV_ACCERR, addr=address, trapno=trapno)
    if vma.uffd is not None or mm.uffd_poisoned:
        r = handle_userfault(t, vma, address, write, trapno)
        if r is FAULT_RETRY:
            return None                 # t sleeps (t.kstack), then faults again
        if r is not None:
            return r
    try:
        try:
            handle_mm_fault(mm, vma, address, write)
        except VMFault as e:
            if e.kind != "oom":
                raise
            # somebody must die (mm/oom_kill.py); if it was not us, the
            # memory it held lets us try once more
            if not out_of_memory(t):
                return SigInfo(SIGKILL, SI_KERNEL)
            handle_mm_fault(mm, vma, address, write)
    except VMFault as e:
        if e.kind == "oom":
            return SigInfo(SIGKILL, SI_KERNEL)
        if e.kind == "sigsegv":
            return SigInfo(SIGSEGV, SEGV_MAPERR, addr=address, trapno=trapno)
        return SigInfo(SIGBUS, BUS_ADRERR, addr=address, trapno=trapno)
    t.min_flt += 1
    log = mm.fault_log
    if log is not None:                 # fs/exec_prefault.py is learning
        log.append((address, write))
        if len(log) >= 64:
            mm.fault_log = None
    return None
