"""Hypothesis: random sequences of fork / write / exit / wait across a tree
of processes keep physical memory consistent.

tests/guest/forkseq.c runs a generated script; pyuml runs it with the
check_mm boot option (mm/debug.py), which recounts every frame's references
(page tables, page caches, stub pages) at each wait and when the machine
stops, and logs "check_mm: WHERE ok" or a "BUG: check_mm" line per
discrepancy.  The guest waits after every step, so each step is checked;
the last check, after every process has been reaped, shows that nothing
leaked.  The guest's output (checksums of every process's private memory
after its writes, exit statuses) must also equal the host's.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import guest, native, run

ROOT = -1
MAXW = 8
PAGES = 16


class Tree:
    """What the script does to the process tree, to generate only valid
    steps: live workers and unreaped zombies with their parents."""

    def __init__(self):
        self.live = {0: ROOT}           # slot -> parent slot, ROOT, or ("dead", p)
        self.zombie = {}
        self.steps = []

    def free_slots(self):
        return [s for s in range(MAXW) if s not in self.live and s not in self.zombie]

    def _reparent(self, old, new):
        for d in (self.live, self.zombie):
            for k, v in d.items():
                if v == old:
                    d[k] = new

    def fork(self, p, c):
        self.steps.append("f:%d:%d" % (p, c))
        self.live[c] = p

    def write(self, p, page, v):
        self.steps.append("w:%d:%d:%d" % (p, page, v))

    def exit(self, p):
        self.steps.append("x:%d" % p)
        self.zombie[p] = self.live.pop(p)
        self._reparent(p, ("dead", p))

    def reap(self, z):
        parent = self.zombie.pop(z)
        if parent == ROOT:
            self.steps.append("R:%d" % z)
        else:
            self.steps.append("r:%d:%d" % (parent, z))
        self._reparent(("dead", z), ROOT)

    def reapable(self):
        return [z for z, p in self.zombie.items() if p == ROOT or p in self.live]

    def drain(self):
        while self.live or self.zombie:
            r = self.reapable()
            if r:
                self.reap(r[0])
            else:
                self.exit(max(self.live))


@st.composite
def scripts(draw):
    tree = Tree()
    for _ in range(draw(st.integers(3, 18))):
        choices = []
        if tree.live and tree.free_slots():
            choices.append("fork")
        if tree.live:
            choices += ["write", "write", "exit"]
        if tree.reapable():
            choices.append("reap")
        if not choices:
            break
        op = draw(st.sampled_from(choices))
        if op == "fork":
            tree.fork(draw(st.sampled_from(sorted(tree.live))),
                      draw(st.sampled_from(tree.free_slots())))
        elif op == "write":
            tree.write(draw(st.sampled_from(sorted(tree.live))),
                       draw(st.integers(0, PAGES - 1)), draw(st.integers(0, 10**6)))
        elif op == "exit":
            tree.exit(draw(st.sampled_from(sorted(tree.live))))
        else:
            tree.reap(draw(st.sampled_from(sorted(tree.reapable()))))
    tree.drain()
    return tree.steps


def _check(steps, libc):
    prog = guest("forkseq", libc)
    n = native(prog, steps, timeout=30)
    u = run(prog, steps, kernel_args=["check_mm"], timeout=60)
    log = u.stderr.decode(errors="replace")
    assert u.out == n.out, "script %s\n--- native\n%s\n--- pyuml\n%s\n%s" % (
        steps, n.out, u.out, log)
    assert u.status == n.status == 0, log
    assert "BUG" not in log and "Oops" not in log, log
    checks = [line for line in log.splitlines() if "check_mm: " in line]
    assert len(checks) >= len(steps) + 1, log
    assert "check_mm: init exit ok" in checks[-1], log


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts())
def test_fork_write_exit_wait_keeps_refcounts(steps):
    _check(steps, "musl")


def test_fixed_script_deep_tree():
    """A tree three deep, orphans reparented to the root, writes at every
    level: the case random scripts reach least often."""
    t = Tree()
    t.fork(0, 1)
    t.write(1, 0, 11)
    t.fork(1, 2)
    t.write(2, 0, 22)
    t.fork(2, 3)
    t.write(0, 0, 5)
    t.write(3, 15, 33)
    t.exit(1)                   # 2 and its child are orphaned
    t.reap(1)
    t.write(2, 3, 7)
    t.exit(2)
    t.reap(2)                   # by the root now
    t.write(3, 15, 34)
    t.drain()
    _check(t.steps, "glibc")


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts())
def test_fork_write_exit_wait_keeps_refcounts_i386(steps):
    """The same for a 32-bit process: its page tables hold the i386 stub's
    pte page in the same top-level slot as user space, which nr_ptes must
    not count (a checker that did count it called every i386 fork a BUG)."""
    _check(steps, "glibc32")
