"""Signals: siginfo, action flags, masks, waiting for signals, EINTR versus
restart, default actions - differential against the host kernel."""

import pytest

from conftest import differential, guest

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
