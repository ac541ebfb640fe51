"""arch/x86_64/ptrace.py - a thread's registers as a 64-bit debugger sees them.

kernel/ptrace.py asks a "view" for every register request.  Which view
depends on the request, as in Linux: PTRACE_GETREGS, PEEKUSER and the FP
requests use the *tracer's* (a 64-bit tracer always gets struct
user_regs_struct, zero-extended values for a 32-bit tracee), the regsets
(PTRACE_GETREGSET) the *tracee's* (a 32-bit tracee's NT_PRSTATUS is 68
bytes whoever asks; arch/x86/ptrace.py).

The layouts are <sys/user.h>'s:

  struct user_regs_struct   27 longs, the order of the host's own (t.regs)
  struct user               regs, u_fpvalid, i387 (fxsave, 512 bytes), ...,
                            u_debugreg[8] at 848; 912 bytes in all

Writes are checked the way Linux's putreg checks them, so that nothing a
tracer writes can make the host refuse the registers: segment selectors
must be null or have RPL 3 (cs and ss not null), only the user-visible
EFLAGS bits change, fs_base and gs_base stay below TASK_SIZE_MAX.
"""

import struct

from arch.x86_64 import debugreg
from kernel.errno import EFAULT, EINVAL, EIO, Errno, ENXIO, EPERM
from skas.fpu import get_xstate, set_xstate, xstate_size
from mm.uaccess import copy_to_user

WORD = 8
REGS_SIZE = 216
USER_SIZE = 912

# struct user_regs_struct, in order (== t.regs' ctypes fields)
REG_NAMES = ("r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
             "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags",
             "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs")
OFFSET = {n: i * WORD for i, n in enumerate(REG_NAMES)}
SEGMENTS = ("cs", "ss", "ds", "es", "fs", "gs")

X86_EFLAGS_TF = 0x100
FLAG_MASK_32 = 0x50DD5          # CF PF AF ZF SF TF DF OF RF AC
FLAG_MASK = FLAG_MASK_32 | 0x4000   # and NT
TASK_SIZE_MAX = debugreg.TASK_SIZE_MAX
_M64 = (1 << 64) - 1


# -- one register --------------------------------------------------------------

def getreg(t, name):
    return getattr(t.regs, name) & _M64


def putreg(t, name, value):
    """Linux's putreg: one register of struct user_regs_struct."""
    value &= _M64
    regs = t.regs
    if name in SEGMENTS:
        value &= 0xFFFF
        if value and value & 3 != 3:
            raise Errno(EIO)
        if name in ("cs", "ss") and value == 0:
            raise Errno(EIO)
    elif name == "eflags":
        value = (regs.eflags & ~FLAG_MASK) | (value & FLAG_MASK)
    elif name in ("fs_base", "gs_base"):
        if value >= TASK_SIZE_MAX:
            raise Errno(EIO)
        # (the selector stays: Linux since 5.9 writes the base alone)
    elif name == "orig_rax" and value == _M64:
        t.in_syscall = None         # a debugger's "no syscall restart"
    setattr(regs, name, value)
    t.regs_dirty = True


# -- the whole set ---------------------------------------------------------------

_REGS = struct.Struct("<27Q")


def get_regs(t):
    """struct user_regs_struct (216 bytes)."""
    regs = t.regs
    return _REGS.pack(*(getattr(regs, n) & _M64 for n in REG_NAMES))


def set_regs(t, data):
    """Write the registers data covers (whole words), stopping at the first
    one Linux would refuse (EIO)."""
    for i in range(min(len(data), REGS_SIZE) // WORD):
        putreg(t, REG_NAMES[i], struct.unpack_from("<Q", data, i * WORD)[0])


# -- PEEKUSER / POKEUSER -----------------------------------------------------------

def peekuser(t, off):
    if off & (WORD - 1) or off >= USER_SIZE:
        raise Errno(EIO)
    if off < REGS_SIZE:
        return getreg(t, REG_NAMES[off // WORD])
    base = debugreg.USER64_DEBUGREG
    if base <= off < base + 8 * WORD:
        return debugreg.get_debugreg(t, (off - base) // WORD)
    return 0


def pokeuser(t, off, value):
    if off & (WORD - 1) or off >= USER_SIZE:
        raise Errno(EIO)
    if off < REGS_SIZE:
        return putreg(t, REG_NAMES[off // WORD], value)
    base = debugreg.USER64_DEBUGREG
    if base <= off < base + 8 * WORD:
        return debugreg.set_debugreg(t, (off - base) // WORD, value)
    raise Errno(EIO)


# -- FP state ------------------------------------------------------------------------

FPREGS_SIZE = 512               # struct user_i387_struct: an fxsave image


def get_fpregs(t):
    """The fxsave image (x87 and SSE); what follows xmm15 reads as zero, as
    Linux's xfpregs_get gives it."""
    return get_xstate(t)[:416].ljust(FPREGS_SIZE, b"\0")


def set_fpregs(t, data):
    """Linux's xfpregs_set: a whole fxsave image; a reserved MXCSR bit is
    EINVAL; x87 and SSE become "in use" in the xsave header."""
    if len(data) != FPREGS_SIZE:
        raise Errno(EINVAL)
    cur = bytearray(get_xstate(t))
    mask = struct.unpack_from("<I", cur, 28)[0] or 0xFFBF
    if struct.unpack_from("<I", data, 24)[0] & ~mask:
        raise Errno(EINVAL)
    cur[:416] = data[:416]
    cur[28:32] = struct.pack("<I", mask)            # MXCSR_MASK is not writable
    if len(cur) > 520:
        bv = struct.unpack_from("<Q", cur, 512)[0] | 3
        cur[512:520] = struct.pack("<Q", bv)
    set_xstate(t, bytes(cur))


def get_xstate_regs(t):
    return get_xstate(t)


def set_xstate_regs(t, data):
    """NT_X86_XSTATE: a whole standard-format xsave buffer (EFAULT for any
    other size, as Linux), with a valid header (EINVAL)."""
    cur = get_xstate(t)
    if len(data) != len(cur):
        raise Errno(EFAULT)
    xcr0 = struct.unpack_from("<Q", cur, 464)[0]
    xfeatures, xcomp = struct.unpack_from("<QQ", data, 512)
    if xfeatures & ~xcr0 or xcomp or any(data[528:576]):
        raise Errno(EINVAL)
    mask = struct.unpack_from("<I", cur, 28)[0] or 0xFFBF
    if xfeatures & 6 and struct.unpack_from("<I", data, 24)[0] & ~mask:
        raise Errno(EINVAL)
    img = bytearray(data)
    img[28:32] = cur[28:32]
    img[464:512] = cur[464:512]                     # the host's software words
    set_xstate(t, bytes(img))


# -- regsets (the x86_64 view, as Linux's x86_64_regsets) ------------------------------

NT_PRSTATUS = 1
NT_PRFPREG = 2
NT_X86_XSTATE = 0x202
NT_386_IOPERM = 0x201


class Regset:
    """One register set of a view: its note type, unit size (iov_len must
    be a multiple), full length, and how to read and write it."""
    __slots__ = ("note", "size", "length", "get", "set")

    def __init__(self, note, size, length, get, set_):
        self.note, self.size, self.length, self.get, self.set = note, size, length, get, set_


def _no_ioperm(t, data=None):
    raise Errno(ENXIO)          # no I/O permission bitmap (ioperm is refused)


def regsets(t):
    return {
        NT_PRSTATUS: Regset(NT_PRSTATUS, WORD, REGS_SIZE, get_regs, set_regs),
        NT_PRFPREG: Regset(NT_PRFPREG, WORD, FPREGS_SIZE, get_fpregs, set_fpregs),
        NT_X86_XSTATE: Regset(NT_X86_XSTATE, 8, xstate_size(t), get_xstate_regs,
                              set_xstate_regs),
        NT_386_IOPERM: Regset(NT_386_IOPERM, WORD, 8192, _no_ioperm, _no_ioperm),
    }


# -- PTRACE_ARCH_PRCTL -----------------------------------------------------------------

ARCH_SET_GS, ARCH_SET_FS, ARCH_GET_FS, ARCH_GET_GS = 0x1001, 0x1002, 0x1003, 0x1004


def arch_prctl(tracer, t, option, addr):
    """do_arch_prctl_64 on the tracee; ARCH_GET_* write into the tracer's
    memory at addr."""
    option &= 0xFFFFFFFF
    if option in (ARCH_SET_FS, ARCH_SET_GS):
        if addr >= TASK_SIZE_MAX:
            raise Errno(EPERM)
        seg = "fs" if option == ARCH_SET_FS else "gs"
        setattr(t.regs, seg + "_base", addr)
        setattr(t.regs, seg, 0)                 # the selector is cleared
        t.regs_dirty = True
        return 0
    if option in (ARCH_GET_FS, ARCH_GET_GS):
        v = t.regs.fs_base if option == ARCH_GET_FS else t.regs.gs_base
        copy_to_user(tracer.mm, addr, struct.pack("<Q", v))
        return 0
    return -EINVAL
