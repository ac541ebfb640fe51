"""arch/x86/ptrace.py - a thread's registers as a 32-bit debugger sees them.

The i386 view of kernel/ptrace.py (see arch/x86_64/ptrace.py for the other
and for when which is used).  A 32-bit tracer (an i386 gdb or strace, or
64-bit code calling ptrace through int $0x80) gets these layouts for
PTRACE_GETREGS, PEEKUSER and the FP requests, whatever the tracee; and a
32-bit tracee's regsets are these for every tracer:

  struct user_regs_struct (i386)  17 ints: ebx ecx edx esi edi ebp eax ds
                                  es fs gs orig_eax eip cs eflags esp ss
  struct user (i386)              regs, u_fpvalid, i387 (the 108-byte fsave
                                  image), ..., u_debugreg[8] at 252
  NT_PRFPREG                      the fsave image; NT_PRXFPREG the fxsave one
  NT_386_TLS                      the three TLS descriptors (struct user_desc)

Values are the low halves of the 64-bit registers; a write zero-extends and
goes through the same checks as a 64-bit one (Linux's putreg32 calls the
same set_segment_reg and set_flags).
"""

import struct

from arch.x86_64 import debugreg
from arch.x86_64 import ptrace as ptrace64
from kernel.errno import EINVAL, EIO, Errno
from arch.x86.fpu import fsave_header, fold_fsave_header
from skas.fpu import get_xstate, set_xstate, xstate_size
from arch.x86.tls import (GDT_ENTRY_TLS_MIN, empty_user_desc, tls_array,
    _install, parse_user_desc, GDT_ENTRY_TLS_MAX)

WORD = 4
REGS_SIZE = 68
USER_SIZE = 284

REG_NAMES = ("ebx", "ecx", "edx", "esi", "edi", "ebp", "eax", "ds", "es", "fs", "gs",
             "orig_eax", "eip", "cs", "eflags", "esp", "ss")
# the 64-bit register each one is the low half of
_FULL = {"ebx": "rbx", "ecx": "rcx", "edx": "rdx", "esi": "rsi", "edi": "rdi",
         "ebp": "rbp", "eax": "rax", "orig_eax": "orig_rax", "eip": "rip",
         "esp": "rsp"}
_M32 = 0xFFFFFFFF


def getreg32(t, name):
    full = _FULL.get(name, name)
    v = getattr(t.regs, full) & _M32
    return v & 0xFFFF if name in ("ds", "es", "fs", "gs") else v


def putreg32(t, name, value):
    value &= _M32
    full = _FULL.get(name, name)
    if full in ptrace64.SEGMENTS or full == "eflags":
        return ptrace64.putreg(t, full, value)
    if name == "orig_eax" and value == _M32:
        t.in_syscall = None         # a 32-bit debugger's "no syscall restart"
    setattr(t.regs, full, value)
    t.regs_dirty = True


_REGS = struct.Struct("<17I")


def get_regs(t):
    return _REGS.pack(*(getreg32(t, n) for n in REG_NAMES))


def set_regs(t, data):
    for i in range(min(len(data), REGS_SIZE) // WORD):
        putreg32(t, REG_NAMES[i], struct.unpack_from("<I", data, i * WORD)[0])


# -- PEEKUSER / POKEUSER -------------------------------------------------------------

def peekuser(t, off):
    # the i386 checks are Linux's: beyond the struct (or misaligned) is
    # EIO, the fields that are not registers read as zero
    if off > USER_SIZE or off & 3:
        raise Errno(EIO)
    if off < REGS_SIZE:
        return getreg32(t, REG_NAMES[off // WORD])
    base = debugreg.USER32_DEBUGREG
    if base <= off < base + 8 * WORD:
        return debugreg.get_debugreg(t, (off - base) // WORD) & _M32
    return 0


def pokeuser(t, off, value):
    if off > USER_SIZE or off & 3:
        raise Errno(EIO)
    if off < REGS_SIZE:
        return putreg32(t, REG_NAMES[off // WORD], value)
    base = debugreg.USER32_DEBUGREG
    if base <= off < base + 8 * WORD:
        return debugreg.set_debugreg(t, (off - base) // WORD, value & _M32)
    return None                 # the other fields of struct user are ignored


# -- FP state: the fsave image, and the fxsave one ----------------------------------------

FPREGS_SIZE = 108               # struct user_i387_ia32_struct
FPXREGS_SIZE = 512              # struct user32_fxsr_struct


def get_fpregs(t):
    """convert_from_fxsr as a 64-bit kernel does it: the instruction
    pointer's selector is the thread's cs (64-bit fxsave keeps none)."""
    fx = get_xstate(t)
    head = bytearray(fsave_header(fx, t.regs.cs, t.regs.ds)[:FPREGS_SIZE])
    struct.pack_into("<I", head, 16, t.regs.cs & 0xFFFF)
    return bytes(head)


def set_fpregs(t, data):
    if len(data) != FPREGS_SIZE:
        raise Errno(EINVAL)
    cur = get_xstate(t)
    img = bytearray(fold_fsave_header(cur[:512], data) + cur[512:])
    if len(img) > 520:
        bv = struct.unpack_from("<Q", img, 512)[0] | 1
        img[512:520] = struct.pack("<Q", bv)
    set_xstate(t, bytes(img))


get_fpxregs = ptrace64.get_fpregs
set_fpxregs = ptrace64.set_fpregs


# -- the TLS descriptors ----------------------------------------------------------------------

def get_tls_regset(t):
    out = b""
    for i, desc in enumerate(tls_array(t)):
        idx = GDT_ENTRY_TLS_MIN + i
        out += desc.pack(idx) if desc is not None else empty_user_desc(idx)
    return out


def set_tls_regset(t, data):
    for i in range(len(data) // 16):
        _, desc = parse_user_desc(data[i * 16:i * 16 + 16])
        _install(t, GDT_ENTRY_TLS_MIN + i, desc)


def get_thread_area(t, idx):
    """PTRACE_GET_THREAD_AREA: struct user_desc of entry idx."""
    if not GDT_ENTRY_TLS_MIN <= idx <= GDT_ENTRY_TLS_MAX:
        raise Errno(EINVAL)
    desc = tls_array(t)[idx - GDT_ENTRY_TLS_MIN]
    return desc.pack(idx) if desc is not None else empty_user_desc(idx)


def set_thread_area(t, idx, raw):
    _, desc = parse_user_desc(raw)
    if not GDT_ENTRY_TLS_MIN <= idx <= GDT_ENTRY_TLS_MAX:
        raise Errno(EINVAL)
    _install(t, idx, desc)


# -- the i386 regsets (Linux's x86_32_regsets) ------------------------------------------------

NT_PRXFPREG = 0x46E62B7F
NT_386_TLS = 0x200


def regsets(t):
    R = ptrace64.Regset
    return {
        ptrace64.NT_PRSTATUS: R(ptrace64.NT_PRSTATUS, WORD, REGS_SIZE, get_regs, set_regs),
        ptrace64.NT_PRFPREG: R(ptrace64.NT_PRFPREG, WORD, FPREGS_SIZE, get_fpregs, set_fpregs),
        NT_PRXFPREG: R(NT_PRXFPREG, WORD, FPXREGS_SIZE, get_fpxregs, set_fpxregs),
        ptrace64.NT_X86_XSTATE: R(ptrace64.NT_X86_XSTATE, 8, xstate_size(t),
                                  ptrace64.get_xstate_regs, ptrace64.set_xstate_regs),
        NT_386_TLS: R(NT_386_TLS, 16, 48, get_tls_regset, set_tls_regset),
        ptrace64.NT_386_IOPERM: R(ptrace64.NT_386_IOPERM, WORD, 8192, ptrace64._no_ioperm,
                                  ptrace64._no_ioperm),
    }
