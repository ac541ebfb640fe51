"""arch/x86_64/signal.py - 64-bit signal frames, sigaction and siginfo layouts.

A handler runs on a frame the kernel builds on the guest's stack (or its
sigaltstack), laid out as Linux's struct rt_sigframe:

    pretcode        the SA_RESTORER address the handler returns to
    ucontext        flags, link, stack_t, sigcontext (the registers), sigmask
    siginfo         128 bytes
    xsave area      the FP/SSE/AVX state, 64-byte aligned, found through
                    sigcontext.fpstate (with Linux's FP_XSTATE magic words)

rt_sigreturn reads it all back.  The FP state comes from and goes to the
host thread with PTRACE_GETREGSET/SETREGSET(NT_X86_XSTATE).
"""

import struct

import construct as cs

from kernel.errno import Errno
from kernel import signal as ks
from kernel.sigaltstack import do_sigaltstack
from kernel.signal import (SA_ONSTACK, SA_RESTORER, SIGSEGV, SigAction, force_sig,
                           set_current_blocked)
from mm.uaccess import copy_from_user, copy_to_user
from skas.fpu import clear_user_states, frame_image, get_xstate, image_from_frame, set_xstate

_sigcontext = cs.Struct(
    *[n / cs.Int64ul for n in ("r8", "r9", "r10", "r11", "r12", "r13", "r14",
                                "r15", "rdi", "rsi", "rbp", "rbx", "rdx", "rax",
                                "rcx", "rsp", "rip", "eflags")],
    "cs" / cs.Int16ul, "gs" / cs.Int16ul, "fs" / cs.Int16ul, "ss" / cs.Int16ul,
    "err" / cs.Int64ul, "trapno" / cs.Int64ul, "oldmask" / cs.Int64ul,
    "cr2" / cs.Int64ul, "fpstate" / cs.Int64ul, cs.Padding(64),
)
sigcontext = _sigcontext.compile()

_stack_t = cs.Struct("ss_sp" / cs.Int64ul, "ss_flags" / cs.Int32sl, cs.Padding(4),
                     "ss_size" / cs.Int64ul)

_ucontext = cs.Struct(
    "uc_flags" / cs.Int64ul,
    "uc_link" / cs.Int64ul,
    "uc_stack" / _stack_t,
    "uc_mcontext" / _sigcontext,
    "uc_sigmask" / cs.Int64ul,
)
ucontext = _ucontext.compile()
UCONTEXT_SIZE = _ucontext.sizeof()                 # 304
SIGCONTEXT_OFFSET = 40

_kernel_sigaction = cs.Struct("handler" / cs.Int64ul, "flags" / cs.Int64ul,
                              "restorer" / cs.Int64ul, "mask" / cs.Int64ul)
kernel_sigaction = _kernel_sigaction.compile()

UC_FP_XSTATE = 0x1
UC_SIGCONTEXT_SS = 0x2
UC_STRICT_RESTORE_SS = 0x4
FP_XSTATE_MAGIC1 = 0x46505853
FP_XSTATE_MAGIC2 = 0x46505845
SS_ONSTACK, SS_DISABLE = 1, 2

GREGS = ("r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rdi", "rsi",
         "rbp", "rbx", "rdx", "rax", "rcx", "rsp", "rip")


# -- siginfo ---------------------------------------------------------------------

def pack_siginfo(info):
    """struct siginfo (128 bytes) as a 64-bit process sees it."""
    if info.raw is not None:
        return info.raw[:128].ljust(128, b"\0")
    head = struct.pack("<iii4x", info.signo, info.errno, info.code)
    sig, code = info.signo, info.code
    if 0 < code < ks.SI_KERNEL:
        if sig == ks.SIGCHLD:
            body = struct.pack("<iIi4xqq", info.pid, info.uid, info.status,
                               info.utime, info.stime)
        elif sig in (ks.SIGSEGV, ks.SIGBUS, ks.SIGILL, ks.SIGFPE, ks.SIGTRAP):
            body = struct.pack("<Q", info.addr)
        elif sig == ks.SIGSYS:
            body = struct.pack("<QiI", info.call_addr, info.syscall, info.arch)
        else:
            body = struct.pack("<qi", info.band, info.fd)
    elif code == ks.SI_TIMER:
        body = struct.pack("<iiQ", info.timerid, info.overrun, info.value)
    elif code < 0:
        body = struct.pack("<iIQ", info.pid, info.uid, info.value)
    else:
        body = struct.pack("<iI", info.pid, info.uid)
    return (head + body).ljust(128, b"\0")


# -- sigaction ----------------------------------------------------------------------

def read_sigaction(t, addr):
    ka = kernel_sigaction.parse(copy_from_user(t.mm, addr, 32))
    return SigAction(ka.handler, ka.flags & 0xFFFFFFFF, ka.restorer, ka.mask)


def write_sigaction(t, addr, ka):
    copy_to_user(t.mm, addr, kernel_sigaction.build(
        dict(handler=ka.handler, flags=ka.flags, restorer=ka.restorer, mask=ka.mask)))


# -- frames ---------------------------------------------------------------------------

def on_sig_stack(t, sp):
    return t.sas_ss_size and t.sas_ss_sp < sp <= t.sas_ss_sp + t.sas_ss_size


def setup_rt_frame(t, sig, info, ka, oldset):
    """Build the frame and point the registers at the handler.  Returns
    False if the frame cannot be written (the caller forces SIGSEGV)."""
    # LAB signal: begin
    regs = t.regs
    sp = regs.rsp
    if ka.flags & SA_ONSTACK and t.sas_ss_size and not on_sig_stack(t, sp):
        sp = t.sas_ss_sp + t.sas_ss_size
    else:
        sp -= 128                                   # the red zone
    xstate = get_xstate(t)
    image = frame_image(xstate)                     # MAGIC2 after the area
    fp = (sp - len(image)) & ~63
    frame = ((fp - (8 + UCONTEXT_SIZE + 128)) & ~15) - 8
    if not ka.flags & SA_RESTORER:
        return False
    uc_addr = frame + 8
    info_addr = uc_addr + UCONTEXT_SIZE
    mc = {n: getattr(regs, n) for n in GREGS}
    mc.update(eflags=regs.eflags, cs=regs.cs, gs=0, fs=0, ss=regs.ss,
              err=t.fault_err, trapno=t.fault_trapno,
              oldmask=oldset & 0xFFFFFFFFFFFFFFFF, cr2=t.fault_cr2,
              fpstate=fp)
    uc = ucontext.build(dict(
        uc_flags=UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS,
        uc_link=0,
        # the stack_t as sigaltstack() set it (Linux's __save_altstack), which
        # rt_sigreturn puts back
        uc_stack=dict(ss_sp=t.sas_ss_sp, ss_flags=t.sas_ss_flags, ss_size=t.sas_ss_size),
        uc_mcontext=mc,
        uc_sigmask=oldset & 0xFFFFFFFFFFFFFFFF))
    try:
        copy_to_user(t.mm, frame, struct.pack("<Q", ka.restorer) + uc + pack_siginfo(info))
        copy_to_user(t.mm, fp, image)
    except Errno:
        return False
    # the handler starts with a clean FPU, as on Linux
    clear_user_states(t, xstate)
    regs.rdi = sig
    regs.rsi = info_addr
    regs.rdx = uc_addr
    regs.rax = 0
    regs.rsp = frame
    regs.rip = ka.handler
    regs.eflags &= ~(0x400 | 0x100 | 0x40000)       # DF, TF, AC
    regs.cs = 0x33
    regs.ss = 0x2B
    t.regs_dirty = True
    return True
    # LAB signal: starter
    #> # The starter keeps the interrupted registers and signal mask in the
    #> # kernel, not in a frame on the user's stack: the handler gets no
    #> # siginfo or ucontext, its FP state is not saved, it runs on the
    #> # normal stack, and only one handler can be running at a time.
    #> import ctypes
    #> import struct
    #> from kernel.signal import SA_RESTORER
    #> from mm.uaccess import copy_to_user
    #> if not ka.flags & SA_RESTORER:
    #>     return False
    #> regs = t.regs
    #> saved = ctypes.create_string_buffer(ctypes.sizeof(regs))
    #> ctypes.memmove(saved, ctypes.addressof(regs), ctypes.sizeof(regs))
    #> t.lab_signal_saved = (saved, oldset)
    #> sp = ((regs.rsp - 128) & ~15) - 8            # below the red zone; aligned as a call
    #> try:
    #>     copy_to_user(t.mm, sp, struct.pack("<Q", ka.restorer))
    #> except Errno:
    #>     return False
    #> regs.rdi, regs.rsi, regs.rdx, regs.rax = sig, 0, 0, 0
    #> regs.rsp = sp
    #> regs.rip = ka.handler
    #> t.regs_dirty = True
    #> return True
    # LAB signal: end


def sys_rt_sigreturn(t):
    """Restore what setup_rt_frame saved; the return value is the old rax."""
    # LAB signal: begin
    regs = t.regs
    uc_addr = regs.rsp
    try:
        raw = copy_from_user(t.mm, uc_addr, UCONTEXT_SIZE)
        uc = ucontext.parse(raw)
        mc = uc.uc_mcontext
        xstate = None
        if mc.fpstate:
            xstate = image_from_frame(t, mc.fpstate)
    except Errno:
        force_sig(t, SIGSEGV)
        return 0
    for n in GREGS:
        setattr(regs, n, getattr(mc, n))
    # only the flags a user may change, as Linux's FIX_EFLAGS
    regs.eflags = (regs.eflags & ~0x50DD5) | (mc.eflags & 0x50DD5)
    regs.cs = 0x33
    regs.ss = 0x2B
    regs.orig_rax = (1 << 64) - 1
    t.regs_dirty = True
    set_current_blocked(t, uc.uc_sigmask)
    _restore_altstack(t, uc.uc_stack)
    if xstate is not None:
        set_xstate(t, xstate)
    t.in_syscall = None                             # never restart this
    v = regs.rax
    return v - (1 << 64) if v & (1 << 63) else v
    # LAB signal: starter
    #> import ctypes
    #> from kernel.signal import SIGSEGV, force_sig, set_current_blocked
    #> saved = getattr(t, "lab_signal_saved", None)
    #> if saved is None:
    #>     force_sig(t, SIGSEGV)
    #>     return 0
    #> t.lab_signal_saved = None
    #> regs = t.regs
    #> ctypes.memmove(ctypes.addressof(regs), saved[0], ctypes.sizeof(regs))
    #> regs.orig_rax = (1 << 64) - 1
    #> t.regs_dirty = True
    #> set_current_blocked(t, saved[1])
    #> t.in_syscall = None                         # never restart this
    #> v = regs.rax
    #> return v - (1 << 64) if v & (1 << 63) else v
    # LAB signal: end


def _restore_altstack(t, st):
    try:
        do_sigaltstack(t, st.ss_sp, st.ss_flags, st.ss_size, t.regs.rsp)
    except Errno:
        pass
