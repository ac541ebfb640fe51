#!/usr/bin/env python3
"""Grader of lab links: hard links in tmpfs, and when an inode's data is freed."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gradelib import *  # noqa: E402,F401,F403

MODES = ["link", "unlink", "open", "frames"]
NPAGES = 64
BUSYBOX = ("mkdir bb && cd bb && echo hello > a && busybox ln a b && busybox stat -c '%h %s' a b "
           "&& busybox ln a b; echo \"ln again: $?\"; busybox rm a && busybox cat b "
           "&& busybox stat -c '%h' b && cd ..")


@once
def runs():
    """Every mode in one boot per C library, and natively."""
    out = {}
    for libc in ("musl", "glibc"):
        script = modes_script(lab_prog("linktest", libc), MODES) + "echo '== busybox'; " + \
            BUSYBOX + " 2>&1; echo \"rc=$?\""
        r = guest(script, kstate=True)
        r.expect_no_oops()
        out[libc] = (sections(r.out), sections(native(script).out), r)
    return out


def same(mode, what):
    for libc, (got, want, _) in runs().items():
        expect_same_section(got, want, mode, "linktest %s (%s) under pyuml and natively: %s"
                            % (mode, libc, what))


@test(30, "link and linkat: one inode, two names; EEXIST, ENOENT, EPERM")
def link():
    same("link", "the names, their inode and nlink, the errors")


@test(20, "unlink and rename drop one link each; the data lives while a name does")
def unlink():
    same("unlink", "nlink after each unlink and rename, what the last name reads")


@test(10, "a file unlinked while open: nlink 0, still read and written", starter="pass")
def still_open():
    same("open", "fstat, pread, pwrite and /proc/self/fd of an unlinked open file")


@test(30, "the page cache of a file is freed with its last name and last descriptor, "
      "not before (/dev/kstate)")
def frames():
    same("frames", "the names are gone")
    for libc, (_, _, r) in runs().items():
        free = {w: r.record("frames-" + w)["nr_free"] for w in
                ("two-names", "one-name", "no-name", "open", "open-unlinked", "closed")}
        steps = [("two-names", "one-name", 0, "unlinking one of two names frees nothing"),
                 ("one-name", "no-name", NPAGES, "unlinking the last name of a closed file "
                  "frees its %d pages" % NPAGES),
                 ("open", "open-unlinked", 0, "unlinking an open file frees nothing yet"),
                 ("open-unlinked", "closed", NPAGES, "closing it then frees its %d pages"
                  % NPAGES)]
        for a, b, want, what in steps:
            expect_equal(free[b] - free[a], want, "%s (%s): free frames after minus before"
                         % (what, libc))


@test(10, "busybox ln, stat, rm on a hard-linked file")
def busybox():
    same("busybox", "busybox's view of the links")


if __name__ == "__main__":
    run_tests()
