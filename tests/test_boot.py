"""Booting: the default init, how the machine ends, and bad command lines."""

import gzip
import os

from conftest import BUILD, boot, guest, make_initrd, run


def test_default_init_boots_and_powers_off():
    r = boot(["initrd=" + os.path.join(BUILD, "initramfs.cpio.gz"), "init=/init"])
    assert r.status == 0, r.stderr
    out = r.out
    assert "init: pid 1 on Linux" in out
    assert "This line was read from /etc/motd in the initramfs." in out
    assert "checksum" in out and "(ok)" in out
    log = r.stderr.decode()
    assert "reboot: Power down" in log
    assert "[    0." in log                     # Linux-style timestamps
    assert "reboot" not in out                  # kernel messages stay off stdout


def test_quiet_keeps_the_log_empty():
    r = boot(["quiet", "initrd=" + os.path.join(BUILD, "initramfs.cpio.gz"), "init=/init"])
    assert r.status == 0
    assert r.stderr.decode().count("\n") <= 1   # at most errors


def test_init_exit_status_is_the_machines(tmp_path):
    r = run(guest("hello"), ["7"])
    assert r.status == 7
    assert "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000700" in r.stderr.decode()


def test_init_killed_by_signal(tmp_path):
    r = run(guest("segv"))
    assert r.status == 128 + 11
    assert "exitcode=0x0000000b" in r.stderr.decode()


def test_gzip_and_plain_initrd(tmp_path):
    plain = make_initrd(str(tmp_path / "a.cpio"), guest("hello"))
    gz = str(tmp_path / "a.cpio.gz")
    with open(plain, "rb") as f, open(gz, "wb") as g:
        g.write(gzip.compress(f.read()))
    for rd in (plain, gz):
        r = boot(["quiet", "initrd=" + rd, "init=/prog"])
        assert r.status == 0 and r.out.startswith("hello, world")


def test_arguments_and_environment_reach_init(tmp_path):
    rd = make_initrd(str(tmp_path / "a.cpio"), guest("hello"))
    r = boot(["quiet", "initrd=" + rd, "init=/prog", "GUEST_VAR=forty-two", "--", "0", "two words"])
    assert r.status == 0
    assert "argv[1] = 0\nargv[2] = two words\nGUEST_VAR=forty-two\n" in r.out


def _one_line_error(r):
    """A user error: non-zero exit, no traceback, exactly one "linux:" line
    saying what is wrong (after whatever the kernel logged while booting)."""
    err = r.stderr.decode()
    assert r.status != 0
    assert "Traceback" not in err
    lines = [x for x in err.splitlines() if x.startswith("linux: ")]
    assert len(lines) == 1, err
    return lines[0]


def test_bad_option(tmp_path):
    line = _one_line_error(boot(["initrd=/nonexistent", "bogus"]))
    assert "bogus" in line


def test_bad_mem_size():
    assert "size" in _one_line_error(boot(["mem=lots", "initrd=x"]))


def test_missing_initrd():
    r = boot(["initrd=/no/such/file.cpio", "init=/init"])
    line = _one_line_error(r)
    assert "No such file" in line
    assert r.stderr.decode().count("\n") == 1     # checked before booting


def test_corrupt_initrd(tmp_path):
    bad = tmp_path / "bad.cpio"
    bad.write_bytes(b"this is not a cpio archive" * 10)
    line = _one_line_error(boot(["initrd=%s" % bad, "init=/init"]))
    assert "cpio" in line
    badgz = tmp_path / "bad.cpio.gz"
    badgz.write_bytes(gzip.compress(os.urandom(5000))[:100])
    assert "gzip" in _one_line_error(boot(["initrd=%s" % badgz, "init=/init"]))


def test_init_not_elf(tmp_path):
    script = tmp_path / "notelf"
    script.write_bytes(b"just some text, not a program\n")
    rd = make_initrd(str(tmp_path / "a.cpio"), str(script))
    line = _one_line_error(boot(["initrd=" + rd, "init=/prog"]))
    assert "Exec format" in line or "not an ELF" in line


def test_init_missing(tmp_path):
    rd = make_initrd(str(tmp_path / "a.cpio"), guest("hello"))
    line = _one_line_error(boot(["initrd=" + rd, "init=/nothere"]))
    assert "/nothere" in line


def test_init_wrong_machine(tmp_path):
    # an ELF header for a machine we do not run (EM_AARCH64 = 183)
    with open(guest("hello"), "rb") as f:
        data = bytearray(f.read())
    data[18:20] = (183).to_bytes(2, "little")
    prog = tmp_path / "arm"
    prog.write_bytes(bytes(data))
    rd = make_initrd(str(tmp_path / "a.cpio"), str(prog))
    line = _one_line_error(boot(["initrd=" + rd, "init=/prog"]))
    assert "Exec format" in line or "not an ELF" in line
