"""The built-in tracer (`./linux strace=...`, kernel/trace/) against
Debian's strace run natively on the same static programs.

tests/guest/straced.c makes the same calls on both kernels; the two logs
are normalised (tests/strace_norm.py: pids, addresses and times masked,
unfinished/resumed pairs joined, the calls whose answer is the host's
dropped by a listed rule) and must then be equal, process by process.
The program sits at the same absolute path natively and in the guest's
initramfs, so paths and argv agree.
"""

import os
import re
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings

from conftest import LINUX, guest, make_initrd, run
from test_fuzz import records, wide_calls
import strace_norm as sn

STRACE = shutil.which("strace")
pytestmark = pytest.mark.skipif(STRACE is None, reason="strace is not installed (host-deps.sh)")
ENV = {"HOME": "/", "TERM": "linux"}
LIBCS = ["musl", "glibc", "glibc32"]


class Traced:
    def __init__(self, tmp_path, libc):
        self.dir = str(tmp_path)
        self.prog = os.path.join(self.dir, "straced")
        shutil.copy(guest("straced", libc), self.prog)
        self.initrd = make_initrd(os.path.join(self.dir, "rd.cpio"), self.prog,
                                  {self.dir + "/.keep": b""}, init_path=self.prog)

    def native(self, sections=(), trace=None, to_file=True):
        """(stdout, status, log) of Debian's strace -f on the program."""
        out = os.path.join(self.dir, "native.log")
        cmd = [STRACE, "-f"] + (["-o", out] if to_file else [])
        if trace:
            cmd += ["-e", "trace=" + trace]
        p = subprocess.run(cmd + [self.prog, self.dir] + list(sections), env=ENV, cwd="/",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=60)
        log = open(out).read() if to_file else p.stderr.decode()
        return p.stdout, p.returncode, log

    def pyuml(self, sections=(), trace="all", to_file=True, extra=()):
        out = os.path.join(self.dir, "pyuml.log")
        opts = ["strace=" + trace] + (["strace_file=" + out] if to_file else [])
        p = subprocess.run([LINUX, "quiet", "initrd=" + self.initrd, "init=" + self.prog]
                           + opts + list(extra) + ["--", self.dir] + list(sections),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=120)
        log = open(out).read() if to_file else p.stderr.decode()
        return p.stdout, p.returncode, log


def assert_same(native_log, pyuml_log):
    n, u = sn.normalise(native_log), sn.normalise(pyuml_log)
    assert n, "the native trace is empty"
    d = sn.diff(n, u)
    assert not d, "traces differ after normalisation:\n" + d


@pytest.mark.parametrize("libc", LIBCS)
def test_trace_matches_native_strace(tmp_path, libc):
    """Every section: files, memory, signals, processes (exits, kills,
    a fault), threads, sockets, exec; musl, glibc and i386."""
    t = Traced(tmp_path, libc)
    nout, nst, nlog = t.native()
    uout, ust, ulog = t.pyuml()
    assert (uout, ust) == (nout, nst)
    assert_same(nlog, ulog)
    # the things the comparison is about are there at all
    flat = re.sub(r" +=", " =", ulog)
    for want in ("+++ killed by SIGTERM +++", "+++ killed by SIGKILL +++", "+++ killed by SIGSEGV +++",
                 "+++ exited with 3 +++", "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED",
                 "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---",
                 "--- SIGUSR2 {si_signo=SIGUSR2, si_code=SI_USER",
                 "= ? ERESTARTNOHAND (To be restarted if no handler)",
                 "= -1 EINTR (Interrupted system call)",
                 "= -1 ENOENT (No such file or directory)",
                 ', 0x8, 4) = -1 EFAULT (Bad address)',
                 '"hello\\tworld\\n\\"quoted\\" \\\\ back\\1\\0022\\377", 31) = 31',
                 "O_RDWR|O_CREAT|O_TRUNC|", "O_CLOEXEC, 0640) = 3",
                 "PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x",
                 "_mode=S_IFREG|0640, st", "_size=131, ...}",
                 "sun_path=", "[{iov_base=\"ab\", iov_len=2}"):
        assert want in flat, "%r not in the pyuml trace" % want


@pytest.mark.parametrize("libc", LIBCS)
def test_threads_and_exit_group(tmp_path, libc):
    """strace -f of threads: clone/clone3 with its flags, and exit_group in
    one thread ending the others, each with its +++ line."""
    t = Traced(tmp_path, libc)
    nout, nst, nlog = t.native(["threads", "threadexit"])
    uout, ust, ulog = t.pyuml(["threads", "threadexit"])
    assert (uout, ust) == (nout, nst) and ust == 4
    assert_same(nlog, ulog)
    assert len(re.findall(r"^\d+ +\+\+\+ exited with 4 \+\+\+$", ulog, re.M)) == 3, ulog
    assert re.search(r"^\d+ +<\.\.\. pause resumed>\) += \?$", ulog, re.M), ulog


@pytest.mark.parametrize("libc", LIBCS)
def test_terminal_ioctls_and_prctl(tmp_path, libc):
    """termios, winsize and int arguments of the tty ioctls (read ones at
    the return), prctl's per-option arguments."""
    t = Traced(tmp_path, libc)
    _, _, nlog = t.native(["tty"], trace="ioctl,prctl")
    _, _, ulog = t.pyuml(["tty"], trace="ioctl,prctl")
    assert_same(nlog, ulog)
    assert "c_lflag=ISIG|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}" in ulog
    assert "{ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}" in ulog


@pytest.mark.parametrize("libc", LIBCS)
def test_interrupted_sleep_restart_syscall(tmp_path, libc):
    """A sleep cut by a signal without a handler (SIGCHLD) is taken up by
    restart_syscall(<... resuming interrupted NAME ...>); one with a
    handler (SIGUSR1) then ends it with EINTR."""
    trace = "nanosleep,clock_nanosleep,clock_nanosleep_time64,restart_syscall"
    t = Traced(tmp_path, libc)
    _, _, nlog = t.native(["restart"], trace=trace)
    _, _, ulog = t.pyuml(["restart"], trace=trace)
    assert_same(nlog, ulog)
    joined = [line for _, line in sn.join_unfinished(ulog)]
    assert any(re.match(r"restart_syscall\(<\.\.\. resuming interrupted (clock_)?nanosleep "
                        r"\.\.\.>\) += \? ERESTART_RESTARTBLOCK \(Interrupted by signal\)$", line)
               for line in joined), ulog


def test_unsupported_call_is_enosys_in_the_trace(tmp_path):
    t = Traced(tmp_path, "glibc")
    _, _, ulog = t.pyuml(["files"], trace="rseq")
    assert re.match(r"^\d+ +rseq\(0x[0-9a-f]+, 0x20, 0, 0x53053053\) += -1 ENOSYS "
                    r"\(Function not implemented\)$", ulog.splitlines()[0]), ulog


@pytest.mark.parametrize("trace", ["openat,close", "%file", "%process", "%signal", "%memory",
                                   "%desc", "%network", "%ipc", "%%stat", "%fstat",
                                   "!write,rt_sigprocmask"])
def test_filters_and_classes(tmp_path, trace):
    """strace=NAMES and strace=%CLASS select what Debian's strace -e trace= does."""
    t = Traced(tmp_path, "glibc")
    sections = ["files", "mem", "signals", "sockets", "ipc"]
    _, _, nlog = t.native(sections, trace=trace)
    _, _, ulog = t.pyuml(sections, trace=trace)
    assert_same(nlog, ulog)


def test_stderr_output_with_pid_prefixes(tmp_path):
    """Without strace_file= the trace goes to the kernel's stderr, with
    strace -f's "[pid %5d] " prefixes while more than one task lives; it
    says what the strace_file= log says (compared with native above)."""
    t = Traced(tmp_path, "musl")
    _, _, flog = t.pyuml(["procs"])
    _, _, ulog = t.pyuml(["procs"], to_file=False)
    ulog = "\n".join(l for l in ulog.splitlines() if not re.match(r"\[\s*\d+\.\d+\] ", l))
    lines = ulog.splitlines()
    assert not lines[0].startswith("[pid"), lines[0]
    assert any(re.match(r"\[pid +\d+\] ", l) for l in lines)
    assert all(re.match(r"\[pid [ \d]{4}\d\] \S", l) for l in lines if l.startswith("[pid"))
    # the last process standing prints without a prefix again
    assert lines[-1] == "+++ exited with 0 +++", lines[-1]
    # the same events as the file (two runs: the interleaving may differ)
    # (a call cut short by its task's death, `pause() = ?` of the child
    # that is SIGKILLed, is dropped as tests/strace_norm.py's rule 4 does:
    # whether the child had begun it when the kill came is timing)
    def events(text):
        return sorted(re.sub(r"si_([us])time=\d+(?: /\* [\d.]+ s \*/)?", r"si_\1time=T",
                             re.sub(r"\s+= ", " = ", line)) for _, line in sn.join_unfinished(text)
                      if not (line.endswith(" = ?") and not line.startswith(("exit(", "exit_group("))))
    assert events(ulog) == events(flog)


def test_unfinished_and_resumed(tmp_path):
    """A call that sleeps while another task prints is cut with
    <unfinished ...> and picked up with <... NAME resumed>."""
    t = Traced(tmp_path, "glibc")
    _, _, ulog = t.pyuml(["procs"])
    waits = re.findall(r"^(\d+) +wait4\((\d+),  <unfinished \.\.\.>$", ulog, re.M)
    assert waits, ulog
    assert any(re.search(r"^%s +\+\+\+ exited with 3 \+\+\+$" % c, ulog, re.M) and re.search(r"^%s +<\.\.\. wait4 resumed>\[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 3\}\], "
                     r"0, NULL\) += %s$" % (p, c), ulog, re.M) for p, c in waits), ulog


@pytest.mark.parametrize("opts,msg", [
    (["strace=nosuchcall"], "unknown system call 'nosuchcall'"),
    (["strace=%nosuchclass"], "unknown class %nosuchclass"),
    (["strace=open,"], "empty name"),
    (["strace=all", "strace_file=/nonexistent/dir/log"], "No such file or directory"),
    (["strace_file=/tmp/x.log"], "give strace= too"),
])
def test_bad_option_is_a_one_line_error(opts, msg):
    p = subprocess.run([LINUX, "init=/prog"] + opts, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60)
    err = p.stderr.decode()
    assert p.returncode != 0
    assert len(err.splitlines()) == 1 and err.startswith("linux: ") and msg in err, err


@settings(max_examples=int(os.environ.get("PYUML_FUZZ_EXAMPLES", "10")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(calls=wide_calls)
def test_hostile_arguments_are_decoded_without_a_fault(tmp_path_factory, calls):
    """Whatever a program passes, the decoders print it (bad pointers as
    addresses) and never fail: no oops, no decoder error in the trace,
    every call line complete."""
    d = tmp_path_factory.mktemp("sfuzz")
    path, log = d / "calls.bin", d / "trace.log"
    data = records(calls)
    path.write_bytes(data)
    r = run(guest("sysfuzz", "musl"), [str(path)], files={str(path): data}, timeout=60,
            quiet=False, kernel_args=["strace=all", "strace_file=%s" % log])
    klog = r.stderr.decode(errors="replace")
    assert "Oops" not in klog and "Traceback" not in klog, klog[-3000:]
    text = log.read_text(errors="replace")
    assert text.rstrip().splitlines()[-1].split(None, 1)[1].startswith("+++ "), text[-2000:]
    assert "/* strace:" not in text, text[-3000:]
    for pid, line in sn.join_unfinished(text):
        assert re.search(r"\) += (-?\d+|0x[0-9a-f]+|\?)( |$)|^--- SIG|^\+\+\+ ", line), line
