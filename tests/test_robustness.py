"""The kernel keeps its promises when guests misbehave (or it does)."""

import os

from conftest import BUILD, guest, run


def test_guest_cannot_touch_the_stub():
    r = run(guest("escape", "nolibc"), ["maps"])
    assert r.status == 0
    assert r.out == ("mmap fixed on stub: -12\nmmap fixed over stub: -12\n"
                     "munmap stub: -22\nmprotect stub: -12\nmmap hint at stub: 0x0\n"
                     "still alive\n")


def _stub_symbol(name):
    from elftools.elf.elffile import ELFFile
    with open(os.path.join(BUILD, "stub64"), "rb") as f:
        for s in ELFFile(f).get_section_by_name(".symtab").iter_symbols():
            if s.name == name:
                return s["st_value"]
    raise KeyError(name)


def test_system_call_from_the_stub_is_fatal():
    """Jumping into the stub's code to make it run a host system call: the
    address space is killed, the kernel (and the machine) survive."""
    for sym in ("stub_syscall_handler", "stub_init"):
        r = run(guest("escape", "nolibc"), ["jump", hex(_stub_symbol(sym))])
        assert r.out == "jumping\n"
        assert r.status == 128 + 9
        assert "system call from inside the stub" in r.stderr.decode()


def test_int80_from_64bit_never_reaches_the_host():
    """Natively, `int $0x80` open() from 64-bit code opens the host's file;
    under pyuml the kernel answers it (i386 ABI, the guest's own files) and
    the host file is out of reach."""
    from conftest import native
    n = native(guest("escape", "nolibc"), ["int80", "/etc/hostname"])
    assert n.out.startswith("int80 open: 0x")           # the host opened it
    r = run(guest("escape", "nolibc"), ["int80", "/etc/hostname"])
    assert r.status == 0
    assert r.out in ("int80 open: -2\nstill alive\n",     # i386 ABI: ENOENT here
                     "int80 open: -38\nstill alive\n")    # refused: ENOSYS


def test_kernel_bug_is_an_oops_not_a_crash():
    """A Python exception inside a system call kills that task only, with
    the traceback in the kernel log; unknown calls are ENOSYS, logged once."""
    for libc in ("musl", "glibc"):
        r = run(guest("oops", libc), kernel_args=["inject_oops=getppid"], quiet=False)
        assert r.status == 0, r.stderr
        assert r.out == ("kexec_load: -1 Function not implemented\n" * 2
                         + "child killed by signal 9\nparent: getpid still works: yes\n")
        log = r.stderr.decode()
        assert "Oops: RuntimeError in getppid" in log
        assert "Traceback (most recent call last)" in log
        assert log.count("unsupported syscall kexec_load") == 1


def test_vsyscall_page_calls_are_answered_by_the_kernel():
    """Calls into the host's [vsyscall] page would be answered by the host
    behind the kernel's back; the stub's seccomp filter turns them into
    SIGSYS and the kernel answers (counted by the `stats` option)."""
    from conftest import differential
    for libc in ("musl", "glibc"):
        differential(guest("vsyscall", libc))
        r = run(guest("vsyscall", libc), kernel_args=["stats"])
        assert "vsyscalls=3" in r.stderr.decode()


def test_no_host_process_outlives_a_killed_kernel(tmp_path):
    """SIGKILL (or SIGTERM) to the kernel itself, no chance to clean up:
    every host process it traced dies with it.  PTRACE_O_EXITKILL does it;
    were it missing, a stub let go would still die at once -- its seccomp
    filter turns any host system call of guest code into SIGSYS and its
    preemption tick (SIGVTALRM) ends a busy loop.  The autouse fixture
    finds no stub process left either way."""
    import signal
    import subprocess
    from conftest import LINUX, make_initrd, stub_processes
    rd = make_initrd(str(tmp_path / "spin.cpio"), guest("spin", "musl"))
    before = set(stub_processes())
    for sig in (signal.SIGKILL, signal.SIGTERM):
        p = subprocess.Popen([LINUX, "quiet", "initrd=" + rd, "init=/prog"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert p.stdout.readline() == b"ready\n"
        assert len(set(stub_processes()) - before) >= 4     # init and 3 children
        p.send_signal(sig)
        p.wait(timeout=10)
        p.stdout.close()


def test_kernel_bug_late_in_exec_is_an_oops():
    """A Python exception after exec's point of no return is a kernel bug:
    an oops in the log and the task killed, not a made-up SIGSEGV."""
    r = run(guest("oops", "musl"), ["exec"], kernel_args=["inject_oops=exec_late"], quiet=False)
    assert r.status == 0, r.stderr
    assert r.out == "exec child killed by signal 9\n"
    log = r.stderr.decode()
    assert "Oops: RuntimeError in execve" in log and "exec_late" in log
