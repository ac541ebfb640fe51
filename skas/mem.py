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

and the stub's subarch decides the host syscall numbers.
"""

import os
import struct

from mm import physmem as _pm

MAP_SHARED_FIXED = 0x11

_HOST_NR = {
    64: {"mmap": 9, "munmap": 11, "mprotect": 10, "fork": 57},
    32: {"mmap": 192, "munmap": 91, "mprotect": 125, "fork": 2},   # mmap2
}

_REC = struct.Struct("<8Q")


class StubError(Exception):
    """A host call in the stub failed, or the stub stopped unexpectedly.
    The mm is unusable; its tasks must die."""


def encode(stub, op):
    nrs = _HOST_NR[stub.elfclass]
    kind = op[0]
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
    raise ValueError(op)


def write_batch(ctx, ops):
    """Encode ops into ctx's data pages, zero-terminated.  Returns the count."""
    stub = ctx.stub
    if len(ops) > stub.max_records:
        raise ValueError("batch too long")
    mem = _pm.physmem.mem
    off = ctx.data_off + stub.off_batch
    for op in ops:
        _REC.pack_into(mem, off, *encode(stub, op), 0x7FFFFFFFFFFFFFFF)
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
