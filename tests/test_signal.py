"""Signals: siginfo, action flags, masks, waiting for signals, EINTR versus
restart, default actions - differential against the host kernel."""

import pytest

from conftest import differential, guest, run

LIBCS = ["musl", "glibc"]
MODES = ["info", "flags", "mask", "wait", "restart", "default", "errors"]


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("mode", MODES)
def test_signal(libc, mode):
    n, u = differential(guest("signal", libc), [mode], timeout=30)
    assert "FAIL" not in u.out


FAULT_MODES = ["segv", "other", "frame", "altstack", "unhandled"]


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("mode", FAULT_MODES)
def test_fault(libc, mode):
    """Hardware exceptions as signals with Linux's siginfo and sigcontext,
    handlers that recover, the FP state in the frame, sigaltstack."""
    prog = guest("fault", libc)
    n, u = differential(prog, [mode, prog], files={prog: prog}, timeout=30)
    assert "not reached" not in u.out


def test_core_dump_reported_in_wait_status():
    """Core-dumping default actions set WCOREDUMP when RLIMIT_CORE allows a
    dump (pyuml only: natively the host would write core files)."""
    r = run(guest("signal", "glibc"), ["core"], timeout=30)
    assert r.status == 0, r.stderr
    assert r.out == ("raise(3): killed by Quit (core dumped)\n"
                     "raise(6): killed by Aborted (core dumped)\n"
                     "raise(11): killed by Segmentation fault (core dumped)\n"
                     "raise(15): killed by Terminated\n"
                     "waitid: code 3 (CLD_DUMPED 3) status 11\n"), r.out


def test_kill_minus_one_spares_init_and_caller():
    """kill(-1, sig) reaches every process but init and the caller (pyuml
    only: natively it would signal the whole host)."""
    r = run(guest("signal", "musl"), ["killall"], timeout=30)
    assert r.status == 0, r.stderr
    assert r.out == ("kill(-1, SIGUSR1) -> 0\n"
                     "child: exited 10\nchild: exited 10\nchild: exited 10\n"
                     "the caller itself was spared: 1\n"
                     "kill(-1, 0) -> -1 (No such process)\n"), r.out


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_avx_registers_survive_a_handler(libc):
    """The frame carries the whole xsave area (with Linux's software words),
    so the upper halves of %ymm come back after a handler that used AVX."""
    n, u = differential(guest("avxsig", libc))
    assert "high half kept: yes" in u.out


@pytest.mark.parametrize("libc", LIBCS + ["glibc32"])
def test_fault_registers_only_from_signalling_faults(libc):
    """err/trapno/cr2 in a frame come from the last fault that raised a
    signal, never from a fault the kernel resolved (a first touch)."""
    n, u = differential(guest("faultregs", libc))
    assert "the faulting address" in u.out
