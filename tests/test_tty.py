"""Terminals: the n_tty line discipline, pseudo-terminals and job control,
compared with the host kernel through ptys opened inside the guest
(tests/guest/ptyops.c, pty.c), and the console driven through a host
pseudo-terminal (an interactive ./linux, as a person would use it)."""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Archive, boot, guest, native

LIBCS = ["musl", "glibc", "glibc32"]           # glibc32: the i386 ABI

# termios flags (octal, as in <termios.h>)
IFLAGS = {"ICRNL": 0o400, "INLCR": 0o100, "IGNCR": 0o200, "ISTRIP": 0o40,
          "IXON": 0o2000, "IXANY": 0o4000, "IUTF8": 0o40000, "IUCLC": 0o1000}
OFLAGS = {"OPOST": 0o1, "ONLCR": 0o4, "OCRNL": 0o10, "ONOCR": 0o20,
          "ONLRET": 0o40, "XTABS": 0o14000, "OLCUC": 0o2}
LFLAGS = {"ISIG": 0o1, "ICANON": 0o2, "ECHO": 0o10, "ECHOE": 0o20, "ECHOK": 0o40,
          "ECHONL": 0o100, "NOFLSH": 0o200, "ECHOCTL": 0o1000, "ECHOPRT": 0o2000,
          "ECHOKE": 0o4000, "IEXTEN": 0o100000}
STD_I = 0o2400                      # ICRNL IXON
STD_O = 0o5                         # OPOST ONLCR
STD_L = 0o105073                    # ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN


def ttys_initrd(prog, path):
    """An initramfs with prog as /prog and the terminal device nodes."""
    a = Archive(mtime=0)
    a.dir("dev")
    a.nod("dev/console", 0o600, 0, 0, "c", 5, 1)
    a.nod("dev/null", 0o666, 0, 0, "c", 1, 3)
    a.nod("dev/ptmx", 0o666, 0, 0, "c", 5, 2)
    a.nod("dev/tty", 0o666, 0, 0, "c", 5, 0)
    a.nod("dev/tty1", 0o620, 0, 0, "c", 4, 1)
    a.dir("dev/pts")
    with open(prog, "rb") as f:
        a.file("/prog", f.read(), 0o755)
    with open(path, "wb") as f:
        f.write(a.bytes())
    return path


def run_with_ttys(prog, args=(), timeout=60, stdin=None):
    """Boot prog as init with /dev/ptmx and /dev/tty in its initramfs."""
    path = ttys_initrd(prog, os.path.join("/tmp", "pyuml-tty-%d.cpio" % os.getpid()))
    try:
        return boot(["mem=128M", "quiet", "initrd=" + path, "init=/prog", "--"]
                    + [str(x) for x in args], timeout=timeout, stdin=stdin)
    finally:
        os.unlink(path)


def tty_differential(prog, args=()):
    n = native(prog, args)
    u = run_with_ttys(prog, args)
    assert u.out == n.out, "stdout differs\n--- native\n%s\n--- pyuml\n%s\n--- kernel log\n%s" % (
        n.out, u.out, u.stderr.decode(errors="replace"))
    assert u.status == n.status, u.stderr.decode(errors="replace")
    return n, u


def _hex(b):
    return b.hex()


@pytest.mark.parametrize("libc", ["musl", "glibc32"])
def test_canonical_editing_and_echo(libc):
    """Lines, erase, kill, word erase, tabs, EOF and output processing."""
    chunks = [b"hello\n", b"abc\x7fd\x15xy\tz\x7f\x7f\x17w\n", b"\x04", b"ab\x04",
              b"one two  three\x17\x17\n", b"\x16\x03lit\n", b"a\x01b\x7f\x7f\n",
              b"re\x12print\n", b"tab\t\tx\x7f\x7f\x7f\n"]
    args = ["%o" % STD_I, "%o" % STD_O, "%o" % STD_L, 1, 0] + [_hex(c) for c in chunks]
    args += ["w", _hex(b"out\tput\nline\r\n")]
    tty_differential(guest("ptyops", libc), args)


def test_raw_mode_and_flow_control():
    chunks = [b"raw\x7f\x03", b"\r\n", b"\x13", b"x", b"\x11", b"yz"]
    args = ["%o" % (IFLAGS["IXON"]), "0", "0", 2, 0] + [_hex(c) for c in chunks[:2]]
    args += ["w", _hex(b"held?"), _hex(b"\x13"), "w", _hex(b"stopped"), _hex(b"\x11")]
    tty_differential(guest("ptyops", "musl"), args)


def test_long_canonical_line():
    """A canonical line is cut at 4095 bytes, its newline still gets in."""
    args = ["%o" % STD_I, "%o" % STD_O, "%o" % (STD_L & ~LFLAGS["ECHO"]), 1, 0,
            _hex(b"x" * 5000), _hex(b"\n"), _hex(b"y" * 10 + b"\n")]
    tty_differential(guest("ptyops", "musl"), args)


_byte = st.sampled_from(list(b"ab_ 1\t\r\n\x7f\x08\x15\x17\x16\x12\x04\x13\x11\x01\x03\x1c\x1a\xff")
                        + [0xC3, 0xA9])
_chunk = st.lists(_byte, min_size=1, max_size=12).map(bytes)


def _flags(table):
    return st.sets(st.sampled_from(sorted(table))).map(lambda s: sum(table[k] for k in s))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(iflag=_flags(IFLAGS), oflag=_flags(OFLAGS), lflag=_flags(LFLAGS),
       vmin=st.integers(0, 3), steps=st.lists(st.tuples(st.booleans(), _chunk), min_size=1, max_size=6))
def test_line_discipline_matches_linux(iflag, oflag, lflag, vmin, steps):
    """Random termios flags and input (editing keys, signals without a
    foreground group, flow control, UTF-8): every byte the master and the
    slave read, FIONREAD and the poll masks as on Linux."""
    args = ["%o" % iflag, "%o" % oflag, "%o" % lflag, vmin, 0]
    for to_slave, chunk in steps:
        if to_slave:
            args.append("w")
        args.append(_hex(chunk))
    tty_differential(guest("ptyops", "musl"), args)


@pytest.mark.parametrize("libc", LIBCS)
def test_job_control(libc):
    """Sessions and a controlling pty: SIGTTIN/SIGTTOU for background
    jobs, tcsetpgrp, ^Z/^C for the foreground group, /dev/tty, TIOCSCTTY
    and TIOCNOTTY rules, SIGHUP when the master goes away."""
    n, u = tty_differential(guest("jobctl", libc))
    assert u.out.endswith("done\n")
    assert "background reader                            stopped by 21" in u.out


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_terminal_ioctls(libc):
    """Flushing, TCOOFF/TCOON, settings and speeds through master and slave,
    window size, line discipline, pty lock and number, TIOCSTI, hang-up."""
    n, u = tty_differential(guest("ttyioctl", libc))
    assert u.out.endswith("done\n")
