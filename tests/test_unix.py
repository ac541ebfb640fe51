"""AF_UNIX sockets: differential tests (guest tests/guest/unix.c) with musl
and glibc: socketpairs of every type, filesystem and abstract names,
listen/connect/accept and the backlog, shutdown/close semantics, SIGPIPE,
poll masks, socket options, SCM_RIGHTS and SCM_CREDENTIALS."""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import differential, guest, run

LIBCS = ["musl", "glibc", "glibc32"]           # glibc32: the i386 ABI


@pytest.mark.parametrize("libc", LIBCS)
def test_unix_sockets(libc, tmp_path):
    d = str(tmp_path / "socks")
    os.mkdir(d)
    n, u = differential(guest("unix", libc), [d], files={d + "/.keep": b""})
    assert u.out.endswith("done\n")


@pytest.mark.parametrize("libc", LIBCS)
def test_unix_sleeping(libc):
    """accept, connect into a full backlog, a write bigger than the buffer,
    epoll on sockets, SO_RCVTIMEO, signals with and without SA_RESTART."""
    n, u = differential(guest("unixwait", libc))
    assert u.out.endswith("done\n")


@pytest.mark.parametrize("libc", ["musl", "glibc32"])
def test_other_families(libc):
    """AF_INET, AF_INET6 and netlink sockets exist; socketpair of them is
    EOPNOTSUPP and unknown families EAFNOSUPPORT, as on the host."""
    n, u = differential(guest("unix", libc), ["--families"])
    assert "socketpair AF_INET" in u.out


_op = st.one_of(
    st.builds(lambda n: "s%d" % n, st.integers(0, 70000)),
    st.builds(lambda n: "S%d" % n, st.integers(0, 300)),
    st.builds(lambda n: "r%d" % n, st.integers(0, 70000)),
    st.builds(lambda n: "R%d" % n, st.integers(0, 300)),
    st.builds(lambda n: "p%d" % n, st.integers(0, 5000)),
    st.builds(lambda n: "w%d" % n, st.integers(1, 5000)),
    st.builds(lambda n: "t%d" % n, st.integers(0, 100)),
    st.sampled_from(["x", "X", "c", "q"]),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["stream", "dgram", "seqpacket"]),
       ops=st.lists(_op, min_size=1, max_size=25))
def test_unix_operation_sequences(kind, ops):
    """Random sends, receives, peeks, shutdowns and closes on a
    non-blocking socketpair: every result and poll mask as on Linux."""
    differential(guest("unixops", "musl"), [kind] + ops)


@pytest.mark.parametrize("ops", [
    ["stream", "s48513"],
    ["stream", "s11969", "s11969", "s11969", "s11969", "s3777", "s5000"],
    ["stream", "s20000", "s20000", "s9000", "r70000", "s60000", "s60000"],
    ["dgram", "s16000", "s16000", "s12000", "s20000", "s4000"],
])
def test_unix_send_buffer_fills_as_on_linux(ops):
    """When a sender stops being writable depends on what each skb costs
    (its truesize: head plus page fragments of decreasing order); these
    sizes sit on the boundaries that found a wrong fragment model."""
    differential(guest("unixops", "musl"), ops)


def test_unix_operation_sequence_i386():
    for kind in ("stream", "seqpacket"):
        differential(guest("unixops", "glibc32"),
                     [kind, "s100", "p10", "r50", "S7", "w20", "x", "q", "r100", "c", "R5"])


# SO_PEEK_OFF (tests/guest/peekoff.c): a script of sends, peeks, reads and
# peek offsets; every result and the offset after it as on Linux
PEEKOFF_SCRIPT = ["s10", "s5", "s0", "s7", "p3", "o0", "p3", "p4", "p100", "t2", "p100", "p1",
                  "t100", "r4", "p2", "r20", "p100", "o-5", "p3", "o3", "p100", "r1", "r100",
                  "o2", "s6", "s6", "p2", "p100", "p100", "b100", "x", "p10", "o100", "p1", "r100"]


@pytest.mark.parametrize("kind", ["stream", "dgram", "seqpacket"])
@pytest.mark.parametrize("libc", LIBCS)
def test_unix_peek_off(kind, libc):
    """MSG_PEEK starts at the offset and moves it on, a read moves it back
    by what it took (a datagram's whole length), negative values turn it
    off; a datagram peek walks whole datagrams (a zero-length one is seen
    once), a stream peek reads across skbs; past the end is EAGAIN, or
    end of file after a shutdown; a blocking peek waits for bytes past
    the offset.  Families without it (netlink): EOPNOTSUPP both ways."""
    differential(guest("peekoff", libc), [kind] + PEEKOFF_SCRIPT)


_peek_op = st.one_of(
    st.builds(lambda n: "s%d" % n, st.integers(0, 3000)),
    st.builds(lambda n: "p%d" % n, st.integers(0, 4000)),
    st.builds(lambda n: "t%d" % n, st.integers(0, 4000)),
    st.builds(lambda n: "r%d" % n, st.integers(0, 4000)),
    st.builds(lambda n: "o%d" % n, st.integers(-3, 6000)),
    st.just("x"),
)


@settings(max_examples=15, deadline=None)
@given(kind=st.sampled_from(["stream", "dgram", "seqpacket"]),
       ops=st.lists(_peek_op, min_size=1, max_size=30))
def test_unix_peek_off_sequences(kind, ops):
    """Random sends, peeks, reads and SO_PEEK_OFF values: as on Linux."""
    differential(guest("peekoff", "musl"), [kind, "o0"] + ops)
