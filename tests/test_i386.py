"""i386 guests on the same kernel (issue 5): 32-bit programs behave as they
do natively on the host (which runs them with its IA32 emulation).

The 32-bit builds of the guest programs are glibc static (-m32 -static),
glibc dynamic (the host's i386 loader and libc copied into the initramfs),
no libc, and assembly.  Exec switches subarchitecture in either direction,
and `int $0x80` from 64-bit code is the i386 ABI.
"""

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, differential, guest, run
from elftools.elf.elffile import ELFFile

LIBS32 = ["glibc32", "glibc32dyn"]

# what a dynamic i386 program needs: the loader at its PT_INTERP path and
# libc where the loader looks (/usr/lib32 is in its built-in search path)
I386_RUNTIME = {
    "/lib/ld-linux.so.2": "/usr/lib32/ld-linux.so.2",
    "/usr/lib32/libc.so.6": "/usr/lib32/libc.so.6",
    "/usr/lib32/libgcc_s.so.1": "/usr/lib32/libgcc_s.so.1",   # pthread_exit unwinds
}


def files32(libc, extra=None):
    f = dict(I386_RUNTIME) if libc == "glibc32dyn" else {}
    f.update(extra or {})
    return f


def test_nolibc32_hello():
    differential(guest("hello", "nolibc32"), ["x", "yz"], env={"GUEST_X": "1"})


@pytest.mark.parametrize("libc", LIBS32)
def test_hello32(libc):
    differential(guest("hello", libc), ["5", "b"], env={"GUEST_VAR": "v"},
                 files=files32(libc))


def test_dynamic_without_its_loader_fails_like_linux():
    """No /lib/ld-linux.so.2 in the guest: execve fails with ENOENT, the
    interpreter's error, as on Linux (here: init cannot start)."""
    r = run(guest("hello", "glibc32dyn"))
    assert "Requested init /prog failed (error -2" in r.stderr.decode()
    assert b"hello, world" not in r.stdout


@pytest.mark.parametrize("libc", LIBS32)
def test_files32(libc, tmp_path):
    data = b"0123456789abcdefghij\nsecond line\n" * 3
    p = tmp_path / "data.txt"
    p.write_bytes(data)
    differential(guest("files", libc), [str(p)], files=files32(libc, {str(p): data}))


@pytest.mark.parametrize("libc", LIBS32)
def test_null_dereference_kills_only_the_guest32(libc):
    n, u = differential(guest("segv", libc), files=files32(libc))
    assert u.status == 128 + 11


def test_registers_survive_page_faults_i386():
    """eax..ebp, esp, CF and DF, %xmm0 and the x87 stack across 64 faults
    taken through the 32-bit stub's SIGSEGV handler."""
    n, u = differential(guest("regs", "asm32"))
    assert u.out == "regs ok\n"


@pytest.mark.parametrize("libc", LIBS32)
def test_fork_copy_on_write32(libc):
    differential(guest("forkcow", libc), files=files32(libc))


def test_memory32():
    n, u = differential(guest("memory", "glibc32"), ["32"], mem="256M")
    assert "all ok" in u.out


@pytest.mark.parametrize("libc", LIBS32)
def test_signal_frames32(libc):
    """Handlers with the old frame (sigreturn) and the rt frame
    (rt_sigreturn), siginfo, repairing and skipping faults, x87 state
    across asynchronous handlers, sigaltstack, masks, nesting."""
    n, u = differential(guest("sigframe", libc), files=files32(libc))
    assert "SUMS DIFFER" not in u.out and u.status == 0


# The 64-bit suites' programs, built -m32 -static: file system calls, file
# mappings, /proc/self, rlimits, processes and clocks through the i386 ABI.
SUITES32 = [("fsops", "W"), ("mmapfile", "W"), ("procself", "one|two words"),
            ("limits", "rlimit")] + \
    [("process", m) for m in ("fork", "vfork", "clone", "clone3", "wait", "zombie",
                              "sigchld", "pgrp")] + \
    [("clock", m) for m in ("clocks", "sleep", "alarm", "itimer", "usage")]


@pytest.mark.parametrize("prog,args", SUITES32)
def test_64bit_suites_as_i386_programs(prog, args, tmp_path):
    argv = [str(tmp_path / "w") if a == "W" else a for a in args.split("|")]
    differential(guest(prog, "glibc32"), argv, env={"X": "y"}, timeout=60)


def test_i386_only_system_calls():
    """The calls x86_64 lacks, by number: old sigaction/signal/sigprocmask/
    sigpending/sgetmask/ssetmask (handlers returning through the [vdso]
    page), _llseek, stat and stat64, 16-bit ids, old getrlimit, olduname,
    mmap2 and old_mmap, waitpid, clone's i386 argument order,
    set/get_thread_area (and %fs through a new entry), ipc, socketcall,
    sendfile with its 32-bit off_t."""
    differential(guest("abi32", "i386"), files={"/tmp/.keep": b""})


_entries = st.sampled_from([0xFFFFFFFF, 0xFFFFFFFF, 12, 13, 14, 11, 15, 0, 6])
# struct user_desc's bit fields, mostly valid (a 32-bit data segment that
# is present), sometimes not, sometimes an "empty" or all-zero descriptor
_bits = st.builds(
    lambda seg32, contents, reo, pages, absent, useable, lm:
        seg32 | contents << 1 | reo << 3 | pages << 4 | absent << 5 | useable << 6 | lm << 7,
    st.sampled_from([1, 1, 1, 0]), st.sampled_from([0, 1, 0, 1, 2, 3]), st.integers(0, 1),
    st.integers(0, 1), st.sampled_from([0, 0, 0, 1]), st.integers(0, 1), st.integers(0, 1))
_flags = st.one_of(_bits, st.sampled_from([0x28, 0]), st.integers(0, 0xFFFF))
_desc = st.tuples(_entries, st.integers(0, 2**32 - 1),
                  st.sampled_from([0, 0xFFFFF, 0xFFFFFFFF, 0x1234]) | st.integers(0, 2**32 - 1),
                  _flags)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck),
          phases=(Phase.explicit, Phase.reuse, Phase.generate))    # boots are slow to shrink
@example([(12, 0, 0xFFFFFFFF, 0x51), (0xFFFFFFFF, 0x1000, 0xFFFFF, 0x51),
          (13, 0, 0, 0x28), (14, 0, 0, 0), (0xFFFFFFFF, 1, 1, 0x1D5)])
@given(st.lists(_desc, min_size=1, max_size=8))
def test_set_thread_area_matches_linux(descs):
    """Any sequence of TLS descriptors: the same results, entry numbers and
    read-back fields as the host gives (validity checks, empty and zero
    descriptors, the 20-bit limit, free-entry allocation)."""
    args = ["%x,%x,%x,%x" % d for d in descs]
    differential(guest("tlsdesc", "nolibc32"), args)


def test_time32_and_time64_calls():
    """The old 32-bit time_t calls and the *_time64 ones side by side:
    clock_gettime(64), clock_getres(_time64), nanosleep and
    clock_nanosleep(_time64) with their EINVAL/EFAULT cases, gettimeofday,
    time, set/getitimer, sysinfo and times in their 32-bit layouts."""
    differential(guest("time32", "i386"))


@pytest.mark.parametrize("mode", ["ymm", "x87cw", "xmm", "mxcsr", "xheader"])
def test_fp_state_in_32bit_signal_frames(mode):
    """The frame's FP state both ways: the whole xsave image survives a
    handler (AVX upper halves), a handler's edits of the legacy header and
    of the fxsave image take effect, and a corrupt image is a SIGSEGV at
    sigreturn (not a kernel error)."""
    differential(guest("fpframe", "i386"), [mode])


def test_tls_descriptors_are_per_thread():
    """Two threads of one process (one host process) with different GDT
    entry 13 bases, from set_thread_area and clone(CLONE_SETTLS): each
    keeps seeing its own across switches and %fs reloads."""
    differential(guest("thread32", "i386"))


def test_stopped_sleep_restarts_through_restart_syscall32():
    differential(guest("restart32", "i386"))


def test_exec_switches_subarch_both_ways():
    """64 -> 32 -> 64 -> 32 (dynamic) -> exec in place 64 -> exec in place
    32: fork+exec and plain exec across ABIs, with TLS and wait in each."""
    g64, g32 = guest("execarch", "glibc"), guest("execarch", "glibc32")
    m64, d32 = guest("execarch", "musl"), guest("execarch", "glibc32dyn")
    args = [g32, m64, d32, "+" + g64, "+" + g32]
    files = dict(I386_RUNTIME)
    files.update({p: p for p in (g64, g32, m64, d32)})
    n, u = differential(g64, args, files=files)
    assert u.out.count("32-bit, argc") == 3 and u.out.count("64-bit, argc") == 3


def test_int80_from_64bit_code_is_the_i386_abi():
    """i386 numbers and 32-bit arguments, r8-r11 kept, results sign-extended."""
    n, u = differential(guest("int80", "asm"))
    assert u.status == 0 and u.out.count("ok ") == 7


def test_guest32_cannot_touch_the_stub():
    r = run(guest("escape", "nolibc32"), ["maps"])
    assert r.status == 0
    assert r.out == ("mmap fixed on stub: -12\nmmap fixed over stub: -12\n"
                     "munmap stub: -22\nmprotect stub: -12\nmmap hint at stub: 0x0\n"
                     "still alive\n")


def test_system_call_from_the_32bit_stub_is_fatal():
    """A 32-bit guest jumping into its stub to make it run host calls: its
    address space dies, the kernel lives on."""
    with open(os.path.join(ROOT, "build", "stub32"), "rb") as f:
        syms = {s.name: s["st_value"] for s in ELFFile(f).get_section_by_name(".symtab").iter_symbols()}
    for sym, sig in (("stub_syscall_handler", 9), ("stub_init", 9), ("stub_rt_sigreturn", 9),
                     ("stub_segv_stop", 5)):        # its int3: a breakpoint trap
        r = run(guest("escape", "nolibc32"), ["jump", hex(syms[sym])])
        assert r.out == "jumping\n"
        assert r.status == 128 + sig, (sym, r.stderr.decode())


def test_32bit_template_holds_nothing_but_the_stub():
    """The host process of a 32-bit mm is the 32-bit stub, emptied by its
    stub_init: no stack, vdso or vvar of the host's, only the stub's code,
    data and stack pages just above the i386 TASK_SIZE.  (In a child
    Python, so that its physmem and template stay out of this process.)"""
    code = """
import os, sys
sys.path.insert(0, %r)
import arch.x86 as x86
from mm.physmem import setup_physmem
from skas import process
setup_physmem(16 << 20)
stub = x86.get_stub()
ctx = process.start_template(stub)
try:
    with open("/proc/%%d/maps" %% ctx.pid) as f:
        spans = [tuple(int(x, 16) for x in line.split()[0].split("-")) for line in f]
    assert spans and all(stub.start <= a and b <= stub.end for a, b in spans), spans
    assert stub.start == x86.TASK_SIZE and x86.TASK_SIZE %% (2 << 20) == 0
    exe = os.path.realpath(os.readlink("/proc/%%d/exe" %% ctx.pid))
    assert exe == os.path.realpath(stub.path), exe
    print("template ok")
finally:
    process.kill_all()
""" % ROOT
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert p.stdout == b"template ok\n", p.stderr.decode()


# ("raw" passes an x86_64 TLS base to CLONE_SETTLS, where i386 takes a
# struct user_desc: i386's clone is covered by test_i386_only_system_calls)
THREAD_MODES = ["pthread", "futex", "signals", "exit", "robust", "fpu", "fpustub", "stop"]


@pytest.mark.parametrize("libc", LIBS32)
@pytest.mark.parametrize("mode", THREAD_MODES)
def test_threads32(libc, mode):
    """pthreads, raw clone (i386's argument order), futexes, per-thread
    signals, exit/exec with threads, robust mutexes, per-thread x87 state:
    the same guest as tests/test_thread.py, as an i386 program."""
    prog = guest("thread", libc)
    n, u = differential(prog, [mode, prog], files=files32(libc, {prog: prog}), timeout=60)
    assert "FAIL" not in u.out


SIGNAL_MODES = ["info", "flags", "mask", "wait", "restart", "default", "errors"]
PIPE_MODES = ["basic", "nonblock", "atomic", "sigpipe", "big", "packet", "eintr"]


@pytest.mark.parametrize("libc", LIBS32)
@pytest.mark.parametrize("mode", SIGNAL_MODES)
def test_signals32(libc, mode):
    """tests/test_signal.py's guest as an i386 program: siginfo, flags (glibc
    finds the vDSO in AT_SYSINFO_EHDR and installs no restorer of its own,
    as natively), masks, sigtimedwait/sigsuspend/pause, restarts, default
    actions."""
    differential(guest("signal", libc), [mode], timeout=30, files=files32(libc))


@pytest.mark.parametrize("mode", PIPE_MODES)
def test_pipes32(mode):
    differential(guest("pipe", "glibc32"), [mode])
