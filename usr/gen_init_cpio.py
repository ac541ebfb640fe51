#!/usr/bin/env python3
"""usr/gen_init_cpio.py - write a newc cpio archive from a list of entries.

The list format is Linux's usr/gen_init_cpio's:

    dir   <name> <mode> <uid> <gid>
    file  <name> <location> <mode> <uid> <gid>
    slink <name> <target> <mode> <uid> <gid>
    nod   <name> <mode> <uid> <gid> <c|b> <maj> <min>
    pipe  <name> <mode> <uid> <gid>

Usage: gen_init_cpio.py LIST [-o OUT.cpio[.gz]]  (locations are relative to
the current directory).  Tests build archives with the Archive class.
"""

import gzip
import os
import sys
import time

S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO = \
    0o040000, 0o100000, 0o120000, 0o020000, 0o060000, 0o010000


class Archive:
    def __init__(self, mtime=None):
        self.out = bytearray()
        self.ino = 721
        self.mtime = int(time.time()) if mtime is None else mtime
        self.dirs = set()

    def _entry(self, name, mode, uid=0, gid=0, body=b"", nlink=1, rmaj=0, rmin=0):
        if isinstance(name, str):
            name = name.encode()
        name = name.lstrip(b"/")
        hdr = b"070701" + b"".join(b"%08X" % v for v in (
            self.ino, mode, uid, gid, nlink, self.mtime, len(body), 3, 1,
            rmaj, rmin, len(name) + 1, 0))
        self.ino += 1
        self.out += hdr + name + b"\0"
        self.out += b"\0" * (-len(self.out) % 4)
        self.out += body
        self.out += b"\0" * (-len(self.out) % 4)

    def parents(self, name):
        parts = name.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in self.dirs:
                self.dir(d)

    def dir(self, name, mode=0o755, uid=0, gid=0):
        self.dirs.add(name.strip("/"))
        self._entry(name, S_IFDIR | mode, uid, gid, nlink=2)

    def file(self, name, data, mode=0o644, uid=0, gid=0):
        self._entry(name, S_IFREG | mode, uid, gid, data)

    def slink(self, name, target, mode=0o777, uid=0, gid=0):
        if isinstance(target, str):
            target = target.encode()
        self._entry(name, S_IFLNK | mode, uid, gid, target)

    def nod(self, name, mode, uid, gid, kind, major, minor):
        ftype = S_IFCHR if kind == "c" else S_IFBLK
        self._entry(name, ftype | mode, uid, gid, rmaj=major, rmin=minor)

    def pipe(self, name, mode=0o644, uid=0, gid=0):
        self._entry(name, S_IFIFO | mode, uid, gid)

    def bytes(self, compress=False):
        out = bytes(self.out)
        trailer = Archive(self.mtime)
        trailer.ino = 0
        trailer._entry("TRAILER!!!", 0)
        out += bytes(trailer.out)
        out += b"\0" * (-len(out) % 512)
        return gzip.compress(out, mtime=0) if compress else out


def from_list(lines, base="."):
    a = Archive()
    for n, line in enumerate(lines, 1):
        f = line.split("#", 1)[0].split()
        if not f:
            continue
        kind, args = f[0], f[1:]
        try:
            if kind == "dir":
                a.dir(args[0], int(args[1], 8), int(args[2]), int(args[3]))
            elif kind == "file":
                with open(os.path.join(base, args[1]), "rb") as fh:
                    a.file(args[0], fh.read(), int(args[2], 8), int(args[3]), int(args[4]))
            elif kind == "slink":
                a.slink(args[0], args[1], int(args[2], 8), int(args[3]), int(args[4]))
            elif kind == "nod":
                a.nod(args[0], int(args[1], 8), int(args[2]), int(args[3]), args[4],
                      int(args[5]), int(args[6]))
            elif kind == "pipe":
                a.pipe(args[0], int(args[1], 8), int(args[2]), int(args[3]))
            else:
                raise ValueError("unknown type %r" % kind)
        except (IndexError, ValueError) as e:
            raise SystemExit("gen_init_cpio: line %d: %s" % (n, e))
        except OSError as e:
            raise SystemExit("gen_init_cpio: line %d: %s: %s" % (n, e.filename, e.strerror))
    return a


def main():
    args = sys.argv[1:]
    out = None
    if "-o" in args:
        i = args.index("-o")
        out = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        raise SystemExit(__doc__)
    with open(args[0]) as fh:
        a = from_list(fh.readlines())
    data = a.bytes(compress=bool(out and out.endswith(".gz")))
    if out:
        with open(out, "wb") as fh:
            fh.write(data)
    else:
        sys.stdout.buffer.write(data)


if __name__ == "__main__":
    main()
