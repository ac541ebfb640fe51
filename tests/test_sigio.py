"""Signal-driven I/O (fs/fasync.py: F_SETOWN, F_SETSIG, O_ASYNC) and
leases (fs/locks.py: F_SETLEASE, lease breaking), compared with the host
kernel (tests/guest/sigio.c; a tmpfs directory: /dev/shm natively)."""

import pytest

from conftest import differential, guest, run
from test_tty import tty_differential


@pytest.mark.parametrize("libc", ["musl", "glibc"])
@pytest.mark.parametrize("what", ["owner", "files", "lease"])
def test_sigio(what, libc):
    # the initramfs of tests/test_tty.py: /dev/ptmx for the pty case
    tty_differential(guest("sigio", libc), [what, "/dev/shm"])


@pytest.mark.parametrize("what", ["files", "lease"])
def test_sigio_i386(what):
    tty_differential(guest("sigio", "glibc32"), [what, "/dev/shm"])


def test_lease_break_time():
    """/proc/sys/fs/lease-break-time: a holder that does not answer loses
    its lease (a write lease is downgraded for a reader, removed for a
    writer) and the opener goes on.  Only under pyuml: natively it would
    change the host's setting."""
    r = run(guest("sigio", "glibc"), ["breaktime", "/tmp"])
    assert r.out == ("fcntl(fd, F_SETLEASE, F_WRLCK) -> 0\nreader: open done\n"
                     "fcntl(fd, F_GETLEASE) -> 0\nwriter: open done\n"
                     "fcntl(fd, F_GETLEASE) -> 2\n"), r.out


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_socket_owner_ioctls(libc):
    """FIOSETOWN/SIOCSPGRP and FIOGETOWN/SIOCGPGRP on unix, TCP and UDP
    sockets are the file's F_SETOWN owner, as sock_ioctl's f_setown and
    f_getown: F_GETOWN/F_GETOWN_EX read what the ioctls set and the other
    way round, the errors (ESRCH, INT_MIN, EFAULT) leave it, and SIGIO
    goes to an owner set by ioctl alone."""
    n, u = differential(guest("sockowner", libc))
    assert u.out.endswith("done\n")


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_setown_takes_any_pid_the_kernel_has(libc):
    """F_SETOWN/F_SETOWN_EX take a non-leader thread, a zombie and a
    process id as a group (find_vpid), ESRCH once it is reaped; F_GETOWN
    is 0 while no task of the owner's kind has the number (pid_task)."""
    n, u = differential(guest("fsetown", libc))
    assert u.out.endswith("done\n")
