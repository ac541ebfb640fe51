"""kernel/trace/strace.py - the built-in system call tracer (`strace=`).

    ./linux strace=all ...                 every call of every guest task
    ./linux strace=openat,read ...         just these
    ./linux strace=%file,%process ...      strace's classes (syscalls.CLASSES)
    ./linux strace=!futex,write ...        all but these
    ./linux strace=all strace_file=PATH    to a host file instead of stderr

The output is what Debian's `strace -f` prints (with strace_file=, what
`strace -f -o PATH` writes): one line per call with decoded arguments and
result, `<unfinished ...>` / `<... NAME resumed>` when another task prints
while a call sleeps, `--- SIGCHLD {...} ---` when a signal is delivered,
`+++ exited with 0 +++` when a task ends, pid prefixes once there is more
than one task.

How it hooks in, at no cost while it is off:
 - system calls: kernel/syscall.py builds each subarch's dispatch table
   through trace_table (None unless strace= was given); this module
   replaces the handler of every traced call with a wrapper (traced())
   that prints the entry, runs the handler, and prints the exit - for a
   sleeping call when its generator finishes.  Untraced calls keep their
   own handler: the dispatcher does not know the tracer exists.
 - signals and exits: kernel/signal.py and kernel/exit.py call
   signal_delivered() and task_exit() behind `if strace.enabled`.
 - a traced task is told about the signals it ignores, as under ptrace
   (Linux's sig_ignored() keeps them for a tracer), so `--- SIGCHLD ---`
   shows as strace shows it.
"""

import sys

from kernel import printk, task as ktask
from kernel.errno import ERESTART_RESTARTBLOCK, Errno

# The kernel's hooks import this module early (kernel/signal.py); the
# decoders, which read guest memory through mm/, come in with enable().
decode = syscalls = xlat = calls = None

enabled = False             # the flag the kernel's hooks test
_out = None                 # host file written to
_to_file = False            # strace -o style prefixes ("PID   ")
_select = None              # function name -> traced?
_col = 0                    # column of the output line being written
_open = None                # the Call whose line is waiting for its end
_resume_names = {}          # task -> name of the call a restart_syscall resumes
_calls = {}                 # task -> its Call in progress
_Generator = type((lambda: (yield))())


class StraceError(ValueError):
    """A bad strace= or strace_file= value."""


# -- the boot options -------------------------------------------------------------------------

def _load():
    global decode, syscalls, xlat, calls
    # cycle: kernel.trace.calls -> kernel.trace.strace
    from kernel.trace import calls as k, decode as d, syscalls as s, xlat as x
    decode, syscalls, xlat, calls = d, s, x, k


def known_names():
    # cycle: arch.x86 -> arch.x86.signal -> kernel.signal -> kernel.trace.strace
    import arch.x86 as i386
    # cycle: arch.x86_64 -> arch.x86_64.signal -> kernel.signal -> kernel.trace.strace
    import arch.x86_64 as x86_64
    return set(x86_64.SYSCALLS.values()) | set(i386.SYSCALLS.values())


def parse_filter(value):
    """strace= -> a predicate on call names.  As strace's -e trace=: a
    list of names, %classes and `all`; a leading ! inverts the whole
    list (strace=!futex,write: all but these)."""
    _load()
    names = known_names()
    negate = value.startswith("!")
    want = set()
    for item in (value[1:] if negate else value).split(","):
        item = item.strip()
        if not item:
            raise StraceError("strace=%s: empty name" % value)
        if item in ("all", "%all"):
            if negate:
                raise StraceError("strace=%s: !all traces nothing" % value)
            return lambda name: True
        if item.startswith("%"):
            cls = syscalls.CLASS_ALIASES.get(item[1:], item[1:])
            if cls not in syscalls.CLASSES:
                raise StraceError("strace=%s: unknown class %s (one of %s)" % (
                    value, item, ", ".join("%" + c for c in syscalls.CLASSES)))
            want.update(n for n, s in syscalls.TABLE.items() if cls in s.classes)
            continue
        if item not in names:
            raise StraceError("strace=%s: unknown system call %r" % (value, item))
        want.add(item)
    if negate:
        return lambda name: name not in want
    return lambda name: name in want


def enable(value, path=None):
    """Turn the tracer on (called while the command line is parsed)."""
    global enabled, _out, _to_file, _select
    _select = parse_filter(value)
    _MULTIPLEXED.update(socketcall=xlat.SOCKETCALLS, ipc=xlat.IPC_CALLS)
    if path:
        try:
            _out = open(path, "w", buffering=1)
        except OSError as e:
            raise StraceError("strace_file=%s: %s" % (path, e.strerror))
        _to_file = True
    else:
        _out = sys.stderr
    # cycle: kernel.syscall -> kernel.exit -> kernel.trace.strace
    from kernel import syscall
    syscall.trace_table = wrap_table
    syscall._tables.clear()
    enabled = True


def shutdown():
    if _out is not None and _out is not sys.stderr:
        try:
            _out.close()
        except OSError:
            pass


# -- the dispatch table -------------------------------------------------------------------------

def wrap_table(abi, tab):
    """Give every traced entry of a subarch's table a tracing handler."""
    bits = abi.BITS
    for entry in tab:
        if entry is None or not _select(entry.name) and not any(
                map(_select, _MULTIPLEXED.get(entry.name, {}).values())):
            continue
        spec = syscalls.lookup(entry.name)
        fn = entry.fn if entry.fn is not None else _unsupported(abi, entry.name)
        nargs = entry.nargs if entry.fn is not None else 6
        entry.fn = _traced(abi, bits, entry.name, spec, fn, nargs)
        entry.nargs = 6


_MULTIPLEXED = {}       # i386's socketcall and ipc: number -> the call each stands for


def _unsupported(abi, name):
    # cycle: kernel.syscall -> kernel.exit -> kernel.trace.strace
    from kernel.syscall import sys_ni_syscall

    def ni(t, *args):
        return sys_ni_syscall(t, abi, name)
    return ni


def _traced(abi, bits, name, spec, fn, nargs):

    def traced(t, *args):
        c = syscall_enter(t, abi, bits, name, spec, nargs)
        if c is None:                   # i386 socketcall/ipc of an untraced call
            return fn(t, *args[:nargs])
        try:
            ret = fn(t, *args[:nargs])
        except Errno as e:
            syscall_exit(c, -e.errno)
            raise
        except BaseException:
            syscall_exit(c, None)
            raise
        if type(ret) is _Generator:
            return _sleeping(c, ret)
        syscall_exit(c, ret)
        return ret
    traced.__name__ = "traced_" + name
    return traced


def _sleeping(c, gen):
    """A sleeping call's kernel stack, seen by the tracer: the exit is
    printed when the generator finishes."""
    try:
        ret = yield from gen
    except Errno as e:
        syscall_exit(c, -e.errno)
        raise
    except BaseException:
        syscall_exit(c, None)
        raise
    syscall_exit(c, ret)
    return ret


# -- output ------------------------------------------------------------------------------------------

def _write(s):
    global _col
    nl = s.rfind("\n")
    _col = len(s) - nl - 1 if nl >= 0 else _col + len(s)
    text = s
    if not _to_file:
        if printk.newline != "\n":
            text = s.replace("\n", printk.newline)
    try:
        _out.write(text)
        if "\n" in s:
            _out.flush()
    except (OSError, ValueError):
        pass


def _live_tasks():
    return sum(1 for x in ktask.tasks.values() if not x.exit_state)


def _start_line(t):
    """A new line for t: whoever's line is open gets its <unfinished ...>."""
    global _open
    if _open is not None:
        _write(" <unfinished ...>\n")
        _open.interrupted = True
        _open = None
    elif _col:
        _write("\n")
    if _to_file:
        _write("%-5d " % t.pid)
    elif _live_tasks() > 1:
        _write("[pid %5d] " % t.pid)


def _tab_to_result():
    """strace aligns the results at column 40."""
    if _col < 40:
        _write(" " * (40 - _col))


def _logical_args(spec, raw, bits):
    """The registers as the table's arguments: on i386 a 64-bit offset
    takes two of them."""
    if spec is None or bits == 64 or not any(a.wide for a in spec.args):
        return list(raw)
    out = []
    i = 0
    for a in spec.args:
        if a.wide:
            lo, hi = raw[i], raw[i + 1] if i + 1 < len(raw) else 0
            if a.type == "off64hl":
                lo, hi = hi, lo
            out.append((lo & 0xFFFFFFFF) | (hi & 0xFFFFFFFF) << 32)
            i += 2
        else:
            out.append(raw[i] if i < len(raw) else 0)
            i += 1
    return out


def _param(c, p):
    if p == "ret":
        return c.ret if c.ret is not None and c.ret > 0 else 0
    v = c.args[p]
    return c.long(v) if c.bits == 32 else (v if v < (1 << 63) else v - (1 << 64))


def _decode(c, arg, v):
    try:
        return arg.fn(c, v, *[_param(c, p) for p in arg.params])
    except Exception as e:                  # a decoder bug must not hurt the guest
        return "%#x /* strace: %s */" % (v, type(e).__name__)


_OWN_FAILURE = ("socklen_io", "rem", "kludgetype")       # output types that print themselves on failure


def _args_text(c, phase):
    """The text of the arguments printed at this phase ("entry"/"exit")."""
    spec = c.spec
    if spec is None:
        if phase == "exit":
            return ""
        return ", ".join(decode.hexc(c.ulong(v)) for v in c.args[:c.nargs])
    if spec.custom is not None:
        return calls.CUSTOM[spec.custom](c, phase)
    parts = []
    out = ""
    args = spec.args
    # entry: the arguments before the first output one; exit: the rest
    first_out = next((i for i, a in enumerate(args) if a.when != "entry"), len(args))
    if phase == "entry":
        for i in range(first_out):
            parts.append(_decode(c, args[i], c.args[i]))
        out = ", ".join(p for p in parts if p is not None)
        if first_out < len(args) and first_out > 0 and args[first_out].when == "exit":
            out += ", "
        return out
    for i in range(first_out, len(args)):
        a = args[i]
        if c.failed and a.when != "entry" and a.type not in _OWN_FAILURE:
            parts.append(decode.ptr(c.ulong(c.args[i])))     # not written: its address
        else:
            parts.append(_decode(c, a, c.args[i]))
    out = ", ".join(p for p in parts if p is not None)
    if first_out < len(args) and args[first_out].when == "late" and first_out > 0:
        out = ", " + out
    return out


def syscall_enter(t, abi, bits, name, spec, nargs):
    global _open
    raw = abi.syscall_args(t.regs)
    c = decode.Call(t, bits, name, _logical_args(spec, raw, bits), spec)
    c.nargs = nargs
    if spec is not None and spec.custom in ("socketcall", "ipc") and not _multiplexed(c):
        return None
    if c.spec is not None:
        for i, a in enumerate(c.spec.args):
            if a.type == "socklen_io":      # [in => out]: remember "in"
                decode.socklen_enter(c, c.args[i])
    _calls[t] = c
    _start_line(t)
    c.entry_text = _args_text(c, "entry")
    _write("%s(%s" % (c.name, c.entry_text))
    _open = c
    return c


def _multiplexed(c):
    """i386's socketcall(call, args) and ipc(call, first, second, third,
    ptr, fifth): shown as the call they stand for, as strace does.  False
    if that call is not traced."""
    x = xlat
    if c.name == "socketcall":
        nr = c.args[0] & 0xFFFFFFFF
        sub = x.SOCKETCALLS.get(nr)
        if sub is None:
            return True
        words = c.unpack("<%dI" % x.SOCKETCALL_NARGS[nr], c.ulong(c.args[1]))
        if words is None:
            return _select(sub)
        args = list(words)
    else:
        nr = c.args[0] & 0xFFFF
        sub = x.IPC_CALLS.get(nr)
        if sub is None:
            return True
        first, second, third, ptr, fifth = c.args[1:6]
        args = {
            "semop": [first, ptr, second], "semget": [first, second, third],
            "semctl": [first, second, third, ptr], "semtimedop": [first, ptr, second, fifth],
            "msgsnd": [first, ptr, second, third], "msgrcv": [first, ptr, second, ptr, third],
            "msgget": [first, second], "msgctl": [first, second, ptr],
            "shmat": [first, ptr, second, third], "shmdt": [ptr],
            "shmget": [first, second, third], "shmctl": [first, second, ptr],
        }[sub]
    if not _select(sub):
        return False
    c.name = sub
    c.spec = syscalls.lookup(c.spec.custom + "_" + sub) or syscalls.lookup(sub)
    c.args = args
    return True


def _result_text(c, ret):
    if ret is None:
        return "?"
    if ret < 0 and ret >= -4095:
        e = -ret
        if e in xlat.ERESTART_NAMES:
            return "? %s (%s)" % (xlat.errno_name(e), xlat.errno_text(e))
        return "-1 %s (%s)" % (xlat.errno_name(e), xlat.errno_text(e))
    kind = c.spec.ret if c.spec is not None else "int"
    if kind == "none":
        return "?"
    c.ret = ret
    try:
        return decode.RESULTS[kind](c)
    except Exception:
        return str(ret)


def syscall_exit(c, ret):
    """The call returned ret (None: it never returns - the task died)."""
    global _open
    if c.closed:
        return
    t = c.t
    if ret is not None and -ret in (512, 513, 514, 516) and _dying(t):
        return              # killed in its sleep: task_exit prints "= ?", as Linux reports it
    c.closed = True
    _calls.pop(t, None)
    if ret is not None:
        if isinstance(ret, bool):
            ret = int(ret)
        c.ret = ret
        c.failed = -4096 < ret < 0
    if ret == -ERESTART_RESTARTBLOCK:
        _resume_names[t] = c.name
    tail = "" if ret is None else _args_text(c, "exit")
    if _open is not c:
        _start_line(t)
        _write("<... %s resumed>" % c.name)
    _open = None
    _write("%s) " % tail)
    _tab_to_result()
    _write("= %s\n" % _result_text(c, ret))


def _dying(t):
    # cycle: kernel.signal -> kernel.trace.strace
    from kernel.signal import fatal_signal_pending
    return fatal_signal_pending(t)


def signal_delivered(t, info):
    """A signal is being delivered to t (taken off its queue).  SIGKILL
    never is, for a tracer: the task just dies."""
    if info.signo == 9:
        return
    _start_line(t)
    _write("--- %s %s ---\n" % (_signame(info.signo), decode.siginfo_text(info)))


def _signame(sig):
    return xlat.signame(sig)


def task_exit(t, code):
    """t is dying with wait status code."""
    c = _calls.pop(t, None)
    if c is not None and not c.closed:
        syscall_exit(c, None)
    _resume_names.pop(t, None)
    _start_line(t)
    if code & 0x7F:
        _write("+++ killed by %s%s +++\n" % (_signame(code & 0x7F),
                                              " (core dumped)" if code & 0x80 else ""))
    else:
        _write("+++ exited with %d +++\n" % ((code >> 8) & 0xFF))


def resumed_name(t):
    return _resume_names.pop(t, None)


