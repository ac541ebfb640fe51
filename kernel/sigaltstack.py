"""kernel/sigaltstack.py - the alternate signal stack (sigaltstack(2))."""

import struct

from kernel.errno import EINVAL, ENOMEM, EPERM, Errno
from mm.uaccess import copy_from_user, copy_to_user

SS_ONSTACK, SS_DISABLE, SS_AUTODISARM = 1, 2, 1 << 31
MINSIGSTKSZ = 2048


def on_sig_stack(t, sp):
    return t.sas_ss_size and t.sas_ss_sp < sp <= t.sas_ss_sp + t.sas_ss_size


def do_sigaltstack(t, ss_sp, ss_flags, ss_size, sp):
    if on_sig_stack(t, sp):
        raise Errno(EPERM)
    mode = ss_flags & ~SS_AUTODISARM
    if mode not in (0, SS_DISABLE, SS_ONSTACK):
        raise Errno(EINVAL)
    if mode == SS_DISABLE:
        t.sas_ss_sp = t.sas_ss_size = 0
        t.sas_ss_flags = SS_DISABLE
        return
    if ss_size < MINSIGSTKSZ:
        raise Errno(ENOMEM)
    t.sas_ss_sp = ss_sp
    t.sas_ss_size = ss_size
    t.sas_ss_flags = ss_flags & SS_AUTODISARM


def sys_sigaltstack(t, uss, uoss):
    bits = t.arch.BITS
    fmt = "<QiiQ" if bits == 64 else "<IiI"
    size = struct.calcsize(fmt)
    sp = t.arch.stack_pointer(t.regs)
    old = (t.sas_ss_sp, (SS_ONSTACK if on_sig_stack(t, sp) else
                         (SS_DISABLE if not t.sas_ss_size else 0)) | t.sas_ss_flags,
           t.sas_ss_size)
    if uss:
        raw = copy_from_user(t.mm, uss, size)
        if bits == 64:
            ss_sp, ss_flags, _, ss_size = struct.unpack(fmt, raw)
        else:
            ss_sp, ss_flags, ss_size = struct.unpack(fmt, raw)
        do_sigaltstack(t, ss_sp, ss_flags & 0xFFFFFFFF, ss_size, sp)
    if uoss:
        if bits == 64:
            copy_to_user(t.mm, uoss, struct.pack(fmt, old[0], old[1], 0, old[2]))
        else:
            copy_to_user(t.mm, uoss, struct.pack(fmt, old[0], old[1], old[2]))
    return 0
