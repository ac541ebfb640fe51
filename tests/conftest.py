"""Test harness: run guest programs natively and under pyuml, compare.

The host kernel is the reference: run(prog) boots ./linux with an initramfs
holding the program (and any files the test gives, at the same absolute
paths they have natively), and native(prog) runs the same binary on the
host with the same arguments and environment.  Tests compare stdout and the
exit status (128+N for death by signal N, as a shell reports it).

After every test, no stub host process may be left over.
"""

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
LINUX = os.path.join(ROOT, "linux")
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "usr"))

from gen_init_cpio import Archive  # noqa: E402

BASE_ENV = {"HOME": "/", "TERM": "linux"}

# make_initrd(files={path: FIFO}): a named pipe at path
FIFO = object()


def guest(name, libc="musl"):
    """Path of a built guest program: libc is musl, glibc, nolibc or asm."""
    p = os.path.join(BUILD, "guest", libc, name)
    if not os.path.exists(p):
        raise FileNotFoundError("%s not built (make guests)" % p)
    return p


@dataclass
class Result:
    stdout: bytes
    stderr: bytes
    status: int

    @property
    def out(self):
        return self.stdout.decode(errors="replace")


def make_initrd(path, init_prog, files=None, init_path="/prog"):
    """A newc archive with init_prog at init_path, /dev/console, and files
    ({absolute path: bytes, a host file path, or FIFO})."""
    a = Archive(mtime=0)
    a.dir("dev")
    a.nod("dev/console", 0o600, 0, 0, "c", 5, 1)
    a.nod("dev/null", 0o666, 0, 0, "c", 1, 3)
    a.parents(init_path)
    with open(init_prog, "rb") as f:
        a.file(init_path, f.read(), 0o755)
    for name, data in (files or {}).items():
        a.parents(name)
        if data is FIFO:
            a.pipe(name, 0o644)
            continue
        if isinstance(data, str):
            mode = os.stat(data).st_mode & 0o7777
            with open(data, "rb") as f:
                data = f.read()
        else:
            mode = 0o644
        a.file(name, data, mode)
    with open(path, "wb") as f:
        f.write(a.bytes())
    return path


def _status(returncode):
    return 128 - returncode if returncode < 0 else returncode


def boot(args, timeout=60, stdin=None):
    """Run ./linux with args; returns Result."""
    # input= gives the console's stdin (a pipe); without it, /dev/null
    kw = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    p = subprocess.run([LINUX] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, **kw)
    return Result(p.stdout, p.stderr, _status(p.returncode))


_counter = [0]

# boot options every run() adds: PYUML_BOOT="fastpaths=0" runs a test on
# the plain paths (init/switches.py); tests/test_plain_paths.py sets it too
BOOT_ARGS = os.environ.get("PYUML_BOOT", "").split()


def run(prog, args=(), files=None, env=None, timeout=60, mem="128M", stdin=None,
        tmpdir="/tmp", kernel_args=(), quiet=True):
    """Run prog as init under pyuml (quiet=False keeps the kernel log)."""
    _counter[0] += 1
    initrd = os.path.join(tmpdir, "pyuml-test-%d-%d.cpio" % (os.getpid(), _counter[0]))
    make_initrd(initrd, prog, files)
    try:
        extra = ["%s=%s" % kv for kv in (env or {}).items()]
        r = boot(["mem=" + mem] + (["quiet"] if quiet else []) + ["initrd=" + initrd, "init=/prog"]
                 + list(kernel_args) + BOOT_ARGS
                 + extra + ["--"] + [str(a) for a in args], timeout=timeout, stdin=stdin)
    finally:
        os.unlink(initrd)
    return r


def _no_core():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def native(prog, args=(), env=None, timeout=60, stdin=None):
    """Run prog on the host the way pyuml's init runs: same argv[0] (/prog
    is where run() puts it, so argv[0] is /prog), same environment."""
    e = dict(BASE_ENV)
    e.update(env or {})
    # its own process group, so that a hung test takes its whole process
    # tree with it when the timeout kills it
    p = subprocess.Popen(["/prog"] + [str(a) for a in args], executable=prog, env=e,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                         preexec_fn=_native_child, cwd="/")
    try:
        out, _ = p.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, 9)
        except ProcessLookupError:
            pass
        p.communicate()
        raise
    return Result(out, b"", _status(p.returncode))


def _native_child():
    os.setpgid(0, 0)
    _no_core()


def differential(prog, args=(), files=None, env=None, timeout=60, stdin=None, mem="128M"):
    """Assert prog behaves the same under pyuml as natively; returns both."""
    n = native(prog, args, env, timeout, stdin)
    u = run(prog, args, files, env, timeout, mem=mem, stdin=stdin)
    assert u.out == n.out, "stdout differs\n--- native\n%s\n--- pyuml\n%s\n--- kernel log\n%s" % (
        n.out, u.out, u.stderr.decode(errors="replace"))
    assert u.status == n.status, "exit status: native %d, pyuml %d\n%s" % (
        n.status, u.status, u.stderr.decode(errors="replace"))
    return n, u


def stub_processes():
    """Live host processes running a pyuml stub (they must never outlive a
    test).  Zombies are dead already and cannot be told apart from another
    worktree's (their exe link is gone): host init reaps them."""
    stubs = {os.path.realpath(os.path.join(BUILD, n)) for n in ("stub64", "stub32")}
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            exe = os.readlink("/proc/%s/exe" % pid)
        except OSError:
            try:
                with open("/proc/%s/stat" % pid) as f:
                    st = f.read()
                zombie = st.rsplit(")", 1)[-1].split()[:1] == ["Z"]
                if ("(stub64)" in st or "(stub32)" in st) and not zombie:
                    found.append(int(pid))
            except OSError:
                pass
            continue
        if exe.replace(" (deleted)", "") in stubs:
            found.append(int(pid))
    return found


@pytest.fixture(autouse=True)
def no_stray_host_processes():
    before = set(stub_processes())
    yield
    deadline = time.time() + 5
    while True:
        left = set(stub_processes()) - before
        if not left or time.time() > deadline:
            break
        time.sleep(0.05)
    assert not left, "stub host processes left behind: %s" % sorted(left)
