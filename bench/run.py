#!/usr/bin/env python3
"""bench/run.py - pyuml against native, as ratios (make bench).

For every workload in bench/workloads.py: run the guest natively and under
pyuml, print ns per operation for both, the ratio, and the ptrace stops per
operation (the kernel counts them with its `stats` option; a run with 0
iterations is subtracted so set-up does not count).  Absolute times on these
machines are noisy (PLATFORM.md): the best of a few runs is shown.
"""

import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "usr"))
sys.path.insert(0, ROOT)
from gen_init_cpio import Archive  # noqa: E402
from bench.workloads import WORKLOADS  # noqa: E402

LINUX = os.path.join(ROOT, "linux")
BUILD = os.path.join(ROOT, "build", "bench")
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def initrd(prog, extra=None):
    a = Archive(mtime=0)
    a.dir("dev")
    a.nod("dev/console", 0o600, 0, 0, "c", 5, 1)
    a.nod("dev/null", 0o666, 0, 0, "c", 1, 3)
    with open(prog, "rb") as f:
        a.file("prog", f.read(), 0o755)
    for name, path in (extra or {}).items():
        a.parents(name)
        with open(path, "rb") as f:
            a.file(name, f.read(), 0o755)
    fd, path = tempfile.mkstemp(suffix=".cpio")
    os.write(fd, a.bytes())
    os.close(fd)
    return path


def ns_per_op(out):
    m = re.search(rb"ns_per_op=([0-9.]+)", out)
    if not m:
        raise RuntimeError("no ns_per_op in %r" % out[-300:])
    return float(m.group(1))


def stops(err):
    m = re.search(rb"stats: ptrace_stops=(\d+)", err)
    return int(m.group(1)) if m else None


def run_native(prog, args):
    t = time.perf_counter()
    p = subprocess.run([prog] + args, stdout=subprocess.PIPE, check=True)
    return p.stdout, time.perf_counter() - t


def run_pyuml(rd, args, hostfs_prog=None):
    """Boot rd with /prog as init, or (hostfs_prog) the host's / read-only
    as the root with that program as init."""
    if hostfs_prog:
        boot = ["root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro",
                "init=" + hostfs_prog]
    else:
        boot = ["initrd=" + rd, "init=/prog"]
    t = time.perf_counter()
    # stdin is /dev/null: a terminal would be put in raw mode and watched
    p = subprocess.run([LINUX, "quiet", "stats"] + boot + ["--"] + args,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.stdout, p.stderr, time.perf_counter() - t


def make_ls_dir():
    """The directory of 1,000 small files that ls -l lists."""
    from bench.workloads import LS_DIR
    os.makedirs(LS_DIR, exist_ok=True)
    for i in range(1000):
        path = os.path.join(LS_DIR, "file%04d" % i)
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write("x" * (i % 97))


def ptrace_floor():
    """The C tracer doing the same getpid emulation (bench/ptrace_floor.c)."""
    prog = os.path.join(BUILD, "ptrace_floor")
    return min(ns_per_op(run_native(prog, ["100000"])[0]) for _ in range(REPEAT))


def main():
    only = set(sys.argv[1:])
    if not only or "getpid" in only:
        floor = ptrace_floor()
        print("C ptrace floor for an emulated getpid (same CPU, SYSEMU+GETREGS+SETREGS): %s"
              % _fmt(floor))
    print("%-12s %12s %12s %8s %10s  %s" % ("workload", "native", "pyuml", "ratio",
                                            "stops/op", "UML (PLATFORM.md)"))
    for name, binary, n, kind, desc, uml, *more in WORKLOADS:
        if only and name not in only:
            continue
        opts = more[0] if more else {}
        extra_args = list(opts.get("args", ()))
        if opts.get("setup"):
            globals()[opts["setup"]]()
        extra = None
        if isinstance(binary, tuple):
            binary, extra = binary
        prog = os.path.join(BUILD, binary)
        host_prog = prog if opts.get("hostfs") else None
        rd = initrd(prog, extra and {k: os.path.join(BUILD, v) for k, v in extra.items()})
        try:
            if kind == "in_guest":
                nat = min(ns_per_op(run_native(prog, [str(n)] + extra_args)[0])
                          for _ in range(REPEAT))
                best = None
                for _ in range(REPEAT):
                    out, err, _ = run_pyuml(rd, [str(n)] + extra_args, host_prog)
                    v = ns_per_op(out)
                    if best is None or v < best[0]:
                        best = (v, stops(err))
                uml_v, s_n = best
                _, err0, _ = run_pyuml(rd, ["0"] + extra_args, host_prog)
                s0 = stops(err0)
                per = (s_n - s0) / n if s_n is not None and s0 is not None else float("nan")
                pv = uml_v
            else:
                nat = min(run_native(prog, [])[1] for _ in range(REPEAT)) * 1e9
                res = [run_pyuml(rd, []) for _ in range(REPEAT)]
                pv = min(r[2] for r in res) * 1e9
                s = stops(res[0][1])
                per = float(s) if s is not None else float("nan")
            ratio = pv / nat if nat else float("nan")
            ref = "%s-%s" % (_fmt(uml[0]), _fmt(uml[1])) if uml else ""
            print("%-12s %12s %12s %7.1fx %10.1f  %s  (%s)" % (name, _fmt(nat), _fmt(pv), ratio,
                                                             per, ref, desc))
            if name == "getpid":
                print("%-12s %12s %12s %7.1fx   (pyuml against the C ptrace floor)"
                      % ("", _fmt(floor), _fmt(pv), pv / floor))
            sys.stdout.flush()
        finally:
            os.unlink(rd)


def _fmt(ns):
    if ns >= 1e9:
        return "%.2f s" % (ns / 1e9)
    if ns >= 1e6:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 1e3:
        return "%.1f us" % (ns / 1e3)
    return "%.0f ns" % ns


if __name__ == "__main__":
    main()
