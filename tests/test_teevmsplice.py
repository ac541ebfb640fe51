"""tee(2) and vmsplice(2) (fs/splice.py), differential against the host
kernel, 64-bit and i386: buffers duplicated or made from user pages (the
slot count shows one buffer per user page), waiting, EAGAIN, EPIPE and
every errno."""

import pytest

from conftest import differential, guest
from test_i386 import LIBS32, files32


@pytest.mark.parametrize("libc", ["musl", "glibc"] + LIBS32)
@pytest.mark.parametrize("mode", ["tee", "vmsplice"])
def test_tee_vmsplice(libc, mode):
    n, u = differential(guest("teevmsplice", libc), [mode],
                        files=files32(libc) if "32" in libc else None)
    assert "Oops" not in u.stderr.decode(errors="replace")
    if mode == "vmsplice":
        assert "vms(p[1], &iov, 1, 0) -> 8092" in u.out       # 3996 + 4096: two user pages
