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


@pytest.mark.parametrize("libc", LIBCS)
def test_descriptors_locks_dirents_cwd(libc, tmp_path):
    """dup/dup2/dup3 and fcntl flags, POSIX record locks between processes
    (split ranges, released by any close, F_SETLKW waits), OFD locks,
    flock, sendfile and copy_file_range offsets, getdents64 in several
    calls, getcwd/chdir/fchdir after rmdir, chroot and ".." at its top."""
    n, u = differential(guest("fdops", libc), [str(tmp_path / "w")])
    assert "waiter exited 0" in u.out
