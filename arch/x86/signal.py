"""arch/x86/signal.py - i386 signal frames, sigaction and siginfo layouts.

A 32-bit handler gets one of two frames on its stack, as from Linux's
ia32 signal code:

  rt_sigframe (SA_SIGINFO)          sigframe (the old kind)
    pretcode    return address        pretcode
    sig         the arguments,        sig
    pinfo       on the stack          sigcontext_32 (the registers)
    puc                               624 unused bytes (old fpstate)
    siginfo     128 bytes             extramask (high word of the mask)
    ucontext    flags, link, stack_t, retcode
                sigcontext_32, sigmask
    retcode     8 bytes: "movl $nr, %eax; int $0x80", used when the
                handler has no SA_RESTORER (nor a vDSO to return through)

and the FP state after it: the 112-byte legacy header (arch/x86/fpu.py)
that sigcontext.fpstate points at, then the 64-byte aligned xsave image.
The handler is also given sig, &info and &uc in eax, edx and ecx (for
regparm callers).  sigreturn and rt_sigreturn read it all back; the stack
pointer at their `int $0x80` says where the frame is (the return address,
and for sigreturn the signal number too, have been popped by then).
"""

import struct

from kernel.errno import EFAULT, Errno
from arch.x86.fpu import FREGS_STATE_SIZE, fold_fsave_header, fsave_header
from arch.x86.tls import GDT_ENTRY_TLS_MAX, GDT_ENTRY_TLS_MIN, tls_array
from arch.x86.vdso import symbol, vdso_base
from kernel import signal as ks
from kernel.sigaltstack import do_sigaltstack
from kernel.signal import (SA_ONSTACK, SA_RESTORER, SA_SIGINFO, SIGSEGV, SigAction, force_sig,
                           set_current_blocked)
from mm.uaccess import copy_from_user, copy_to_user
from skas.fpu import frame_image, get_xstate, image_from_frame, set_xstate
from skas.userspace import fetch_regs

_M32 = 0xFFFFFFFF

# struct sigcontext_32: gs fs es ds (16-bit, padded), edi esi ebp esp ebx
# edx ecx eax trapno err eip, cs, eflags esp_at_signal, ss, fpstate oldmask cr2
_SIGCONTEXT = struct.Struct("<4I11I I2I I3I")
SIGCONTEXT_SIZE = _SIGCONTEXT.size                      # 88
_SC_FIELDS = ("gs", "fs", "es", "ds", "edi", "esi", "ebp", "esp", "ebx", "edx",
              "ecx", "eax", "trapno", "err", "eip", "cs", "eflags",
              "esp_at_signal", "ss", "fpstate", "oldmask", "cr2")

_STACK_T = struct.Struct("<IiI")                        # ss_sp ss_flags ss_size
UCONTEXT_SIZE = 4 + 4 + _STACK_T.size + SIGCONTEXT_SIZE + 8      # 116
UC_MCONTEXT = 20
UC_SIGMASK = UC_MCONTEXT + SIGCONTEXT_SIZE

RT_FRAME_SIZE = 16 + 128 + UCONTEXT_SIZE + 8            # 268
RT_INFO, RT_UC, RT_RETCODE = 16, 144, 144 + UCONTEXT_SIZE
FRAME_SIZE = 8 + SIGCONTEXT_SIZE + 624 + 4 + 8          # 732
FRAME_EXTRAMASK, FRAME_RETCODE = 720, 724

NR_SIGRETURN, NR_RT_SIGRETURN = 119, 173
_RETCODE = struct.pack("<BBIHB", 0x58, 0xB8, NR_SIGRETURN, 0x80CD, 0)[:8]   # popl %eax
_RT_RETCODE = struct.pack("<BIHB", 0xB8, NR_RT_SIGRETURN, 0x80CD, 0)

UC_FP_XSTATE = 0x1
SS_ONSTACK, SS_DISABLE = 1, 2
FIX_EFLAGS = 0x50DD5                # AC OF DF TF SF ZF AF PF CF RF
USER32_CS, USER32_DS = 0x23, 0x2B


# -- siginfo ------------------------------------------------------------------------

def pack_siginfo(info):
    """struct compat_siginfo (128 bytes) as a 32-bit process sees it."""
    if info.raw is not None:
        return info.raw[:128].ljust(128, b"\0")
    head = struct.pack("<iii", info.signo, info.errno, info.code)
    sig, code = info.signo, info.code
    if 0 < code < ks.SI_KERNEL:
        if sig == ks.SIGCHLD:
            body = struct.pack("<iIiii", info.pid, info.uid & _M32, info.status,
                               _clip(info.utime), _clip(info.stime))
        elif sig in (ks.SIGSEGV, ks.SIGBUS, ks.SIGILL, ks.SIGFPE, ks.SIGTRAP):
            body = struct.pack("<I", info.addr & _M32)
        elif sig == ks.SIGSYS:
            body = struct.pack("<IiI", info.call_addr & _M32, info.syscall, info.arch)
        else:
            body = struct.pack("<ii", _clip(info.band), info.fd)
    elif code == ks.SI_TIMER:
        body = struct.pack("<iiI", info.timerid, info.overrun, info.value & _M32)
    elif code < 0:
        body = struct.pack("<iII", info.pid, info.uid & _M32, info.value & _M32)
    else:
        body = struct.pack("<iI", info.pid, info.uid & _M32)
    return (head + body).ljust(128, b"\0")


def _clip(v):
    v = int(v)
    return max(-(1 << 31), min(v, (1 << 31) - 1))


# -- sigaction (rt_sigaction's struct: handler, flags, restorer, 64-bit mask) --------

_SIGACTION = struct.Struct("<IIIQ")


def read_sigaction(t, addr):
    handler, flags, restorer, mask = _SIGACTION.unpack(copy_from_user(t.mm, addr, _SIGACTION.size))
    return SigAction(handler, flags, restorer, mask)


def write_sigaction(t, addr, ka):
    copy_to_user(t.mm, addr, _SIGACTION.pack(ka.handler & _M32, ka.flags & _M32,
                                             ka.restorer & _M32, ka.mask & ((1 << 64) - 1)))


# -- building a frame -----------------------------------------------------------------

def _on_sig_stack(t, sp):
    return t.sas_ss_size and t.sas_ss_sp < sp <= t.sas_ss_sp + t.sas_ss_size


def _sigcontext(t, fp_addr, oldmask):
    regs = t.regs
    return _SIGCONTEXT.pack(
        regs.gs & 0xFFFF, regs.fs & 0xFFFF, regs.es & 0xFFFF, regs.ds & 0xFFFF,
        regs.rdi & _M32, regs.rsi & _M32, regs.rbp & _M32, regs.rsp & _M32,
        regs.rbx & _M32, regs.rdx & _M32, regs.rcx & _M32, regs.rax & _M32,
        t.fault_trapno & _M32, t.fault_err & _M32,
        regs.rip & _M32, regs.cs & 0xFFFF, regs.eflags & _M32, regs.rsp & _M32,
        regs.ss & 0xFFFF, fp_addr, oldmask & _M32, t.fault_cr2 & _M32)


def _fpstate(t, sp):
    """Place the FP state below sp: returns (new sp, address of the legacy
    header, bytes to write there): i386's fsave header, then the xsave
    image as frames carry it (skas/fpu.py frame_image)."""
    xstate = get_xstate(t)
    image = frame_image(xstate)
    buf_fx = (sp - len(image)) & ~63
    fp = buf_fx - FREGS_STATE_SIZE
    header = fsave_header(xstate, t.regs.cs, t.regs.ds)
    return fp, fp, header + image


def _read_fx(t, addr):
    """The fxsave/xsave image a frame holds at addr, in the ptrace layout."""
    return image_from_frame(t, addr)


def setup_rt_frame(t, sig, info, ka, oldset):
    """Build the frame for sig's handler and point the registers at it.
    Returns False when the frame cannot be written (the caller forces
    SIGSEGV)."""
    regs = t.regs
    sp = regs.rsp & _M32
    if ka.flags & SA_ONSTACK and t.sas_ss_size and not _on_sig_stack(t, sp):
        sp = (t.sas_ss_sp + t.sas_ss_size) & _M32
    elif (regs.ss & 0xFFFF) != USER32_DS and not ka.flags & SA_RESTORER and ka.restorer:
        sp = ka.restorer & _M32                             # legacy stack switching
    try:
        sp, fp, fpdata = _fpstate(t, sp)
    except Errno:
        return False
    rt = bool(ka.flags & SA_SIGINFO)
    size = RT_FRAME_SIZE if rt else FRAME_SIZE
    frame = (((sp - size) + 4) & ~15) - 4                   # (sp + 4) % 16 == 0 at entry
    if frame < 0:
        return False
    sc = _sigcontext(t, fp, oldset)
    if rt:
        restorer = ka.restorer if ka.flags & SA_RESTORER else _default_restorer(t, frame + RT_RETCODE, True)
        uc = struct.pack("<II", UC_FP_XSTATE, 0) \
            + _STACK_T.pack(t.sas_ss_sp & _M32, t.sas_ss_flags & _M32, t.sas_ss_size & _M32) \
            + sc + struct.pack("<Q", oldset & ((1 << 64) - 1))
        data = struct.pack("<IiII", restorer & _M32, sig, frame + RT_INFO, frame + RT_UC) \
            + pack_siginfo(info) + uc + _RT_RETCODE
    else:
        restorer = ka.restorer if ka.flags & SA_RESTORER else _default_restorer(t, frame + FRAME_RETCODE, False)
        data = struct.pack("<Ii", restorer & _M32, sig) + sc + bytes(624) \
            + struct.pack("<I", (oldset >> 32) & _M32) + _RETCODE
    try:
        copy_to_user(t.mm, frame, data)
        copy_to_user(t.mm, fp, fpdata)
    except Errno:
        return False
    regs.rsp = frame
    regs.rip = ka.handler & _M32
    regs.rax = sig
    regs.rdx = frame + RT_INFO if rt else 0
    regs.rcx = frame + RT_UC if rt else 0
    regs.eflags &= ~(0x400 | 0x100 | 0x40000)               # DF, TF, AC
    regs.cs = USER32_CS
    regs.ss = regs.ds = regs.es = USER32_DS
    t.regs_dirty = True
    return True


def _default_restorer(t, retcode, rt):
    """No SA_RESTORER: return through the [vdso] page, or else (it was
    unmapped) through the frame's retcode, as Linux does."""
    base = vdso_base(t.mm)
    if base is None:
        return retcode
    return base + symbol("__kernel_rt_sigreturn" if rt else "__kernel_sigreturn")


# -- returning from a handler ------------------------------------------------------

def restore_sigcontext(t, raw):
    """Load the registers (and FP state) from a sigcontext_32.  Raises Errno
    (EFAULT) when the FP state cannot be read."""
    sc = dict(zip(_SC_FIELDS, _SIGCONTEXT.unpack(raw)))
    xstate = None
    if sc["fpstate"]:
        header = copy_from_user(t.mm, sc["fpstate"], FREGS_STATE_SIZE)
        xstate = fold_fsave_header(_read_fx(t, sc["fpstate"] + FREGS_STATE_SIZE), header)
    regs = t.regs
    for reg in ("edi", "esi", "ebp", "esp", "ebx", "edx", "ecx", "eax", "eip"):
        setattr(regs, "r" + reg[1:], sc[reg])
    regs.eflags = (regs.eflags & ~FIX_EFLAGS) | (sc["eflags"] & FIX_EFLAGS)
    # 32-bit code and stack segments only: a frame cannot switch the task
    # to 64-bit mode here
    regs.cs, regs.ss = USER32_CS, USER32_DS
    for seg in ("gs", "fs", "ds", "es"):
        sel = sc[seg] & 0xFFFF | 3
        if sel != getattr(regs, seg):
            setattr(regs, seg, sel)
            if seg in ("fs", "gs"):
                _reload_base(t, seg, sel)
    regs.orig_rax = (1 << 64) - 1
    t.regs_dirty = True
    if xstate is not None:
        try:
            set_xstate(t, xstate)
        except OSError:
            # the host refused the image (reserved bits, a bad xsave
            # header): a bad frame, SIGSEGV as on Linux
            raise Errno(EFAULT)


def _reload_base(t, seg, sel):
    """A segment register loaded with a TLS selector gets that entry's base
    (what the CPU does on the host when the selector is loaded)."""
    idx = sel >> 3
    base = 0
    if GDT_ENTRY_TLS_MIN <= idx <= GDT_ENTRY_TLS_MAX and not sel & 4:
        d = tls_array(t)[idx - GDT_ENTRY_TLS_MIN]
        base = d.base if d is not None else 0
    setattr(t.regs, seg + "_base", base)


def sys_sigreturn(t):
    """The old frame: the handler returned and popl'd the signal number."""
    fetch_regs(t)
    frame = ((t.regs.rsp & _M32) - 8) & _M32
    try:
        raw = copy_from_user(t.mm, frame, FRAME_SIZE)
        sc = raw[8:8 + SIGCONTEXT_SIZE]
        mask = _SIGCONTEXT.unpack(sc)[20] | struct.unpack_from("<I", raw, FRAME_EXTRAMASK)[0] << 32
        set_current_blocked(t, mask)
        restore_sigcontext(t, sc)
    except Errno:
        force_sig(t, SIGSEGV)
        return 0
    t.in_syscall = None                             # never restart this
    return _eax(t)


def sys_rt_sigreturn(t):
    fetch_regs(t)
    frame = ((t.regs.rsp & _M32) - 4) & _M32
    try:
        uc = copy_from_user(t.mm, frame + RT_UC, UCONTEXT_SIZE)
        (mask,) = struct.unpack_from("<Q", uc, UC_SIGMASK)
        set_current_blocked(t, mask)
        restore_sigcontext(t, uc[UC_MCONTEXT:UC_MCONTEXT + SIGCONTEXT_SIZE])
    except Errno:
        force_sig(t, SIGSEGV)
        return 0
    ss_sp, ss_flags, ss_size = _STACK_T.unpack_from(uc, 8)
    try:
        do_sigaltstack(t, ss_sp, ss_flags & _M32, ss_size, t.regs.rsp & _M32)
    except Errno:
        pass
    t.in_syscall = None
    return _eax(t)


def _eax(t):
    v = t.regs.rax & _M32
    return v - (1 << 32) if v & 0x80000000 else v
