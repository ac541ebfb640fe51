"""skas/host_vdso.py - keeping the host's vDSO in every x86_64 host process.

The host kernel maps its vDSO (code) and vvar pages (the clock data that
code reads) into every process, the exec'd stub included, wherever it likes
- usually inside what is our guest range.  Rather than drop them with the
rest of the host's mappings, the template's stub_init first moves them, by
mremap records the kernel writes into its batch (arch/x86_64/stub.S), into
a window just above the stub (stub_host_vdso .. stub_host_vdso_end,
linker/stub.lds).  Every later host process is forked from a stub and
inherits them there.

Reading the clock through them needs no system call: the guest's own vDSO
(arch/x86_64/vdso.S) jumps to the host's clock_gettime, gettimeofday and
time.  The pieces are moved keeping their distances, because the vDSO code
finds its vvar pages relative to itself.  The window is outside the guest's
range and outside the stub, so a guest cannot map over it, and a system
call the host's vDSO falls back to is an ordinary guest system call
(PTRACE_SYSEMU sees it first).

If anything is unexpected (no vDSO, pieces that do not fit, an mremap the
host refuses), the window stays empty and the guest's vDSO makes real
system calls instead.
"""

import ctypes
import io

from elftools.elf.elffile import ELFFile

from mm import physmem as _pm

MREMAP_MAYMOVE, MREMAP_FIXED = 1, 2
NR_MREMAP = 25                      # x86_64

# what the guest's vDSO forwards, by the host vDSO's symbol names
FORWARDED = ("__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time")

base = None                         # the host vDSO's address in our host processes
_offsets = None                     # symbol -> offset from the host vDSO's start


def _special_mappings(pid):
    """[(start, end, name)] of the vDSO and vvar mappings of a host process."""
    out = []
    with open("/proc/%s/maps" % pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and (parts[5] == "[vdso]" or parts[5].startswith("[vvar")):
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                out.append((lo, hi, parts[5]))
    return out


def host_symbol_offsets():
    """Offsets of FORWARDED in the host's vDSO image, read from our own
    process (the image is the same in every process of this host kernel)."""
    global _offsets
    if _offsets is None:
        _offsets = {}
        try:
            vdso = [m for m in _special_mappings("self") if m[2] == "[vdso]"]
            if vdso:
                lo, hi, _ = vdso[0]
                elf = ELFFile(io.BytesIO(ctypes.string_at(lo, hi - lo)))
                load = min(s["p_vaddr"] for s in elf.iter_segments() if s["p_type"] == "PT_LOAD")
                dynsym = elf.get_section_by_name(".dynsym")
                for s in dynsym.iter_symbols():
                    if s.name in FORWARDED and s["st_value"]:
                        _offsets[s.name] = s["st_value"] - load
        except Exception:           # no vDSO we can read: forward nothing
            _offsets = {}
    return _offsets


def plan_moves(pid, stub):
    """The mremap records that move pid's vDSO and vvar pages into the
    stub's window, and where the vDSO will be; ([], None) if they cannot."""
    pieces = _special_mappings(pid)
    if not any(name == "[vdso]" for _, _, name in pieces):
        return [], None
    lo = min(p[0] for p in pieces)
    hi = max(p[1] for p in pieces)
    if hi - lo > stub.host_vdso_end - stub.host_vdso:
        return [], None
    delta = stub.host_vdso - lo
    records = [(NR_MREMAP, a, b - a, b - a, MREMAP_MAYMOVE | MREMAP_FIXED, a + delta)
               for a, b, _ in pieces]
    vdso = [a for a, _, name in pieces if name == "[vdso]"][0] + delta
    return records, vdso


def write_records(ctx_data_off, stub, records):
    """Put records (and the terminating zero record) into a data page."""
    q = _pm.physmem.q
    at = (ctx_data_off + stub.off_batch) >> 3
    step = stub.record_size >> 3
    for i, rec in enumerate(records):
        for j, v in enumerate(rec):
            q[at + i * step + j] = v
        q[at + i * step + 7] = 0
    q[at + len(records) * step] = 0


def moved(ctx_data_off, stub, records):
    """Did every record return its target address?"""
    q = _pm.physmem.q
    at = (ctx_data_off + stub.off_batch) >> 3
    step = stub.record_size >> 3
    ok = all(q[at + i * step + 7] == rec[5] for i, rec in enumerate(records))
    for i in range(len(records) + 1):
        q[at + i * step] = 0
    return ok
