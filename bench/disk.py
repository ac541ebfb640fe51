#!/usr/bin/env python3
"""bench/disk.py - disks: ext2 on a ubd image under pyuml against the same
workload natively on the host's file system, as ratios (make bench).

  seqwrite  dd of 64 MiB into a new file, fsync'd (conv=fsync)
  seqread   dd of that file back, after a remount (pyuml's page cache is
            cold; the host's holds the image, as it holds the native file)
  untar     tar x of 20,000 small files in 400 directories, then sync

Each is timed inside the guest (GNU date around the command), so boot time
does not count; the best of BENCH_REPEAT runs is shown.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINUX = os.path.join(ROOT, "linux")
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
HOSTROOT = ["root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro"]
TIMED = 'a=$(date +%s.%N); {cmd}; b=$(date +%s.%N); echo "{tag}=$a $b"'


def make_tarball(path, nfiles=20000, ndirs=400):
    src = tempfile.mkdtemp(prefix="pyuml-bench-tree-")
    try:
        for d in range(ndirs):
            dd = os.path.join(src, "tree", "d%03d" % d)
            os.makedirs(dd)
            for i in range(nfiles // ndirs):
                with open(os.path.join(dd, "f%03d" % i), "w") as f:
                    f.write("file %d of directory %d\n" % (i, d) * (1 + i % 7))
        subprocess.run(["tar", "cf", path, "-C", src, "tree"], check=True)
    finally:
        shutil.rmtree(src)


def script(where, tarball, remount=""):
    parts = [
        TIMED.format(tag="seqwrite", cmd="dd if=/dev/zero of=%s/big bs=1M count=64 conv=fsync "
                     "2>/dev/null" % where),
        remount,
        TIMED.format(tag="seqread", cmd="dd if=%s/big of=/dev/null bs=1M 2>/dev/null" % where),
        TIMED.format(tag="untar", cmd="tar xf %s -C %s && sync" % (tarball, where)),
    ]
    return "; ".join(p for p in parts if p)


def times(out):
    return {k: float(b) - float(a)
            for k, a, b in re.findall(r"^(\w+)=([0-9.]+) ([0-9.]+)$", out, re.M)}


def native(tarball):
    d = tempfile.mkdtemp(prefix="pyuml-bench-native-", dir=os.environ.get("BENCH_DIR", "/tmp"))
    try:
        p = subprocess.run(["sh", "-c", script(d, tarball)], stdout=subprocess.PIPE, check=True)
        return times(p.stdout.decode())
    finally:
        shutil.rmtree(d)


def pyuml(tarball):
    d = tempfile.mkdtemp(prefix="pyuml-bench-img-", dir=os.environ.get("BENCH_DIR", "/tmp"))
    img = os.path.join(d, "disk.img")
    try:
        subprocess.run(["truncate", "-s", "512M", img], check=True)
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", img], check=True)
        body = "mount -t proc p /proc; mount /dev/ubdb /mnt; " + script(
            "/mnt", tarball, remount="umount /mnt; mount /dev/ubdb /mnt") + "; umount /mnt"
        p = subprocess.run([LINUX, "quiet", "mem=512M", "ubd1=" + img] + HOSTROOT +
                           ["init=/bin/sh", "--", "-c", body], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        t = times(p.stdout.decode())
        if len(t) != 3:
            raise RuntimeError("pyuml run failed: %r %r" % (p.stdout[-500:], p.stderr[-500:]))
        fsck = subprocess.run(["e2fsck", "-fn", img], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode
        if fsck:
            raise RuntimeError("e2fsck -fn found errors after the benchmark")
        return t
    finally:
        shutil.rmtree(d)


def main():
    tmp = tempfile.mkdtemp(prefix="pyuml-bench-")
    tarball = os.path.join(tmp, "tree.tar")
    try:
        make_tarball(tarball)
        best_n, best_u = {}, {}
        for _ in range(REPEAT):
            for best, fn in ((best_n, native), (best_u, pyuml)):
                for k, v in fn(tarball).items():
                    best[k] = min(best.get(k, v), v)
        print("%-10s %-48s %10s %10s %8s" % ("workload", "", "native s", "pyuml s", "ratio"))
        what = {"seqwrite": "write 64 MiB, fsync (ext2 on ubd vs host fs)",
                "seqread": "read 64 MiB back (after remount)",
                "untar": "tar x of 20,000 files in 400 dirs, sync"}
        for k in ("seqwrite", "seqread", "untar"):
            print("%-10s %-48s %10.3f %10.3f %7.1fx" % (k, what[k], best_n[k], best_u[k],
                                                       best_u[k] / best_n[k]))
    finally:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
