"""Generated system call sequences: the host kernel is the reference.

sysfuzz (tests/guest/sysfuzz.c) runs a list of raw system calls and prints
each result.  For the memory-management calls, whose results do not depend
on anything outside the process, the list is run natively and under pyuml
and the outputs must be equal, call by call, including which pages of the
scratch region end up mapped.  For a wider set of calls with hostile
arguments the kernel must simply stay up: errnos, never an oops.
"""

import os
import struct

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import differential, guest, run

PAGE = 4096
SCRATCH_PAGES = 64


def scratch(off):
    return (0xA5 << 56) | off


def buf(off):
    return (0xA5 << 56) | (1 << 48) | off


page_addr = st.integers(0, SCRATCH_PAGES + 8).map(lambda p: scratch(p * PAGE))
any_addr = st.one_of(page_addr, st.integers(0, SCRATCH_PAGES * PAGE).map(scratch),
                     st.sampled_from([0, 1, 0x1000, 0x7FFFFFFFF000, 0xFFFFFFFFFFFFF000,
                                      0xFFFF800000000000]))
length = st.one_of(st.integers(0, 12).map(lambda n: n * PAGE), st.integers(0, 20000),
                   st.sampled_from([1 << 62, 0xFFFFFFFFFFFFF000]))
prot = st.one_of(st.integers(0, 7), st.integers(0, 0xFF))
MAP_FLAGS = [0x01, 0x02, 0x03, 0x10, 0x20, 0x100, 0x4000, 0x100000, 0x40, 0x800]
mflags = st.lists(st.sampled_from(MAP_FLAGS), max_size=4).map(lambda fs: sum(set(fs)))

mmap_call = st.tuples(st.just(9), any_addr, length, prot,
                      st.one_of(mflags.map(lambda f: f | 0x22 if f & 3 == 0 else f | 0x20), mflags),
                      st.sampled_from([-1 & 0xFFFFFFFFFFFFFFFF, 5, 1000]),
                      st.sampled_from([0, PAGE, 1]))
munmap_call = st.tuples(st.just(11), any_addr, length, st.just(0), st.just(0), st.just(0), st.just(0))
mprotect_call = st.tuples(st.just(10), any_addr, length, prot, st.just(0), st.just(0), st.just(0))
mremap_call = st.tuples(st.just(25), page_addr, length, length, st.integers(0, 7), page_addr,
                        st.just(0))
mm_calls = st.lists(st.one_of(mmap_call, munmap_call, mprotect_call, mremap_call),
                    min_size=1, max_size=25)


def records(calls):
    return b"".join(struct.pack("<8Q", *[v & 0xFFFFFFFFFFFFFFFF for v in c], 0) for c in calls)


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "30")), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(calls=mm_calls)
# found by the search: a moving mremap that shrinks a range reaching past
# its mapping (Linux unmaps the tail first, then checks what is left)
@example(calls=[(9, scratch(0), 8192, 0, 34, (1 << 64) - 1, 0),
                (25, scratch(PAGE), 8192, 4096, 3, scratch(0), 0)])
def test_mm_calls_match_the_host(tmp_path_factory, calls):
    path = tmp_path_factory.mktemp("fuzz") / "calls.bin"
    path.write_bytes(records(calls))
    differential(guest("sysfuzz", "musl"), [str(path), str(SCRATCH_PAGES + 8)],
                 files={str(path): records(calls)})


# -- a wider set of calls, hostile arguments: the kernel must stay up ---------------

SAFE = [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 16, 17, 18, 19, 20, 21, 25, 28, 32, 33, 39,
        63, 72, 74, 75, 76, 77, 78, 79, 80, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 95,
        96, 97, 98, 99, 100, 102, 104, 107, 108, 110, 111, 115, 118, 120, 121, 124, 131,
        137, 138, 157, 160, 186, 201, 217, 228, 229, 257, 258, 262, 263, 264, 265, 266, 267,
        268, 269, 270, 271, 273, 274, 280, 292, 293, 295, 296, 302, 318, 332, 334, 434, 435,
        438, 439]
hostile = st.one_of(st.integers(0, 1 << 64 - 1), st.sampled_from([0, 1, 2, 3, 0xFFFFFFFF,
                                                                   0xFFFFFFFFFFFFFFFF, 1 << 63]),
                    st.integers(0, 4096).map(buf), page_addr)
wide_calls = st.lists(st.tuples(st.sampled_from(SAFE), hostile, hostile, hostile, hostile,
                                hostile, hostile), min_size=1, max_size=40)


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "25")), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(calls=wide_calls)
def test_hostile_arguments_never_oops(tmp_path_factory, calls):
    path = tmp_path_factory.mktemp("fuzz") / "calls.bin"
    data = records(calls)
    path.write_bytes(data)
    r = run(guest("sysfuzz", "musl"), [str(path)], files={str(path): data}, timeout=60,
            quiet=False)
    log = r.stderr.decode(errors="replace")
    bad = [line for line in log.splitlines() if "Oops" in line or "Traceback" in line
           or ("panic" in line and "Attempted to kill init" not in line)]
    assert not bad, log[-3000:]
    # the calls may close its stdout or kill it with a signal of its own
    # making (SIGSEGV after munmapping itself, SIGXFSZ...); SIGKILL would
    # mean the kernel gave up on it
    assert r.status != 128 + 9, (r.status, r.out[-500:])
