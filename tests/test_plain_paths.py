"""The plain paths beside the fast ones (init/switches.py).

Every speed-up has a boot option that turns it off; the kernel must then
behave exactly the same, only slower.  Here:

 - the core differential tests (hello, memory, files, fork and
   copy-on-write, the process and exec programs, file mmap, signals,
   threads, the fork/write/exit refcount property) run again with
   fastpaths=0: each test below is imported from its own module and
   collected a second time, with the boot option added to every run();
 - the page-table state machine of tests/test_pgtable_props.py (ptes,
   refcounts, the host process's maps) runs with the switches off in the
   kernel itself, and with a fork rule that names hot pages, both ways;
 - each switch really changes the path: counted, not timed (the ptrace
   stops of a fork, the host batches, the faults of a second exec).
"""

import re

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule, precondition

import conftest
from conftest import guest
# re-collected here and run with fastpaths=0 (see the fixture below)
from test_basic import (test_files, test_fork_copy_on_write, test_hello,  # noqa: F401
                        test_memory_64mib, test_null_dereference_kills_only_the_guest,
                        test_registers_survive_page_faults, test_static_pie)
from test_exec import test_exec_reset, test_exec_vfork  # noqa: F401
from test_fs_mmap import test_mmap_files_on_tmpfs  # noqa: F401
from test_process import test_process  # noqa: F401
from test_process_props import test_fixed_script_deep_tree  # noqa: F401
from test_signal import test_fault, test_signal  # noqa: F401
from test_thread import test_thread  # noqa: F401
import test_pgtable_props as props
from kernel import sched, task as ktask
from arch import x86_64
from fs import binfmt_elf, exec_prefault
from fs.dcache import d_add
from fs.file import File, O_RDONLY
from fs.inode import S_IFREG
from fs.mount import Mount, Path
from fs.read_write import generic_file_fops
from fs.tmpfs import make_tmpfs
from init import switches
from kernel import fork
from kernel.fork import dup_mm, mm_alloc
from kernel.sched_fair import FairSchedClass
from kernel.task import Cred
from mm import memory
from mm.debug import check_host
from mm.exit import exit_mmap
from mm.mm import MM
from mm.mmap import MAP_FIXED, MAP_PRIVATE, do_mmap
from mm.pgtable import _PAGE_NEWPROT, _PAGE_RW
from mm.physmem import setup_physmem
from mm.tlb import flush_tlb_mm
from mm.uaccess import copy_to_user
from skas import process


@pytest.fixture(scope="module", autouse=True)
def machine():
    """Fresh physical memory and a stub template for the in-process tests
    (another module may have had a machine in this process before: its
    stub code frames were in the old physmem)."""
    process.kill_all()
    process._code_frames.clear()
    setup_physmem(64 << 20)
    process.template_for(x86_64.get_stub())
    yield
    process.kill_all()


@pytest.fixture(autouse=True)
def plain_paths(monkeypatch):
    """Every boot in this module takes the plain paths; so does the kernel
    code the in-process tests call."""
    monkeypatch.setattr(conftest, "BOOT_ARGS", conftest.BOOT_ARGS + ["fastpaths=0"])
    for mod, attr in ((fork, "fork_hot_pages"), (memory, "fork_mprotect_ranges"),
                      (memory, "anon_fault_around"), (exec_prefault, "exec_prefault_enabled"),
                      (binfmt_elf, "elf_cache")):
        monkeypatch.setattr(mod, attr, False)


class HotForks(props.AddressSpaces):
    """The state machine, plus forks that name pages both sides are about
    to write (what copy_process passes as the stack and TLS)."""

    @precondition(lambda self: len(self.mms) < 4)
    @rule(i=st.integers(0, 7), pages=st.lists(st.integers(0, props.NPAGES - 1), max_size=3))
    def fork_with_hot_pages(self, i, pages):
        i, mm, model = self._pick(i)
        self.mms.append(dup_mm(mm, hot=[props.BASE + p * props.PAGE for p in pages]))
        self.model.append({k: list(v) for k, v in model.items()})


_SETTINGS = settings(max_examples=25, stateful_step_count=40, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


def test_page_tables_on_the_plain_paths():
    HotForks.TestCase.settings = _SETTINGS
    HotForks.TestCase().runTest()


def test_page_tables_with_hot_pages_fast(monkeypatch):
    """The same machine with the fast paths back on: the hot-page copies
    and the returned mprotect ranges must keep the host in step too."""
    monkeypatch.setattr(fork, "fork_hot_pages", True)
    monkeypatch.setattr(memory, "fork_mprotect_ranges", True)
    HotForks.TestCase.settings = _SETTINGS
    HotForks.TestCase().runTest()


# -- each switch changes what the kernel does (counted, not timed) --------------

BUSYBOX = conftest.os.path.join(conftest.BUILD, "busybox.cpio.gz")


def _faults(args, boot_args):
    """Boot with the stats option; the kernel's count of page faults."""
    r = conftest.boot(["quiet", "stats"] + boot_args + args)
    m = re.search(rb"stats: ptrace_stops=(\d+) syscalls=(\d+) faults=(\d+)", r.stderr)
    assert r.status == 0 and m, r.stderr.decode(errors="replace")
    return int(m.group(3))


def _busybox_sh(script):
    return ["initrd=" + BUSYBOX, "init=/bin/sh", "--", "-c", script]


@pytest.mark.parametrize("switch, script", [
    # 2 MiB touched page by page: fault-around maps 16 pages per fault
    ("anon_fault_around", "x=$(busybox seq 1 40000); echo ${#x}"),
    # the same program exec'd again and again: its first faults replayed
    ("exec_prefault", "for i in 1 2 3 4 5 6 7 8; do /bin/busybox true; done"),
    # forks whose children write the stack: copied at fork, not by a fault
    ("fork_hot_pages", "for i in 1 2 3 4 5 6 7 8; do (busybox true); done"),
])
def test_each_switch_turns_its_path_off(monkeypatch, switch, script):
    monkeypatch.setattr(conftest, "BOOT_ARGS", [])
    on = _faults(_busybox_sh(script), [])
    off = _faults(_busybox_sh(script), [switch + "=0"])
    assert off > on, "%s=0: %d faults, on: %d" % (switch, off, on)


@pytest.mark.parametrize("fast", [False, True])
def test_forked_host_processes_are_write_protected(monkeypatch, fast):
    """After a fork both host processes map the shared pages read-only,
    hot pages aside, whichever path made it so."""
    monkeypatch.setattr(memory, "fork_mprotect_ranges", fast)
    monkeypatch.setattr(fork, "fork_hot_pages", fast)
    base, page = props.BASE, props.PAGE
    mm = mm_alloc(x86_64)
    do_mmap(mm, base, 8 * page, 3, MAP_FIXED | MAP_PRIVATE)
    for k in range(8):
        copy_to_user(mm, base + k * page, bytes([k]))
    flush_tlb_mm(mm)
    child = dup_mm(mm, hot=(base + 3 * page,))
    try:
        for m in (child, mm):
            flush_tlb_mm(m)
            assert check_host(m) == []
    finally:
        exit_mmap(child)
        exit_mmap(mm)


def test_fork_mprotect_ranges_switch(monkeypatch):
    """copy_page_range hands back the ranges it write-protected (fast) or
    marks the parent's ptes stale for the TLB flush (plain)."""
    base = props.BASE
    for fast in (True, False):
        monkeypatch.setattr(memory, "fork_mprotect_ranges", fast)
        mm = mm_alloc(x86_64)
        do_mmap(mm, base, 8 * props.PAGE, 3, MAP_FIXED | MAP_PRIVATE)
        for k in range(8):
            copy_to_user(mm, base + k * props.PAGE, b"x")
        flush_tlb_mm(mm)
        child = MM(x86_64)
        ranges = memory.copy_page_range(child, mm, mm.vma_at(base))
        ptes = [mm.pt.lookup(base + k * props.PAGE) for k in range(8)]
        assert not any(p & _PAGE_RW for p in ptes)
        if fast:
            assert ranges == [[base, base + 8 * props.PAGE]] and mm.tlb_ranges == []
            assert not any(p & _PAGE_NEWPROT for p in ptes)
        else:
            assert ranges == [] and mm.tlb_ranges == [[base, base + 8 * props.PAGE]]
            assert all(p & _PAGE_NEWPROT for p in ptes)
        exit_mmap(child)
        exit_mmap(mm)


def test_elf_cache_switch(monkeypatch):
    """The ELF headers are parsed once per file with the cache, at every
    exec without it (counted in-process)."""
    calls = []
    real = binfmt_elf.ElfImage._parse
    monkeypatch.setattr(binfmt_elf.ElfImage, "_parse",
                        lambda self, f: (calls.append(1), real(self, f))[1])
    f = _elf_file(guest("hello", "musl"))
    for cache, want in ((True, 1), (False, 3)):
        monkeypatch.setattr(binfmt_elf, "elf_cache", cache)
        calls.clear()
        f.mapping.elf_image = None
        for _ in range(3):
            img = binfmt_elf.ElfImage(f)
            assert img.loads
        assert len(calls) == want, (cache, calls)


def _elf_file(path):
    """A tmpfs file holding the host file's bytes, opened for reading."""
    sb = make_tmpfs()
    root = sb.root
    inode = root.inode.create(b"prog", S_IFREG | 0o755, Cred())
    d = d_add(root, b"prog", inode)
    with open(path, "rb") as fh:
        inode.mapping.write(0, fh.read())
    f = File(Path(Mount(sb, root), d), O_RDONLY, generic_file_fops)
    f.mapping = inode.mapping
    return f


def test_bad_switch_values_are_one_line_errors():
    r = conftest.boot(["fork_hot_pages=maybe", "initrd=/nonexistent"])
    assert r.status != 0 and r.stderr.strip() == b"linux: fork_hot_pages=maybe: say 1 or 0"
    r = conftest.boot(["sched_clock=cycles", "initrd=/nonexistent"])
    assert r.stderr.strip() == b"linux: sched_clock=cycles: say tick or host"


def test_sched_clock_tick_charges_ticks_not_time(monkeypatch):
    """sched_clock=tick: the scheduler charges a task 10 ms per preemption
    tick it took, however long the host took (counted, in-process: the
    real loop, a fake run that takes three ticks)."""
    monkeypatch.setattr(sched, "policy", FairSchedClass())
    monkeypatch.setattr(sched, "tick_clock", False)
    switches.apply("sched_clock", "tick")
    assert sched.tick_clock
    t = ktask.Task(4000000, None)
    sched.enqueue_task(t)
    ran = []

    def run_task(task):
        task.sched_ticks += 3               # preempted three times
        ran.append(task)
        return False                        # and then it slept

    sched.schedule_loop(run_task, lambda: not ran)
    assert ran == [t]
    assert t.vruntime == pytest.approx(3 * sched.TICK)
