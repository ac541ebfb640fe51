"""fs/dcache.py - struct dentry: names in the directory tree.

A Dentry binds a name in a parent directory to an inode.  Dentries are
cached in their parent (children), so walking a path twice asks the
filesystem once; mount points are dentries (fs/mount.py), and getcwd() and
/proc/PID/cwd rebuild a path by following parents.

Only positive dentries are cached.  A filesystem whose contents can change
behind the kernel's back (hostfs) says so with sb.revalidate, and its cached
dentries are checked against it on every walk.
"""


class Dentry:
    __slots__ = ("name", "parent", "inode", "children", "unhashed", "__weakref__")

    def __init__(self, name, parent, inode):
        self.name = name                    # bytes
        self.parent = parent if parent is not None else self
        self.inode = inode
        self.children = {}
        self.unhashed = False               # removed from the tree (unlinked)

    def __repr__(self):
        return "<Dentry %r>" % self.name

    @property
    def is_root(self):
        return self.parent is self


def d_add(parent, name, inode):
    d = Dentry(name, parent, inode)
    parent.children[name] = d
    return d


def d_drop(dentry):
    """Take dentry out of the tree (after unlink/rmdir, or when stale)."""
    p = dentry.parent
    if p.children.get(dentry.name) is dentry:
        del p.children[dentry.name]
    dentry.unhashed = True


def d_move(dentry, new_parent, new_name):
    d_drop(dentry)
    dentry.unhashed = False
    dentry.parent = new_parent
    dentry.name = new_name
    new_parent.children[new_name] = dentry


def lookup_one(parent, name):
    """The dentry for name in directory parent (None if it does not exist)."""
    inode = parent.inode
    d = parent.children.get(name)
    if d is not None:
        if not inode.sb.revalidate:
            return d
        fresh = inode.lookup(name)
        if fresh is not None and fresh.same_file(d.inode):
            d.inode.refresh_from(fresh)
            return d
        d_drop(d)
        if fresh is None:
            return None
        return d_add(parent, name, fresh)
    fresh = inode.lookup(name)
    if fresh is None:
        return None
    return d_add(parent, name, fresh)
