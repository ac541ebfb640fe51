"""kernel/trace_mask.py - trace(2): a per-process system call trace mask.

xv6's `trace` on Linux's ABI, for the lab of the same name (labs/trace):

    long trace(const void *bitmap, size_t size);    /* x86_64: number 1000 */

bitmap holds one bit per system call number (bit n of byte n / 8), at most
TRACE_MASK_BYTES bytes; NULL or size 0 turns tracing off.  The mask belongs
to the calling task, is inherited by every task it creates (fork, vfork,
clone, threads too) and survives execve.  Each traced call that returns to
its task is logged:

    PID: syscall NAME -> RESULT

A call that sleeps is logged when it finishes; one that never returns
(exit, exit_group) is not.  Number 1000 lies above Linux's own numbers:
pyuml's private calls start there.  (kernel/trace/strace.py, the boot
option strace=, is the full tracer with decoded arguments.)
"""

from kernel.errno import EINVAL, ENOSYS  # noqa: F401  (the starter says ENOSYS)
from kernel.printk import pr_info
from mm.uaccess import copy_from_user

TRACE_MASK_BYTES = 64                       # system calls 0..511


def sys_trace(t, bitmap, size):
    # LAB trace: begin
    if size > TRACE_MASK_BYTES:
        return -EINVAL
    mask = 0
    if bitmap and size:
        mask = int.from_bytes(copy_from_user(t.mm, bitmap, size), "little")
    t.trace_mask = mask
    return 0
    # LAB trace: starter
    #> return -ENOSYS
    # LAB trace: end


def trace_fork(child, parent):
    """copy_process: what the child inherits."""
    # LAB trace: begin
    child.trace_mask = parent.trace_mask
    # LAB trace: starter
    #> pass
    # LAB trace: end


def trace_return(t, ret):
    """A system call of t (whose trace mask is not empty) is returning ret
    (kernel/syscall.py: finish_syscall)."""
    # LAB trace: begin
    nr = t.syscall_nr
    if nr < 0 or not t.trace_mask >> nr & 1:
        return
    # cycle: kernel.trace_mask -> kernel.syscall -> kernel.trace_mask
    from kernel.syscall import table_for
    tab = table_for(t.arch)
    name = tab[nr].name if 0 <= nr < len(tab) and tab[nr] is not None else "#%d" % nr
    pr_info("%d: syscall %s -> %d" % (t.pid, name, ret))
    # LAB trace: starter
    #> pass
    # LAB trace: end
