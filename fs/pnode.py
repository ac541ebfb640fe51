"""fs/pnode.py - shared subtrees: mount and umount events that propagate
(Linux's fs/pnode.c; Documentation/filesystems/sharedsubtree.rst).

A mount is private (the default), shared, a slave, or unbindable.  Shared
mounts are in a *peer group* (Mount.group, the N of mountinfo's
"shared:N"): a mount or unmount below one of them happens below every
peer as well.  A slave (Mount.master, the group it receives from:
"master:N") gets what happens below its master's peers, but what happens
below it does not go back.  Unbindable mounts cannot be bind-mounted.

The type changes with mount(2)'s MS_SHARED/MS_SLAVE/MS_PRIVATE/
MS_UNBINDABLE (MS_REC: the whole subtree) and mount_setattr's
propagation field.  A bind mount of a shared mount joins its group, of a
slave becomes a slave of the same master.  A mount attached below a
shared mount is made shared itself, in a new group (as Linux's
attach_recursive_mnt does), and a copy of it goes below every mount that
receives from the parent, where the mount point is visible (below that
mount's root): peers' copies join the new group, slaves' copies become
its slaves.  An unmount takes the matching copies (same filesystem, same
root, nothing mounted on them) from the receivers' same place too.
Detached mounts (fs/fsmount.py) are private: they are in no namespace to
propagate in.
"""

import itertools

_group_ids = itertools.count(1)

MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE, MS_SHARED = 1 << 17, 1 << 18, 1 << 19, 1 << 20


def new_group():
    return next(_group_ids)


def _others_in(group, m, mounts):
    return [x for x in mounts if x is not m and x.group == group]


def _leave_group(m, mounts):
    """m leaves its peer group; if the group ends with it, its slaves
    receive from m's own master instead."""
    old = m.group
    m.group = 0
    if old and not _others_in(old, m, mounts):
        for s in mounts:
            if s.master == old:
                s.master = m.master
    return old


def change_type(mounts_to_change, kind, mounts):
    """do_change_type: kind is one of MS_SHARED, MS_SLAVE, MS_PRIVATE,
    MS_UNBINDABLE; mounts is every mount (for the peers and slaves)."""
    for m in mounts_to_change:
        if kind == MS_SHARED:
            if not m.group:
                m.group = new_group()
            m.unbindable = False
        elif kind == MS_SLAVE:
            if m.group:
                peers = _others_in(m.group, m, mounts)
                old = _leave_group(m, mounts)
                if peers:
                    m.master = old
            m.unbindable = False
        else:
            _leave_group(m, mounts)
            m.master = 0
            m.unbindable = kind == MS_UNBINDABLE


def clone_type(new, old):
    """A bind mount of old is a peer of it, or a slave of its master."""
    new.group = old.group
    new.master = old.master


def propagation_flags(m):
    """statmount's mnt_propagation."""
    flags = (MS_SHARED if m.group else 0) | (MS_SLAVE if m.master else 0) \
        | (MS_UNBINDABLE if m.unbindable else 0)
    return flags or MS_PRIVATE


def receivers(parent, mounts):
    """The mounts an event below parent propagates to: [(mount, is_peer)]."""
    out = []
    if not parent.group:
        return out
    seen_groups = {parent.group}
    queue = [parent.group]
    for m in mounts:
        if m is not parent and m.group == parent.group:
            out.append((m, True))
    while queue:
        g = queue.pop()
        for m in mounts:
            if m.master == g and m is not parent:
                if all(m is not r for r, _ in out):
                    out.append((m, False))
                if m.group and m.group not in seen_groups:
                    seen_groups.add(m.group)
                    queue.append(m.group)
                    for p in mounts:
                        if p.group == m.group and p is not m and all(p is not r for r, _ in out):
                            out.append((p, False))
    return out


def _visible(dentry, mnt):
    """Is dentry (of mnt's filesystem) below mnt's root?"""
    if dentry.inode is None and dentry.parent is dentry:
        return False
    d = dentry
    while True:
        if d is mnt.root:
            return True
        if d.parent is d:
            return False
        d = d.parent


def subtree(root, mounts):
    """root and the mounts below it, parents first."""
    tree, members = [root], {root}
    for m in mounts:
        if m is not root and m.parent in members and m.parent is not m:
            tree.append(m)
            members.add(m)
    return tree


def propagate_mnt(root, mounts, clone, attach):
    """root (with the mounts below it) was just attached; put copies below
    every receiver of its parent.  clone(mount, dentry) makes a copy,
    attach(copy, Path-like (mount, dentry)) attaches one."""
    parent, mp = root.parent, root.mountpoint
    if parent is root:
        return
    tree = subtree(root, mounts)
    if parent.group:
        for m in tree:                  # attached below a shared mount: shared
            if not m.group:
                m.group = new_group()
    new = set(tree)
    for q, is_peer in receivers(parent, mounts):
        if q in new or q.sb is not parent.sb or not _visible(mp, q):
            continue                    # (the new mounts receive nothing: IS_MNT_NEW)
        copies = {}
        for m in tree:
            c = clone(m, m.root)
            if is_peer:
                c.group, c.master = m.group, m.master
            else:
                c.group, c.master = 0, m.group or m.master
            copies[m] = c
            if m is root:
                attach(c, q, mp)
            else:
                attach(c, copies[m.parent], m.mountpoint)


def propagate_umount(mnt, mounts):
    """The copies an unmount of mnt takes along: the mounts at the same
    place below its parent's receivers, of the same filesystem and root,
    with nothing mounted on them."""
    parent, mp = mnt.parent, mnt.mountpoint
    out = []
    for q, _ in receivers(parent, mounts):
        for m in mounts:
            if m.parent is q and m.mountpoint is mp and m is not mnt \
                    and m.sb is mnt.sb and m.root is mnt.root \
                    and not any(c.parent is m and c is not m for c in mounts):
                out.append(m)
    return out
