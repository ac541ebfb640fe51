"""seccomp (kernel/seccomp.py, kernel/seccomp_notify.py): filters, their
actions, the BPF checker, TSYNC, user notification and no_new_privs,
compared with the host kernel (tests/guest/seccomp.c)."""

import pytest

from conftest import differential, guest
from hypothesis import given, settings, strategies as st
from kernel import seccomp
from kernel.errno import EINVAL, Errno


@pytest.mark.parametrize("libc", ["musl", "glibc"])
@pytest.mark.parametrize("what", ["actions", "errors", "notify"])
def test_seccomp(what, libc):
    differential(guest("seccomp", libc), [what])


@pytest.mark.parametrize("what", ["actions", "errors", "notify"])
def test_seccomp_i386(what):
    """AUDIT_ARCH_I386 in seccomp_data, the i386 numbers, strict mode's
    sigreturn, the 32-bit sock_fprog."""
    differential(guest("seccomp", "glibc32"), [what])


def test_no_new_privs_and_setuid(tmp_path):
    """A set-user-ID program runs with its owner's euid, unless the caller
    set no_new_privs.  (/dev/shm natively: a tmpfs without nosuid.)"""
    differential(guest("seccomp", "glibc"), ["nnp", "/dev/shm"])


def test_bpf_checker_and_interpreter_properties():
    """Any program the checker accepts runs to a 32-bit result on any
    seccomp_data; anything else is refused with EINVAL, never a crash."""
    codes = sorted(seccomp.SECCOMP_CODES) + [0x90 | 4, 0xFFFF, 0x30 | 0x20, 6 | 8]
    insn = st.tuples(st.sampled_from(codes), st.integers(0, 255), st.integers(0, 255),
                     st.one_of(st.integers(0, 70), st.integers(0, 2**32 - 1)))

    @settings(max_examples=400, deadline=None)
    @given(st.lists(insn, min_size=1, max_size=12), st.binary(min_size=64, max_size=64))
    def prop(prog, data):
        try:
            seccomp.bpf_check_classic(prog)
        except Errno as e:
            assert e.errno == EINVAL
            return
        r = seccomp.bpf_run(tuple(prog), data)
        assert 0 <= r < 2**32
        assert seccomp.ebpf_len(prog) >= len(prog) + 3

    prop()
