#!/usr/bin/env python3
"""scripts/ltp.py - run the Linux Test Project's system-call tests under pyuml.

`make ltp` builds LTP (scripts/ltp-build.sh) and calls this script, which

  1. reads the tests of LTP's runtest/syscalls (a tag and a command line);
  2. boots pyuml once per test - the host's / as a read-only hostfs root,
     tmpfs on /tmp, proc, sysfs and devtmpfs mounted - and runs the command
     in it under a hard timeout (a test that refuses tmpfs runs again with
     a fresh host directory as /tmp: TMPFS_REFUSED; one that sets the host
     id, with a writable copy of /etc/hostid: HOSTID_EROFS);
  3. runs the same command natively on this machine, in a fresh directory
     with the same environment (cached in build/, keyed by the test and its
     command), except for the tests that would change the host (the clock,
     swap, reboot, modules, mounts, block devices ...; HOST_CHANGING);
  4. prints a table: test, result under pyuml, result natively, reason; and
     the totals;
  5. compares the results with tests/ltp/expectations, the checked-in list of
     the tests that do not pass under pyuml, and fails on a regression (a
     test expected to pass that did not); a test that passes although it is
     listed is reported so that the list shrinks.

Results are kept per test under build/ltp-results/ARCH/ (the full log of the
boot: console output and kernel messages), so that a long list can be run
in chunks (--chunk K/N) and reported at the end (--report).

A result is one of PASS, FAIL, BROK, WARN, CONF (LTP's exit-status bits:
1 fail, 2 broken, 4 warning, 32 skipped) or one the harness gives itself,
because LTP cannot: OOPS (a Python traceback in the kernel log: a kernel
bug), HANG (no exit before the hard timeout), CRASH (the kernel itself
died), NOEXIT (the command never reported its status).  Reasons name what
the kernel said: ENOSYS lines ("unsupported syscall X"), the signal that
killed the test, or LTP's first TFAIL/TBROK/TCONF line.
"""

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
LINUX = os.path.join(ROOT, "linux")
EXPECTATIONS = os.path.join(ROOT, "tests", "ltp", "expectations")
CI_SUBSET = os.path.join(ROOT, "tests", "ltp", "ci-subset")

ARCHES = {"x86_64": os.path.join(BUILD, "ltp"), "i386": os.path.join(BUILD, "ltp32")}

# Tests that change the host when run natively: they run under pyuml only.
# Names are matched as prefixes of the runtest tag.
HOST_CHANGING = (
    "adjtimex", "clock_adjtime", "clock_settime", "settimeofday", "stime",
    "swapon", "swapoff", "reboot", "init_module", "finit_module",
    "delete_module", "mount", "umount", "fsmount", "fsopen", "fsconfig",
    "fspick", "move_mount", "open_tree", "mount_setattr", "pivot_root",
    "sethostname", "setdomainname", "acct", "quotactl", "syslog",
    "ioctl_loop", "ioctl_ns", "vhangup", "sysctl", "ioperm", "iopl",
    "leapsec",          # sets CLOCK_REALTIME to just before midnight, inserts a leap second
    "gethostid",        # sethostid rewrites /etc/hostid
)
# So does a test whose source asks LTP's library for a loop device with a
# file system mounted on it, huge pages or a rewritten system file: the
# build lists those programs in LTPROOT/host-changing.

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
ENOSYS = re.compile(r"unsupported syscall (\S+)")
OOPS = re.compile(r"Oops: (.*)")
LTP_LINE = re.compile(r"\b(TFAIL|TBROK|TCONF|TWARN)\b:?\s*(.*)")
RC_MARK = "ltp-harness-rc="
MEM_WANTED = re.compile(r"TCONF: Test needs at least (\d+)MB MemAvailable")
# A test that will not run with TMPDIR on tmpfs (leases, O_DIRECT: LTP's
# skip_filesystems and the old tests' own checks) or wants more room than a
# tmpfs sized by the boot's memory: natively its TMPDIR is on the host's
# disk, so it gets a disk too - a fresh host directory, mounted with hostfs.
TMPFS_REFUSED = re.compile(r"TCONF\b.*(tmpfs is not supported by the test"
                           r"|\bon (a file on )?tmpfs filesystem"
                           r"|Test on large file needs \d+G free space)")
# A test that sets the host id (sethostid writes /etc/hostid, natively the
# host's own file) on the read-only root gets a writable copy of that file,
# bind-mounted over it (or, if the host has none, of /etc): the rest of
# the root stays the host's, read-only.
HOSTID_EROFS = re.compile(r"set hostid to \S+ failed: EROFS")

SIGNALS = {s.value: s.name for s in signal.Signals}


# -- the list of tests -------------------------------------------------------

def read_runtest(ltp):
    """[(tag, argv)] from runtest/syscalls, in its order."""
    tests = []
    with open(os.path.join(ltp, "runtest", "syscalls")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            tag, cmd = line.split(None, 1)
            tests.append((tag, shlex.split(cmd)))
    return tests


def test_dir_index(ltp):
    """Program name -> the directory it is installed in."""
    d = os.path.join(ltp, "testcases", "bin")
    return {name: d for name in os.listdir(d)} if os.path.isdir(d) else {}


def read_host_changing(ltp):
    """The programs whose source asks for a block device, huge pages or a
    rewritten system file (listed by scripts/ltp-build.sh)."""
    for d in (ltp, ARCHES["x86_64"]):
        try:
            with open(os.path.join(d, "host-changing")) as f:
                return set(f.read().split())
        except OSError:
            continue
    return set()


def host_changing(tag, prog, flagged):
    if tag.startswith(HOST_CHANGING) or prog.startswith(HOST_CHANGING):
        return True
    base = re.sub(r"_(16|64)$", "", prog)
    return prog in flagged or base in flagged


# -- expectations --------------------------------------------------------------

def read_expectations(path=EXPECTATIONS):
    """{(tag, arch): reason}; arch '*' means both."""
    exp = {}
    if not os.path.exists(path):
        return exp
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3 or parts[1] not in ("*", "x86_64", "i386"):
                sys.exit("%s:%d: want 'TAG ARCH REASON' (ARCH: *, x86_64 or i386)" % (path, n))
            exp[(parts[0], parts[1])] = parts[2]
    return exp


# Who makes a failing test pass: the families other branches implement,
# matched on the test's name or on what the kernel said (the reason).
FAMILIES = [
    ("disk: needs a block device (LTP_DEV or a loop device)",
     r"", r"Failed to acquire device|BLK_DEV_LOOP|BLK_DEV_RAM|tst_device"),
    ("sysa: POSIX message queues", r"mq_", r"mq_open|mq_unlink|POSIX_MQUEUE"),
    ("sysa: Linux AIO", r"io_(setup|submit|getevents|cancel|destroy|pgetevents)", r"io_setup|CONFIG_AIO"),
    ("sysa: io_uring", r"io_uring", r"io_uring"),
    ("sysa: futex_waitv", r"futex_waitv", r"futex_waitv"),
    ("sysa: tee/vmsplice", r"tee0|vmsplice", r"ENOSYS: (tee|vmsplice)"),
    ("sysa: userfaultfd", r"userfaultfd", r"userfaultfd|USERFAULTFD"),
    ("sysa: cachestat", r"cachestat", r"cachestat"),
    ("sysa: mseal", r"mseal", r"mseal"),
    ("sysa: memfd_secret", r"memfd_secret", r"memfd_secret"),
    ("sysa: process_madvise/process_mrelease", r"process_madvise|process_mrelease", r"process_m"),
    ("sysa: NUMA calls", r"get_mempolicy|set_mempolicy|mbind|migrate_pages|move_pages",
     r"mempolicy|mbind|migrate_pages|move_pages|CONFIG_NUMA"),
    ("sysa: sched_setattr/sched_getattr", r"sched_(set|get)attr", r"sched_(set|get)attr"),
    ("sysa: modify_ldt", r"modify_ldt", r"modify_ldt"),
    ("sysa: pkey_*", r"pkey", r"pkey_"),
    ("sysa: sysfs(2)", r"sysfs0", r"ENOSYS: sysfs"),
    ("sysa: ustat", r"ustat", r"ustat"),
    ("sysa: vhangup", r"vhangup", r"vhangup"),
    ("sysa: hugetlb", r"hugemmap|hugeshm|hugefork", r"huge ?page|hugetlb|HUGETLB"),
    ("sysa: PROCMAP_QUERY", r"ioctl_procmap", r"PROCMAP"),
    ("sysb: keyrings", r"add_key|request_key|keyctl", r"add_key|request_key|keyctl|/proc/sys/kernel/keys"),
    ("sysb: seccomp", r"seccomp", r"seccomp|SECCOMP"),
    ("sysb: landlock", r"landlock", r"landlock"),
    ("sysb: extended attributes", r"\w*xattr", r"xattr"),
    ("sysb: leases", r"fcntl(23|24|25|26|27|32|33)", r"F_SETLEASE|lease"),
    ("sysb: F_SETSIG/O_ASYNC", r"fcntl31", r"F_SETSIG|O_ASYNC"),
    ("sysb: fanotify", r"fanotify", r"fanotify"),
    ("sysb: new mount API", r"fsopen|fsconfig|fsmount|fspick|move_mount|open_tree|mount_setattr|statmount|listmount",
     r"fsopen|fsmount|move_mount|open_tree|statmount|listmount"),
    ("sysb: setns", r"setns", r"ENOSYS: setns"),
    ("sysb: file handles", r"name_to_handle_at|open_by_handle_at", r"name_to_handle_at|open_by_handle_at"),
    ("sysb: fchmodat2", r"fchmodat2", r"fchmodat2"),
    ("ptrace: ptrace(2)", r"ptrace", r"ENOSYS: ptrace"),
    ("net: AF_INET/netlink", r"", r"EAFNOSUPPORT|AF_INET|netlink|/proc/sys/net"),
    ("tracing: syslog/dmesg", r"syslog", r"ENOSYS: syslog"),
    # what pyuml leaves out by design, or this machine lacks
    ("pyuml: no namespaces (CONFIG_*_NS unset)", r"ioctl_ns|clone30[14]|unshare05",
     r"CONFIG_(USER|PID|NET|TIME|IPC|UTS|MNT)_NS|/proc/self/ns/"),
    ("pyuml: no cgroups", r"", r"controller required|cgroup"),
    ("pyuml: no loadable modules (CONFIG_MODULES unset)", r"(init|finit|delete)_module", r""),
    ("pyuml: no process accounting (CONFIG_BSD_PROCESS_ACCT unset)", r"acct0", r""),
    ("pyuml: no BPF (CONFIG_BPF_SYSCALL unset)", r"bpf_", r""),
    ("pyuml: no perf events (CONFIG_PERF_EVENTS unset)", r"perf_event_open", r""),
    ("pyuml: no I/O port access (ioperm/iopl)", r"iop(erm|l)", r""),
    ("pyuml: _sysctl(2) is gone since Linux 5.5 (ENOSYS, LTP skips)", r"sysctl0", r"_sysctl"),
    ("pyuml: one CPU", r"", r"at least 2 CPUs"),
    ("pyuml: the boot's memory (mem=512M) is less than the test wants", r"",
     r"MemAvailable|malloc 2G"),
    ("pyuml: too slow for it: a million forks", r"fork13", r""),
    ("pyuml: the scheduler gives every task the same weight (nice does not change CPU share)",
     r"nice05", r""),
    ("disk: quotas need a disk file system", r"quotactl", r""),
    ("sysa: hugetlb", r"memfd_create04|shmget02", r"Huge page"),
]


def family(tag, reason):
    for name, tag_re, why_re in FAMILIES:
        if tag_re and re.match(tag_re, tag) or why_re and re.search(why_re, reason or ""):
            return name
    return None


def expected_reason(exp, tag, arch):
    return exp.get((tag, arch)) or exp.get((tag, "*"))


# -- running one test ------------------------------------------------------------

def guest_tmp(ltp):
    """Where the guest mounts its scratch tmpfs: /tmp, unless the LTP tree
    itself is under the host's /tmp (a checkout in /tmp), which a tmpfs
    there would hide from the guest."""
    return "/mnt" if os.path.realpath(ltp).startswith("/tmp/") else "/tmp"


def guest_env(ltp):
    return {
        "LTPROOT": ltp,
        "TMPDIR": guest_tmp(ltp),
        "PATH": "%s/testcases/bin:/usr/sbin:/usr/bin:/sbin:/bin" % ltp,
        # pyuml is slower than the host: give LTP's own timers more room
        "LTP_TIMEOUT_MUL": os.environ.get("LTP_TIMEOUT_MUL", "4"),
        # and run the tests that loop for a time (races, fuzzy sync) a
        # fifth as long, natively too: they stay meaningful, CI stays short
        "LTP_RUNTIME_MUL": os.environ.get("LTP_RUNTIME_MUL", "0.2"),
    }


def guest_script(ltp, d, argv, disk=None, hostid=False):
    """The shell's command line; disk: a host directory to mount (hostfs)
    as the scratch directory instead of a tmpfs; hostid: a writable copy
    of /etc/hostid, kept in the scratch directory."""
    env = " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in guest_env(ltp).items())
    tmp = guest_tmp(ltp)
    scratch = ("mount -t hostfs none %s -o %s" % (tmp, shlex.quote(disk)) if disk
               else "mount -t tmpfs tmpfs %s" % tmp)
    if hostid:
        # a host without /etc/hostid (gethostid then derives one from the
        # hostname) has no file to bind over: the guest gets a writable
        # copy of all of /etc instead (a few MB)
        scratch += ("; if [ -e /etc/hostid ]; then cat /etc/hostid > {t}/.hostid;"
                    " mount --bind {t}/.hostid /etc/hostid;"
                    " else cp -a /etc {t}/.etc && mount --bind {t}/.etc /etc; fi").format(t=tmp)
    # the host routes multicast by its default route; the guest, with
    # only lo, gets a route for it there (accept02 joins a group on the
    # interface the route names)
    return ("mount -t proc proc /proc; mount -t sysfs sys /sys; "
            "mount -t devtmpfs dev /dev; %s; "
            "mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts; "
            "mount -t tmpfs shm /dev/shm; ip route add 224.0.0.0/4 dev lo; "
            "cd %s; export %s; %s </dev/null; echo %s$?"
            % (scratch, tmp, env, " ".join(shlex.quote(a) for a in argv), RC_MARK))


def run_cmd(cmd, timeout, cwd=None, env=None):
    """(output, exit status or None on timeout, seconds).  The command gets
    its own process group, so that a timeout kills all of it."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        rc = None
    return out.decode(errors="replace"), rc, time.monotonic() - t0


def pyuml_cmd(ltp, d, argv, mem, disk=None, hostid=False):
    # with a disk, the guest may mount that one host directory read-write
    # and the rest of the host (its root) read-only (fs/hostfs_policy.py)
    grant = ["hostfs=/:ro", "hostfs=%s:rw" % disk] if disk else []
    return [LINUX, "mem=%s" % mem, "root=/dev/root", "rootfstype=hostfs",
            "rootflags=/", "ro"] + grant + [
            "init=/bin/sh", "--", "-c", guest_script(ltp, d, argv, disk, hostid)]


def run_pyuml(ltp, d, argv, timeout, mem, disk=None, hostid=False):
    return run_cmd(pyuml_cmd(ltp, d, argv, mem, disk, hostid), timeout)


def run_native(ltp, d, argv, timeout):
    with tempfile.TemporaryDirectory(prefix="ltp-native-") as tmp:
        env = dict(os.environ)
        env.update(guest_env(ltp))
        env["TMPDIR"] = tmp
        env.pop("LTP_TIMEOUT_MUL", None)
        prog = os.path.join(d, argv[0])
        out, rc, secs = run_cmd([prog] + argv[1:], timeout, cwd=tmp, env=env)
    return out + "\n%s%s\n" % (RC_MARK, rc), rc, secs


def ltp_status(rc):
    if rc == 0:
        return "PASS"
    if rc is None:
        return "NOEXIT"
    if rc > 128:
        return "SIG"
    for bit, name in ((2, "BROK"), (1, "FAIL"), (4, "WARN"), (32, "CONF")):
        if rc & bit:
            return name
    return "FAIL"


def classify(out, rc, timed_out, guest=True):
    """(result, reason) for one run's output."""
    text = ANSI.sub("", out)
    enosys = sorted(set(ENOSYS.findall(text)))
    oops = OOPS.search(text)
    m = re.findall(re.escape(RC_MARK) + r"(-?\d+|None)", text)
    status = int(m[-1]) if m and m[-1] != "None" else None
    reason = []
    if oops:
        result = "OOPS"
        reason.append("oops: " + oops.group(1).strip())
    elif timed_out:
        result = "HANG"
        reason.append("no exit before the timeout")
    elif guest and status is None and ("Traceback" in text or rc not in (0, None) and "Kernel panic" not in text):
        result = "CRASH"
        reason.append("kernel died (status %s)" % rc)
    elif status is None:
        result = "NOEXIT"
        reason.append("no exit status")
    else:
        result = ltp_status(status)
        if status > 128:
            reason.append("killed by %s" % SIGNALS.get(status - 128, status - 128))
    if enosys:
        reason.append("ENOSYS: " + ", ".join(enosys))
    needs = sorted(set(re.findall(r"Constraint '([^']*)' not satisfied", text)))
    if needs:
        reason.append("needs " + ", ".join(needs))
    if result not in ("PASS",):
        for line in text.splitlines():
            lm = LTP_LINE.search(line)
            if lm and lm.group(1) != "TCONF" or lm and result == "CONF":
                reason.append(lm.group(1) + ": " + lm.group(2).strip()[:100])
                break
    return result, "; ".join(reason)


# -- results on disk ----------------------------------------------------------------

def results_dir(arch):
    return os.path.join(BUILD, "ltp-results", arch)


def native_dir(arch):
    return os.path.join(BUILD, "ltp-native", arch)


def safe(tag):
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", tag)


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def save_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
    os.replace(tmp, path)


def run_one(arch, ltp, idx, flagged, tag, argv, args):
    d = idx.get(argv[0])
    key = " ".join(argv)
    rec = {"tag": tag, "cmd": key}
    if d is None:
        rec.update(pyuml="NOTBUILT", native="NOTBUILT", reason="not built")
        return rec
    skip_native = host_changing(tag, argv[0], flagged)
    # under pyuml
    mem = args.mem
    out, rc, secs = run_pyuml(ltp, d, argv, args.timeout, mem)
    # a test that asks for more free memory than the boot has gets a
    # bigger boot, as it would get a bigger machine (at most 2G)
    want = MEM_WANTED.search(ANSI.sub("", out))
    if want and int(want.group(1)) + 256 <= 2048:
        mem = "%dM" % (int(want.group(1)) + 256)
        out, rc, secs = run_pyuml(ltp, d, argv, args.timeout, mem)
    # one that refuses a tmpfs TMPDIR gets a disk one, as natively
    if TMPFS_REFUSED.search(ANSI.sub("", out)):
        with tempfile.TemporaryDirectory(prefix="ltp-disk-") as disk:
            out, rc, secs = run_pyuml(ltp, d, argv, args.timeout, mem, disk)
        rec["tmpdir"] = "disk"
    elif HOSTID_EROFS.search(ANSI.sub("", out)):
        out, rc, secs = run_pyuml(ltp, d, argv, args.timeout, mem, hostid=True)
        rec["etc_hostid"] = "writable copy" if os.path.isfile("/etc/hostid") else "writable /etc"
    with open(os.path.join(results_dir(arch), safe(tag) + ".log"), "w") as f:
        f.write(out)
    res, why = classify(out, rc, rc is None)
    rec.update(pyuml=res, reason=why, secs=round(secs, 1))
    # natively (cached)
    if skip_native:
        rec["native"] = "-"
    elif args.native:
        npath = os.path.join(native_dir(arch), safe(tag) + ".json")
        cached = load_json(npath)
        if not cached or cached.get("cmd") != key:
            nout, nrc, nsecs = run_native(ltp, d, argv, args.timeout)
            nres, nwhy = classify(nout, nrc, nrc is None, guest=False)
            cached = {"cmd": key, "result": nres, "reason": nwhy, "secs": round(nsecs, 1)}
            with open(os.path.join(native_dir(arch), safe(tag) + ".log"), "w") as f:
                f.write(nout)
            save_json(npath, cached)
        rec["native"] = cached["result"]
        rec["native_reason"] = cached["reason"]
    else:
        cached = load_json(os.path.join(native_dir(arch), safe(tag) + ".json"))
        rec["native"] = cached["result"] if cached and cached.get("cmd") == key else "?"
    save_json(os.path.join(results_dir(arch), safe(tag) + ".json"), rec)
    return rec


# -- selection, report, verdict ---------------------------------------------------------

def select(tests, args):
    if args.tests:
        pats = [re.compile(p + "$") for p in args.tests]
        tests = [t for t in tests if any(p.match(t[0]) for p in pats)]
    if args.subset == "ci":
        with open(CI_SUBSET) as f:
            want = {l.split()[0] for l in f if l.strip() and not l.startswith("#")}
        tests = [t for t in tests if t[0] in want]
    elif args.subset:
        n = int(args.subset)
        tests = tests[::n]
    if args.chunk:
        k, n = map(int, args.chunk.split("/"))
        tests = [t for i, t in enumerate(tests) if i % n == k - 1]
    return tests


def report(arch, tests, exp, out=sys.stdout):
    """Print the table and totals; return (regressions, unexpected passes)."""
    rows = []
    for tag, argv in tests:
        rec = load_json(os.path.join(results_dir(arch), safe(tag) + ".json"))
        if rec is None or rec.get("cmd") != " ".join(argv):
            continue
        rows.append(rec)
    w = max([len(r["tag"]) for r in rows] + [4])
    print("\n%-*s  %-8s %-8s %s" % (w, "test", "pyuml", "native", "reason"), file=out)
    regressions, fixed = [], []
    counts = {}
    for r in rows:
        why = expected_reason(exp, r["tag"], arch)
        res = r["pyuml"]
        counts[res] = counts.get(res, 0) + 1
        note = r.get("reason", "")
        if res == "NOTBUILT":
            pass
        elif res == "PASS" and r.get("first_run"):
            note = "passed on a second run (first: %s)" % r["first_run"]
        elif res == "PASS" and why and not why.startswith("flaky"):
            fixed.append(r["tag"])
            note = "UNEXPECTED PASS (listed: %s)" % why
        elif res != "PASS" and not why:
            regressions.append(r["tag"])
            note = "REGRESSION: " + note
        elif res != "PASS":
            note = "[%s] %s" % (why, note) if note else why
        print("%-*s  %-8s %-8s %s" % (w, r["tag"], res, r.get("native", "?"), note), file=out)
    nat_pass = [r for r in rows if r.get("native") == "PASS"]
    both = [r for r in nat_pass if r["pyuml"] == "PASS"]
    only_pyuml = [r for r in rows if r.get("native") == "-"]
    print("\n%s: %d tests run; %s" % (arch, len(rows), ", ".join(
        "%s %d" % kv for kv in sorted(counts.items()))), file=out)
    if nat_pass:
        print("%s: %d pass natively, %d of them under pyuml (%.1f %%)" % (
            arch, len(nat_pass), len(both), 100.0 * len(both) / len(nat_pass)), file=out)
    if only_pyuml:
        print("%s: %d run under pyuml only (they change the host), %d of them pass" % (
            arch, len(only_pyuml), sum(r["pyuml"] == "PASS" for r in only_pyuml)), file=out)
    return regressions, fixed, rows


def suggested_reason(r):
    """A first reason for a new line: the family, or what the native run
    says, or what pyuml said; edit it by hand to say the cause."""
    nat = r.get("native")
    if nat not in ("PASS", "-", "?"):
        return "fails natively too (%s): %s" % (nat, (r.get("native_reason") or "")[:90])
    fam = family(r["tag"], r.get("reason", ""))
    if fam:
        return fam
    return "not fixed yet (%s): %s" % (r["pyuml"], r.get("reason", "")[:100])


def update_expectations(arch, rows, exp):
    """Keep every line of other tests and the other arch; for the tests in
    rows, a line exactly when they did not pass.  A test failing on both
    subarchs for the same reason gets one '*' line."""
    other = "i386" if arch == "x86_64" else "x86_64"
    ran = {r["tag"]: r for r in rows if r["pyuml"] != "NOTBUILT"}
    new = {}
    for (tag, a), why in exp.items():
        if tag in ran and a == arch:
            continue
        if tag in ran and a == "*":
            new[(tag, other)] = why             # still true of the other arch
            continue
        new[(tag, a)] = why
    for tag, r in ran.items():
        if r["pyuml"] == "PASS":
            continue
        why = expected_reason(exp, tag, arch) or suggested_reason(r)
        if new.get((tag, other)) == why:
            del new[(tag, other)]
            new[(tag, "*")] = why
        else:
            new[(tag, arch)] = why
    write_expectations(new)


def write_expectations(exp, path=EXPECTATIONS):
    head = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if not line.startswith("#"):
                    break
                head.append(line)
    w = max([len(t) for t, _ in exp] + [8])
    with open(path, "w") as f:
        f.writelines(head)
        for (tag, a), why in sorted(exp.items()):
            f.write("%-*s %-6s %s\n" % (w, tag, a, why))
    print("ltp: wrote %d lines to %s" % (len(exp), os.path.relpath(path, ROOT)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tests", nargs="*", help="tags to run (regular expressions); default: all")
    ap.add_argument("--arch", default="x86_64", choices=sorted(ARCHES))
    ap.add_argument("--ltp", help="LTP build tree (default: build/ltp or build/ltp32)")
    ap.add_argument("--subset", help="'ci' (tests/ltp/ci-subset) or N: every Nth test")
    ap.add_argument("--chunk", help="K/N: run only the K-th of N interleaved chunks")
    ap.add_argument("-j", "--jobs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=200, help="hard timeout per test (s)")
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--no-native", dest="native", action="store_false",
                    help="do not run tests natively (use cached native results only)")
    ap.add_argument("--report", action="store_true", help="only report stored results")
    ap.add_argument("--update-expectations", action="store_true",
                    help="rewrite tests/ltp/expectations for the tests just reported: "
                         "drop those that pass, add the others (reasons kept where listed)")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 on a regression against tests/ltp/expectations")
    args = ap.parse_args()
    ltp = os.path.abspath(args.ltp or ARCHES[args.arch])
    if not os.path.exists(os.path.join(ltp, ".built")) and not args.report:
        sys.exit("ltp: no LTP build in %s (make ltp)" % ltp)
    tests = select(read_runtest(ltp), args)
    exp = read_expectations()
    os.makedirs(results_dir(args.arch), exist_ok=True)
    os.makedirs(native_dir(args.arch), exist_ok=True)
    if not args.report:
        idx = test_dir_index(ltp)
        flagged = read_host_changing(ltp)
        t0 = time.monotonic()
        done = 0

        def one(t):
            rec = run_one(args.arch, ltp, idx, flagged, t[0], t[1], args)
            # under --check, a test expected to pass that does not gets one
            # more run: a machine under load can lose a test's own timing
            # race; the second run's result stands, and the report says so.
            if (args.check and rec["pyuml"] not in ("PASS", "NOTBUILT")
                    and not expected_reason(exp, t[0], args.arch)):
                first = rec["pyuml"]
                rec = run_one(args.arch, ltp, idx, flagged, t[0], t[1], args)
                rec["first_run"] = first
                save_json(os.path.join(results_dir(args.arch), safe(t[0]) + ".json"), rec)
            return rec
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for rec in pool.map(one, tests):
                done += 1
                print("[%d/%d] %-24s %-8s %-8s %5ss %s" % (
                    done, len(tests), rec["tag"], rec["pyuml"], rec.get("native", ""),
                    rec.get("secs", "-"), rec.get("reason", "")), flush=True)
        print("%s: ran %d tests in %.0f s" % (args.arch, len(tests), time.monotonic() - t0))
    regressions, fixed, rows = report(args.arch, tests, exp)
    if fixed:
        print("%s: %d listed tests now pass - take them out of tests/ltp/expectations: %s"
              % (args.arch, len(fixed), " ".join(fixed)))
    if regressions:
        print("%s: %d REGRESSIONS (not listed in tests/ltp/expectations): %s"
              % (args.arch, len(regressions), " ".join(regressions)))
    if args.update_expectations:
        update_expectations(args.arch, rows, exp)
    listed = sum(1 for r in rows if r["pyuml"] not in ("PASS", "NOTBUILT")
                 and r["tag"] not in regressions)
    passed = sum(1 for r in rows if r["pyuml"] == "PASS")
    # the closing line: passed, regressions, and those listed as not passing
    print("ltp-%s: %d passed, %d failed, %d skipped" % (args.arch, passed, len(regressions), listed))

    if args.check and regressions:
        sys.exit(1)


if __name__ == "__main__":
    main()
