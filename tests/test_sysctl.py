"""/proc/sys (fs/proc/proc_sysctl.py): the tunables read as Linux's do,
root's writes take effect where the kernel uses them (uname's nodename,
the core file's name, the pipe size users may ask for, the overcommit
policy, inotify's limit), and what Linux refuses is refused the same way
(bad numbers, out of range, read-only files even for root, other users).

Not differential: writing the host's /proc/sys is not something a test
may do, so the expected text is written out here (the values are Linux's
defaults; the errnos are what Linux 6.18 gives, checked by hand).  One
line differs from Linux on purpose: a "|program" core_pattern writes no
core here (there is no usermode helper to pipe it to), where Linux would
run the program."""

import pytest

from conftest import boot, guest, run
from test_busybox import INITRD as INITRD_BUSYBOX

EXPECTED = """\
kernel/ostype = Linux
kernel/ngroups_max = 65536
kernel/cap_last_cap = 40
kernel/overflowuid = 65534
kernel/core_pattern = core
kernel/core_uses_pid = 0
kernel/pid_max = 4194304
kernel/msgmax = 8192
kernel/msgmnb = 16384
kernel/sem = 32000	1024000000	500	32000
vm/overcommit_memory = 0
vm/mmap_min_addr = 65536
fs/nr_open = 1048576
fs/pipe-max-size = 1048576
fs/inotify/max_user_instances = 128
fs/inotify/max_queued_events = 16384
net/core/somaxconn = 4096
boot_id stable 1, 36 chars 1
uuid changes 1
hostname := guest-7: ok
uname nodename guest-7, file guest-7
after sethostname: via-call
core_pattern := /tmp/dump.%e.%s: ok
child core 1, /tmp/dump.COMM.6 exists 1
core_pattern := |/bin/false: ok
piped pattern: core 0
pipe-max-size := 4096: ok
  user asks 64 KiB: ok
  user asks 128 KiB: EPERM
  user shrinks to 8 KiB: ok
  user writes hostname: open EACCES
1 GiB (the machine has less) with overcommit 0: ENOMEM
overcommit_memory := 1: ok
1 GiB (the machine has less) with overcommit 1: ok
max_user_instances := 1: ok
two instances: 1 EMFILE
pid_max := 1: EINVAL
pid_max := abc: EINVAL
pid_max := 5 6: EINVAL
overcommit := 3: EINVAL
ostype (read-only): open EACCES
no such: open: ENOENT
mkdir in /proc/sys: ENOENT
"""


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_sysctl_reads_writes_and_effects(libc):
    r = run(guest("sysctl", libc), files={"/tmp/.keep": b""}, timeout=60)
    assert r.out == EXPECTED, r.stderr.decode(errors="replace")
    assert r.status == 0


def test_busybox_sysctl():
    """busybox sysctl walks /proc/sys (-a), reads (-n) and writes (-w);
    O_TRUNC on a tunable is let be, chmod is EPERM, as Linux."""
    script = ("mount -t proc proc /proc; sysctl -w kernel.hostname=bb; hostname; "
              "echo 1 > /proc/sys/vm/overcommit_memory; sysctl -n vm.overcommit_memory; "
              "sysctl -a | grep -c '^[a-z].* = '; chmod 777 /proc/sys/kernel/hostname; echo $?")
    r = boot(["quiet", "initrd=" + INITRD_BUSYBOX, "init=/bin/busybox", "--", "sh", "-c",
              "/bin/busybox --install -s /bin; " + script], timeout=60)
    lines = r.out.splitlines()
    assert lines[:3] == ["kernel.hostname = bb", "bb", "1"], r.out + r.stderr.decode()
    assert int(lines[3]) >= 30, r.out
    assert "Operation not permitted" in r.out and lines[-1] == "1", r.out


@pytest.mark.parametrize("mem, kbytes", [("128M", 1448), ("512M", 2896)])
def test_min_free_kbytes(mem, kbytes):
    """vm.min_free_kbytes is Linux's reserve for the memory size, sqrt(16 *
    KiB) (LTP's memory filler reads it: setsockopt11)."""
    r = boot(["quiet", "mem=" + mem, "initrd=" + INITRD_BUSYBOX, "init=/bin/busybox", "--",
              "sh", "-c", "/bin/busybox mount -t proc proc /proc; "
              "/bin/busybox cat /proc/sys/vm/min_free_kbytes"], timeout=60)
    assert r.out.split() == [str(kbytes)], r.out + r.stderr.decode()
