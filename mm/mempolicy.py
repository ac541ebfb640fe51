"""mm/mempolicy.py - NUMA memory policies on a machine with one node:
set_mempolicy, get_mempolicy, mbind, set_mempolicy_home_node,
migrate_pages and move_pages.

pyuml's memory is one node, node 0 (nr_node_ids 1, MAX_NUMNODES 1024 as a
NODES_SHIFT=10 kernel).  Policies change nothing about where pages come
from - there is nowhere else - but they are kept and reported exactly:
a task's own (t.mempolicy, inherited by fork and kept across exec) and
each VMA's (vma.policy, set by mbind over a range, which splits VMAs, and
copied with them).  Node masks are checked as Linux checks them (a mask
that names only nodes that do not exist is EINVAL, bits past MAX_NUMNODES
must be clear), and every page already is on the one node, so migration
moves nothing and move_pages reports node 0 for each present page.

The node's description lives in sysfs (/sys/devices/system/node, made by
drivers/base/node.py) and in /proc/PID/status (Mems_allowed).
"""

from kernel.abi import s32
import struct

from kernel.errno import EFAULT, EINVAL, ENODEV, ENOENT, EOPNOTSUPP, EPERM, ESRCH, Errno
from kernel.capability import CAP_SYS_NICE, capable
from mm import physmem as _pm
from mm.physmem import PAGE_SIZE
from mm.uaccess import copy_from_user, copy_to_user, user_page
from kernel.ptrace_access import ptrace_may_access
from kernel.task import find_task
from mm.mmap import split_vma
from mm.pgtable import PTE_PFN_MASK, _PAGE_AROUND, _PAGE_PRESENT, _PAGE_PROTNONE

MPOL_DEFAULT, MPOL_PREFERRED, MPOL_BIND, MPOL_INTERLEAVE = 0, 1, 2, 3
MPOL_LOCAL, MPOL_PREFERRED_MANY, MPOL_WEIGHTED_INTERLEAVE, MPOL_MAX = 4, 5, 6, 7
MPOL_F_STATIC_NODES, MPOL_F_RELATIVE_NODES, MPOL_F_NUMA_BALANCING = 1 << 15, 1 << 14, 1 << 13
MPOL_MODE_FLAGS = MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES | MPOL_F_NUMA_BALANCING
MPOL_F_NODE, MPOL_F_ADDR, MPOL_F_MEMS_ALLOWED = 1, 2, 4
MPOL_MF_STRICT, MPOL_MF_MOVE, MPOL_MF_MOVE_ALL = 1, 2, 4
MAX_NUMNODES = 1024
nr_node_ids = 1
NODE_MEMORY = 1 << 0            # the nodes with memory, as a mask: node 0
NUMA_NO_NODE = -1


class Mempolicy:
    """struct mempolicy: immutable once made, so tasks and VMAs share it."""
    __slots__ = ("mode", "flags", "nodes", "user_nodes", "home_node")

    def __init__(self, mode, flags, nodes, user_nodes, home_node=NUMA_NO_NODE):
        self.mode = mode
        self.flags = flags
        self.nodes = nodes              # the mask in effect
        self.user_nodes = user_nodes    # as given (MPOL_F_STATIC/RELATIVE_NODES report it)
        self.home_node = home_node

    def with_home(self, node):
        return Mempolicy(self.mode, self.flags, self.nodes, self.user_nodes, node)

    def same(self, other):
        return other is not None and (self.mode, self.flags, self.nodes, self.home_node) == \
            (other.mode, other.flags, other.nodes, other.home_node)


def _long_bits(t):
    return t.arch.BITS


def get_nodes(t, nmask, maxnode):
    """A node mask from the guest (maxnode - 1 bits of longs, as Linux)."""
    maxnode = (maxnode - 1) & ((1 << 64) - 1)
    if maxnode == 0 or not nmask:
        return 0
    if maxnode > PAGE_SIZE * 8:
        raise Errno(EINVAL)
    bits = _long_bits(t)
    nlongs = (maxnode + bits - 1) // bits
    raw = copy_from_user(t.mm, nmask, nlongs * bits // 8)
    mask = int.from_bytes(raw, "little") & ((1 << maxnode) - 1)
    if mask >> MAX_NUMNODES:
        raise Errno(EINVAL)
    return mask


def copy_nodes_to_user(t, nmask, maxnode, nodes):
    """copy_nodes_to_user: the mask in whole longs; past the kernel's own
    node words, zeros (EINVAL if that would be more than a page)."""
    bits = _long_bits(t)
    copy = ((maxnode - 1 + 63) // 64) * 8 if maxnode else 0
    nbytes = (nr_node_ids + bits - 1) // bits * bits // 8
    if copy > nbytes:
        if copy > PAGE_SIZE:
            raise Errno(EINVAL)
        copy_to_user(t.mm, nmask + nbytes, bytes(copy - nbytes))
        copy = nbytes
        maxnode = nr_node_ids
    if bits == 32:
        # compat_put_bitmap: whole 32-bit words covering maxnode bits
        copy = (maxnode + 31) // 32 * 4
    if copy:
        copy_to_user(t.mm, nmask, (nodes & ((1 << (copy * 8)) - 1)).to_bytes(copy, "little"))


def sanitize_mpol_flags(mode):
    flags = mode & MPOL_MODE_FLAGS
    mode &= ~MPOL_MODE_FLAGS & 0xFFFFFFFF
    if mode >= MPOL_MAX:
        raise Errno(EINVAL)
    if flags & MPOL_F_STATIC_NODES and flags & MPOL_F_RELATIVE_NODES:
        raise Errno(EINVAL)
    if flags & MPOL_F_NUMA_BALANCING and mode not in (MPOL_BIND, MPOL_PREFERRED_MANY):
        raise Errno(EINVAL)
    return mode, flags


def mpol_new(mode, flags, nodes):
    """The policy for mode over nodes (None: the default)."""
    if mode == MPOL_DEFAULT:
        if nodes:
            raise Errno(EINVAL)
        return None
    if mode == MPOL_PREFERRED:
        if not nodes:
            if flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES):
                raise Errno(EINVAL)
            mode = MPOL_LOCAL
    elif mode == MPOL_LOCAL:
        if nodes or flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES):
            raise Errno(EINVAL)
    elif not nodes:
        raise Errno(EINVAL)
    if mode == MPOL_LOCAL:
        return Mempolicy(mode, flags, 0, 0)
    if flags & MPOL_F_RELATIVE_NODES:
        # node n of the mask is the n-th allowed node (mod their number)
        effective = NODE_MEMORY if nodes else 0
    else:
        effective = nodes & NODE_MEMORY
    if not effective:
        raise Errno(EINVAL)
    if mode == MPOL_PREFERRED:
        effective &= -effective             # the first of them
    return Mempolicy(mode, flags, effective, nodes)


def _reported_nodes(pol):
    if pol is None or pol.mode == MPOL_LOCAL:
        return 0
    if pol.flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES):
        return pol.user_nodes
    return pol.nodes


def sys_set_mempolicy(t, mode, nmask, maxnode):
    mode, flags = sanitize_mpol_flags(mode & 0xFFFFFFFF)
    nodes = get_nodes(t, nmask, maxnode)
    t.mempolicy = mpol_new(mode, flags, nodes)
    return 0


def sys_get_mempolicy(t, policy, nmask, maxnode, addr, flags):
    if nmask and maxnode < nr_node_ids:
        return -EINVAL
    if flags & ~(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED):
        return -EINVAL
    if flags & MPOL_F_MEMS_ALLOWED:
        if flags & (MPOL_F_NODE | MPOL_F_ADDR):
            return -EINVAL
        pval, nodes = 0, NODE_MEMORY
    else:
        if flags & MPOL_F_ADDR:
            vma = t.mm.vma_at(addr)
            if vma is None:
                return -EFAULT
            pol = vma.policy                # the VMA's own, else the default
        elif addr:
            return -EINVAL
        else:
            pol = t.mempolicy
        if flags & MPOL_F_NODE:
            if flags & MPOL_F_ADDR:
                user_page(t.mm, addr, False)         # lookup_node faults it in
                pval = 0
            elif pol is not None and pol is t.mempolicy \
                    and pol.mode in (MPOL_INTERLEAVE, MPOL_WEIGHTED_INTERLEAVE):
                pval = 0                             # the next node to interleave on
            else:
                return -EINVAL
        else:
            pval = (pol.mode | (pol.flags & MPOL_MODE_FLAGS)) if pol is not None else MPOL_DEFAULT
        nodes = _reported_nodes(pol)
    if policy:
        copy_to_user(t.mm, policy, struct.pack("<i", pval))
    if nmask:
        copy_nodes_to_user(t, nmask, maxnode, nodes)
    return 0


def _range_vmas(mm, start, end, discontig_ok):
    """The VMAs over [start, end); a hole is EFAULT unless allowed (a range
    that is all hole always is)."""
    vmas = mm.vmas_in(start, end)
    if not vmas:
        raise Errno(EFAULT)
    if not discontig_ok:
        pos = start
        for v in vmas:
            if v.start > pos:
                raise Errno(EFAULT)
            pos = v.end
        if pos < end:
            raise Errno(EFAULT)
    return vmas


def _apply(mm, start, end, fn):
    """fn(vma) -> new policy, for each VMA of the range, split at its ends."""
    for vma in mm.vmas_in(start, end):
        if vma.start < start:
            vma = split_vma(mm, vma, start)
        if vma.end > end:
            split_vma(mm, vma, end)
        vma.policy = fn(vma)


def sys_mbind(t, start, length, mode, nmask, maxnode, flags):
    mode, mflags = sanitize_mpol_flags(mode & 0xFFFFFFFF)
    nodes = get_nodes(t, nmask, maxnode)
    flags &= 0xFFFFFFFF
    if flags & ~(MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL):
        return -EINVAL
    if flags & MPOL_MF_MOVE_ALL and not capable(t, CAP_SYS_NICE):
        return -EPERM
    if start & (PAGE_SIZE - 1):
        return -EINVAL
    length = (length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1) & ((1 << 64) - 1)
    end = start + length
    if end >= 1 << 64:
        return -EINVAL
    if end == start:
        return 0
    new = mpol_new(mode, mflags, nodes)
    _range_vmas(t.mm, start, end, discontig_ok=new is None)
    _apply(t.mm, start, end, lambda vma: new)
    return 0       # every page is on node 0 already: nothing to move, nothing strict to fail


def sys_set_mempolicy_home_node(t, start, length, home_node, flags):
    if start & (PAGE_SIZE - 1):
        return -EINVAL
    if flags:
        return -EINVAL
    if home_node >= MAX_NUMNODES or not NODE_MEMORY >> home_node & 1:
        return -EINVAL
    length = (length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1) & ((1 << 64) - 1)
    end = start + length
    if end >= 1 << 64:
        return -EINVAL
    if end == start:
        return 0
    for vma in t.mm.vmas_in(start, end):
        old = vma.policy
        if old is None:
            return -ENOENT              # no policy to give a home node to
        if old.mode not in (MPOL_BIND, MPOL_PREFERRED_MANY):
            return -EOPNOTSUPP
    _apply(t.mm, start, end, lambda vma: vma.policy.with_home(home_node)
           if vma.policy is not None else None)
    return 0


def _find_target(t, pid):
    pid = s32(pid)
    target = t if pid == 0 else find_task(pid)
    if target is None:
        raise Errno(ESRCH)
    if target is not t and not ptrace_may_access(t, target):
        raise Errno(EPERM)
    if target.mm is None:
        raise Errno(EINVAL)
    return target


def sys_migrate_pages(t, pid, maxnode, old_nodes, new_nodes):
    get_nodes(t, old_nodes, maxnode)
    new = get_nodes(t, new_nodes, maxnode)
    _find_target(t, pid)
    if new & ~NODE_MEMORY and not capable(t, CAP_SYS_NICE):
        return -EPERM
    if not new & NODE_MEMORY:
        return -EINVAL
    return 0                    # pages that could not be moved: none (they are all there)


def _page_node(mm, addr):
    """Where the page at addr is: node 0, -EFAULT (no VMA), -ENOENT (not
    present)."""
    if mm.vma_at(addr) is None:
        return -EFAULT
    idx = mm.pt.pte_index(addr & ~(PAGE_SIZE - 1))
    pte = mm.pt.q[idx] if idx is not None else 0
    if not pte & (_PAGE_PRESENT | _PAGE_PROTNONE):
        return -ENOENT
    if pte & _PAGE_AROUND:
        # mapped ahead by fault-around: Linux would not have it unless it
        # was written (mm/mincore.py tells the same way)
        off = pte & PTE_PFN_MASK
        if _pm.physmem.mem[off:off + PAGE_SIZE] == bytes(PAGE_SIZE):
            return -ENOENT
        mm.pt.q[idx] = pte & ~_PAGE_AROUND
    return 0


def sys_move_pages(t, pid, nr_pages, pages, nodes, status, flags):
    flags = s32(flags)
    if flags & ~(MPOL_MF_MOVE | MPOL_MF_MOVE_ALL):
        return -EINVAL
    if flags & MPOL_MF_MOVE_ALL and not capable(t, CAP_SYS_NICE):
        return -EPERM
    target = _find_target(t, pid)
    mm = target.mm
    psize = t.arch.BITS // 8
    pfmt = "<Q" if psize == 8 else "<I"
    if not nodes:
        # do_pages_stat, 16 at a time: a bad array ends it with EFAULT
        i = 0
        while i < nr_pages:
            n = min(16, nr_pages - i)
            try:
                raw = copy_from_user(t.mm, pages + i * psize, n * psize)
            except Errno:
                return -EFAULT
            addrs = struct.unpack("<%d%s" % (n, pfmt[1]), raw)
            st = [_page_node(mm, a) for a in addrs]
            try:
                copy_to_user(t.mm, status + i * 4, struct.pack("<%di" % n, *st))
            except Errno:
                return -EFAULT
            i += n
        return 0
    # do_pages_move: each page is on its target node already or reports why not
    for i in range(nr_pages):
        (addr,) = struct.unpack(pfmt, copy_from_user(t.mm, pages + i * psize, psize))
        (node,) = struct.unpack("<i", copy_from_user(t.mm, nodes + i * 4, 4))
        if node < 0 or node >= MAX_NUMNODES or not NODE_MEMORY >> node & 1:
            return -ENODEV
        copy_to_user(t.mm, status + i * 4, struct.pack("<i", _page_node(mm, addr)))
    return 0


def mempolicy_fork(child, parent):
    """copy_process: the child starts with its parent's policy."""
    child.mempolicy = parent.mempolicy


def mems_allowed_status():
    """The two lines /proc/PID/status has about memory nodes."""
    words = ["%08x" % ((NODE_MEMORY >> (32 * i)) & 0xFFFFFFFF)
             for i in reversed(range(MAX_NUMNODES // 32))]
    return ["Mems_allowed:\t" + ",".join(words), "Mems_allowed_list:\t0"]

