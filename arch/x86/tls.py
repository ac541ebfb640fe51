"""arch/x86/tls.py - set_thread_area, get_thread_area: i386 thread-local storage.

32-bit code reaches its thread's data through a segment register: libc asks
the kernel for a TLS descriptor (set_thread_area with entry_number -1: "any
free one"), loads %gs with its selector, and %gs:0 is then the thread
pointer.  Each thread has three such descriptors, which the kernel puts in
the CPU's GDT when it runs the thread.  On an x86_64 host they are GDT
entries 12..14 (a 32-bit program natively gets %gs = 12 << 3 | 3 = 0x63),
and the guest's must be the host's very entries, since the guest's %gs
loads happen on the host CPU.

So each task keeps its three descriptors (task.tls_array, None for "all
empty"), and the host thread of its mm holds those of the task loaded in
it: written with PTRACE_SET_THREAD_AREA when the task changes them and when
another thread of the mm is switched in (load_tls, called by
skas/userspace.py).  A new host process (fork, exec) starts with unknown
entries, so its first load writes all three.

A descriptor is stored the way the guest reads it back (get_thread_area):
the fields of struct user_desc after Linux's fill_ldt/fill_user_desc round
trip, or None when empty.
"""

import struct

from kernel.errno import EINVAL, ESRCH, Errno
from kernel import sched
from mm.uaccess import copy_from_user, copy_to_user, get_user_u32, put_user_u32
from skas import ptrace
from skas.userspace import fetch_regs

GDT_ENTRY_TLS_MIN = 12
GDT_ENTRY_TLS_ENTRIES = 3
GDT_ENTRY_TLS_MAX = GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES - 1

# struct user_desc: entry_number, base_addr, limit, then a word of bit fields
_USER_DESC = struct.Struct("<IIII")
SEG_32BIT, CONTENTS_SHIFT, READ_EXEC_ONLY = 1 << 0, 1, 1 << 3
LIMIT_IN_PAGES, SEG_NOT_PRESENT, USEABLE, LM = 1 << 4, 1 << 5, 1 << 6, 1 << 7

# how an empty descriptor reads back: read_exec_only and seg_not_present
_EMPTY_FLAGS = READ_EXEC_ONLY | SEG_NOT_PRESENT


class Desc:
    """One TLS descriptor as struct user_desc fields (entry number aside)."""
    __slots__ = ("base", "limit", "flags")

    def __init__(self, base, limit, flags):
        self.base, self.limit, self.flags = base, limit, flags

    def __eq__(self, other):
        return isinstance(other, Desc) and (self.base, self.limit, self.flags) == \
            (other.base, other.limit, other.flags)

    def pack(self, idx):
        return _USER_DESC.pack(idx, self.base, self.limit, self.flags)


def empty_user_desc(idx):
    return _USER_DESC.pack(idx, 0, 0, _EMPTY_FLAGS)


def parse_user_desc(raw):
    """(entry_number, Desc or None) from a guest's struct user_desc; EINVAL
    for what Linux's tls_desc_okay refuses."""
    idx, base, limit, flags = _USER_DESC.unpack(raw)
    flags &= 0xFF
    empty = base == 0 and limit == 0 and flags & ~LM == _EMPTY_FLAGS   # LDT_empty
    zero = base == 0 and limit == 0 and flags & ~LM == 0               # LDT_zero
    if empty or zero:
        return idx, None
    if not flags & SEG_32BIT:
        raise Errno(EINVAL)                         # 16-bit segments need espfix
    if (flags >> CONTENTS_SHIFT) & 3 > 1:
        raise Errno(EINVAL)                         # data segments only
    if flags & SEG_NOT_PRESENT:
        raise Errno(EINVAL)
    # what survives the trip through a GDT descriptor: a 20-bit limit, no
    # long-mode bit
    return idx, Desc(base, limit & 0xFFFFF, flags & ~LM)


def _idx_of(v):
    return v - (1 << 32) if v & 0x80000000 else v


def tls_array(t):
    return t.tls_array or [None] * GDT_ENTRY_TLS_ENTRIES


def _install(t, idx, desc):
    """Make desc t's TLS entry idx, and the host's if t's mm holds t's."""
    arr = tls_array(t)
    arr[idx - GDT_ENTRY_TLS_MIN] = desc
    t.tls_array = arr if any(arr) else None
    # a segment register already naming the entry follows it (Linux does
    # the same in do_set_thread_area)
    sel = (idx << 3) | 3
    base = desc.base if desc is not None else 0
    regs = t.regs
    if regs.fs == sel:
        regs.fs_base = base
        t.regs_dirty = True
    if regs.gs == sel:
        regs.gs_base = base
        t.regs_dirty = True
    ctx = t.mm.context if t.mm is not None else None
    if ctx is not None and not ctx.dead and ctx.tls_task is t:
        _write_host(ctx, idx, desc)


def _write_host(ctx, idx, desc):
    raw = desc.pack(idx) if desc is not None else empty_user_desc(idx)
    ptrace.set_thread_area(ctx.pid, idx, raw)
    ctx.tls_loaded[idx - GDT_ENTRY_TLS_MIN] = desc


def load_tls(ctx, t):
    """Make the host thread of ctx hold t's TLS descriptors (t is being
    switched in).  Free when it already does."""
    if ctx.tls_task is t:
        return
    want = tls_array(t)
    have = ctx.tls_loaded
    if have is None:
        have = ctx.tls_loaded = [False] * GDT_ENTRY_TLS_ENTRIES   # unknown
    for i, desc in enumerate(want):
        if have[i] is False or have[i] != desc:
            _write_host(ctx, GDT_ENTRY_TLS_MIN + i, desc)
    ctx.tls_task = t


def copy_thread(c, t):
    """fork/clone: the child starts with its parent's descriptors."""
    arr = t.tls_array
    c.tls_array = list(arr) if arr else None


def set_tls(c, tls):
    """clone(CLONE_SETTLS): on i386 tls points to a struct user_desc for
    the child (Linux: set_new_tls -> do_set_thread_area)."""
    parent = sched.current                  # the descriptor is in its memory
    idx, desc = parse_user_desc(copy_from_user(parent.mm, tls, 16))
    idx = _idx_of(idx)
    if idx == -1:
        raise Errno(EINVAL)
    if not GDT_ENTRY_TLS_MIN <= idx <= GDT_ENTRY_TLS_MAX:
        raise Errno(EINVAL)
    _install(c, idx, desc)


# -- system calls ------------------------------------------------------------------

def sys_set_thread_area(t, u_info):
    idx, desc = parse_user_desc(copy_from_user(t.mm, u_info, 16))
    idx = _idx_of(idx)
    if idx == -1:
        arr = tls_array(t)
        free = [i for i, d in enumerate(arr) if d is None]
        if not free:
            return -ESRCH
        idx = GDT_ENTRY_TLS_MIN + free[0]
        put_user_u32(t.mm, u_info, idx)
    if not GDT_ENTRY_TLS_MIN <= idx <= GDT_ENTRY_TLS_MAX:
        return -EINVAL
    fetch_regs(t)
    if t.mm.context is not None:
        load_tls(t.mm.context, t)
    _install(t, idx, desc)
    return 0


def sys_get_thread_area(t, u_info):
    idx = _idx_of(get_user_u32(t.mm, u_info))
    if not GDT_ENTRY_TLS_MIN <= idx <= GDT_ENTRY_TLS_MAX:
        return -EINVAL
    desc = tls_array(t)[idx - GDT_ENTRY_TLS_MIN]
    copy_to_user(t.mm, u_info, desc.pack(idx) if desc is not None else empty_user_desc(idx))
    return 0
