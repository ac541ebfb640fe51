"""drivers/console.py - the console: a terminal on the host's stdin and stdout.

The console is an ordinary tty (drivers/tty.py, "tty1", 4:1) whose device
is the host: output goes to the kernel's stdout byte for byte (kernel
messages go to stderr, kernel/printk.py), and whatever arrives on the
host's stdin is fed to the line discipline as typed keys, as it arrives,
so that ^C reaches a program that is not reading.  /dev/console (5:1),
/dev/tty0 (4:0) and /dev/tty1 all reach it; files opened as /dev/console
are exempt from job control, as on Linux.

When the host's stdin is a terminal, ./linux puts it in raw mode (the
guest's line discipline does all echoing and editing, and turns \\n into
\\r\\n on output) and always restores it on the way out: normal exit,
panic, SIGTERM/SIGHUP/SIGINT from the host; a host SIGTSTP restores it
while stopped.  The host terminal's size becomes the console's, and a
resize is a SIGWINCH for the foreground group.

When stdin or stdout are pipes or files everything works the same, but
echo is off when stdin is not a terminal (so piped input is not repeated
on the output) and ONLCR is off when neither is one (so output passes
unchanged).  End of file on the host's stdin ends the current line and
then reads as 0, like ^D.
"""

import atexit
import os
import signal
import termios

from kernel import printk, sched
from fs.char_dev import register_chrdev
from fs.inode import mkdev
from drivers.n_tty import ECHO, ONLCR
from drivers.tty import Tty, TtyDriver, TtyFileOps, tty_init, tty_std_termios
from drivers.pty import pty_init
from fs.devtmpfs import devtmpfs_create_node
from kernel.sysrq import console_sysrq

INPUT_HIGH_WATER = 65536


class ConsoleDriver(TtyDriver):
    name = "console"

    def __init__(self, in_fd, out_fd):
        self.in_fd = in_fd
        self.out_fd = out_fd
        self.eof = False
        self.watching = False
        self.tty = None

    def write(self, tty, data):
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.out_fd, view)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                return len(data)            # host stdout gone: discard
            view = view[n:]
        return len(data)

    def input_eof(self, tty):
        return self.eof and not tty.flip

    # -- host input --------------------------------------------------------------------
    def watch(self):
        if not self.watching and not self.eof:
            self.watching = True
            sched.host_fds[self.in_fd] = self.host_readable

    def unwatch(self):
        if self.watching:
            self.watching = False
            sched.host_fds.pop(self.in_fd, None)

    def host_readable(self, fd):
        try:
            data = os.read(fd, 4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        tty = self.tty
        if not data:
            self.eof = True
            self.unwatch()
            tty.ldisc.end_of_input()
            tty.read_wait.wake_up()
            return
        data = console_sysrq.filter(data)          # Ctrl-] KEY: a SysRq
        if not data:
            return
        tty.receive(data)
        if len(tty.flip) > INPUT_HIGH_WATER:
            self.unwatch()                  # throttled until a reader catches up

    def unthrottle(self, tty):
        if len(tty.flip) <= INPUT_HIGH_WATER:
            self.watch()


console = None                  # the ConsoleDriver
console_tty = None


def _find_console(f, t):
    return console_tty


# /dev/console: the console tty, without job control; /dev/tty0, /dev/tty1: the tty
console_fops = TtyFileOps(_find_console, noctty=True, console=True)
tty0_fops = TtyFileOps(_find_console, noctty=True)
tty1_fops = TtyFileOps(_find_console)


# -- the host terminal ----------------------------------------------------------------------

class HostTerminal:
    """Raw mode on the host's terminal, and putting it back."""

    def __init__(self, fd):
        self.fd = fd
        self.saved = termios.tcgetattr(fd)
        self.raw = False

    def make_raw(self):
        mode = termios.tcgetattr(self.fd)
        iflag, oflag, cflag, lflag, ispeed, ospeed, cc = mode
        iflag &= ~(termios.BRKINT | termios.ICRNL | termios.INPCK | termios.ISTRIP
                   | termios.IXON | termios.INLCR | termios.IGNCR)
        oflag &= ~termios.OPOST
        cflag = (cflag & ~(termios.CSIZE | termios.PARENB)) | termios.CS8
        lflag &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN | termios.ISIG)
        cc = list(cc)
        cc[termios.VMIN] = 1
        cc[termios.VTIME] = 0
        termios.tcsetattr(self.fd, termios.TCSAFLUSH,
                          [iflag, oflag, cflag, lflag, ispeed, ospeed, cc])
        self.raw = True
        printk.newline = "\r\n"

    def restore(self):
        if self.raw:
            try:
                termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
            except (OSError, termios.error):
                pass
            self.raw = False
            printk.newline = "\n"


host_terminal = None


def restore_host_terminal():
    if host_terminal is not None:
        host_terminal.restore()


def _fatal_host_signal(signum, frame):
    restore_host_terminal()
    raise SystemExit(128 + signum)


def _host_sigtstp(signum, frame):
    """Stopped from the host: give the terminal back while stopped."""
    restore_host_terminal()
    # SIGSTOP rather than SIGTSTP again: the latter is dropped when our
    # process group is orphaned (started with setsid, say)
    os.kill(os.getpid(), signal.SIGSTOP)
    if host_terminal is not None:
        host_terminal.make_raw()


_winch_pipe = None


def _host_sigwinch(signum, frame):
    if _winch_pipe is not None:
        try:
            os.write(_winch_pipe[1], b"w")
        except OSError:
            pass


def _winch_readable(fd):
    try:
        os.read(fd, 64)
    except OSError:
        pass
    if console_tty is not None:
        console_tty.set_winsize(_host_winsize(console.out_fd, console.in_fd))


def _host_winsize(*fds):
    for fd in fds:
        try:
            sz = os.get_terminal_size(fd)
            return (sz.lines, sz.columns, 0, 0)
        except OSError:
            continue
    return (24, 80, 0, 0)


def setup_host_terminal(in_fd):
    """Raw mode and the signal handlers that undo it (./linux on a terminal)."""
    global host_terminal, _winch_pipe
    try:
        host_terminal = HostTerminal(in_fd)
    except Exception:
        host_terminal = None
        return
    host_terminal.make_raw()
    atexit.register(restore_host_terminal)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, _fatal_host_signal)
    signal.signal(signal.SIGTSTP, _host_sigtstp)
    _winch_pipe = os.pipe()
    os.set_blocking(_winch_pipe[0], False)
    os.set_blocking(_winch_pipe[1], False)
    sched.host_fds[_winch_pipe[0]] = _winch_readable
    signal.signal(signal.SIGWINCH, _host_sigwinch)


def console_init(in_fd=0, out_fd=1):
    global console, console_tty
    console = ConsoleDriver(in_fd, out_fd)
    termios = tty_std_termios()
    in_tty, out_tty = os.isatty(in_fd), os.isatty(out_fd)
    if not in_tty:
        termios.lflag &= ~ECHO
    if not out_tty and not in_tty:
        # (with a raw host terminal on stdin, \n alone would staircase on
        # it even if stdout goes through a pipe such as tee)
        termios.oflag &= ~ONLCR
    console_tty = Tty(b"tty1", mkdev(4, 1), console, termios)
    console_tty.winsize = _host_winsize(out_fd, in_fd)
    console.tty = console_tty
    if in_tty:
        setup_host_terminal(in_fd)
    console.watch()
    register_chrdev(5, 1, console_fops)         # /dev/console
    register_chrdev(4, 0, tty0_fops)            # /dev/tty0
    register_chrdev(4, 1, tty1_fops)            # /dev/tty1
    devtmpfs_create_node(b"tty0", 0o620, 4, 0)
    devtmpfs_create_node(b"tty1", 0o620, 4, 1)
    tty_init()
    pty_init()
    return console

