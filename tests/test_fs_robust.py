"""Robustness: file-system calls with awkward arguments (bad pointers,
huge sizes, odd flags, stray descriptors) must each get a result or an
errno - never an oops, a hang or a dead kernel.  Hypothesis picks the
seeds of the guest's generator (tests/guest/fsfuzz.c)."""

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import guest, run


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(min_value=1, max_value=2**32), libc=st.sampled_from(["musl", "glibc"]))
def test_fs_calls_with_awkward_arguments(seed, libc):
    r = run(guest("fsfuzz", libc), [seed, 2500], timeout=120)
    log = r.stderr.decode(errors="replace")
    assert "Oops" not in log and "Traceback" not in log, log
    assert r.status == 0 and r.out.endswith("survived 2500 calls\n"), (r.status, r.out[-200:], log)
