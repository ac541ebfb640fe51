"""The escape suite: guest programs trying to get out of pyuml.

Every case is a real guest program attacking one of the walls: the stub
(the only host code in a guest's address space: jumping into it, mapping
over it, passing pointers into it, scribbling over its data and stack
pages), the system call entries the host would answer (int $0x80,
sysenter), hostfs (.., symlinks, /proc/self/root and cwd, mounts of host
directories the boot did not allow, remounting a read-only root), device
nodes for host devices, and the kernel's death (no host process may
outlive it).  Each case checks the guest's side (an errno or a signal,
the kernel running on) and the host's: no file created outside what the
guest was given, no process left (the autouse fixture of conftest.py).
"""

import os
import shutil
import signal
import subprocess

import pytest

from conftest import BUILD, LINUX, boot, guest, make_initrd, native, run, stub_processes
from test_hostfs import make_tree, outside_untouched, run_hostfs
from elftools.elf.elffile import ELFFile

SUBARCHES = [("musl", "stub64"), ("glibc32", "stub32")]


def stub_symbols(stub):
    with open(os.path.join(BUILD, stub), "rb") as f:
        return {s.name: s["st_value"]
                for s in ELFFile(f).get_section_by_name(".symtab").iter_symbols() if s.name}


# -- the stub -------------------------------------------------------------------

def test_stub_range_cannot_be_mapped():
    r = run(guest("escape", "nolibc"), ["maps"])
    assert r.status == 0
    assert r.out == ("mmap fixed on stub: -12\nmmap fixed over stub: -12\n"
                     "munmap stub: -22\nmprotect stub: -12\nmmap hint at stub: 0x0\n"
                     "still alive\n")


@pytest.mark.parametrize("libc,stub", SUBARCHES)
def test_stub_range_cannot_be_mremapped(libc, stub):
    s = stub_symbols(stub)
    r = run(guest("stubescape", libc), ["mremap", hex(s["stub_start"])])
    assert r.status == 0, r.stderr
    for line in ("mremap a mapping onto the stub: ", "mremap the stub itself: ",
                 "mremap growing into the stub: "):
        assert line in r.out and line + "ok" not in r.out, r.out
    assert r.out.endswith("still alive\n")


@pytest.mark.parametrize("libc,stub", SUBARCHES)
def test_pointers_into_the_stub_are_efault(libc, stub):
    """The stub's code, data and stack pages, and (x86_64) the host vDSO
    window above them, are not user memory to any system call."""
    s = stub_symbols(stub)
    addrs = [s["stub_start"], s["stub_data"], s["stub_data"] + 8, s["stub_stack"]]
    if stub == "stub64":
        addrs.append(s["stub_end"])
    r = run(guest("stubescape", libc), ["pointers"] + [hex(a) for a in addrs])
    assert r.status == 0, r.stderr
    lines = [ln for ln in r.out.splitlines() if ln != "still alive"]
    assert len(lines) == 4 * len(addrs)
    assert all(ln.endswith(": Bad address") for ln in lines), r.out


def _hostpath(tmp_path):
    p = tmp_path / "made-by-the-guest"
    assert not p.exists()
    return p


@pytest.mark.parametrize("libc,stub", SUBARCHES)
def test_scribbling_over_the_data_and_stack_pages(libc, stub, tmp_path):
    """The guest fills the stub's data pages with records of host
    open(O_CREAT) calls and its stack with garbage, before every fault,
    fork and munmap: the kernel writes every batch (zero-terminated) and
    host pid itself before the stub runs, so none of the guest's records
    ever runs and everything keeps working."""
    s = stub_symbols(stub)
    target = _hostpath(tmp_path)
    r = run(guest("stubescape", libc),
            ["scribble", hex(s["stub_data"]), hex(s["stub_data_size"]),
             hex(s["stub_stack"]), hex(s["stub_stack_size"]), str(target)])
    assert r.status == 0, r.stderr
    assert r.out == ("getpid after the scribble: 1\n"
                     "faults after the scribble, sum: %d\n"
                     "munmap after the scribble: 0\n"
                     "fork after the scribble, child status: 3\n"
                     "file created: 0\nstill alive\n" % sum(
                         (i if i < 128 else i - 256) for i in range(64)))
    assert not target.exists()


JUMP_TARGETS = ["stub_syscall_handler", "stub_init", "stub_segv_handler", "stub_segv_stop",
                "stub_segv_stop+1", "stub_rt_sigreturn"]


@pytest.mark.parametrize("libc,stub", SUBARCHES)
@pytest.mark.parametrize("where", JUMP_TARGETS)
def test_jumps_into_the_stub_with_crafted_registers(libc, stub, where, tmp_path):
    """Forged batch records in the data page and every register pointing
    at more of them, then a jump into the stub: a system call the stub code
    makes is caught (the guest runs under SYSEMU) and kills the address
    space; an int3 there is the guest's own SIGTRAP.  Never a host call."""
    s = stub_symbols(stub)
    name, _, plus = where.partition("+")
    target = _hostpath(tmp_path)
    r = run(guest("stubescape", libc),
            ["jump", hex(s[name] + int(plus or 0)), hex(s["stub_data"]),
             hex(s["stub_data_size"]), str(target)], quiet=False)
    assert r.out == "jumping\n", r.out
    assert r.status in (128 + signal.SIGKILL, 128 + signal.SIGTRAP, 128 + signal.SIGSEGV), r.status
    assert "Kernel panic - not syncing: Attempted to kill init" in r.stderr.decode()
    assert "Traceback" not in r.stderr.decode()
    assert not target.exists()


def test_system_call_from_the_stub_is_logged_and_fatal():
    s = stub_symbols("stub64")
    for sym in ("stub_syscall_handler", "stub_init"):
        r = run(guest("escape", "nolibc"), ["jump", hex(s[sym])])
        assert r.out == "jumping\n"
        assert r.status == 128 + 9
        assert "system call from inside the stub" in r.stderr.decode()


# -- system call entries the host would answer ------------------------------------

def test_int80_from_64bit_never_reaches_the_host():
    """Natively, `int $0x80` open() from 64-bit code opens the host's file;
    under pyuml the kernel answers it (i386 ABI, the guest's own files) and
    the host file is out of reach."""
    n = native(guest("escape", "nolibc"), ["int80", "/etc/hostname"])
    assert n.out.startswith("int80 open: 0x")           # the host opened it
    r = run(guest("escape", "nolibc"), ["int80", "/etc/hostname"])
    assert r.status == 0
    assert r.out in ("int80 open: -2\nstill alive\n",     # i386 ABI: ENOENT here
                     "int80 open: -38\nstill alive\n")    # refused: ENOSYS


@pytest.mark.parametrize("libc", ["musl", "glibc"])
def test_sysenter_from_64bit_never_reaches_the_host(libc, tmp_path):
    """sysenter from 64-bit code: natively a SIGSEGV on this CPU; under
    pyuml the same, and the host never runs the open(O_CREAT) it asks."""
    target = _hostpath(tmp_path)
    n = native(guest("stubescape", libc), ["sysenter", str(target) + ".native"])
    r = run(guest("stubescape", libc), ["sysenter", str(target)])
    assert r.out.startswith("sysenter\n")
    assert r.status == n.status
    assert not target.exists()


# -- hostfs ---------------------------------------------------------------------

def _confine(tmp_path, args, ro=True, kernel_args=()):
    root = make_tree(tmp_path, guest("confine", "musl"))
    r = run_hostfs(root, args, ro=ro, kernel_args=list(kernel_args) + ["loglevel=5"])
    return root, r


def test_the_reported_hole_mount_of_host_tmp(tmp_path):
    """The issue's reproduction with busybox: a read-only hostfs root of a
    scratch directory, and a guest mounting the host's /tmp read-write."""
    root = tmp_path / "root"
    (root / "bin").mkdir(parents=True)
    (root / "mnt").mkdir()
    (root / "dev").mkdir()
    shutil.copy("/bin/busybox", root / "bin" / "busybox")
    victim = "/tmp/pyuml-escape-%d" % os.getpid()
    assert not os.path.exists(victim)
    r = boot(["loglevel=5", "root=/dev/root", "rootfstype=hostfs", "rootflags=%s" % root, "ro",
              "init=/bin/busybox", "--", "sh", "-c",
              "/bin/busybox mount -t hostfs none /mnt -o /tmp; echo status $?; echo x > /mnt/%s"
              % os.path.basename(victim)])
    assert "status 0" not in r.out
    assert not os.path.exists(victim)
    assert "hostfs: mount of /tmp refused" in r.stderr.decode()


@pytest.mark.parametrize("host,rw,why", [
    ("/tmp", False, "not below a directory"),
    ("{base}", False, "not below a directory"),         # the root's parent
    ("{root}/dir/../..", False, "'..' in the host path"),
    ("{root}/up/root", False, "symbolic link"),          # up -> ..
    ("{root}/dir", True, "allowed read-only"),          # rw below a ro root
])
@pytest.mark.parametrize("how", ["mount", "fsmount"])      # mount(2), fsopen/fsconfig
def test_hostfs_mounts_the_boot_did_not_allow(tmp_path, host, rw, why, how):
    root = tmp_path / "root"
    host = host.format(base=tmp_path, root=root)
    root, r = _confine(tmp_path, [how, host] + (["rw"] if rw else []))
    assert "mount: Permission denied" in r.out, r.out + r.stderr.decode()
    assert "refused" in r.stderr.decode() and why in r.stderr.decode()
    outside_untouched(tmp_path)
    assert not any(p.name == "pyuml-escaped" for p in tmp_path.rglob("*"))


@pytest.mark.parametrize("how", ["mount", "fsmount"])
def test_hostfs_mounts_within_the_root_keep_its_read_only(tmp_path, how):
    root, r = _confine(tmp_path, [how, str(tmp_path / "root" / "dir")])
    assert r.out == "mount: ok\ncreate pyuml-escaped in it: Read-only file system\n"
    assert not (tmp_path / "root" / "dir" / "pyuml-escaped").exists()


@pytest.mark.parametrize("how", ["mount", "fsmount"])
def test_hostfs_option_allows_a_directory_read_write(tmp_path, how):
    other = tmp_path / "shared"
    other.mkdir()
    root, r = _confine(tmp_path, [how, str(other), "rw"],
                       kernel_args=["hostfs=%s:rw" % other, "hostfs=%s" % (tmp_path / "root")])
    assert r.out == "mount: ok\ncreate pyuml-escaped in it: ok\n", r.stderr.decode()
    assert (other / "pyuml-escaped").exists()
    outside_untouched_but = sorted(os.listdir(tmp_path))
    assert outside_untouched_but == ["root", "secret", "shared"]


def test_a_root_outside_the_hostfs_option_is_a_boot_error(tmp_path):
    other = tmp_path / "shared"
    other.mkdir()
    root = make_tree(tmp_path, guest("confine", "musl"))
    r = run_hostfs(root, ["remount"], ro=True, kernel_args=["hostfs=%s" % other])
    assert r.status != 0 and r.out == ""
    assert r.stderr.decode().count("\n") == 1
    assert "not below a directory hostfs= allows" in r.stderr.decode()


def test_host_pseudo_filesystems_are_never_mountable(tmp_path):
    r = boot(["quiet", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro",
              "loglevel=5", "init=%s" % guest("confine", "musl"), "--", "mount", "/proc"])
    assert r.out == "mount: Permission denied\n"
    assert "a host pseudo-filesystem" in r.stderr.decode()


def test_initramfs_root_may_mount_no_host_directory(tmp_path):
    r = run(guest("confine", "musl"), ["mount", str(tmp_path)], kernel_args=["loglevel=5"],
            quiet=False)
    assert r.out == "mount: Permission denied\n"


@pytest.mark.parametrize("how", ["remount", "fspick-remount"])
def test_a_read_only_root_stays_read_only(tmp_path, how):
    root, r = _confine(tmp_path, [how])
    assert r.out == "remount / rw: Permission denied\n"


def test_paths_out_of_the_root(tmp_path):
    root, r = _confine(tmp_path, ["paths"])
    assert r.status == 0, r.stderr
    assert "the host's secret" not in r.out, r.out
    assert "/proc/self/root -> /\n" in r.out
    outside_untouched(tmp_path)


def test_device_nodes_never_reach_host_devices(tmp_path):
    root, r = _confine(tmp_path, ["mknod"], ro=False)
    assert r.out == ("mknod block 8:0 on hostfs: Operation not permitted\n"
                     "mknod char 1:1 on hostfs: Operation not permitted\n"
                     "mknod block 8:0 on tmpfs: ok\nopen it: No such device or address\n"
                     "mknod char 1:1 on tmpfs: ok\nopen it: No such device or address\n"), r.out
    assert sorted(os.listdir(root / "tmpdir")) == []


# -- the kernel's own death --------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_no_host_process_outlives_a_killed_kernel(tmp_path, sig):
    """SIGKILL or SIGTERM to the kernel itself with guests computing,
    sleeping, blocked on pipes (reading and writing) and waiting on a
    futex: every host process it traced dies with it (PTRACE_O_EXITKILL;
    were it missing, a stub let go would still die at once - its seccomp
    filter turns any host system call of guest code into SIGSYS, and its
    preemption tick ends a busy loop)."""
    rd = make_initrd(str(tmp_path / "spin.cpio"), guest("spin", "musl"))
    before = set(stub_processes())
    p = subprocess.Popen([LINUX, "quiet", "initrd=" + rd, "init=/prog"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert p.stdout.readline() == b"ready\n"
        assert len(set(stub_processes()) - before) >= 7     # init and 6 children
        p.send_signal(sig)
        p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stdout.close()
