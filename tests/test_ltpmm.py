"""Memory and process interfaces LTP found missing (remap_file_pages01,
shmctl05, ...), each compared with the host kernel by tests/guest/ltpmm.c."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_remap_file_pages(libc, tmp_path):
    """remap_file_pages(2) as Linux emulates it since 4.0: a fresh shared
    mapping of the file page asked for, with the VMA's protections; a
    System V segment removed meanwhile goes with the old mapping, and the
    call fails (LTP remap_file_pages01, shmctl05)."""
    n, u = differential(guest("ltpmm", libc), [str(tmp_path / "w"), "remap"])
    assert "ghefcdab" in u.out
    assert "store to read-only remap: Segmentation fault" in u.out
