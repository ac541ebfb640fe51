"""chattr on tmpfs (fs/ioctl.py, fs/tmpfs.py): FS_IOC_GETFLAGS and
FS_IOC_SETFLAGS, what immutable and append-only forbid, the flags tmpfs
refuses and who may set them, against the host's tmpfs
(tests/guest/chattr.c; /dev/shm natively)."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_chattr_on_tmpfs(libc):
    n, u = differential(guest("chattr", libc), ["/dev/shm"])
    assert "flags 0x10" in u.out and "flags 0x20" in u.out
