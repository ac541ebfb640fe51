"""File handles (fs/fhandle.py): name_to_handle_at and open_by_handle_at
on tmpfs, against the host kernel (tests/guest/fhandle.c)."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_fhandle(libc):
    differential(guest("fhandle", libc), ["/dev/shm"])
