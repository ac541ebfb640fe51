"""fs/sysfs.py - sysfs: the kernel's objects as directories (only what
tools look at: the disks, the NUMA node and the CPU).

    /sys/block/ubda/{dev,size,ro,removable,stat,queue/...,loop/...}
    /sys/dev/block/98:0 -> ../../block/ubda
    /sys/class/block/ubda -> ../../block/ubda
    /sys/devices/system/node   drivers/base/node.py
    /sys/devices/system/cpu    drivers/base/cpu.py

Like procfs (and built from its pieces, fs/proc/inode.py), nothing is
stored: each directory lists what exists now and each file's text is made
when it is opened, so a loop device bound a moment ago shows its
backing_file.  Every mount of sysfs is the same instance.
"""

from fs.dcache import Dentry
from fs.proc.inode import ProcDir, ProcFile, ProcLink, ProcSuperBlock
from block.genhd import disks
from block.ioctl import logical_block_size
from kernel.errno import ENOENT, Errno
from drivers.base.cpu import cpu_files
from drivers.base.node import node_files

SYSFS_MAGIC = 0x62656572
_sb = None


class SysfsSuperBlock(ProcSuperBlock):
    def __init__(self):
        super().__init__(read_only=False)
        self.fstype = "sysfs"
        self.magic = SYSFS_MAGIC


def _disks():
    return {d.disk_name: d for d in list(disks.values())}


def _text(key, fn):
    return lambda: ProcFile(_sb, key, lambda reader: fn())


def _stat(d):
    """The 17 fields of /sys/block/X/stat: ios, merges, sectors, ticks for
    reads and writes, in flight, io_ticks, time in queue, then discards
    and flushes."""
    r, w, fl = d.stats
    rs, ws = d.sectors
    ticks = r + w + fl              # io_ticks: one "millisecond" per request, never 0 after I/O
    return "%8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d\n" % (
        r, 0, rs, 0, w, 0, ws, 0, 0, ticks, ticks, 0, 0, 0, 0, fl, 0)


def _disk_dir(name):
    """The directory of the disk called name; every entry looks the disk
    up again when read, so what it shows is what is true now."""
    key = ("block", name)

    def disk():
        d = _disks().get(name)
        if d is None:
            raise Errno(ENOENT)
        return d

    def attr(sub, fn):
        return _text(key + (sub,), lambda: fn(disk()))

    def queue():
        lbs = lambda d: "%d\n" % logical_block_size(d)         # noqa: E731
        return {
            b"logical_block_size": attr("lbs", lbs), b"physical_block_size": attr("pbs", lbs),
            b"hw_sector_size": attr("hws", lbs), b"minimum_io_size": attr("mio", lbs),
            b"optimal_io_size": attr("oio", lambda d: "0\n"),
            b"rotational": attr("rot", lambda d: "0\n"),
            b"read_ahead_kb": attr("ra", lambda d: "128\n"),
            b"max_sectors_kb": attr("msk", lambda d: "1024\n"),
            b"discard_granularity": attr("dg", lambda d: "0\n"),
        }

    def extra_files(sub):
        def files():
            d = disk()
            fn = getattr(d.driver, "sysfs_extra", None)
            got = (fn(d) if fn else {}).get(sub, {})
            return {k.encode(): _text(key + (sub, k), (lambda k=k: _extra_value(name, sub, k)))
                    for k in got}
        return lambda: ProcDir(_sb, key + (sub,), files)

    def entries():
        d = disk()
        e = {
            b"dev": attr("dev", lambda d: "%d:%d\n" % (d.major, d.first_minor)),
            b"size": attr("size", lambda d: "%d\n" % d.capacity),
            b"ro": attr("ro", lambda d: "%d\n" % bool(d.read_only)),
            b"removable": attr("removable", lambda d: "%d\n" % d.removable),
            b"range": attr("range", lambda d: "%d\n" % d.minors),
            b"stat": attr("stat", _stat),
            b"uevent": attr("uevent", lambda d: "MAJOR=%d\nMINOR=%d\nDEVNAME=%s\n"
                            "DEVTYPE=disk\n" % (d.major, d.first_minor, d.disk_name)),
            b"queue": lambda: ProcDir(_sb, key + ("queue",), queue),
            b"holders": lambda: ProcDir(_sb, key + ("holders",), lambda: {}),
            b"slaves": lambda: ProcDir(_sb, key + ("slaves",), lambda: {}),
        }
        fn = getattr(d.driver, "sysfs_extra", None)
        for sub in (fn(d) if fn else {}):
            e[sub.encode()] = extra_files(sub)
        return e
    return lambda: ProcDir(_sb, key, entries)


def _extra_value(name, sub, k):
    d = _disks().get(name)
    fn = getattr(d.driver, "sysfs_extra", None) if d is not None else None
    return (fn(d) if fn else {}).get(sub, {}).get(k, "")


def _block_dir():
    return {name.encode(): _disk_dir(name) for name in _disks()}


def _link_dir(key, prefix, name_of):
    return lambda: ProcDir(_sb, key, lambda: {
        name_of(d).encode(): (lambda n=n: ProcLink(_sb, key + (n,), lambda: (prefix + n).encode()))
        for n, d in _disks().items()})


def _node(key, value):
    """The inode factory for one entry of a subsystem's tree, given as
    nested dicts of {name: text, a function giving the text, or a dict
    (a directory)}."""
    if isinstance(value, dict):
        return lambda: ProcDir(_sb, key, lambda: {
            name.encode(): _node(key + (name,), sub) for name, sub in value.items()
            if sub is not None})
    text = value if callable(value) else (lambda v=value: v)
    return lambda: ProcFile(_sb, key, lambda reader: text().encode(), mode=0o444)


def _system():
    return {"node": node_files(), "cpu": cpu_files()}


def _root():
    return {
        b"block": lambda: ProcDir(_sb, ("block",), _block_dir),
        b"dev": lambda: ProcDir(_sb, ("dev",), lambda: {
            b"block": _link_dir(("dev", "block"), "../../block/",
                                lambda d: "%d:%d" % (d.major, d.first_minor)),
            b"char": lambda: ProcDir(_sb, ("dev", "char"), lambda: {})}),
        b"class": lambda: ProcDir(_sb, ("class",), lambda: {
            b"block": _link_dir(("class", "block"), "../../block/", lambda d: d.disk_name)}),
        b"kernel": lambda: ProcDir(_sb, ("kernel",), lambda: {}),
        b"fs": lambda: ProcDir(_sb, ("fs",), lambda: {}),
        b"devices": lambda: ProcDir(_sb, ("devices",), lambda: {
            b"system": lambda: ProcDir(_sb, ("devices", "system"), lambda: {
                name.encode(): _node(("devices", "system", name), sub)
                for name, sub in _system().items()})}),
    }


def sysfs_sb():
    global _sb
    if _sb is None:
        _sb = SysfsSuperBlock()
        _sb.root = Dentry(b"/", None, ProcDir(_sb, None, _root, mode=0o555))
    return _sb
