"""drivers/n_tty.py - N_TTY, the default line discipline.

Between a terminal device and the programs reading it sits the line
discipline.  Bytes from the device (keys typed, or what a pty master
writes) go through receive_buf(): input flags (ICRNL, IGNCR, INLCR, ISTRIP),
signal characters (^C ^\\ ^Z send SIGINT/SIGQUIT/SIGTSTP to the foreground
process group when ISIG is set), and in canonical mode (ICANON) line
editing: ERASE, KILL, WERASE, LNEXT, REPRINT, and EOF, which ends a line
without being part of it (^D on an empty line reads as end of file).
Everything accepted is echoed back to the device when ECHO is set, control
characters as ^X with ECHOCTL, erasures as "\\b \\b" with ECHOE.

read() takes whole lines in canonical mode; otherwise it follows VMIN and
VTIME (wait for MIN bytes, or until TIME tenths of a second pass).  write()
and the echoes go through output processing (OPOST: ONLCR turns \\n into
\\r\\n, XTABS expands tabs, ...), which also keeps track of the cursor column
so that erasing a tab takes back the right number of columns.

The algorithms follow Linux's drivers/tty/n_tty.c, so that a program sees
the same bytes as on Linux (the tests compare through pseudo-terminals).
"""

from kernel.abi import SIGINT, SIGQUIT, SIGTSTP
from kernel import sched
from kernel.errno import EAGAIN, EIO, ERESTARTSYS
from kernel.signal import signal_pending

N_TTY_BUF_SIZE = 4096

# c_cc indexes
VINTR, VQUIT, VERASE, VKILL, VEOF, VTIME, VMIN, VSWTC = range(8)
VSTART, VSTOP, VSUSP, VEOL, VREPRINT, VDISCARD, VWERASE, VLNEXT, VEOL2 = range(8, 17)
NCCS = 19

# c_iflag
IGNBRK, BRKINT, IGNPAR, PARMRK, INPCK, ISTRIP = 0o1, 0o2, 0o4, 0o10, 0o20, 0o40
INLCR, IGNCR, ICRNL, IUCLC, IXON, IXANY = 0o100, 0o200, 0o400, 0o1000, 0o2000, 0o4000
IXOFF, IMAXBEL, IUTF8 = 0o10000, 0o20000, 0o40000
# c_oflag
OPOST, OLCUC, ONLCR, OCRNL, ONOCR, ONLRET = 0o1, 0o2, 0o4, 0o10, 0o20, 0o40
TABDLY, XTABS = 0o14000, 0o14000
# c_cflag
CBAUD, B38400, CSIZE, CS8, CREAD, HUPCL, CLOCAL = 0o10017, 0o17, 0o60, 0o60, 0o200, 0o2000, 0o4000
# c_lflag
ISIG, ICANON, XCASE, ECHO = 0o1, 0o2, 0o4, 0o10
ECHOE, ECHOK, ECHONL, NOFLSH = 0o20, 0o40, 0o100, 0o200
TOSTOP, ECHOCTL, ECHOPRT, ECHOKE, FLUSHO, PENDIN, IEXTEN, EXTPROC = \
    0o400, 0o1000, 0o2000, 0o4000, 0o10000, 0o40000, 0o100000, 0o200000



# The kernel's ctype is Latin-1 (lib/ctype.c): 0xc0-0xde are upper case
# letters and 0xdf-0xff lower case (but for the two signs 0xd7 and 0xf7),
# and 0x80-0x9f are not control characters.
def iscntrl(c):
    return c < 32 or c == 127


def isupper(c):
    return 65 <= c <= 90 or (0xC0 <= c <= 0xDE and c != 0xD7)


def islower(c):
    return 97 <= c <= 122 or (0xDF <= c <= 0xFF and c != 0xF7)


def isalnum(c):
    return 48 <= c <= 57 or isupper(c) or islower(c)


class NTty:
    """The n_tty_data of one tty."""

    def __init__(self, tty):
        self.tty = tty
        self.buf = bytearray()          # received, not yet read
        self.tail = 0                   # absolute index of buf[0]
        self.canon_head = 0             # absolute: end of the complete lines
        self.line_ends = []             # absolute indexes of line terminators
        self.eof_marks = set()          # ... of those, the ones that are EOF
        self.lnext = False
        self.erasing = False
        self.column = 0
        self.canon_column = 0
        self.echo_buf = []              # pending echo operations
        self.echo_tail = self.echo_head = self.echo_mark = self.echo_commit = 0
        self.echo_bytes = 0

    # -- helpers ---------------------------------------------------------------------
    @property
    def head(self):
        return self.tail + len(self.buf)

    def t_i(self, flag):
        return self.tty.termios.iflag & flag

    def t_o(self, flag):
        return self.tty.termios.oflag & flag

    def t_l(self, flag):
        return self.tty.termios.lflag & flag

    def cc(self, i):
        return self.tty.termios.cc[i]

    def _is_special(self, c, i):
        v = self.tty.termios.cc[i]
        return v != 0 and c == v

    def icanon(self):
        return bool(self.tty.termios.lflag & ICANON)

    def is_continuation(self, c):
        return self.t_i(IUTF8) and (c & 0xC0) == 0x80

    def reset(self):
        """Flush all input (TCFLSH, signals without NOFLSH)."""
        self.tail = self.head
        self.buf = bytearray()
        self.canon_head = self.head
        self.line_ends = []
        self.eof_marks = set()
        self.lnext = False
        self.erasing = False

    def set_termios(self, old):
        """The termios changed: leaving canonical mode makes the partial
        line readable; entering it starts a line at what is there."""
        if old is not None and bool(old.lflag & ICANON) != self.icanon():
            if self.icanon():
                self.canon_head = self.tail
                self.line_ends = []
                self.eof_marks = set()
            else:
                # EOF placeholders stay in the buffer: Linux reads them as NUL
                self.canon_head = self.head
            self.erasing = False
            self.lnext = False
        self.tty.read_wait.wake_up()

    # -- output processing ---------------------------------------------------------------
    def do_output_char(self, c, out):
        """Process one output character into out (a bytearray)."""
        tty = self.tty
        if c == 10:
            if self.t_o(ONLRET):
                self.column = 0
            if self.t_o(ONLCR):
                self.canon_column = self.column = 0
                out += b"\r\n"
                return
            self.canon_column = self.column
        elif c == 13:
            if self.t_o(ONOCR) and self.column == 0:
                return
            if self.t_o(OCRNL):
                c = 10
                if self.t_o(ONLRET):
                    self.canon_column = self.column = 0
            else:
                self.canon_column = self.column = 0
        elif c == 9:
            spaces = 8 - (self.column & 7)
            self.column += spaces
            if tty.termios.oflag & TABDLY == XTABS:
                out += b" " * spaces
                return
        elif c == 8:
            if self.column > 0:
                self.column -= 1
        elif not iscntrl(c):
            if self.t_o(OLCUC) and islower(c):
                c -= 32
            if not self.is_continuation(c):
                self.column += 1
        out.append(c)

    def process_output(self, data):
        """write(): the bytes as they go to the device."""
        if not self.t_o(OPOST):
            return bytes(data)
        out = bytearray()
        for c in data:
            self.do_output_char(c, out)
        return bytes(out)

    # -- echoes --------------------------------------------------------------------------
    # Echoes queue up as operations and go out (as Linux's echo buffer does)
    # when a block of input has been received (flush_echoes), when output
    # restarts (process_echoes: up to the last commit mark), or early once
    # 256 bytes are pending (commit_echoes).  While output is stopped (^S)
    # they wait.  Each operation has the size it has in Linux's buffer.
    ECHO_COMMIT_WATERMARK = 256
    ECHO_BLOCK = 256

    def _add_echo(self, op, c, size):
        self.echo_buf.append((op, c, size))
        self.echo_head += 1
        self.echo_bytes += size
        # like Linux's echo ring, hold at most a buffer's worth: when the
        # device takes nothing (a pty nobody reads), the oldest echoes go
        while self.echo_bytes > N_TTY_BUF_SIZE:
            _, _, dropped = self.echo_buf.pop(0)
            self.echo_bytes -= dropped
            self.echo_tail += 1
            self.echo_commit = max(self.echo_commit, self.echo_tail)
            self.echo_mark = max(self.echo_mark, self.echo_tail)

    def echo_char_raw(self, c):
        self._add_echo("raw", c, 2 if c == 0xFF else 1)

    def echo_char(self, c):
        if self.t_l(ECHOCTL) and iscntrl(c) and c != 9:
            self._add_echo("ctl", c, 2)
        else:
            self.echo_char_raw(c)

    def echo_set_canon_col(self):
        self._add_echo("canon_col", 0, 2)

    def echo_move_back_col(self):
        self._add_echo("back", 0, 2)

    def echo_erase_tab(self, num_chars, after_tab):
        self._add_echo("tab", (num_chars & 7) | (0x80 if after_tab else 0), 3)

    def finish_erasing(self):
        if self.erasing:
            self.echo_char_raw(ord("/"))
            self.erasing = False

    def _pending_bytes(self, upto):
        return sum(size for _, _, size in self.echo_buf[:upto - self.echo_tail])

    def _process_echoes(self):
        """__process_echoes: output committed echoes while there is room."""
        tty = self.tty
        out = bytearray()
        while self.echo_tail < self.echo_commit:
            if tty.write_room() <= len(out):
                break
            op, c, size = self.echo_buf.pop(0)
            self.echo_tail += 1
            self.echo_bytes -= size
            if op == "raw" and c == 0xFF:
                # Linux's echo buffer escapes 0xff: it goes out unprocessed
                out.append(c)
                self.column += 1
            elif op == "raw":
                if self.t_o(OPOST):
                    self.do_output_char(c, out)
                else:
                    out.append(c)
            elif op == "ctl":
                out += b"^" + bytes([c ^ 0o100])
                self.column += 2
            elif op == "canon_col":
                self.canon_column = self.column
            elif op == "back":
                if self.column > 0:
                    self.column -= 1
            elif op == "tab":
                num_chars = c
                if not num_chars & 0x80:
                    num_chars += self.canon_column
                num_bs = 8 - (num_chars & 7)
                out += b"\b" * num_bs
                self.column = max(0, self.column - num_bs)
        if out:
            tty.driver.write(tty, bytes(out))

    def commit_echoes(self):
        self.echo_mark = self.echo_head
        nr = self.echo_bytes
        old = self._pending_bytes(self.echo_commit)
        if nr < self.ECHO_COMMIT_WATERMARK or nr % self.ECHO_BLOCK > old % self.ECHO_BLOCK:
            return
        self.echo_commit = self.echo_head
        self._process_echoes()

    def process_echoes(self):
        if self.echo_mark == self.echo_tail:
            return
        self.echo_commit = max(self.echo_commit, self.echo_mark)
        self._process_echoes()

    def flush_echoes(self):
        if (not self.t_l(ECHO) and not self.t_l(ECHONL)) or self.echo_commit == self.echo_head:
            return
        self.echo_commit = self.echo_head
        self._process_echoes()

    def clear_echoes(self):
        self.echo_buf = []
        self.echo_tail = self.echo_head = self.echo_mark = self.echo_commit = 0
        self.echo_bytes = 0

    # -- input -----------------------------------------------------------------------------
    def receive_buf(self, data):
        """Bytes from the device.  Returns how many were taken (the rest
        must wait for a reader to make room)."""
        n = 0
        for c in data:
            if len(self.buf) >= N_TTY_BUF_SIZE - 1:
                # full: stop, unless the buffer is one unfinished canonical
                # line; then (as Linux) each byte overwrites the last one,
                # so that a newline can always end the line
                if not (self.icanon() and self.canon_head == self.tail):
                    break
                if len(self.buf) >= N_TTY_BUF_SIZE:
                    del self.buf[-1]
            self.receive_char(c)
            n += 1
        self.flush_echoes()
        if n:
            self.tty.read_wait.wake_up()
        return n

    def put_tty_queue(self, c):
        self.buf.append(c)
        if not self.icanon():
            self.canon_head = self.head

    def end_of_input(self):
        """The device will send nothing more: a partial line is readable,
        as if ^D had been typed."""
        if self.icanon() and self.head != self.canon_head:
            self._newline(0, eof=True)
        self.tty.read_wait.wake_up()

    def receive_char(self, c):
        lnext, self.lnext = self.lnext, False
        if self.t_i(ISTRIP):
            c &= 0x7F
        if self.t_i(IUCLC) and self.t_l(IEXTEN) and isupper(c):
            c += 32
        if lnext:
            self._receive_plain(c)
        elif self.raw():
            self.put_tty_queue(c)
        elif self.in_char_map(c):
            self._receive_special(c)
        else:
            self._receive_plain(c)

    def raw(self):
        """No input processing at all is asked for (Linux's ldata->raw)."""
        return not (self.t_i(ISTRIP | IUCLC | IGNCR | ICRNL | INLCR | IXON | PARMRK)
                    or self.t_l(ICANON | ISIG | ECHO))

    def in_char_map(self, c):
        """Does c need the special path (Linux's char_map)?"""
        if c == 0:
            return False
        if c == 13 and self.t_i(IGNCR | ICRNL):
            return True
        if c == 10 and self.t_i(INLCR):
            return True
        cc = self.tty.termios.cc
        if self.t_l(ICANON):
            if c in (cc[VERASE], cc[VKILL], cc[VEOF], 10, cc[VEOL]):
                return True
            if self.t_l(IEXTEN):
                if c in (cc[VWERASE], cc[VLNEXT], cc[VEOL2]):
                    return True
                if self.t_l(ECHO) and c == cc[VREPRINT]:
                    return True
        if self.t_i(IXON) and c in (cc[VSTART], cc[VSTOP]):
            return True
        if self.t_l(ISIG) and c in (cc[VINTR], cc[VQUIT], cc[VSUSP]):
            return True
        return False

    def _receive_plain(self, c):
        tty = self.tty
        if tty.stopped and self.t_i(IXON) and self.t_i(IXANY):
            tty.start_tty()
            self.process_echoes()
        if self.t_l(ECHO):
            self.finish_erasing()
            if self.canon_head == self.head:
                self.echo_set_canon_col()
            self.echo_char(c)
            self.commit_echoes()
        if c == 0o377 and self.t_i(PARMRK):
            self.put_tty_queue(c)
        self.put_tty_queue(c)

    def _receive_special(self, c):
        tty = self.tty
        if self.t_i(IXON):
            if self._is_special(c, VSTART):
                tty.start_tty()
                self.process_echoes()
                return
            if self._is_special(c, VSTOP):
                tty.stop_tty()
                return
        if self.t_l(ISIG):
            for idx, sig in ((VINTR, SIGINT), (VQUIT, SIGQUIT), (VSUSP, SIGTSTP)):
                if self._is_special(c, idx):
                    self.receive_signal_char(sig, c)
                    return
        if tty.stopped and self.t_i(IXON) and self.t_i(IXANY):
            tty.start_tty()
            self.process_echoes()
        if c == 13:
            if self.t_i(IGNCR):
                return
            if self.t_i(ICRNL):
                c = 10
        elif c == 10 and self.t_i(INLCR):
            c = 13
        if self.icanon():
            if self._is_special(c, VERASE) or self._is_special(c, VKILL) or \
                    (self._is_special(c, VWERASE) and self.t_l(IEXTEN)):
                self.eraser(c)
                self.commit_echoes()
                return
            if self._is_special(c, VLNEXT) and self.t_l(IEXTEN):
                self.lnext = True
                if self.t_l(ECHO):
                    self.finish_erasing()
                    if self.t_l(ECHOCTL):
                        self.echo_char_raw(ord("^"))
                        self.echo_char_raw(8)
                        self.commit_echoes()
                return
            if self._is_special(c, VREPRINT) and self.t_l(ECHO) and self.t_l(IEXTEN):
                self.finish_erasing()
                self.echo_char(c)
                self.echo_char_raw(10)
                for ch in self.buf[self.canon_head - self.tail:]:
                    self.echo_char(ch)
                self.commit_echoes()
                return
            if c == 10:
                if self.t_l(ECHO) or self.t_l(ECHONL):
                    self.echo_char_raw(10)
                    self.commit_echoes()
                self._newline(c)
                return
            if self._is_special(c, VEOF):
                self._newline(0, eof=True)
                return
            if self._is_special(c, VEOL) or (self._is_special(c, VEOL2) and self.t_l(IEXTEN)):
                if self.t_l(ECHO):
                    if self.canon_head == self.head:
                        self.echo_set_canon_col()
                    self.echo_char(c)
                    self.commit_echoes()
                if c == 0o377 and self.t_i(PARMRK):
                    self.put_tty_queue(c)
                self._newline(c)
                return
        if self.t_l(ECHO):
            self.finish_erasing()
            if c == 10:
                self.echo_char_raw(10)
            else:
                if self.canon_head == self.head:
                    self.echo_set_canon_col()
                self.echo_char(c)
            self.commit_echoes()
        if c == 0o377 and self.t_i(PARMRK):
            self.put_tty_queue(c)
        self.put_tty_queue(c)

    def _newline(self, c, eof=False):
        pos = self.head
        self.line_ends.append(pos)
        if eof:
            self.eof_marks.add(pos)
        self.buf.append(c)
        self.canon_head = self.head

    def receive_signal_char(self, sig, c):
        tty = self.tty
        tty.signal_fg(sig)
        if not self.t_l(NOFLSH):
            self.clear_echoes()
            tty.flush_output()
            self.reset()
        if self.t_i(IXON):
            tty.start_tty()
        if self.t_l(ECHO):
            self.echo_char(c)
            self.commit_echoes()
        else:
            self.process_echoes()

    def eraser(self, c):
        if self.head == self.canon_head:
            return
        if self._is_special(c, VERASE):
            kill_type = "erase"
        elif self._is_special(c, VWERASE):
            kill_type = "werase"
        else:
            if not self.t_l(ECHO):
                del self.buf[self.canon_head - self.tail:]
                return
            if not self.t_l(ECHOK) or not self.t_l(ECHOKE) or not self.t_l(ECHOE):
                del self.buf[self.canon_head - self.tail:]
                self.finish_erasing()
                self.echo_char(self.cc(VKILL))
                if self.t_l(ECHOK):
                    self.echo_char_raw(10)
                return
            kill_type = "kill"
        seen_alnums = 0
        while self.head != self.canon_head:
            head = self.head
            while True:
                head -= 1
                ch = self.buf[head - self.tail]
                if not (self.is_continuation(ch) and head != self.canon_head):
                    break
            if self.is_continuation(ch):
                break
            if kill_type == "werase":
                if isalnum(ch) or ch == 95:
                    seen_alnums += 1
                elif seen_alnums:
                    break
            cnt = self.head - head
            erased = bytes(self.buf[head - self.tail:])
            del self.buf[head - self.tail:]
            if self.t_l(ECHO):
                if self.t_l(ECHOPRT):
                    if not self.erasing:
                        self.echo_char_raw(ord("\\"))
                        self.erasing = True
                    self.echo_char(ch)
                    for extra in erased[1:cnt]:
                        self.echo_char_raw(extra)
                        self.echo_move_back_col()
                elif kill_type == "erase" and not self.t_l(ECHOE):
                    self.echo_char(self.cc(VERASE))
                elif ch == 9:
                    num_chars = 0
                    after_tab = False
                    pos = self.head
                    while pos != self.canon_head:
                        pos -= 1
                        p = self.buf[pos - self.tail]
                        if p == 9:
                            after_tab = True
                            break
                        if iscntrl(p):
                            if self.t_l(ECHOCTL):
                                num_chars += 2
                        elif not self.is_continuation(p):
                            num_chars += 1
                    self.echo_erase_tab(num_chars, after_tab)
                else:
                    if iscntrl(ch) and self.t_l(ECHOCTL):
                        for b in b"\b \b":
                            self.echo_char_raw(b)
                    if not iscntrl(ch) or self.t_l(ECHOCTL):
                        for b in b"\b \b":
                            self.echo_char_raw(b)
            if kill_type == "erase":
                break
        if self.head == self.canon_head and self.t_l(ECHO):
            self.finish_erasing()

    # -- reading -------------------------------------------------------------------------------
    def input_available(self, poll=False):
        if self.icanon():
            return self.canon_head != self.tail
        amt = 1
        if poll and not self.cc(VTIME) and self.cc(VMIN):
            amt = self.cc(VMIN)
        return len(self.buf) >= amt

    def inq(self):
        if self.icanon():
            return sum(1 for i in range(self.tail, self.canon_head)
                       if i not in self.eof_marks)
        return len(self.buf)

    def _take(self, n):
        data = bytes(self.buf[:n])
        del self.buf[:n]
        self.tail += n
        if self.canon_head < self.tail:
            self.canon_head = self.tail
        return data

    def copy_canon(self, count):
        """One line (or its first count bytes); EOF marks are not copied."""
        end = self.canon_head
        eol = None
        for pos in self.line_ends:
            if pos >= self.tail:
                eol = pos
                break
        if eol is not None:
            end = eol + 1
        n = min(count, end - self.tail)
        found = eol is not None and self.tail + n > eol
        data = self._take(n)
        if found:
            self.line_ends = [p for p in self.line_ends if p >= self.tail]
            if eol in self.eof_marks:
                self.eof_marks.discard(eol)
                data = data[:-1]
        return data, found

    def copy_raw(self, count):
        return self._take(min(count, len(self.buf)))

    def read(self, t, f, count, nonblock):
        """n_tty_read: returns bytes, -errno, or a generator."""
        gen = self._read(t, f, count, nonblock)
        try:
            first = gen.send(None)
        except StopIteration as e:
            return e.value
        return _go_on(gen, first)

    def _read(self, t, f, count, nonblock):
        tty = self.tty
        out = bytearray()
        minimum = 1
        deadline = None                 # None: no timeout
        inter_byte = None
        timed_out = False
        if not self.icanon():
            vmin, vtime = self.cc(VMIN), self.cc(VTIME)
            if vmin:
                minimum = vmin
                if vtime:
                    inter_byte = vtime / 10.0
            else:
                deadline = sched.now() + vtime / 10.0
                minimum = 1
        r = tty.job_control(t, f)
        if r:
            return r
        while count > 0:
            tty.push_flip()
            if not self.input_available():
                if tty.other_closed():
                    if out:
                        break
                    return -EIO
                if tty.hung_up or tty.input_eof():
                    break
                if deadline is not None and (timed_out or deadline <= sched.now()):
                    break
                if nonblock:
                    if out:
                        break
                    return -EAGAIN
                if signal_pending(t):
                    if out:
                        break
                    return -ERESTARTSYS
                yield sched.Sleep((tty.read_wait,), deadline)
                if deadline is not None and sched.now() >= deadline:
                    timed_out = True
                continue
            if self.icanon():
                data, _ = self.copy_canon(count)
                out += data
                tty.unthrottle()
                break
            data = self.copy_raw(count)
            out += data
            count -= len(data)
            tty.unthrottle()
            if len(out) >= minimum:
                break
            if inter_byte is not None:
                deadline = sched.now() + inter_byte
                timed_out = False
        return bytes(out)


def _go_on(gen, first):
    yield first
    return (yield from gen)
