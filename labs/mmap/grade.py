#!/usr/bin/env python3
"""Grader of lab mmap: MAP_SHARED and MAP_PRIVATE file mappings over the page cache."""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gradelib import *  # noqa: E402,F401,F403

MODES = ["shared", "private"]


def _comparable(secs):
    """Sections without their 'map:' lines (addresses differ)."""
    return {m: "".join(l + "\n" for l in body.splitlines() if not l.startswith("map:"))
            for m, body in secs.items()}


@once
def runs():
    """Every mode in one boot per C library, and natively.  writeback gets
    a fresh host directory, mounted twice in the guest (hostfs, read-write
    and read-only: two superblocks, two page caches), so that the second
    reads only what reached the host file."""
    out = {}
    for libc in ("musl", "glibc"):
        prog = lab_prog("mmaptest", libc)
        host = tempfile.mkdtemp(prefix="pyuml-grade-mmap-")
        try:
            g = modes_script(prog, MODES) + (
                "echo '== writeback'; mkdir /tmp/wa /tmp/wb && mount -t hostfs none /tmp/wa -o "
                "%s && mount -r -t hostfs none /tmp/wb -o %s && %s writeback /tmp/wa /tmp/wb; "
                "echo \"rc=$?\"; " % (host, host, prog))
            r = guest(g, kstate=True, boot_args=["hostfs=/:ro", "hostfs=%s:rw" % host])
            n = modes_script(prog, MODES) + (
                "echo '== writeback'; %s writeback %s %s; echo \"rc=$?\"; " % (prog, host, host))
            nat = native(n)
        finally:
            shutil.rmtree(host, ignore_errors=True)
        r.expect_no_oops()
        got = sections(r.out)
        out[libc] = (got, _comparable(got), _comparable(sections(nat.out)), r)
    return out


def same(mode, what):
    for libc, (_, got, want, _) in runs().items():
        expect_same_section(got, want, mode, "mmaptest %s (%s) under pyuml and natively: %s"
                            % (mode, libc, what))


def _page_frames(libc, mode):
    """(frame each mapped page has, the file's page cache {index: frame})."""
    got, _, _, r = runs()[libc]
    base = [l for l in got[mode].splitlines() if l.startswith("map: ")]
    expect(base, "mmaptest %s printed its mapping's address (%s)" % (mode, libc), got[mode])
    base = int(base[0].split()[1], 16)
    mm = r.record("%s-map" % mode)
    ptes = {(a - base) >> 12: pte >> 12 & ((1 << 40) - 1) for a, pte, rc, cache in mm["ptes"]
            if base <= a < base + 4 * 4096 and pte & 1}
    cache = {int(i): pfn for i, (pfn, _) in r.record("%s-file" % mode)["pages"].items()}
    return ptes, cache


@test(30, "MAP_SHARED: stores are in the file at once, for read(2), other mappings and a child")
def shared():
    same("shared", "what read, a second mapping, a write() and a forked child see")


@test(20, "MAP_SHARED maps the page cache's own frames (/dev/kstate)")
def shared_frames():
    for libc in ("musl", "glibc"):
        ptes, cache = _page_frames(libc, "shared")
        expect(1 in ptes, "page 1 of the shared mapping is mapped after the store (%s)" % libc,
               ptes)
        for i, pfn in sorted(ptes.items()):
            expect_equal(pfn, cache.get(i), "the frame of page %d of the MAP_SHARED mapping is "
                         "the file's page-cache frame for it (%s)" % (i, libc))


@test(20, "MAP_PRIVATE: the file's bytes until written, a copy after, nothing reaches the file",
      starter="pass")
def private():
    same("private", "the copy on write of a private file mapping")
    for libc in ("musl", "glibc"):
        ptes, cache = _page_frames(libc, "private")
        expect(0 in ptes and ptes[0] != cache.get(0),
               "the written page 0 of the MAP_PRIVATE mapping has a frame of its own, not the "
               "page cache's (%s)" % libc, "pte frames %s, cache %s" % (ptes, cache))


@test(30, "msync and munmap write a shared mapping's stores back to the host file (hostfs)")
def writeback():
    same("writeback", "what a second mount of the host directory reads after msync and munmap")


if __name__ == "__main__":
    run_tests()
