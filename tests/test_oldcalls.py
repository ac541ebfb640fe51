"""sysfs(2) (fs/filesystems.py), ustat(2) (fs/statfs.py) and vhangup(2)
(fs/open.py), differential against the host kernel, 64-bit and i386
(compat struct ustat)."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32


@pytest.mark.parametrize("libc", ["musl", "glibc"] + LIBS32)
@pytest.mark.parametrize("mode", ["sysfs", "ustat", "vhangup"])
def test_oldcalls(libc, mode):
    n, u = differential(guest("oldcalls", libc), [mode],
                        files=files32(libc) if "32" in libc else None)
    assert "Oops" not in u.stderr.decode(errors="replace")
    if mode == "vhangup":
        assert "SIGHUPs 1" in u.out and 'write(s, "x", 1) -> -1 (I' in u.out   # EIO
    if mode == "sysfs":
        assert "/proc/filesystems lists the same 1" in u.out
