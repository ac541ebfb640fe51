"""Differential tests of the VFS system calls: the same guest programs on
the host kernel (in a scratch directory) and under pyuml (in rootfs)."""

import pytest

from conftest import differential, guest, native, run

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


@pytest.mark.parametrize("libc", LIBCS)
def test_mount_umount(libc, tmp_path):
    """tmpfs mounts hiding what is under them, bind mounts, read-only
    remounts (of a bind mount only, or of the filesystem), statfs, EBUSY for
    open files, working directories and submounts, MNT_DETACH, MS_MOVE,
    EPERM for non-root.  Natively in a private mount namespace."""
    prog = guest("mounts", libc)
    n = native(prog, ["ns", str(tmp_path / "native")])
    u = run(prog, ["-", str(tmp_path / "pyuml")])
    strip = lambda out: out.replace(str(tmp_path / "native"), "W").replace(  # noqa: E731
        str(tmp_path / "pyuml"), "W")
    assert n.status == 0 and "mount(\"none\", \"a\", \"tmpfs\", 0, \"mode=0700\") = 0" in n.out, n.out
    assert strip(u.out) == strip(n.out), "--- native\n%s\n--- pyuml\n%s\n%s" % (
        n.out, u.out, u.stderr.decode())


@pytest.mark.parametrize("libc", LIBCS)
def test_o_tmpfile(libc, tmp_path):
    """O_TMPFILE: its errnos, nlink 0 and the "#ino (deleted)" name,
    linkat naming it through /proc/self/fd and AT_EMPTY_PATH, O_EXCL
    forbidding that, EOPNOTSUPP where the file system has no tmpfile."""
    n, u = differential(guest("tmpfile", libc), [str(tmp_path / "w")])
    assert "named holds 'hello'" in u.out and "fd name: .../#N (deleted)" in u.out
