"""The busybox system: Debian's busybox-static under pyuml.

Shell scripts (pipelines, redirections, subshells, here-documents, jobs,
traps) run by busybox sh natively and as init under pyuml give the same
output; the system's /init mounts /proc and /dev, and ps, free and mount
show what the kernel has; an interactive shell on the console, driven
through a host pseudo-terminal, edits lines, is interrupted by ^C and
controls jobs."""

import os
import re
import subprocess
import termios
import time

import pytest

from conftest import BUILD, LINUX, boot
from test_tty_console import Terminal

BUSYBOX = "/bin/busybox"
INITRD = os.path.join(BUILD, "busybox.cpio.gz")

SCRIPTS = {
    "pipelines": r"""
        seq 1 200 | grep 7 | sort -rn | head -5 | tr '\n' ' '; echo
        echo "one two three" | tr ' ' '\n' | sort | uniq -c | awk '{print $2 "=" $1}'
        printf 'b\na\nc\nb\n' | sort | uniq -d
        yes | head -1000 | wc -l
        seq 1 5000 | cat | cat | cat | md5sum
        false | true; echo "status $?"
    """,
    "redirections": r"""
        d=$(mktemp -d); cd "$d"
        echo a > f; echo b >> f; cat f; wc -l < f
        ls /nonexistent 2>&1 >/dev/null | wc -l
        exec 3>g; echo three >&3; exec 3>&-; cat g
        { echo grouped; echo lines; } > h; cat h
        cat < f > copy && cmp f copy && echo same
        echo err 1>&2 2>/dev/null
        rm -r "$d"
    """,
    "subshells": r"""
        (echo in a subshell; exit 3); echo "status $?"
        x=$(echo inner $(echo nested)); echo "$x"
        (cd / && pwd)
        v=outer; (v=inner; echo $v); echo $v
        echo $(( $(echo 6) * $(echo 7) ))
        f() { echo "f got $# args: $*"; return 5; }; f a b c; echo "f returned $?"
        i=0; while [ $i -lt 50 ]; do i=$((i+1)); done; echo "counted to $i"
        for w in alpha beta gamma; do printf '%s.' "$w"; done; echo
        case foo.txt in *.txt) echo text ;; *) echo other ;; esac
    """,
    "here_documents": r"""
        n=3
        cat <<EOF
        expanded: $((n * 2)) $(echo cmd)
        EOF
        cat <<'EOF'
        literal: $n $(echo no)
        EOF
        read a b <<EOF
        first second third
        EOF
        echo "a=$a b=$b"
        tr a-z A-Z <<-EOF
        	tab-stripped
        	EOF
    """,
    "jobs_and_traps": r"""
        sleep 0.2 & p=$!; wait $p; echo "sleep exited $?"
        (exit 7) & wait $!; echo "subshell exited $?"
        trap 'echo got USR1' USR1; kill -USR1 $$; echo after the trap
        sh -c 'kill -TERM $$'; echo "killed: $?"
        sh -c 'exit 42'; echo "exit: $?"
        echo $(sleep 0.1; echo slept) done
        sleep 10 & kill $!; wait $!; echo "terminated: $?"
    """,
}


def _dedent(script):
    lines = script.strip("\n").split("\n")
    return "\n".join(line[8:] if line.startswith("        ") else line for line in lines) + "\n"


def _native_sh(script):
    p = subprocess.run([BUSYBOX, "sh", "-c", script], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=60,
                       env={"PATH": "/nonexistent", "HOME": "/"}, cwd="/")
    return p.stdout.decode(), p.returncode


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_shell_script_matches_native(name):
    """busybox sh -c SCRIPT as init under pyuml == the same natively (no
    PATH: busybox runs its applets itself)."""
    script = _dedent(SCRIPTS[name])
    out, status = _native_sh(script)
    # busybox runs an applet by re-executing /proc/self/exe: mount /proc first
    r = boot(["quiet", "mem=128M", "initrd=" + INITRD, "init=/bin/sh", "PATH=/nonexistent",
              "--", "-c", '/bin/busybox mount -t proc proc /proc && exec /bin/sh -c "$1"', "sh", script],
             timeout=120)
    assert r.out == out, "--- native\n%s\n--- pyuml\n%s\n--- log\n%s" % (
        out, r.out, r.stderr.decode(errors="replace")[-3000:])
    assert r.status == status


def test_the_demo_system_boots_and_powers_off():
    """make run: /init mounts /proc and /dev, runs the demo, powers off."""
    r = boot(["mem=128M", "initrd=" + INITRD, "init=/init"], timeout=120)
    out = r.out
    log = r.stderr.decode(errors="replace")
    assert r.status == 0, out + log
    assert "reboot: Power down" in log
    assert "Traceback" not in log and "Oops" not in log
    # mount: what /init mounted
    assert re.search(r"^proc on /proc type proc", out, re.M), out
    assert re.search(r"on /dev type devtmpfs", out, re.M), out
    # free: the machine's memory (mem=128M)
    m = re.search(r"^Mem:\s+(\d+)\s+(\d+)\s+(\d+)", out, re.M)
    assert m and 100000 < int(m.group(1)) <= 131072, out
    # ps: init, and ps itself (run by the shell without an exec: {ps})
    assert re.search(r"^\s*1 root\s+.*init", out, re.M), out
    assert re.search(r"^\s*\d+ root\s+\{ps\}", out, re.M), out
    assert re.search(r"^devpts on /dev/pts type devpts", out, re.M), out
    # top -n1: the summary lines and the process table, itself running
    assert re.search(r"^Load average: [\d.]+ [\d.]+ [\d.]+ \d+/\d+ \d+", out, re.M), out
    assert re.search(r"^\s*\d+\s+\d+ root\s+R\s+\d+\s+\d+%\s+\d+% top -b -n1", out, re.M), out
    assert "97\n87\n79\n" in out                    # the pipeline
    assert "in a subshell: /proc" in out and "6 * 7 = 42" in out
    assert "The kernel is Linux" in out
    assert "it finished" in out


def test_interactive_shell_through_a_terminal():
    """make shell, as a person types: a command, ^C on `sleep 100`,
    `sleep 5 &` then jobs and fg, exit; the terminal comes back intact."""
    term = Terminal(["quiet", "mem=128M", "initrd=" + INITRD, "init=/init", "--", "shell"])
    prompt = rb"root@pyuml:~# "
    try:
        term.expect(prompt, timeout=60)
        term.send(b"echo hello $((6 * 7))\r")
        term.expect(rb"hello 42\r\n")
        term.expect(prompt)
        term.send(b"sleep 100\r")
        term.expect(rb"sleep 100\r\n")
        time.sleep(1)                               # let it start, as a person would
        term.send(b"\x03")
        term.expect(rb"\^C")
        term.expect(prompt)
        term.send(b"sleep 5 &\r")
        term.expect(rb"sleep 5 &\r\n")
        term.expect(prompt)
        term.send(b"jobs\r")
        term.expect(rb"\[1\]\+\s+Running\s+sleep 5")
        term.expect(prompt)
        term.send(b"fg\r")
        term.expect(rb"sleep 5\r\n")
        time.sleep(0.5)
        term.send(b"\x1a")                          # ^Z stops it
        term.expect(rb"\[1\]\+\s+Stopped\s+sleep 5")
        term.expect(prompt)
        term.send(b"fg\r")
        term.expect(rb"sleep 5\r\n")
        time.sleep(0.5)
        term.send(b"\x03")
        term.expect(prompt)
        term.send(b"tty; ps | grep -c '[s]leep 5'\r")
        term.expect(rb"/dev/tty1\r\n")
        term.expect(rb"\b0\r\n")                   # the ^C'd job is gone
        term.expect(prompt)
        term.send(b"exit\r")
        assert term.wait(timeout=60) == 0
        assert termios.tcgetattr(term.slave) == term.before
    finally:
        term.close()


_ = LINUX
