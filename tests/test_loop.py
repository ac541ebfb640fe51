"""Loop devices: a guest's file as a disk (drivers/block/loop.py), driven by
real programs - busybox losetup, Debian's mkfs.ext2 and e2fsck - and by
LTP's loop and block-device tests (their tst_device takes a free loop
device from /dev/loop-control, puts an image file behind it, runs mkfs).

Not run natively: binding loop devices and mounting change the host.
"""

import os
import re
import subprocess

import pytest

from conftest import boot

# make ltp-build puts LTP here (.ci/run builds it before make test)
LTP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "ltp")
HOSTROOT = ["root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro"]
SETUP = "mount -t proc p /proc; mount -t tmpfs t /tmp; mount -t sysfs s /sys; "


def sh(script, extra=(), timeout=180):
    r = boot(["quiet", "mem=192M"] + list(extra) + HOSTROOT +
             ["init=/bin/sh", "--", "-c", SETUP + script], timeout=timeout)
    log = r.stderr.decode(errors="replace")
    assert "Traceback" not in log and "Oops" not in log, log
    return r


def test_losetup_mkfs_mount_fsck():
    r = sh("truncate -s 24M /tmp/img; echo free=$(losetup -f); losetup /dev/loop0 /tmp/img;"
           "losetup -a; cat /sys/block/loop0/size /sys/block/loop0/loop/backing_file;"
           "grep loop0 /proc/partitions;"
           "/sbin/mkfs.ext2 -q /dev/loop0 && mount /dev/loop0 /mnt && seq 1 5000 > /mnt/s &&"
           " umount /mnt && /sbin/e2fsck -fn /dev/loop0 >/dev/null 2>&1 && echo fsck-ok;"
           "losetup -d /dev/loop0; losetup -a; echo detached; cat /sys/block/loop0/size;"
           "ls /sys/block/loop0/loop 2>&1 | head -1")
    lines = r.out.splitlines()
    assert lines[0] == "free=/dev/loop0", r.out
    assert lines[1].startswith("/dev/loop0: ") and lines[1].endswith("(/tmp/img)"), r.out
    assert lines[2:4] == [str(24 << 11), "/tmp/img"], r.out
    assert lines[4].split() == ["7", "0", str(24 << 10), "loop0"], r.out
    assert "fsck-ok" in lines and lines[lines.index("fsck-ok") + 1] == "detached", r.out
    assert lines[-2] == "0" and "No such file" in lines[-1], r.out


def test_loop_control_and_status_ioctls():
    """LOOP_CTL_ADD/REMOVE/GET_FREE, LOOP_SET_FD on a busy device, and an
    offset and size limit through LOOP_SET_STATUS64 (losetup -o/--sizelimit)."""
    r = sh("seq 1 100000 > /tmp/f; losetup -o 4096 --sizelimit 65536 /dev/loop3 /tmp/f;"
           "blockdev --getsize64 /dev/loop3; losetup /dev/loop3 2>&1 | head -1;"
           "dd if=/dev/loop3 bs=16 count=1 2>/dev/null; echo;"
           "losetup /dev/loop3 /tmp/f 2>&1 | grep -c -i busy; losetup -f;"
           "ls /dev/loop8 2>&1 | grep -c 'No such'; losetup -d /dev/loop3")
    lines = r.out.splitlines()
    assert lines[0] == "65536", r.out
    assert "4096" in lines[1] and "/tmp/f" in lines[1], r.out
    data = "".join("%d\n" % i for i in range(1, 100001))
    assert data[4096:4112] in r.out, r.out            # the device starts at the offset
    assert lines[-3:] == ["1", "/dev/loop0", "1"], r.out


def test_loop_over_a_file_on_ext2_on_ubd(tmp_path):
    """Layers: an image file on an ext2 disk (ubd), bound to a loop device,
    formatted and mounted inside: everything reaches the host file, and
    both levels are clean for the host's e2fsck."""
    outer = str(tmp_path / "outer.img")
    subprocess.run(["truncate", "-s", "48M", outer], check=True)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", outer], check=True)
    r = sh("mount /dev/ubdb /mnt && truncate -s 16M /mnt/inner.img && "
           "losetup /dev/loop1 /mnt/inner.img && /sbin/mkfs.ext2 -q /dev/loop1 && "
           "mkdir /tmp/in && mount /dev/loop1 /tmp/in && echo deep > /tmp/in/file && "
           "umount /tmp/in && losetup -d /dev/loop1 && umount /mnt && echo done",
           extra=["ubd1=" + outer])
    assert r.out.splitlines()[-1] == "done", r.out
    assert subprocess.run(["e2fsck", "-fn", outer], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0
    inner = str(tmp_path / "inner.img")
    subprocess.run(["debugfs", "-R", "dump /inner.img " + inner, outer], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert subprocess.run(["e2fsck", "-fn", inner], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0
    got = subprocess.run(["debugfs", "-R", "cat /file", inner], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout
    assert got == b"deep\n"


LTP_TESTS = ["ioctl/ioctl_loop02", "ioctl/ioctl_loop04", "ioctl/ioctl_loop06",
             "ioctl/ioctl_loop07", "mount/mount02", "fdatasync/fdatasync03",
             "syncfs/syncfs01", "fsync/fsync01", "creat/creat09", "lstat/lstat03",
             "umount2/umount2_02", "unlink/unlink09", "rename/rename15", "statvfs/statvfs01"]


@pytest.mark.skipif(not os.path.isdir(LTP), reason="LTP is not built: make ltp-build")
@pytest.mark.parametrize("test", LTP_TESTS)
def test_ltp_block_device(test):
    """LTP's own loop/block-device tests pass: none failed or broken, some
    passed.  (tst_kconfig reads pyuml's own /proc/config.gz.  The tests
    that run on every file system are held to ext4, the one pyuml writes
    with the most to get right; scripts/ltp.py runs every round.)"""
    path = "%s/testcases/bin/%s" % (LTP, os.path.basename(test))
    # not in SETUP's /tmp: a checkout under the host's /tmp would be hidden
    r = sh("mount -t devtmpfs d /dev; umount /tmp; mount -t tmpfs t /mnt; cd /mnt; "
           "export LTPROOT=%s TMPDIR=/mnt LTP_SINGLE_FS_TYPE=ext4 "
           "PATH=$PATH:%s/testcases/bin; %s; echo rc=$?" % (LTP, LTP, path), timeout=300)

    out = re.sub(r"\x1b\[[0-9;]*m", "", r.out)
    counts = dict(re.findall(r"^(passed|failed|broken|skipped)\s+(\d+)$", out, re.M))
    assert counts.get("failed") == "0" and counts.get("broken") == "0", out
    assert int(counts.get("passed", 0)) > 0, out
