"""skas/fpu.py - a guest thread's FP/SSE/AVX state (the xsave area).

While a thread is loaded in its host process, its FP state lives in the
host CPU and is read or written with PTRACE_GETREGSET/SETREGSET
(NT_X86_XSTATE).  Threads of one mm share the host process, so switching
between them saves the outgoing thread's area into task.fpstate and loads
the incoming one's (skas/userspace.py).
"""

import ctypes
import struct

from skas import ptrace
from mm.uaccess import copy_from_user

_XSTATE_MAX = 16384
_buf = (ctypes.c_char * _XSTATE_MAX)()
_size = {}


def _read(pid):
    n = ptrace.getregset(pid, ptrace.NT_X86_XSTATE, _buf)
    return bytes(_buf[:n])


def _write(pid, data):
    ctypes.memmove(_buf, data, len(data))
    ptrace.setregset(pid, ptrace.NT_X86_XSTATE, _buf, len(data))


def loaded(t):
    """Whether t's FP state is the one in its host thread."""
    ctx = t.mm.context if t.mm is not None else None
    return ctx is not None and ctx.fpu_task is t


def xstate_size(t):
    ctx = t.mm.context
    key = ctx.stub.elfclass
    if key not in _size:
        _size[key] = len(_read(ctx.pid))
    return _size[key]


def get_xstate(t):
    """t's FP state as bytes (the host's xsave layout)."""
    if loaded(t) or t.fpstate is None:
        data = _read(t.mm.context.pid)
        if not loaded(t):
            # t has never run: it starts from the state it was cloned with
            t.fpstate = data
        return data
    return t.fpstate


def set_xstate(t, data):
    if loaded(t):
        n = xstate_size(t)
        if len(data) < n:
            cur = bytearray(_read(t.mm.context.pid))
            cur[:len(data)] = data
            if len(data) <= 512:
                # a legacy image: only x87/SSE in xstate_bv
                cur[512:520] = (3).to_bytes(8, "little")
            data = bytes(cur)
        _write(t.mm.context.pid, data[:n])
    else:
        t.fpstate = data


def save_fpu(t):
    """t is being switched out of its host process."""
    t.fpstate = _read(t.mm.context.pid)


def restore_fpu(t):
    if t.fpstate is not None:
        _write(t.mm.context.pid, t.fpstate)


def init_image(cur):
    """The xsave image of a freshly initialised FPU (what a signal handler
    starts with on Linux): x87 control word 0x37f, MXCSR 0x1f80, every
    register zero.  cur supplies the layout-dependent bytes (MXCSR_MASK and
    the software-reserved words)."""
    img = bytearray(len(cur))
    img[0:2] = (0x37F).to_bytes(2, "little")            # FCW
    img[24:28] = (0x1F80).to_bytes(4, "little")         # MXCSR
    img[28:32] = cur[28:32]                             # MXCSR_MASK
    img[464:512] = cur[464:512]                         # sw_reserved
    if len(img) > 520:
        img[512:520] = (3).to_bytes(8, "little")        # XSTATE_BV: x87, SSE
    return bytes(img)


def clear_user_states(t, cur):
    """Give t a clean FP state (cur: its current image, already saved)."""
    set_xstate(t, init_image(cur))


# -- the xsave image as x86 signal frames carry it -----------------------------
# Both subarches put the thread's xsave area in a signal frame.  Bytes
# 464..511 of it (fxsave's software-reserved part) say "an xsave image of
# this size follows" (Linux's struct _fpx_sw_bytes: MAGIC1, the extended
# size, the features, the xsave size) and MAGIC2 follows the area; without
# them rt_sigreturn restores only the legacy 512 bytes and the upper halves
# of the AVX registers are lost.  The host's ptrace image keeps XCR0 there.

FP_XSTATE_MAGIC1 = 0x46505853
FP_XSTATE_MAGIC2 = 0x46505845
_SW_BYTES = struct.Struct("<IIQI")
SW_OFF = 464


# AMX's tile data (xfeature 18, 8 KiB, the last of the standard layout) is
# a dynamic feature: Linux leaves it out of a signal frame unless the
# process asked for it (ARCH_REQ_XCOMP_PERM, which pyuml refuses), so that
# frames fit the alternate stacks programs size with SIGSTKSZ.
XFEATURE_XTILEDATA = 1 << 18
_XTILEDATA_SIZE = 8192


def _frame_features(xstate):
    """(the features a frame holds, its xsave area's size)."""
    (xcr0,) = struct.unpack_from("<Q", xstate, SW_OFF)
    if xcr0 & XFEATURE_XTILEDATA and len(xstate) > _XTILEDATA_SIZE + 576:
        return xcr0 & ~XFEATURE_XTILEDATA, len(xstate) - _XTILEDATA_SIZE
    return xcr0, len(xstate)


XFEATURE_MASK_FPSSE = 0x3


def frame_image(xstate):
    """The ptrace xsave image turned into what a signal frame holds (the
    software words filled in, AMX's tile data left out, MAGIC2 appended)."""
    features, size = _frame_features(xstate)
    img = bytearray(xstate[:size])
    img[SW_OFF:512] = _SW_BYTES.pack(FP_XSTATE_MAGIC1, size + 4, features,
                                     size).ljust(512 - SW_OFF, b"\0")
    if size > 520:
        # XSTATE_BV; FP and SSE always marked in use, as Linux's
        # save_xstate_epilog does, so that a handler's edits of the legacy
        # area (or of the i386 fsave header folded into it) are restored
        # even when the CPU had x87/SSE in their initial state and left
        # the bits clear
        (bv,) = struct.unpack_from("<Q", img, 512)
        struct.pack_into("<Q", img, 512, (bv & features) | XFEATURE_MASK_FPSSE)
    return bytes(img) + struct.pack("<I", FP_XSTATE_MAGIC2)


def image_from_frame(t, addr):
    """The xsave image a frame holds at addr, back in the ptrace layout: the
    whole area if the software words and MAGIC2 vouch for it, else the
    512-byte fxsave part (Linux's check_xstate_in_sigframe)."""
    n = xstate_size(t)
    fx = bytearray(copy_from_user(t.mm, addr, 512))
    magic1, ext, xfeatures, size = _SW_BYTES.unpack_from(fx, SW_OFF)
    if magic1 == FP_XSTATE_MAGIC1 and 576 <= size <= n and size <= ext and \
            struct.unpack("<I", copy_from_user(t.mm, addr + size, 4))[0] == FP_XSTATE_MAGIC2:
        # the rest (AMX's tile data) is in its initial state: zeroes
        fx += copy_from_user(t.mm, addr + 512, size - 512) + bytes(n - size)
    fx[SW_OFF:512] = struct.pack("<Q", xfeatures if magic1 == FP_XSTATE_MAGIC1 else 0) \
        .ljust(512 - SW_OFF, b"\0")
    return bytes(fx)
