"""skas/ptrace.py - the host ptrace(2) calls the kernel makes on its guests.

python-ptrace gives us the register layout (user_regs_struct) and the C
library handle; its high-level PtraceProcess re-reads all registers on every
access, which would double the cost of a system call, so the hot calls here go
straight to libc.ptrace with preallocated ctypes buffers.  Requests
python-ptrace does not name (SYSEMU, GET_SYSCALL_INFO, the regsets) are plain
numbers from <linux/ptrace.h> and <elf.h>.

Every ptrace stop costs ~10-20 us on these machines (PLATFORM.md): callers
should count the calls they make.
"""

import ctypes
import os
from ctypes import c_long, c_ulong, get_errno

from ptrace.binding.func import ptrace_registers_t as user_regs_struct  # noqa: F401 (re-exported)
from ptrace.ctypes_libc import libc

PTRACE_TRACEME = 0
PTRACE_PEEKUSER = 3
PTRACE_POKEUSER = 6
PTRACE_CONT = 7
PTRACE_KILL = 8
PTRACE_SINGLESTEP = 9
PTRACE_GETREGS = 12
PTRACE_SETREGS = 13
PTRACE_GETFPREGS = 14
PTRACE_SETFPREGS = 15
PTRACE_SYSCALL = 24
PTRACE_GET_THREAD_AREA = 25
PTRACE_SET_THREAD_AREA = 26
PTRACE_SYSEMU = 31
PTRACE_SYSEMU_SINGLESTEP = 32
PTRACE_SETOPTIONS = 0x4200
PTRACE_GETEVENTMSG = 0x4201
PTRACE_GETSIGINFO = 0x4202
PTRACE_GETREGSET = 0x4204
PTRACE_SETREGSET = 0x4205
PTRACE_GET_SYSCALL_INFO = 0x420E

PTRACE_O_TRACESYSGOOD = 0x1
PTRACE_O_TRACEFORK = 0x2
PTRACE_O_EXITKILL = 0x100000

PTRACE_EVENT_FORK = 1

NT_PRSTATUS = 1
NT_PRFPREG = 2
NT_X86_XSTATE = 0x202

__WALL = 0x40000000

_ptrace = libc.ptrace
_ptrace.argtypes = (c_long, c_long, c_ulong, c_ulong)
_ptrace.restype = c_long


class PtraceError(OSError):
    pass


def ptrace(request, pid, addr=0, data=0):
    """One ptrace call; raises PtraceError on failure."""
    ret = _ptrace(request, pid, addr, data)
    if ret == -1:
        err = get_errno()
        if err:
            raise PtraceError(err, "ptrace(%#x, %d): %s" % (request, pid, os.strerror(err)))
    return ret


def traceme():
    ctypes.set_errno(0)
    if _ptrace(PTRACE_TRACEME, 0, 0, 0) == -1:
        os._exit(127)


def getregs(pid, regs):
    if _ptrace(PTRACE_GETREGS, pid, 0, ctypes.addressof(regs)) == -1:
        raise PtraceError(get_errno(), "PTRACE_GETREGS(%d)" % pid)


def setregs(pid, regs):
    if _ptrace(PTRACE_SETREGS, pid, 0, ctypes.addressof(regs)) == -1:
        raise PtraceError(get_errno(), "PTRACE_SETREGS(%d)" % pid)


def getregs_at(pid, addr):
    """GETREGS into the struct at addr (task.regs_addr: no addressof call)."""
    if _ptrace(PTRACE_GETREGS, pid, 0, addr) == -1:
        raise PtraceError(get_errno(), "PTRACE_GETREGS(%d)" % pid)


def setregs_at(pid, addr):
    if _ptrace(PTRACE_SETREGS, pid, 0, addr) == -1:
        raise PtraceError(get_errno(), "PTRACE_SETREGS(%d)" % pid)


def resume(request, pid, sig=0):
    """PTRACE_CONT / PTRACE_SYSEMU / PTRACE_SYSCALL, delivering sig."""
    if _ptrace(request, pid, 0, sig) == -1:
        raise PtraceError(get_errno(), "ptrace resume %d(%d)" % (request, pid))


def setoptions(pid, options):
    ptrace(PTRACE_SETOPTIONS, pid, 0, options)


def geteventmsg(pid):
    msg = c_ulong(0)
    ptrace(PTRACE_GETEVENTMSG, pid, 0, ctypes.addressof(msg))
    return msg.value


class siginfo_t(ctypes.Structure):
    """The head of struct siginfo as the host reports it (128 bytes)."""
    _fields_ = [("si_signo", ctypes.c_int), ("si_errno", ctypes.c_int),
                ("si_code", ctypes.c_int), ("_pad0", ctypes.c_int),
                ("si_addr", c_ulong),           # also si_pid/si_uid
                ("_rest", ctypes.c_char * 104)]


def siginfo_syscall(info):
    """si_syscall of a SIGSYS siginfo (the int after si_call_addr)."""
    raw = ctypes.string_at(ctypes.addressof(info) + 24, 4)
    return int.from_bytes(raw, "little", signed=True)


def getsiginfo(pid, info=None):
    info = info or siginfo_t()
    ptrace(PTRACE_GETSIGINFO, pid, 0, ctypes.addressof(info))
    return info


class iovec(ctypes.Structure):
    _fields_ = [("iov_base", c_ulong), ("iov_len", c_ulong)]


def getregset(pid, note, buf):
    """Read a register set into buf (a ctypes buffer); returns its length."""
    iov = iovec(ctypes.addressof(buf), ctypes.sizeof(buf))
    ptrace(PTRACE_GETREGSET, pid, note, ctypes.addressof(iov))
    return iov.iov_len


def setregset(pid, note, buf, length=None):
    iov = iovec(ctypes.addressof(buf), ctypes.sizeof(buf) if length is None else length)
    ptrace(PTRACE_SETREGSET, pid, note, ctypes.addressof(iov))


def set_thread_area(pid, idx, desc):
    """Write one of the host thread's GDT TLS entries (i386 TLS); desc is a
    16-byte struct user_desc."""
    buf = ctypes.create_string_buffer(bytes(desc), 16)
    ptrace(PTRACE_SET_THREAD_AREA, pid, idx, ctypes.addressof(buf))


def get_thread_area(pid, idx):
    buf = ctypes.create_string_buffer(16)
    ptrace(PTRACE_GET_THREAD_AREA, pid, idx, ctypes.addressof(buf))
    return buf.raw


class ptrace_syscall_info(ctypes.Structure):
    _fields_ = [("op", ctypes.c_uint8), ("_pad", ctypes.c_uint8 * 3),
                ("arch", ctypes.c_uint32), ("instruction_pointer", ctypes.c_uint64),
                ("stack_pointer", ctypes.c_uint64), ("nr", ctypes.c_uint64),
                ("args", ctypes.c_uint64 * 6), ("_more", ctypes.c_uint64 * 2)]


AUDIT_ARCH_X86_64 = 0xC000003E
AUDIT_ARCH_I386 = 0x40000003


def get_syscall_info(pid):
    info = ptrace_syscall_info()
    ptrace(PTRACE_GET_SYSCALL_INFO, pid, ctypes.sizeof(info), ctypes.addressof(info))
    return info


# --- waiting ---------------------------------------------------------------

class Stats:
    """Counters for the `stats` boot option and bench/: ptrace stops are
    the cost of everything, so they are counted where they are waited for."""
    stops = 0
    syscalls = 0
    faults = 0
    vsyscalls = 0


def waitpid(pid):
    """Wait for a stop or death of one traced host process."""
    Stats.stops += 1
    return os.waitpid(pid, __WALL)[1]
