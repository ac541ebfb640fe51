"""Processes: fork, vfork, clone, clone3, wait, zombies, reparenting,
SIGCHLD, process groups and sessions - differential against the host."""

import pytest

from conftest import differential, guest

LIBCS = ["musl", "glibc"]
MODES = ["fork", "vfork", "clone", "clone3", "wait", "maxrss", "zombie", "sigchld", "pgrp"]


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("mode", MODES)
def test_process(libc, mode):
    n, u = differential(guest("process", libc), [mode], timeout=30)
    assert "FAIL" not in u.out


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_init_may_not_clone_parent(libc):
    """clone(CLONE_PARENT) from init is EINVAL, as for Linux's
    SIGNAL_UNKILLABLE init (natively: init of a new pid namespace)."""
    n, u = differential(guest("initclone", libc), timeout=30)
    assert "CLONE_PARENT) -> Invalid argument" in n.out
