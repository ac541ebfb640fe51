"""Property tests: page tables, frame reference counts and the host process.

A hypothesis state machine drives real address spaces (each with its host
process) through random sequences of mmap, munmap, mprotect, touches
(kernel-side faults, copy-on-write included), fork, TLB flushes and
teardown.  After every step:

 - nr_ptes equals the pte pages that map user space (the seed's invariant);
 - every frame's reference count equals the references a recount finds in
   all page tables (plus the stubs' own pages), and nr_free agrees;
 - the ptes agree with a plain model of which pages hold which byte;
 - after a flush, the host kernel's /proc/PID/maps of each host process
   shows exactly the frames and protections the ptes say, and the bytes the
   host process sees at each address are the model's.

When the machine is torn down every frame must be free again.
"""

import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant,
                                 precondition, rule)

import conftest  # noqa: F401  (puts the source tree on sys.path)
from kernel.errno import Errno
from mm import physmem as _pm
from arch import x86_64
from kernel.fork import dup_mm, mm_alloc
from mm.debug import check_host, check_mm, check_refcounts, expected_refcounts
from mm.exit import exit_mmap
from mm.mmap import MAP_FIXED, MAP_PRIVATE, do_mmap, do_munmap, mprotect_fixup
from mm.physmem import setup_physmem
from mm.tlb import flush_ops, flush_tlb_mm
from mm.uaccess import copy_from_user, copy_to_user
from skas import process
from skas.mem import run_syscall_stub

PAGE = 4096
# a small window that straddles a 1 GiB (PUD) boundary, hence a PMD one too,
# so that tables are allocated and freed often
BASE = (1 << 30) - 48 * 4096
NPAGES = 96


@pytest.fixture(scope="module", autouse=True)
def machine():
    setup_physmem(64 << 20)
    process.template_for(x86_64.get_stub())     # lives as long as this module
    yield
    process.kill_all()


def _mm_alloc():
    return mm_alloc(x86_64)


def _stub_refs(mms):
    extra = []
    ctxs = [m.context for m in mms] + [c for c in process._templates.values() if not c.dead]
    for ctx in ctxs:
        extra += [(ctx.data_pfn + i, 1) for i in range(ctx.stub.data_pages)]
        extra += [(ctx.stack_pfn + i, 1) for i in range(ctx.stub.stack_pages)]
    for stub, pfn in process._code_frames.items():
        extra += [(pfn + i, 1) for i in range(stub.code_pages)]
    return extra


pages = st.integers(0, NPAGES - 1)
lengths = st.integers(1, 48)
prots = st.sampled_from([0, 1, 3, 5, 7])


class AddressSpaces(RuleBasedStateMachine):
    """mms[i] is a live MM; model[i] maps page index -> [prot, byte]."""
    mms = ()            # none until start() (hypothesis may tear down first)

    @initialize()
    def start(self):
        self.mms = [_mm_alloc()]
        self.model = [{}]

    def _pick(self, i):
        i %= len(self.mms)
        return i, self.mms[i], self.model[i]

    @rule(i=st.integers(0, 7), p=pages, n=lengths, prot=prots)
    def mmap(self, i, p, n, prot):
        i, mm, model = self._pick(i)
        n = min(n, NPAGES - p)
        do_mmap(mm, BASE + p * PAGE, n * PAGE, prot, MAP_FIXED | MAP_PRIVATE)
        for k in range(p, p + n):
            model[k] = [prot, 0]

    @rule(i=st.integers(0, 7), p=pages, n=lengths)
    def munmap(self, i, p, n):
        i, mm, model = self._pick(i)
        n = min(n, NPAGES - p)
        do_munmap(mm, BASE + p * PAGE, n * PAGE)
        for k in range(p, p + n):
            model.pop(k, None)

    @rule(i=st.integers(0, 7), p=pages, n=lengths, prot=prots)
    def mprotect(self, i, p, n, prot):
        i, mm, model = self._pick(i)
        n = min(n, NPAGES - p)
        mapped = all(k in model for k in range(p, p + n))
        try:
            mprotect_fixup(mm, BASE + p * PAGE, BASE + (p + n) * PAGE, prot)
            assert mapped, "mprotect of an unmapped range succeeded"
            for k in range(p, p + n):
                model[k][0] = prot
        except Errno as e:
            assert not mapped and e.errno == 12, "mprotect failed: %r" % e
            # as Linux, the mapped pages before the first hole changed
            k = p
            while k < p + n and k in model:
                model[k][0] = prot
                k += 1

    def _page(self, data, model):
        """Mostly a mapped page (where things happen), sometimes any."""
        if model and data.draw(st.integers(0, 3)):
            return data.draw(st.sampled_from(sorted(model)))
        return data.draw(pages)

    @rule(i=st.integers(0, 7), data=st.data(), value=st.integers(1, 255))
    def write(self, i, data, value):
        """A write as the guest would do it: faults in, breaks COW."""
        i, mm, model = self._pick(i)
        p = self._page(data, model)
        ok = p in model and model[p][0] & 2
        try:
            copy_to_user(mm, BASE + p * PAGE + 7, bytes([value]))
            assert ok, "write to page %d allowed" % p
            model[p][1] = value
        except Errno as e:
            assert not ok and e.errno == 14

    @rule(i=st.integers(0, 7), data=st.data(), value=st.integers(1, 255))
    def write_several(self, i, data, value):
        """Several writes before the next flush: the flush must map each
        run at its own address."""
        for _ in range(data.draw(st.integers(2, 5))):
            self.write(i, data, value)

    @rule(i=st.integers(0, 7), data=st.data())
    def read(self, i, data):
        i, mm, model = self._pick(i)
        p = self._page(data, model)
        ok = p in model and model[p][0] & 1
        try:
            b = copy_from_user(mm, BASE + p * PAGE + 7, 1)
            assert ok, "read of page %d allowed" % p
            assert b[0] == model[p][1]
        except Errno as e:
            assert not ok and e.errno == 14

    @precondition(lambda self: len(self.mms) < 4)
    @rule(i=st.integers(0, 7))
    def fork(self, i):
        i, mm, model = self._pick(i)
        self.mms.append(dup_mm(mm))
        self.model.append({k: list(v) for k, v in model.items()})

    @precondition(lambda self: len(self.mms) > 1)
    @rule(i=st.integers(0, 7))
    def tear_down_one(self, i):
        i, mm, model = self._pick(i)
        exit_mmap(mm)
        del self.mms[i]
        del self.model[i]

    @rule(i=st.integers(0, 7))
    def flush_and_compare_with_host(self, i):
        i, mm, model = self._pick(i)
        flush_tlb_mm(mm)
        assert check_host(mm) == []
        # what the host process itself sees at each written, readable page
        fd = os.open("/proc/%d/mem" % mm.context.pid, os.O_RDONLY)
        try:
            for k, (prot, val) in model.items():
                if prot & 1 and mm.pt.lookup(BASE + k * PAGE) & 1:
                    got = os.pread(fd, 1, BASE + k * PAGE + 7)
                    assert got == bytes([val]), "host sees %r at page %d, model %d" % (got, k, val)
        finally:
            os.close(fd)

    @rule(i=st.integers(0, 7), limit=st.integers(1, 4))
    def flush_in_small_batches(self, i, limit):
        """A flush cut into batches of at most limit ops (as the fault
        handler's batch is): whatever one batch leaves out stays pending."""
        i, mm, model = self._pick(i)
        while True:
            ops = flush_ops(mm, limit)
            assert len(ops) <= limit
            if not ops:
                break
            run_syscall_stub(mm.context, ops)
        assert not mm.tlb_ranges and not mm.pending_unmaps
        assert check_host(mm) == []

    @invariant()
    def tables_are_consistent(self):
        for mm in self.mms:
            assert check_mm(mm) == []

    @invariant()
    def refcounts_match_references(self):
        assert check_refcounts(expected_refcounts(self.mms, extra=_stub_refs(self.mms))) == []

    @invariant()
    def ptes_agree_with_model(self):
        q = _pm.physmem.mem
        for mm, model in zip(self.mms, self.model):
            for k in range(NPAGES):
                pte = mm.pt.lookup(BASE + k * PAGE)
                if k not in model:
                    assert pte == 0, "page %d unmapped but pte %#x" % (k, pte)
                elif model[k][1]:
                    assert pte & 0x101, "page %d written but not present" % k
                    off = (pte & 0x000FFFFFFFFFF000) + 7
                    assert q[off] == model[k][1]

    def teardown(self):
        for mm in self.mms:
            exit_mmap(mm)
        self.mms = []


AddressSpaces.TestCase.settings = settings(
    max_examples=int(os.environ.get("PYUML_HYPOTHESIS_EXAMPLES", "60")),
    stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestAddressSpaces = AddressSpaces.TestCase


def test_nothing_leaks_after_teardown():
    """Build up and tear down address spaces: every frame comes back."""
    process.template_for(x86_64.get_stub())
    pm = _pm.physmem
    mm = _mm_alloc()
    free0 = pm.nr_free
    exit_mmap(mm)
    baseline = pm.nr_free
    mm = _mm_alloc()
    assert pm.nr_free == free0
    do_mmap(mm, BASE, 300 * PAGE, 3, MAP_FIXED | MAP_PRIVATE)
    for k in range(0, 300, 3):
        copy_to_user(mm, BASE + k * PAGE, b"x")
    child = dup_mm(mm)
    for k in range(0, 300, 5):
        copy_to_user(child, BASE + k * PAGE, b"y")
    exit_mmap(mm)
    exit_mmap(child)
    assert pm.nr_free == baseline


def test_flush_maps_each_run_at_its_own_address():
    """Two faulted runs with consecutive frames but a gap between their
    addresses must not become one host mmap."""
    mm = _mm_alloc()
    try:
        do_mmap(mm, BASE, 96 * PAGE, 3, MAP_FIXED | MAP_PRIVATE)
        copy_to_user(mm, BASE, b"x")
        copy_to_user(mm, BASE + 40 * PAGE, b"y")
        all_ops = flush_ops(mm)
        run_syscall_stub(mm.context, all_ops)
        ops = [o for o in all_ops if o[0] == "mmap"]
        assert len(ops) == 2 and ops[0][1] == BASE and ops[1][1] == BASE + 32 * PAGE, ops
        copy_to_user(mm, BASE + 80 * PAGE, b"z")
        flush_tlb_mm(mm)
        assert check_host(mm) == []
    finally:
        exit_mmap(mm)


def test_a_short_batch_leaves_the_rest_pending():
    """More stale runs than a batch holds: each flush_ops(mm, limit) returns
    at most limit ops, the rest stays stale, and the host ends up exactly
    as the ptes say - nothing is dropped."""
    mm = _mm_alloc()
    try:
        do_mmap(mm, BASE, 96 * PAGE, 3, MAP_FIXED | MAP_PRIVATE)
        for k in range(96):
            copy_to_user(mm, BASE + k * PAGE, b"x")
        run_syscall_stub(mm.context, flush_ops(mm))
        for k in range(0, 96, 2):                   # 48 separate mprotects
            mprotect_fixup(mm, BASE + k * PAGE, BASE + (k + 1) * PAGE, 1)
        batches = []
        while True:
            ops = flush_ops(mm, 5)
            if not ops:
                break
            assert len(ops) <= 5
            batches.append(ops)
            run_syscall_stub(mm.context, ops)
        assert sum(len(b) for b in batches) == 48
        assert check_host(mm) == []
    finally:
        exit_mmap(mm)
