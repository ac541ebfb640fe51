"""fs/hostfs_policy.py - which host directories a guest may mount.

hostfs gives a guest a host directory; this file decides which ones, so
that no guest ever reaches a host path its user did not hand it.  In the
spirit of UML's hostfs= option:

    ./linux ... hostfs=/srv/data:rw hostfs=/usr/share/doc:ro

lists the host directories (each read-only unless it says :rw) below which
`mount -t hostfs none /mnt -o /host/dir` may reach.  Without hostfs=, a
guest whose root is a hostfs directory may mount only below that
directory, as read-only as the root is; a guest booted from an initramfs
may mount none.  The root itself must lie below a listed directory too.

A requested directory is found by walking from the allowed directory's
own descriptor one component at a time, with O_NOFOLLOW|O_DIRECTORY, as
every hostfs lookup is (fs/hostfs.py): a ".." component is refused, and a
symbolic link anywhere on the way ends the walk, so neither leaves the
allowed tree however the host's files change meanwhile.  Host
pseudo-filesystems (the host's /proc, /sys, ...) are never mountable: they
are windows onto the host kernel, not files.  A refusal is EACCES, with
one line in the kernel log.
"""

import os
import stat

from kernel.errno import EACCES, EINVAL, Errno
from kernel.printk import pr_warn
from fs.hostfs import is_pseudo_fs

_O_PATH = getattr(os, "O_PATH", 0o10000000)
_DIR_FLAGS = _O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC

allowed = []            # [(host directory, its components, read_only)]
explicit = False        # hostfs= was given: the list is exactly what it said


class PolicyError(Exception):
    """A hostfs= option the boot cannot use (a one-line boot error)."""


def parse_option(value):
    """hostfs=DIR[:ro|:rw]: remember DIR (resolved now, by the user's
    authority) as mountable."""
    global explicit
    path, ro = value, True
    for suffix, r in ((":ro", True), (":rw", False)):
        if value.endswith(suffix):
            path, ro = value[:-len(suffix)], r
    if not path.startswith("/"):
        raise PolicyError("hostfs=%s: not an absolute host directory" % value)
    real = os.path.realpath(path)
    if not os.path.isdir(real):
        raise PolicyError("hostfs=%s: no such host directory" % value)
    explicit = True
    _allow(real, ro)


def allow_root(path, read_only):
    """The boot mounted path as the root: without hostfs=, it is what the
    guest may mount below (as read-only as the root); with hostfs=, it
    must lie below a listed directory, and be no more writable."""
    real = os.path.realpath(path)
    if not explicit:
        _allow(real, read_only)
        return
    entry = _covering(_components(real.encode()))
    if entry is None:
        raise PolicyError("rootflags=%s: not below a directory hostfs= allows" % path)
    if entry[2] and not read_only:
        raise PolicyError("rootflags=%s: hostfs= allows it read-only; boot with ro" % path)


def _allow(real, read_only):
    allowed.append((real, _components(real.encode()), read_only))
    allowed.sort(key=lambda e: -len(e[1]))          # the deepest match first


def _components(path):
    return [c for c in path.split(b"/") if c and c != b"."]


def _covering(comps):
    for entry in allowed:
        base = entry[1]
        if comps[:len(base)] == base:
            return entry
    return None


def refuse(path, why):
    pr_warn("hostfs: mount of %s refused: %s" % (path.decode(errors="replace"), why))
    raise Errno(EACCES)


def _is_symlink(dirfd, name):
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dirfd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def open_confined(path, read_only):
    """An O_PATH descriptor of the host directory path (bytes) for a guest
    mount, read_only as asked; refuses with EACCES what the policy does not
    allow.  Returns (fd, the host path it names)."""
    if not path.startswith(b"/"):
        raise Errno(EINVAL)
    parts = path.split(b"/")
    if b".." in parts:
        refuse(path, "'..' in the host path")
    comps = _components(path)
    entry = _covering(comps)
    if entry is None:
        refuse(path, "not below a directory the boot allows (hostfs=)")
    base, base_comps, base_ro = entry
    if base_ro and not read_only:
        refuse(path, "%s is allowed read-only" % base)
    fd = os.open(base, _DIR_FLAGS)
    try:
        for c in comps[len(base_comps):]:
            try:
                nfd = os.open(c, _DIR_FLAGS, dir_fd=fd)
            except OSError as e:
                if _is_symlink(fd, c):
                    refuse(path, "a symbolic link on the way (%s)" % c.decode(errors="replace"))
                raise Errno(e.errno)            # not there, not a directory
            os.close(fd)
            fd = nfd
        if is_pseudo_fs(fd):
            refuse(path, "a host pseudo-filesystem")
    except BaseException:
        os.close(fd)
        raise
    return fd, b"/".join([b""] + comps).decode(errors="surrogateescape") or "/"
