"""fs/initramfs.py - unpack a newc cpio archive (gzip'd or not) into rootfs.

The format is the one Linux's usr/gen_init_cpio writes: a 110-byte ASCII
header ("070701", then thirteen 8-digit hex fields), the NUL-terminated
name, the data, each padded to 4 bytes, ending with "TRAILER!!!".  Several
archives may follow one another, each compressed or not, as Linux allows.
Hard links (same inode number, nlink > 1) carry their data in the last
entry and are linked, not copied.

Errors raise InitramfsError with a message a user can act on.
"""

import zlib

from fs.inode import S_IFMT, S_ISDIR, S_ISLNK, S_ISREG, mkdev
from fs.dcache import d_add, d_drop
from kernel.task import Cred


class InitramfsError(Exception):
    pass


def _archives(data):
    """Split concatenated (possibly gzip'd) archives into plain cpio bytes."""
    pos = 0
    while pos < len(data):
        if data[pos:pos + 4] == b"\0\0\0\0":
            pos += 4                        # padding between archives
            continue
        if data[pos:pos + 2] == b"\x1f\x8b":
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                out = d.decompress(data[pos:])
            except zlib.error as e:
                raise InitramfsError("corrupt gzip data: %s" % e)
            if not d.eof:
                raise InitramfsError("truncated gzip data")
            yield out
            pos = len(data) - len(d.unused_data)
            continue
        yield data[pos:]
        return


def parse_cpio(data):
    """Yield (name, mode, uid, gid, nlink, mtime, rdev, ino, body)."""
    for arc in _archives(data):
        pos = 0
        while True:
            while pos < len(arc) and arc[pos:pos + 1] == b"\0":
                pos += 1
            if pos >= len(arc):
                break
            hdr = arc[pos:pos + 110]
            if len(hdr) < 110 or hdr[:6] not in (b"070701", b"070702"):
                raise InitramfsError("not a newc cpio archive (bad magic at byte %d)" % pos)
            try:
                f = [int(hdr[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
            except ValueError:
                raise InitramfsError("corrupt cpio header at byte %d" % pos)
            ino, mode, uid, gid, nlink, mtime, size, _, _, rmaj, rmin, namesize, _ = f
            npos = pos + 110
            name = arc[npos:npos + namesize - 1]
            if len(name) != namesize - 1:
                raise InitramfsError("truncated cpio archive")
            pos = (npos + namesize + 3) & ~3
            body = arc[pos:pos + size]
            if len(body) != size:
                raise InitramfsError("truncated cpio archive (%s)" % name.decode(errors="replace"))
            pos = (pos + size + 3) & ~3
            if name == b"TRAILER!!!":
                break
            yield name, mode, uid, gid, nlink, mtime, mkdev(rmaj, rmin), ino, body


def unpack_to_rootfs(data, root_dentry):
    """Create the archive's contents under root_dentry (a tmpfs root)."""
    links = {}
    count = 0
    for name, mode, uid, gid, nlink, mtime, rdev, ino, body in parse_cpio(data):
        name = name.lstrip(b"/")
        while name.startswith(b"./"):
            name = name[2:]
        if name in (b"", b"."):
            if S_ISDIR(mode):
                root_dentry.inode.mode = mode
            continue
        parts = [p for p in name.split(b"/") if p]
        if b".." in parts:
            raise InitramfsError("cpio entry %r leaves the archive" % name.decode(errors="replace"))
        d = root_dentry
        for p in parts[:-1]:
            nxt = d.children.get(p)
            if nxt is None:
                inode = d.inode.mkdir(p, 0o755, Cred())
                nxt = d_add(d, p, inode)
            d = nxt
        last = parts[-1]
        old = d.children.get(last)
        if old is not None:
            if S_ISDIR(old.inode.mode) and S_ISDIR(mode):
                old.inode.mode = mode
                old.inode.uid, old.inode.gid = uid, gid
                continue
            if not S_ISDIR(old.inode.mode):
                d.inode.unlink(last, old.inode)
                d_drop(old)
        cred = Cred(uid, gid)
        key = (ino, rdev)
        if S_ISREG(mode) and nlink > 1 and key in links:
            target = links[key]
            d.inode.link(last, target)
            d_add(d, last, target)
            if body:
                target.mapping.truncate(0)
                target.size = 0
                target.mapping.write(0, body)
            continue
        if S_ISDIR(mode):
            inode = d.inode.mkdir(last, mode & 0o7777, cred)
        elif S_ISLNK(mode):
            inode = d.inode.symlink(last, body, cred)
        else:
            inode = d.inode.create(last, mode & (S_IFMT | 0o7777), cred, rdev)
            if S_ISREG(mode) and body:
                inode.mapping.write(0, body)
        inode.uid, inode.gid = uid, gid
        inode.mode = (inode.mode & S_IFMT) | (mode & 0o7777)
        inode.mtime = inode.ctime = inode.atime = mtime * 10**9
        d_add(d, last, inode)
        if S_ISREG(mode) and nlink > 1:
            links[key] = inode
        count += 1
    return count
