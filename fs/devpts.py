"""fs/devpts.py - devpts: the filesystem of pseudo-terminal slaves (/dev/pts).

It holds "ptmx" (character device 5:2: opening it makes a new pty pair,
drivers/pty.py) and one node per live pair, named by its number, for the
slave end (character device 136:N).  A node appears when its master is
opened and goes away when the master is closed; the kernel makes and
removes them, nobody else can.  There is one instance, whatever and
wherever it is mounted.
"""

from kernel.errno import EPERM, Errno
from fs.dcache import Dentry
from fs.inode import S_IFCHR, S_IFDIR, Inode, SuperBlock, dtype, mkdev
from fs.mount import Mount, Path

DEVPTS_SUPER_MAGIC = 0x1CD1
UNIX98_PTY_SLAVE_MAJOR = 136


class DevptsDir(Inode):
    """The root directory: ptmx and the slaves."""

    def __init__(self, sb):
        super().__init__(sb, S_IFDIR | 0o755, ino=1)
        self.nlink = 2
        self.entries = {}

    def lookup(self, name):
        return self.entries.get(name)

    def readdir(self):
        return [(name, inode.ino, dtype(inode.mode)) for name, inode in self.entries.items()]

    def create(self, name, mode, cred, rdev=0):
        raise Errno(EPERM)

    def mkdir(self, name, mode, cred):
        raise Errno(EPERM)


class Devpts:
    def __init__(self):
        sb = SuperBlock("devpts", magic=DEVPTS_SUPER_MAGIC)
        sb._ino = iter(range(2, 1 << 62))
        self.sb = sb
        self.root_inode = DevptsDir(sb)
        sb.root = Dentry(b"/", None, self.root_inode)
        ptmx = Inode(sb, S_IFCHR | 0o000, rdev=mkdev(5, 2), ino=2)
        self.root_inode.entries[b"ptmx"] = ptmx
        sb._ino = iter(range(3, 1 << 62))
        self.mnt = Mount(sb, sb.root, source=b"devpts")

    def pty_new_index(self, used):
        n = 0
        while n in used:
            n += 1
        return n

    def new_slave_node(self, index, cred):
        name = str(index).encode()
        inode = Inode(self.sb, S_IFCHR | 0o620, cred.fsuid, 5,
                      rdev=mkdev(UNIX98_PTY_SLAVE_MAJOR, index), ino=index + 3)
        self.root_inode.entries[name] = inode
        return inode

    def kill_slave_node(self, index):
        name = str(index).encode()
        self.root_inode.entries.pop(name, None)
        d = self.sb.root.children.pop(name, None)
        if d is not None:
            d.unhashed = True

    def slave_path(self, index):
        """A Path to the slave node (TIOCGPTPEER opens through it)."""
        name = str(index).encode()
        root = self.sb.root
        d = root.children.get(name)
        if d is None:
            d = Dentry(name, root, self.root_inode.entries[name])
            root.children[name] = d
        return Path(self.mnt, d)


_devpts = None


def devpts():
    global _devpts
    if _devpts is None:
        _devpts = Devpts()
    return _devpts


def devpts_mount(source=b"devpts", flags=0, data=b""):
    """For mount -t devpts: the one instance."""
    return devpts().sb

