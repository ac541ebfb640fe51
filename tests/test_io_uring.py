"""io_uring (io_uring/), differential against the host kernel: a program
that drives the rings by hand through the raw system calls - the offsets
io_uring_setup writes back and the rings mapped at them, NOP, READ/WRITE,
READV/WRITEV, FSYNC, fixed buffers and files, OPENAT/CLOSE, STATX, links,
an eventfd, POLL_ADD/POLL_REMOVE, a READ that waits for its pipe,
TIMEOUT, LINK_TIMEOUT, ASYNC_CANCEL, and the errnos of all three calls -
as 64-bit programs (musl, glibc) and i386 ones; a liburing program; and
hostile SQEs under pyuml alone."""

import os
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import differential, guest, run
from test_i386 import LIBS32, files32

MODES = ["setup", "rw", "poll", "errors", "life"]


def _check(u):
    assert "Oops" not in u.stderr.decode(errors="replace")


@pytest.mark.parametrize("libc", ["musl", "glibc"])
@pytest.mark.parametrize("mode", MODES)
def test_io_uring(libc, mode):
    n, u = differential(guest("iouring", libc), [mode])
    _check(u)
    assert "io_uring_setup:" not in u.out


@pytest.mark.parametrize("libc", LIBS32)
@pytest.mark.parametrize("mode", MODES)
def test_io_uring32(libc, mode):
    n, u = differential(guest("iouring", libc), [mode], files=files32(libc))
    _check(u)


def test_io_uring_results_are_the_requests():
    """The CQEs carry what the requests did: the data moved through the
    file, the poll's events, the timeout's ETIME."""
    n, u = differential(guest("iouring", "musl"), ["rw"])
    assert "read: io_uring!" in u.out
    assert "readv: [hello] [, io_uring!" in u.out
    assert "fixed read: HELL" in u.out
    assert "  cqe 19: Operation canceled" in u.out
    n, u = differential(guest("iouring", "musl"), ["poll"])
    assert "pipe read: late" in u.out
    assert "  cqe 3: Device timeout" in u.out         # musl's words for ETIME


def test_liburing_program():
    """A program written against liburing (Debian's liburing-dev), as its
    examples are: the library's own ring set-up, mmaps and barriers."""
    n, u = differential(guest("uringcp", "liburing"))
    _check(u)
    assert "copy: identical 1" in u.out
    assert "probe: the opcodes used are supported 1" in u.out


# -- hostile SQEs: the kernel answers in CQEs, never oopses, never hangs -------------

def _scratch(off):
    return 0xA5 << 56 | off


u64 = st.one_of(st.integers(0, (1 << 64) - 1), st.sampled_from([0, 1, 2, 0xFFFFFFFF, 1 << 63,
                                                                (1 << 64) - 1]),
                st.integers(0, (1 << 20) - 1).map(_scratch),
                st.sampled_from([_scratch(0), _scratch(256), _scratch(512), _scratch(4096)]))
u32 = st.one_of(st.integers(0, 0xFFFFFFFF), st.integers(0, 16))
sqes = st.lists(st.tuples(
    st.integers(0, 64),                                 # opcode (58+: none)
    st.one_of(st.just(0), st.integers(0, 0xFF)),        # flags
    st.one_of(st.just(0), st.integers(0, 0xFFFF)),      # ioprio
    st.integers(-2, 9),                                 # fd
    u64, u64, u32, u32,                                 # off addr len op_flags
    st.integers(0, 3),                                  # user_data
    st.integers(0, 3), st.integers(0, 2),               # buf_index personality
    u32, u64,                                           # file_index addr3
    st.sampled_from([0, 0, 0, 0x21474552])),            # pad2: "REG!" = a register call
    min_size=1, max_size=32)
SQE = struct.Struct("<BBHiQQIIQHHIQQ")


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "10")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(recs=sqes)
def test_io_uring_hostile_sqes(tmp_path_factory, recs):
    """Not run natively: the SQEs name paths and files of the machine."""
    path = tmp_path_factory.mktemp("fuzz") / "sqes.bin"
    data = b"".join(SQE.pack(*r) for r in recs)
    path.write_bytes(data)
    r = run(guest("iouring", "musl"), ["fuzz", str(path)], files={str(path): data},
            timeout=90, quiet=False)
    log = r.stderr.decode(errors="replace")
    bad = [line for line in log.splitlines() if "Oops" in line or "Traceback" in line
           or ("panic" in line and "Attempted to kill init" not in line)]
    assert not bad, log[-3000:]
    assert "fuzz: " in r.out, (r.status, r.out[-500:], log[-2000:])
