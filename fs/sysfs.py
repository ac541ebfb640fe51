"""fs/sysfs.py - sysfs: the kernel's objects as directories.

Like procfs (and built from its pieces, fs/proc/inode.py), nothing is
stored: each directory lists what exists now and each file's text is made
when it is opened.  Every mount of sysfs is the same instance.  The
subsystems provide their trees as nested dicts of {name: text, a
function giving the text, or a dict (a directory)}:

    /sys/devices/system/node   drivers/base/node.py
    /sys/devices/system/cpu    drivers/base/cpu.py
"""

from fs.dcache import Dentry
from fs.proc.inode import ProcDir, ProcFile, ProcSuperBlock

SYSFS_MAGIC = 0x62656572
_sb = None


class SysfsSuperBlock(ProcSuperBlock):
    def __init__(self):
        super().__init__(read_only=False)
        self.fstype = "sysfs"
        self.magic = SYSFS_MAGIC


def _node(key, value):
    """The inode factory for one entry of a subsystem's tree."""
    if isinstance(value, dict):
        return lambda: ProcDir(_sb, key, lambda: {
            name.encode(): _node(key + (name,), sub) for name, sub in value.items()
            if sub is not None})
    text = value if callable(value) else (lambda v=value: v)
    return lambda: ProcFile(_sb, key, lambda reader: text().encode(), mode=0o444)


def _system():
    from drivers.base.cpu import cpu_files
    from drivers.base.node import node_files
    return {"node": node_files(), "cpu": cpu_files()}


def _root():
    empty = lambda key: (lambda: ProcDir(_sb, key, lambda: {}))     # noqa: E731
    return {
        b"devices": lambda: ProcDir(_sb, ("devices",), lambda: {
            b"system": lambda: ProcDir(_sb, ("devices", "system"), lambda: {
                name.encode(): _node(("devices", "system", name), sub)
                for name, sub in _system().items()})}),
        b"block": empty(("block",)),
        b"class": empty(("class",)),
        b"dev": empty(("dev",)),
        b"kernel": empty(("kernel",)),
        b"fs": empty(("fs",)),
    }


def sysfs_sb():
    global _sb
    if _sb is None:
        _sb = SysfsSuperBlock()
        _sb.root = Dentry(b"/", None, ProcDir(_sb, None, _root, mode=0o555))
    return _sb
