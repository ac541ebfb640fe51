"""arch/x86_64 - the 64-bit subarchitecture.

What the arch-independent kernel asks of a subarch: the address-space
layout (TASK_SIZE and friends), the stub, the system call table and how
arguments and results sit in the registers, ELF identification, starting a
thread, restarting a system call, signal frames and struct layouts.
"""

import os
import struct

from arch.x86_64.syscall_table import SYSCALL_NAMES
from mm.pgtable import PGDIR_SIZE
from fs.stat import pack_stat_x86_64
from init.paths import STUB64
from kernel.errno import EPERM, Errno
from mm.uaccess import peek_user
from skas import ptrace as skas_ptrace   # (arch.x86_64.ptrace is the guest ptrace's regsets)
from skas.stub import StubImage

NAME = "x86_64"
BITS = 64
ELFCLASS = 64
EM_X86_64 = 62
ELF_MACHINE = EM_X86_64
PLATFORM = b"x86_64"

# The host's user range is 47 bits; the guest gets everything below the last
# PGDIR-sized (512 GiB) slot, which holds the stub alone (see the seed's
# nr_ptes note and mm/mm.py init_stub_pte).
HOST_TASK_SIZE = 0x7FFFFFFFF000
TASK_SIZE = HOST_TASK_SIZE & ~(PGDIR_SIZE - 1)          # 0x7f8000000000
STUB_START = TASK_SIZE
STACK_TOP = TASK_SIZE
MMAP_BASE = STACK_TOP - (128 << 20)                     # below a stack gap
ELF_ET_DYN_BASE = 0x555555554000                        # as Linux, no ASLR
MAX_ARG_PAGES = 32

USER_CS = 0x33
USER_DS = 0x2B

_stub = None


def get_stub():
    global _stub
    if _stub is None:
        _stub = StubImage(STUB64)
        if _stub.start != STUB_START:
            raise RuntimeError("stub built for %#x, kernel expects %#x" % (_stub.start, STUB_START))
    return _stub


# -- system calls ------------------------------------------------------------------

_MASK = (1 << 64) - 1


def syscall_nr(regs):
    return regs.orig_rax


def syscall_args(regs):
    return (regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9)


def syscall_return(regs):
    v = regs.rax
    return v - (1 << 64) if v & (1 << 63) else v


def set_syscall_return(regs, value):
    regs.rax = value & _MASK


def restart_syscall(regs, restart_block=False):
    """Make the guest execute its system call again (after a signal)."""
    regs.rax = 219 if restart_block else regs.orig_rax   # restart_syscall
    regs.rip -= 2                                         # the syscall insn


def set_stack_pointer(regs, sp):
    regs.rsp = sp


def set_tls(t, tls):
    """CLONE_SETTLS: the new thread's fs base (EPERM outside user space, as
    Linux's ARCH_SET_FS)."""
    if tls >= TASK_SIZE:
        raise Errno(EPERM)
    t.regs.fs_base = tls


def instruction_pointer(regs):
    return regs.rip


def stack_pointer(regs):
    return regs.rsp


def start_thread(regs, ip, sp):
    """A fresh register file for a new program (ELF_PLAT_INIT + start_thread)."""
    for name, _ in type(regs)._fields_:
        setattr(regs, name, 0)
    regs.rip = ip
    regs.rsp = sp
    regs.cs = USER_CS
    regs.ss = USER_DS
    regs.eflags = 0x202
    regs.orig_rax = _MASK


# -- ELF auxiliary vector facts from the host CPU ------------------------------------------

def _host_auxv():
    vals = {}
    try:
        raw = open("/proc/self/auxv", "rb").read()
    except OSError:
        return vals
    for i in range(0, len(raw) - 15, 16):
        k, v = struct.unpack_from("<QQ", raw, i)
        if k == 0:
            break
        vals[k] = v
    return vals


_HOST_AUXV = _host_auxv()
AT_HWCAP_VALUE = _HOST_AUXV.get(16, 0)
AT_HWCAP2_VALUE = _HOST_AUXV.get(26, 0)
AT_MINSIGSTKSZ_VALUE = _HOST_AUXV.get(51, 2048)
CLOCKS_PER_SEC = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# -- layouts, signals ------------------------------------------------------------------------

def pack_stat(k):
    return pack_stat_x86_64(k)


from arch.x86_64.signal import (pack_siginfo, read_sigaction,  # noqa: E402,F401
                                setup_rt_frame, sys_rt_sigreturn, write_sigaction)

SYSCALLS = SYSCALL_NAMES

from arch.x86_64.process import sys_arch_prctl  # noqa: E402

from arch.x86_64.vdso import arch_auxv, arch_setup_additional_pages, vdso_join_timens  # noqa: E402,F401

SYSCALL_OVERRIDES = {
    "arch_prctl": sys_arch_prctl,
    "rt_sigreturn": sys_rt_sigreturn,
}

# -- per-thread state: none beyond the registers (the FS and GS bases are
# in them), so no TLS descriptors to copy at clone or load at a switch
# (i386 has both: arch/x86/tls.py)
copy_thread = None
load_tls = None


class _Int80Refused:
    """int $0x80 from 64-bit code when no i386 subarch is built: every such
    call is ENOSYS (it never reaches the host either way: SYSEMU)."""
    NAME = "i386-from-x86_64"
    SYSCALLS = {}
    SYSCALL_OVERRIDES = {}
    syscall_nr = staticmethod(syscall_nr)
    syscall_args = staticmethod(syscall_args)


def syscall_abi(t):
    """Which ABI the stopped system call used.  A 32-bit process (cs 0x23)
    uses i386's; 64-bit code executing `int $0x80` (CD 80) also gets the
    i386 ABI, as on Linux; `syscall` (0F 05) is x86_64.  The instruction
    decides cheaply; the rare int $0x80 is confirmed with the host's own
    word (PTRACE_GET_SYSCALL_INFO's arch), the one reliable source."""
    regs = t.regs
    # `syscall` itself leaves rcx = the return address and r11 = rflags;
    # when both hold, no need to look at the code.  (Code that sets them so
    # by hand before an int $0x80 gets the x86_64 ABI it asked for in
    # effect; nothing reaches the host either way.)
    if regs.rcx == regs.rip and regs.r11 == regs.eflags and regs.cs == USER_CS:
        return _THIS
    if regs.cs == USER_CS and (_insn_before(t, regs.rip) != b"\xcd\x80"
                               or not _host_says_i386(t)):
        return _THIS
    try:
        # cycle: arch.x86_64 -> arch.x86 -> arch.x86_64
        import arch.x86 as i386
        return i386.INT80_ABI
    except (ImportError, AttributeError):
        return _Int80Refused


def _host_says_i386(t):
    try:
        info = skas_ptrace.get_syscall_info(t.mm.context.pid)
    except skas_ptrace.PtraceError:
        return True
    return info.arch == skas_ptrace.AUDIT_ARCH_I386


def _insn_before(t, rip):
    return peek_user(t.mm, rip - 2, 2)


import sys as _sys  # noqa: E402
_THIS = _sys.modules[__name__]
