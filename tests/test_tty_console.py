"""The console as a person uses it: ./linux on a (host) pseudo-terminal.

The host terminal must be put in raw mode while the kernel runs (the
guest's line discipline echoes and edits) and restored however the kernel
ends.  These tests drive ./linux through Python's pty module, type keys,
and wait for what a terminal would show."""

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time

from conftest import BUILD, LINUX, guest
from test_tty import ttys_initrd


class Terminal:
    """./linux running on a fresh host pseudo-terminal."""

    def __init__(self, args, rows=30, cols=100):
        self.master, self.slave = pty.openpty()
        self.resize(rows, cols)
        self.before = termios.tcgetattr(self.slave)
        self.proc = subprocess.Popen([LINUX] + args, stdin=self.slave, stdout=self.slave,
                                     stderr=self.slave, start_new_session=True)
        self.seen = b""

    def resize(self, rows, cols):
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def send(self, data):
        os.write(self.master, data)

    def expect(self, pattern, timeout=20):
        """Read until pattern (a bytes regex) appears in the output."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.seen)
            if m:
                self.seen = self.seen[m.end():]
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("timed out waiting for %r; got %r" % (pattern, self.seen[-500:]))
            r, _, _ = select.select([self.master], [], [], left)
            if r:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    data = b""
                if not data:
                    raise AssertionError("EOF waiting for %r; got %r" % (pattern, self.seen[-500:]))
                self.seen += data

    def wait(self, timeout=20):
        status = self.proc.wait(timeout=timeout)
        return status

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


def test_console_line_editing_signals_raw_mode_and_resize(tmp_path):
    rd = ttys_initrd(guest("console", "musl"), str(tmp_path / "c.cpio"))
    term = Terminal(["quiet", "initrd=" + rd, "init=/prog"])
    try:
        term.expect(rb"ctty 0 pgrp 1\r\n")
        # the kernel put the host terminal in raw mode
        assert not termios.tcgetattr(term.slave)[3] & termios.ICANON
        term.expect(rb"line> ")
        term.send(b"helo\x7flo wrld\x17world\r")
        # the guest's n_tty echoes and erases; ONLCR makes \r\n
        term.expect(re.escape(b"helo\b \blo wrld\b \b\b \b\b \b\b \bworld\r\n"))
        term.expect(re.escape(b"got 12 [hello world\r\n]\r\n"))
        term.expect(rb"interrupt> ")
        time.sleep(0.3)                 # let it reach read(): a ^C before that is lost
        term.send(b"\x03")
        term.expect(re.escape(b"^Cread -1 Interrupted system call, signal 2\r\n"))
        term.expect(rb"raw> ")
        term.send(b"a\x03\r")
        term.expect(rb"raw 3: 61 03 0d\r\n")
        term.expect(rb"winsize 100x30\r\n")
        term.expect(rb"resize> ")
        term.resize(40, 120)
        os.kill(term.proc.pid, signal.SIGWINCH)
        term.expect(rb"signal 28 winsize 120x40\r\n")
        term.expect(rb"bye\r\n")
        assert term.wait() == 0
        # and gave the terminal back as it was
        assert termios.tcgetattr(term.slave) == term.before
    finally:
        term.close()


def test_host_terminal_restored_after_sigterm(tmp_path):
    rd = ttys_initrd(guest("console", "musl"), str(tmp_path / "c.cpio"))
    term = Terminal(["quiet", "initrd=" + rd, "init=/prog"])
    try:
        term.expect(rb"line> ")
        assert termios.tcgetattr(term.slave) != term.before
        term.proc.send_signal(signal.SIGTERM)
        assert term.wait() == 128 + signal.SIGTERM
        assert termios.tcgetattr(term.slave) == term.before
    finally:
        term.close()


def test_host_sigtstp_gives_the_terminal_back_while_stopped(tmp_path):
    rd = ttys_initrd(guest("console", "musl"), str(tmp_path / "c.cpio"))
    term = Terminal(["quiet", "initrd=" + rd, "init=/prog"])
    try:
        term.expect(rb"line> ")
        raw = termios.tcgetattr(term.slave)
        assert raw != term.before
        term.proc.send_signal(signal.SIGTSTP)
        deadline = time.monotonic() + 20
        while termios.tcgetattr(term.slave) != term.before:
            assert time.monotonic() < deadline, "terminal not restored on SIGTSTP"
            time.sleep(0.05)
        term.proc.send_signal(signal.SIGCONT)
        while termios.tcgetattr(term.slave) != raw:
            assert time.monotonic() < deadline, "raw mode not back after SIGCONT"
            time.sleep(0.05)
        term.send(b"still here\r")
        term.expect(re.escape(b"got 11 [still here\r\n]"))
    finally:
        term.close()


def _sh_on_console(stdin):
    """busybox sh as init reading its commands from the console."""
    script = (b"echo one; /bin/busybox tty\n"
              b"/bin/busybox stty -a | /bin/busybox grep -o -e '-*echo ' -e '-*onlcr'\n"
              b"printf 'a\\tb\\n'\nexit 3\n")
    args = [LINUX, "quiet", "initrd=" + os.path.join(BUILD, "busybox.cpio.gz"), "init=/bin/sh"]
    if stdin == "pipe":
        p = subprocess.run(args, input=script, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
    else:
        with open(stdin, "wb") as f:
            f.write(script)
        with open(stdin, "rb") as f:
            p = subprocess.run(args, stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=60)
    return p


def test_console_on_a_pipe_and_a_file(tmp_path):
    """Without a terminal the console still is one to the guest, with echo
    and ONLCR off so that what goes in and out passes unchanged; end of
    input reads as end of file."""
    for stdin in ("pipe", str(tmp_path / "script")):
        p = _sh_on_console(stdin)
        out = p.stdout.decode()
        assert p.returncode == 3, out + p.stderr.decode()
        assert "/ # one\n/dev/console\n" in out
        assert "-onlcr\n-echo \n" in out
        assert "a\tb\n" in out
        assert "echo one" not in out                # not echoed
