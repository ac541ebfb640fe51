"""scripts/ltp.py, the LTP harness: how it reads a boot's log (a kernel
bug, a missing system call, a hang, LTP's verdict) and the expectations."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import ltp  # noqa: E402

GUEST = ("tst_test.c:2051: \x1b[1;34mTINFO: \x1b[0mTested kernel: 6.10.0-pyuml\n"
         "[    0.3] foo01: unsupported syscall mq_open (x86_64 nr 240) -> ENOSYS\n"
         "foo01.c:12: \x1b[1;31mTBROK: \x1b[0mmq_open() failed: ENOSYS (38)\n"
         "ltp-harness-rc=2\n"
         "[    0.4] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000000\n")


def test_verdicts():
    assert ltp.classify(GUEST, 0, False) == (
        "BROK", "ENOSYS: mq_open; TBROK: mq_open() failed: ENOSYS (38)")
    assert ltp.classify("x\nltp-harness-rc=0\n", 0, False) == ("PASS", "")
    assert ltp.classify("ltp-harness-rc=32\n", 0, False)[0] == "CONF"
    assert ltp.classify("ltp-harness-rc=4\n", 0, False)[0] == "WARN"
    assert ltp.classify("ltp-harness-rc=137\n", 0, False) == ("SIG", "killed by SIGKILL")
    oops = GUEST.replace("foo01.c:12", "[  0.5] Oops: KeyError in openat, task 3 (foo01)\nfoo01.c:12")
    assert ltp.classify(oops, 0, False)[1].startswith("oops: KeyError in openat")
    assert ltp.classify("TINFO: started\n", None, True)[0] == "HANG"
    assert ltp.classify("Traceback (most recent call last):\n", 1, False)[0] == "CRASH"
    cfg = "Constraint 'CONFIG_PID_NS' not satisfied!\nTCONF: Aborting\nltp-harness-rc=32\n"
    assert "needs CONFIG_PID_NS" in ltp.classify(cfg, 0, False)[1]


def test_families():
    assert ltp.family("mq_notify01", "").startswith("sysa:")
    assert ltp.family("chdir01", "TBROK: Failed to acquire device").startswith("disk:")
    assert ltp.family("clone301", "needs CONFIG_PID_NS").startswith("pyuml:")
    assert ltp.family("getpid01", "") is None


def test_expectations_round_trip(tmp_path):
    path = str(tmp_path / "exp")
    with open(path, "w") as f:
        f.write("# head\nfoo01 x86_64 sysa: POSIX message queues\nbar01 * pyuml: no namespaces\n")
    exp = ltp.read_expectations(path)
    assert ltp.expected_reason(exp, "foo01", "x86_64") == "sysa: POSIX message queues"
    assert ltp.expected_reason(exp, "foo01", "i386") is None
    assert ltp.expected_reason(exp, "bar01", "i386") == "pyuml: no namespaces"
    ltp.write_expectations(exp, path)
    assert ltp.read_expectations(path) == exp
    with open(path) as f:
        assert f.readline() == "# head\n"


def test_memory_wanted():
    """A test's "needs at least N MB MemAvailable" is what gives it a bigger boot."""
    out = "tst_test.c:1200: \x1b[1;33mTCONF: \x1b[0mTest needs at least 512MB MemAvailable\n"
    m = ltp.MEM_WANTED.search(ltp.ANSI.sub("", out))
    assert m and m.group(1) == "512"
    assert not ltp.MEM_WANTED.search("TCONF: Test needs at least 800MB SwapFree")


def test_scratch_not_over_the_tree():
    """A checkout under the host's /tmp: the guest's tmpfs goes on /mnt, or
    it would hide the LTP programs."""
    assert ltp.guest_tmp("/work/x/build/ltp") == "/tmp"
    assert ltp.guest_tmp("/tmp/ci/build/ltp") == "/mnt"
    assert "mount -t tmpfs tmpfs /mnt" in ltp.guest_script("/tmp/ci/build/ltp", "", ["x"])


def test_tmpfs_refused_gets_a_disk():
    """A test that refuses a tmpfs TMPDIR (new and old LTP API, or wanting
    more room than the boot's tmpfs) runs again with a host directory,
    mounted read-write with hostfs, as its TMPDIR."""
    for line in ("tst_test.c:1629: \x1b[1;33mTCONF: \x1b[0mtmpfs is not supported by the test",
                 "fcntl24  1  TCONF  :  fcntl24.c:125: Cannot do fcntl on a file on tmpfs filesystem",
                 "fcntl32  1  TCONF  :  fcntl32.c:88: Cannot do fcntl(F_SETLEASE, F_WRLCK) on "
                 "tmpfs filesystem",
                 "sendfile09.c:44: TCONF: Test on large file needs 5G free space"):
        assert ltp.TMPFS_REFUSED.search(ltp.ANSI.sub("", line)), line
    assert not ltp.TMPFS_REFUSED.search("TCONF: btrfs is not supported by the test")
    assert not ltp.TMPFS_REFUSED.search("TINFO: Using /tmp/x as tmpdir (tmpfs filesystem)")
    cmd = ltp.pyuml_cmd("/work/x/build/ltp", "", ["fcntl24"], "512M", disk="/tmp/ltp-disk-1")
    assert "hostfs=/:ro" in cmd and "hostfs=/tmp/ltp-disk-1:rw" in cmd
    assert "mount -t hostfs none /tmp -o /tmp/ltp-disk-1;" in cmd[-1]
    assert "mount -t tmpfs tmpfs /tmp" not in cmd[-1]
    plain = ltp.pyuml_cmd("/work/x/build/ltp", "", ["fcntl24"], "512M")
    assert not any(a.startswith("hostfs=") for a in plain)
    assert "mount -t tmpfs tmpfs /tmp;" in plain[-1]


def test_sethostid_gets_a_writable_hostid():
    """A test whose sethostid met the read-only root runs again with a
    writable copy of /etc/hostid bind-mounted over it, nothing else (or,
    on a host that has none, a writable copy of /etc)."""
    out = "gethostid01.c:35: \x1b[1;31mTFAIL: \x1b[0mset hostid to 0 failed: EROFS (30)"
    assert ltp.HOSTID_EROFS.search(ltp.ANSI.sub("", out))
    assert not ltp.HOSTID_EROFS.search("TFAIL: set hostid to 0 failed: EPERM (1)")
    cmd = ltp.pyuml_cmd("/work/x/build/ltp", "", ["gethostid01"], "512M", hostid=True)
    assert ("mount -t tmpfs tmpfs /tmp; if [ -e /etc/hostid ]; then "
            "cat /etc/hostid > /tmp/.hostid; mount --bind /tmp/.hostid /etc/hostid; "
            "else cp -a /etc /tmp/.etc && mount --bind /tmp/.etc /etc; fi;") in cmd[-1]
    assert "/etc/hostid" not in ltp.pyuml_cmd("/work/x/build/ltp", "", ["gethostid01"], "512M")[-1]
