"""Robustness of the process, signal, futex, time, limit and pipe system
calls: random arguments (tests/guest/procfuzz.c) get results or errnos,
never a kernel oops, a hang or a stray host process."""

import pytest

from conftest import guest, run


@pytest.mark.parametrize("seed", [1, 2, 4, 8])
def test_fuzzed_calls_never_oops(seed):
    r = run(guest("procfuzz", "musl"), [seed, 6000], timeout=120)
    log = r.stderr.decode(errors="replace")
    assert "Oops" not in log and "Traceback" not in log and "BUG" not in log, log
    assert r.status == 0, log
    assert r.out.startswith("fuzzed 6000 calls"), r.out
