"""kernel/abi.py - the words of Linux's user ABI that every layer shares.

A system call's arguments reach a handler as the raw register values,
unsigned (kernel/syscall.py).  Where Linux's prototype says `int`, `long`
or `short`, the handler converts with s32/s64/s16 as the C compiler would
(an fd of 0xFFFFFFFF is -1); u32/u64 cut a value to the unsigned width.
Linux does this in SYSCALL_DEFINE's casts and the compat wrappers.

The signal numbers are x86's (include/uapi/asm-generic/signal.h), the
same for x86_64 and i386 guests and for the host.  kernel/signal.py
re-exports them with the rest of the signal code; this module imports
nothing, so that skas/, arch/ and drivers/ can name a signal without
pulling in the signal code.  Errno names are kernel/errno.py; the names
of numbers for printing (strace=, sysrq) are kernel/trace/xlat.py, whose
signal table is built from the names here.
"""

_M16, _M32, _M64 = (1 << 16) - 1, (1 << 32) - 1, (1 << 64) - 1


def s16(v):
    """A C short from a register."""
    v &= _M16
    return v - (1 << 16) if v & 0x8000 else v


def s32(v):
    """A C int (i386: also a long) from a register."""
    v &= _M32
    return v - (1 << 32) if v & 0x80000000 else v


def s64(v):
    """A C long (x86_64) or long long from a register."""
    v &= _M64
    return v - (1 << 64) if v & (1 << 63) else v


def slong(t, v):
    """A C long from task t's register: 32 bits wide in a 32-bit task."""
    return s32(v) if t.arch.BITS == 32 else s64(v)


def u32(v):
    return v & _M32


def u64(v):
    return v & _M64


# -- signal numbers ------------------------------------------------------------

SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE = range(1, 9)
SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM = range(9, 16)
SIGSTKFLT, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU = range(16, 23)
SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO = range(23, 30)
SIGPWR, SIGSYS = 30, 31
SIGIOT, SIGPOLL = SIGABRT, SIGIO            # other names for the same numbers
SIGRTMIN = 32

# the resource limits (getrlimit(2)): each one's index in signal.rlim
(RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_RSS,
 RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_AS, RLIMIT_LOCKS,
 RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_RTPRIO, RLIMIT_RTTIME) = range(16)
_NSIG = 64

# number -> name, for the first 31 (their canonical names only)
SIGNAL_NAMES = {v: k for k, v in dict(globals()).items()
                if k.startswith("SIG") and isinstance(v, int) and 0 < v < SIGRTMIN
                and k not in ("SIGIOT", "SIGPOLL")}
