"""Pipes and FIFOs (fs/pipe.py), differential against the host kernel."""

import os

import pytest

from conftest import FIFO, differential, guest

LIBCS = ["musl", "glibc"]


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("mode", ["basic", "nonblock", "atomic", "sigpipe", "big",
                                  "packet", "eintr"])
def test_pipe(libc, mode):
    n, u = differential(guest("pipe", libc), [mode])
    assert "FAIL" not in u.out


@pytest.mark.parametrize("libc", LIBCS)
def test_fifo(libc, tmp_path):
    path = str(tmp_path / "fifo")
    os.mkfifo(path)
    differential(guest("pipe", libc), ["fifo", path], files={path: FIFO})
