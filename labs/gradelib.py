"""labs/gradelib.py - the grading library every lab's grade.py uses.

Like xv6's gradelib: a grader is a list of checks, each worth some points,

    from gradelib import *

    @test(20, "fork shares the parent's pages")
    def share():
        r = guest("cowtest share", kstate=True)
        r.expect_status(0)
        snap = r.record("after-fork")
        expect(snap["shared"] == 64, "64 pages shared", snap["shared"])

    run_tests()

and `make grade LAB=x` prints one line per check (`fork shares the
parent's pages: OK (20/20)`), the reason under any that failed (what was
expected, what was seen), and the score.  The exit status is 0 when every
check passed.

What a check can do:

 - boot the kernel of the tree being graded (`guest()`): the host's own /
   read-only as a hostfs root (Debian's binaries, the lab's programs built
   into build/labs/, busybox) or an initramfs, run a shell command line,
   feed it console input, collect its output, exit status and kernel log;
 - look inside the kernel: with kstate=True the boot gets the kstate=
   option, and what the guest asks /dev/kstate for (drivers/kstate.py: an
   mm's ptes with their frames' reference counts, page-table pages, tasks,
   pipes, futex queues...) comes back as records, read straight from the
   kernel's structures by code no lab touches;
 - run the same command natively (`native()`), the host kernel being the
   reference wherever it is a meaningful one.

Grading never depends on the host's speed: checks compare outputs, counts
and states, never wall-clock times; timeouts are generous safety nets, and
a timeout is reported as such.  A grader run twice gives the same score.
"""

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import traceback

LABS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(LABS)                # the tree being graded
BUILD = os.path.join(ROOT, "build")
LINUX = os.path.join(ROOT, "linux")
TIMEOUT = 180                               # seconds: a safety net only

__all__ = ["test", "run_tests", "guest", "native", "lab_prog", "expect", "expect_equal",
           "Fail", "ROOT", "BUILD", "once", "lines_matching", "parse_kv", "modes_script",
           "sections", "expect_same_section"]


class Fail(Exception):
    """A check failed: the message says what was expected and what was seen."""


def expect(cond, what, seen=None):
    """Fail with `what` (and what was seen instead) unless cond holds."""
    if not cond:
        raise Fail(what if seen is None else "%s\n  saw: %s" % (what, _short(seen)))


def expect_equal(got, want, what):
    if got != want:
        raise Fail("%s\n  expected: %s\n  saw:      %s" % (what, _short(want), _short(got)))


def _short(x, limit=1500):
    s = x if isinstance(x, str) else repr(x)
    return s if len(s) <= limit else s[:limit] + " ..."


# -- checks ---------------------------------------------------------------------

_tests = []


class Check:
    def __init__(self, fn, points, title, starter):
        self.fn = fn
        self.points = points
        self.title = title
        self.starter = starter              # "fail": the lab's starter must fail it
        self.ok = None
        self.reason = ""
        self.seconds = 0.0


def test(points, title=None, starter="fail"):
    """Register a check worth `points`.  starter="fail" (the default) says
    the lab's starter tree fails it (tests/test_labs.py holds every lab to
    that); starter="pass" marks a check that guards what the starter
    already has (e.g. that programs still run)."""
    def deco(fn):
        _tests.append(Check(fn, points, title or fn.__name__, starter))
        return fn
    return deco


def once(fn):
    """Memoise a function with no arguments: several checks can share one
    boot of the guest."""
    cache = []

    def wrapper():
        if not cache:
            try:
                cache.append(("ok", fn()))
            except BaseException as e:      # re-raised to every check that asks
                cache.append(("err", e))
        kind, val = cache[0]
        if kind == "err":
            raise val
        return val
    wrapper.__name__ = fn.__name__
    return wrapper


def run_tests(argv=None):
    """Run the checks; print the xv6-style report; exit 0 iff all passed.

    Options: --only TITLE (a substring; repeatable), --list, --json FILE
    (the results, for tests/test_labs.py)."""
    argv = sys.argv[1:] if argv is None else argv
    only, json_out = [], None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--only":
            only.append(argv[i + 1])
            i += 2
        elif a == "--json":
            json_out = argv[i + 1]
            i += 2
        elif a == "--list":
            for c in _tests:
                print("%3d  %s%s" % (c.points, c.title, "" if c.starter == "fail" else
                                     "   (the starter passes this too)"))
            sys.exit(0)
        else:
            sys.stderr.write("usage: grade.py [--only TITLE]... [--list] [--json FILE]\n")
            sys.exit(2)
    checks = [c for c in _tests if not only or any(o in c.title for o in only)]
    lab = os.path.basename(os.path.dirname(os.path.abspath(sys.argv[0])))
    print("== grading lab %s in %s ==" % (lab, ROOT))
    sys.stdout.flush()
    start = time.monotonic()
    for c in checks:
        t0 = time.monotonic()
        sys.stdout.write("%s: " % c.title)
        sys.stdout.flush()
        try:
            c.fn()
            c.ok = True
        except Fail as e:
            c.ok, c.reason = False, str(e)
        except subprocess.TimeoutExpired as e:
            c.ok, c.reason = False, "timed out after %ds (a hang?): %s" % (
                e.timeout, " ".join(map(str, e.cmd))[:200])
        except Exception as e:
            c.ok = False
            c.reason = "the grader hit an error: %s: %s\n%s" % (
                type(e).__name__, e, traceback.format_exc(limit=3))
        c.seconds = time.monotonic() - t0
        got = c.points if c.ok else 0
        print("%s (%d/%d) (%.1fs)" % ("OK" if c.ok else "FAIL", got, c.points, c.seconds))
        if not c.ok:
            for line in c.reason.rstrip().split("\n"):
                print("    " + line)
        sys.stdout.flush()
    score = sum(c.points for c in checks if c.ok)
    total = sum(c.points for c in checks)
    print("Score: %d/%d (%.1fs)" % (score, total, time.monotonic() - start))
    if json_out:
        with open(json_out, "w") as f:
            json.dump([{"title": c.title, "points": c.points, "ok": c.ok, "starter": c.starter,
                        "reason": c.reason, "seconds": c.seconds} for c in checks], f)
    sys.exit(0 if score == total else 1)


# -- guests ------------------------------------------------------------------------

def lab_prog(name, libc="musl"):
    """The path of a lab program (labs/LAB/NAME.c built into build/labs/)."""
    lab = os.path.basename(os.path.dirname(os.path.abspath(sys.argv[0])))
    p = os.path.join(BUILD, "labs", libc, lab, name)
    if not os.path.exists(p):
        raise Fail("%s is not built: run make lab-guests (make grade does)" % p)
    return p


class Run:
    """What one boot gave: console output, kernel log, exit status, and the
    kstate records the guest asked for."""

    def __init__(self, cmd, out, log, status, records):
        self.cmd = cmd
        self.out = out
        self.log = log
        self.status = status
        self.records = records

    def __repr__(self):
        return "<Run %r status %d>" % (self.cmd, self.status)

    def context(self):
        """Output and log, for a failure message."""
        log = "\n".join(l for l in self.log.splitlines() if "Kernel panic" not in l)
        return "guest output:\n%s\nkernel log:\n%s" % (_indent(self.out), _indent(log[-3000:]))

    def expect_status(self, want=0):
        if self.status != want:
            raise Fail("%r exited with status %d, expected %d\n%s"
                       % (self.cmd, self.status, want, self.context()))

    def expect_no_oops(self):
        if "Oops" in self.log or "Kernel panic - not syncing: " in self.log.replace(
                "Kernel panic - not syncing: Attempted to kill init!", ""):
            raise Fail("the kernel oopsed\n%s" % self.context())

    def expect_out(self, regex, what=None):
        """A line of output matches regex; returns the match."""
        m = re.search(regex, self.out, re.M)
        if m is None:
            raise Fail("%s\n  expected a line matching %r\n%s" % (
                what or "output", regex, self.context()))
        return m

    def record(self, tag, kind=None):
        """The kstate record the guest asked for with @tag."""
        got = [r for r in self.records if r.get("tag") == tag]
        if not got:
            raise Fail("the guest never asked /dev/kstate for @%s\n%s" % (tag, self.context()))
        r = got[-1]
        if "error" in r:
            raise Fail("kstate request %r failed: %s" % (r["req"], r["error"]))
        return r

    def tagged(self, prefix):
        return [r for r in self.records if (r.get("tag") or "").startswith(prefix)]


def _indent(s):
    return "\n".join("    | " + l for l in s.rstrip().split("\n")) if s.strip() else "    | (nothing)"


_SETUP = ("mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t tmpfs tmpfs /tmp; "
          "mount -t tmpfs tmpfs /run; ")


def _setup():
    """The guest's start: /proc, /sys, fresh /tmp and /run; a tree (or its
    build/) that lives under /tmp or /run on the host is mounted again at
    the same path (read-only hostfs), so that its programs stay where they
    are on the host."""
    cmd = _SETUP
    for d in sorted({os.path.realpath(ROOT), os.path.realpath(BUILD)}):
        if d.startswith(("/tmp/", "/run/")):
            cmd += "mkdir -p %s && mount -r -t hostfs none %s -o %s; " % ((shlex.quote(d),) * 3)
    return cmd + "cd /tmp; export PATH=/usr/bin:/bin:/usr/sbin:/sbin; "


def guest(cmd, kstate=False, stdin=None, mem="128M", boot_args=(), timeout=TIMEOUT,
          initrd=None, env=None):
    """Boot the kernel of this tree and run `cmd` (a shell command line, run
    by busybox sh as init) with the host's / as a read-only hostfs root and
    fresh tmpfs on /tmp and /run.  With initrd=FILE the initramfs is the root
    instead and cmd runs in its /bin/sh.  The lab's programs are at the same
    paths as on the host (build/labs/...).  Returns a Run."""
    tmp = tempfile.mkdtemp(prefix="pyuml-grade-")
    klog = os.path.join(tmp, "kstate.jsonl")
    args = ["mem=" + mem]
    if initrd is None:
        args += ["root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro",
                 "init=/bin/busybox"]
        init_args = ["sh", "-c", _setup() + cmd]
    else:
        args += ["initrd=" + initrd, "init=/bin/sh"]
        init_args = ["-c", "mount -t proc proc /proc 2>/dev/null; mount -t devtmpfs dev /dev "
                     "2>/dev/null; " + cmd]
    if kstate:
        args.append("kstate=" + klog)
    args += list(boot_args)
    args += ["%s=%s" % kv for kv in (env or {}).items()]
    kw = {"input": stdin.encode() if isinstance(stdin, str) else stdin} if stdin is not None \
        else {"stdin": subprocess.DEVNULL}
    try:
        p = subprocess.run([LINUX] + args + ["--"] + init_args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, **kw)
        records = []
        if os.path.exists(klog):
            with open(klog) as f:
                records = [json.loads(line) for line in f if line.strip()]
    finally:
        for n in os.listdir(tmp):
            os.unlink(os.path.join(tmp, n))
        os.rmdir(tmp)
    st = p.returncode
    status = 128 - st if st < 0 else st
    return Run(cmd, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"),
               status, records)


def native(cmd, stdin=None, timeout=TIMEOUT):
    """Run `cmd` with busybox sh on the host, in a fresh temporary directory
    (what /tmp is in the guest).  Returns a Run without records."""
    tmp = tempfile.mkdtemp(prefix="pyuml-native-")
    kw = {"input": stdin.encode() if isinstance(stdin, str) else stdin} if stdin is not None \
        else {"stdin": subprocess.DEVNULL}
    try:
        p = subprocess.run(["/bin/busybox", "sh", "-c", cmd], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout, cwd=tmp,
                           env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": "/",
                                "TERM": "linux", "TMPDIR": tmp},
                           preexec_fn=os.setpgrp, **kw)
    finally:
        subprocess.run(["rm", "-rf", tmp])
    st = p.returncode
    return Run(cmd, p.stdout.decode(errors="replace"), "", 128 - st if st < 0 else st, [])


def lines_matching(text, regex):
    return [m for m in (re.match(regex, l) for l in text.splitlines()) if m]


def parse_kv(text, prefix=""):
    """{key: value} from lines 'PREFIXkey=value ...' (values as ints when
    they are ints)."""
    out = {}
    for line in text.splitlines():
        if not line.startswith(prefix):
            continue
        for w in shlex.split(line[len(prefix):]):
            if "=" in w:
                k, v = w.split("=", 1)
                try:
                    out[k] = int(v, 0)
                except ValueError:
                    out[k] = v
    return out


def modes_script(prog, modes):
    """A shell script that runs `prog MODE` for each mode, each one's output
    headed by a line `== MODE` and ended by `rc=STATUS`: many cases in one
    boot, split again by sections()."""
    return "".join("echo '== %s'; %s %s; echo \"rc=$?\"; " % (m, prog, m) for m in modes)


def sections(text):
    """{MODE: its output} from what a modes_script printed."""
    out = {}
    for part in text.split("== ")[1:]:
        name, _, body = part.partition("\n")
        out[name.strip()] = body
    return out


def expect_same_section(got, want, mode, what):
    """The section `mode` of a guest's output (got: sections()) is what the
    host printed (want); a section the host run lacks is the grader's own
    failure, never a pass."""
    if want.get(mode) is None:
        raise Fail("the native run printed no section %r (is the program built?)" % mode)
    expect_equal(got.get(mode), want[mode], what)
