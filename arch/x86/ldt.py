"""arch/x86/ldt.py - modify_ldt(2): a process's local descriptor table.

x86 code can reach memory through segments it describes itself: an LDT
entry holds a base, a limit and rights, and loading a selector with the LDT
bit (entry << 3 | 4 | 3, e.g. 7 for entry 0) into %fs or %gs makes the CPU
use it.  Those loads happen on the host CPU, so the descriptors must be in
the LDT of the guest's host process: each write is checked and encoded as
Linux does (fill_ldt), kept in the mm (mm.ldt, what func 0 reads back), and
then made by the host process itself - a modify_ldt record in its stub
batch (skas/mem.py), with the struct user_desc beside it in the stub's
data page.  The table is per address space, as on Linux: threads share it,
fork copies it (the host process's fork copies the host's too) and exec
starts empty (a new host process).

func 0 reads the table, 1 writes an entry the old way (a zero base and
limit clear it; no "available" bit), 0x11 the new way, 2 reads the
"default LDT" (zeros).  The value is an int that Linux returns as an
unsigned one: a 64-bit caller sees -EINVAL as 4294967274.
"""

import struct

from kernel.errno import EINVAL, ENOSYS, Errno
from mm.uaccess import copy_from_user, copy_to_user
from skas.mem import run_syscall_stub

LDT_ENTRIES, LDT_ENTRY_SIZE = 8192, 8
_USER_DESC = struct.Struct("<IIII")


def _fields(flags):
    return (flags & 1, (flags >> 1) & 3, (flags >> 3) & 1, (flags >> 4) & 1,
            (flags >> 5) & 1, (flags >> 6) & 1)


def fill_ldt(base, limit, flags, oldmode):
    """The 8-byte descriptor for a struct user_desc (Linux's fill_ldt)."""
    seg_32bit, contents, read_exec_only, limit_in_pages, seg_not_present, useable = _fields(flags)
    typ = ((read_exec_only ^ 1) << 1) | (contents << 2) | 1      # accessed, so it maps RO
    lo = (limit & 0xFFFF) | ((base & 0xFFFF) << 16)
    hi = (((base >> 16) & 0xFF) | (typ << 8) | (1 << 12) | (3 << 13)
          | ((seg_not_present ^ 1) << 15) | (((limit >> 16) & 0xF) << 16)
          | ((0 if oldmode else useable) << 20) | (seg_32bit << 22) | (limit_in_pages << 23)
          | (((base >> 24) & 0xFF) << 24))
    return struct.pack("<II", lo, hi)


def _ldt_empty(base, limit, flags):
    return base == 0 and limit == 0 and flags & 0x7F == (1 << 3) | (1 << 5)


def write_ldt(t, ptr, bytecount, oldmode):
    if bytecount != _USER_DESC.size:
        raise Errno(EINVAL)
    raw = copy_from_user(t.mm, ptr, _USER_DESC.size)
    entry, base, limit, flags = _USER_DESC.unpack(raw)
    if entry >= LDT_ENTRIES:
        raise Errno(EINVAL)
    contents, seg_not_present = (flags >> 1) & 3, (flags >> 5) & 1
    if contents == 3 and (oldmode or not seg_not_present):
        raise Errno(EINVAL)
    if (oldmode and not base and not limit) or _ldt_empty(base, limit, flags):
        desc = bytes(LDT_ENTRY_SIZE)
    else:
        desc = fill_ldt(base, limit, flags, oldmode)
    mm = t.mm
    table = bytearray(mm.ldt or b"")
    if len(table) < (entry + 1) * LDT_ENTRY_SIZE:
        table += bytes((entry + 1) * LDT_ENTRY_SIZE - len(table))
    table[entry * LDT_ENTRY_SIZE:(entry + 1) * LDT_ENTRY_SIZE] = desc
    # the host process makes the same entry in its own LDT
    run_syscall_stub(mm.context, [("modify_ldt", 1 if oldmode else 0x11, raw)])
    mm.ldt = bytes(table)
    return 0


def read_ldt(t, ptr, bytecount):
    table = t.mm.ldt
    if not table:
        return 0
    bytecount = min(bytecount, LDT_ENTRY_SIZE * LDT_ENTRIES)
    data = table[:bytecount]
    copy_to_user(t.mm, ptr, data + bytes(bytecount - len(data)))
    return bytecount


def read_default_ldt(t, ptr, bytecount):
    bytecount = min(bytecount, 128)     # a 64-bit kernel's size, for i386 programs too
    copy_to_user(t.mm, ptr, bytes(bytecount))
    return bytecount


def sys_modify_ldt(t, func, ptr, bytecount):
    func = func & 0xFFFFFFFF
    func = func - (1 << 32) if func & 0x80000000 else func
    if t.arch.BITS == 32:
        bytecount &= 0xFFFFFFFF
    try:
        if func == 0:
            ret = read_ldt(t, ptr, bytecount)
        elif func == 1:
            ret = write_ldt(t, ptr, bytecount, True)
        elif func == 2:
            ret = read_default_ldt(t, ptr, bytecount)
        elif func == 0x11:
            ret = write_ldt(t, ptr, bytecount, False)
        else:
            ret = -ENOSYS
    except Errno as e:
        ret = -e.errno
    # SYSCALL_DEFINE returns (unsigned int)ret: no sign extension to 64 bits
    return ret & 0xFFFFFFFF if t.arch.BITS == 64 and ret < 0 else ret

