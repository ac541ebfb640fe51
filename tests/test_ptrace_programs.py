"""Real debuggers in guests: Debian's strace and gdb, run inside pyuml with
the host's / as a read-only hostfs root, against the same commands run
natively.  Outputs must be equal once pids and addresses are masked.
(kernel/ptrace.py; tests/test_ptrace.py has the request-by-request tests.)"""

import os
import re
import shutil
import subprocess

import pytest

from conftest import BUILD, boot, guest
import strace_norm as sn

pytestmark = pytest.mark.skipif(not (shutil.which("strace") and shutil.which("gdb")),
                                reason="needs Debian's strace and gdb (scripts/host-deps.sh)")

ENV = {"HOME": "/", "TERM": "linux", "PATH": "/usr/bin:/bin"}


def native_sh(script, timeout=120):
    p = subprocess.run(["/bin/sh", "-c", script], env=ENV, cwd="/", capture_output=True,
                       timeout=timeout)
    return p.stdout.decode(errors="replace"), p.returncode


def guest_sh(script, timeout=180, tmpfs=None):
    """script under pyuml, host / as the root; /proc mounted, and a tmpfs
    at tmpfs if given (the root is read-only)."""
    pre = "export PATH=/usr/bin:/bin; mount -t proc proc /proc; "
    if tmpfs:
        pre += "mount -t tmpfs tmpfs %s; " % tmpfs
    r = boot(["quiet", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro",
              "init=/bin/sh", "--", "-c", pre + script + "; echo status=$?"], timeout=timeout)
    out = r.out
    m = re.search(r"status=(\d+)\n?$", out)
    assert m, "no status\n%s\n%s" % (out, r.stderr.decode(errors="replace"))
    return out[:m.start()], int(m.group(1)), r.stderr.decode(errors="replace")


def mask_pids(text, pids):
    """Each pid becomes P0, P1, ... in the order given."""
    for i, pid in enumerate(pids):
        text = re.sub(r"\b%s\b" % pid, "P%d" % i, text)
    return text


def mask_addrs(text):
    return re.sub(r"0x[0-9a-f]{5,}", "0xADDR", text)


# -- strace -----------------------------------------------------------------------

STRACE_FF = ("exec 2>&1; strace -ff -qq -e trace=%process,pipe2 -e signal=!SIGCHLD -o {d}/tr "
             "sh -c 'echo hi | tr a-z A-Z; sh -c \"kill -TERM \\$\\$\"'; "
             "for f in $(ls {d} | sort -t. -k2 -n); do echo \"== $f\"; cat {d}/$f; echo; done 2>&1")


def _strace_ff(out):
    pids = re.findall(r"^== tr\.(\d+)$", out, re.M)
    # strace pads results to a column: pids of other widths move it
    return re.sub(r" +=", " =", mask_addrs(mask_pids(out, pids))), len(pids)


def test_strace_f_shell_pipeline(tmp_path):
    """strace -f (per process, -ff) of a pipeline and a shell killed by a
    signal: fork, vfork, execve, wait4, pipe2, kill, exit_group, the
    signal's delivery and the death, in each process's own order."""
    n_out, n_status = native_sh(STRACE_FF.format(d=tmp_path))
    u_out, u_status, log = guest_sh(STRACE_FF.format(d="/tmp"), tmpfs="/tmp")
    n, nprocs = _strace_ff(n_out)
    u, _ = _strace_ff(u_out)
    assert nprocs == 4 and "+++ killed by SIGTERM +++" in n, n
    assert u == n, "native:\n%s\npyuml:\n%s\n%s" % (n, u, log[-3000:])
    assert u_status == n_status


STRACE_F = ("exec 2>&1; strace -f -qq -e trace=%process,pipe2 -e signal=!SIGCHLD -o {d}/tr "
            "sh -c 'echo hi | tr a-z A-Z; sh -c \"kill -TERM \\$\\$\"'; cat {d}/tr")


def test_strace_f_one_log(tmp_path):
    """strace -f of the same pipeline into one log: the processes'
    lines interleave as the two schedulers ran them, so each process's
    own lines are compared (tests/strace_norm.py joins the
    <unfinished ...>/<... resumed> pairs and names pids in order)."""
    n_out, n_status = native_sh(STRACE_F.format(d=tmp_path))
    u_out, u_status, log = guest_sh(STRACE_F.format(d="/tmp"), tmpfs="/tmp")
    n, u = sn.normalise(n_out, False), sn.normalise(u_out, False)
    # P1: the pipeline's output, unprefixed; P2-P5 the four processes
    assert n["P1"] == ["HI", "Terminated"] and "+++ killed by SIGTERM +++" in n["P5"], n
    assert u == n, sn.diff(n, u) + "\n" + log[-3000:]
    assert u_status == n_status


# rseq is left out: pyuml has none (ENOSYS), the host has
STRACE_C = "strace -c -U name,calls,errors -S name -e trace=!rseq -o /dev/stdout {prog}"


@pytest.mark.parametrize("libc", ["musl", "glibc32"])
def test_strace_c(libc):
    """strace -c's table of calls and errors for a program with a fixed
    mix of system calls (glibc32: an i386 program, whose calls strace
    counts in a table of their own)."""
    cmd = STRACE_C.format(prog=guest("ptrace_victim", libc))
    n_out, _ = native_sh(cmd)
    u_out, u_status, log = guest_sh(cmd)
    assert "getpid                   3" in n_out and "total" in n_out, n_out
    assert ("for 32 bit mode" in n_out) == (libc == "glibc32"), n_out
    assert u_out == n_out, log[-3000:]
    assert u_status == 0


# -- gdb -----------------------------------------------------------------------------

GDB_RUN = ("gdb -nx -batch -ex 'break main' -ex run -ex bt -ex 'info registers {ip}' "
           "-ex 'print counter' -ex 'break add' -ex continue -ex 'print a' -ex finish "
           "-ex continue {prog}")


def _gdb_mask(text):
    return re.sub(r"process \d+", "process PID", text)


@pytest.mark.parametrize("build,ip", [("debug", "rip"), ("debug32", "eip")])
def test_gdb_runs_a_program(build, ip):
    """gdb runs a program under ptrace (fork, TRACEME, exec traps, int3
    breakpoints written through /proc/PID/mem, single steps over them,
    registers) and prints what it does natively; debug32: the same
    program as i386 code, a 64-bit tracer of a 32-bit tracee."""
    cmd = GDB_RUN.format(prog=os.path.join(BUILD, "guest", build, "gdbprog"), ip=ip)
    n_out, _ = native_sh(cmd + " 2>&1")
    u_out, u_status, log = guest_sh(cmd + " 2>&1")
    assert "Breakpoint 1, main ()" in n_out and "exited normally" in n_out, n_out
    assert _gdb_mask(u_out) == _gdb_mask(n_out), "native:\n%s\npyuml:\n%s\n%s" % (
        n_out, u_out, log[-3000:])


@pytest.mark.parametrize("libc", ["glibc", "glibc32"])
def test_gdb_reads_a_core_in_a_guest(tmp_path, libc):
    """The core file pyuml wrote (fs/coredump.py), read by gdb running as
    a guest, says what it says to gdb on the host (an i386 core too)."""
    prog = tmp_path / "coredump"
    shutil.copy(guest("coredump", libc), prog)
    r = boot(["quiet", "root=/dev/root", "rootfstype=hostfs", "rootflags=%s" % tmp_path, "rw",
              "init=/coredump", "--", "/", "thread"], timeout=60)
    core = tmp_path / "core"
    assert core.exists(), r.stderr.decode(errors="replace")
    cmd = "gdb -nx -batch -ex 'info threads' -ex bt %s %s 2>&1" % (prog, core)
    n_out, _ = native_sh(cmd)
    u_out, _, log = guest_sh(cmd)
    assert "Program terminated with signal SIGABRT" in n_out, n_out
    assert u_out == n_out, "native:\n%s\npyuml:\n%s\n%s" % (n_out, u_out, log[-3000:])


GDB_THREADS = ("gdb -nx -batch -ex 'break work' -ex run -ex bt -ex 'info threads' -ex 'print x' "
               "-ex finish -ex 'watch result' -ex continue -ex continue {prog} 2>&1")


def _gdb_threads_mask(text):
    text = re.sub(r"\b(LWP |process |expected=)\d+", r"\1N", mask_addrs(text))
    # where the first thread is (clone3 or pthread_join) is a race, natively too
    text = re.sub(r'^( +1 +Thread .*"gdbworker") .*$', r"\1", text, flags=re.M)
    return re.sub(r" {2,}", " ", text)          # columns padded to the LWPs' widths


@pytest.mark.parametrize("build", ["debug", "debug32"])
def test_gdb_threads_and_watchpoint(build):
    """gdb runs a threaded program: libthread_db finds the threads
    (TRACECLONE, __WALL), a breakpoint hits in the second thread, the
    thread list shows both (the first one's frame is left out: it may
    still be in clone3 or already in pthread_join), finish, a hardware
    watchpoint (DR0/DR7 written through POKEUSER) fires in the thread;
    debug32: i386 threads, their TLS through GET_THREAD_AREA."""
    cmd = GDB_THREADS.format(prog=os.path.join(BUILD, "guest", build, "gdbworker"))
    n_out, _ = native_sh(cmd)
    u_out, _, log = guest_sh(cmd)
    assert 'Thread 2 "gdbworker" hit Breakpoint 1, work (x=7)' in n_out, n_out
    assert "Hardware watchpoint 2: result" in n_out and "New value = 42" in n_out, n_out
    assert "exited normally" in n_out, n_out
    assert _gdb_threads_mask(u_out) == _gdb_threads_mask(n_out), \
        "native:\n%s\npyuml:\n%s\n%s" % (n_out, u_out, log[-3000:])


GDB_ATTACH = ("{prog} > {d}/out & P=$!; "
              "until grep -q pid {d}/out; do sleep 0.1; done; "
              "gdb -nx -batch -p $P -ex 'info threads' -ex 'print stop' -ex 'set var stop = 1' "
              "-ex detach 2>&1; wait $P; echo rc=$?; cat {d}/out")


def _gdb_attach_mask(text):
    text = _gdb_threads_mask(text)
    text = re.sub(r'("gdbthreads") .*', r"\1", text)    # where each spinning thread is
    # the frame gdb prints on attach: at a line's start or inside it
    # ("0x... in spin"), as the interrupted thread happens to be
    text = re.sub(r"^((?:0xADDR in )?spin \(arg=0x0\) at .*|\d+\t.*)\n", "", text, flags=re.M)
    return re.sub(r"pid \d+", "pid N", text)


def test_gdb_attaches_to_a_running_program(tmp_path):
    """gdb -p of a running two-thread program: PTRACE_ATTACH of each
    thread it finds in /proc/PID/task, the thread list, a variable
    written that ends the program's loops, PTRACE_DETACH; the program
    then finishes on its own."""
    cmd = GDB_ATTACH.format(prog=os.path.join(BUILD, "guest", "debug", "gdbthreads"), d="{d}")
    n_out, _ = native_sh(cmd.format(d=tmp_path))
    # the scratch tmpfs goes on /mnt, not /tmp: a checkout under /tmp
    # (a CI clone) would have its programs hidden by it
    u_out, _, log = guest_sh(cmd.format(d="/mnt"), tmpfs="/mnt")
    assert "$1 = 0" in n_out and "detached]" in n_out and "threads done" in n_out, n_out
    assert n_out.count('"gdbthreads"') == 2 and "rc=0" in n_out, n_out
    assert _gdb_attach_mask(u_out) == _gdb_attach_mask(n_out), \
        "native:\n%s\npyuml:\n%s\n%s" % (n_out, u_out, log[-3000:])


STRACE_P = ("{prog} > {d}/out & P=$!; until grep -q pid {d}/out; do sleep 0.1; done; "
            "(until [ $(grep -l 'TracerPid:[[:space:]]*[1-9]' /proc/$P/task/*/status | wc -l) = 2 ];"
            " do sleep 0.1; done; kill $P) & "
            "strace -qq -f -p $P 2>&1 | sed 's/[0-9][0-9]*/N/g; s/  */ /g' | sort; "
            "wait $P; echo rc=$?")


def test_strace_attaches_to_a_running_program(tmp_path):
    """strace -f -p of a running two-thread program (PTRACE_SEIZE and
    INTERRUPT of each thread in /proc/PID/task, TracerPid), then killed:
    the signal's delivery and the death, as natively."""
    cmd = STRACE_P.format(prog=os.path.join(BUILD, "guest", "debug", "gdbthreads"), d="{d}")
    n_out, _ = native_sh(cmd.format(d=tmp_path))
    # the scratch tmpfs goes on /mnt, not /tmp: a checkout under /tmp
    # (a CI clone) would have its programs hidden by it
    u_out, _, log = guest_sh(cmd.format(d="/mnt"), tmpfs="/mnt")
    assert "+++ killed by SIGTERM +++" in n_out and "--- SIGTERM {si_signo=SIGTERM" in n_out, n_out
    assert "rc=143" in n_out, n_out
    assert u_out == n_out, "native:\n%s\npyuml:\n%s\n%s" % (n_out, u_out, log[-3000:])
