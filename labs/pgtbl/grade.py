#!/usr/bin/env python3
"""Grader of lab pgtbl: vmprint (/proc/PID/pagetable) and /proc/PID/pagemap."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gradelib import *  # noqa: E402,F401,F403

PFN_MASK = 0x000FFFFFFFFFF000
LINE = re.compile(r"^((?: \.\.)+)(\d+): pte (0x[0-9a-f]{16}) pa (0x[0-9a-f]{16})$")


@once
def vmprint_run():
    r = guest(lab_prog("pgtest") + " vmprint", kstate=True)
    r.expect_no_oops()
    r.expect_status(0)
    return r


def expected_lines(snap):
    """vmprint's lines from the kernel's own page-table pages (kstate)."""
    tables = {t["pfn"]: t for t in snap["tables"]}
    out = []

    def walk(pfn, depth):
        for i, e in tables[pfn]["entries"]:
            used = e & 0x101 if depth == 4 else e & 1
            if not used:
                continue
            out.append(" .." * depth + "%d: pte %#018x pa %#018x" % (i, e, e & PFN_MASK))
            if depth < 4:
                walk((e & PFN_MASK) >> 12, depth + 1)
    walk(snap["pgd"], 1)
    return out


@test(25, "vmprint shows every entry in use, as the tables hold it")
def vmprint():
    r = vmprint_run()
    snap = r.record("tables")
    got = [l for l in r.out.splitlines() if LINE.match(l)]
    want = expected_lines(snap)
    missing = [l for l in want if l not in set(got)]
    extra = [l for l in got if l not in set(want)]
    expect(not missing and not extra, "/proc/self/pagetable against the page-table pages "
           "(a /dev/kstate snapshot taken just before)",
           "%d lines missing, e.g. %s; %d extra, e.g. %s" % (len(missing), missing[:2],
                                                            len(extra), extra[:2]))
    expect_equal(got, want, "the order of the lines (depth first, by index)")


@test(10, "vmprint's format: the pgd's address first, one ' ..' per level")
def vmprint_format():
    r = vmprint_run()
    snap = r.record("tables")
    lines = r.out.splitlines()
    expect(lines, "pgtest vmprint printed something", r.context())
    expect_equal(lines[0], "page table %#018x" % (snap["pgd"] << 12), "the first line")
    bad = [l for l in lines[1:] if not LINE.match(l)]
    expect(len(lines) > 4 and not bad, "every other line is ' ..' * depth + 'INDEX: pte 0x... "
           "pa 0x...' (16 hex digits each)", bad[:3] or lines[:5])
    depths = [len(LINE.match(l).group(1)) // 3 for l in lines[1:]]
    expect(set(depths) == {1, 2, 3, 4}, "four levels of depth", sorted(set(depths)))


@test(25, "pagemap's flags for each kind of page, as on Linux")
def flags():
    prog = lab_prog("pgtest")
    r, n = guest(prog + " flags"), native(prog + " flags")
    r.expect_no_oops()
    expect_equal(r.out, n.out, "pgtest flags (bits 55..63 of each entry, in hex) under pyuml "
                 "and natively: present 1<<63 (0x100), file/shared 1<<61 (0x40), "
                 "exclusive 1<<56 (0x02)")


@test(20, "pagemap's frame numbers are the ones in the ptes")
def pfns():
    r = guest(lab_prog("pgtest") + " pfn", kstate=True, boot_args=["anon_fault_around=0"])
    r.expect_status(0)
    tag = [x["tag"] for x in r.records if (x.get("tag") or "").startswith("ptes-")]
    expect(tag, "pgtest asked kstate for its ptes", r.context())
    snap = r.record(tag[0])
    base = int(tag[0].split("-", 1)[1], 16)
    want = {}
    for a, pte, rc, cache in snap["ptes"]:
        if base <= a < base + 16 * 4096 and pte & 0x101:
            want[(a - base) >> 12] = (pte & PFN_MASK) >> 12
    got = {}
    for m in re.finditer(r"^page (\d+) present (\d) pfn (\d+)$", r.out, re.M):
        if m.group(2) == "1":
            got[int(m.group(1))] = int(m.group(3))
    expect(want, "pages of the region are mapped (every third was written)", snap["ptes"][:4])
    expect_equal(got, want, "{page: frame} from pagemap (read as root) and from the ptes")


@test(10, "odd reads: unaligned or partial entries, beyond user space", starter="pass")
def reads():
    prog = lab_prog("pgtest")
    r, n = guest(prog + " reads"), native(prog + " reads")
    expect_equal(r.out, n.out, "pgtest reads under pyuml and natively")


@test(10, "pagemap of another process, and of pages a fork shares")
def other():
    prog = lab_prog("pgtest")
    r = guest(prog + " flags | grep -i child", kstate=False)
    n = native(prog + " flags | grep -i child")
    expect_equal(r.out, n.out, "a forked child's view: shared pages are not exclusive")
    r = guest("busybox sleep 100 & p=$!; busybox dd if=/proc/$p/pagemap bs=8 count=1 "
              "skip=$((0x400000 / 4096)) 2>/dev/null | busybox od -A n -t x8; kill $p")
    r.expect_no_oops()
    words = [int(w, 16) for w in r.out.split() if re.fullmatch(r"[0-9a-f]{16}", w)]
    expect(words and words[0] >> 63 and words[0] >> 61 & 1 and words[0] & ((1 << 55) - 1),
           "the first page of busybox's text (0x400000) in another process's pagemap: "
           "present, a file page, with its frame number (we are root)", r.out)


if __name__ == "__main__":
    run_tests()
