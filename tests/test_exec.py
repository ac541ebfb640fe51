"""execve: what it keeps and resets, its errors, #! scripts, vfork+exec -
differential against the host kernel."""

import os

import pytest

from conftest import differential, guest

LIBCS = ["musl", "glibc"]


def _files(*paths):
    return {p: p for p in paths}


@pytest.mark.parametrize("libc", LIBCS)
def test_exec_reset(libc):
    self = guest("exec", libc)
    n, u = differential(self, ["reset", self], files=_files(self), timeout=30)
    assert "reset to SIG_DFL 1" in u.out


@pytest.mark.parametrize("libc", LIBCS)
def test_exec_vfork(libc):
    self = guest("exec", libc)
    differential(self, ["vfork", self], files=_files(self), timeout=30)


def _write(path, data, mode):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return str(path)


@pytest.mark.parametrize("libc", LIBCS)
def test_exec_errors(libc, tmp_path):
    self = guest("exec", libc)
    d = tmp_path
    made = [_write(d / "noexec", b"\x7fELF junk", 0o644),
            _write(d / "garbage", b"hello world, not a program\n", 0o755),
            _write(d / "empty", b"", 0o755),
            _write(d / "badinterp", b"#!/nonexistent/interp\n", 0o755),
            _write(d / "emptyinterp", b"#!\n", 0o755)]
    n, u = differential(self, ["errors", self, str(d)], files=_files(self, *made), timeout=30)
    assert "still running" in u.out


@pytest.mark.parametrize("libc", LIBCS)
def test_exec_scripts(libc, tmp_path):
    self = guest("exec", libc).encode()
    d = tmp_path
    made = [_write(d / "plain", b"#!" + self + b"\n", 0o755),
            _write(d / "witharg", b"#!" + self + b" show\n", 0o755),
            _write(d / "spaces", b"#!  " + self + b" \t show  this \t \nignored\n", 0o755),
            _write(d / "nested", b"#!" + str(d / "witharg").encode() + b" extra\n", 0o755)]
    self = self.decode()
    n, u = differential(self, ["script", self, str(d)], files=_files(self, *made), timeout=30)
    assert "[show  this]" in u.out
