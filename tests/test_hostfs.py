"""hostfs: a host directory as the guest's root or as a mount.

The reference for "what a guest may reach" is a native chroot into the
same directory: the guest must see exactly what a chrooted program sees
(no "..", symlink or hard-link way out), and the host files outside must
be untouched.  Writes must reach the host files; "ro" must hold (EROFS).
"""

import os
import shutil

import pytest

from conftest import boot, guest, native
from fs.hostfs import make_hostfs
from kernel.errno import Errno
from mm import physmem

SECRET = b"the host's secret\n"


def make_tree(base, prog):
    """base/secret outside; base/root/ is what the guest gets."""
    root = base / "root"
    (root / "dir" / "deep").mkdir(parents=True)
    (root / "tmpdir").mkdir()
    (root / "dev").mkdir()              # devtmpfs goes there: the console
    (base / "secret").write_bytes(SECRET)
    (root / "inside.txt").write_bytes(b"inside\n")
    os.symlink(str(base / "secret"), root / "abs")
    os.symlink("../secret", root / "rel")
    os.symlink("..", root / "up")
    shutil.copy(prog, root / "prog")
    return root


def run_hostfs(root, args, ro=False, kernel_args=()):
    return boot(["quiet", "mem=64M", "root=/dev/root", "rootfstype=hostfs",
                 "rootflags=%s" % root, "ro" if ro else "rw", "init=/prog"]
                + list(kernel_args) + ["--"] + args)


def outside_untouched(base):
    assert (base / "secret").read_bytes() == SECRET
    assert sorted(os.listdir(base)) == ["root", "secret"]


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_no_escape_same_as_chroot(libc, tmp_path):
    prog = guest("hostfs", libc)
    nbase, ubase = tmp_path / "native", tmp_path / "pyuml"
    nbase.mkdir()
    ubase.mkdir()
    nroot, uroot = make_tree(nbase, prog), make_tree(ubase, prog)
    n = native(str(nroot / "prog"), ["chroot", str(nroot), "escape"])
    u = run_hostfs(uroot, ["-", "escape"])
    assert u.out == n.out, "--- native\n%s\n--- pyuml\n%s\n%s" % (n.out, u.out, u.stderr.decode())
    assert "/.. is /: 1" in u.out and SECRET.decode() not in u.out
    outside_untouched(ubase)
    assert sorted(os.listdir(uroot / "tmpdir")) == ["mine", "mine2"]


def test_writes_reach_the_host(tmp_path):
    root = make_tree(tmp_path, guest("hostfs", "musl"))
    u = run_hostfs(root, ["-", "write", str(root)])
    assert u.status == 0, u.stderr.decode()
    assert (root / "tmpdir" / "new.txt").read_bytes() == b"written by the guest\n"
    st = os.stat(root / "tmpdir" / "new.txt")
    assert st.st_mode & 0o7777 == 0o640
    assert not (root / "tmpdir" / "sub").exists()
    assert not (root / "tmpdir" / "gone").exists()
    # msync and munmap wrote the shared mapping back; exit wrote the rest
    assert "/dev/m2/tmpdir/mapped: [MAPPED..LATER...]" in u.out
    assert "/tmpdir/mapped: [MAPPED..LATER...]" in u.out
    assert (root / "tmpdir" / "mapped").read_bytes() == b"MAPPED..LATER.XT"
    outside_untouched(tmp_path)


def test_read_only_root(tmp_path):
    root = make_tree(tmp_path, guest("hostfs", "musl"))
    u = run_hostfs(root, ["-", "ro"], ro=True)
    assert u.status == 0, u.stderr.decode()
    assert u.out.count("Read-only file system") == 10, u.out
    assert "private copy: Xnside" in u.out
    assert "/inside.txt: [inside\n]" in u.out
    assert "mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED = 1" in u.out
    assert (root / "inside.txt").read_bytes() == b"inside\n"
    assert os.listdir(root / "tmpdir") == []


def test_mount_hostfs_inside_the_guest(tmp_path):
    root = make_tree(tmp_path, guest("hostfs", "musl"))
    other = tmp_path / "other"
    other.mkdir()
    (other / "inside.txt").write_bytes(b"other tree\n")
    os.symlink("/inside.txt", other / "abs")
    # other is not below the root: the boot must allow it (hostfs=)
    u = run_hostfs(root, ["-", "mount", str(other)],
                   kernel_args=["hostfs=%s:rw" % tmp_path])
    assert u.status == 0, u.stderr.decode()
    out = u.out
    assert "ls /tmpdir/mnt: . .. abs inside.txt" in out
    assert "/tmpdir/mnt/inside.txt: [other tree\n]" in out
    # ".." from the mount's root is the guest's /tmpdir, an absolute link
    # is the guest's /inside.txt
    assert "/tmpdir/mnt/../inside.txt: No such file" in out
    assert "/tmpdir/mnt/abs: [inside\n]" in out
    assert "/tmpdir/mnt/../../secret: No such file" in out
    assert "Read-only file system" in out
    assert "rmdir(\"/tmpdir/mnt\") = -1 Resource busy" in out
    assert "umount(\"/tmpdir/mnt\") = 0" in out
    assert not (other / "new").exists()


def test_host_side_swap_for_symlink_cannot_escape(tmp_path):
    """A race constructed by hand: after the guest looked a directory and a
    file up, the host swaps both for symlinks pointing outside.  hostfs
    holds the directory by descriptor and reopens with O_NOFOLLOW, so it
    sees the old directory or nothing (ESTALE) - never the outside."""
    if physmem.physmem is None:
        physmem.setup_physmem(8 << 20)
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    (root / "f").write_bytes(b"inside")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(SECRET)
    sb = make_hostfs(str(root), read_only=True)
    top = sb.root.inode
    a = top.lookup(b"a")
    f = top.lookup(b"f")
    assert a is not None and f is not None
    assert a.readdir() == []                # holds a's descriptor now
    os.rename(root / "a", root / "a_old")
    os.symlink(str(outside), root / "a")
    os.rename(root / "f", root / "f_old")
    os.symlink(str(outside / "secret"), root / "f")
    # the cached descriptor still means the old directory
    assert a.lookup(b"secret") is None
    # with the descriptor gone, reopening refuses the symlink
    sb.forget_fd(a)
    with pytest.raises(Errno):
        a.lookup(b"secret")
    # the file's data: reopening "f" meets the symlink and refuses
    buf = bytearray(4096)
    with pytest.raises(Errno):
        f.readpage(0, memoryview(buf))
    assert SECRET not in bytes(buf)
    # a fresh walk sees what the host now has: a symlink, for the guest
    # VFS to resolve inside the guest's tree
    link = top.lookup(b"a")
    assert link is not None and link.readlink() == str(outside).encode()
    with pytest.raises(Errno):
        top.lookup(b"..")
    with pytest.raises(Errno):
        top.lookup(b"a/secret")


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_mmap_of_hostfs_files(libc, tmp_path):
    """The memory-mapped file checks of test_fs_mmap, on a hostfs root."""
    prog = guest("mmapfile", libc)
    root = make_tree(tmp_path, guest("mmapfile", libc))
    n = native(prog, [str(tmp_path / "native")])
    u = run_hostfs(root, ["/tmpdir/w"])
    assert u.out == n.out, "--- native\n%s\n--- pyuml\n%s\n%s" % (n.out, u.out, u.stderr.decode())
    assert (root / "tmpdir" / "w" / "data").stat().st_size == 3 * 4096


def test_reading_more_than_memory(tmp_path):
    """A hostfs file three times the boot's memory, read twice: its clean
    cached pages are reclaimed (mm/vmscan.py) and read again, as on a disk."""
    prog = guest("bigread")
    root = make_tree(tmp_path, prog)
    n = native(prog, [str(tmp_path / "native.dat"), "192"])
    u = run_hostfs(root, ["/tmpdir/big.dat", "192"])
    assert u.out == n.out, "--- native\n%s\n--- pyuml\n%s\n%s" % (n.out, u.out, u.stderr.decode())
    assert "pass 1: read 200282112 bytes, sum 18528, last read 0" in u.out
