#!/usr/bin/env python3
"""Grader of lab cow: copy-on-write fork (labs/cow/README.md)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gradelib import *  # noqa: E402,F401,F403

NPAGES, NWRITE = 1024, 16
WRITTEN = set(range(0, NPAGES, NPAGES // NWRITE))


def _snap_pages(rec, base):
    """{page index: (pfn, writable, refcount)} of the test region in a
    kstate mm snapshot."""
    out = {}
    for addr, pte, rc, cache in rec["ptes"]:
        i = (addr - base) >> 12
        if 0 <= i < NPAGES and pte & 1:
            out[i] = ((pte >> 12) & 0xFFFFFFFFFF, bool(pte & 2), rc)
    return out


@once
def cow_run():
    r = guest(lab_prog("cowtest"), kstate=True)
    return r


@once
def cow_state():
    r = cow_run()
    r.expect_no_oops()
    tags = [x["tag"] for x in r.records if (x.get("tag") or "").startswith("region-")]
    expect(tags, "cowtest tells kstate where its region is", r.context())
    base = int(tags[0][len("region-"):], 16)
    snaps = {}
    for tag in ("after-fork-child", "after-fork-parent", "child-wrote-child",
                "child-wrote-parent", "parent-wrote"):
        snaps[tag] = _snap_pages(r.record(tag), base)
        expect(len(snaps[tag]) == NPAGES, "all %d pages of the region mapped at @%s"
               % (NPAGES, tag), "%d mapped" % len(snaps[tag]))
    mem = {t: r.record(t)["nr_free"] for t in ("start", "before-fork", "after-fork",
                                                "after-exit")}
    return snaps, mem


@test(20, "fork shares every private page, read-only in both")
def share():
    snaps, _ = cow_state()
    c, p = snaps["after-fork-child"], snaps["after-fork-parent"]
    copied = [i for i in range(NPAGES) if c[i][0] != p[i][0]]
    expect(not copied, "right after fork, child and parent map the same frames",
           "%d of %d pages in different frames (page %d: child frame %d, parent frame %d)"
           % (len(copied), NPAGES, copied[0], c[copied[0]][0], p[copied[0]][0])
           if copied else "")
    writable = [i for i in range(NPAGES) if c[i][1] or p[i][1]]
    expect(not writable, "shared pages are read-only in both ptes",
           "%d writable, e.g. page %d" % (len(writable), writable[0]) if writable else "")
    bad = [i for i in range(NPAGES) if c[i][2] != 2]
    expect(not bad, "each shared frame has reference count 2 (one per pte)",
           "page %d: refcount %d" % (bad[0], c[bad[0]][2]) if bad else "")


@test(20, "a write copies exactly the page written")
def copy_one():
    snaps, _ = cow_state()
    c0, c, p = snaps["after-fork-child"], snaps["child-wrote-child"], snaps["child-wrote-parent"]
    moved = sorted(i for i in range(NPAGES) if c[i][0] != c0[i][0])
    expect_equal(moved, sorted(WRITTEN), "the pages the child wrote (and only those) "
                 "now have frames of their own in the child")
    for i in WRITTEN:
        expect(c[i][1] and c[i][2] == 1, "the child's copy of page %d is writable, refcount 1" % i,
               c[i])
        expect(p[i][0] == c0[i][0] and p[i][2] == 1,
               "the parent keeps its frame for page %d, now with refcount 1" % i, p[i])
    shared = [i for i in range(NPAGES) if i not in WRITTEN and (c[i][0] != p[i][0] or c[i][2] != 2)]
    expect(not shared, "the pages nobody wrote stay shared (refcount 2)",
           "page %d: %s vs %s" % (shared[0], c[shared[0]], p[shared[0]]) if shared else "")


@test(15, "the last sharer of a page writes it in place")
def reuse():
    snaps, _ = cow_state()
    before, after = snaps["child-wrote-parent"], snaps["parent-wrote"]
    c0, p0 = snaps["after-fork-child"], snaps["after-fork-parent"]
    for i in WRITTEN:
        expect(c0[i][0] == p0[i][0], "page %d was shared after fork (it is the child's "
               "write that must have left the parent as its only user)" % i,
               "child frame %d, parent frame %d" % (c0[i][0], p0[i][0]))
    for i in WRITTEN:
        expect(after[i][0] == before[i][0] and after[i][1],
               "the parent writes page %d (which it alone maps now) in its own frame, "
               "without a copy" % i, "frame %d -> %d, writable %s"
               % (before[i][0], after[i][0], after[i][1]))
    c0 = snaps["after-fork-parent"]
    unchanged = [i for i in range(NPAGES) if i not in WRITTEN and after[i][0] != c0[i][0]]
    expect(not unchanged, "pages the parent did not write keep their frames", unchanged[:5])


@test(15, "fork of 1024 touched pages costs a few frames, not 1024")
def frames():
    _, mem = cow_state()
    used = mem["before-fork"] - mem["after-fork"]
    expect(used < 200, "fork takes under 200 frames (page tables, the child's stub pages)",
           "%d frames" % used)


@test(10, "cowtest reads back what it wrote, as on Linux", starter="pass")
def same_as_linux():
    r = cow_run()
    n = native(lab_prog("cowtest"))
    expect_equal(r.out, n.out, "cowtest's output under pyuml and natively")
    r.expect_status(0)


@test(10, "every frame comes back, and the refcounts add up", starter="pass")
def no_leaks():
    _, mem = cow_state()
    expect_equal(mem["after-exit"], mem["start"],
                 "free frames after the child exited and the region was unmapped, "
                 "against before the region was mapped")
    r = guest(lab_prog("cowtest") + " >/dev/null; "
              "busybox sh -c 'x=$(busybox echo a | busybox cat); echo $x'",
              boot_args=["check_mm"])
    r.expect_status(0)
    bad = [l for l in r.log.splitlines() if "BUG" in l or "Oops" in l]
    expect(not bad, "check_mm (a recount of every frame's references at each wait) finds "
           "nothing wrong", "\n".join(bad[:5]))
    expect("check_mm: " in r.log, "check_mm ran", r.log[-500:])


@test(10, "copy-on-write holds on the plain paths too (fastpaths=0)")
def plain_paths():
    r = guest(lab_prog("cowtest"), kstate=True, boot_args=["fastpaths=0"])
    r.expect_status(0)
    tags = [x["tag"] for x in r.records if (x.get("tag") or "").startswith("region-")]
    base = int(tags[0][len("region-"):], 16)
    c = _snap_pages(r.record("after-fork-child"), base)
    p = _snap_pages(r.record("after-fork-parent"), base)
    same = sum(1 for i in range(NPAGES) if i in c and i in p and c[i][0] == p[i][0])
    expect_equal(same, NPAGES, "pages shared after fork with fastpaths=0")
    expect_equal(r.out, cow_run().out, "the same output as with the fast paths")


if __name__ == "__main__":
    run_tests()
