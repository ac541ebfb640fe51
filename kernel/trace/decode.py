"""kernel/trace/decode.py - how each kind of system call argument is printed.

Every argument type of the decoder table (syscalls.py) is a function here,
registered under its name with @argtype:

    @argtype("path")
    def path(c, v):            # c: the Call in progress, v: the raw value
        return c.path(v)

The Call gives what a decoder needs: the task (c.t), its word size
(c.bits: 64, or 32 for i386 and int $0x80), the raw arguments (c.args),
the result once the call has returned (c.ret, c.failed) and a few readers
of guest memory that never fault the tracer (a bad pointer is printed as
its address, as strace does).  Structures are laid out by c.bits, so that
one decoder serves x86_64 and i386.

The formats are strace's (6.x, default options: strings of at most 32
characters, abbreviated structures).
"""

import socket
import struct

from kernel.abi import s32, s64
from kernel.errno import Errno
from kernel.trace import xlat
from mm import uaccess
from kernel.signal import SigInfo

MAX_STRLEN = 32             # strace -s 32
PATH_MAX = 4096
MAX_ARRAY = 32              # array elements shown before "..."

TYPES = {}


def argtype(*names):
    def reg(fn):
        for n in names:
            TYPES[n] = fn
        return fn
    return reg


class Call:
    """One system call of one task, between its entry and its exit."""
    __slots__ = ("t", "bits", "name", "args", "ret", "failed", "saved", "spec",
                 "nargs", "interrupted", "closed", "entry_text")

    def __init__(self, t, bits, name, args, spec):
        self.t = t
        self.bits = bits
        self.name = name
        self.args = args
        self.spec = spec
        self.ret = None
        self.failed = False
        self.saved = {}             # values decoders keep from entry for the exit
        self.nargs = 6              # registers shown for a call not in the table
        self.interrupted = False    # another line came between entry and exit
        self.closed = False         # its exit is printed
        self.entry_text = ""

    # -- numbers ---------------------------------------------------------------------

    def long(self, v):
        """v as a C long of the caller (signed)."""
        m = 1 << self.bits
        v &= m - 1
        return v - m if v & (m >> 1) else v

    def ulong(self, v):
        return v & ((1 << self.bits) - 1)

    # -- guest memory ------------------------------------------------------------------

    def read(self, addr, n):
        """n bytes at addr, or None if they cannot be read."""
        mm = self.t.mm
        if mm is None or not addr:
            return None
        try:
            return uaccess.copy_from_user(mm, addr, n)
        except Errno:
            return None

    def read_str(self, addr, limit):
        """Bytes at addr up to a NUL (not included) or limit bytes; None if
        the first byte cannot be read.  The flag says a NUL was found."""
        out = bytearray()
        while len(out) < limit:
            chunk = min(limit - len(out), 4096 - ((addr + len(out)) & 4095))
            data = self.read(addr + len(out), chunk)
            if data is None:
                if not out:
                    return None, False
                return bytes(out), False
            nul = data.find(0)
            if nul >= 0:
                out += data[:nul]
                return bytes(out), True
            out += data
        return bytes(out), False

    def unpack(self, fmt, addr):
        """struct.unpack of guest memory, or None."""
        data = self.read(addr, struct.calcsize(fmt))
        return None if data is None else struct.unpack(fmt, data)

    def ptr_fmt(self):
        return "<Q" if self.bits == 64 else "<I"

    def long_fmt(self, signed=True):
        if self.bits == 64:
            return "q" if signed else "Q"
        return "i" if signed else "I"

    # -- strace's ways of printing memory ------------------------------------------------

    def path(self, addr, limit=PATH_MAX):
        if not addr:
            return "NULL"
        s, nul = self.read_str(addr, limit)
        if s is None:
            return ptr(addr)
        return quote(s) + ("" if nul else "...")

    def string(self, addr):
        """A NUL-terminated string, at most MAX_STRLEN characters shown."""
        if not addr:
            return "NULL"
        s, nul = self.read_str(addr, MAX_STRLEN + 1)
        if s is None:
            return ptr(addr)
        if len(s) > MAX_STRLEN:
            return quote(s[:MAX_STRLEN]) + "..."
        return quote(s) + ("" if nul else "...")

    def buffer(self, addr, n, hexstyle=False):
        """n bytes (a read or write buffer), the first MAX_STRLEN shown."""
        if n < 0:
            n = 0
        if not addr and n:
            return "NULL"
        data = self.read(addr, min(n, MAX_STRLEN)) if n else b""
        if data is None:
            return ptr(addr)
        s = quote(data, hexstyle)
        return s + "..." if n > MAX_STRLEN else s


def ptr(v):
    return "%#x" % v if v else "NULL"


def quote(data, hexstyle=False):
    """A C string literal as strace writes one: \\n, \\t..., other
    unprintable bytes in octal (three digits when a digit follows)."""
    if hexstyle:
        return '"' + "".join("\\x%02x" % b for b in data) + '"'
    out = ['"']
    n = len(data)
    for i, b in enumerate(data):
        if b == 0x22:
            out.append('\\"')
        elif b == 0x5C:
            out.append("\\\\")
        elif b == 0x0A:
            out.append("\\n")
        elif b == 0x09:
            out.append("\\t")
        elif b == 0x0D:
            out.append("\\r")
        elif b == 0x0C:
            out.append("\\f")
        elif b == 0x0B:
            out.append("\\v")
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        elif i + 1 < n and 0x30 <= data[i + 1] <= 0x37:
            out.append("\\%03o" % b)
        else:
            out.append("\\%o" % b)
    out.append('"')
    return "".join(out)


# -- numbers ------------------------------------------------------------------------------------

@argtype("int")
def t_int(c, v):
    v &= 0xFFFFFFFF
    return str(v - (1 << 32) if v & 0x80000000 else v)


@argtype("uint")
def t_uint(c, v):
    return str(v & 0xFFFFFFFF)


@argtype("long")
def t_long(c, v):
    return str(c.long(v))


@argtype("ulong", "size")
def t_ulong(c, v):
    return str(c.ulong(v))


@argtype("hex")
def t_hex(c, v):
    return hexc(c.ulong(v))


@argtype("ptr")
def t_ptr(c, v):
    return ptr(c.ulong(v))


@argtype("oct")
def t_oct(c, v):
    return octal(v & 0xFFFFFFFF)


@argtype("fd")
def t_fd(c, v):
    return t_int(c, v)


@argtype("atfd")
def t_atfd(c, v):
    v = int(t_int(c, v))
    return "AT_FDCWD" if v == xlat.AT_FDCWD else str(v)


@argtype("pid")
def t_pid(c, v):
    return t_int(c, v)


@argtype("off")
def t_off(c, v):
    """off_t / loff_t: on i386 a 64-bit offset takes two registers (the
    table's "off64") and arrives here already joined."""
    return str(c.long(v)) if c.bits == 64 else str(s64(v))


# -- files ------------------------------------------------------------------------------------------

@argtype("path")
def t_path(c, v):
    return c.path(c.ulong(v))


@argtype("str")
def t_str(c, v):
    return c.string(c.ulong(v))


@argtype("oflags")
def t_oflags(c, v):
    return xlat.open_flags(v & 0xFFFFFFFF)


@argtype("mode")
def t_mode(c, v):
    return octal(v & 0o7777)


@argtype("omode")
def t_omode(c, v, oflags):
    """open's mode: only shown when the flags create a file."""
    if oflags & 0o100 or oflags & 0o20200000 == 0o20200000:
        return octal(v & 0o7777)
    return None


@argtype("fmode")
def t_fmode(c, v):
    return xlat.file_mode(v & 0xFFFFFFFF)


@argtype("fdflags")
def t_fdflags(c, v):
    """O_CLOEXEC|O_NONBLOCK without an access mode (pipe2, dup3...)."""
    return xlat.flags(xlat.OPEN_FLAGS, v & 0xFFFFFFFF)


@argtype("atflags")
def t_atflags(c, v):
    return xlat.flags(xlat.AT_FLAGS, v & 0xFFFFFFFF)


@argtype("amode")
def t_amode(c, v):
    return xlat.flags(xlat.ACCESS_MODES, v & 0xFFFFFFFF, zero="F_OK")


@argtype("whence")
def t_whence(c, v):
    return xlat.xlat(xlat.SEEK_WHENCE, v & 0xFFFFFFFF)


@argtype("fcntl")
def t_fcntl(c, v):
    """fcntl's command and its argument (if the command takes one)."""
    cmd = v & 0xFFFFFFFF
    name = xlat.xlat(xlat.FCNTL_CMDS, cmd)
    arg = c.args[2]
    if cmd in (1, 3, 9, 11, 1025, 1032, 1034):                 # no argument
        return name
    if cmd == 2:                                               # F_SETFD
        return "%s, %s" % (name, xlat.flags(xlat.FD_FLAGS, arg & 0xFFFFFFFF))
    if cmd == 4:                                               # F_SETFL
        return "%s, %s" % (name, xlat.open_flags(arg & 0xFFFFFFFF))
    if cmd in (5, 6, 7, 36, 37, 38):                           # struct flock
        return "%s, %s" % (name, ptr(c.ulong(arg)))
    return "%s, %s" % (name, t_int(c, arg))


@argtype("buf")
def t_buf(c, v, n):
    return c.buffer(c.ulong(v), n)


@argtype("hexbuf")
def t_hexbuf(c, v, n):
    return c.buffer(c.ulong(v), n, hexstyle=True)


@argtype("iovec")
def t_iovec(c, v, count, total=None):
    """[{iov_base="...", iov_len=N}, ...]; total (readv: the result) bounds
    how much of the data is shown."""
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    size = 16 if c.bits == 64 else 8
    fmt = "<QQ" if c.bits == 64 else "<II"
    out = []
    left = total
    for i in range(count):
        if i >= MAX_ARRAY:
            out.append("...")
            break
        e = c.unpack(fmt, addr + i * size)
        if e is None:
            if not out:
                return ptr(addr)
            out.append("... /* %s */" % ptr(addr + i * size))
            break
        base, length = e
        shown = length if left is None else max(0, min(length, left))
        if left is not None:
            left -= shown
        out.append("{iov_base=%s, iov_len=%d}" % (c.buffer(base, shown) if base or shown
                                                   else "NULL", length))
    return "[" + ", ".join(out) + "]"


@argtype("fds2")
def t_fds2(c, v):
    """pipe's int[2]."""
    r = c.unpack("<ii", c.ulong(v))
    return ptr(c.ulong(v)) if r is None else "[%d, %d]" % r


@argtype("dirents", "dirents64")
def t_dirents(c, v, n=0):
    """getdents: the buffer's address and how many entries the call put
    there (strace without -v)."""
    addr = c.ulong(v)
    data = c.read(addr, n) if n > 0 else b""
    if data is None:
        return ptr(addr)
    count = pos = 0
    reclen_at = 16 if c.spec.name == "getdents64" else 2 * (c.bits // 8)
    while pos + reclen_at + 2 <= len(data):
        reclen = struct.unpack_from("<H", data, pos + reclen_at)[0]
        if reclen == 0:
            break
        count += 1
        pos += reclen
    return "%s /* %d entries */" % (ptr(addr), count)


# -- struct stat, statx ------------------------------------------------------------------------------

def _stat_text(mode, size, rdev):
    if mode & xlat.S_IFMT in (0o20000, 0o60000):
        return "{st_mode=%s, st_rdev=makedev(%#x, %#x), ...}" % (
            xlat.file_mode(mode), _major(rdev), _minor(rdev))
    return "{st_mode=%s, st_size=%d, ...}" % (xlat.file_mode(mode), size)


def _major(dev):
    return ((dev >> 8) & 0xFFF) | ((dev >> 32) & ~0xFFF)


def _minor(dev):
    return (dev & 0xFF) | ((dev >> 12) & ~0xFF)


@argtype("stat")
def t_stat(c, v):
    """struct stat: the x86_64 one, or i386's old 32-bit one."""
    addr = c.ulong(v)
    if c.bits == 64:
        r = c.unpack("<QQQIII4xQq", addr)
        if r is None:
            return ptr(addr)
        return _stat_text(r[3], r[7], r[6])
    r = c.unpack("<IIHHHHII", addr)
    if r is None:
        return ptr(addr)
    return _stat_text(r[2], r[7], r[6])


@argtype("stat64")
def t_stat64(c, v):
    """i386's struct stat64 (packed)."""
    addr = c.ulong(v)
    data = c.read(addr, 96)
    if data is None:
        return ptr(addr)
    mode = struct.unpack_from("<I", data, 16)[0]
    rdev = struct.unpack_from("<Q", data, 32)[0]
    size = struct.unpack_from("<q", data, 44)[0]
    return _stat_text(mode, size, rdev)


STATX_MASK = ((0x7FF, "STATX_BASIC_STATS"), (0x1, "STATX_TYPE"), (0x2, "STATX_MODE"),
              (0x4, "STATX_NLINK"), (0x8, "STATX_UID"), (0x10, "STATX_GID"),
              (0x20, "STATX_ATIME"), (0x40, "STATX_MTIME"), (0x80, "STATX_CTIME"),
              (0x100, "STATX_INO"), (0x200, "STATX_SIZE"), (0x400, "STATX_BLOCKS"),
              (0x800, "STATX_BTIME"), (0x1000, "STATX_MNT_ID"), (0x2000, "STATX_DIOALIGN"))
STATX_FLAGS = ((0x100, "AT_SYMLINK_NOFOLLOW"), (0x800, "AT_NO_AUTOMOUNT"),
               (0x1000, "AT_EMPTY_PATH"), (0x2000, "AT_STATX_FORCE_SYNC"),
               (0x4000, "AT_STATX_DONT_SYNC"))


@argtype("statxflags")
def t_statxflags(c, v):
    v &= 0xFFFFFFFF
    s = "AT_STATX_SYNC_AS_STAT" if not v & 0x6000 else ""
    rest = xlat.flags(STATX_FLAGS, v) if v else ""
    return "|".join(x for x in (s, rest) if x)


@argtype("statxmask")
def t_statxmask(c, v):
    return xlat.flags(STATX_MASK, v & 0xFFFFFFFF)


@argtype("statx")
def t_statx(c, v):
    addr = c.ulong(v)
    data = c.read(addr, 256)
    if data is None:
        return ptr(addr)
    mask, _blksize, attrs = struct.unpack_from("<IIQ", data, 0)
    mode = struct.unpack_from("<H", data, 28)[0]
    size = struct.unpack_from("<Q", data, 40)[0]
    return "{stx_mask=%s, stx_attributes=%s, stx_mode=%s, stx_size=%d, ...}" % (
        xlat.flags(STATX_MASK, mask), "%#x" % attrs if attrs else "0",
        xlat.file_mode(mode), size)


# -- memory -----------------------------------------------------------------------------------------

@argtype("prot")
def t_prot(c, v):
    return xlat.flags(xlat.PROT_FLAGS, v & 0xFFFFFFFF, zero="PROT_NONE")


@argtype("mapflags")
def t_mapflags(c, v):
    return xlat.mmap_flags(v & 0xFFFFFFFF)


@argtype("pgoff")
def t_pgoff(c, v):
    """mmap2's offset, in pages: strace shows it in bytes."""
    return "%#x" % ((v & 0xFFFFFFFF) * 4096) if v else "0"


@argtype("mapoff")
def t_mapoff(c, v):
    v = c.ulong(v)
    return "%#x" % v if v else "0"


@argtype("mremapflags")
def t_mremapflags(c, v):
    return xlat.flags(xlat.MREMAP_FLAGS, v & 0xFFFFFFFF)


@argtype("mremapaddr")
def t_mremapaddr(c, v, fl):
    """The new address: only with MREMAP_FIXED."""
    return ptr(c.ulong(v)) if fl & 2 else None


@argtype("madvice")
def t_madvice(c, v):
    return xlat.xlat(xlat.MADVISE, v & 0xFFFFFFFF)


# -- time ----------------------------------------------------------------------------------------------

def _timespec(c, addr, fmt, sub="tv_nsec"):
    if not addr:
        return "NULL"
    r = c.unpack(fmt, addr)
    if r is None:
        return ptr(addr)
    return "{tv_sec=%d, %s=%d}" % (r[0], sub, r[1])


@argtype("timespec")
def t_timespec(c, v):
    return _timespec(c, c.ulong(v), "<qq" if c.bits == 64 else "<ii")


@argtype("timespec64")
def t_timespec64(c, v):
    return _timespec(c, c.ulong(v), "<qq")


@argtype("rem", "rem64")
def t_rem(c, v):
    """nanosleep's remaining time: written only when a signal cut the
    sleep short."""
    if not c.failed:
        return ptr(c.ulong(v))
    return _timespec(c, c.ulong(v), "<qq" if c.bits == 64 or c.spec.name.endswith("64")
                     else "<ii")


@argtype("timeval")
def t_timeval(c, v):
    return _timespec(c, c.ulong(v), "<qq" if c.bits == 64 else "<ii", "tv_usec")


@argtype("itimerval")
def t_itimerval(c, v):
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    r = c.unpack("<qqqq" if c.bits == 64 else "<iiii", addr)
    if r is None:
        return ptr(addr)
    return "{it_interval={tv_sec=%d, tv_usec=%d}, it_value={tv_sec=%d, tv_usec=%d}}" % r


@argtype("itimerspec", "itimerspec64")
def t_itimerspec(c, v):
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    r = c.unpack("<qqqq" if c.bits == 64 else "<iiii", addr)
    if r is None:
        return ptr(addr)
    return "{it_interval={tv_sec=%d, tv_nsec=%d}, it_value={tv_sec=%d, tv_nsec=%d}}" % r


@argtype("clockid")
def t_clockid(c, v):
    return xlat.xlat(xlat.CLOCKS, v & 0xFFFFFFFF)


@argtype("timerflags")
def t_timerflags(c, v):
    return xlat.flags(xlat.TIMER_FLAGS, v & 0xFFFFFFFF)


@argtype("itimer")
def t_itimer(c, v):
    return xlat.xlat(xlat.ITIMERS, v & 0xFFFFFFFF)


# -- signals ------------------------------------------------------------------------------------------

@argtype("sig")
def t_sig(c, v):
    v = int(t_int(c, v))
    return xlat.signame(v) if 0 < v <= 64 else str(v)


@argtype("sigset")
def t_sigset(c, v, size=8):
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    size = min(max(size, 0), 8)
    data = c.read(addr, size)
    if data is None or size == 0:
        return ptr(addr)
    return xlat.sigset(int.from_bytes(data, "little"), size * 8)


@argtype("sighow")
def t_sighow(c, v):
    return xlat.xlat(xlat.SIG_HOW, v & 0xFFFFFFFF)


def _handler(h):
    return {0: "SIG_DFL", 1: "SIG_IGN"}.get(h, "%#x" % h)


@argtype("sigaction")
def t_sigaction(c, v):
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    r = c.unpack("<QQQQ" if c.bits == 64 else "<IIIQ", addr)
    if r is None:
        return ptr(addr)
    handler, fl, restorer, mask = r
    fl &= 0xFFFFFFFF
    s = "{sa_handler=%s, sa_mask=%s, sa_flags=%s" % (
        _handler(handler), xlat.sigset(mask), xlat.flags(xlat.SA_FLAGS, fl))
    if fl & 0x04000000:
        s += ", sa_restorer=%s" % ptr(restorer)
    return s + "}"


@argtype("stack_t")
def t_stack_t(c, v):
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    r = c.unpack("<Qi4xQ" if c.bits == 64 else "<IiI", addr)
    if r is None:
        return ptr(addr)
    return "{ss_sp=%s, ss_flags=%s, ss_size=%d}" % (
        ptr(r[0]), xlat.flags(xlat.SS_FLAGS, r[1] & 0xFFFFFFFF), r[2])


@argtype("siginfo")
def t_siginfo(c, v):
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    data = c.read(addr, 128)
    if data is None:
        return ptr(addr)
    return siginfo_from_bytes(data, c.bits)


def siginfo_from_bytes(data, bits):
    signo, err, code = struct.unpack_from("<iii", data, 0)
    off = 16 if bits == 64 else 12
    info = SigInfo(signo, code)
    info.errno = err
    if code == -2:                                          # SI_TIMER
        info.timerid, info.overrun = struct.unpack_from("<ii", data, off)
        info.value = struct.unpack_from(c_ptr(bits), data, off + 8)[0]
    elif 0 < code < 0x80 and signo == 17:
        info.pid, info.uid, info.status = struct.unpack_from("<iIi", data, off)
    elif 0 < code < 0x80 and signo in (4, 5, 7, 8, 11):
        info.addr = struct.unpack_from(c_ptr(bits), data, off)[0]
    else:
        info.pid, info.uid = struct.unpack_from("<iI", data, off)
        info.value = struct.unpack_from(c_ptr(bits), data, off + 8)[0]
    return siginfo_text(info)


def c_ptr(bits):
    return "<Q" if bits == 64 else "<I"


def siginfo_text(info):
    """{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, ...} as strace shows
    a signal (kernel.signal.SigInfo)."""
    sig, code = info.signo, info.code
    parts = ["si_signo=" + xlat.signame(sig)]
    if info.errno:
        parts.append("si_errno=%s" % xlat.errno_name(info.errno))
    if 0 < code < 0x80 and sig in xlat.SI_CODES_BY_SIGNAL:
        parts.append("si_code=" + xlat.xlat(xlat.SI_CODES_BY_SIGNAL[sig], code))
    else:
        parts.append("si_code=" + xlat.xlat(xlat.SI_CODES, code))
    if code == 0x80:                                        # SI_KERNEL
        pass
    elif code == -2:                                        # SI_TIMER
        parts.append("si_timerid=%#x" % info.timerid if info.timerid else "si_timerid=0")
        parts.append("si_overrun=%d" % info.overrun)
        parts.append("si_int=%d" % s32(info.value))
        parts.append("si_ptr=%s" % ptr(info.value))
    elif code <= 0:
        parts.append("si_pid=%d" % info.pid)
        parts.append("si_uid=%d" % info.uid)
        if code in (-1, -4, -3):                            # SI_QUEUE, SI_MESGQ, SI_ASYNCIO
            parts.append("si_int=%d" % s32(info.value))
            parts.append("si_ptr=%s" % ptr(info.value))
    elif sig == 17:
        parts.append("si_pid=%d" % info.pid)
        parts.append("si_uid=%d" % info.uid)
        if code in (1,):
            parts.append("si_status=%d" % info.status)
        else:
            parts.append("si_status=%s" % xlat.signame(info.status))
        parts.append("si_utime=" + clock_t(info.utime))
        parts.append("si_stime=" + clock_t(info.stime))
    elif sig in (4, 5, 7, 8, 11):
        parts.append("si_addr=%s" % ptr(info.addr))
    elif sig == 29:
        parts.append("si_band=%d" % info.band)
        parts.append("si_fd=%d" % info.fd)
    return "{" + ", ".join(parts) + "}"


CLK_TCK = 100


def clock_t(v):
    """Clock ticks, with the seconds in a comment when not 0: 1 /* 0.01 s */."""
    v = int(v)
    if v <= 0:
        return str(v)
    return "%d /* %d.%02d s */" % (v, v // CLK_TCK, v % CLK_TCK)


# -- processes -------------------------------------------------------------------------------------------

@argtype("wstatus")
def t_wstatus(c, v):
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    if c.failed or not c.ret:
        return ptr(addr)
    r = c.unpack("<i", addr)
    if r is None:
        return ptr(addr)
    return "[%s]" % wait_status(r[0])


def wait_status(st):
    if st & 0x7F == 0:
        return "{WIFEXITED(s) && WEXITSTATUS(s) == %d}" % ((st >> 8) & 0xFF)
    if st & 0xFF == 0x7F:
        return "{WIFSTOPPED(s) && WSTOPSIG(s) == %s}" % xlat.signame((st >> 8) & 0xFF)
    if st == 0xFFFF:
        return "{WIFCONTINUED(s)}"
    s = "{WIFSIGNALED(s) && WTERMSIG(s) == %s" % xlat.signame(st & 0x7F)
    return s + (" && WCOREDUMP(s)}" if st & 0x80 else "}")


@argtype("waitopts")
def t_waitopts(c, v):
    return xlat.flags(xlat.WAIT_OPTIONS, v & 0xFFFFFFFF)


@argtype("rusage")
def t_rusage(c, v):
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    if c.failed:
        return ptr(addr)
    r = c.unpack("<qqqq" if c.bits == 64 else "<iiii", addr)
    if r is None:
        return ptr(addr)
    return "{ru_utime={tv_sec=%d, tv_usec=%d}, ru_stime={tv_sec=%d, tv_usec=%d}, ...}" % r


@argtype("argv")
def t_argv(c, v):
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    psize = c.bits // 8
    out = []
    for i in range(MAX_ARRAY + 1):
        p = c.unpack(c.ptr_fmt(), addr + i * psize)
        if p is None:
            return ptr(addr) if not out else "[" + ", ".join(out) + ", ...]"
        if not p[0]:
            break
        if i == MAX_ARRAY:
            out.append("...")
            break
        out.append(c.string(p[0]))
    return "[" + ", ".join(out) + "]"


@argtype("envp")
def t_envp(c, v):
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    psize = c.bits // 8
    n = 0
    while n < 4096:
        p = c.unpack(c.ptr_fmt(), addr + n * psize)
        if p is None:
            return ptr(addr)
        if not p[0]:
            break
        n += 1
    return "%#x /* %d var%s */" % (addr, n, "" if n == 1 else "s")


@argtype("rlimres")
def t_rlimres(c, v):
    return xlat.xlat(xlat.RLIMITS, v & 0xFFFFFFFF)


def _rlim(v, inf, inf_name):
    if v == inf:
        return inf_name
    if v and v % 1024 == 0:
        return "%d*1024" % (v // 1024)
    return str(v)


@argtype("rlimit")
def t_rlimit(c, v):
    """struct rlimit of the caller's word size (getrlimit, setrlimit)."""
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    fmt, inf = ("<QQ", (1 << 64) - 1) if c.bits == 64 else ("<II", 0xFFFFFFFF)
    r = c.unpack(fmt, addr)
    if r is None:
        return ptr(addr)
    return "{rlim_cur=%s, rlim_max=%s}" % (_rlim(r[0], inf, "RLIM_INFINITY"),
                                           _rlim(r[1], inf, "RLIM_INFINITY"))


@argtype("rlimit64")
def t_rlimit64(c, v):
    """prlimit64's struct rlimit64."""
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    r = c.unpack("<QQ", addr)
    if r is None:
        return ptr(addr)
    inf = (1 << 64) - 1
    return "{rlim_cur=%s, rlim_max=%s}" % (_rlim(r[0], inf, "RLIM64_INFINITY"),
                                           _rlim(r[1], inf, "RLIM64_INFINITY"))


@argtype("archprctl")
def t_archprctl(c, v):
    return xlat.xlat(xlat.ARCH_PRCTL, v & 0xFFFFFFFF, "%#x" % (v & 0xFFFFFFFF))


@argtype("prctl")
def t_prctl(c, v):
    return xlat.xlat(xlat.PRCTL, v & 0xFFFFFFFF)


@argtype("futexop")
def t_futexop(c, v):
    return xlat.futex_op(v & 0xFFFFFFFF)


@argtype("grndflags")
def t_grndflags(c, v):
    return xlat.flags(xlat.GRND_FLAGS, v & 0xFFFFFFFF)


@argtype("syslogaction")
def t_syslogaction(c, v):
    return xlat.xlat(xlat.SYSLOG_ACTIONS, v & 0xFFFFFFFF)


@argtype("rebootmagic")
def t_rebootmagic(c, v):
    return {0xFEE1DEAD: "LINUX_REBOOT_MAGIC1"}.get(v & 0xFFFFFFFF, "%#x" % (v & 0xFFFFFFFF))


@argtype("rebootmagic2")
def t_rebootmagic2(c, v):
    return {672274793: "LINUX_REBOOT_MAGIC2", 85072278: "LINUX_REBOOT_MAGIC2A",
            369367448: "LINUX_REBOOT_MAGIC2B", 537993216: "LINUX_REBOOT_MAGIC2C"}.get(
        v & 0xFFFFFFFF, "%#x" % (v & 0xFFFFFFFF))


@argtype("rebootcmd")
def t_rebootcmd(c, v):
    return xlat.xlat(xlat.REBOOT_CMDS, v & 0xFFFFFFFF, "%#x" % (v & 0xFFFFFFFF))


@argtype("uname")
def t_uname(c, v):
    addr = c.ulong(v)
    data = c.read(addr, 65 * 2)
    if data is None:
        return ptr(addr)
    f = [data[i * 65:(i + 1) * 65].split(b"\0")[0] for i in range(2)]
    return "{sysname=%s, nodename=%s, ...}" % (quote(f[0]), quote(f[1]))


# -- System V IPC ---------------------------------------------------------------------------------

@argtype("ipckey")
def t_ipckey(c, v):
    v &= 0xFFFFFFFF
    return "IPC_PRIVATE" if v == 0 else hexc(v)


@argtype("ipcflags")
def t_ipcflags(c, v):
    """IPC_CREAT|0600: the flags, then the permission bits."""
    v &= 0xFFFFFFFF
    fl = xlat.flags(xlat.IPC_FLAGS, v & ~0o777) if v & ~0o777 else ""
    mode = octal(v & 0o777)
    return fl + "|" + mode if fl else mode


def _ipc_cmd(table, v):
    v &= 0xFFFFFFFF
    name = xlat.xlat(table, v & ~0x100, hexc(v & ~0x100))
    return "IPC_64|" + name if v & 0x100 else name


@argtype("shmcmd")
def t_shmcmd(c, v):
    return _ipc_cmd(xlat.IPC_CMDS, v)


@argtype("semcmd")
def t_semcmd(c, v):
    return _ipc_cmd(xlat.SEM_CMDS, v)


@argtype("msgcmd")
def t_msgcmd(c, v):
    return _ipc_cmd(xlat.MSG_CMDS, v)


@argtype("shmatflags")
def t_shmatflags(c, v):
    return xlat.flags(xlat.SHMAT_FLAGS, v & 0xFFFFFFFF)


@argtype("msgrcvflags")
def t_msgrcvflags(c, v):
    return xlat.flags(xlat.MSGRCV_FLAGS, v & 0xFFFFFFFF)


@argtype("sembufs")
def t_sembufs(c, v, n):
    addr = c.ulong(v)
    out = []
    for i in range(min(max(n, 0), MAX_ARRAY)):
        r = c.unpack("<Hhh", addr + 6 * i)
        if r is None:
            return ptr(addr)
        out.append("{sem_num=%d, sem_op=%d, sem_flg=%s}" % (
            r[0], r[1], xlat.flags(xlat.SEM_FLAGS, r[2] & 0xFFFF)))
    if n > MAX_ARRAY:
        out.append("...")
    return "[" + ", ".join(out) + "]"


@argtype("msgbuf")
def t_msgbuf(c, v, n):
    """{mtype=1, mtext="..."}: n bytes of text (msgsnd's size, msgrcv's result)."""
    addr = c.ulong(v)
    r = c.unpack("<q" if c.bits == 64 else "<i", addr)
    if r is None:
        return ptr(addr)
    return "{mtype=%d, mtext=%s}" % (r[0], c.buffer(addr + c.bits // 8, n))


@argtype("semunptr")
def t_semunptr(c, v):
    """ipc(SEMCTL)'s argument: a pointer to the union semun."""
    addr = c.ulong(v)
    r = c.unpack("<I", addr) if addr else None
    return ptr(addr) if r is None else "[%s]" % ptr(r[0])


@argtype("kludge")
def t_kludge(c, v, n):
    """ipc(MSGRCV)'s struct ipc_kludge {msgp, msgtyp}: the message."""
    r = c.unpack("<Ii", c.ulong(v))
    return ptr(c.ulong(v)) if r is None else t_msgbuf(c, r[0], n)


@argtype("kludgetype")
def t_kludgetype(c, v):
    if c.failed:
        return None
    r = c.unpack("<Ii", c.ulong(v))
    return None if r is None else str(r[1])


# -- sockets ----------------------------------------------------------------------------------------------

@argtype("family")
def t_family(c, v):
    return xlat.xlat(xlat.ADDRESS_FAMILIES, v & 0xFFFFFFFF)


@argtype("socktype")
def t_socktype(c, v):
    return xlat.sock_type(v & 0xFFFFFFFF)


@argtype("sockproto")
def t_sockproto(c, v):
    fam = c.args[0] & 0xFFFFFFFF
    if fam in (2, 10):
        return xlat.xlat(xlat.IP_PROTOCOLS, v & 0xFFFFFFFF)
    return t_int(c, v)


@argtype("msgflags")
def t_msgflags(c, v):
    return xlat.flags(xlat.MSG_FLAGS, v & 0xFFFFFFFF)


@argtype("shuthow")
def t_shuthow(c, v):
    return xlat.xlat(xlat.SHUT_HOW, v & 0xFFFFFFFF)


@argtype("sollevel")
def t_sollevel(c, v):
    return xlat.xlat(xlat.SOCKOPT_LEVELS, v & 0xFFFFFFFF)


@argtype("sockopt")
def t_sockopt(c, v):
    if c.args[1] & 0xFFFFFFFF == 1:
        return xlat.xlat(xlat.SO_OPTIONS, v & 0xFFFFFFFF)
    return t_int(c, v)


def sockaddr_text(data):
    if len(data) < 2:
        return "{sa_family=???}"
    fam = struct.unpack_from("<H", data)[0]
    name = xlat.xlat(xlat.ADDRESS_FAMILIES, fam)
    if fam == 1:
        path = data[2:]
        if not path:
            return "{sa_family=AF_UNIX}"
        if path[0] == 0:
            return "{sa_family=AF_UNIX, sun_path=@%s}" % quote(path[1:])
        return "{sa_family=AF_UNIX, sun_path=%s}" % quote(path.split(b"\0")[0])
    if fam == 2 and len(data) >= 8:
        port = struct.unpack_from(">H", data, 2)[0]
        addr = socket.inet_ntoa(data[4:8])
        return "{sa_family=AF_INET, sin_port=htons(%d), sin_addr=inet_addr(\"%s\")}" % (port, addr)
    if fam == 10 and len(data) >= 24:
        port, flow = struct.unpack_from(">HI", data, 2)
        addr = socket.inet_ntop(socket.AF_INET6, data[8:24])
        scope = struct.unpack_from("<I", data, 24)[0] if len(data) >= 28 else 0
        return ("{sa_family=AF_INET6, sin6_port=htons(%d), sin6_flowinfo=htonl(%d), "
                "inet_pton(AF_INET6, \"%s\", &sin6_addr), sin6_scope_id=%d}"
                % (port, flow, addr, scope))
    return "{sa_family=%s, sa_data=%s}" % (name, quote(data[2:]))


@argtype("sockaddr")
def t_sockaddr(c, v, n):
    """A struct sockaddr of n bytes (an input: bind, connect, sendto)."""
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    data = c.read(addr, max(0, min(n, 128)))
    if data is None or n <= 0:
        return ptr(addr)
    return sockaddr_text(data)


@argtype("sockaddr_out")
def t_sockaddr_out(c, v, lenptr):
    """An output sockaddr whose length is *lenptr after the call."""
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    if c.failed:
        return ptr(addr)
    n = c.unpack("<i", c.ulong(lenptr))
    if n is None:
        return ptr(addr)
    data = c.read(addr, max(0, min(n[0], 128)))
    return ptr(addr) if data is None else sockaddr_text(data)


@argtype("socklen_io")
def t_socklen_io(c, v):
    """[in => out], or [out] when the call left it as it was."""
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    before = c.saved.get(("socklen", addr))
    after = c.unpack("<i", addr)
    if after is None:
        return ptr(addr)
    if c.failed or before is None or before == after[0]:
        return "[%d]" % (after[0] if not c.failed or before is None else before)
    return "[%d => %d]" % (before, after[0])


def socklen_enter(c, v):
    addr = c.ulong(v)
    r = c.unpack("<i", addr) if addr else None
    if r is not None:
        c.saved[("socklen", addr)] = r[0]


@argtype("sv2")
def t_sv2(c, v):
    return t_fds2(c, v)


# -- polling and events ------------------------------------------------------------------------------------

@argtype("pollfds")
def t_pollfds(c, v, n):
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    out = []
    for i in range(min(n, MAX_ARRAY)):
        r = c.unpack("<ihh", addr + 8 * i)
        if r is None:
            return ptr(addr)
        fd, ev, _ = r
        out.append("{fd=%d, events=%s}" % (fd, xlat.flags(xlat.POLL_EVENTS, ev & 0xFFFF)))
    if n > MAX_ARRAY:
        out.append("...")
    return "[" + ", ".join(out) + "]"


def poll_result(c):
    """poll's result: 0 (Timeout) or 1 ([{fd=3, revents=POLLIN}])."""
    if c.ret == 0:
        return " (Timeout)"
    addr = c.ulong(c.args[0])
    n = c.args[1] & 0xFFFFFFFF
    out = []
    for i in range(min(n, 1024)):
        r = c.unpack("<ihh", addr + 8 * i)
        if r is None:
            break
        fd, _, rev = r
        if rev:
            out.append("{fd=%d, revents=%s}" % (fd, xlat.flags(xlat.POLL_EVENTS, rev & 0xFFFF)))
    return " ([%s])" % ", ".join(out)


@argtype("epollctl")
def t_epollctl(c, v):
    return xlat.xlat(xlat.EPOLL_CTL, v & 0xFFFFFFFF)


@argtype("epollevent")
def t_epollevent(c, v):
    addr = c.ulong(v)
    if not addr:
        return "NULL"
    r = c.read(addr, 12)
    if r is None:
        return ptr(addr)
    ev, data = struct.unpack("<IQ", r)
    return "{events=%s, data={u32=%d, u64=%d}}" % (xlat.flags(xlat.EPOLL_EVENTS, ev),
                                                   data & 0xFFFFFFFF, data)


@argtype("efdflags")
def t_efdflags(c, v):
    return xlat.flags(xlat.EFD_FLAGS, v & 0xFFFFFFFF)


@argtype("epollflags")
def t_epollflags(c, v):
    return xlat.flags(xlat.EPOLL_CREATE_FLAGS, v & 0xFFFFFFFF)


@argtype("ioctlcmd")
def t_ioctlcmd(c, v):
    v &= 0xFFFFFFFF
    return xlat.xlat(xlat.IOCTLS, v, "%#x" % v)


@argtype("mountflags")
def t_mountflags(c, v):
    v &= 0xFFFFFFFF
    if v & 0xFFFF0000 == 0xC0ED0000:                    # MS_MGC_VAL, from old programs
        return "MS_MGC_VAL" + ("|" + xlat.flags(xlat.MOUNT_FLAGS, v & 0xFFFF) if v & 0xFFFF else "")
    return xlat.flags(xlat.MOUNT_FLAGS, v)


@argtype("umountflags")
def t_umountflags(c, v):
    return xlat.flags(xlat.UMOUNT_FLAGS, v & 0xFFFFFFFF)


@argtype("user_desc")
def t_user_desc(c, v):
    """i386's struct user_desc (set_thread_area, clone's tls)."""
    addr = c.ulong(v)
    r = c.unpack("<iIII", addr) if addr else None
    if r is None:
        return ptr(addr)
    entry, base, limit, bits = r
    return ("{entry_number=%d, base_addr=%#010x, limit=%#08x, seg_32bit=%d, contents=%d, "
            "read_exec_only=%d, limit_in_pages=%d, seg_not_present=%d, useable=%d}" % (
                entry, base, limit, bits & 1, (bits >> 1) & 3, (bits >> 3) & 1,
                (bits >> 4) & 1, (bits >> 5) & 1, (bits >> 6) & 1))


# -- return values -----------------------------------------------------------------------------------------

def fcntl_result(c):
    cmd = c.args[1] & 0xFFFFFFFF
    if cmd == 3:                                    # F_GETFL
        return "%#x (flags %s)" % (c.ret, xlat.open_flags(c.ret))
    if cmd == 1:                                    # F_GETFD
        return "%#x (flags %s)" % (c.ret, xlat.flags(xlat.FD_FLAGS, c.ret)) if c.ret else "0"
    return str(c.ret)


def set_thread_area_result(c):
    r = c.unpack("<i", c.ulong(c.args[0]))
    return "%d (entry_number=%d)" % (c.ret, r[0]) if r is not None else str(c.ret)


def ipc_shmat_result(c):
    """ipc(SHMAT) returns 0 and leaves the address at *third."""
    r = c.unpack("<I", c.ulong(c.args[3]))
    return hexc(r[0]) if r is not None else str(c.ret)


RESULTS = {                 # kernel/trace/calls.py adds its own
    "ipc_shmat": ipc_shmat_result,
    "set_thread_area": set_thread_area_result,
    "int": lambda c: str(c.ret),
    "hex": lambda c: "%#x" % c.ulong(c.ret),
    "oct": lambda c: octal(c.ret),
    "poll": lambda c: str(c.ret) + poll_result(c),
    "fcntl": fcntl_result,
}


def octal(v):
    """C's %#03o (umask, modes): 022, 0644, 000."""
    return ("0%o" % v if v else "0").rjust(3, "0")


def hexc(v):
    """C's %#lx: 0 is "0", not "0x0"."""
    return "%#x" % v if v else "0"


@argtype("getcwdbuf")
def t_getcwdbuf(c, v, size):
    if c.failed:
        return ptr(c.ulong(v))
    return c.path(c.ulong(v), max(0, c.ret or 0))


@argtype("loff")
def t_loff(c, v):
    """_llseek's result, a loff_t the kernel wrote."""
    addr = c.ulong(v)
    r = None if c.failed else c.unpack("<q", addr)
    return ptr(addr) if r is None else "[%d]" % r[0]
