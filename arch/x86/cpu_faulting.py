"""arch/x86/cpu_faulting.py - rdtsc and cpuid that fault: prctl(PR_SET_TSC)
and arch_prctl(ARCH_SET_CPUID), Linux's TIF_NOTSC and TIF_NOCPUID
(arch/x86/kernel/process.c).

A guest's rdtsc and cpuid are not system calls: they run on the host CPU,
in the host process of the guest's mm.  Making them fault is therefore the
host's job: the kernel asks the host for the same mode in that process, as
prctl and arch_prctl records in a stub batch (skas/mem.py).

The mode is a task's (t.cpu_faulting: NOTSC | NOCPUID; fork copies it,
exec clears NOCPUID), the host's is a host process's (ctx.cpu_faulting),
and the threads of an mm share one host process: before a task runs,
userspace() brings the host process in line with it where they differ -
one stub round trip, only at such a change.  The fault is a host SIGSEGV
with a general-protection trap, which the guest gets as Linux sends it
(SIGSEGV, SI_KERNEL: mm/fault.py).
"""

from kernel.errno import EINVAL, ENODEV
from mm.uaccess import put_user_u32
from skas.mem import run_syscall_stub

NOTSC, NOCPUID = 1, 2

PR_GET_TSC, PR_SET_TSC = 25, 26
PR_TSC_ENABLE, PR_TSC_SIGSEGV = 1, 2
ARCH_GET_CPUID, ARCH_SET_CPUID = 0x1011, 0x1012

_cpuid_fault = None


def host_has_cpuid_faulting():
    """Whether the CPU can make cpuid fault (the cpuid_fault flag the
    guest's /proc/cpuinfo shows too: it is the host's)."""
    global _cpuid_fault
    if _cpuid_fault is None:
        try:
            with open("/proc/cpuinfo") as f:
                flags = next((l for l in f if l.startswith("flags")), "")
        except OSError:
            flags = ""
        _cpuid_fault = "cpuid_fault" in flags.split()
    return _cpuid_fault


def sync_host(ctx, t):
    """Give ctx's host process t's mode (the caller saw them differ).
    Runs the stub: t's registers are reloaded before it runs."""
    want = t.cpu_faulting
    diff = want ^ ctx.cpu_faulting
    ops = []
    if diff & NOTSC:
        ops.append(("prctl", PR_SET_TSC, PR_TSC_SIGSEGV if want & NOTSC else PR_TSC_ENABLE))
    if diff & NOCPUID:
        ops.append(("arch_prctl", ARCH_SET_CPUID, 0 if want & NOCPUID else 1))
    run_syscall_stub(ctx, ops)
    ctx.cpu_faulting = want


def prctl_tsc(t, option, arg):
    """PR_GET_TSC stores the mode as an int at arg; PR_SET_TSC sets it."""
    if option == PR_GET_TSC:
        put_user_u32(t.mm, arg, PR_TSC_SIGSEGV if t.cpu_faulting & NOTSC else PR_TSC_ENABLE)
        return 0
    if arg == PR_TSC_SIGSEGV:
        t.cpu_faulting |= NOTSC
    elif arg == PR_TSC_ENABLE:
        t.cpu_faulting &= ~NOTSC
    else:
        return -EINVAL
    return 0


def arch_prctl_cpuid(t, option, arg):
    """ARCH_GET_CPUID: 1 while cpuid works; ARCH_SET_CPUID(0) makes it
    fault, any other value makes it work again (ENODEV without the CPU's
    support)."""
    if option == ARCH_GET_CPUID:
        return 0 if t.cpu_faulting & NOCPUID else 1
    if not host_has_cpuid_faulting():
        return -ENODEV
    if arg:
        t.cpu_faulting &= ~NOCPUID
    else:
        t.cpu_faulting |= NOCPUID
    return 0


def exec_reset(t):
    """A new program starts with cpuid working (Linux's
    arch_setup_new_exec); PR_SET_TSC's mode stays."""
    t.cpu_faulting &= ~NOCPUID


def sys_ia32_arch_prctl(t, option, arg2):
    """i386's arch_prctl (384): only the calls common to both subarchs,
    as Linux's compat_sys_arch_prctl."""
    option &= 0xFFFFFFFF
    if option in (ARCH_GET_CPUID, ARCH_SET_CPUID):
        return arch_prctl_cpuid(t, option, arg2 & 0xFFFFFFFF)
    return -EINVAL
