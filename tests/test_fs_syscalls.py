"""Differential tests of the VFS system calls: the same guest programs on
the host kernel (in a scratch directory) and under pyuml (in rootfs)."""

import pytest

from conftest import differential, guest

LIBCS = ["musl", "glibc"]


@pytest.mark.parametrize("libc", LIBCS)
def test_directory_and_attribute_calls(libc, tmp_path):
    """mkdir/rmdir/unlink/rename(2)/link/symlink/readlink/mknod, chmod,
    chown, truncate, utimes, access, umask; sticky and setgid directories
    and permission errors as an ordinary user; ELOOP, ENAMETOOLONG, EFAULT."""
    n, u = differential(guest("fsops", libc), [str(tmp_path / "w")])
    assert "ENOTEMPTY" in u.out and "child status 0" in u.out
