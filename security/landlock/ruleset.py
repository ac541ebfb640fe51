"""security/landlock/ruleset.py - rulesets, and the domains made of them.

A ruleset (landlock_create_ruleset) names the access rights it handles -
those a sandbox built from it denies unless a rule grants them - and
collects rules: a path-beneath rule grants rights on an inode and all
below it, a net-port rule rights on a TCP port.  landlock_restrict_self
freezes a copy of it as a new layer of the thread's domain: the domain is
the tuple of its layers, outermost first, kept on the credentials
(cred.landlock; None outside any sandbox), so fork and exec inherit it and
only ever add layers.  An access is allowed when every layer that handles
it has a rule granting it; a layer object is shared by all the domains
stacked on it, which is what the scopes compare (security/landlock/task.py).
"""

# filesystem access rights (handled_access_fs, allowed_access of a path rule)
ACCESS_FS_EXECUTE = 1 << 0
ACCESS_FS_WRITE_FILE = 1 << 1
ACCESS_FS_READ_FILE = 1 << 2
ACCESS_FS_READ_DIR = 1 << 3
ACCESS_FS_REMOVE_DIR = 1 << 4
ACCESS_FS_REMOVE_FILE = 1 << 5
ACCESS_FS_MAKE_CHAR = 1 << 6
ACCESS_FS_MAKE_DIR = 1 << 7
ACCESS_FS_MAKE_REG = 1 << 8
ACCESS_FS_MAKE_SOCK = 1 << 9
ACCESS_FS_MAKE_FIFO = 1 << 10
ACCESS_FS_MAKE_BLOCK = 1 << 11
ACCESS_FS_MAKE_SYM = 1 << 12
ACCESS_FS_REFER = 1 << 13
ACCESS_FS_TRUNCATE = 1 << 14
ACCESS_FS_IOCTL_DEV = 1 << 15
MASK_ACCESS_FS = (1 << 16) - 1

# the rights that make sense on a file (the rest are about directories)
ACCESS_FILE = (ACCESS_FS_EXECUTE | ACCESS_FS_WRITE_FILE | ACCESS_FS_READ_FILE
               | ACCESS_FS_TRUNCATE | ACCESS_FS_IOCTL_DEV)

# network access rights (handled_access_net, allowed_access of a port rule)
ACCESS_NET_BIND_TCP = 1 << 0
ACCESS_NET_CONNECT_TCP = 1 << 1
MASK_ACCESS_NET = (1 << 2) - 1

# scopes: what a sandbox may not reach outside itself
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1
MASK_SCOPE = (1 << 2) - 1

MAX_NUM_LAYERS = 16             # domains stack at most this many rulesets


class Ruleset:
    """struct landlock_ruleset of one layer: what it handles, its rules."""

    def __init__(self, handled_fs, handled_net, scoped):
        self.handled_fs = handled_fs
        self.handled_net = handled_net
        self.scoped = scoped
        self.fs_rules = {}              # Inode -> rights granted beneath it
        self.net_rules = {}             # TCP port -> rights granted on it

    def fs_mask(self):
        """The filesystem rights this layer denies by default: reparenting
        (REFER) is one of them in any layer that handles the filesystem
        at all, asked for or not."""
        return self.handled_fs | ACCESS_FS_REFER if self.handled_fs else 0

    def add_fs_rule(self, inode, access):
        # rights the ruleset does not handle are granted outright
        access |= MASK_ACCESS_FS & ~self.fs_mask()
        self.fs_rules[inode] = self.fs_rules.get(inode, 0) | access

    def add_net_rule(self, port, access):
        access |= MASK_ACCESS_NET & ~self.handled_net
        self.net_rules[port] = self.net_rules.get(port, 0) | access

    def frozen(self):
        """A copy to become a layer: later rules no longer reach it."""
        layer = Ruleset(self.handled_fs, self.handled_net, self.scoped)
        layer.fs_rules = dict(self.fs_rules)
        layer.net_rules = dict(self.net_rules)
        return layer


def merge_ruleset(domain, ruleset):
    """The domain with ruleset stacked on it (landlock_merge_ruleset)."""
    layers = domain or ()
    return layers + (ruleset.frozen(),)
