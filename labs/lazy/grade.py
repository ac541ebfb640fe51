#!/usr/bin/env python3
"""Grader of lab lazy: anonymous memory allocated on first touch."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gradelib import *  # noqa: E402,F401,F403

NPAGES = 1000
TOUCHED = [0, 10, 500, 999]
MODES = ["mmap", "brk", "stack", "big", "shrink", "kernel", "fork", "beyond"]


def _script():
    prog = lab_prog("lazytest")
    return "".join("echo '== %s'; %s %s; echo \"rc=$?\"; " % (m, prog, m) for m in MODES)


@once
def counted():
    """All modes in one boot, fault-around off: one fault, one page."""
    return guest(_script(), kstate=True, boot_args=["anon_fault_around=0"])


def section(out, mode):
    return out.split("== %s\n" % mode, 1)[1].split("\n== ", 1)[0] if "== %s\n" % mode in out \
        else ""


def region(r, mode, tag):
    """(present pages of the test region, free frames) at @MODE-TAG-..."""
    recs = r.tagged("%s-%s-" % (mode, tag))
    mm = [x for x in recs if not x["tag"].endswith("-mem")]
    expect(mm, "lazytest %s asked kstate for its ptes (@%s-%s)" % (mode, mode, tag),
           r.context())
    rec = mm[-1]
    expect("error" not in rec, "kstate answered", rec.get("error"))
    _, _, base, n = rec["tag"].rsplit("-", 3)
    base, n = int(base, 16), int(n)
    present = sorted((a - base) >> 12 for a, pte, rc, cache in rec["ptes"]
                     if base <= a < base + n * 4096 and pte & 0x101)
    return present


def _lazy(mode):
    r = counted()
    r.expect_no_oops()
    fresh = region(r, mode, "fresh")
    expect(fresh == [], "a fresh %s region of %d pages has no frames before it is touched"
           % (mode, NPAGES), "%d pages mapped (%s ...)" % (len(fresh), fresh[:8]))
    touched = region(r, mode, "touched")
    expect_equal(touched, TOUCHED, "the pages mapped after touching pages %s" % TOUCHED)


@test(20, "anonymous mmap: no frame until a page is touched, then just that page")
def lazy_mmap():
    _lazy("mmap")


@test(15, "the heap (brk): the same")
def lazy_brk():
    _lazy("brk")


def _mem(r, mode, tag):
    return r.record("%s-%s" % (mode, tag))["nr_free"]


@test(15, "a 64 MiB mapping costs only the 8 pages touched (and their tables)")
def big():
    r = counted()
    before, mapped = _mem(r, "big", "before"), _mem(r, "big", "mapped")
    touched, unmapped = _mem(r, "big", "touched"), _mem(r, "big", "unmapped")
    expect(before - mapped <= 2, "mapping 64 MiB takes no frames", "%d frames" % (before - mapped))
    used = mapped - touched
    expect(8 <= used <= 8 + 8 + 2, "touching 8 pages 8 MiB apart takes 8 frames and at most "
           "a page table each", "%d frames" % used)
    expect(unmapped >= before - 2, "munmap gives them back", "%d free before, %d after"
           % (before, unmapped))


@test(15, "the stack grows on demand (2 MiB of recursion)")
def stack():
    r = counted()
    got = section(r.out, "stack")
    expect("depth 2048" in got and "rc=0" in got, "lazytest stack recurses 2048 frames of "
           "1 KiB and exits 0", got or r.context())


@test(10, "lazytest matches Linux, mincore(2)'s residency included (fault-around on)")
def differential():
    r = guest(_script())
    n = native(_script())
    r.expect_no_oops()
    expect_equal(r.out, n.out, "lazytest's output under pyuml (default boot options) and "
                 "natively")


@test(10, "shrinking the heap gives its frames back", starter="pass")
def shrink():
    r = counted()
    before, grown, shrunk = (_mem(r, "shrink", t) for t in ("before", "grown", "shrunk"))
    expect(before - grown >= 256, "growing the heap by 256 touched pages takes 256 frames",
           before - grown)
    expect(abs(shrunk - before) <= 2, "brk back down frees them", "%d free before, %d after"
           % (before, shrunk))
    expect("regrown heap reads as zero: yes" in section(r.out, "shrink"),
           "the heap grown again reads as zero", section(r.out, "shrink"))


@test(10, "the kernel's own accesses to untouched memory work (read(2), write(2))",
      starter="pass")
def kernel_access():
    got = section(counted().out, "kernel")
    expect_equal(got.split("\n")[:5], ["read 17", "got kernel wrote this", "write 100",
                                       "zeros 100", "rc=0"], "lazytest kernel")


@test(5, "touching memory nobody mapped is SIGSEGV", starter="pass")
def beyond():
    got = section(counted().out, "beyond")
    expect("inside: fine" in got and "rc=139" in got and "not reached" not in got,
           "a store into the unmapped page after a mapping kills lazytest with SIGSEGV", got)


if __name__ == "__main__":
    run_tests()
