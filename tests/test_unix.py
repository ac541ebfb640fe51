"""AF_UNIX sockets: differential tests (guest tests/guest/unix.c) with musl
and glibc: socketpairs of every type, filesystem and abstract names,
listen/connect/accept and the backlog, shutdown/close semantics, SIGPIPE,
poll masks, socket options, SCM_RIGHTS and SCM_CREDENTIALS."""

import os

import pytest

from conftest import differential, guest, run

LIBCS = ["musl", "glibc"]


@pytest.mark.parametrize("libc", LIBCS)
def test_unix_sockets(libc, tmp_path):
    d = str(tmp_path / "socks")
    os.mkdir(d)
    n, u = differential(guest("unix", libc), [d], files={d + "/.keep": b""})
    assert u.out.endswith("done\n")


def test_other_families_fail_cleanly():
    """Only AF_UNIX exists: IPv4, IPv6 and netlink give EAFNOSUPPORT."""
    r = run(guest("unix", "musl"), ["--families"])
    assert r.status == 0, r.stderr
    lines = [" ".join(x.split()) for x in r.out.splitlines()]
    assert lines == [
        "socket AF_INET -1 Address family not supported by protocol",
        "socket AF_INET6 -1 Address family not supported by protocol",
        "socket AF_NETLINK -1 Address family not supported by protocol",
        "socketpair AF_INET -1 Address family not supported by protocol",
    ]
