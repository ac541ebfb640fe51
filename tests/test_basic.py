"""Differential tests of the boot skeleton: the same binaries natively and
under pyuml, built without libc, with musl and with glibc."""

import pytest

from conftest import differential, guest

LIBCS = ["musl", "glibc"]


def test_nolibc_hello():
    differential(guest("hello", "nolibc"), ["x", "yz"], env={"GUEST_X": "1"})


@pytest.mark.parametrize("libc", LIBCS)
def test_hello(libc):
    differential(guest("hello", libc), ["5", "b"], env={"GUEST_VAR": "v"})


@pytest.mark.parametrize("libc", LIBCS)
def test_memory_64mib(libc):
    n, u = differential(guest("memory", libc), ["64"], mem="256M")
    assert "all ok" in u.out


@pytest.mark.parametrize("libc", LIBCS)
def test_files(libc, tmp_path):
    data = b"0123456789abcdefghij\nsecond line\n" * 3
    p = tmp_path / "data.txt"
    p.write_bytes(data)
    differential(guest("files", libc), [str(p)], files={str(p): data})


@pytest.mark.parametrize("libc", LIBCS)
def test_null_dereference_kills_only_the_guest(libc):
    n, u = differential(guest("segv", libc))
    assert u.status == 128 + 11


def test_registers_survive_page_faults():
    """%rcx and every other register, the flags and %xmm0 across 64 faults."""
    n, u = differential(guest("regs", "asm"))
    assert u.out == "regs ok\n"


@pytest.mark.parametrize("libc", LIBCS)
def test_fork_copy_on_write(libc):
    """fork: the child's writes stay private, MAP_SHARED ones do not."""
    differential(guest("forkcow", libc))


def test_static_pie():
    """ET_DYN without PT_INTERP: loaded at ELF_ET_DYN_BASE, relocates itself."""
    differential(guest("hello", "static-pie"), ["3"], env={"GUEST_VAR": "pie"})
    differential(guest("memory", "static-pie"), ["8"])
