"""drivers/console.py - /dev/console on the host's stdin and stdout.

Guest output goes to the kernel's stdout byte for byte; kernel messages go
to stderr (kernel/printk.py), so the two never mix.  Input comes from the
host's stdin: the scheduler watches that fd and a reader sleeps until bytes
arrive (or end of file, which reads as 0 like a hung-up line).

The console answers the terminal ioctls programs ask on start-up (TCGETS,
TIOCGWINSZ, ...) from a termios it keeps; when the host stdout is not a
terminal, ONLCR is off, so what is reported matches what is done: bytes
pass unchanged.
"""

import os
import struct

from kernel import sched
from kernel.errno import EINVAL, ENOTTY, Errno
from fs.char_dev import register_chrdev
from fs.file import (O_NONBLOCK, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM,
                     FileOperations)
from mm.uaccess import copy_from_user, copy_to_user

TCGETS, TCSETS, TCSETSW, TCSETSF = 0x5401, 0x5402, 0x5403, 0x5404
TCSBRK, TCXONC, TCFLSH = 0x5409, 0x540A, 0x540B
TIOCSCTTY, TIOCGPGRP, TIOCSPGRP = 0x540E, 0x540F, 0x5410
TIOCOUTQ, TIOCGWINSZ, TIOCSWINSZ, FIONREAD = 0x5411, 0x5413, 0x5414, 0x541B
TIOCNOTTY, TIOCGSID = 0x5422, 0x5429
FIONBIO = 0x5421
TCGETS2, TCSETS2 = 0x802C542A, 0x402C542B

ICRNL, IXON = 0o400, 0o2000
OPOST, ONLCR = 0o1, 0o4
B38400, CS8, CREAD, HUPCL = 0o17, 0o60, 0o200, 0o2000
ISIG, ICANON, ECHO, ECHOE, ECHOK, ECHOCTL, ECHOKE, IEXTEN = \
    0o1, 0o2, 0o10, 0o20, 0o40, 0o1000, 0o4000, 0o100000

_TERMIOS = struct.Struct("<IIIIB19s")


class Console:
    def __init__(self, in_fd=0, out_fd=1):
        self.in_fd = in_fd
        self.out_fd = out_fd
        self.input = bytearray()
        self.eof = False
        self.read_wait = sched.WaitQueue()
        self.out_is_tty = os.isatty(out_fd)
        oflag = OPOST | ONLCR if self.out_is_tty else OPOST
        cc = bytes([3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0])
        self.termios = [ICRNL | IXON, oflag, B38400 | CS8 | CREAD | HUPCL,
                        ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
                        0, cc]
        self.winsize = self._host_winsize()
        self.pgrp = 0
        self.session = 0
        self._watching = False

    def _host_winsize(self):
        try:
            sz = os.get_terminal_size(self.out_fd)
            return (sz.lines, sz.columns, 0, 0)
        except OSError:
            return (24, 80, 0, 0)

    # -- host input ---------------------------------------------------------------
    def _watch(self):
        if not self._watching and not self.eof:
            self._watching = True
            sched.host_fds[self.in_fd] = self._host_readable

    def _host_readable(self, fd):
        try:
            data = os.read(fd, 4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            self.input += data
        else:
            self.eof = True
            sched.host_fds.pop(fd, None)
            self._watching = False
        self.read_wait.wake_up()

    def write(self, data):
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.out_fd, view)
            except BlockingIOError:
                continue
            except OSError:
                return len(data)            # host stdout gone: discard
            view = view[n:]
        return len(data)


console = None


class ConsoleOps(FileOperations):
    def read(self, f, t, count):
        c = console
        if not c.input and not c.eof:
            if f.flags & O_NONBLOCK:
                c._watch()
                from kernel.errno import EAGAIN
                raise Errno(EAGAIN)
            return self._read_wait(f, t, count)
        return self._take(count)

    def _take(self, count):
        c = console
        data = bytes(c.input[:count])
        del c.input[:count]
        return data

    def _read_wait(self, f, t, count):
        c = console
        c._watch()
        r = yield from sched.wait_event(t, c.read_wait, lambda: c.input or c.eof)
        if r < 0:
            return r
        return self._take(count)

    def write(self, f, t, data):
        return console.write(data)

    def poll(self, f, t):
        c = console
        mask = POLLOUT | POLLWRNORM
        if c.input or c.eof:
            mask |= POLLIN | POLLRDNORM
        else:
            c._watch()
        return mask, (c.read_wait,)

    def ioctl(self, f, t, cmd, arg):
        c = console
        cmd &= 0xFFFFFFFF
        mm = t.mm
        if cmd == TCGETS:
            ti = c.termios
            copy_to_user(mm, arg, _TERMIOS.pack(ti[0], ti[1], ti[2], ti[3], ti[4], ti[5]))
            return 0
        if cmd in (TCSETS, TCSETSW, TCSETSF):
            vals = _TERMIOS.unpack(copy_from_user(mm, arg, _TERMIOS.size))
            c.termios = list(vals)
            if cmd == TCSETSF:
                c.input.clear()
            return 0
        if cmd == TIOCGWINSZ:
            copy_to_user(mm, arg, struct.pack("<4H", *c.winsize))
            return 0
        if cmd == TIOCSWINSZ:
            c.winsize = struct.unpack("<4H", copy_from_user(mm, arg, 8))
            return 0
        if cmd == TIOCGPGRP:
            copy_to_user(mm, arg, struct.pack("<i", c.pgrp or t.signal.pgrp))
            return 0
        if cmd == TIOCSPGRP:
            (c.pgrp,) = struct.unpack("<i", copy_from_user(mm, arg, 4))
            return 0
        if cmd == TIOCGSID:
            copy_to_user(mm, arg, struct.pack("<i", c.session or t.signal.session))
            return 0
        if cmd in (TIOCSCTTY, TIOCNOTTY, TCSBRK, TCXONC, TCFLSH):
            return 0
        if cmd in (FIONREAD, TIOCOUTQ):
            n = len(c.input) if cmd == FIONREAD else 0
            copy_to_user(mm, arg, struct.pack("<i", n))
            return 0
        if cmd == FIONBIO:
            return 0
        raise Errno(ENOTTY if cmd & 0xFF00 == 0x5400 else EINVAL)


console_fops = ConsoleOps()


def console_init(in_fd=0, out_fd=1):
    global console
    console = Console(in_fd, out_fd)
    register_chrdev(5, 1, console_fops)         # /dev/console
    register_chrdev(5, 0, console_fops)         # /dev/tty
    register_chrdev(4, 0, console_fops)         # /dev/tty0
    register_chrdev(4, 1, console_fops)         # /dev/tty1
    return console
