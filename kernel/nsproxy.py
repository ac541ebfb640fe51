"""kernel/nsproxy.py - the namespaces a task is in, and setns(2) (Linux's
kernel/nsproxy.c).

A task's NsProxy names one namespace of each kind but user (which its
credentials name: kernel/user_namespace.py).  Tasks
share an NsProxy until one of them changes namespace; it is never changed
in place, a task that moves gets a new one (the object stands for Linux's
refcounted struct nsproxy).

Namespaces pyuml makes: user (kernel/user_namespace.py), UTS
(kernel/utsname.py), IPC (ipc/namespace.py) and time
(kernel/time_namespace.py), by clone and unshare with CLONE_NEWUSER,
CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWTIME; each belongs to its creator's
user namespace.  The other kinds have their initial namespace only: clone
and unshare accept their flags from a privileged caller and change
nothing (kernel/fork.py), and setns to them joins what the task is in.

setns takes a namespace file (/proc/PID/ns/*; nstype 0 or its kind, else
EINVAL) or a pidfd with a set of CLONE_NEW* flags (the target's
namespaces of those kinds).  It needs CAP_SYS_ADMIN over the namespace
and in the caller's user namespace (EPERM) - a user namespace is joined
first, with every capability in it; a task may not re-enter its own user
namespace, nor join one while it has other threads or shares its fs info
(EINVAL), nor join a mount namespace while it shares its fs info
(EINVAL), nor a time namespace while it has other threads (EUSERS).  Joining the mount namespace moves root and cwd
to the namespace's root, as Linux does.
"""

from kernel.abi import s32
from kernel.errno import EBADF, EINVAL, EPERM, ESRCH, EUSERS, Errno
from kernel.ns_common import NsCommon
from kernel.utsname import CLONE_NEWUTS, copy_utsname, init_uts_ns
from kernel.time_namespace import CLONE_NEWTIME, copy_time_ns, init_time_ns
from kernel.user_namespace import CLONE_NEWUSER, init_user_ns, set_cred_user_ns
from kernel.capability import CAP_SYS_ADMIN, ns_capable
from fs.file import fget
from fs.nsfs import ALL_FLAGS, NsInode
from fs import mount
from fs.namespace import set_fs_pwd
from fs.notify.fsnotify import fsnotify_dput
from kernel.pidfd import pidfd_fops
from ipc.namespace import CLONE_NEWIPC, copy_ipcs, init_ipc_ns
from ipc.sem import exit_sem

CLONE_VM = 0x00000100
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000


class NsProxy:
    def __init__(self, uts_ns, ipc_ns, mnt_ns, pid_ns_for_children, net_ns,
                 time_ns, time_ns_for_children, cgroup_ns):
        self.uts_ns = uts_ns
        self.ipc_ns = ipc_ns
        self.mnt_ns = mnt_ns
        self.pid_ns_for_children = pid_ns_for_children
        self.net_ns = net_ns
        self.time_ns = time_ns                          # the task's clocks
        self.time_ns_for_children = time_ns_for_children    # its children's, after unshare
        self.cgroup_ns = cgroup_ns

    def copy(self):
        return NsProxy(self.uts_ns, self.ipc_ns, self.mnt_ns, self.pid_ns_for_children,
                       self.net_ns, self.time_ns, self.time_ns_for_children, self.cgroup_ns)


# the kinds pyuml has only the initial namespace of, numbered as Linux numbers them
init_mnt_ns = NsCommon(b"mnt", CLONE_NEWNS, init_user_ns, 0xF0000001)
init_pid_ns = NsCommon(b"pid", CLONE_NEWPID, init_user_ns, 0xEFFFFFFC)
init_net_ns = NsCommon(b"net", CLONE_NEWNET, init_user_ns, 0xF0000000)
init_cgroup_ns = NsCommon(b"cgroup", CLONE_NEWCGROUP, init_user_ns, 0xEFFFFFFB)

init_nsproxy = NsProxy(init_uts_ns, init_ipc_ns, init_mnt_ns, init_pid_ns, init_net_ns,
                       init_time_ns, init_time_ns, init_cgroup_ns)


# the kinds NsProxy holds that pyuml makes new namespaces of
NEW_NS_FLAGS = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWTIME


def vdso_join_timens(mm, timens):
    """The subarch's vDSO follows mm's way into or out of a time namespace
    (only x86_64's reads clocks)."""
    if mm.arch.vdso_join_timens is not None:
        mm.arch.vdso_join_timens(mm, timens)


def create_new_namespaces(flags, old, user_ns):
    """A new NsProxy like old, with new namespaces, owned by user_ns, of
    the kinds flags asks for (a new time namespace is for the children)."""
    new = old.copy()
    if flags & CLONE_NEWUTS:
        new.uts_ns = copy_utsname(old.uts_ns, user_ns)
    if flags & CLONE_NEWIPC:
        new.ipc_ns = copy_ipcs(user_ns)
    if flags & CLONE_NEWTIME:
        new.time_ns_for_children = copy_time_ns(old.time_ns_for_children, user_ns)
    return new


def unshare_nsproxy_namespaces(flags, old, user_ns):
    """The caller's NsProxy after unshare(flags)."""
    if not flags & NEW_NS_FLAGS:
        return old
    return create_new_namespaces(flags, old, user_ns)


def timens_on_fork(nsproxy):
    """A task starts (fork, exec) in its creator's namespace for children:
    whose offsets are now fixed."""
    ns = nsproxy.time_ns_for_children
    ns.frozen_offsets = True
    if nsproxy.time_ns is ns:
        return nsproxy
    nsproxy = nsproxy.copy()
    nsproxy.time_ns = ns
    return nsproxy


def copy_namespaces(t, c, flags):
    """The child c's namespaces (clone), before its mm runs."""
    old = t.nsproxy
    if not flags & NEW_NS_FLAGS:
        if flags & CLONE_VM or old.time_ns_for_children is old.time_ns:
            c.nsproxy = old
            return
    c.nsproxy = create_new_namespaces(flags, old, c.cred.user_ns)
    if flags & CLONE_VM:
        return                  # one mm, one vDSO: a thread or vfork child keeps its time
    c.nsproxy = timens_on_fork(c.nsproxy)
    if c.nsproxy.time_ns is not old.time_ns:
        vdso_join_timens(c.mm, c.nsproxy.time_ns is not init_time_ns)


def exec_task_namespaces(t):
    """exec enters the time namespace unshare made for the children."""
    t.nsproxy = timens_on_fork(t.nsproxy)


def _install_mnt(t):
    fs = t.fs
    if fs.count > 1:
        raise Errno(EINVAL)
    root = mount.Path(mount.root_mount, mount.root_mount.root)
    while True:                         # what is mounted on top of /
        child = mount.lookup_mnt(root)
        if child is None:
            break
        root = mount.Path(child, child.root)
    old, fs.root = fs.root, root
    fsnotify_dput(old.dentry)
    set_fs_pwd(t, root)


def _install(t, nss):
    """Join the namespaces nss ({CLONE_NEW* flag: namespace})."""
    cred = t.cred
    user = nss.get(CLONE_NEWUSER)
    if user is not None:                    # userns_install: first, the rest is checked in it
        if user is cred.user_ns:
            raise Errno(EINVAL)             # already in it
        if len(t.thread_group()) > 1 or t.fs.count > 1:
            raise Errno(EINVAL)
        if not ns_capable(cred, user, CAP_SYS_ADMIN):
            raise Errno(EPERM)
        cred = cred.copy()
        set_cred_user_ns(cred, user)
    for flag, ns in nss.items():
        if flag != CLONE_NEWUSER and not (ns_capable(cred, ns.user_ns, CAP_SYS_ADMIN)
                                          and ns_capable(cred, cred.user_ns, CAP_SYS_ADMIN)):
            raise Errno(EPERM)
    if CLONE_NEWTIME in nss and len(t.thread_group()) > 1:
        raise Errno(EUSERS)
    if CLONE_NEWNS in nss:
        _install_mnt(t)
    t.cred = cred
    new = t.nsproxy.copy()
    if CLONE_NEWUTS in nss:
        new.uts_ns = nss[CLONE_NEWUTS]
    if CLONE_NEWIPC in nss and nss[CLONE_NEWIPC] is not new.ipc_ns:
        new.ipc_ns = nss[CLONE_NEWIPC]
        exit_sem(t)                         # its undo list is the old namespace's
    if CLONE_NEWTIME in nss:
        new.time_ns = new.time_ns_for_children = nss[CLONE_NEWTIME]
    if new.time_ns is not t.nsproxy.time_ns:
        new.time_ns.frozen_offsets = True
        vdso_join_timens(t.mm, new.time_ns is not init_time_ns)
    t.nsproxy = new


def _task_namespaces(target, flags):
    """{flag: namespace} of target's namespaces of the kinds in flags (a pidfd's setns)."""
    p = target.nsproxy
    have = {CLONE_NEWUSER: target.cred.user_ns, CLONE_NEWNS: p.mnt_ns, CLONE_NEWUTS: p.uts_ns,
            CLONE_NEWIPC: p.ipc_ns, CLONE_NEWPID: p.pid_ns_for_children, CLONE_NEWNET: p.net_ns,
            CLONE_NEWCGROUP: p.cgroup_ns, CLONE_NEWTIME: p.time_ns}
    return {flag: ns for flag, ns in have.items() if flags & flag}


def sys_setns(t, fd, nstype):
    fd = s32(fd)
    nstype &= 0xFFFFFFFF
    f = fget(t, fd)
    if f is None:
        return -EBADF
    inode = f.inode
    if isinstance(inode, NsInode):
        ns = inode.ns
        if nstype and nstype != ns.nstype:
            return -EINVAL
        _install(t, {ns.nstype: ns})
        return 0
    if f.f_op is pidfd_fops:
        if not nstype or nstype & ~ALL_FLAGS:
            return -EINVAL
        target = f.private.current()
        if target is None:
            return -ESRCH
        _install(t, _task_namespaces(target, nstype))
        return 0
    return -EINVAL
