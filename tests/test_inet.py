"""AF_INET and AF_INET6 sockets against the host kernel.

tests/guest/tcp.c and udp.c walk through TCP's and UDP's semantics over
the loopback (musl, glibc and the i386 ABI, which reaches the socket calls
through socketcall(2)); every result and poll mask must be the host's.
inetops.c runs hypothesis-generated sequences of operations on a
connected pair; the host kernel is the reference for each step.
"""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import differential, guest

LIBCS = ["musl", "glibc", "glibc32"]


@pytest.mark.parametrize("libc", LIBCS)
def test_tcp(libc):
    n, u = differential(guest("tcp", libc), timeout=180)
    assert u.out.endswith("done\n")


@pytest.mark.parametrize("libc", LIBCS)
def test_udp(libc):
    n, u = differential(guest("udp", libc), timeout=180)
    assert u.out.endswith("done\n")


_tcp_op = st.one_of(
    st.builds(lambda n: "s%d" % n, st.integers(0, 3000)),
    st.builds(lambda n: "S%d" % n, st.integers(0, 3000)),
    st.builds(lambda n: "r%d" % n, st.integers(0, 5000)),
    st.builds(lambda n: "R%d" % n, st.integers(0, 5000)),
    st.builds(lambda n: "p%d" % n, st.integers(0, 3000)),
    st.builds(lambda n: "w%d" % n, st.integers(1, 3000)),
    st.builds(lambda n: "t%d" % n, st.integers(0, 100)),
    st.sampled_from(["x", "X", "y", "Y", "c", "C", "q", "o", "e"]),
)
_udp_op = st.one_of(
    st.builds(lambda n: "s%d" % n, st.integers(0, 2000)),
    st.builds(lambda n: "S%d" % n, st.integers(0, 2000)),
    st.builds(lambda n: "r%d" % n, st.integers(0, 3000)),
    st.builds(lambda n: "R%d" % n, st.integers(0, 3000)),
    st.builds(lambda n: "p%d" % n, st.integers(0, 3000)),
    st.builds(lambda n: "t%d" % n, st.integers(0, 100)),
    st.sampled_from(["x", "X", "y", "Y", "c", "C", "q", "o", "e"]),
)


@settings(max_examples=int(os.environ.get("PYUML_NET_EXAMPLES", "15")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fam=st.sampled_from("46m"), ops=st.lists(_tcp_op, min_size=1, max_size=25))
def test_tcp_operation_sequences(fam, ops):
    """Random sends, receives, peeks, shutdowns and closes on a connected
    non-blocking TCP pair: every result and both poll masks as on Linux."""
    differential(guest("inetops", "musl"), ["tcp", fam] + ops)


@settings(max_examples=int(os.environ.get("PYUML_NET_EXAMPLES", "10")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fam=st.sampled_from("46m"), ops=st.lists(_udp_op, min_size=1, max_size=25))
def test_udp_operation_sequences(fam, ops):
    """The same for a pair of connected UDP sockets."""
    differential(guest("inetops", "musl"), ["udp", fam] + ops)


def test_operation_sequences_i386():
    for proto in ("tcp", "udp"):
        differential(guest("inetops", "glibc32"),
                     [proto, "4", "s100", "p10", "r50", "S7", "w20", "x", "q", "o", "r100",
                      "c", "R5", "e"])


@pytest.mark.parametrize("libc", LIBCS)
def test_tcp_sleeping(libc):
    """accept, recv, a connect into a full backlog and a writer with
    SO_SNDTIMEO woken by another process; epoll (EPOLLET, EPOLLRDHUP) and
    select; signals with and without SA_RESTART."""
    n, u = differential(guest("inetwait", libc), timeout=120)
    assert u.out.endswith("done\n")
