"""drivers/tty.py - terminals: the tty core, job control, terminal ioctls.

A Tty is one terminal: a driver that moves bytes to and from a device (the
host's stdin/stdout for the console, drivers/console.py; the other end for
a pseudo-terminal, drivers/pty.py), a line discipline that edits input and
processes output (drivers/n_tty.py), its termios and window size, and the
job-control state: the session it is the controlling terminal of and that
session's foreground process group.

Job control, as POSIX and Linux have it:
 - keys typed signal the foreground process group (n_tty: ^C, ^\\, ^Z);
 - a background process that reads its controlling terminal gets SIGTTIN
   (EIO if it ignores it or its group is orphaned); one that writes while
   TOSTOP is set, or changes the terminal's settings, gets SIGTTOU;
 - a session leader without a terminal acquires one by opening it (unless
   O_NOCTTY; never /dev/console or a pty master) or with TIOCSCTTY;
   /dev/tty is whatever terminal the caller's session controls;
 - when it hangs up (a pty master closed, TIOCVHANGUP, the session leader
   exits), the session is sent SIGHUP and SIGCONT and the open files go
   dead: reads return 0, writes fail with EIO.

Files opened through /dev/console reach the console's tty, but (as on Linux)
without job-control checks and without being hung up.
"""

import struct

from kernel.abi import SIGCONT, SIGHUP, SIGTTIN, SIGTTOU, SIGWINCH
from kernel import sched
from kernel import task as ktask
from kernel.errno import (EAGAIN, EBUSY, EINVAL, EIO, ENOTTY, ENXIO, EPERM,
                          ERESTARTSYS, ESRCH, Errno)
from kernel.capability import CAP_SYS_ADMIN, capable
from fs.file import (FMODE_READ, O_NONBLOCK, POLLERR, POLLHUP, POLLIN,
                     POLLOUT, POLLRDNORM, POLLWRNORM, FileOperations)
from mm.uaccess import copy_from_user, copy_to_user
from drivers import n_tty
from drivers.n_tty import (B38400, CREAD, CS8, ECHO, ECHOCTL, ECHOE, ECHOK,
                           ECHOKE, HUPCL, ICANON, ICRNL, IEXTEN, ISIG, IXON,
                           ONLCR, OPOST, TOSTOP, NTty)
from fs.char_dev import register_chrdev
from kernel.jobctl import is_orphaned_pgrp
from kernel.signal import (SIG_IGN, SI_KERNEL, SI_USER, SigInfo, send_signal, sigmask,
                           signal_pending)

TCGETS, TCSETS, TCSETSW, TCSETSF = 0x5401, 0x5402, 0x5403, 0x5404
TCGETA, TCSETA, TCSETAW, TCSETAF = 0x5405, 0x5406, 0x5407, 0x5408
TCSBRK, TCXONC, TCFLSH, TIOCEXCL, TIOCNXCL = 0x5409, 0x540A, 0x540B, 0x540C, 0x540D
TIOCSCTTY, TIOCGPGRP, TIOCSPGRP, TIOCOUTQ, TIOCSTI = 0x540E, 0x540F, 0x5410, 0x5411, 0x5412
TIOCGWINSZ, TIOCSWINSZ = 0x5413, 0x5414
TIOCMGET, TIOCMBIS, TIOCMBIC, TIOCMSET = 0x5415, 0x5416, 0x5417, 0x5418
TIOCGSOFTCAR, TIOCSSOFTCAR, FIONREAD = 0x5419, 0x541A, 0x541B
TIOCLINUX, TIOCCONS, TIOCPKT, FIONBIO = 0x541C, 0x541D, 0x5420, 0x5421
TIOCNOTTY, TIOCSETD, TIOCGETD, TCSBRKP = 0x5422, 0x5423, 0x5424, 0x5425
TIOCSBRK, TIOCCBRK, TIOCGSID = 0x5427, 0x5428, 0x5429
TCGETS2, TCSETS2, TCSETSW2, TCSETSF2 = 0x802C542A, 0x402C542B, 0x402C542C, 0x402C542D
TIOCGPTN, TIOCSPTLCK, TIOCGDEV, TIOCSIG = 0x80045430, 0x40045431, 0x80045432, 0x40045436
TIOCVHANGUP, TIOCGPKT, TIOCGPTLCK = 0x5437, 0x80045438, 0x80045439
TIOCGEXCL, TIOCGPTPEER = 0x80045440, 0x5441
TCOOFF, TCOON, TCIOFF, TCION = 0, 1, 2, 3
TCIFLUSH, TCOFLUSH, TCIOFLUSH = 0, 1, 2
N_TTY = 0


_TERMIOS = struct.Struct("<IIIIB19s")
_TERMIOS2 = struct.Struct("<IIIIB19sII")
_TERMIO = struct.Struct("<HHHHB8sx")
_WINSIZE = struct.Struct("<4H")

_BAUDS = [0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800,
          9600, 19200, 38400, 0, 57600, 115200, 230400, 460800, 500000,
          576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000,
          3000000, 3500000, 4000000]
CBAUD, CBAUDEX, BOTHER, IBSHIFT = 0o10017, 0o10000, 0o10000, 16


def baud_of(cbits):
    i = cbits & 0o17
    if cbits & CBAUDEX:
        i += 16
    return _BAUDS[i]


class Termios:
    """struct ktermios."""
    __slots__ = ("iflag", "oflag", "cflag", "lflag", "line", "cc", "ispeed", "ospeed")

    def __init__(self, iflag=0, oflag=0, cflag=0, lflag=0, cc=None, speed=38400):
        self.iflag, self.oflag, self.cflag, self.lflag = iflag, oflag, cflag, lflag
        self.line = N_TTY
        self.cc = bytearray(cc if cc is not None else INIT_C_CC)
        self.ispeed = self.ospeed = speed

    def copy(self):
        n = Termios(self.iflag, self.oflag, self.cflag, self.lflag, self.cc)
        n.line, n.ispeed, n.ospeed = self.line, self.ispeed, self.ospeed
        return n

    def pack(self):
        return _TERMIOS.pack(self.iflag, self.oflag, self.cflag, self.lflag,
                             self.line, bytes(self.cc))

    def pack2(self):
        return _TERMIOS2.pack(self.iflag, self.oflag, self.cflag, self.lflag,
                              self.line, bytes(self.cc), self.ispeed, self.ospeed)

    def pack_termio(self):
        return _TERMIO.pack(self.iflag & 0xFFFF, self.oflag & 0xFFFF, self.cflag & 0xFFFF,
                            self.lflag & 0xFFFF, self.line, bytes(self.cc[:8]))

    def speeds_from_cflag(self):
        """TCSETS: the speeds are the ones the CBAUD bits name."""
        self.ospeed = baud_of(self.cflag & CBAUD)
        ibits = (self.cflag >> IBSHIFT) & CBAUD
        self.ispeed = baud_of(ibits) if ibits else self.ospeed


INIT_C_CC = bytes([3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0])


def tty_std_termios():
    return Termios(ICRNL | IXON, OPOST | ONLCR, B38400 | CS8 | CREAD | HUPCL,
                   ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN)


class TtyDriver:
    """What a kind of terminal provides (Linux's tty_operations)."""
    name = "tty"
    has_set_termios = False         # else the hardware bits of cflag stay

    def write(self, tty, data):
        """Send processed output to the device."""
        return len(data)

    def write_room(self, tty):
        return 1 << 20

    def unthrottle(self, tty):
        """The line discipline has room for more input."""

    def set_termios(self, tty, old):
        pass

    def flush_buffer(self, tty):
        """Drop output written but not yet delivered."""

    def input_eof(self, tty):
        """The device will never send more (a console's stdin at EOF)."""
        return False

    def other_closed(self, tty):
        """Reads fail with EIO (a pty master whose slave is closed)."""
        return False

    def open(self, tty, f, t):
        pass

    def close(self, tty, f):
        pass

    def ioctl(self, tty, f, t, cmd, arg):
        return None                 # not ours


class Tty:
    def __init__(self, name, device, driver, termios):
        self.name = name                # b"tty1", b"pts/0", ...
        self.device = device            # dev_t, for /proc/PID/stat's tty_nr
        self.driver = driver
        self.termios = termios
        self.winsize = (0, 0, 0, 0)
        self.pgrp = 0                   # foreground process group
        self.session = 0                # the session it controls (0: none)
        self.read_wait = sched.WaitQueue()
        self.write_wait = sched.WaitQueue()
        self.stopped = False            # ^S (or TCOOFF)
        self.tco_stopped = False        # TCOOFF: only TCOON restarts
        self.flip = bytearray()         # input the line discipline had no room for
        self.hung_up = False
        self.files = set()              # open Files on this tty
        self.count = 0
        self.link = None                # the other end of a pty
        self.exclusive = False
        self.ldisc = NTty(self)

    def __repr__(self):
        return "<Tty %s>" % self.name.decode()

    @property
    def rdev(self):
        """The device number /proc/PID/stat shows as tty_nr."""
        return self.device

    # -- bytes in and out ---------------------------------------------------------------
    def receive(self, data):
        """Input from the device; what does not fit waits in the flip buffer."""
        if self.flip:
            self.flip += data
            data = b""
            self.push_flip()
            return
        n = self.ldisc.receive_buf(data)
        if n < len(data):
            self.flip += data[n:]

    def push_flip(self):
        if self.flip:
            n = self.ldisc.receive_buf(bytes(self.flip))
            del self.flip[:n]

    def unthrottle(self):
        self.push_flip()
        self.driver.unthrottle(self)

    def driver_write(self, data):
        return self.driver.write(self, data)

    def stop_tty(self):
        self.stopped = True

    def start_tty(self):
        """^Q (or any key with IXANY) restarts output, unless TCOOFF stopped it."""
        if self.stopped and not self.tco_stopped:
            self.stopped = False
            self.write_wait.wake_up()

    def flush_output(self):
        """Output not yet delivered is dropped (a pty's bytes still in
        flight to the other end: Linux's tty_driver_flush_buffer)."""
        self.driver.flush_buffer(self)

    def input_eof(self):
        return self.driver.input_eof(self)

    def other_closed(self):
        return self.driver.other_closed(self)

    def write_room(self):
        return 0 if self.stopped else self.driver.write_room(self)

    def link_closed(self):
        """The other end of a pty is not open: writes fail with EIO."""
        return self.link is not None and self.link.count <= 0

    # -- job control -------------------------------------------------------------------------
    def signal_fg(self, sig):
        if self.pgrp:
            kill_pgrp(self.pgrp, sig, priv=True)

    def job_control(self, t, f):
        """Reading: SIGTTIN for a background process (0 if allowed)."""
        if f.tty_console:
            return 0
        return tty_check_change(t, self, SIGTTIN)

    def set_winsize(self, ws):
        if ws != self.winsize:
            self.winsize = ws
            self.signal_fg(SIGWINCH)

    def hangup(self, signal_session=True):
        """__tty_hangup: the files go dead, the session hears SIGHUP."""
        self.hung_up = True
        for f in list(self.files):
            if not f.tty_console:
                f.tty_hung = True
        if signal_session and self.session:
            sid = self.session
            for p in list(ktask.tasks.values()):
                if p.group_leader is not p or p.exit_state or p.signal.session != sid:
                    continue
                if p.signal.tty is self:
                    p.signal.tty = None
                if p.tgid == sid:
                    send_sig(p, SIGHUP, True)
                    send_sig(p, SIGCONT, True)
        self.session = 0
        self.pgrp = 0
        self.read_wait.wake_up()
        self.write_wait.wake_up()


# -- process groups and sessions --------------------------------------------------------------

def send_sig(p, sig, priv):
    send_signal(p, SigInfo(sig, SI_KERNEL if priv else SI_USER), group=True)


def kill_pgrp(pgrp, sig, priv=True):
    for p in list(ktask.tasks.values()):
        if p.group_leader is p and not p.exit_state and p.signal.pgrp == pgrp:
            send_sig(p, sig, priv)


def session_alive(sid):
    return any(not p.exit_state and p.signal.session == sid for p in ktask.tasks.values())


def get_current_tty(t):
    """The controlling terminal of t's session, or None."""
    tty = t.signal.tty
    if tty is None or tty.hung_up or tty.session != t.signal.session:
        return None
    return tty


def is_session_leader(t):
    return t.signal.session == t.tgid


def _is_ignored(t, sig):
    return bool(t.blocked & sigmask(sig)) or t.sighand.action[sig].handler == SIG_IGN


def tty_check_change(t, tty, sig=SIGTTOU):
    """A background process touches its controlling terminal: stop its
    group with sig and restart the call afterwards; EIO if it cannot be
    stopped (orphaned group, or it ignores SIGTTIN)."""
    if get_current_tty(t) is not tty:
        return 0
    if not tty.pgrp or t.signal.pgrp == tty.pgrp:
        return 0
    if _is_ignored(t, sig):
        return -EIO if sig == SIGTTIN else 0
    if is_orphaned_pgrp(t):
        return -EIO
    kill_pgrp(t.signal.pgrp, sig, priv=True)
    return -ERESTARTSYS


def proc_set_tty(t, tty):
    """__proc_set_tty: tty becomes the controlling terminal of t's session."""
    tty.session = t.signal.session
    tty.pgrp = t.signal.pgrp
    for th in t.thread_group():
        th.signal.tty = tty
    t.signal.tty = tty


def session_clear_tty(sid):
    for p in ktask.tasks.values():
        if p.signal.session == sid:
            p.signal.tty = None


def disassociate_ctty(t, on_exit):
    """The session leader gives up its terminal (TIOCNOTTY, or exit)."""
    tty = get_current_tty(t)
    if tty is not None:
        if on_exit and not tty.driver.name.startswith("pty"):
            tty.hangup()
            return
        if tty.pgrp:
            kill_pgrp(tty.pgrp, SIGHUP, on_exit)
            if not on_exit:
                kill_pgrp(tty.pgrp, SIGCONT, on_exit)
        tty.session = 0
        tty.pgrp = 0
    session_clear_tty(t.signal.session)


def tty_exit(t):
    """A process exits: a session leader takes its terminal with it."""
    if is_session_leader(t) and t.signal.tty is not None:
        disassociate_ctty(t, on_exit=True)


# -- the file operations ---------------------------------------------------------------------

def file_tty(f):
    tty = f.private
    if tty is None:
        raise Errno(EIO)
    return tty


class TtyFileOps(FileOperations):
    """A terminal device file.  find(f, t) names the Tty an open reaches."""

    fasync_supported = True            # O_ASYNC signals (fs/fasync.py)

    def __init__(self, find, noctty=False, console=False):
        self.find = find
        self.noctty = noctty
        self.console = console

    def open(self, f, t):
        tty = self.find(f, t)
        f.private = tty
        f.tty_console = self.console
        f.tty_hung = False
        if tty.exclusive and not capable(t, CAP_SYS_ADMIN):
            raise Errno(EBUSY)
        tty.files.add(f)
        tty.count += 1
        tty.driver.open(tty, f, t)
        noctty = self.noctty or f.open_flags & 0o400      # O_NOCTTY
        if not noctty and is_session_leader(t) and get_current_tty(t) is None \
                and not (tty.session and session_alive(tty.session)) and f.mode & FMODE_READ:
            proc_set_tty(t, tty)

    def release(self, f):
        tty = f.private
        if tty is None:
            return
        tty.files.discard(f)
        tty.count -= 1
        tty.driver.close(tty, f)

    def read(self, f, t, count):
        if f.tty_hung:
            return b""
        tty = file_tty(f)
        return tty.ldisc.read(t, f, count, bool(f.flags & O_NONBLOCK))

    def write(self, f, t, data):
        if f.tty_hung:
            raise Errno(EIO)
        tty = file_tty(f)
        if tty.termios.lflag & TOSTOP and not f.tty_console:
            r = tty_check_change(t, tty, SIGTTOU)
            if r:
                return r
        tty.ldisc.process_echoes()
        if tty.link_closed():
            return -EIO
        done = self._write_some(tty, data, 0)
        if done >= len(data):
            return done
        if f.flags & O_NONBLOCK:
            return done or -EAGAIN
        return self._write_wait(f, t, tty, data, done)

    @staticmethod
    def _write_some(tty, data, done):
        """n_tty_write: output-process as much as the device has room for."""
        while done < len(data):
            room = tty.write_room()
            if room <= 0:
                break
            n = min(len(data) - done, max(1, room // 2))
            tty.driver_write(tty.ldisc.process_output(data[done:done + n]))
            done += n
        return done

    def _write_wait(self, f, t, tty, data, done):
        while True:
            yield sched.Sleep((tty.write_wait,))
            if signal_pending(t):
                return done or -ERESTARTSYS
            if f.tty_hung or tty.link_closed():
                return done or -EIO
            done = self._write_some(tty, data, done)
            if done >= len(data):
                return done

    def poll(self, f, t):
        tty = f.private
        if f.tty_hung or tty is None:
            return POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM, ()
        tty.push_flip()
        mask = 0
        if tty.ldisc.input_available(poll=True) or tty.input_eof():
            mask |= POLLIN | POLLRDNORM
        if tty.other_closed():
            mask |= POLLHUP
        if tty.write_room() > 0:
            mask |= POLLOUT | POLLWRNORM
        return mask, (tty.read_wait, tty.write_wait)

    def ioctl(self, f, t, cmd, arg):
        if f.tty_hung:
            if cmd == TIOCSPGRP:
                return -ENOTTY
            if cmd in (TIOCGSID, TIOCGPGRP, TIOCGWINSZ, TCGETS, TCGETS2):
                return -EIO
            return -EIO
        return tty_ioctl(file_tty(f), f, t, cmd & 0xFFFFFFFF, arg)


# -- ioctls -----------------------------------------------------------------------------------

def set_termios(t, tty, new, flush_input=False):
    r = tty_check_change(t, tty, SIGTTOU)
    if r:
        return r
    old = tty.termios
    if not tty.driver.has_set_termios:
        keep = HUPCL | CREAD | 0o4000          # CLOCAL
        new.cflag = (new.cflag & keep) | (old.cflag & ~keep)
        new.ispeed, new.ospeed = old.ispeed, old.ospeed
    if flush_input:
        tty.ldisc.reset()
        tty.flip = bytearray()
    tty.termios = new
    tty.driver.set_termios(tty, old)
    tty.ldisc.set_termios(old)
    tty.unthrottle()
    return 0


def _pgrp_session(pgrp):
    """The session of process group pgrp, or None if no such group."""
    for p in ktask.tasks.values():
        if not p.exit_state and p.signal.pgrp == pgrp:
            return p.signal.session
    p = ktask.find_task(pgrp)
    if p is not None and not p.exit_state:
        return p.signal.session
    return None


def tty_ioctl(tty, f, t, cmd, arg):
    """The terminal ioctls: the driver's own first, then the terminal
    settings (tty_mode_ioctl), job control (tty_jobctrl_ioctl), the line
    discipline's (n_tty_ioctl), and the rest here.  On a pty master the
    terminal settings, window size and job control belong to the slave
    ("real" below), as on Linux."""
    mm = t.mm
    r = tty.driver.ioctl(tty, f, t, cmd, arg)
    if r is not None:
        return r
    master = _is_pty_master(tty)
    real = tty.link if master else tty
    for fn in (tty_mode_ioctl, tty_jobctrl_ioctl):
        r = fn(real, master, f, t, cmd, arg)
        if r is not None:
            return r
    r = n_tty_ioctl(tty, t, cmd, arg)
    if r is not None:
        return r
    if cmd in (TCSBRK, TCSBRKP, TIOCSBRK, TIOCCBRK):
        return 0
    if cmd == TIOCGETD:
        copy_to_user(mm, arg, struct.pack("<i", N_TTY))
        return 0
    if cmd == TIOCSETD:
        (ld,) = struct.unpack("<i", copy_from_user(mm, arg, 4))
        return 0 if ld == N_TTY else -EINVAL
    if cmd == TIOCEXCL:
        tty.exclusive = True
        return 0
    if cmd == TIOCNXCL:
        tty.exclusive = False
        return 0
    if cmd == TIOCGEXCL:
        copy_to_user(mm, arg, struct.pack("<i", int(tty.exclusive)))
        return 0
    if cmd == TIOCSTI:
        if get_current_tty(t) is not tty and not capable(t, CAP_SYS_ADMIN):
            return -EPERM
        (c,) = copy_from_user(mm, arg, 1)
        tty.receive(bytes([c]))
        return 0
    if cmd == TIOCVHANGUP:
        if not capable(t, CAP_SYS_ADMIN):
            return -EPERM
        tty.hangup()
        return 0
    if cmd == TIOCGDEV:
        copy_to_user(mm, arg, struct.pack("<I", tty.device))
        return 0
    if cmd in (TIOCGSOFTCAR, TIOCSSOFTCAR):
        if cmd == TIOCGSOFTCAR:
            copy_to_user(mm, arg, struct.pack("<i", 1 if tty.termios.cflag & 0o4000 else 0))
        return 0
    if cmd == FIONBIO:
        return 0
    return -ENOTTY

def tty_mode_ioctl(real, master, f, t, cmd, arg):
    """termios (the TCGETS/TCSETS families, old termio too) and the
    window size; None: not one of these."""
    mm = t.mm
    if cmd in (TCGETS, TCGETS2, TCGETA):
        data = {TCGETS: real.termios.pack, TCGETS2: real.termios.pack2,
                TCGETA: real.termios.pack_termio}[cmd]()
        copy_to_user(mm, arg, data)
        return 0
    if cmd in (TCSETS, TCSETSW, TCSETSF):
        v = _TERMIOS.unpack(copy_from_user(mm, arg, _TERMIOS.size))
        new = Termios(v[0], v[1], v[2], v[3], v[5])
        new.line = v[4]
        new.speeds_from_cflag()
        return set_termios(t, real, new, cmd == TCSETSF)
    if cmd in (TCSETS2, TCSETSW2, TCSETSF2):
        v = _TERMIOS2.unpack(copy_from_user(mm, arg, _TERMIOS2.size))
        new = Termios(v[0], v[1], v[2], v[3], v[5])
        new.line, new.ispeed, new.ospeed = v[4], v[6], v[7]
        if new.cflag & CBAUD != BOTHER:
            new.speeds_from_cflag()
        return set_termios(t, real, new, cmd == TCSETSF2)
    if cmd in (TCSETA, TCSETAW, TCSETAF):
        v = _TERMIO.unpack(copy_from_user(mm, arg, _TERMIO.size))
        new = real.termios.copy()
        new.iflag = (new.iflag & 0xFFFF0000) | v[0]
        new.oflag = (new.oflag & 0xFFFF0000) | v[1]
        new.cflag = (new.cflag & 0xFFFF0000) | v[2]
        new.lflag = (new.lflag & 0xFFFF0000) | v[3]
        new.line = v[4]
        new.cc[:8] = v[5]
        new.speeds_from_cflag()
        return set_termios(t, real, new, cmd == TCSETAF)
    if cmd == TIOCGWINSZ:
        copy_to_user(mm, arg, _WINSIZE.pack(*real.winsize))
        return 0
    if cmd == TIOCSWINSZ:
        ws = _WINSIZE.unpack(copy_from_user(mm, arg, _WINSIZE.size))
        real.set_winsize(ws)
        if real.link is not None:
            real.link.winsize = ws
        return 0
    return None


def tty_jobctrl_ioctl(real, master, f, t, cmd, arg):
    """The foreground process group, the session, the controlling
    terminal; None: not one of these."""
    mm = t.mm
    if cmd == TIOCGPGRP:
        if not master and get_current_tty(t) is not real:
            return -ENOTTY
        copy_to_user(mm, arg, struct.pack("<i", real.pgrp))
        return 0
    if cmd == TIOCSPGRP:
        r = tty_check_change(t, real, SIGTTOU)
        if r == -EIO:
            return -ENOTTY
        if r:
            return r
        (pgrp,) = struct.unpack("<i", copy_from_user(mm, arg, 4))
        if get_current_tty(t) is not real or real.session != t.signal.session:
            return -ENOTTY
        if pgrp < 0:
            return -EINVAL
        sid = _pgrp_session(pgrp)
        if sid is None:
            return -ESRCH
        if sid != t.signal.session:
            return -EPERM
        real.pgrp = pgrp
        return 0
    if cmd == TIOCGSID:
        if not master and get_current_tty(t) is not real:
            return -ENOTTY
        if not real.session or not session_alive(real.session):
            return -ENOTTY
        copy_to_user(mm, arg, struct.pack("<i", real.session))
        return 0
    if cmd == TIOCSCTTY:
        return tiocsctty(t, real, f, arg)
    if cmd == TIOCNOTTY:
        if get_current_tty(t) is not real:
            return -ENOTTY
        if is_session_leader(t):
            disassociate_ctty(t, on_exit=False)
        t.signal.tty = None
        return 0
    return None


def n_tty_ioctl(tty, t, cmd, arg):
    """What the line discipline answers: queued input, flushing, flow
    control; None: not one of these."""
    mm = t.mm
    if cmd in (FIONREAD, TIOCOUTQ):
        tty.push_flip()
        n = tty.ldisc.inq() if cmd == FIONREAD else 0
        copy_to_user(mm, arg, struct.pack("<i", n))
        return 0
    if cmd == TCFLSH:
        r = tty_check_change(t, tty, SIGTTOU)
        if r:
            return r
        if arg not in (TCIFLUSH, TCOFLUSH, TCIOFLUSH):
            return -EINVAL
        if arg in (TCIFLUSH, TCIOFLUSH):
            tty.ldisc.reset()
            tty.flip = bytearray()
            tty.unthrottle()
        if arg in (TCOFLUSH, TCIOFLUSH):
            tty.flush_output()
        return 0
    if cmd == TCXONC:
        r = tty_check_change(t, tty, SIGTTOU)
        if r:
            return r
        if arg == TCOOFF:
            tty.tco_stopped = True
            tty.stop_tty()
        elif arg == TCOON:
            if tty.tco_stopped:
                tty.tco_stopped = False
                tty.start_tty()
        elif arg in (TCIOFF, TCION):
            c = tty.termios.cc[n_tty.VSTOP if arg == TCIOFF else n_tty.VSTART]
            if c:
                tty.driver_write(bytes([c]))
        else:
            return -EINVAL
        return 0
    return None


def _is_pty_master(tty):
    return tty.driver.name == "pty_master"


def tiocsctty(t, tty, f, arg):
    if is_session_leader(t) and tty.session == t.signal.session and get_current_tty(t) is tty:
        return 0
    if not is_session_leader(t) or get_current_tty(t) is not None:
        return -EPERM
    if tty.session and session_alive(tty.session):
        if arg == 1 and capable(t, CAP_SYS_ADMIN):      # steal it
            session_clear_tty(tty.session)
        else:
            return -EPERM
    if not f.mode & FMODE_READ and not capable(t, CAP_SYS_ADMIN):
        return -EPERM
    proc_set_tty(t, tty)
    return 0


def _find_current(f, t):
    tty = get_current_tty(t)
    if tty is None:
        raise Errno(ENXIO)
    return tty


# /dev/tty: the caller's controlling terminal
dev_tty_fops = TtyFileOps(_find_current, noctty=True)


def tty_init():
    register_chrdev(5, 0, dev_tty_fops)

