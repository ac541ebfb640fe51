"""Core dumps (fs/coredump.py): a process killed by a core-dumping signal
under RLIMIT_CORE leaves ./core, an ELF core file, and only then does its
parent see WCOREDUMP.  The guest (tests/guest/coredump.c) reads the file
back: header, per-thread NT_PRSTATUS with its pid and signal, NT_PRPSINFO,
NT_SIGINFO, NT_AUXV, NT_FILE, and its own memory in the PT_LOAD segments.
And gdb, the file's real reader, opens it: signal, threads, backtrace.

(Not differential: whether the host writes a core file at all depends on
its core_pattern, which a container does not control.)"""

import shutil
import subprocess

import pytest

from conftest import boot, guest, run

FULL = ("core: regular 1 mode 600\n"
        "ELF 1 type 4 (ET_CORE 4) machine {machine}\n"
        "notes: {threads} thread(s), signal {sig}, pid ok 1, ip set 1, fname 1, "
        "siginfo signo {sig}, auxv 1, files 1\n"
        "loads > 3: 1, heap marker 1, stack marker 1, under 16 MiB on disk 1\n")


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
@pytest.mark.parametrize("mode,sig,threads", [("abort", 6, 1), ("segv", 11, 1), ("thread", 6, 2)])
def test_core_file(libc, mode, sig, threads):
    r = run(guest("coredump", libc), ["/tmp", mode], files={"/tmp/.keep": b""}, timeout=60)
    machine = 3 if libc == "glibc32" else 62
    want = "signaled 1 signal %d core 1\n" % sig + FULL.format(machine=machine, threads=threads, sig=sig)
    assert r.out == want, r.stderr.decode(errors="replace")
    assert r.status == 0


def test_no_core_without_rlimit_core():
    r = run(guest("coredump", "musl"), ["/tmp", "limit0"], files={"/tmp/.keep": b""})
    assert r.out == "signaled 1 signal 6 core 0\ncore file: none\n"


def test_core_file_stops_at_rlimit_core():
    r = run(guest("coredump", "glibc"), ["/tmp", "small"], files={"/tmp/.keep": b""})
    assert r.out == ("signaled 1 signal 6 core 1\ncore: regular 1 mode 600\n"
                     "data 1, at most 64 KiB of it: 1\n")


@pytest.mark.parametrize("libc", ["glibc", "musl", "glibc32"])
def test_gdb_reads_the_core(libc, tmp_path):
    """Boot a host directory as the root (hostfs, rw) so that the core file
    lands on the host, then ask gdb about it."""
    prog = tmp_path / "coredump"
    shutil.copy(guest("coredump", libc), prog)
    r = boot(["quiet", "root=/dev/root", "rootfstype=hostfs", "rootflags=%s" % tmp_path, "rw",
              "init=/coredump", "--", "/", "thread"], timeout=60)
    core = tmp_path / "core"         # (no /dev/console in that root: no output)
    assert r.status == 0 and core.exists(), r.stderr.decode(errors="replace")
    g = subprocess.run(["gdb", "-nx", "-batch", "-ex", "info threads", "-ex", "bt",
                        str(prog), str(core)], capture_output=True, text=True, timeout=120)
    out = g.stdout + g.stderr
    assert "Program terminated with signal SIGABRT" in out, out
    assert "2    Thread" in out or "2    LWP" in out, out          # both threads
    # musl has no unwind tables for raise's callers: gdb stops there natively too
    for frame in ("raise",) if libc == "musl" else ("abort", "child", "main"):
        assert " in %s " % frame in out or " in %s ()" % frame in out, out


def test_coredump_filter_and_timer_slack_are_inherited():
    """/proc/PID/coredump_filter lives in the mm and timerslack_ns in the
    task: both outlive fork and exec (the host's /bin/sh and cat, on the
    host's / as a read-only hostfs root, against the same script natively)."""
    script = ('echo 0x3f > /proc/self/coredump_filter; sh -c "cat /proc/self/coredump_filter"; '
              'echo 2000 > /proc/self/timerslack_ns; sh -c "cat /proc/self/timerslack_ns"')
    n = subprocess.run(["/bin/sh", "-c", script], stdout=subprocess.PIPE, timeout=60)
    assert n.stdout == b"0000003f\n2000\n"
    r = boot(["quiet", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro",
              "init=/bin/sh", "--", "-c", "mount -t proc proc /proc; " + script])
    assert r.out == n.stdout.decode(), r.stderr.decode(errors="replace")
