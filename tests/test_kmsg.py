"""The kernel log (kernel/printk.py, kernel/syslog.py, drivers/kmsg.py):
syslog(2), /dev/kmsg, /proc/kmsg, console log levels, and the dmesg
programs of busybox and util-linux reading the boot log."""

import re

import pytest

from conftest import boot, differential, guest, run


def sh(script, *kernel_args):
    """A shell script on the host's / (read-only hostfs) as init."""
    return boot(list(kernel_args) + [
        "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro", "init=/bin/sh", "--", "-c",
        "mount -t proc proc /proc; mount -t devtmpfs dev /dev; " + script])


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_syslog_and_devkmsg_errors_match_linux(libc):
    """Bad arguments, /dev/kmsg's seeks and short reads, and what an
    unprivileged user may not do (dmesg_restrict=1, Debian's default):
    all as the host kernel answers."""
    differential(guest("kmsg", libc), ["probe"])


def test_records_written_and_read_back():
    """Not run natively: it writes to and clears the kernel log.  A
    record written to /dev/kmsg comes back through /dev/kmsg (facility
    and level in PRI), syslog(READ_ALL), and /proc/kmsg, which shares
    SYSLOG_ACTION_READ's position; a /dev/kmsg reader whose records were
    overwritten gets EPIPE once (and POLLERR), then the oldest kept."""
    r = run(guest("kmsg", "glibc"), ["write"])
    assert r.status == 0, r.stderr
    assert r.out == (
        "write: 21\n"
        "record 1: ;kmsg-test: hello\n"
        "record 2: ;plain\n"
        "then: EAGAIN\n"
        "syslog read_all has it: 1\n"
        "clear: 0\n"
        "read_all after clear: 0\n"
        "size_unread positive: 1\n"
        "proc/kmsg drained: EAGAIN\n"
        "size_unread: 0\n"
        "proc/kmsg: again\n"
        "console_level 8: 0\n"
        "poll after overrun: IN ERR\n"
        "read after overrun: EPIPE\n"
        "then the oldest kept, a filler: 1\n"
        "poll at the end: 0\n"), r.out


def test_dmesg_programs_show_the_boot_log():
    r = sh("busybox dmesg; echo ==; dmesg -r | cat; echo ==; dmesg --color=never -x; "
           "echo ==; dmesg --color=never --level=info", "quiet")
    assert r.status == 0, r.stderr
    busybox, raw, decoded, info = r.out.split("==\n")
    assert re.search(r"^\[ *\d+\.\d{6}\] Linux version \S+-pyuml", busybox, re.M), busybox
    assert re.search(r"^<6>\[ *\d+\.\d{6}\] Kernel command line: quiet root=/dev/root", raw,
                     re.M), raw
    assert re.search(r"^kern  :info  : \[ *\d+\.\d{6}\] Memory: \d+K available", decoded,
                     re.M), decoded
    assert "Run /bin/sh as init process" in info
    # quiet keeps the console to errors; the log has everything
    assert b"Linux version" not in r.stderr


def test_console_loglevel_rules():
    """A record reaches the console when its level is below
    console_loglevel (/proc/sys/kernel/printk's first field)."""
    r = sh("cat /proc/sys/kernel/printk; echo '<7>debug-one' > /dev/kmsg; "
           "echo 8 > /proc/sys/kernel/printk; cat /proc/sys/kernel/printk; "
           "echo '<7>debug-two' > /dev/kmsg; dmesg -n 3; cat /proc/sys/kernel/printk; "
           "echo '<3>err-three' > /dev/kmsg; echo '<2>crit-four' > /dev/kmsg; "
           "dmesg | grep -c -- '-[a-z]*$'")
    assert r.status == 0, r.stderr
    assert r.out.splitlines() == ["7\t4\t1\t7", "8\t4\t1\t7", "3\t4\t1\t7", "4"], r.out
    err = r.stderr.decode()
    assert "] debug-two" in err and "] crit-four" in err
    assert "] debug-one" not in err and "] err-three" not in err


@pytest.mark.parametrize("opts,first", [(["quiet"], "4"), (["loglevel=1"], "1"),
                                        (["debug"], "10"), ([], "7")])
def test_boot_options_set_console_loglevel(opts, first):
    r = sh("cut -f1 /proc/sys/kernel/printk", *opts)
    assert r.out.strip() == first, (r.out, r.stderr)
    has_banner = b"Linux version" in r.stderr
    assert has_banner == (int(first) > 6), r.stderr


def test_bad_loglevel_is_a_one_line_error():
    r = boot(["loglevel=loud", "init=/prog"])
    err = r.stderr.decode()
    assert r.status != 0 and len(err.splitlines()) == 1 and "loglevel=loud" in err, err
