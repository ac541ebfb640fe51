"""inotify (fs/notify/): the events the VFS generates, the watch rules and
the queue, compared with the host kernel by running tests/guest/inotify.c
both ways.  The guest works in /tmp/inotify-PID and prints names relative
to it, wds (numbered from 1 per instance on both kernels) and cookies as
labels in order of appearance.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import differential, guest, run

LIBCS = ["musl", "glibc"]


@pytest.mark.parametrize("libc", LIBCS)
@pytest.mark.parametrize("what", ["errors", "events", "flags", "ready", "tail", "exec",
                                  "pseudo"])
def test_inotify(what, libc):
    differential(guest("inotify", libc), [what])


def test_inotify_overflow():
    """16384 queued events, then one IN_Q_OVERFLOW and nothing more."""
    differential(guest("inotify", "glibc"), ["overflow"], timeout=300)


@pytest.mark.parametrize("what", ["events", "flags", "ready", "tail"])
def test_inotify_i386(what):
    """The same on a 32-bit build: struct inotify_event has one layout."""
    differential(guest("inotify", "glibc32"), [what])


def test_inotify_max_user_instances():
    """128 instances per user (max_user_instances), then EMFILE.  Only
    under pyuml: on the host, other programs of the same user hold some."""
    r = run(guest("inotify", "glibc"), ["instances"])
    assert r.out == ("instances=128 then EMFILE\nother user's init: OK\n"
                     "init after a close: OK\nand the next: EMFILE\n"), r.out


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(1, 2**32))
def test_inotify_awkward_arguments(seed):
    """Bad pointers, fds, masks and buffer sizes: errnos, never an oops."""
    r = run(guest("inotify", "glibc"), ["fuzz", seed, 1500], timeout=120)
    log = r.stderr.decode(errors="replace")
    assert "Oops" not in log and "Traceback" not in log, log
    assert r.out.endswith("survived 1500 calls\n"), (r.out[-300:], log)


# -- random sequences of file operations in a watched directory -------------------------
# the guest's names: 0-2 f0 f1 f2, 3-4 d0 d1, 5 d0/g

_file = st.integers(0, 2)
_any = st.integers(0, 5)
_op = st.one_of(
    st.tuples(st.sampled_from("cwratoOux"), _file).map(lambda x: "%s%d" % x),
    st.tuples(st.sampled_from("oOuW"), _any).map(lambda x: "%s%d" % x),
    st.tuples(st.sampled_from("kK"), st.sampled_from([3, 4])).map(lambda x: "%s%d" % x),
    st.tuples(st.sampled_from("mml"), st.permutations(range(6))).map(
        lambda x: "%s%d%d" % (x[0], x[1][0], x[1][1])),     # two different names
    st.sampled_from(["x", "X", "R"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_op, min_size=4, max_size=50))
def test_inotify_random_ops(ops):
    """A random sequence of file operations in a watched directory, with
    watches added on its entries as it goes: the same events as Linux."""
    # start with every entry there, so that most operations find their
    # target, and some watched themselves
    differential(guest("inotify", "glibc"), ["ops", "c0c1c2k3k4c5W0W1W3" + "".join(ops)])


@pytest.mark.parametrize("ops", [
    # a held file unlinked, written, closed: DELETE_SELF at the last close
    "W0c0O0u0XRx",
    # rename over a watched file, over a watched directory, and back
    "c0c1W1m01k3k4W4m34R",
    # hard links: only the last unlink deletes the inode
    "c0l01W1u0Ru1",
    # a directory watched, filled, emptied, removed while open
    "k3W3c5w5r5o3u5K3xR",
])
def test_inotify_ops_examples(ops):
    differential(guest("inotify", "glibc"), ["ops", ops])
