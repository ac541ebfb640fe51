"""ext4 written by pyuml: images made by the host's mkfs.ext4 with its
default features (extents, 64bit, flex_bg, metadata_csum, dir_index,
has_journal, uninitialised groups), changed by guest programs, must be
clean for the host's e2fsck -fn, read back byte for byte by debugfs, and
give back every block when the files go.
"""

import hashlib
import os
import re
import shutil
import struct
import subprocess
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import guest
from lib.crc32c import crc32c
from test_disk import _native_workload, _op, debugfs_cat, fsck, sh

pytestmark = pytest.mark.skipif(shutil.which("mkfs.ext4") is None, reason="e2fsprogs missing")

# two files appended to in turn, 1 KiB at a time: their blocks interleave,
# every block its own extent - 400 of them need a tree (two levels with 1 KiB blocks)
FRAGMENT = ('i=0; while [ $i -lt 400 ]; do printf "%%1024s" $i >> %(d)s/A; '
            'printf "%%1024s" $i >> %(d)s/B; i=$((i+1)); done; md5sum %(d)s/A | cut -c1-32')


def mkfs_ext4(path, size="64M", args=()):
    subprocess.run(["truncate", "-s", size, path], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F"] + list(args) + [path], check=True)
    return path


def dumpe2fs_h(img):
    return subprocess.run(["dumpe2fs", "-h", img], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout.decode()


def free_counts(img):
    h = dumpe2fs_h(img)
    return (re.search(r"Free blocks:\s+(\d+)", h).group(1),
            re.search(r"Free inodes:\s+(\d+)", h).group(1))


def stat(img, path):
    return subprocess.run(["debugfs", "-R", "stat " + path, img], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, input=b"").stdout.decode()


@pytest.mark.parametrize("blocksize", ["1024", "4096"])
def test_ext4_workload_differential(tmp_path, blocksize):
    """diskload (odd writes, sparse files past 4 GiB, truncation, O_APPEND,
    mmap, links, renames, many names in one directory) gives the same
    transcript on a fresh mkfs.ext4 image as natively on tmpfs; a file of
    400 extents gets an index block; e2fsck finds the image clean, debugfs
    reads the guest's bytes; then removing everything gives every block
    and inode back."""
    img = mkfs_ext4(str(tmp_path / "e4.img"), "64M", ["-b", blocksize])
    feats = dumpe2fs_h(img)
    for f in ("has_journal", "extent", "64bit", "flex_bg", "metadata_csum", "dir_index"):
        assert f in feats
    fresh = free_counts(img)
    prog = guest("diskload")
    native = _native_workload(prog, "e4-" + blocksize)
    r = sh("mount -t ext4 /dev/ubdb /mnt && %s /mnt/w; %s; grep ubdb /proc/mounts; "
           "umount /mnt; echo umount=$?" % (prog, FRAGMENT % {"d": "/mnt"}),
           disks=[img], timeout=300)
    lines = r.out.rsplit("\n", 4)
    assert lines[0] + "\n" == native, r.out[-2000:]
    md5_a = lines[1]
    assert lines[2:4] == ["/dev/ubdb /mnt ext4 rw 0 0", "umount=0"], r.out[-500:]
    rc, out = fsck(img)
    assert rc == 0, out
    assert b"line 499" in debugfs_cat(img, "/w/c/b/log")
    assert hashlib.md5(debugfs_cat(img, "/A")).hexdigest() == md5_a
    st = stat(img, "/A")
    assert "Flags: 0x80000" in st and "(ETB0)" in st, st[:2000]
    assert "needs_recovery" not in dumpe2fs_h(img)
    r = sh("mount -t ext4 /dev/ubdb /mnt && md5sum /mnt/A | cut -c1-32 && rm -rf /mnt/w /mnt/A "
           "/mnt/B && umount /mnt && echo gone", disks=[img], timeout=300)
    assert r.out.split() == [md5_a, "gone"], r.out
    rc, out = fsck(img)
    assert rc == 0, out
    assert free_counts(img) == fresh


def test_ext4_htree_directory_changed(tmp_path):
    """A directory with an htree index (mkfs.ext4 -d, e2fsck -D): names
    added and removed by the guest; the index flag goes and the index
    blocks become plain checksummed blocks, which e2fsck finds clean."""
    tree = tmp_path / "t"
    (tree / "big").mkdir(parents=True)
    for i in range(2000):
        (tree / "big" / ("entry-%05d" % i)).write_text("%d\n" % i)
    img = mkfs_ext4(str(tmp_path / "h.img"), "32M", ["-d", str(tree)])
    subprocess.run(["e2fsck", "-fyD", img], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert "Flags: 0x81000" in stat(img, "/big")            # extents, indexed
    r = sh("mount -t ext4 /dev/ubdb /mnt && ls /mnt/big | wc -l && cat /mnt/big/entry-01234 && "
           "echo new > /mnt/big/new && rm /mnt/big/entry-00007 && ls /mnt/big | wc -l; "
           "umount /mnt", disks=[img])
    assert r.out.split() == ["2000", "1234", "2000"], r.out
    assert "Flags: 0x80000" in stat(img, "/big")
    rc, out = fsck(img)
    assert rc == 0, out
    assert debugfs_cat(img, "/big/new") == b"new\n"


def test_ext4_unwritable_feature_is_erofs(tmp_path):
    """A feature pyuml's writes would get wrong (quota here): the read-write
    mount is EROFS with the reason in the log, mount(8) falls back to
    read-only, and the image is left as it was."""
    img = mkfs_ext4(str(tmp_path / "q.img"), "16M", ["-O", "quota"])
    before = open(img, "rb").read()
    r = sh("mount -t ext4 /dev/ubdb /mnt 2>&1 | grep -c write-protected; grep ubdb /proc/mounts;"
           " umount /mnt", disks=[img])
    assert r.out.split("\n")[:2] == ["1", "/dev/ubdb /mnt ext4 ro 0 0"], r.out
    assert "pyuml's ext4 cannot write features" in r.stderr.decode()
    assert open(img, "rb").read() == before


def test_ext4_shared_xattr_block_unlinked(tmp_path):
    """An attribute block shared by two files (refcount 2): unlinking one
    writes the block with refcount 1 and a valid checksum; unlinking the
    other frees it."""
    tree = tmp_path / "t"
    tree.mkdir()
    for f in "ab":
        (tree / f).write_text(f + "\n")
        os.setxattr(str(tree / f), "user.big", b"x" * 300)
    img = mkfs_ext4(str(tmp_path / "x.img"), "16M", ["-b", "1024", "-d", str(tree)])
    blk_a = int(re.search(r"File ACL: (\d+)", stat(img, "/a")).group(1))
    blk_b = int(re.search(r"File ACL: (\d+)", stat(img, "/b")).group(1))
    # make /b share /a's block, as Linux does for equal attributes
    subprocess.run(["debugfs", "-w", "-R", "sif /b file_acl %d" % blk_a, img],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    subprocess.run(["debugfs", "-w", "-R", "freeb %d" % blk_b, img],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    with open(img, "r+b") as f:
        f.seek(blk_a * 1024)
        block = bytearray(f.read(1024))
        struct.pack_into("<I", block, 4, 2)
        block[16:20] = bytes(4)
        sb = subprocess.run(["dumpe2fs", "-h", img], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL).stdout.decode()
        uuid = bytes.fromhex(re.search(r"Filesystem UUID:\s+(\S+)", sb).group(1).replace("-", ""))
        seed = crc32c(0xFFFFFFFF, uuid)
        struct.pack_into("<I", block, 16, crc32c(crc32c(seed, struct.pack("<Q", blk_a)), block))
        f.seek(blk_a * 1024)
        f.write(block)
    subprocess.run(["e2fsck", "-fy", img], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rc, out = fsck(img)
    assert rc == 0, out
    r = sh("mount -t ext4 /dev/ubdb /mnt && rm /mnt/a && umount /mnt && echo ok", disks=[img])
    assert r.out == "ok\n", r.out
    rc, out = fsck(img)
    assert rc == 0, out
    assert b"refcount = 1," in subprocess.run(
        ["debugfs", "-R", "block_dump -x %d" % blk_a, img], stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL).stdout
    free = free_counts(img)
    r = sh("mount -t ext4 /dev/ubdb /mnt && rm /mnt/b && umount /mnt && echo ok", disks=[img])
    assert r.out == "ok\n", r.out
    rc, out = fsck(img)
    assert rc == 0, out
    assert int(free_counts(img)[0]) == int(free[0]) + 2      # its data and the attribute block


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=st.lists(_op, min_size=5, max_size=40))
def test_ext4_operation_sequences(ops):
    """test_disk's random create/write/truncate/rename/link/unlink/mkdir/
    rmdir/symlink sequences (sparse writes fill holes between extents,
    truncation cuts extents in the middle) on a fresh mkfs.ext4 image with
    1 KiB blocks: each result and the final tree as on the host's tmpfs,
    and the image clean for e2fsck -fn."""
    prog = guest("diskload")
    d = "/dev/shm/pyuml-seq4-%d" % os.getpid()
    shutil.rmtree(d, ignore_errors=True)
    try:
        native = subprocess.run([prog, d] + ops, stdout=subprocess.PIPE, timeout=60).stdout.decode()
    finally:
        shutil.rmtree(d, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="pyuml-seq4-") as tmp:
        img = mkfs_ext4(os.path.join(tmp, "s.img"), "24M", ["-b", "1024"])
        r = sh("mount -t ext4 /dev/ubdb /mnt && %s /mnt/s %s; umount /mnt" % (
            prog, " ".join(ops)), disks=[img])
        assert r.out == native, "\n".join(ops)
        rc, out = fsck(img)
        assert rc == 0, out + "\n".join(ops)


def test_ext3_mounted_as_ext4_keeps_block_pointers(tmp_path):
    """An ext3 image (no extents feature) mounted as ext4: new files,
    directories and slow symlinks are mapped by block pointers, as Linux's
    ext4 does there; e2fsck finds it clean."""
    img = str(tmp_path / "e3.img")
    subprocess.run(["truncate", "-s", "16M", img], check=True)
    subprocess.run(["mkfs.ext3", "-q", "-F", img], check=True)
    r = sh("mount -t ext4 /dev/ubdb /mnt && echo hi > /mnt/a && mkdir /mnt/d && "
           "ln -s $(printf '%0100d' 0) /mnt/l && umount /mnt && echo ok", disks=[img])
    assert r.out == "ok\n", r.out
    rc, out = fsck(img)
    assert rc == 0, out
    for path in ("/a", "/d", "/l"):
        assert "Flags: 0x0" in stat(img, path), path
    assert "Blockcount: 2" in stat(img, "/l")              # a slow symlink
    assert debugfs_cat(img, "/a") == b"hi\n"


@pytest.mark.parametrize("opts", [["-O", "^64bit"], ["-O", "^flex_bg"], ["-I", "128"],
                                  ["-O", "metadata_csum_seed"], ["-O", "orphan_file"],
                                  ["-E", "lazy_itable_init=1"], ["-b", "4096", "-O", "^flex_bg"],
                                  ["-g", "1024"]])
def test_ext4_layout_variants(tmp_path, opts):
    """mkfs.ext4 variants (32-byte descriptors, groups without flex_bg,
    128-byte inodes without i_checksum_hi, a stored checksum seed, an orphan
    file, an inode table not zeroed, small groups): diskload and 60
    directories spread over the groups leave an image e2fsck finds clean."""
    img = mkfs_ext4(str(tmp_path / "v.img"), "48M", opts)
    prog = guest("diskload")
    r = sh("mount -t ext4 /dev/ubdb /mnt && %s /mnt/w >/dev/null; mkdir /mnt/x; i=0; "
           "while [ $i -lt 60 ]; do mkdir /mnt/x/$i; printf '%%1024s' $i >> /mnt/x/$i/f; "
           "i=$((i+1)); done; umount /mnt; echo umount=$?" % prog, disks=[img], timeout=300)
    assert r.out == "umount=0\n", r.out
    rc, out = fsck(img)
    assert rc == 0, out
    assert debugfs_cat(img, "/x/59/f") == b" " * 1022 + b"59"
