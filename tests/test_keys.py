"""The key retention service (security/keys/): add_key, request_key and
keyctl compared with the host kernel (tests/guest/keys.c), and keyutils'
own keyctl(1) run from a hostfs root."""

import os
import subprocess

import pytest

from conftest import boot, differential, guest

CASES = ["basic", "errors", "perms", "quota", "special"]


@pytest.mark.parametrize("libc", ["musl", "glibc"])
@pytest.mark.parametrize("what", CASES)
def test_keys(what, libc):
    differential(guest("keys", libc), [what])


@pytest.mark.parametrize("what", ["basic", "errors", "special"])
def test_keys_i386(what):
    differential(guest("keys", "glibc32"), [what])


KEYCTL = "/usr/bin/keyctl"
SCRIPT = os.path.join(os.path.dirname(__file__), "keyctl.sh")


@pytest.mark.skipif(not os.path.exists(KEYCTL), reason="keyutils not installed")
def test_keyutils_keyctl():
    """keyutils' own keyctl(1), a dynamic program from the host's /, does
    the same under pyuml as natively (tests/keyctl.sh: add, print,
    describe, search, update, link, padd/pipe, timeout, setperm, chgrp,
    revoke, unlink, request, invalidate, session)."""
    n = subprocess.run(["sh", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60, stdin=subprocess.DEVNULL)
    u = boot(["quiet", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro",
              "init=/bin/sh", "--", "-c", "sh %s 2>&1" % SCRIPT], timeout=120)
    assert u.out == n.stdout.decode(), "--- native\n%s\n--- pyuml\n%s\n%s" % (
        n.stdout.decode(), u.out, u.stderr.decode())


@pytest.mark.skipif(not os.path.exists(KEYCTL), reason="keyutils not installed")
def test_keyutils_refusals():
    """What this kernel refuses, as a kernel built without it: persistent
    keyrings and Diffie-Hellman (keyctl supports reads KEYCTL_CAPABILITIES)."""
    u = boot(["quiet", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro",
              "init=/bin/sh", "--", "-c",
              "keyctl get_persistent @s; echo rc=$?; keyctl supports"], timeout=120)
    assert "Operation not supported" in u.out and "rc=1" in u.out, u.out
    assert "have_persistent_keyrings=0" in u.out and "have_capabilities=1" in u.out, u.out
    assert "have_big_key_type=0" in u.out and "have_key_invalidate=1" in u.out, u.out
