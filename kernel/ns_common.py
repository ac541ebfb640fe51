"""kernel/ns_common.py - what every namespace has (Linux's struct
ns_common): its kind, its CLONE_NEW* flag and its inode number in nsfs,
the number /proc/PID/ns/* links show and stat(2) reports.

The initial namespaces carry the numbers Linux gives them; every new one
takes the next free number from the range Linux allocates them from
(proc_alloc_inum).  The nsfs dentry of a namespace is made the first
time someone opens it (fs/nsfs.py: ns_path), and kept with it.
"""

_next_inum = 0xF0000002             # above init_net's and init_mnt_ns's


def ns_alloc_inum():
    global _next_inum
    inum = _next_inum
    _next_inum += 1
    return inum


class NsCommon:
    def __init__(self, kind, nstype, user_ns, inum=None):
        self.kind = kind                # b"uts": the /proc/PID/ns link's prefix
        self.nstype = nstype            # CLONE_NEWUTS: NS_GET_NSTYPE's answer
        self.user_ns = user_ns          # the user namespace that owns it (None: the initial user ns)
        self.inum = ns_alloc_inum() if inum is None else inum
        self.stashed = None             # its nsfs Path (fs/nsfs.py)
