"""mm/debug.py - checking the memory manager's invariants.

Frame reference counts are the ground truth of physical memory: a frame is
free exactly when nobody refers to it.  check_physmem() recounts every
reference from scratch -- the page-table pages and the ptes of every mm,
every page cache, every stub's pages -- and compares with physmem's counts.
check_mm() verifies one mm's nr_ptes against its tables and, optionally,
its host process against the ptes (/proc/PID/maps is the host kernel's
word on what is mapped).

Used by the property tests (tests/test_pgtable_props.py) and by the
`check_mm` boot option, which runs check_physmem() whenever a process is
reaped and at power-off and logs any difference as a BUG line.
"""

from collections import Counter
import gc

from mm import physmem as _pm
from mm.pgtable import (_PAGE_PRESENT, _PAGE_PROTNONE, PGDIR_SHIFT, PMD_SHIFT,
                        PTE_PFN_MASK, PUD_SHIFT, pte_host_prot, pte_pfn)
from mm.physmem import PAGE_SHIFT, PAGE_SIZE
from fs.pagecache import AddressSpace
from kernel import task as ktask
from kernel.printk import pr_err
from skas import process


def walk_tables(pt):
    """Yield ("table", pfn, level) for every table page below the pgd and
    ("pte", addr, pte) for every non-zero pte."""
    q = pt.q
    for i in range(512):
        pud_e = q[(pt.pgd << 9) | i]
        if not pud_e & _PAGE_PRESENT:
            continue
        pud = pte_pfn(pud_e)
        yield "table", pud, 3
        for j in range(512):
            pmd_e = q[(pud << 9) | j]
            if not pmd_e & _PAGE_PRESENT:
                continue
            pmd = pte_pfn(pmd_e)
            yield "table", pmd, 2
            for k in range(512):
                pte_e = q[(pmd << 9) | k]
                if not pte_e & _PAGE_PRESENT:
                    continue
                ptp = pte_pfn(pte_e)
                yield "table", ptp, 1
                base = (i << PGDIR_SHIFT) | (j << PUD_SHIFT) | (k << PMD_SHIFT)
                row = q[ptp << 9:(ptp << 9) + 512]
                for n in range(512):
                    pte = row[n]
                    if pte:
                        yield "pte", base | (n << PAGE_SHIFT), pte


def count_pte_pages(pt, limit):
    """pte pages that map addresses below limit."""
    n = 0
    q = pt.q
    for i in range(512):
        if (i << PGDIR_SHIFT) >= limit:
            break
        pud_e = q[(pt.pgd << 9) | i]
        if not pud_e & _PAGE_PRESENT:
            continue
        pud = pte_pfn(pud_e)
        for j in range(512):
            pmd_e = q[(pud << 9) | j]
            if not pmd_e & _PAGE_PRESENT:
                continue
            pmd = pte_pfn(pmd_e)
            for k in range(512):
                # below the limit, not merely in the same top-level slot: the
                # i386 stub's pte page sits in the first 512 GiB with user space
                if (i << PGDIR_SHIFT | j << 30 | k << 21) >= limit:
                    break
                if q[(pmd << 9) | k] & _PAGE_PRESENT:
                    n += 1
    return n


def check_mm(mm, host=False):
    """Problems with one mm, as a list of strings (empty: all good)."""
    errors = []
    n = count_pte_pages(mm.pt, mm.task_size)
    if n != mm.pt.nr_ptes:
        errors.append("nr_ptes is %d but %d pte pages map user space" % (mm.pt.nr_ptes, n))
    for kind, a, pte in walk_tables(mm.pt):
        if kind != "pte" or a >= mm.task_size:
            continue
        if not pte & (_PAGE_PRESENT | _PAGE_PROTNONE):
            errors.append("pte %#x at %#x holds bits but no frame" % (pte, a))
            continue
        vma = mm.vma_at(a)
        if vma is None:
            errors.append("pte at %#x outside any VMA" % a)
    if host and mm.context is not None:
        errors += check_host(mm)
    return errors


def host_maps(pid):
    """[(start, end, prot, offset)] of a host process below its stub."""
    out = []
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            parts = line.split()
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            perms = parts[1]
            prot = (1 if perms[0] == "r" else 0) | (2 if perms[1] == "w" else 0) | \
                (4 if perms[2] == "x" else 0)
            out.append((lo, hi, prot, int(parts[2], 16)))
    return out


def check_host(mm):
    """The host process must map exactly what the ptes say (after a flush):
    each present pte's frame at its address with its protection, nothing
    where there is no pte."""
    errors = []
    want = {}
    for kind, a, pte in walk_tables(mm.pt):
        if kind == "pte" and a < mm.task_size and pte & (_PAGE_PRESENT | _PAGE_PROTNONE):
            want[a] = (pte_host_prot(pte), pte & PTE_PFN_MASK)
    have = {}
    for lo, hi, prot, off in host_maps(mm.context.pid):
        if lo >= mm.task_size:
            continue
        for a in range(lo, hi, PAGE_SIZE):
            have[a] = (prot, off + (a - lo))
    for a in sorted(set(want) | set(have)):
        if want.get(a) != have.get(a):
            errors.append("host mapping at %#x is %s, ptes say %s" % (a, have.get(a), want.get(a)))
            if len(errors) > 10:
                break
    return errors


def expected_refcounts(mms, caches=(), extra=()):
    """Recount frame references from the page tables of mms, the page caches
    (AddressSpace objects) and extra (pfn, count) pairs."""
    c = Counter()
    for mm in mms:
        c[mm.pt.pgd] += 1
        for kind, a, v in walk_tables(mm.pt):
            if kind == "table":
                c[a] += 1
            elif v & (_PAGE_PRESENT | _PAGE_PROTNONE):
                c[pte_pfn(v)] += 1
    for cache in caches:
        for pfn in cache.pages.values():
            c[pfn] += 1
    for pfn, n in extra:
        c[pfn] += n
    return c


def check_refcounts(expected):
    """Differences between physmem's counts and a recount, as strings."""
    pm = _pm.physmem
    errors = []
    rc = pm.refcount
    for pfn in range(1, pm.nr_frames):
        want = expected.get(pfn, 0)
        if rc[pfn] != want:
            errors.append("frame %d: refcount %d, %d references found" % (pfn, rc[pfn], want))
            if len(errors) > 10:
                break
    free = sum(1 for pfn in range(1, pm.nr_frames) if rc[pfn] == 0)
    if free != pm.nr_free:
        errors.append("nr_free is %d but %d frames are free" % (pm.nr_free, free))
    return errors


def all_caches():
    """Every page cache the kernel holds (inodes reachable from mounts,
    open files and mappings)."""
    return [o for o in gc.get_objects() if isinstance(o, AddressSpace)]


def check_physmem():
    """The whole machine: every frame's count equals its references."""
    mms = {id(t.mm): t.mm for t in ktask.tasks.values() if t.mm is not None}
    extra = []
    ctxs = [mm.context for mm in mms.values() if mm.context is not None]
    ctxs += [c for c in process._templates.values() if not c.dead]
    for ctx in ctxs:
        stub = ctx.stub
        extra += [(ctx.data_pfn + i, 1) for i in range(stub.data_pages)]
        extra += [(ctx.stack_pfn + i, 1) for i in range(stub.stack_pages)]
    for stub, pfn in process._code_frames.items():
        extra += [(pfn + i, 1) for i in range(stub.code_pages)]
    return check_refcounts(expected_refcounts(mms.values(), all_caches(), extra))


# -- the check_mm boot option ----------------------------------------------------

check_enabled = False       # set by init/main.py for `check_mm`


def check_point(where):
    """With check_mm: recount the whole machine now (every frame against its
    references, every live mm's tables) and log the verdict, one line
    "check_mm: WHERE ok, N frames in use" or a "BUG: check_mm ..." line per
    problem.  The kernel calls it at each wait4/waitid and when the machine
    stops; tests read the lines."""
    if not check_enabled:
        return
    errors = check_physmem()
    seen = set()
    for t in list(ktask.tasks.values()):
        mm = t.mm
        if mm is not None and id(mm) not in seen and mm.context is not None:
            seen.add(id(mm))
            errors += check_mm(mm)
    pm = _pm.physmem
    if errors:
        for e in errors:
            pr_err("BUG: check_mm at %s: %s" % (where, e))
    else:
        pr_err("check_mm: %s ok, %d frames in use" % (where, pm.nr_frames - 1 - pm.nr_free))
