"""skas/fpu.py - a guest thread's FP/SSE/AVX state (the xsave area).

While a thread is loaded in its host process, its FP state lives in the
host CPU and is read or written with PTRACE_GETREGSET/SETREGSET
(NT_X86_XSTATE).  Threads of one mm share the host process, so switching
between them saves the outgoing thread's area into task.fpstate and loads
the incoming one's (skas/userspace.py).
"""

import ctypes

from skas import ptrace

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
    ctx = t.mm.context if t.mm is not None else None
    return ctx is not None and ctx.loaded_task is t


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
