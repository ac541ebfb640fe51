"""The kernel keeps its promises when guests misbehave (or it does).
The guests that try to get out are in test_escape.py."""

from conftest import differential, guest, run


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
    for libc in ("musl", "glibc"):
        differential(guest("vsyscall", libc))
        r = run(guest("vsyscall", libc), kernel_args=["stats"])
        assert "vsyscalls=3" in r.stderr.decode()


def test_kernel_bug_late_in_exec_is_an_oops():
    """A Python exception after exec's point of no return is a kernel bug:
    an oops in the log and the task killed, not a made-up SIGSEGV."""
    r = run(guest("oops", "musl"), ["exec"], kernel_args=["inject_oops=exec_late"], quiet=False)
    assert r.status == 0, r.stderr
    assert r.out == "exec child killed by signal 9\n"
    log = r.stderr.decode()
    assert "Oops: RuntimeError in execve" in log and "exec_late" in log
