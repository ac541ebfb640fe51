"""Random arguments into the I/O system calls must never oops the kernel,
hang it, or leave a host process behind (tests/guest/iofuzz.c)."""

import pytest

from test_tty import run_with_ttys
from conftest import guest


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_io_calls_never_oops(seed):
    r = run_with_ttys(guest("iofuzz", "musl"), [seed, 12, 150], timeout=240)
    log = r.stderr.decode(errors="replace")
    assert "Oops" not in log and "Traceback" not in log, log[-4000:]
    assert r.status == 0, log[-2000:]
    assert "iofuzz: 12 batches" in r.out
