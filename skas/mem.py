"""skas/mem.py - run_syscall_stub: change a host address space in one batch.

The kernel writes (nr, args...) records into the mm's stub data pages and
lets the stub run them; the stub stops after the last one (or the first that
fails) and each result sits in its record.  One host round trip per batch,
however many records: fork and exec must never pay one per page.

Operations arrive here in a subarch-neutral form (mm/tlb.py makes them):

    ("mmap", addr, length, prot, physmem_offset)
    ("munmap", addr, length)
    ("mprotect", addr, length, prot)
    ("fork",)
    ("modify_ldt", func, struct user_desc bytes)     (arch/x86/ldt.py)
    ("prctl", option, arg), ("arch_prctl", code, arg)

and the stub's subarch decides the host syscall numbers.  A record that
needs bytes to point at (modify_ldt's user_desc) gets them in the data
page after the batch's terminating record.
"""

import os
import struct

from mm import physmem as _pm

MAP_SHARED_FIXED = 0x11

_HOST_NR = {
    64: {"mmap": 9, "munmap": 11, "mprotect": 10, "fork": 57, "modify_ldt": 154,
         "prctl": 157, "arch_prctl": 158},
    32: {"mmap": 192, "munmap": 91, "mprotect": 125, "fork": 2,    # mmap2
         "modify_ldt": 123, "prctl": 172, "arch_prctl": 384},
}

_REC = struct.Struct("<8Q")


class StubError(Exception):
    """A host call in the stub failed, or the stub stopped unexpectedly.
    The mm is unusable; its tasks must die."""


def encode(stub, op, scratch=0):
    nrs = _HOST_NR[stub.elfclass]
    kind = op[0]
    if kind == "modify_ldt":
        return (nrs["modify_ldt"], op[1], scratch, len(op[2]), 0, 0, 0)
    if kind == "mmap":
        _, addr, length, prot, offset = op
        if stub.elfclass == 32:
            offset >>= 12                       # mmap2 takes pages
        return (nrs["mmap"], addr, length, prot, MAP_SHARED_FIXED,
                stub.physmem_fd, offset)
    if kind == "munmap":
        return (nrs["munmap"], op[1], op[2], 0, 0, 0, 0)
    if kind == "mprotect":
        return (nrs["mprotect"], op[1], op[2], op[3], 0, 0, 0)
    if kind == "fork":
        return (nrs["fork"], 0, 0, 0, 0, 0, 0)
    if kind in ("prctl", "arch_prctl"):         # arch/x86/cpu_faulting.py
        return (nrs[kind], op[1], op[2], 0, 0, 0, 0)
    raise ValueError(op)


def write_batch(ctx, ops):
    """Encode ops into ctx's data pages, zero-terminated.  Returns the count."""
    stub = ctx.stub
    if len(ops) > stub.max_records:
        raise ValueError("batch too long")
    mem = _pm.physmem.mem
    off = ctx.data_off + stub.off_batch
    # payloads go after the terminator: its host address is in the record
    extra = stub.off_batch + 64 * (len(ops) + 1)
    for op in ops:
        scratch = 0
        if op[0] == "modify_ldt":
            payload = op[2]
            if extra + len(payload) > stub.data_size:
                raise ValueError("no room for the batch's data")
            mem[ctx.data_off + extra:ctx.data_off + extra + len(payload)] = payload
            scratch = stub.data + extra
            extra += (len(payload) + 7) & ~7
        _REC.pack_into(mem, off, *encode(stub, op, scratch), 0x7FFFFFFFFFFFFFFF)
        off += 64
    _REC.pack_into(mem, off, 0, 0, 0, 0, 0, 0, 0, 0)
    return len(ops)


def check_batch(ctx, ops):
    """Raise StubError if a record failed or did not run."""
    mem = _pm.physmem.mem
    off = ctx.data_off + ctx.stub.off_batch + 56
    results = []
    for op in ops:
        (res,) = struct.unpack_from("<Q", mem, off)
        if res == 0x7FFFFFFFFFFFFFFF:
            raise StubError("stub did not run %r" % (op,))
        if ctx.stub.elfclass == 32:
            res &= 0xFFFFFFFF
            err = res >= 0xFFFFF001
            sres = res - (1 << 32) if err else res
        else:
            err = res >= 0xFFFFFFFFFFFFF001
            sres = res - (1 << 64) if err else res
        if err:
            raise StubError("host %s failed in stub of pid %d: %s"
                            % (op, ctx.pid, os.strerror(-sres)))
        results.append(sres)
        off += 64
    return results


def run_syscall_stub(ctx, ops):
    """Run ops in ctx's host process; returns (results, new host pids).

    The host registers are clobbered: the caller's task must have its
    registers reloaded before it runs again (ctx.loaded_task is cleared).
    """
    results, children = [], []
    ops = list(ops)
    step = ctx.stub.max_records
    for i in range(0, len(ops), step) or [0]:
        chunk = ops[i:i + step]
        write_batch(ctx, chunk)
        ctx.enter_stub(ctx.stub.syscall_handler)
        children += ctx.wait_stub_trap()
        results += check_batch(ctx, chunk)
    return results, children
