"""The new mount API (fs/fsopen.py, fs/fsmount.py): fsopen, fsconfig,
fsmount, move_mount, open_tree, fspick, mount_setattr on tmpfs, against the
host kernel (tests/guest/newmount.c).  The guest changes mounts, so it takes
a private mount namespace first: natively (as root) what it mounts is seen
by no one else, and it is gone when the guest exits."""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import guest, native, run
from test_fuzz import hostile, records
from test_fuzz_interfaces import small


@pytest.mark.skipif(os.geteuid() != 0, reason="the native run needs root for unshare(CLONE_NEWNS)")
@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_new_mount_api_as_on_linux(libc, tmp_path):
    prog = guest("newmount", libc)
    n = native(prog, [tmp_path / "nm"])
    u = run(prog, ["/nm"])
    assert n.status == 0 and "-- beneath" in n.out, n.out
    assert u.out == n.out, "--- native\n%s\n--- pyuml\n%s\n%s" % (
        n.out, u.out, u.stderr.decode(errors="replace"))
    assert u.status == n.status


# open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr,
# statmount, listmount (the same numbers on i386)
CALLS = [428, 429, 430, 431, 432, 433, 442, 457, 458]


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "10")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(calls=st.lists(st.tuples(st.sampled_from(CALLS), small, hostile, small, hostile,
                                small, hostile), min_size=1, max_size=40))
def test_new_mount_api_hostile_arguments(tmp_path_factory, calls):
    """Random arguments (descriptors, flags, pointers into and out of the
    guest) give errnos: never an oops, never a dead kernel."""
    path = tmp_path_factory.mktemp("fuzz") / "calls.bin"
    data = records(calls)
    path.write_bytes(data)
    r = run(guest("sysfuzz", "musl"), [str(path)], files={str(path): data}, timeout=60,
            quiet=False)
    log = r.stderr.decode(errors="replace")
    bad = [line for line in log.splitlines() if "Oops" in line or "Traceback" in line
           or ("panic" in line and "Attempted to kill init" not in line)]
    assert not bad, log[-3000:]
    assert r.status != 128 + 9, (r.status, r.out[-500:])
