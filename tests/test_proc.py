"""procfs: /proc/self as the host kernel shows it (differential), and the
busybox tools that live on /proc: ps, free, top, mount."""

import os

import pytest

from conftest import boot, differential, guest, make_initrd, native, run

LIBCS = ["musl", "glibc"]
BUSYBOX = "/bin/busybox"


@pytest.mark.parametrize("libc", LIBCS)
def test_proc_self(libc):
    """cmdline, environ, exe/cwd/fd magic links (a deleted file reopened
    through /proc/self/fd), stat's 52 fields, status, statm, maps, task/,
    another process's stat while it sleeps and after it is reaped, and the
    machine-wide files."""
    n, u = differential(guest("procself", libc), ["one", "two words"], env={"X": "y"})
    assert "reopened through the link: data" in u.out
    assert "child: sleeping" in u.out


def busybox_script(script, mem="64M", tmp_path=None):
    """Boot busybox as init (argv[0] /bin/busybox) running script."""
    initrd = str(tmp_path / "bb.cpio")
    make_initrd(initrd, BUSYBOX, {"/proc/.keep": b"", "/tmp/.keep": b""},
                init_path="/bin/busybox")
    return boot(["quiet", "mem=" + mem, "initrd=" + initrd, "init=/bin/busybox", "--",
                 "sh", "-c", script])


def test_busybox_ps_free_top_mount(tmp_path):
    r = busybox_script(
        "busybox mount -t proc proc /proc && busybox mount -t tmpfs -o mode=1777 tmp /tmp && "
        "echo '== ps' && busybox ps && echo '== free' && busybox free && "
        "echo '== top' && busybox top -bn1 && echo '== mount' && busybox mount && "
        "echo '== df' && busybox df /tmp && echo '== umount' && busybox umount /tmp && "
        "busybox mount; echo end", tmp_path=tmp_path)
    out = r.out
    assert r.status == 0, r.stderr.decode()
    ps = out.split("== ps\n")[1].split("== free")[0].splitlines()
    assert ps[0].split() == ["PID", "USER", "COMMAND"], ps
    assert any(l.split()[0] == "1" and "/bin/busybox sh -c" in l for l in ps[1:]), ps
    assert any(l.split()[-2:] == ["busybox", "ps"] for l in ps[1:]), ps
    free = out.split("== free\n")[1].split("== top")[0].splitlines()
    assert free[1].split()[0] == "Mem:" and int(free[1].split()[1]) == 65536, free
    top = out.split("== top\n")[1].split("== mount")[0]
    assert "Load average: 0.00 0.00 0.00" in top and "busybox top -bn1" in top, top
    assert any(l.split()[:2] == ["1", "0"] and l.split()[3] == "S" for l in top.splitlines()), top
    mounts = out.split("== mount\n")[1].split("== df")[0]
    assert mounts == ("rootfs on / type rootfs (rw)\nproc on /proc type proc (rw)\n"
                      "tmp on /tmp type tmpfs (rw,mode=1777)\n"), mounts
    df = out.split("== df\n")[1].split("== umount")[0].splitlines()
    assert df[1].split()[0] == "tmp" and df[1].split()[-1] == "/tmp", df
    after = out.split("== umount\n")[1]
    assert after == "rootfs on / type rootfs (rw)\nproc on /proc type proc (rw)\nend\n", after


@pytest.mark.skipif(os.geteuid() != 0, reason="the native run needs root for unshare(CLONE_NEWNS)")
@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_proc_mounts_poll(libc, tmp_path):
    """/proc/self/mounts: epoll and poll say POLLPRI|POLLERR after a mount,
    a remount and an umount (once each), a sleeper in epoll_wait is woken
    by another process's mount, and a rewound read shows the new mounts."""
    prog = guest("mountpoll", libc)
    n = native(prog, [tmp_path / "mp"])
    u = run(prog, ["/mp"])
    assert n.status == 0 and "woken: 1 events PRI" in n.out, n.out
    assert u.out == n.out, "--- native\n%s\n--- pyuml\n%s\n%s" % (
        n.out, u.out, u.stderr.decode(errors="replace"))
    assert u.status == n.status
