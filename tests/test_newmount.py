"""The new mount API (fs/fsopen.py, fs/fsmount.py): fsopen, fsconfig,
fsmount, move_mount, open_tree, fspick, mount_setattr on tmpfs, against the
host kernel (tests/guest/newmount.c).  The guest changes mounts, so it takes
a private mount namespace first: natively (as root) what it mounts is seen
by no one else, and it is gone when the guest exits."""

import os

import pytest

from conftest import guest, native, run


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
