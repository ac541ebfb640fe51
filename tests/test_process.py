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
