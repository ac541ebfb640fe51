"""The kernel's own access to guest memory (mm/uaccess.py) follows the
rules of a guest access: a PROT_WRITE or PROT_EXEC page can be read by a
system call (x86 cannot map a page write- or execute-only), PROT_NONE and
writes into read-only pages are EFAULT, and untouched pages are faulted in
by the kernel - differential against the host kernel."""

import pytest

from conftest import differential, guest


@pytest.mark.parametrize("libc", ["musl", "glibc", "glibc32"])
def test_kernel_access_to_untouched_pages(libc):
    n, u = differential(guest("uaccess", libc))
    assert "write from untouched PROT_WRITE: 300" in u.out
