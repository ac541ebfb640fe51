"""arch/x86 - the i386 subarchitecture: 32-bit programs beside 64-bit ones.

The same kernel runs both: an ELF file of class 32 and machine EM_386 gets
this module as its task.arch at execve (arch/__init__.py), and its address
space is a 32-bit host process built from arch/x86/stub.S.  Nothing else in
the kernel imports this module by name.

What a subarch provides (see arch/x86_64/__init__.py for the 64-bit side):

 - the address-space layout.  The page tables are the same 4-level x86-64
   tables as for any mm (mm/pgtable.py); an i386 mm just uses the low
   4 GiB.  The stub sits at TASK_SIZE = 0xff000000, on a 2 MiB boundary so
   that its ptes are alone in their pte page (the seed's nr_ptes note), and
   clear of where the host puts a 32-bit process's stack (the top 8 MiB are
   randomised) while the stub is being exec'd.
 - the system call ABI: `int $0x80`, the number in eax, the arguments in
   ebx ecx edx esi edi ebp, the result in eax.  PTRACE_GETREGS returns the
   64-bit user_regs_struct for a 32-bit tracee, zero-extended, so the same
   ctypes structure serves.
 - the i386 system call table (syscall_table.py) and, in SYSCALL_OVERRIDES,
   the entry points whose arguments or structures differ from x86_64's
   (modules in this folder, one concept each).
 - INT80_ABI: `int $0x80` executed by 64-bit code.  Linux runs it as an
   i386 system call, with 32-bit arguments and 32-bit structures; so do we
   (compat.py).
"""

import sys as _sys

from arch.x86.syscall_table import SYSCALL_NAMES
from arch.x86.stat import pack_stat32
from init.paths import STUB32
from skas.stub import StubImage

NAME = "i386"
BITS = 32
ELFCLASS = 32
EM_386 = 3
ELF_MACHINE = EM_386
PLATFORM = b"i686"              # AT_PLATFORM, as an x86_64 host gives 32-bit programs

STUB_START = 0xFF000000
TASK_SIZE = STUB_START
STACK_TOP = TASK_SIZE
MMAP_BASE = STACK_TOP - (128 << 20)                     # below a stack gap
ELF_ET_DYN_BASE = 0x56555000                            # as the host, no ASLR
MAX_ARG_PAGES = 32

USER32_CS = 0x23
USER_DS = 0x2B
GDT_ENTRY_TLS_MIN = 12          # the host's TLS slots for 32-bit code (x86_64 GDT)
GDT_ENTRY_TLS_ENTRIES = 3

_stub = None


def get_stub():
    global _stub
    if _stub is None:
        _stub = StubImage(STUB32)
        if _stub.start != STUB_START or _stub.elfclass != 32:
            raise RuntimeError("stub32 built for %#x, kernel expects %#x" % (_stub.start, STUB_START))
    return _stub


# -- system calls ------------------------------------------------------------------

_M32 = 0xFFFFFFFF
_M64 = (1 << 64) - 1


def syscall_nr(regs):
    return regs.orig_rax & _M32


def syscall_args(regs):
    # 64-bit code issuing int $0x80 may have junk in the upper halves:
    # the i386 ABI only ever sees the low 32 bits
    return (regs.rbx & _M32, regs.rcx & _M32, regs.rdx & _M32,
            regs.rsi & _M32, regs.rdi & _M32, regs.rbp & _M32)


def syscall_return(regs):
    v = regs.rax & _M32
    return v - (1 << 32) if v & 0x80000000 else v


def set_syscall_return(regs, value):
    # a negative result is sign-extended to 64 bits, as Linux leaves it for
    # int $0x80 from 64-bit code; a 32-bit process only sees %eax
    regs.rax = value & _M64


def restart_syscall(regs, restart_block=False):
    """Make the guest execute its `int $0x80` again (after a signal)."""
    regs.rax = 0 if restart_block else regs.orig_rax & _M32    # restart_syscall is 0
    regs.rip = (regs.rip - 2) & _M64


def set_stack_pointer(regs, sp):
    regs.rsp = sp & _M32


def instruction_pointer(regs):
    return regs.rip & _M32


def stack_pointer(regs):
    return regs.rsp & _M32


def start_thread(regs, ip, sp):
    """A fresh register file for a new 32-bit program (start_thread_ia32)."""
    for name, _ in type(regs)._fields_:
        setattr(regs, name, 0)
    regs.rip = ip
    regs.rsp = sp
    regs.cs = USER32_CS
    regs.ss = regs.ds = regs.es = USER_DS
    regs.eflags = 0x202
    regs.orig_rax = _M64


# -- per-thread state: the TLS descriptors ---------------------------------------

from arch.x86.tls import copy_thread, load_tls, set_tls  # noqa: E402,F401


from arch.x86.vdso import arch_auxv, arch_setup_additional_pages  # noqa: E402,F401

# i386's vDSO has only the signal trampolines and reads no clock, so a
# time namespace changes nothing in it (x86_64's: arch/x86_64/vdso.py)
vdso_join_timens = None


# -- ELF auxiliary vector ------------------------------------------------------------

from arch.x86_64 import (AT_HWCAP2_VALUE, AT_HWCAP_VALUE,  # noqa: E402,F401
                         AT_MINSIGSTKSZ_VALUE, CLOCKS_PER_SEC)


# -- layouts, signals ----------------------------------------------------------------

def pack_stat(k):
    """struct stat for the old (non-64) stat calls: i386's struct stat."""
    return pack_stat32(k)


from arch.x86.signal import (pack_siginfo, read_sigaction, setup_rt_frame,  # noqa: E402,F401
                             write_sigaction)
from arch.x86.syscalls import SYSCALL_OVERRIDES  # noqa: E402,F401

SYSCALLS = SYSCALL_NAMES


def syscall_abi(t):
    """Every system call of a 32-bit process uses the i386 ABI."""
    return _THIS


_THIS = _sys.modules[__name__]

from arch.x86.compat import INT80_ABI  # noqa: E402,F401
