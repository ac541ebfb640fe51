"""System V IPC (ipc/): shared memory, semaphores and message queues,
differential against the host kernel, as 64-bit programs (musl, glibc) and
as i386 ones (glibc static and dynamic: the ipc(2) multiplexer, and the
direct i386 calls in the "direct" mode).

Every guest object is IPC_PRIVATE or keyed by the pid, and removed before
the program ends, so the native runs leave nothing behind on the host.
"""

import os

import pytest

from conftest import differential, guest, run
from test_i386 import LIBS32, files32
from hypothesis import strategies as st
from test_fuzz import buf, page_addr, records

LIBCS = ["musl", "glibc"]
MODES = ["shm", "sem", "counter", "msg", "perm", "errors", "info"]


def _check(u):
    assert "FAIL" not in u.out
    assert "timed out" not in u.out


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("mode", MODES)
def test_sysvipc(libc, mode):
    n, u = differential(guest("sysvipc", libc), [mode])
    _check(u)


@pytest.mark.parametrize("libc", LIBS32)
@pytest.mark.parametrize("mode", MODES + ["direct"])
def test_sysvipc32(libc, mode):
    n, u = differential(guest("sysvipc", libc), [mode], files=files32(libc))
    _check(u)


def test_shm_shared_between_processes():
    """The point of it all: a counter that four processes increment under a
    semaphore lock comes out exact, and /proc/PID/maps names the segment as
    Linux does."""
    n, u = differential(guest("sysvipc", "musl"), ["counter"])
    assert "counter 1200 (expected 1200), semaphore 1" in u.out
    n, u = differential(guest("sysvipc", "musl"), ["shm"])
    assert "map: rw-s ino-is-id 1 /SYSV00000000 (deleted)" in u.out
    assert "parent sees: written by the child" in u.out
    assert "after exec: nattch 2" in u.out


def test_sem_undo_and_wakeups():
    n, u = differential(guest("sysvipc", "glibc"), ["sem"])
    # first come, first served
    assert u.out.index("first sleeper done") < u.out.index("second sleeper done")
    assert "GETPID after undo is the child 1" in u.out
    assert "semop(id, &b, 1) -> -1 (Interrupted system call)" in u.out
    assert "semop(id, &b, 1) -> -1 (Identifier removed)" in u.out


# -- hostile arguments: errnos, never an oops ---------------------------------------

SHMGET, SHMAT, SHMCTL, SEMGET, SEMOP, SEMCTL, SHMDT = 29, 30, 31, 64, 65, 66, 67
MSGGET, MSGSND, MSGRCV, MSGCTL, SEMTIMEDOP, ALARM = 68, 69, 70, 71, 220, 37
IPC_CALLS = [SHMGET, SHMAT, SHMCTL, SEMGET, SEMOP, SEMCTL, SHMDT, MSGGET, MSGSND, MSGRCV,
             MSGCTL, SEMTIMEDOP]


def _fuzz_strategies():
    small = st.integers(0, 40)
    cmd = st.one_of(st.integers(0, 20), st.integers(0, 20).map(lambda c: c | 0x100))
    hostile = st.one_of(small, cmd, st.sampled_from([0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 1 << 63,
                                                     0o1000, 0o4000, 0o10000, 0o20000, 0x1000]),
                        st.integers(0, 1 << 64 - 1), st.integers(0, 4096).map(buf), page_addr)
    call = st.tuples(st.sampled_from(IPC_CALLS), hostile, hostile, hostile, hostile, hostile,
                     hostile)
    return st.lists(call, min_size=1, max_size=40)


try:
    from hypothesis import HealthCheck, given, settings
    _calls = _fuzz_strategies()
except ImportError:                     # pragma: no cover
    _calls = None


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(calls=_calls)
def test_ipc_hostile_arguments_never_oops(tmp_path_factory, calls):
    """Random ids, commands, sizes and pointers into the System V calls:
    a few real objects first (ids 0, 1 ...), an alarm to end calls that
    wait for ever (in a child: init would ignore it), then the list; the
    log must show no oops."""
    setup = [(ALARM, 2, 0, 0, 0, 0, 0),
             (SHMGET, 0, 8192, 0o1600, 0, 0, 0),
             (SEMGET, 0, 3, 0o1600, 0, 0, 0),
             (MSGGET, 0, 0o1600, 0, 0, 0, 0)]
    path = tmp_path_factory.mktemp("ipcfuzz") / "calls.bin"
    data = records(setup + calls)
    path.write_bytes(data)
    r = run(guest("sysfuzz", "musl"), [str(path)], files={str(path): data}, timeout=60,
            quiet=False, env={"SYSFUZZ_CHILD": "1"})
    log = r.stderr.decode(errors="replace")
    bad = [line for line in log.splitlines() if "Oops" in line or "Traceback" in line
           or ("panic" in line and "Attempted to kill init" not in line)]
    assert not bad, log[-3000:]
    assert r.status != 128 + 9, (r.status, r.out[-500:])


@pytest.mark.parametrize("mode", ["shm", "counter"])
def test_shm_frames_accounted(mode):
    """check_mm recounts every frame's references at each wait4 and at the
    end: attachments inherited, split, detached and destroyed leave none
    wrong."""
    r = run(guest("sysvipc", "musl"), [mode], quiet=False, kernel_args=["check_mm"])
    log = r.stderr.decode(errors="replace")
    assert r.status == 0
    assert "check_mm: " in log and " ok" in log
    assert "BUG" not in log and "Oops" not in log, log[-3000:]
