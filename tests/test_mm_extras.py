"""memfd_create and seals, mincore and the mlock family, fadvise64 and
readahead, membarrier, scheduling policies and I/O priorities, and the
i386-only statfs64/fstatfs64 and old readdir: each a guest program whose
output and exit status must equal the host kernel's, as 64-bit programs
(musl and glibc) and as i386 ones (glibc, static and dynamic)."""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import differential, guest, run
from test_fuzz import hostile, records
from test_i386 import LIBS32, files32

LIBS = ["musl", "glibc"]


@pytest.mark.parametrize("libc", LIBS)
def test_memfd_and_seals(libc):
    n, u = differential(guest("memfd", libc))
    assert "fd link: /memfd:test (deleted)" in u.out
    assert "map: rw-s 3 pages '/memfd:test (deleted)'" in u.out
    assert "parent: map C file c" in u.out                  # shared with a child
    assert "fcntl(fd, F_GET_SEALS) = 15" in u.out
    assert "running from memory as from-memfd: exe /memfd:exe (deleted)" in u.out


@pytest.mark.parametrize("libc", LIBS)
def test_mincore_and_mlock(libc):
    n, u = differential(guest("mincore", libc))
    assert "wrote 0 3 5: 1001010000000000" in u.out
    assert "mlock 0..3 (unaligned): 1111000000000000" in u.out
    assert "child VmLck 0 kB" in u.out


@pytest.mark.parametrize("libc", LIBS + ["glibc32"])
def test_guard_pages(libc):
    """MADV_GUARD_INSTALL/REMOVE: SIGSEGV, EFAULT, kept by DONTNEED and
    fork, cleared by REMOVE and munmap, shown by mincore and pagemap."""
    n, u = differential(guest("guardpages", libc))
    assert "write page 3: signal 11 code 1 at page 3" in u.out
    assert "child, read page 2: signal 11 code 1 at page 2" in u.out
    assert "after install: pagemap present 1 1 0 0 1 1 1 1 guard 0 0 1 1 0 0 0 0" in u.out


@pytest.mark.parametrize("libc", LIBS)
def test_fadvise_readahead_membarrier(libc):
    n, u = differential(guest("advice", libc))
    assert "membarrier(0, 0, 0) = 1023" in u.out


@pytest.mark.parametrize("libc", LIBS)
def test_sched_policies_and_ioprio(libc):
    n, u = differential(guest("schedprio", libc))
    assert "child after reset-on-fork: policy 0 prio 0" in u.out


@pytest.mark.parametrize("libc", LIBS32)
@pytest.mark.parametrize("prog", ["memfd", "mincore", "advice", "schedprio"])
def test_extras32(prog, libc):
    differential(guest(prog, libc), files=files32(libc))


def test_statfs64_and_old_readdir_i386(tmp_path):
    n, u = differential(guest("old32", "i386"), [str(tmp_path / "dir")])
    assert "sizeof struct statfs64: 84" in u.out
    assert "5 entries: . .. a-much-longer-file-name.txt alpha subdir" in u.out
    assert "length or inode mismatches: 0" in u.out


# -- hostile arguments: errnos, never an oops -----------------------------------------

NEW_CALLS = [27, 149, 150, 151, 152, 325, 319, 221, 187, 324, 142, 143, 144, 145, 148,
             251, 252, 72]      # ... and fcntl, for the seal commands


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.tuples(st.sampled_from(NEW_CALLS), st.one_of(st.integers(0, 6), hostile),
                                hostile, hostile, hostile, hostile, hostile),
                      min_size=1, max_size=40))
def test_new_calls_with_hostile_arguments_never_oops(tmp_path_factory, calls):
    path = tmp_path_factory.mktemp("fuzz") / "calls.bin"
    data = records(calls)
    r = run(guest("sysfuzz", "musl"), [str(path)], files={str(path): data}, timeout=60,
            quiet=False)
    log = r.stderr.decode(errors="replace")
    bad = [line for line in log.splitlines() if "Oops" in line or "Traceback" in line
           or ("panic" in line and "Attempted to kill init" not in line)]
    assert not bad, log[-3000:]
    assert r.status != 128 + 9, (r.status, r.out[-500:])


# i386 numbers: mincore, mlock, munlock, mlockall, munlockall, mlock2, memfd_create,
# fadvise64, fadvise64_64, readahead, membarrier, sched_setparam/getparam/
# setscheduler/getscheduler/rr_get_interval(+_time64), ioprio_set/get, statfs64,
# fstatfs64, readdir, fcntl64, sendfile, sendfile64
NEW_CALLS32 = [218, 150, 151, 152, 153, 376, 356, 250, 272, 225, 375, 154, 155, 156, 157,
               161, 423, 289, 290, 268, 269, 89, 221, 187, 239]
@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.tuples(st.sampled_from(NEW_CALLS32), st.one_of(st.integers(0, 6), hostile),
                                hostile, hostile, hostile, hostile, hostile),
                      min_size=1, max_size=40))
def test_new_i386_calls_with_hostile_arguments_never_oops(tmp_path_factory, calls):
    path = tmp_path_factory.mktemp("fuzz") / "calls.bin"
    data = records(calls)
    r = run(guest("sysfuzz32", "i386"), [str(path)], files={str(path): data}, timeout=60,
            quiet=False)
    log = r.stderr.decode(errors="replace")
    bad = [line for line in log.splitlines() if "Oops" in line or "Traceback" in line
           or ("panic" in line and "Attempted to kill init" not in line)]
    assert not bad, log[-3000:]
    assert r.status != 128 + 9, (r.status, r.out[-500:])
    assert "done after %d calls" % len(calls) in r.out or r.status != 0, r.out[-500:]
