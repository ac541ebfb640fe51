"""kernel/gdbstub.py - a GDB remote stub for guest processes: ./linux gdb=PORT.

The kernel listens on 127.0.0.1:PORT on the host (gdb=0: a free port, named
in the kernel log) and speaks the GDB remote serial protocol for one guest
process, so that a host gdb can debug a guest program:

    ./linux ... gdb=1234 gdb_exec=/path/prog      # prog stops at its first
    gdb -ex 'target remote 127.0.0.1:1234' /path/prog    # instruction

The stub is a tracer of its own (a kernel/ptrace.py ExternalTracer): the
process's threads are traced, seized, tasks; a stop gdb sees is a ptrace
stop like any other (TASK_TRACED, State "t" in /proc), and resuming is
ptrace_resume, single steps included (the host steps the guest).  What
gdb asks for maps onto that machinery:

  ? g G p P        the stop, registers (arch/*/gdbregs.py, target.xml)
  m M              memory, through physmem (mm/access_vm.py, COW for text)
  Z0 z0            software breakpoints: an int3 byte written into the text
  Z1 Z2 Z4 z1-z4   hardware breakpoints and write/access watchpoints: the
                   threads' debug registers (arch/x86_64/debugreg.py), as
                   a guest debugger's POKEUSER sets them; x86 has no
                   read-only watchpoints (Z3), as gdbserver says
  c C s S vCont    resume (all threads; stepping the one asked for)
  ^C               interrupt: every thread traps (PTRACE_INTERRUPT's trap)
  qfThreadInfo T   the process's threads (thread ids are guest tids)
  qXfer            features (target.xml), exec-file, auxv
  D k vAttach      detach, kill, attach to a pid (extended mode, "!"),
                   also at connection with gdb_pid=PID

All-stop: when one thread stops, the others are made to trap too, and gdb
hears of the stop once all of them have.  A fork's child is detached at
once, its copy of the breakpoints taken out (detach-on-fork).

The socket never blocks the kernel: it is non-blocking and served from the
scheduler loop (kernel/sched.py host_fds); what cannot be sent at once is
kept and sent as the socket drains.  Work a stop triggers is deferred to a
zero-delay kernel timer, so that the tracee is asleep in TASK_TRACED before
the stub touches it.
"""

import errno as _errno
import os
import socket

from kernel import sched
from kernel import task as ktask
from kernel.errno import Errno
from kernel.printk import pr_info, pr_warn
from kernel import ptrace
from kernel.signal import jobctl_set, SIGKILL, SigInfo, send_signal
from fs.mount import d_path
from skas.userspace import fetch_regs
from mm.access_vm import access_remote_vm
from skas.fpu import get_xstate
from arch.x86 import gdbregs as gdbregs32, ptrace as ptrace32
from arch.x86_64 import debugreg, gdbregs as gdbregs64, ptrace as ptrace64

# Linux signal -> GDB's signal numbering (gdb/signals.def)
_GDB_SIG = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 10, 8: 8, 9: 9, 10: 30, 11: 11, 12: 31,
            13: 13, 14: 14, 15: 15, 17: 20, 18: 19, 19: 17, 20: 18, 21: 21, 22: 22, 23: 16,
            24: 24, 25: 25, 26: 26, 27: 27, 28: 28, 29: 23, 30: 32, 31: 12}
_LINUX_SIG = {v: k for k, v in _GDB_SIG.items()}
GDB_SIGINT, GDB_SIGTRAP = 2, 5


def gdb_signal(sig):
    if sig in _GDB_SIG:
        return _GDB_SIG[sig]
    if sig == 32:
        return 77
    if 33 <= sig <= 63:
        return 45 + sig - 33
    return 78 if sig == 64 else 143          # GDB_SIGNAL_UNKNOWN


def linux_signal(gsig):
    if gsig in _LINUX_SIG:
        return _LINUX_SIG[gsig]
    if gsig == 77:
        return 32
    if 45 <= gsig <= 75:
        return gsig - 45 + 33
    return 64 if gsig == 78 else 0


def _checksum(data):
    return sum(data) & 0xFF


def _escape_binary(data):
    out = bytearray()
    for b in data:
        if b in b"#$}*":
            out += bytes((0x7D, b ^ 0x20))
        else:
            out.append(b)
    return bytes(out)


class GdbStub(ptrace.ExternalTracer):
    """The one stub of the machine (boot options gdb=, gdb_exec=, gdb_pid=)."""

    def __init__(self, port, exec_path=None, attach_pid=None):
        super().__init__()
        self.port = port
        self.exec_path = exec_path.encode() if isinstance(exec_path, str) else exec_path
        self.attach_pid = attach_pid
        self.lsock = None
        self.conn = None
        self.inbuf = b""
        self.outbuf = b""
        self.noack = False
        self.extended = False
        self.tgid = None                # the process being debugged
        self.breakpoints = {}           # addr -> original byte
        self.hw_slots = [None] * 4      # DR0-DR3: (Z type, addr, len, gdb's addr)
        self.last_stop = None           # the stop reply gdb has (or will have)
        self.event_tid = None           # the thread that stopped
        self.want_stop = False          # gdb waits for a stop reply
        self.halting = False            # we stop the process (exec, attach, ^C)
        self.new_threads = set()        # clones whose first trap is ours to resume
        self.interrupting = False
        self.g_tid = None               # Hg: the thread for g/G/m/M
        self.stepping = None            # the tid a vCont/s asked to step
        self.attached = True
        self.exited = None              # the W/X reply once the process is gone
        self._pending = False

    # -- the socket -------------------------------------------------------------
    def listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(1)
        s.setblocking(False)
        self.lsock = s
        self.port = s.getsockname()[1]
        sched.host_fds[s.fileno()] = self._accept
        pr_warn("gdbstub: listening on 127.0.0.1:%d" % self.port)

    def _accept(self, fd):
        try:
            c, _ = self.lsock.accept()
        except (BlockingIOError, InterruptedError):
            return
        if self.conn is not None:
            c.close()                   # one debugger at a time
            return
        c.setblocking(False)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn = c
        self.inbuf = self.outbuf = b""
        self.noack = False
        sched.host_fds[c.fileno()] = self._readable
        pr_info("gdbstub: debugger connected")
        if self.tgid is None and self.attach_pid:
            self.attach(self.attach_pid)

    def _readable(self, fd):
        try:
            data = self.conn.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._disconnect()
            return
        self.inbuf += data
        self._flush()
        self._parse()

    def _disconnect(self):
        c = self.conn
        if c is None:
            return
        sched.host_fds.pop(c.fileno(), None)
        c.close()
        self.conn = None
        pr_info("gdbstub: debugger gone")
        if self.tgid is not None and self.exited is None:
            self.detach()               # the program goes on without it

    def _send_raw(self, data):
        self.outbuf += data
        self._flush()

    def _flush(self):
        while self.outbuf and self.conn is not None:
            try:
                n = self.conn.send(self.outbuf)
            except (BlockingIOError, InterruptedError):
                # try again soon: the kernel never waits for the debugger
                sched.add_timer(sched.now() + 0.005, self._flush)
                return
            except OSError:
                self._disconnect()
                return
            self.outbuf = self.outbuf[n:]

    def send(self, payload):
        if isinstance(payload, str):
            payload = payload.encode()
        self._send_raw(b"$" + payload + b"#%02x" % _checksum(payload))

    def _parse(self):
        while self.inbuf:
            c = self.inbuf[:1]
            if c in (b"+", b"-"):
                self.inbuf = self.inbuf[1:]
                continue
            if c == b"\x03":
                self.inbuf = self.inbuf[1:]
                self.interrupt()
                continue
            if c != b"$":
                self.inbuf = self.inbuf[1:]
                continue
            end = self.inbuf.find(b"#")
            if end < 0 or len(self.inbuf) < end + 3:
                return                  # the rest is still on its way
            body = self.inbuf[1:end]
            self.inbuf = self.inbuf[end + 3:]
            if not self.noack:
                self._send_raw(b"+")
            try:
                reply = self.handle(_unescape(body))
            except Exception as e:      # a stub bug must not take the kernel down
                pr_warn("gdbstub: %s on %r" % (e, body[:40]))
                reply = "E01"
            if reply is not None:
                self.send(reply)

    # -- the process --------------------------------------------------------------
    def threads(self):
        if self.tgid is None:
            return []
        return sorted((t for t in ktask.tasks.values()
                       if t.tgid == self.tgid and not t.exit_state and t.ptracer is self),
                      key=lambda t: t.pid)

    def _thread(self, tid=None):
        ts = self.threads()
        tid = tid if tid is not None else (self.g_tid or self.event_tid)
        for t in ts:
            if t.pid == tid:
                return t
        return ts[0] if ts else None

    def _link(self, t):
        ptrace.ptrace_link(t, self, ptrace.PT_PTRACED | ptrace.PT_SEIZED)
        t.ptrace_opts = (ptrace.PTRACE_O_TRACECLONE | ptrace.PTRACE_O_TRACEFORK
                         | ptrace.PTRACE_O_TRACEVFORK)

    def attach(self, pid):
        """Trace every thread of pid's process and stop them all."""
        t = ktask.find_task(pid)
        if t is None or t.ptrace or t.mm is None or t.tgid == 1:
            return False
        self.tgid = t.tgid
        self.breakpoints = {}
        self.exited = None
        self.attached = True
        for th in t.thread_group():
            if not th.exit_state and not th.ptrace:
                self._link(th)
        self.event_tid = t.pid
        self.interrupting = True
        self.halting = True
        self.last_stop = None
        self.stop_all()
        return True

    def exec_hook(self, t):
        """kernel/ptrace.py exec_hooks: the program gdb_exec names was
        exec'd: stop it at its first instruction (the trap comes on its way
        back to user space)."""
        if self.tgid is not None or t.ptrace or self.exec_path is None:
            return
        exe = t.mm.exe_file if t.mm is not None else None
        if exe is None or d_path(exe.path) != self.exec_path:
            return
        pr_info("gdbstub: %s exec'd as pid %d: stopped for the debugger"
                % (self.exec_path.decode(errors="replace"), t.pid))
        self.tgid = t.tgid
        self.attached = True
        self.breakpoints = {}
        self.exited = None
        self._link(t)
        self.event_tid = t.pid
        self.halting = True             # the stop is the answer to '?'
        self.last_stop = None
        jobctl_set(t, ptrace.JOBCTL_TRAP_STOP)

    def stop_all(self):
        for t in self.threads():
            if t.state != sched.TASK_TRACED:
                jobctl_set(t, ptrace.JOBCTL_TRAP_STOP)
                sched.signal_wake_up(t)
        self._defer()

    def interrupt(self):
        if self.tgid is None or not self.want_stop or self.last_stop is not None:
            return
        self.interrupting = True
        self.halting = True
        self.stop_all()

    # -- what ptrace tells us -----------------------------------------------------------
    def ptrace_notify(self, t):
        self._defer()

    def ptrace_exited(self, t, status):
        if t.tgid != self.tgid:
            return
        if status & 0x7F:
            self.exited = "X%02x" % gdb_signal(status & 0x7F)
        else:
            self.exited = "W%02x" % ((status >> 8) & 0xFF)
        self._forget()
        self.halting = False
        if self.want_stop and self.conn is not None:
            self.want_stop = False
            self.send(self.exited)

    def _forget(self):
        self.tgid = None
        self.breakpoints = {}
        self.hw_slots = [None] * 4
        self.g_tid = self.event_tid = None

    def _defer(self):
        if not self._pending:
            self._pending = True
            sched.add_timer(sched.now(), self._stopped)

    def _stopped(self):
        """Look at the stopped threads (deferred: they are in TASK_TRACED)."""
        self._pending = False
        ts = self.threads()
        traced = [t for t in ts if t.state == sched.TASK_TRACED and t.ptrace_code]
        # forks and clones first: they are never gdb's business
        for t in traced:
            event = t.ptrace_code >> 8
            if event in (ptrace.PTRACE_EVENT_FORK, ptrace.PTRACE_EVENT_VFORK,
                         ptrace.PTRACE_EVENT_CLONE):
                if event == ptrace.PTRACE_EVENT_CLONE:
                    self.new_threads.add(t.ptrace_message)
                else:
                    self._fork_child(t)
                t.ptrace_code = 0
                ptrace.ptrace_resume(t, ptrace.PTRACE_CONT, 0)
        for t in traced:
            code = t.ptrace_code
            if not code:
                continue
            t.ptrace_code = 0           # seen
            if code >> 8 == ptrace.PTRACE_EVENT_STOP and t.pid in self.new_threads \
                    and not self.halting:
                # a new thread's first trap while the process runs
                self.new_threads.discard(t.pid)
                self._hw_sync(t)
                ptrace.ptrace_resume(t, ptrace.PTRACE_CONT, 0)
                continue
            self.new_threads.discard(t.pid)
            if self.last_stop is None and (self.want_stop or self.halting):
                self.last_stop = self._stop_reply(t, code)
                self.event_tid = t.pid
        if self.last_stop is None:
            return
        # all-stop: report once every thread has stopped
        for t in ts:
            if t.state not in (sched.TASK_TRACED, sched.TASK_UNINTERRUPTIBLE):
                jobctl_set(t, ptrace.JOBCTL_TRAP_STOP)
                sched.signal_wake_up(t)
                return                  # its stop will call us again
        self.halting = False
        if self.want_stop and self.conn is not None:
            self.want_stop = False
            self.interrupting = False
            self.g_tid = self.event_tid
            self.send(self.last_stop)

    def _stop_reply(self, t, code):
        sig = code & 0x7F
        event = code >> 8
        extra = ""
        if event == ptrace.PTRACE_EVENT_STOP:
            gsig = GDB_SIGINT if self.interrupting else GDB_SIGTRAP
        else:
            gsig = gdb_signal(sig)
            si = t.last_siginfo
            if sig == 5 and si is not None and si.code == 0x80 and t.mm is not None:
                fetch_regs(t)
                ip = t.arch.instruction_pointer(t.regs) - 1
                if ip in self.breakpoints:
                    # back to the breakpoint, as gdbserver does ("swbreak")
                    t.regs.rip = ip
                    t.regs_dirty = True
                    extra = "swbreak:;"
            elif sig == 5 and si is not None and si.code in (2, 4):
                # TRAP_HWBKPT, or TRAP_TRACE: a step can set one off too
                extra = self._hw_stop_reason(t)
        return "T%02xthread:%x;%s" % (gsig, t.pid, extra)

    def _fork_child(self, parent):
        """detach-on-fork: the new process keeps no breakpoint of ours."""
        child = ktask.find_task(parent.ptrace_message)
        if child is None or child.ptracer is not self:
            return
        if child.mm is not parent.mm:
            for addr, orig in self.breakpoints.items():
                access_remote_vm(child.mm, addr, bytes((orig,)))
        ptrace.ptrace_unlink(child)

    # -- resuming -----------------------------------------------------------------------
    def detach(self):
        ts = self.threads()
        if ts and ts[0].mm is not None:
            for addr, orig in self.breakpoints.items():
                access_remote_vm(ts[0].mm, addr, bytes((orig,)))
        self.hw_slots = [None] * 4
        for t in ts:
            t.ptrace_code = 0
            self._hw_sync(t)            # its debug registers cleared
            ptrace.ptrace_unlink(t)     # (wakes a stopped one)
        self._forget()
        self.want_stop = False

    def kill(self):
        ts = self.threads()
        if ts:
            send_signal(ts[0], SigInfo(SIGKILL, 0x80), group=True)

    # -- packets ------------------------------------------------------------------------
    def handle(self, pkt):
        s = pkt.decode("latin-1")
        if s[:1] in ("q", "Q"):
            return self._query(s)
        if s[:1] == "v":
            return self._v_packet(s)
        if s == "!":
            self.extended = True
            return "OK"
        if s == "?":
            return self._question()
        if s[:1] == "H":
            tid = int(s[2:], 16) if s[2:] not in ("", "-1") else 0
            if s[1] == "g":
                self.g_tid = tid or None
            return "OK"
        if s[:1] == "T":
            return "OK" if self._thread_alive(int(s[1:], 16)) else "E01"
        if s[:1] in ("g", "G", "p", "P", "m", "M", "Z", "z"):
            return self._regs_mem_points(s)
        if s[:1] in ("c", "C", "s", "S"):
            return self._cont_step(s)
        if s[:1] == "D":
            self.detach()
            return "OK"
        if s == "k":
            self.kill()
            return None if not self.extended else "OK"
        return ""                       # not supported

    def _query(self, s):
        """The q and Q packets: what the stub supports, the threads, the
        target's files (qXfer)."""
        if s.startswith("qSupported"):
            return ("PacketSize=4000;qXfer:features:read+;qXfer:exec-file:read+;"
                    "qXfer:auxv:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+")
        if s == "QStartNoAckMode":
            self.send("OK")
            self.noack = True
            return None
        if s == "qAttached" or s.startswith("qAttached:"):
            return "1"
        if s == "qC":
            t = self._thread()
            return "QC%x" % t.pid if t else "QC0"
        if s == "qfThreadInfo":
            ts = self.threads()
            return "m" + ",".join("%x" % t.pid for t in ts) if ts else "l"
        if s == "qsThreadInfo":
            return "l"
        if s.startswith("qThreadExtraInfo,"):
            t = self._thread(int(s.split(",")[1], 16))
            return (t.comm.hex() if t else "")
        if s.startswith("qXfer:"):
            return self._qxfer(s)
        if s == "qOffsets":
            return ""
        if s.startswith("qSymbol"):
            return "OK"
        return ""

    def _regs_mem_points(self, s):
        """Registers (g G p P), memory (m M), break- and watchpoints (Z z)."""
        if s == "g":
            return self._read_regs()
        if s[0] == "G":
            return self._write_regs(bytes.fromhex(s[1:]))
        if s[0] == "p":
            return self._read_reg(int(s[1:], 16))
        if s[0] == "P":
            n, v = s[1:].split("=")
            return self._write_reg(int(n, 16), bytes.fromhex(v))
        if s[0] == "m":
            a, n = s[1:].split(",")
            return self._read_mem(int(a, 16), int(n, 16))
        if s[0] == "M":
            head, data = s[1:].split(":", 1)
            a, _ = head.split(",")
            return self._write_mem(int(a, 16), bytes.fromhex(data))
        if s[0] in "Zz" and s[1] == "0":
            _, a, _ = s[1:].split(",")
            return self._breakpoint(int(a, 16), s[0] == "Z")
        if s[0] in "Zz" and s[1] in "1234":
            _, a, n = s[1:].split(",")
            return self._hw_point(int(s[1]), int(a, 16), int(n.split(";")[0], 16),
                                  s[0] == "Z")
        return ""

    def _v_packet(self, s):
        """vCont, vAttach, vKill."""
        if s == "vCont?":
            return "vCont;c;C;s;S;t"
        if s.startswith("vCont;"):
            return self._vcont(s[6:])
        if s.startswith("vAttach;"):
            if self.attach(int(s[8:], 16)):
                self.want_stop = True
                self.last_stop = None
                return None             # the stop reply follows
            return "E01"
        if s.startswith("vKill"):
            self.kill()
            return "OK"
        return ""

    def _question(self):
        if self.last_stop is not None and not self.halting:
            self.want_stop = False
            self.g_tid = self.event_tid
            return self.last_stop
        if self.tgid is None:
            if self.exec_path is not None and self.exited is None:
                self.want_stop = True   # its exec is the answer
                return None
            return self.exited or "W00"
        # not stopped yet (gdb_exec's program not there, or running): the
        # reply comes with the stop
        self.want_stop = True
        self.stop_all()
        return None

    def _thread_alive(self, tid):
        return any(t.pid == tid for t in self.threads())

    def _gdbregs(self, t):
        if t.arch.BITS == 32:
            return gdbregs32, ptrace32
        return gdbregs64, ptrace64

    def _regs_ready(self, t):
        if t.mm is not None:
            fetch_regs(t)

    def _read_regs(self):
        t = self._thread()
        if t is None:
            return "E01"
        self._regs_ready(t)
        g, _ = self._gdbregs(t)
        fx = get_xstate(t)
        return b"".join(g.read_reg(t, r, fx) for r in g.REGS).hex()

    def _read_reg(self, n):
        t = self._thread()
        if t is None:
            return "E01"
        self._regs_ready(t)
        g, _ = self._gdbregs(t)
        if n >= len(g.REGS):
            return "E01"
        return g.read_reg(t, g.REGS[n], get_xstate(t)).hex()

    def _write_regs(self, data):
        t = self._thread()
        if t is None:
            return "E01"
        self._regs_ready(t)
        g, view = self._gdbregs(t)
        off = 0
        for r in g.REGS:
            n = r[1] // 8
            if off + n > len(data):
                break
            try:
                g.write_reg(t, r, data[off:off + n], view)
            except Exception:
                pass                    # a value the kernel refuses stays as it was
            off += n
        return "OK"

    def _write_reg(self, n, data):
        t = self._thread()
        if t is None:
            return "E01"
        self._regs_ready(t)
        g, view = self._gdbregs(t)
        if n >= len(g.REGS):
            return "E01"
        try:
            g.write_reg(t, g.REGS[n], data, view)
        except Exception:
            return "E01"
        return "OK"

    def _mm(self):
        t = self._thread()
        return t.mm if t is not None else None

    def _read_mem(self, addr, n):
        mm = self._mm()
        if mm is None:
            return "E01"
        data = bytearray(access_remote_vm(mm, addr, min(n, 0x1000), force=True))
        if not data:
            return "E01"
        for a, orig in self.breakpoints.items():     # gdb sees its text, not our int3
            if addr <= a < addr + len(data):
                data[a - addr] = orig
        return bytes(data).hex()

    def _write_mem(self, addr, data):
        mm = self._mm()
        if mm is None:
            return "E01"
        return "OK" if access_remote_vm(mm, addr, data, force=True) == len(data) else "E01"

    def _breakpoint(self, addr, insert):
        mm = self._mm()
        if mm is None:
            return "E01"
        if insert:
            if addr in self.breakpoints:
                return "OK"
            orig = access_remote_vm(mm, addr, 1, force=True)
            if len(orig) != 1 or access_remote_vm(mm, addr, b"\xcc", force=True) != 1:
                return "E01"
            self.breakpoints[addr] = orig[0]
        else:
            orig = self.breakpoints.pop(addr, None)
            if orig is not None:
                access_remote_vm(mm, addr, bytes((orig,)), force=True)
        return "OK"

    # -- hardware breakpoints and watchpoints -------------------------------------------
    def _hw_point(self, ztype, addr, length, insert):
        """Z1 (execute), Z2 (write), Z4 (access): one debug register per
        aligned piece of the range gdb asks for; z1-z4 take them out."""
        if ztype == 3:
            return ""                   # no read-only watchpoints on x86
        if not insert:
            self.hw_slots = [s if s is None or s[0] != ztype or s[3] != addr else None
                             for s in self.hw_slots]
            return "OK"
        pieces = [(addr, 1)] if ztype == 1 else _aligned_pieces(addr, length)
        free = [i for i, s in enumerate(self.hw_slots) if s is None]
        if not pieces or len(pieces) > len(free) or addr + length > _TASK_SIZE_MAX:
            return "E01"                # gdb says: too many hardware breakpoints
        for (a, n), i in zip(pieces, free):
            self.hw_slots[i] = (ztype, a, n, addr)
        return "OK"

    def _hw_dr7(self):
        dr7 = 0
        for i, s in enumerate(self.hw_slots):
            if s is not None:
                ctl = _DR7_LEN[s[2]] << 2 | _DR7_RW[s[0]]
                dr7 |= 1 << (i * 2) | ctl << (16 + i * 4)       # local enable, R/W, LEN
        return dr7

    def _hw_sync(self, t):
        """Before t runs: its debug registers say what gdb has set (a new
        thread starts without any, as on Linux)."""
        d = t.debugregs
        want = self._hw_dr7()
        addrs = [s[1] if s is not None else 0 for s in self.hw_slots]
        if d is None and not want:
            return
        if d is not None and d.dr7 == want and (not want or d.addr == addrs):
            return
        try:
            debugreg.set_debugreg(t, 7, 0)
            for i, a in enumerate(addrs):
                debugreg.set_debugreg(t, i, a)
            debugreg.set_debugreg(t, 7, want)
        except Errno as e:              # _hw_point checked them: a stub bug
            pr_warn("gdbstub: debug registers of %d: errno %d" % (t.pid, e.errno))
        mm = t.mm
        if mm is not None and mm.context is not None and mm.context.loaded_task is t:
            debugreg.load_debugregs(mm.context, t)

    def _hw_stop_reason(self, t):
        """The stop reply's reason for a debug trap: which register fired
        (the thread's virtual DR6)."""
        d = t.debugregs
        fired = d.virtual_dr6 & 0xF if d is not None else 0
        for i, s in enumerate(self.hw_slots):
            if s is not None and fired & (1 << i):
                if s[0] == 1:
                    return "hwbreak:;"
                return "%s:%x;" % ("watch" if s[0] == 2 else "awatch", s[3])
        return ""

    def _cont_step(self, s):
        """c, C, s, S: continue everyone, or step the selected thread (the
        others stay stopped)."""
        sig = linux_signal(int(s[1:3], 16)) if s[0] in "CS" else 0
        t = self._thread()
        if t is None:
            return self.exited or "W00"
        if s[0] in "sS":
            self._resume_actions({t.pid: (ptrace.PTRACE_SINGLESTEP, sig), None: (None, 0)})
        else:
            self._resume_actions({None: (ptrace.PTRACE_CONT, sig)})
        return None

    def _vcont(self, spec):
        actions = {}
        for part in spec.split(";"):
            act, _, tid = part.partition(":")
            tid = int(tid, 16) if tid and tid != "-1" else None
            kind = act[0]
            sig = linux_signal(int(act[1:3], 16)) if kind in "CS" and len(act) >= 3 else 0
            if kind == "t":
                continue
            req = ptrace.PTRACE_SINGLESTEP if kind in "sS" else ptrace.PTRACE_CONT
            if tid not in actions:
                actions[tid] = (req, sig)
        if not actions:
            return "OK"
        if any(r == ptrace.PTRACE_SINGLESTEP for r, _ in actions.values()) \
                and None not in actions:
            actions[None] = (None, 0)
        self._resume_actions(actions)
        return None

    def _resume_actions(self, actions):
        """actions: {tid, or None for the other threads: (ptrace request,
        signal)}; a request of None leaves the thread stopped (gdb steps one
        thread while the others wait).  A signal goes only with a
        signal-delivery stop, as gdb means it."""
        self.last_stop = None
        self.want_stop = True
        self.halting = False
        for t in self.threads():
            req, sig = actions.get(t.pid, actions.get(None, (ptrace.PTRACE_CONT, 0)))
            if req is None or t.state != sched.TASK_TRACED:
                continue
            si = t.last_siginfo
            if si is None or si.code >> 8 or si.code == (5 | 0x80):
                sig = 0
            t.ptrace_code = 0
            t.jobctl &= ~ptrace.JOBCTL_TRAP_STOP
            self._hw_sync(t)
            ptrace.ptrace_resume(t, req, sig)

    def _qxfer(self, s):
        parts = s.split(":")
        if len(parts) < 5 or parts[2] != "read":
            return ""
        obj, annex, span = parts[1], parts[3], parts[4]
        off, length = (int(x, 16) for x in span.split(","))
        t = self._thread()
        if obj == "features":
            if annex != "target.xml":
                return "E00"
            regs = gdbregs64 if t is None else self._gdbregs(t)[0]
            data = regs.TARGET_XML.encode()
        elif obj == "exec-file":
            who = t
            if annex:
                who = ktask.find_task(int(annex, 16))
            if who is None or who.mm is None or who.mm.exe_file is None:
                return "E01"
            data = d_path(who.mm.exe_file.path)
        elif obj == "auxv":
            if t is None or t.mm is None:
                return "E01"
            data = t.mm.auxv
        else:
            return ""
        chunk = data[off:off + length]
        return ("l" if off + length >= len(data) else "m").encode() + _escape_binary(chunk)


_DR7_RW = {1: 0, 2: 1, 4: 3}            # Z type -> DR7 R/W: execute, write, read/write
_DR7_LEN = {1: 0, 2: 1, 4: 3, 8: 2}     # bytes -> DR7 LEN
_TASK_SIZE_MAX = 0x7FFFFFFFF000


def _aligned_pieces(addr, length):
    """[addr, addr+length) as the naturally aligned 1, 2, 4 and 8-byte
    pieces a debug register can watch."""
    pieces = []
    while length > 0:
        n = 8
        while n > 1 and (addr % n or n > length):
            n //= 2
        pieces.append((addr, n))
        addr += n
        length -= n
    return pieces


def _unescape(body):
    if b"}" not in body:
        return body
    out = bytearray()
    it = iter(body)
    for b in it:
        if b == 0x7D:
            out.append(next(it, 0) ^ 0x20)
        else:
            out.append(b)
    return bytes(out)


stub = None


def gdbstub_init(port, exec_path=None, attach_pid=None):
    """Boot: listen for gdb (init/main.py, options gdb=, gdb_exec=, gdb_pid=)."""
    global stub
    stub = GdbStub(port, exec_path, attach_pid)
    try:
        stub.listen()
    except OSError as e:
        raise OSError(e.errno, "gdb=%d: %s" % (port, os.strerror(e.errno or _errno.EIO)))
    if exec_path is not None:
        ptrace.exec_hooks.append(stub.exec_hook)
    return stub
