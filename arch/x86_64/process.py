"""arch/x86_64/process.py - arch_prctl: the FS and GS base registers.

fs_base and gs_base are part of the host's user_regs_struct, so setting a
guest's TLS pointer is a register write the next resume carries.
"""

import struct

from kernel.errno import EINVAL, EPERM
from mm.uaccess import copy_to_user
from skas.userspace import fetch_regs

ARCH_SET_GS, ARCH_SET_FS, ARCH_GET_FS, ARCH_GET_GS = 0x1001, 0x1002, 0x1003, 0x1004
ARCH_GET_CPUID, ARCH_SET_CPUID = 0x1011, 0x1012
ARCH_GET_XCOMP_SUPP, ARCH_GET_XCOMP_PERM, ARCH_REQ_XCOMP_PERM = 0x1021, 0x1022, 0x1023
ARCH_SHSTK_ENABLE, ARCH_SHSTK_STATUS = 0x5001, 0x5005


def sys_arch_prctl(t, option, arg2):
    option &= 0xFFFFFFFF
    fetch_regs(t)
    regs = t.regs
    if option == ARCH_SET_FS:
        if arg2 >= t.mm.task_size:
            return -EPERM
        regs.fs_base = arg2
        t.regs_dirty = True
        return 0
    if option == ARCH_SET_GS:
        if arg2 >= t.mm.task_size:
            return -EPERM
        regs.gs_base = arg2
        t.regs_dirty = True
        return 0
    if option == ARCH_GET_FS:
        copy_to_user(t.mm, arg2, struct.pack("<Q", regs.fs_base))
        return 0
    if option == ARCH_GET_GS:
        copy_to_user(t.mm, arg2, struct.pack("<Q", regs.gs_base))
        return 0
    if option in (ARCH_GET_CPUID, ARCH_SET_CPUID):
        # cycle: arch.x86_64.process -> arch.x86 -> arch.x86_64 -> arch.x86_64.process
        from arch.x86.cpu_faulting import arch_prctl_cpuid
        return arch_prctl_cpuid(t, option, arg2)
    if option in (ARCH_GET_XCOMP_PERM, ARCH_GET_XCOMP_SUPP):
        return -EINVAL
    return -EINVAL
