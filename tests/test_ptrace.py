"""ptrace(2) for guests (kernel/ptrace.py): the guest programs
tests/guest/ptrace_*.c trace children of their own and print what they see
(stop kinds, signals, siginfo codes, registers relative to known values);
the output must equal the host kernel's.  musl and glibc builds are 64-bit
tracers of 64-bit tracees, glibc32 32-bit ones of 32-bit ones."""

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import differential, guest, run

LIBCS = ["musl", "glibc", "glibc32"]

BASIC = ["traceme", "peekpoke", "regs", "siginfo", "errors", "kill", "waitparent"]


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("scenario", BASIC)
def test_ptrace_basic(scenario, libc):
    n, _ = differential(guest("ptrace_basic", libc), [scenario])
    assert "usage" not in n.out and n.out.count("\n") >= 5, n.out


SYSCALL = ["stops", "nosysgood", "sysemu", "modify", "int80", "seccomp", "suspend"]


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("scenario", SYSCALL)
def test_ptrace_syscall(scenario, libc):
    n, _ = differential(guest("ptrace_syscall", libc), [scenario])
    assert "usage" not in n.out and n.out.count("\n") >= 5, n.out


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_ptrace_64bit_tracer_of_i386_program(libc):
    """GETREGS in the tracer's (64-bit) layout, the regsets in the
    tracee's (i386: 68 bytes), i386 numbers and arch at syscall stops."""
    p32 = guest("hello", "nolibc32")
    n, _ = differential(guest("ptrace_syscall", libc), ["cross", p32], files={p32: p32})
    assert "cs 0x23" in n.out and "68 bytes" in n.out and "exit_group(41" in n.out, n.out


EVENTS = ["fork", "vfork", "clone", "thread_exec", "seize", "seize_stopped", "attach", "groupstop",
          "twoparents"]


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("scenario", EVENTS)
def test_ptrace_events(scenario, libc):
    n, _ = differential(guest("ptrace_events", libc), [scenario])
    assert "usage" not in n.out and n.out.count("\n") >= 5, n.out


STEP = ["singlestep", "sysemu_singlestep", "step_handler", "fpregs", "debugregs", "sigmask"]


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("scenario", STEP)
def test_ptrace_step(scenario, libc):
    """int3 (SI_KERNEL), single steps (TRAP_TRACE, TRAP_BRKPT after a
    system call: the host steps the guest), FP state, a hardware
    watchpoint through DR0/DR7, masks, queued signals, TLS."""
    n, _ = differential(guest("ptrace_step", libc), [scenario])
    assert "usage" not in n.out and n.out.count("\n") >= 5, n.out


MORE = ["waitid", "perm"]


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("scenario", MORE)
def test_ptrace_more(scenario, libc):
    """waitid's view of ptrace stops (CLD_TRAPPED); who may trace whom."""
    n, _ = differential(guest("ptrace_basic", libc), [scenario])
    assert "usage" not in n.out and n.out.count("\n") >= 4, n.out


# POKEUSER: Linux's rules for what a debugger may write into the registers
# (selectors, EFLAGS, fs_base/gs_base, debug registers, the offsets
# themselves), and what then reads back, against the host's
_SEG64 = [136, 160, 184, 192, 200, 208]          # cs ss ds es fs gs
_OFF64 = _SEG64 + [0, 120, 144, 168, 176, 848, 856, 880, 896, 904, 217, 912, 1000]
_SEG32 = [52, 64, 28, 32, 36, 40]                # xcs xss xds xes xfs xgs
_OFF32 = _SEG32 + [0, 44, 56, 252, 256, 268, 276, 280, 70, 284, 288]
_VALUES = [0, 1, 3, 0x10, 0x13, 0x23, 0x2B, 0x33, 0x63, 0x1233, 0xFFFF, 0x10033, 0x3202,
           0x100, 0x4246, 0x40000, 0xD0001, 0x20001, 0x7FFFFFFFF000, 0x7FFFFFFFE000,
           1 << 47, 0xFFFFFFFF, (1 << 64) - 1]


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "6")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(bits=st.sampled_from([64, 32]), data=st.data())
def test_pokeuser_matches_the_host(bits, data):
    offs = _OFF64 if bits == 64 else _OFF32
    vals = _VALUES if bits == 64 else [v & 0xFFFFFFFF for v in _VALUES]
    ops = data.draw(st.lists(st.tuples(st.sampled_from(offs), st.one_of(
        st.sampled_from(vals), st.integers(0, (1 << bits) - 1))), min_size=1, max_size=6))
    args = ["pokeuser"] + ["%x:%x" % op for op in ops]
    differential(guest("ptrace_basic", "glibc" if bits == 64 else "glibc32"), args)


# Yama's scope, as security/yama/yama_lsm.c and Documentation/admin-guide/
# LSM/Yama.rst give it; under pyuml only: this host has no Yama, and a
# scope of 3 could not be undone on it
YAMA = """\
ptrace_scope: 0
  a sibling of uid 1000 seizes T -> ok
  T's child asks TRACEME -> ok
write 1 -> ok
ptrace_scope: 1
  a sibling of uid 1000 seizes T -> Operation not permitted
  root seizes T -> ok
  T seizes its own child -> ok
  T's child asks TRACEME -> ok
  a sibling of uid 1000: open T's /proc mem -> Permission denied, process_vm_readv -> Operation not permitted
  root: open T's /proc mem -> ok, process_vm_readv -> ok
  T names that sibling: PR_SET_PTRACER -> ok
  the sibling it named seizes T -> ok
  T names any: PR_SET_PTRACER_ANY -> ok
  a sibling of uid 1000 seizes T -> ok
  T names its parent -> ok
  a sibling (the parent's descendant) seizes T -> ok
  T names nobody: PR_SET_PTRACER 0 -> ok
  a sibling of uid 1000 seizes T -> Operation not permitted
  T names a pid that does not exist -> Invalid argument
  T names (int)-1 -> ok
  a sibling of uid 1000 seizes T -> ok
write 4 -> Invalid argument
write -1 -> Invalid argument
write x -> Invalid argument
  uid 1000 writes 0 -> Permission denied
write 2 -> ok
ptrace_scope: 2
  a sibling of uid 1000 seizes T -> Operation not permitted
  root seizes T -> ok
  T seizes its own child -> Operation not permitted
  T's child asks TRACEME -> Operation not permitted
  a child of root asks TRACEME -> ok
write 3 -> ok
ptrace_scope: 3
  root seizes T -> Operation not permitted
  a child of root asks TRACEME -> Operation not permitted
  root: open T's /proc mem -> Permission denied, process_vm_readv -> Operation not permitted
write 0 -> Invalid argument
write 3 -> ok
ptrace_scope: 3
"""


@pytest.mark.parametrize("libc", ["glibc", "glibc32"])
def test_yama_ptrace_scope(libc):
    """/proc/sys/kernel/yama/ptrace_scope 0 (Debian's default) to 3 and
    PR_SET_PTRACER: who may attach (SEIZE, /proc/PID/mem,
    process_vm_readv) and ask TRACEME; refusals are kernel notices."""
    r = run(guest("ptrace_yama", libc), quiet=False)
    assert r.out == YAMA, r.out
    log = r.stderr.decode(errors="replace")
    assert re.search(r'ptrace attach of "prog"\[\d+\] was attempted by "prog"\[\d+\]', log), log
    assert 'ptrace traceme of "prog"' in log, log
