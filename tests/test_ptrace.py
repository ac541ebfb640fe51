"""ptrace(2) for guests (kernel/ptrace.py): the guest programs
tests/guest/ptrace_*.c trace children of their own and print what they see
(stop kinds, signals, siginfo codes, registers relative to known values);
the output must equal the host kernel's.  musl and glibc builds are 64-bit
tracers of 64-bit tracees, glibc32 32-bit ones of 32-bit ones."""

import pytest

from conftest import differential, guest

LIBCS = ["musl", "glibc", "glibc32"]

BASIC = ["traceme", "peekpoke", "regs", "siginfo", "errors", "kill", "waitparent"]


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("scenario", BASIC)
def test_ptrace_basic(scenario, libc):
    n, _ = differential(guest("ptrace_basic", libc), [scenario])
    assert "usage" not in n.out and n.out.count("\n") >= 5, n.out


SYSCALL = ["stops", "nosysgood", "sysemu", "modify", "int80", "seccomp"]


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


EVENTS = ["fork", "vfork", "clone", "seize", "seize_stopped", "attach", "groupstop",
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
