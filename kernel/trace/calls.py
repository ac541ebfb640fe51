"""kernel/trace/calls.py - the calls strace prints by their own code.

Most calls are a line of syscalls.py: a list of argument types.  A few
decide what their arguments mean from one of them - clone's flags,
futex's operation, ioctl's request, prctl's option - or show something
that is not an argument (sigreturn's mask, the call restart_syscall
resumes).  Each is a function here, registered with @custom("name") and
named in the table as `custom="name"`:

    @custom("futex")
    def futex(c, phase):        # phase: "entry" or "exit"
        ...                     # the text of the arguments printed then

Result formats that only these calls use are registered in
decode.RESULTS the same way (@result).
"""

import struct

from kernel.trace import strace, xlat
from kernel.trace.decode import (RESULTS, hexc, ptr, t_int, t_ioctlcmd, t_prctl, t_sig,
                                 t_timespec, t_timespec64, t_uint, t_ulong, t_user_desc)

CUSTOM = {}


def custom(name):
    def reg(fn):
        CUSTOM[name] = fn
        return fn
    return reg


def result(name):
    def reg(fn):
        RESULTS[name] = fn
        return fn
    return reg


# -- ioctl --------------------------------------------------------------------------------------

def termios_text(data):
    """struct termios, abbreviated as strace shows it."""
    iflag, oflag, cflag, lflag = struct.unpack_from("<IIII", data)
    odelay = [names[(oflag & mask) // (mask & -mask)] for mask, names in xlat.TERM_ODELAYS]
    oflags = xlat.flags(xlat.TERM_OFLAGS, oflag & 0o377) if oflag & 0o377 else ""
    base = cflag & 0o10017
    baud = (xlat.BAUDS_EX[base & 0o17] if base & 0o10000 else xlat.BAUDS[base])
    csize = "CS%d" % (5 + ((cflag >> 4) & 3))
    rest = cflag & ~(0o10017 | 0o60 | (0o10017 << 16))
    cflags = [baud, csize] + ([xlat.flags(xlat.TERM_CFLAGS, rest)] if rest else [])
    return "{c_iflag=%s, c_oflag=%s, c_cflag=%s, c_lflag=%s, ...}" % (
        xlat.flags(xlat.TERM_IFLAGS, iflag), "|".join(odelay + ([oflags] if oflags else [])),
        "|".join(cflags), xlat.flags(xlat.TERM_LFLAGS, lflag))


# ioctl requests whose argument is decoded: request -> (when, how)
_IOCTL_ARGS = {
    0x5401: ("exit", "termios"), 0x5402: ("entry", "termios"), 0x5403: ("entry", "termios"),
    0x5404: ("entry", "termios"), 0x5413: ("exit", "winsize"), 0x5414: ("entry", "winsize"),
    0x540F: ("exit", "int"), 0x5410: ("entry", "int"), 0x541B: ("exit", "int"),
    0x5429: ("exit", "int"), 0x5421: ("entry", "int"), 0x80045430: ("exit", "uint"),
    0x40045431: ("entry", "int"),
}


def _ioctl_arg(c, how, addr):
    if how == "termios":
        data = c.read(addr, 36)
        return ptr(addr) if data is None else termios_text(data)
    if how == "winsize":
        r = c.unpack("<HHHH", addr)
        return ptr(addr) if r is None else \
            "{ws_row=%d, ws_col=%d, ws_xpixel=%d, ws_ypixel=%d}" % r
    r = c.unpack("<i" if how == "int" else "<I", addr)
    return ptr(addr) if r is None else "[%d]" % r[0]


@custom("ioctl")
def ioctl(c, phase):
    """ioctl(fd, request, arg): the terminal requests' arguments decoded,
    a "get" one when the call returns."""
    fd, req, arg = c.args[0], c.args[1] & 0xFFFFFFFF, c.ulong(c.args[2])
    when, how = _IOCTL_ARGS.get(req, ("entry", None))
    if phase == "entry":
        head = "%s, %s" % (t_int(c, fd), t_ioctlcmd(c, req))
        if how is None:
            return head + ", " + hexc(arg) if req not in (0x5422, 0x5450, 0x5451) else head
        if when == "entry":
            return head + ", " + _ioctl_arg(c, how, arg)
        return head + ", "
    if how is None or when == "entry":
        return ""
    return ptr(arg) if c.failed else _ioctl_arg(c, how, arg)


# -- prctl ---------------------------------------------------------------------------------------

# prctl options: what follows the option, and when (strace prints only these)
_PRCTL = {
    1: "sig", 2: ">sigp", 3: "", 4: "int", 15: "str", 16: ">name", 36: "int", 37: ">intp",
    38: "int5", 39: "", 8: "int", 7: "", 23: "int",
}


@custom("prctl")
def prctl(c, phase):
    opt = c.args[0] & 0xFFFFFFFF
    kind = _PRCTL.get(opt)
    a1 = c.args[1]
    if kind is None:                                    # all five in hex
        if phase == "exit":
            return ""
        return ", ".join([t_prctl(c, opt)] + [hexc(c.ulong(x)) for x in c.args[1:5]])
    if phase == "entry":
        head = t_prctl(c, opt)
        if kind == "":
            return head
        if kind == "sig":
            return head + ", " + t_sig(c, a1)
        if kind in ("int", "int5"):
            s = head + ", " + t_ulong(c, a1)
            if kind == "int5":
                s += ", " + ", ".join(t_ulong(c, x) for x in c.args[2:5])
            return s
        if kind == "str":
            return head + ", " + c.string(c.ulong(a1))
        return head + ", "
    if kind.startswith(">"):
        if c.failed:
            return ptr(c.ulong(a1))
        if kind == ">name":
            return c.string(c.ulong(a1))
        r = c.unpack("<i", c.ulong(a1))
        return ptr(c.ulong(a1)) if r is None else "[%s]" % (
            xlat.signame(r[0]) if kind == ">sigp" and r[0] else r[0])
    return ""


@result("prctl")
def prctl_result(c):
    if c.args[0] & 0xFFFFFFFF == 3:                     # PR_GET_DUMPABLE
        return "%d (%s)" % (c.ret, xlat.xlat(xlat.DUMPABLE, c.ret))
    return str(c.ret)


# -- processes, futexes, signals --------------------------------------------------------------

def _clone_flags(v):
    sig = v & 0xFF
    s = xlat.flags(xlat.CLONE_FLAGS, v & ~0xFF) if v & ~0xFF else ""
    if sig:
        s = s + "|" + xlat.signame(sig) if s else xlat.signame(sig)
    return s or "0"


@custom("clone")
def clone(c, phase):
    """clone(flags, stack, parent_tid, child_tid, tls) on x86_64; i386
    passes tls before child_tid."""
    flags, stack, ptid = c.args[0], c.args[1], c.args[2]
    ctid, tls = (c.args[3], c.args[4]) if c.bits == 64 else (c.args[4], c.args[3])
    if phase == "entry":
        return "child_stack=%s, flags=%s" % (ptr(c.ulong(stack)), _clone_flags(flags))
    out = ""
    if flags & 0x100000:                                    # CLONE_PARENT_SETTID
        r = None if c.failed else c.unpack("<i", c.ulong(ptid))
        out += ", parent_tid=%s" % (ptr(c.ulong(ptid)) if r is None else "[%d]" % r[0])
    if flags & 0x80000:                                     # CLONE_SETTLS
        out += ", tls=%s" % (t_user_desc(c, tls) if c.bits == 32 else ptr(c.ulong(tls)))
    if flags & (0x1000000 | 0x200000):                      # CLONE_CHILD_SETTID|CLEARTID
        out += ", child_tidptr=%s" % ptr(c.ulong(ctid))
    return out


@custom("clone3")
def clone3(c, phase):
    addr, size = c.ulong(c.args[0]), c.ulong(c.args[1])
    if phase == "entry":
        r = c.unpack("<QQQQQQQQ", addr) if size >= 64 else None
        if r is None:
            c.saved["clone3"] = None
            return ptr(addr)
        fl, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls = r
        c.saved["clone3"] = (fl, parent_tid)
        parts = ["flags=%s" % (xlat.flags(xlat.CLONE_FLAGS, fl) if fl else "0")]
        if fl & 0x1000:
            parts.append("pidfd=%s" % ptr(pidfd))
        if fl & (0x1000000 | 0x200000):
            parts.append("child_tid=%s" % ptr(child_tid))
        if fl & 0x100000:
            parts.append("parent_tid=%s" % ptr(parent_tid))
        parts.append("exit_signal=%s" % (xlat.signame(exit_signal) if 0 < exit_signal <= 64
                                         else str(exit_signal)))
        parts.append("stack=%s" % ptr(stack))
        parts.append("stack_size=%s" % hexc(stack_size))
        if fl & 0x80000:
            parts.append("tls=%s" % (t_user_desc(c, tls) if c.bits == 32 else ptr(tls)))
        return "{" + ", ".join(parts) + "}"
    saved = c.saved.get("clone3")
    out = ""
    if saved and not c.failed and saved[0] & 0x100000:
        r = c.unpack("<i", saved[1])
        if r is not None:
            out = " => {parent_tid=[%d]}" % r[0]
    return out + ", %d" % size


@custom("futex")
def futex(c, phase):
    """futex(uaddr, op, val, timeout/val2, uaddr2, val3): which of them
    mean something depends on the operation."""
    if phase == "exit":
        return ""
    uaddr, op, val, tmo, uaddr2, val3 = (c.args + [0] * 6)[:6]
    cmd = op & 0x7F
    ts = t_timespec64 if c.name == "futex_time64" else t_timespec
    out = [ptr(c.ulong(uaddr)), xlat.futex_op(op & 0xFFFFFFFF)]
    v = t_int(c, val)
    if cmd in (0,):                                             # WAIT
        out += [v, ts(c, tmo)]
    elif cmd == 9:                                              # WAIT_BITSET
        out += [v, ts(c, tmo), _bitset(val3)]
    elif cmd in (1, 2):                                         # WAKE, FD
        out += [v]
    elif cmd == 10:                                             # WAKE_BITSET
        out += [v, _bitset(val3)]
    elif cmd == 3:                                              # REQUEUE
        out += [v, t_uint(c, tmo), ptr(c.ulong(uaddr2))]
    elif cmd in (4, 12):                                        # CMP_REQUEUE(_PI)
        out += [v, t_uint(c, tmo), ptr(c.ulong(uaddr2)), t_uint(c, val3)]
    elif cmd == 5:                                              # WAKE_OP
        out += [v, t_uint(c, tmo), ptr(c.ulong(uaddr2)), hexc(val3 & 0xFFFFFFFF)]
    elif cmd in (6, 8, 13):                                     # LOCK_PI, TRYLOCK_PI
        out += [ts(c, tmo)]
    elif cmd == 7:                                              # UNLOCK_PI
        pass
    elif cmd == 11:                                             # WAIT_REQUEUE_PI
        out += [v, ts(c, tmo), ptr(c.ulong(uaddr2))]
    else:
        out += [hexc(c.ulong(x)) for x in (val, tmo, uaddr2, val3)]
    return ", ".join(out)


def _bitset(v):
    v &= 0xFFFFFFFF
    return "FUTEX_BITSET_MATCH_ANY" if v == 0xFFFFFFFF else hexc(v)


@custom("sigreturn")
def sigreturn(c, phase):
    """rt_sigreturn/sigreturn: the signal mask the frame restores (the
    task's mask once the call has run)."""
    if phase == "entry":
        return ""
    return "{mask=%s}" % xlat.sigset(c.t.blocked)


@custom("restart_syscall")
def restart_syscall(c, phase):
    if phase == "exit":
        return ""
    name = strace.resumed_name(c.t)
    return "<... resuming interrupted %s ...>" % (name or "system call")
