"""The GDB stub (kernel/gdbstub.py): ./linux gdb=0 gdb_exec=PROG stops PROG at
its first instruction and serves the GDB remote protocol on a free
127.0.0.1 port, which the kernel log names.  Host gdb debugs the guest
program through it (breakpoints, continue, backtrace, variables, steps),
its lines compared with those of the same session run natively by gdb;
a raw protocol client checks ^C, the thread list, memory, breakpoints,
exec-file and detach on a two-thread program."""

import os
import re
import select
import shutil
import socket
import struct
import subprocess
import time

import pytest

from conftest import BUILD, LINUX, guest

pytestmark = pytest.mark.skipif(not shutil.which("gdb"), reason="needs gdb")

DEBUG = os.path.join(BUILD, "guest", "debug")


_machines = []


@pytest.fixture(autouse=True)
def _end_machines():
    """A test that fails half way still ends its kernel (and its host
    processes) before the check that none is left."""
    yield
    while _machines:
        _machines.pop().finish(timeout=5)


class Machine:
    """./linux with the stub, the host / as its root, running prog (stopped
    at its exec, or with stop_at_exec=False left running in the background
    for an attach; its pid is then in self.pid)."""

    def __init__(self, prog, extra=(), stop_at_exec=True):
        _machines.append(self)
        self.prog = prog
        if stop_at_exec:
            opts = ["gdb_exec=" + prog]
            script = "%s; echo guest status $?" % prog
        else:
            opts = []
            script = "%s & wait $!; echo guest status $?" % prog
        self.k = subprocess.Popen(
            [LINUX, "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro", "gdb=0"]
            + opts + list(extra) + ["init=/bin/sh", "--", "-c", script],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.log = b""
        self.port = None
        self.wait_log(rb"listening on 127.0.0.1:(\d+)")
        self.port = int(re.search(rb"127.0.0.1:(\d+)", self.log).group(1))
        if not stop_at_exec:
            line = self.k.stdout.readline()         # the program says "pid N"
            self.pid = int(re.match(rb"pid (\d+)", line).group(1))

    def wait_log(self, pattern, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, self.log, re.M):
                return
            r, _, _ = select.select([self.k.stderr], [], [], 1)
            if r:
                line = self.k.stderr.readline()
                if not line:
                    break
                self.log += line
        raise AssertionError("no %r in the kernel log:\n%s" % (pattern, self.log.decode()))

    def finish(self, timeout=60):
        if self.k.returncode is not None:
            return ""
        try:
            out, err = self.k.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.k.send_signal(2)           # the kernel cleans up on SIGINT
            try:
                out, err = self.k.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                self.k.kill()
                out, err = self.k.communicate()
        self.log += err
        return out.decode(errors="replace")


def gdb_batch(cmds, prog, target=None):
    args = ["gdb", "-nx", "-batch"]
    if target:
        args += ["-ex", "target remote 127.0.0.1:%d" % target]
    for c in cmds:
        args += ["-ex", c]
    args.append(prog)
    env = {"HOME": "/", "TERM": "linux", "PATH": "/usr/bin:/bin"}
    p = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env, cwd="/")
    return p.stdout + p.stderr


SESSION = ["break add", "continue", "bt", "print a", "print counter", "next", "print sum",
           "step", "finish", "next", "info registers rip", "x/2i $pc", "print greeting",
           "set var counter = 99", "print counter", "continue"]


def _session_lines(out):
    """The lines that say where the program is and what it holds."""
    keep = re.compile(r"^(#\d|\$\d|Breakpoint \d, |\d+\t|Run till exit|Value returned|rip |=> |"
                      r"   0x|main \(\)|add \()")
    return [line for line in out.splitlines() if keep.match(line)]


def test_gdb_through_the_stub():
    prog = os.path.join(DEBUG, "gdbprog")
    m = Machine(prog)
    m.wait_log(rb"stopped for the debugger")
    out = gdb_batch(SESSION, prog, target=m.port)
    guest_out = m.finish()
    native = gdb_batch(["break add", "run"] + SESSION[2:], prog)
    assert "Breakpoint 1, add (a=41, b=1)" in out, out + m.log.decode()
    assert "#1  0x" in out and "in main () at" in out, out
    assert _session_lines(out) == _session_lines(native), "stub:\n%s\nnative:\n%s" % (out, native)
    assert "[Inferior 1 (Remote target) exited normally]" in out, out
    # the program's own output, with the value gdb wrote into it
    assert "hello, counter 99" in guest_out and "guest status 0" in guest_out, guest_out


WATCH_SESSION = ["hbreak add", "awatch counter", "rwatch greeting", "continue", "bt",
                 "continue", "continue", "delete", "continue"]


def _watch_lines(out):
    """Where the program stopped and why: breakpoints and watchpoints,
    old and new values, frames (addresses of the load and of the stack
    masked), the source lines."""
    keep = re.compile(r"^(#\d|Breakpoint \d, |\d+\t|Hardware|Old value|New value|Value = |"
                      r"Thread \d+ .*hit|0x[0-9a-f]+ in main|main \(\)|body \()")
    lines = [line for line in out.splitlines() if keep.match(line)]
    lines = [re.sub(r' "gdbworker"', "", line) for line in lines]   # names: native only
    return [re.sub(r"0x(0000)?7f[0-9a-f]{10}", "0xADDR", line) for line in lines]


@pytest.mark.parametrize("build", ["debug", "debug32"])
def test_stub_hardware_watchpoints(build):
    """hbreak, awatch and rwatch through the stub (Z1, Z4; gdb makes a
    read watchpoint of Z4, as x86 has no Z3): the threads' debug
    registers, and stop replies naming the watchpoint that fired (a single
    step over the breakpoint in main sets off the access watchpoint too,
    as natively)."""
    prog = os.path.join(BUILD, "guest", build, "gdbprog")
    m = Machine(prog)
    m.wait_log(rb"stopped for the debugger")
    out = gdb_batch(["break main", "continue"] + WATCH_SESSION, prog, target=m.port)
    guest_out = m.finish()
    native = gdb_batch(["break main", "run"] + WATCH_SESSION, prog)
    assert "Hardware access (read/write) watchpoint 2: counter" in native \
        or "Hardware access (read/write) watchpoint 3: counter" in native, native
    assert "Value = 41" in native and "New value = 42" in native, native
    assert _watch_lines(out) == _watch_lines(native), "stub:\n%s\nnative:\n%s\n%s" % (
        out, native, m.log.decode()[-2000:])
    assert "hello, counter 42" in guest_out and "guest status 0" in guest_out, guest_out


def test_stub_watchpoint_in_a_new_thread():
    """A watchpoint set before the thread exists fires in it: the stub
    gives new threads the debug registers (Linux starts them without)."""
    prog = os.path.join(DEBUG, "gdbworker")
    session = ["watch result", "continue", "bt", "continue"]
    m = Machine(prog)
    m.wait_log(rb"stopped for the debugger")
    out = gdb_batch(["break main", "continue"] + session, prog, target=m.port)
    guest_out = m.finish()
    native = gdb_batch(["break main", "run"] + session, prog)
    assert 'Thread 2 "gdbworker" hit Hardware watchpoint 2: result' in native, native
    assert _watch_lines(out) == _watch_lines(native), "stub:\n%s\nnative:\n%s\n%s" % (
        out, native, m.log.decode()[-2000:])
    assert "guest status 0" in guest_out, guest_out


class Client:
    """The GDB remote protocol, by hand."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buf = b""

    def _read_packet(self):
        while True:
            m = re.search(rb"\$([^#]*)#..", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m.group(1).decode("latin-1")
            data = self.s.recv(65536)
            assert data, "stub closed the connection"
            self.buf += data

    def send(self, payload, reply=True):
        cs = sum(payload.encode("latin-1")) & 0xFF
        self.s.sendall(b"$%s#%02x" % (payload.encode("latin-1"), cs))
        return self._read_packet() if reply else None

    def interrupt(self):
        self.s.sendall(b"\x03")
        return self._read_packet()


def test_stub_protocol_threads_interrupt_memory():
    prog = os.path.join(DEBUG, "gdbthreads")
    m = Machine(prog)
    m.wait_log(rb"stopped for the debugger")
    c = Client(m.port)
    assert "qXfer:features:read+" in c.send("qSupported:multiprocess+")
    stop = c.send("?")
    assert stop.startswith("T05thread:"), stop
    xml = c.send("qXfer:features:read:target.xml:0,4000")
    assert xml.startswith("l") and "i386:x86-64" in xml and 'name="orig_rax"' in xml
    assert c.send("qXfer:exec-file:read::0,400") == "l" + prog
    auxv = c.send("qXfer:auxv:read::0,1000")
    assert auxv[0] in "lm" and len(auxv) > 16
    assert len(c.send("g")) == 2 * (17 * 8 + 7 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4 + 3 * 8)
    # a breakpoint in spin(): when a thread gets there, both exist
    base = int(_exec_base(c), 16)
    spin = base + _symbol(prog, "spin")
    assert c.send("Z0,%x,1" % spin) == "OK"
    stop = c.send("c")
    assert stop.startswith("T05thread:") and "swbreak" in stop, stop
    regs = bytes.fromhex(c.send("g"))
    assert int.from_bytes(regs[16 * 8:17 * 8], "little") == spin      # back on the int3
    assert c.send("z0,%x,1" % spin) == "OK"
    # run, ^C: every thread stops
    c.send("c", reply=False)
    stop = c.interrupt()
    assert stop.startswith("T02thread:"), stop
    threads = c.send("qfThreadInfo")
    assert threads.startswith("m") and len(threads[1:].split(",")) == 2, threads
    assert c.send("qsThreadInfo") == "l"
    for tid in threads[1:].split(","):
        assert c.send("T" + tid) == "OK"
        assert c.send("Hg" + tid) == "OK"
        assert len(c.send("g")) > 100
    assert c.send("T7fffffff") == "E01"
    # memory: read the text, write it, read it back; a hole is an error
    regs = bytes.fromhex(c.send("g"))
    rip = int.from_bytes(regs[16 * 8:17 * 8], "little")
    text = c.send("m%x,8" % rip)
    assert len(text) == 16
    assert c.send("m10,8") == "E01"
    # a software breakpoint is invisible to reads, and goes away again
    assert c.send("Z0,%x,1" % rip) == "OK"
    assert c.send("m%x,8" % rip) == text
    assert c.send("z0,%x,1" % rip) == "OK"
    # tell the threads to end: write `stop` (found in the symbol table)
    addr = _symbol(prog, "stop")
    assert c.send("M%x,4:01000000" % (base + addr)) == "OK"
    assert c.send("m%x,4" % (base + addr)) == "01000000"
    assert c.send("D") == "OK"
    out = m.finish()
    assert "threads done" in out and "guest status 0" in out, out + m.log.decode()


def test_stub_watchpoint_packets():
    """Z2/Z4 take one debug register per aligned piece (4 in all), Z3 is
    not supported (x86), z2 gives registers back; a watchpoint set and
    taken out again never fires."""
    prog = os.path.join(DEBUG, "gdbprog")
    m = Machine(prog)
    m.wait_log(rb"stopped for the debugger")
    c = Client(m.port)
    assert "hwbreak+" in c.send("qSupported")
    c.send("?")
    counter = int(_exec_base(c), 16) + _symbol(prog, "counter")
    assert c.send("Z3,%x,4" % counter) == ""
    assert c.send("Z2,%x,4" % counter) == "OK"                 # 1 register
    assert c.send("Z2,%x,8" % (counter + 3)) == "E01"          # 1+4+2+1 bytes: 4 > 3 free
    assert c.send("Z4,%x,2" % (counter + 5)) == "OK"           # 1+1: 2 registers
    assert c.send("Z1,%x,1" % counter) == "OK"                 # the last one
    assert c.send("Z4,%x,1" % counter) == "E01"
    assert c.send("z4,%x,2" % (counter + 5)) == "OK"
    assert c.send("z2,%x,4" % counter) == "OK"
    assert c.send("z1,%x,1" % counter) == "OK"
    stop = c.send("c")
    assert stop.startswith("W00"), stop                    # nothing fired: it ran to its end
    out = m.finish()
    assert "hello, counter 42" in out, out + m.log.decode()


def _symbol(prog, name):
    out = subprocess.run(["nm", prog], capture_output=True, text=True).stdout
    return int(re.search(r"^([0-9a-f]+) \w %s$" % name, out, re.M).group(1), 16)


def _exec_base(c):
    """The load address of the (PIE) program, from its auxv's AT_PHDR."""
    raw = c.send("qXfer:auxv:read::0,1000")[1:].encode("latin-1")
    vals = dict(struct.iter_unpack("<QQ", raw[:len(raw) // 16 * 16]))
    return "%x" % (vals[3] - 64)                # AT_PHDR, just after the ELF header


def test_stub_kill():
    prog = os.path.join(DEBUG, "gdbthreads")
    m = Machine(prog)
    m.wait_log(rb"stopped for the debugger")
    c = Client(m.port)
    c.send("!")
    c.send("?")
    assert c.send("vKill;1") == "OK"
    out = m.finish()
    assert "guest status 137" in out, out + m.log.decode()


def test_stub_attach_to_a_running_process():
    """Extended mode's vAttach: a process already running is stopped, all
    its threads, and let go again with D."""
    prog = os.path.join(DEBUG, "gdbthreads")
    m = Machine(prog, stop_at_exec=False)
    c = Client(m.port)
    assert c.send("!") == "OK"
    assert c.send("?").startswith("W")              # nothing attached yet
    assert c.send("vAttach;%x" % 999999) == "E01"
    stop = c.send("vAttach;%x" % m.pid)
    assert stop.startswith("T") and "thread:" in stop, stop
    assert c.send("qAttached") == "1"
    assert c.send("qC") in ["QC%x" % tid for tid in range(m.pid, m.pid + 4)]
    base = int(_exec_base(c), 16)
    assert c.send("M%x,4:01000000" % (base + _symbol(prog, "stop"))) == "OK"
    assert c.send("D") == "OK"
    out = m.finish()
    assert "threads done" in out and "guest status 0" in out, out + m.log.decode()


def test_stub_i386_program():
    prog = guest("hello", "glibc32")
    m = Machine(prog)
    m.wait_log(rb"stopped for the debugger")
    out = gdb_batch(["info registers eip", "stepi", "info registers eip", "continue"], prog,
                    target=m.port)
    guest_out = m.finish()
    eips = re.findall(r"^eip\s+(0x[0-9a-f]+)", out, re.M)
    assert len(eips) == 2 and eips[0] != eips[1], out + m.log.decode()
    assert "exited normally" in out and "guest status 0" in guest_out, out + guest_out


@pytest.mark.parametrize("args,msg", [
    (["gdb=x"], "gdb=x: give a port number"),
    (["gdb=70000"], "not a port number"),
    (["gdb_exec=/bin/true"], "need gdb=PORT"),
    (["gdb=0", "gdb_exec=bin/true"], "absolute path"),
])
def test_stub_boot_options(args, msg):
    p = subprocess.run([LINUX, "init=/bin/true", "root=/dev/root", "rootfstype=hostfs",
                        "rootflags=/", "ro"] + args, capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and msg in p.stderr and p.stderr.count("\n") == 1, p.stderr
