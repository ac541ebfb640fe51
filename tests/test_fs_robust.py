"""Robustness: file-system calls with awkward arguments (bad pointers,
huge sizes, odd flags, stray descriptors) must each get a result or an
errno - never an oops, a hang or a dead kernel.  Hypothesis picks the
seeds of the guest's generator (tests/guest/fsfuzz.c)."""

import os
import shutil
import tempfile

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import boot, guest, run


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(min_value=1, max_value=2**32), libc=st.sampled_from(["musl", "glibc"]))
def test_fs_calls_with_awkward_arguments(seed, libc):
    r = run(guest("fsfuzz", libc), [seed, 2500], timeout=120)
    log = r.stderr.decode(errors="replace")
    assert "Oops" not in log and "Traceback" not in log, log
    assert r.status == 0 and r.out.endswith("survived 2500 calls\n"), (r.status, r.out[-200:], log)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(min_value=1, max_value=2**32))
def test_hostfs_calls_with_awkward_arguments(seed):
    """The same on a writable hostfs root: host errors become errnos, and
    nothing appears outside the directory given."""
    base = tempfile.mkdtemp(prefix="pyuml-fuzz-")
    try:
        root = os.path.join(base, "root")
        os.makedirs(os.path.join(root, "dev"))
        shutil.copy(guest("fsfuzz", "musl"), os.path.join(root, "prog"))
        r = boot(["quiet", "mem=128M", "root=/dev/root", "rootfstype=hostfs",
                  "rootflags=" + root, "rw", "init=/prog", "--", str(seed), "2000"], timeout=120)
        log = r.stderr.decode(errors="replace")
        assert "Oops" not in log and "Traceback" not in log, log
        assert r.status == 0 and r.out.endswith("survived 2000 calls\n"), (r.status, log)
        assert os.listdir(base) == ["root"]
    finally:
        shutil.rmtree(base, ignore_errors=True)
