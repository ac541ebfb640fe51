"""Extended attributes (fs/xattr.py, fs/posix_acl.py) on tmpfs, compared
with the host kernel: tests/guest/xattr.c works in /dev/shm natively (a
tmpfs) and in pyuml's tmpfs root."""

import os
import shutil

import pytest

from conftest import boot, differential, guest, native

CASES = ["basic", "errors", "perms", "acl", "at"]


@pytest.mark.parametrize("libc", ["musl", "glibc"])
@pytest.mark.parametrize("what", CASES)
def test_xattr(what, libc):
    differential(guest("xattr", libc), ["/dev/shm", what])


@pytest.mark.parametrize("what", ["basic", "errors"])
def test_xattr_i386(what):
    differential(guest("xattr", "glibc32"), ["/dev/shm", what])


def test_xattr_hostfs(tmp_path):
    """On hostfs, user.* attributes are the host file's own: the guest sees
    what a native run in the same kind of directory sees, and the host
    file carries what the guest set.  trusted.* and security.* stay
    unchangeable (they would act on the host)."""
    prog = guest("xattr", "glibc")
    nroot, uroot = tmp_path / "n", tmp_path / "u"
    for r in (nroot, uroot):
        r.mkdir()
        (r / "dev").mkdir()
        shutil.copy(prog, r / "prog")
    n = native(str(nroot / "prog"), [str(nroot), "user", "keep"])
    u = boot(["quiet", "mem=64M", "root=/dev/root", "rootfstype=hostfs",
              "rootflags=%s" % uroot, "rw", "init=/prog", "--", "/", "user", "keep"])
    assert u.out == n.out, "--- native\n%s\n--- pyuml\n%s\n%s" % (n.out, u.out, u.stderr.decode())
    [work] = [d for d in os.listdir(uroot) if d.startswith("xattr-")]
    f = uroot / work / "f"
    assert os.getxattr(f, "user.keep") == b"kept"
    assert sorted(os.listxattr(f)) == ["user.a", "user.keep"]
    r = boot(["quiet", "mem=64M", "root=/dev/root", "rootfstype=hostfs",
              "rootflags=%s" % uroot, "ro", "init=/prog", "--", "/", "user"])
    assert "setxattr(\"f\", \"user.a\", \"one\", 3, 0) -> -1 (Read-only file system)" in r.out, r.out
