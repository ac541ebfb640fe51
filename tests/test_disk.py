"""Disks: ubd block devices, the buffer cache and ext2, through real guest
programs (busybox, Debian's mkfs.ext2/e2fsck/tar, our own workloads).

Images are made and checked on the host with e2fsprogs (mke2fs -d,
e2fsck -fn, debugfs): what pyuml writes must be a file system the host's
tools find clean and read back byte for byte.  The guests run with the
host's / as a read-only hostfs root and the image as /dev/ubdb, or boot
from the image itself (root=/dev/ubda).  These tests do not run natively
as a whole: they would need the host to mount images (root, and a change
to the host); the file-system workloads in them are compared with a
native run on the host's tmpfs instead.
"""

import hashlib
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import LINUX, ROOT, boot, guest

pytestmark = pytest.mark.skipif(shutil.which("mke2fs") is None, reason="e2fsprogs missing")

HOSTROOT = ["root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro"]


def mkimage(path, size="32M", args=(), tree=None):
    subprocess.run(["truncate", "-s", size, path], check=True)
    cmd = ["mke2fs", "-q", "-F", "-t", "ext2"] + list(args)
    if tree is not None:
        cmd += ["-d", tree]
    subprocess.run(cmd + [path], check=True)
    return path


def fsck(path):
    """The host's e2fsck -fn: (exit status, output)."""
    p = subprocess.run(["e2fsck", "-fn", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.returncode, p.stdout.decode(errors="replace")


def debugfs_cat(img, name):
    p = subprocess.run(["debugfs", "-R", "cat " + name, img], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    return p.stdout


def sh(script, disks=(), mem="128M", timeout=120, extra=()):
    """Run a busybox/Debian shell script under pyuml with the host's / as
    root and disks as ubd1, ubd2, ... (/dev/ubdb, /dev/ubdc, ...)."""
    args = ["quiet", "mem=" + mem] + ["ubd%d=%s" % (i + 1, d) for i, d in enumerate(disks)]
    # (no tmpfs on /tmp: the host's /tmp, where the tests keep their files,
    # stays visible, read-only)
    args += list(extra) + HOSTROOT + ["init=/bin/sh", "--", "-c", "mount -t proc p /proc; " + script]
    r = boot(args, timeout=timeout)
    log = r.stderr.decode(errors="replace")
    assert "Traceback" not in log and "Oops" not in log, log
    return r


def test_ubd_raw_device(tmp_path):
    """/dev/ubdb as a file: its size, sector size, read-only flag, reads and
    writes at offsets, and the host file holds what the guest wrote."""
    img = str(tmp_path / "raw.img")
    with open(img, "wb") as f:
        f.write(os.urandom(3 << 20))
    before = open(img, "rb").read()
    r = sh("cat /proc/partitions; ls -l /dev/ubdb; blockdev --getsize64 --getss --getro /dev/ubdb;"
           "echo HELLO-DISK | dd of=/dev/ubdb bs=512 seek=3 conv=notrunc,fsync 2>/dev/null;"
           "dd if=/dev/ubdb bs=1 skip=1536 count=10 2>/dev/null; echo;"
           "dd if=/dev/zero of=/dev/ubdb bs=4096 seek=700 count=3 2>/dev/null; sync;"
           "head -c 1000000 /dev/ubdb | md5sum;"
           "mknod /dev/mine b 98 16 && dd if=/dev/mine bs=1 skip=1536 count=5 2>/dev/null; echo;"
           "mknod /dev/none b 98 32 && cat /dev/none", disks=[img])
    lines = r.out.splitlines()
    assert "  98       16       3072 ubdb" in lines, r.out
    assert any(line.startswith("brw-rw----") and "98, 16" in line for line in lines), r.out
    assert lines[lines.index("  98       16       3072 ubdb") + 2:][:3] == \
        [str(3 << 20), "512", "0"], r.out
    assert "HELLO-DISK" in lines, r.out
    after = open(img, "rb").read()
    expect = bytearray(before)
    expect[1536:1536 + 11] = b"HELLO-DISK\n"
    expect[700 * 4096:703 * 4096] = bytes(3 * 4096)
    assert after == bytes(expect)
    assert hashlib.md5(after[:1000000]).hexdigest() in r.out
    assert lines[-2] == "HELLO", r.out                 # mknod'ed node of the same disk
    assert "No such device or address" in r.out        # a node of a disk that is not there


def test_ubd_read_only_and_boot_errors(tmp_path):
    img = str(tmp_path / "ro.img")
    with open(img, "wb") as f:
        f.write(b"\xab" * 65536)
    r = sh("dd if=/dev/ubdb bs=1 count=2 2>/dev/null | od -An -tx1; blockdev --getro /dev/ubdb;"
           "echo x > /dev/ubdb; echo rc=$?", extra=["ubd1r=" + img])
    # UML's ubd_open: a read-only disk opened for writing is EROFS
    assert "ab ab" in r.out and "\n1\n" in r.out and "Read-only file system" in r.out, r.out
    assert open(img, "rb").read() == b"\xab" * 65536
    # a missing image, an odd option: one clear line each, non-zero status
    for opt, want in (("ubd0=/nonexistent/x.img", "No such file or directory"),
                      ("ubd9=" + img, "ubd0..ubd7")):
        r = boot(["quiet", opt, "init=/x"] + HOSTROOT)
        err = r.stderr.decode()
        assert r.status != 0 and want in err and err.count("\n") == 1, err


def _native_workload(prog, tag):
    d = "/dev/shm/pyuml-disk-%d-%s" % (os.getpid(), tag)
    shutil.rmtree(d, ignore_errors=True)
    try:
        p = subprocess.run([prog, d], stdout=subprocess.PIPE, timeout=120)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return p.stdout.decode()


@pytest.mark.parametrize("blocksize", ["1024", "4096"])
def test_ext2_workload_differential(tmp_path, blocksize):
    """The same workload natively on tmpfs and under pyuml on ext2: the same
    transcript; the image is clean for the host's e2fsck and debugfs reads
    the guest's bytes."""
    img = mkimage(str(tmp_path / "w.img"), "64M", ["-b", blocksize])
    prog = guest("diskload")
    native = _native_workload(prog, blocksize)
    r = sh("mount -t ext2 /dev/ubdb /mnt && %s /mnt/w; umount /mnt; echo umount=$?" % prog,
           disks=[img])
    assert r.out == native + "umount=0\n", r.out[-2000:]
    rc, out = fsck(img)
    assert rc == 0, out
    assert b"line 499" in debugfs_cat(img, "/w/c/b/log")


def test_ext2_fsops_differential(tmp_path):
    img = mkimage(str(tmp_path / "f.img"), "16M")
    prog = guest("fsops")
    native = _native_workload(prog, "fsops")
    r = sh("mount -t ext2 /dev/ubdb /mnt && %s /mnt/fo; umount /mnt" % prog, disks=[img])

    def same(text):
        # ext2 has no fallocate (EOPNOTSUPP, as Linux's); the host's tmpfs has
        return [x for x in text.splitlines() if "falloc" not in x]
    assert same(r.out) == same(native), r.out
    assert "fallocate(fd, 0, 0, 100) = -1 EOPNOTSUPP" in r.out
    assert fsck(img)[0] == 0


def test_ext2_o_tmpfile_differential(tmp_path):
    """O_TMPFILE on ext2 as on the host's tmpfs; the files linkat named are
    on the image, the unnamed ones are freed: e2fsck finds it clean."""
    img = mkimage(str(tmp_path / "t.img"), "16M")
    prog = guest("tmpfile")
    native = _native_workload(prog, "tmpfile")
    r = sh("mount -t ext2 /dev/ubdb /mnt && %s /mnt/tf; umount /mnt" % prog, disks=[img])
    assert r.out == native, r.out
    assert "named holds 'hello'" in r.out
    rc, out = fsck(img)
    assert rc == 0, out


def test_ext2_reads_a_host_made_tree(tmp_path):
    """mke2fs -d: files, holes, links and symlinks made by the host's tools
    read back the same in the guest (find, cat, readlink, stat)."""
    tree = tmp_path / "tree"
    (tree / "sub" / "deep").mkdir(parents=True)
    (tree / "sub" / "nums").write_text("".join("%d\n" % i for i in range(30000)))
    with open(tree / "holes", "wb") as f:
        f.seek(3 << 20)
        f.write(b"tail")
    os.symlink("sub/nums", tree / "short")
    os.symlink("y" * 300, tree / "long")
    os.link(tree / "sub" / "nums", tree / "hard")
    img = mkimage(str(tmp_path / "t.img"), "32M", tree=str(tree))
    script = ("mount -t ext2 -o ro /dev/ubdb /mnt && cd /mnt && "
              "find . -path ./lost+found -prune -o -print | sort; md5sum sub/nums holes; "
              "readlink short long; stat -c '%n %s %h %a' hard holes; stat -c '%n %h %a' sub; "
              "cd /; umount /mnt")
    r = sh(script, disks=[img])
    here = subprocess.run(["sh", "-c", script.replace("mount -t ext2 -o ro /dev/ubdb /mnt && "
                                                      "cd /mnt", "cd " + str(tree))
                           .replace("; cd /; umount /mnt", "")],
                          stdout=subprocess.PIPE).stdout.decode()
    assert r.out == here.replace("./lost+found\n", ""), (r.out, here)


def test_mkfs_and_e2fsck_inside_pyuml(tmp_path):
    """Debian's mkfs.ext2 and e2fsck as guests on /dev/ubdb, then tar x,
    cp -a, find and du on the mounted result."""
    img = str(tmp_path / "m.img")
    subprocess.run(["truncate", "-s", "48M", img], check=True)
    tarball = str(tmp_path / "src.tar")
    subprocess.run(["tar", "cf", tarball, "-C", ROOT, "fs", "block"], check=True)
    r = sh("/sbin/mkfs.ext2 -q /dev/ubdb && echo mkfs-ok; /sbin/e2fsck -fn /dev/ubdb >/dev/null 2>&1 "
           "&& echo fsck-ok; mount -t ext2 /dev/ubdb /mnt && cd /mnt && tar xf %s && "
           "cp -a fs copy && find fs copy -type f | wc -l; du -sk fs | cut -f1; "
           "md5sum fs/buffer.py copy/buffer.py; cd /; umount /mnt && /sbin/e2fsck -fn /dev/ubdb "
           ">/dev/null 2>&1 && echo fsck2-ok" % tarball, disks=[img], timeout=240)
    lines = r.out.splitlines()
    assert lines[:2] == ["mkfs-ok", "fsck-ok"], r.out
    nfiles = sum(len(f) for _, _, f in os.walk(os.path.join(ROOT, "fs")))
    assert int(lines[2]) == 2 * nfiles, r.out
    want = hashlib.md5(open(os.path.join(ROOT, "fs", "buffer.py"), "rb").read()).hexdigest()
    assert r.out.count(want) == 2 and lines[-1] == "fsck2-ok", r.out
    assert fsck(img)[0] == 0


def test_boot_from_ext2_root(tmp_path):
    """root=/dev/ubda rootfstype=ext2: an image made with mke2fs -d holding
    busybox and an init script; what init writes and syncs is in the image
    afterwards, and the image is clean."""
    tree = tmp_path / "root"
    for d in ("bin", "sbin", "dev", "proc", "etc"):
        (tree / d).mkdir(parents=True)
    shutil.copy("/bin/busybox", tree / "bin" / "busybox")
    for cmd in ("sh", "cat", "echo", "mount", "ls", "sync", "poweroff", "mkdir", "grep"):
        os.symlink("busybox", tree / "bin" / cmd)
    (tree / "sbin" / "init").write_text(
        "#!/bin/sh\nmount -t proc proc /proc\ngrep ubda /proc/mounts\nls /dev/ubda\n"
        "echo kept > /etc/note\nmkdir /newdir\nsync\npoweroff -f\n")
    os.chmod(tree / "sbin" / "init", 0o755)
    img = mkimage(str(tmp_path / "root.img"), "16M", tree=str(tree))
    r = boot(["quiet", "ubd0=" + img, "root=/dev/ubda", "rootfstype=ext2"], timeout=60)
    assert r.status == 0, r.stderr
    assert r.out == "/dev/ubda / ext2 rw 0 0\n/dev/ubda\n", r.out
    assert debugfs_cat(img, "/etc/note") == b"kept\n"
    assert fsck(img)[0] == 0


def test_remount_ro_and_umount_leave_it_clean(tmp_path):
    img = mkimage(str(tmp_path / "c.img"), "16M")
    r = sh("mount -t ext2 /dev/ubdb /mnt; echo one > /mnt/f; mount -o remount,ro /mnt; "
           "echo two > /mnt/g; echo rc=$?; grep ubdb /proc/mounts; sync; "
           "dumpe2fs -h /dev/ubdb 2>/dev/null | grep -i '^filesystem state'; "
           "mount -o remount,rw /mnt; echo three >> /mnt/f; "
           "dumpe2fs -h /dev/ubdb 2>/dev/null | grep -i '^filesystem state'; umount /mnt; "
           "dumpe2fs -h /dev/ubdb 2>/dev/null | grep -i '^filesystem state'", disks=[img])
    lines = r.out.splitlines()
    assert "Read-only file system" in r.out and "/dev/ubdb /mnt ext2 ro 0 0" in lines, r.out
    states = [x.split(":", 1)[1].strip() for x in lines if x.lower().startswith("filesystem state")]
    assert states == ["clean", "not clean", "clean"], r.out
    assert debugfs_cat(img, "/f") == b"one\nthree\n"
    assert fsck(img)[0] == 0


def test_cow_overlay_leaves_backing_untouched(tmp_path):
    """ubd1=COW,BACKING: writes land in the (UML-format) COW file, the
    backing image never changes, and the COW file alone boots the changed
    disk next time (its header names the backing file)."""
    base = mkimage(str(tmp_path / "base.img"), "16M")
    digest = hashlib.md5(open(base, "rb").read()).hexdigest()
    cow = str(tmp_path / "over.cow")
    r = sh("mount -t ext2 /dev/ubdb /mnt && echo changed > /mnt/c && umount /mnt && echo ok",
           disks=["%s,%s" % (cow, base)])
    assert r.out == "ok\n", r.stderr
    assert hashlib.md5(open(base, "rb").read()).hexdigest() == digest
    with open(cow, "rb") as f:
        head = f.read(32)
    assert head[:8] == bytes.fromhex("4f4f4f4d00000003")
    assert os.stat(cow).st_blocks * 512 < os.stat(base).st_size     # sparse: only what changed
    r = sh("mount -t ext2 /dev/ubdb /mnt && cat /mnt/c && umount /mnt", disks=[cow])
    assert r.out == "changed\n", r.stderr
    # the backing file changed behind the COW file's back: refused, one line
    with open(base, "r+b") as f:
        f.seek(5 << 20)
        f.write(b"x")
    os.utime(base, (1, 1))
    r = boot(["quiet", "ubd1=" + cow] + HOSTROOT + ["init=/bin/true"])
    assert r.status != 0 and "changed since the COW file was made" in r.stderr.decode()


def test_host_write_error_is_eio_and_loses_nothing_synced(tmp_path):
    """Fault injection: once a file is synced, the host refuses writes past
    20 MiB of any file the kernel writes (RLIMIT_FSIZE set on ./linux from
    outside: pwrite fails with EFBIG).  The guest's fsync says EIO - no oops,
    the kernel goes on - and the file synced before is intact."""
    img = mkimage(str(tmp_path / "e.img"), "48M", ["-b", "4096"])
    script = ("mount -t ext2 /dev/ubdb /mnt && echo precious > /mnt/keep && sync && echo synced;"
              "read go; dd if=/dev/zero of=/mnt/big bs=1M count=30 conv=fsync 2>&1 | "
              "grep -o 'Input/output error' | head -1; sync; echo sync=$?; cat /mnt/keep; umount /mnt")
    p = subprocess.Popen([LINUX, "quiet", "mem=128M", "ubd1=" + img] + HOSTROOT + [
        "init=/bin/sh", "--", "-c", "mount -t proc p /proc; " + script],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert p.stdout.readline() == b"synced\n"
        resource.prlimit(p.pid, resource.RLIMIT_FSIZE, (20 << 20, 20 << 20))
        out, log = p.communicate(b"go\n", timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    out, log = out.decode(), log.decode(errors="replace")
    assert "Traceback" not in log and "Oops" not in log, log
    lines = out.splitlines()
    assert lines[:3] == ["Input/output error", "sync=0", "precious"], (out, log)     # sync(2) is void
    assert "ubdb: host write error 27" in log, log
    assert debugfs_cat(img, "/keep") == b"precious\n"


def test_kill_9_keeps_what_was_synced(tmp_path):
    """kill -9 of the kernel in the middle of writing: e2fsck -fy repairs the
    image to a state that has every file synced before."""
    img = mkimage(str(tmp_path / "k.img"), "32M")
    script = ("mount -t ext2 /dev/ubdb /mnt && seq 1 20000 > /mnt/synced && sync && echo synced;"
              "i=0; while true; do i=$((i+1)); seq 1 $i > /mnt/f$i; done")
    p = subprocess.Popen([LINUX, "quiet", "ubd1=" + img] + HOSTROOT + [
        "init=/bin/sh", "--", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = p.stdout.readline()
        assert line == b"synced\n"
        time.sleep(1.0)
    finally:
        p.send_signal(signal.SIGKILL)
        p.communicate()
    subprocess.run(["e2fsck", "-fy", img], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert fsck(img)[0] == 0
    want = "".join("%d\n" % i for i in range(1, 20001)).encode()
    assert debugfs_cat(img, "/synced") == want


# -- hypothesis: sequences of operations on ext2 ------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_NAMES = ["f0", "f1", "f2", "d0", "d1", "d0/f3", "d0/d2", "d1/f4", "d0/d2/f5"]
_name = st.sampled_from(_NAMES)
_op = st.one_of(
    st.builds(lambda p: "c:" + p, _name),
    st.builds(lambda p, off, n, seed: "w:%s:%d:%d:%d" % (p, off, n, seed), _name,
              st.sampled_from([0, 1, 1000, 4095, 4096, 70000, 300000, 5 << 20]),
              st.sampled_from([1, 100, 4096, 5000, 65536, 200000]), st.integers(0, 9)),
    st.builds(lambda p, n: "t:%s:%d" % (p, n), _name,
              st.sampled_from([0, 1, 1023, 4097, 100000, 3 << 20])),
    st.builds(lambda a, b: "r:%s:%s" % (a, b), _name, _name),
    st.builds(lambda a, b: "l:%s:%s" % (a, b), _name, _name),
    st.builds(lambda p: "u:" + p, _name),
    st.builds(lambda p: "m:" + p, _name),
    st.builds(lambda p: "d:" + p, _name),
    st.builds(lambda t, p: "s:%s:%s" % (t, p), st.sampled_from(["f0", "x" * 200]), _name),
)


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=st.lists(_op, min_size=5, max_size=40))
def test_ext2_operation_sequences(ops):
    """Random create/write/truncate/rename/link/unlink/mkdir/rmdir/symlink
    sequences: each result and the final tree as on the host's tmpfs (the
    model: the host kernel), and the image clean for e2fsck -fn."""
    prog = guest("diskload")
    d = "/dev/shm/pyuml-seq-%d" % os.getpid()
    shutil.rmtree(d, ignore_errors=True)
    try:
        native = subprocess.run([prog, d] + ops, stdout=subprocess.PIPE, timeout=60).stdout.decode()
    finally:
        shutil.rmtree(d, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="pyuml-seq-") as tmp:
        img = mkimage(os.path.join(tmp, "s.img"), "24M")
        r = sh("mount -t ext2 /dev/ubdb /mnt && %s /mnt/s %s; umount /mnt" % (
            prog, " ".join(ops)), disks=[img])
        assert r.out == native, "\n".join(ops)
        rc, out = fsck(img)
        assert rc == 0, out + "\n".join(ops)


# -- ext4, read-only (written: tests/test_ext4.py) ----------------------------------------

def _debian_like_tree(base):
    """A tree like a Debian system's: /etc and part of /usr/share/doc from
    the host, a directory big enough for an htree index, a sparse file."""
    tree = os.path.join(base, "tree")
    os.makedirs(tree)
    for src in ("/etc", "/usr/share/doc/e2fsprogs", "/usr/share/doc/busybox-static",
                "/usr/lib/python3/dist-packages/debian" if os.path.isdir(
                    "/usr/lib/python3/dist-packages/debian") else "/usr/share/doc/tar"):
        if os.path.isdir(src):
            subprocess.run(["cp", "-a", src, tree + "/" + os.path.basename(src)],
                           stderr=subprocess.DEVNULL)
    big = os.path.join(tree, "var", "lib", "many")
    os.makedirs(big)
    for i in range(3000):
        with open(os.path.join(big, "package-%05d.list" % i), "w") as f:
            f.write("/usr/share/doc/package-%d\n" % i)
    with open(os.path.join(tree, "sparse"), "wb") as f:
        f.seek(100 << 20)
        f.write(b"end")
    return tree


def _manifest(root):
    """Every name under root with its type, mode, link target, size (not
    for directories: theirs is each file system's own) and content hash,
    sorted: what a reader of the tree sees."""
    return ("cd %s && (find . -path ./lost+found -prune -o -printf '%%p %%y %%m %%l\\n'; "
            "find . ! -type d -printf '%%p %%s\\n') | LC_ALL=C sort | md5sum; find . -type f ! -path './lost+found*' -print0 | "
            "LC_ALL=C sort -z | xargs -0 md5sum | md5sum" % root)


def test_ext4_read_only_debian_tree(tmp_path):
    """A cleanly unmounted ext4 (extents, flex_bg, 64bit, dir_index htrees,
    metadata_csum), made by the host's mkfs.ext4 -d: every name, type,
    size, mode, link target and file byte reads the same in the guest as
    on the host (tests/test_ext4.py writes ext4)."""
    tree = _debian_like_tree(str(tmp_path))
    img = str(tmp_path / "e4.img")
    subprocess.run(["truncate", "-s", "192M", img], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-O", "metadata_csum,64bit,flex_bg", "-d", tree,
                    img], check=True)
    subprocess.run(["e2fsck", "-fyD", img], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p = subprocess.run(["dumpe2fs", "-h", img], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    feats = p.stdout.decode()
    for f in ("extent", "64bit", "flex_bg", "metadata_csum", "dir_index"):
        assert f in feats
    here = subprocess.run(["sh", "-c", _manifest(tree)], stdout=subprocess.PIPE).stdout.decode()
    r = sh("mount -t ext4 -o ro /dev/ubdb "
           "/mnt && (%s); grep ubdb /proc/mounts; umount /mnt" % _manifest("/mnt"), disks=[img],
           mem="192M", timeout=300)
    lines = r.out.splitlines()
    assert "\n".join(lines[0:2]) + "\n" == here, (r.out, here)
    assert lines[2] == "/dev/ubdb /mnt ext4 ro 0 0", r.out
    assert fsck(img)[0] == 0


def test_ext4_bad_checksum_is_eio(tmp_path):
    """metadata_csum is checked: an inode whose checksum was broken on the
    host cannot be read (EIO, an EXT4-fs error in the log), the rest can."""
    tree = tmp_path / "t"
    tree.mkdir()
    (tree / "good").write_text("good\n")
    (tree / "bad").write_text("bad\n")
    img = str(tmp_path / "c.img")
    subprocess.run(["truncate", "-s", "16M", img], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-d", str(tree), img], check=True)
    subprocess.run(["debugfs", "-w", "-R", "sif /bad checksum 0x1234", img],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    args = ["quiet", "ubd1=" + img] + HOSTROOT + ["init=/bin/sh", "--", "-c",
                                                  "mount -t ext4 -o ro /dev/ubdb /mnt; cat /mnt/good;"
                                                  " cat /mnt/bad; echo rc=$?"]
    r = boot(args)
    log = r.stderr.decode()
    assert r.out.startswith("good\n") and "rc=1" in r.out and "Input/output error" in r.out, r.out
    assert "checksum invalid for inode" in log and "Traceback" not in log, log


def test_ext2_xattrs_readable(tmp_path):
    """Extended attributes mke2fs -d copied from the host (in the inode and
    in an attribute block) read back with getxattr/listxattr."""
    tree = tmp_path / "x"
    tree.mkdir()
    (tree / "f").write_text("x\n")
    (tree / "g").write_text("y\n")
    try:
        os.setxattr(tree / "f", "user.comment", b"hello xattr")
        os.setxattr(tree / "g", "user.big", b"v" * 300)
        os.setxattr(tree / "g", "user.small", b"s")
    except OSError:
        pytest.skip("the host's /tmp keeps no user xattrs")
    for size, isz in (("16M", "256"), ("16M", "128")):
        img = mkimage(str(tmp_path / ("x%s.img" % isz)), size, ["-I", isz], tree=str(tree))
        r = sh("mount -t ext2 -o ro /dev/ubdb /mnt && python3 -c \"import os; "
               "print(os.getxattr('/mnt/f', 'user.comment')); "
               "print(sorted(os.listxattr('/mnt/g'))); print(len(os.getxattr('/mnt/g', 'user.big')))"
               "\"; umount /mnt", disks=[img])
        assert r.out == "b'hello xattr'\n['user.big', 'user.small']\n300\n", (isz, r.out)


def test_ubd_sync_flag_opens_the_host_file_o_sync(tmp_path):
    """ubd1s=: the host file is open O_SYNC (seen in the host's own
    /proc/PID/fdinfo of ./linux), and the guest's writes still work."""
    img = mkimage(str(tmp_path / "s.img"), "16M")
    p = subprocess.Popen([LINUX, "quiet", "ubd1s=" + img] + HOSTROOT + [
        "init=/bin/sh", "--", "-c", "mount /dev/ubdb /mnt && echo sync > /mnt/f && sync && "
        "echo ready && read x && umount /mnt && echo done"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert p.stdout.readline() == b"ready\n"
        flags = None
        for fd in os.listdir("/proc/%d/fd" % p.pid):
            try:
                if os.readlink("/proc/%d/fd/%s" % (p.pid, fd)) == img:
                    with open("/proc/%d/fdinfo/%s" % (p.pid, fd)) as f:
                        flags = int(f.read().split("flags:")[1].split()[0], 8)
            except OSError:
                continue
        out, _ = p.communicate(b"go\n", timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert flags is not None and flags & os.O_SYNC == os.O_SYNC, oct(flags or 0)
    assert out == b"done\n"
    assert debugfs_cat(img, "/f") == b"sync\n"


def test_mmap_of_a_block_device_shares_its_page_cache(tmp_path):
    """A shared mapping of /dev/ubdb is the disk's page cache itself: a
    store through it is what read() sees at once, and msync(MS_SYNC) puts
    it in the host file."""
    img = str(tmp_path / "m.img")
    with open(img, "wb") as f:
        f.write(b"." * (1 << 20))
    r = sh("python3 -c \"import mmap, os; fd = os.open('/dev/ubdb', os.O_RDWR); "
           "m = mmap.mmap(fd, 1 << 16); m[5000:5005] = b'MMAPD'; print(os.pread(fd, 5, 5000)); "
           "m.flush(); print(open('%s', 'rb').read()[5000:5005])\"" % img, disks=[img])
    assert r.out == "b'MMAPD'\nb'MMAPD'\n", r.out
    assert open(img, "rb").read()[4999:5006] == b".MMAPD."


@pytest.mark.parametrize("mode", ["continue", "remount-ro"])
def test_ext2_errors_option(tmp_path, mode):
    """A directory block broken on the host: reading it is EIO with an
    EXT2-fs error in the log, never an oops; errors=remount-ro then makes
    the file system read-only, errors=continue does not."""
    tree = tmp_path / "t"
    (tree / "d").mkdir(parents=True)
    (tree / "d" / "file").write_text("x\n")
    img = mkimage(str(tmp_path / "e.img"), "8M", tree=str(tree))
    p = subprocess.run(["debugfs", "-R", "blocks /d", img], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    blk = int(p.stdout.split()[0])
    with open(img, "r+b") as f:
        f.seek(blk * 1024 + 4)
        f.write(b"\x03\x00")                    # rec_len 3: below the minimum
    r = sh("mount -o errors=%s /dev/ubdb /mnt; ls /mnt/d; echo ls=$?; touch /mnt/new; "
           "echo touch=$?" % mode, disks=[img])
    log = r.stderr.decode()
    assert "EXT2-fs error (device ubdb)" in log and "rec_len is smaller than minimal" in log, log
    assert "Input/output error" in r.out and ("ls=2" in r.out or "ls=1" in r.out), r.out
    assert ("touch=1" in r.out) == (mode == "remount-ro"), r.out


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(min_value=1, max_value=2**32))
def test_ext2_calls_with_awkward_arguments(seed):
    """tests/guest/fsfuzz.c's awkward file-system calls in a directory of a
    mounted ext2: results or errnos, never an oops; after umount the image
    is clean."""
    with tempfile.TemporaryDirectory(prefix="pyuml-fz-") as tmp:
        img = mkimage(os.path.join(tmp, "z.img"), "32M")
        r = sh("mount /dev/ubdb /mnt && cd /mnt && %s %d 2500 | tail -1; cd /; umount /mnt; "
               "echo umount=$?" % (guest("fsfuzz"), seed), disks=[img])
        # (the fuzzer may write stray bytes to its stdout before the last line)
        assert r.out.endswith("survived 2500 calls\numount=0\n"), r.out
        rc, out = fsck(img)
        assert rc == 0, out


def test_flusher_writes_back_without_sync(tmp_path):
    """The flusher (a kernel timer): with /proc/sys/vm's expiry at 0 and a
    0.1 s period, a written file reaches the host file while the guest only
    waits - no sync, no umount.  drop_caches then empties the page cache
    and the file reads back from the disk."""
    img = mkimage(str(tmp_path / "w.img"), "16M")
    p = subprocess.Popen([LINUX, "quiet", "ubd1=" + img] + HOSTROOT + [
        "init=/bin/sh", "--", "-c", "mount -t proc p /proc; "
        "echo 0 > /proc/sys/vm/dirty_expire_centisecs; "
        "echo 10 > /proc/sys/vm/dirty_writeback_centisecs; mount /dev/ubdb /mnt && "
        "seq 1 3000 > /mnt/f && echo written && read x; echo 3 > /proc/sys/vm/drop_caches; "
        "md5sum < /mnt/f; echo 1 > /proc/sys/vm/drop_caches"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    want = "".join("%d\n" % i for i in range(1, 3001)).encode()
    try:
        assert p.stdout.readline() == b"written\n"
        deadline = time.time() + 60
        while debugfs_cat(img, "/f") != want and time.time() < deadline:
            time.sleep(0.2)
        got = debugfs_cat(img, "/f")
        out, log = p.communicate(b"go\n", timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert got == want
    assert out.decode().split()[0] == hashlib.md5(want).hexdigest(), (out, log)


def test_block_ioctls_o_direct_and_statfs(tmp_path):
    """blockdev's ioctls (BLKGETSIZE, BLKBSZGET, BLKFLSBUF), O_DIRECT
    writes and reads of /dev/ubdb, then statfs of a mounted ext2 against
    what dumpe2fs says of the same image."""
    img = mkimage(str(tmp_path / "i.img"), "16M", ["-b", "4096"])
    r = sh("blockdev --getsz --getbsz --getss --flushbufs /dev/ubdb; echo flush=$?;"
           "echo DIRECT | dd of=/dev/ubdb bs=4096 seek=4000 oflag=direct conv=sync 2>/dev/null;"
           "dd if=/dev/ubdb bs=4096 skip=4000 count=1 iflag=direct 2>/dev/null | head -c 6; echo;"
           "mount /dev/ubdb /mnt && stat -f -c '%S %f %c %d' /mnt; umount /mnt", disks=[img])
    lines = r.out.splitlines()
    assert lines[:4] == [str(16 << 11), "4096", "512", "flush=0"], r.out
    assert lines[4] == "DIRECT", r.out
    with open(img, "rb") as f:
        f.seek(4000 * 4096)
        assert f.read(7) == b"DIRECT\n"
    info = subprocess.run(["dumpe2fs", "-h", img], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout.decode()
    field = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    want = "4096 %s %s %s" % tuple(field[k].strip() for k in (
        "Free blocks", "Inode count", "Free inodes"))
    assert lines[5] == want, (lines[5], want)


def test_more_data_than_memory(tmp_path):
    """100 MiB through a 48 MiB machine: write-back and page reclaim
    (mm/vmscan.py) make room; the file reads back whole in the guest and
    on the host."""
    img = mkimage(str(tmp_path / "p.img"), "256M", ["-b", "4096"])
    r = sh("mount /dev/ubdb /mnt && dd if=/dev/urandom of=/mnt/big bs=1M count=100 2>/dev/null;"
           "md5sum < /mnt/big; umount /mnt; echo umount=$?", disks=[img], mem="48M")
    lines = r.out.split()
    assert lines[-1] == "umount=0", r.out
    data = debugfs_cat(img, "/big")
    assert len(data) == 100 << 20 and hashlib.md5(data).hexdigest() == lines[0]
    assert fsck(img)[0] == 0


def test_e2fsck_repairs_inside_pyuml(tmp_path):
    """Debian's e2fsck -fy as a guest fixes an image the host broke (a
    wrong link count), through /dev/ubdb opened O_EXCL read-write."""
    img = mkimage(str(tmp_path / "y.img"), "16M", tree=os.path.join(ROOT, "fs", "ext2"))
    subprocess.run(["debugfs", "-w", "-R", "sif /inode.py links_count 5", img],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    assert fsck(img)[0] == 4
    r = sh("/sbin/e2fsck -fy /dev/ubdb >/dev/null 2>&1; echo fsck=$?", disks=[img])
    assert r.out == "fsck=1\n", r.out                   # errors corrected
    assert fsck(img)[0] == 0


def test_ext2_timestamps_persist(tmp_path):
    """Times set in the guest (nanoseconds too, in a 256-byte inode's extra
    fields) survive a remount, and the host's debugfs reads the same."""
    img = mkimage(str(tmp_path / "t.img"), "8M")
    r = sh("mount /dev/ubdb /mnt && touch /mnt/t && touch -m -d '2001-02-03 04:05:06.789' /mnt/t"
           " && umount /mnt && mount /dev/ubdb /mnt && TZ=UTC stat -c %y /mnt/t; umount /mnt",
           disks=[img], extra=["TZ=UTC"])
    assert r.out.strip() == "2001-02-03 04:05:06.789000000 +0000", r.out
    p = subprocess.run(["debugfs", "-R", "stat /t", img], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, env=dict(os.environ, TZ="UTC"))
    mtime = [x for x in p.stdout.decode().splitlines() if x.strip().startswith("mtime:")][0]
    assert "Sat Feb  3 04:05:06 2001" in mtime and ":%08x" % (789000000 << 2) in mtime, mtime


def test_ext2_htree_directory_read_and_changed(tmp_path):
    """A directory e2fsck -D gave an htree index: read linearly, and when
    the guest adds and removes names the index flag goes (the index would
    be stale), leaving a directory e2fsck finds clean."""
    tree = tmp_path / "t"
    (tree / "big").mkdir(parents=True)
    for i in range(2000):
        (tree / "big" / ("entry-%05d" % i)).write_text("%d\n" % i)
    img = mkimage(str(tmp_path / "h.img"), "16M", tree=str(tree))
    subprocess.run(["e2fsck", "-fyD", img], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stat = subprocess.run(["debugfs", "-R", "stat /big", img], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout.decode()
    assert "Flags: 0x1000" in stat, stat                # indexed
    r = sh("mount /dev/ubdb /mnt && ls /mnt/big | wc -l && cat /mnt/big/entry-01234 && "
           "touch /mnt/big/new && rm /mnt/big/entry-00007 && ls /mnt/big | wc -l; umount /mnt",
           disks=[img])
    assert r.out.split() == ["2000", "1234", "2000"], r.out
    stat = subprocess.run(["debugfs", "-R", "stat /big", img], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout.decode()
    assert "Flags: 0x0" in stat, stat
    rc, out = fsck(img)
    assert rc == 0, out


def test_ext2_chattr_immutable_and_append(tmp_path):
    """Debian's chattr and lsattr (FS_IOC_SETFLAGS/GETFLAGS): an immutable
    file cannot be removed, written or chmod'ed; an append-only one only
    grows; the flags are on disk for the host's debugfs."""
    img = mkimage(str(tmp_path / "a.img"), "8M")
    r = sh("mount /dev/ubdb /mnt && cd /mnt && echo x > i && echo y > a && chattr +i i && "
           "chattr +a a && lsattr i a | cut -c1-22; rm -f i 2>/dev/null; echo rm=$?; "
           "(echo more >> i) 2>/dev/null; echo write=$?; chmod 600 i 2>/dev/null; echo chmod=$?; "
           "echo more >> a; echo append=$?; (echo over > a) 2>/dev/null; echo trunc=$?; "
           "cat a; cd /; umount /mnt", disks=[img])
    lines = r.out.splitlines()
    assert lines[0].startswith("----i") and lines[1].startswith("-----a"), r.out
    assert lines[2:7] == ["rm=1", "write=2", "chmod=1", "append=0", "trunc=2"], r.out
    assert lines[7:] == ["y", "more"], r.out
    stat = subprocess.run(["debugfs", "-R", "stat /i", img], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout.decode()
    assert "Flags: 0x10" in stat, stat
    assert fsck(img)[0] == 0
