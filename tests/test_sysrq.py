"""SysRq (kernel/sysrq.py): /proc/sysrq-trigger from guest programs, and
Ctrl-] KEY on the console.  Not compared with the host: its SysRq would
act on the host machine (and this host has no /proc/sysrq-trigger)."""

import re

from conftest import boot
from test_tty_console import Terminal

HOSTFS = ["root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro", "init=/bin/sh", "--", "-c"]


def sh(script, *kernel_args, stdin=None):
    return boot(["quiet"] + list(kernel_args) + HOSTFS + [
        "mount -t proc proc /proc; mount -t devtmpfs dev /dev; " + script], stdin=stdin)


def test_show_state_lists_tasks_and_their_kernel_stacks():
    # (again until both sleepers are seen asleep: they may still be starting)
    r = sh("sleep 100 & a=$!; sleep 100 | cat > /dev/null & b=$!; "
           "for i in $(seq 100); do dmesg -C; echo t > /proc/sysrq-trigger; "
           "dmesg | grep -q 'task:sleep .*state:S' && dmesg | grep -q 'task:cat .*state:S' "
           "&& break; sleep 0.1; done; dmesg | sed -n '/sysrq: Show State/,$p'; kill $a $b")
    assert r.status == 0, r.stderr
    out = r.out
    assert "sysrq: Show State" in r.stderr.decode()     # the header reaches the console
    assert re.search(r"task:sh +state:R pid:1 ", out), out
    # the sleeping sleep: in nanosleep, its generator frames listed
    m = re.search(r"task:sleep +state:S pid:\d+ .*\n.*Call Trace:\n((?:.* \S+ \(\S+:\d+\)\n)+)",
                  out)
    assert m and "kernel/time.py" in m.group(1), out
    # a reader of an empty pipe: in the pipe's read, inside wait_event
    m = re.search(r"task:cat +state:S pid:\d+ .*\n.*Call Trace:\n((?:.* \S+ \(\S+:\d+\)\n)+)", out)
    assert m and "fs/pipe.py" in m.group(1) and "wait_event (kernel/sched.py" in m.group(1), out


def test_memory_sync_help_and_loglevel():
    r = sh("ls -ln /proc/sysrq-trigger | cut -d' ' -f1,3,4; "
           "for k in m s h x 3; do echo $k > /proc/sysrq-trigger; done; "
           "cut -f1 /proc/sys/kernel/printk; dmesg | grep -A3 sysrq:")
    assert r.status == 0, r.stderr
    assert r.out.startswith("--w------- 0 0\n3\n"), r.out
    assert re.search(r"sysrq: Show Memory\n.*Mem-Info:\n.*free:\d+", r.out), r.out
    assert "sysrq: Emergency Sync complete" in r.out
    helps = re.findall(r"sysrq: HELP : .*show-task-states\(t\)", r.out)
    assert len(helps) == 2, r.out                     # h, and the unknown x
    assert "sysrq: Loglevel set to 3" in r.out


def test_terminate_and_kill_all_but_init():
    r = sh("sleep 100 & sleep 0.3; echo e > /proc/sysrq-trigger; wait $!; echo term=$?; "
           "trap '' TERM; sleep 100 & sleep 0.3; echo i > /proc/sysrq-trigger; wait $!; "
           "echo kill=$?; echo init lives")
    lines = [l for l in r.out.splitlines() if "=" in l or "init" in l]
    assert lines == ["term=143", "kill=137", "init lives"], (r.out, r.stderr)


def test_power_off_and_reboot_stop_the_machine():
    r = sh("echo o > /proc/sysrq-trigger; echo not reached")
    assert r.status == 0 and "not reached" not in r.out, r
    assert "sysrq: Power Off" in r.stderr.decode()
    r = sh("echo b > /proc/sysrq-trigger; echo not reached")
    assert r.status == 0 and "not reached" not in r.out, r
    assert "sysrq: Resetting" in r.stderr.decode()


def test_console_key_on_a_pipe():
    """Ctrl-] m on the console's input; Ctrl-] Ctrl-] is one Ctrl-]."""
    r = sh("od -An -c | tr -s ' '", stdin=b"a\x1dmb\x1d\x1dc")
    assert "sysrq: Show Memory" in r.stderr.decode(), r.stderr
    assert r.out.split() == ["a", "b", "035", "c"], r.out


def test_console_key_on_a_terminal_honours_kernel_sysrq():
    term = Terminal(HOSTFS + [
        "mount -t proc proc /proc; echo re''ady; read x; echo 0 > /proc/sys/kernel/sysrq; "
        "echo o''ff; sleep 100"])
    try:
        term.expect(rb"ready")
        # until the shell is asleep in its read (it may still be on its way)
        for _ in range(200):
            term.send(b"\x1dt")
            term.expect(rb"sysrq: Show State")
            if term.expect(rb"task:sh +state:(\w) pid:1 ").group(1) == b"S":
                break
        else:
            raise AssertionError("sh never seen asleep")
        term.send(b"\n")
        term.expect(rb"off")
        term.send(b"\x1do")
        term.expect(rb"sysrq: This sysrq operation is disabled\.")
        assert term.proc.poll() is None
    finally:
        term.close()


def test_console_key_powers_off():
    term = Terminal(["quiet"] + HOSTFS + ["echo ready; sleep 100"])
    try:
        term.expect(rb"ready")
        term.send(b"\x1do")
        term.expect(rb"sysrq: Power Off")
        assert term.wait() == 0
    finally:
        term.close()

