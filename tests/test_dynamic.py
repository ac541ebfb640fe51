"""Debian's own dynamically linked programs, with the host's / as a
read-only hostfs root: the guest's ld.so maps libc through file mmap, and
each command line must print what it prints on the host.

The commands avoid pipes (those are tested with the shell elsewhere); a
scratch file goes to /dev/shm, which is tmpfs on both sides.
"""

import os
import subprocess

import pytest

from conftest import BASE_ENV, boot

COMMANDS = [
    "echo hello from $0; exit 3",
    "ls -l /etc/hostname /etc/passwd /bin/true /bin/sh /usr/lib/os-release",
    "ls -la /etc/apt",
    "cat /etc/os-release /etc/hostname",
    "sort -t: -k3 -n /etc/passwd",
    "sha256sum /bin/true /etc/passwd /usr/lib/os-release",
    "find /etc/apt /usr/share/doc/dash -maxdepth 2",
    "find /usr/share/doc/dash -type f -name '*.gz' -size -100k",
    "grep -n -e root -e daemon /etc/passwd; grep -c nosuchthing /etc/passwd",
    "sed -n -e '1,3p' -e '$=' /etc/passwd",
    "awk -F: '$3 < 10 { n++; print $1, $3 } END { print n, NR }' /etc/passwd",
    "tar -cf /dev/shm/{tag}.tar -C / etc/hostname etc/passwd usr/share/doc/dash"
    " && tar -tvf /dev/shm/{tag}.tar; rm -f /dev/shm/{tag}.tar",
    "cd /usr/share/doc && ls -1d d* && pwd && cd .. && pwd",
    "test -e /nonexistent || echo missing; cat /nonexistent; echo status $?",
    "cd /dev/shm && mkdir -p {tag}/a/b/c && cd {tag} && echo hi > a/b/c/f && cp -r a z"
    " && mv z y && ln -s y/b l && ls -l l/c && chmod 600 y/b/c/f"
    " && touch -d '2020-01-02 03:04:05' y/b/c/f && stat -c '%n %s %a %y' y/b/c/f"
    " && du -a y > o && sort o && tar -cf t.tar y && rm -r y && tar -xf t.tar"
    " && find y > o && sort o && cat y/b/c/f && rm -r y a t.tar l o && ls -A"
    " && cd .. && rmdir {tag} && echo ok",
]


def native_sh(cmd):
    p = subprocess.run(["/bin/sh", "-c", cmd], env=dict(BASE_ENV), cwd="/",
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    return p.stdout.decode(errors="replace"), p.returncode


def pyuml_sh(cmd):
    r = boot(["quiet", "mem=256M", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro",
              "init=/bin/sh", "--", "-c", cmd + " 2>&1"], timeout=120)
    return r.out, r.status, r.stderr.decode(errors="replace")


@pytest.mark.parametrize("cmd", COMMANDS)
def test_debian_program(cmd):
    cmd = cmd.replace("{tag}", "pyuml-dyn-%d" % os.getpid())
    nout, nst = native_sh(cmd)
    uout, ust, log = pyuml_sh(cmd)
    assert uout == nout, "--- native\n%s\n--- pyuml\n%s\n--- log\n%s" % (nout, uout, log)
    assert ust == nst, log


def test_python3():
    cmd = ("python3 -c 'import os, sys, hashlib, json; "
           "print(sys.version_info[:2], sorted(os.listdir(\"/etc/apt\"))); "
           "print(hashlib.sha256(open(\"/etc/passwd\", \"rb\").read()).hexdigest()); "
           "print(json.dumps({\"a\": [1, 2]}))'")
    nout, nst = native_sh(cmd)
    uout, ust, log = pyuml_sh(cmd)
    assert uout == nout, "--- native\n%s\n--- pyuml\n%s\n--- log\n%s" % (nout, uout, log)
    assert ust == nst


def test_ld_so_loads_the_interpreter_from_the_guest_tree(tmp_path):
    """PT_INTERP names a path in the guest's filesystem: a program whose
    interpreter is missing there fails with ENOENT, like on Linux."""
    nout, _ = native_sh("/lib64/ld-linux-x86-64.so.2 --verify /bin/true; echo $?")
    uout, _, log = pyuml_sh("/lib64/ld-linux-x86-64.so.2 --verify /bin/true; echo $?")
    assert uout == nout, log
    nout, _ = native_sh("/lib64/ld-linux-x86-64.so.2 /bin/echo via ld.so")
    uout, _, log = pyuml_sh("/lib64/ld-linux-x86-64.so.2 /bin/echo via ld.so")
    assert uout == nout == "via ld.so\n", log
