"""fs/proc/proc_sysctl.py - /proc/sys: the kernel's tunables as files.

Each file reads as its value and a newline; root may write the writable
ones (mode 0644), and the value takes effect at once, because it *is* the
variable the rest of the kernel consults (a module attribute, looked up at
use time): kernel.hostname is uname's nodename, fs.pipe-max-size is what
F_SETPIPE_SZ allows, kernel.core_pattern names the core file
(fs/coredump.py), and so on.  Numbers are parsed as Linux's proc_dointvec
does (leading and trailing blanks allowed, one value, in range, else
EINVAL); strings lose one trailing newline and are cut at their maximum.

Only tunables that mean something in this kernel are listed: the
constants that describe it (ostype, ngroups_max, cap_last_cap ...) and the
limits it enforces.
"""

import importlib
import uuid

from kernel.errno import EINVAL, Errno
from fs.proc.inode import ProcDir, ProcFile
from fs.fs_writeback import drop_caches
from drivers.mem import POOL_BITS
from ipc import sem
from kernel import printk, sys as ksys, task as ktask
from security import yama

INT_MAX = (1 << 31) - 1
LONG_MAX = (1 << 63) - 1
ULONG_MAX = (1 << 64) - 1


class Ctl:
    """One /proc/sys file: get() -> bytes, set(bytes) or None (read-only);
    a per-namespace one's take the reading or writing task first:
    get(t), set(t, bytes)."""

    def __init__(self, get, set=None, per_task=False):
        self.get = get
        self.set = set
        self.per_task = per_task


def _var(modname, attr):
    mod = importlib.import_module(modname)
    return lambda: getattr(mod, attr), lambda v: setattr(mod, attr, v)


def _parse_ints(data, n=1):
    words = data.split()
    if len(words) != n:
        raise Errno(EINVAL)
    try:
        return [int(w, 10) for w in words]
    except ValueError:
        raise Errno(EINVAL)


def _drop_caches(data):
    (v,) = _parse_ints(data)
    if not 1 <= v <= 4:
        raise Errno(EINVAL)
    drop_caches(v)


def int_ctl(modname, attr, lo=0, hi=INT_MAX, writable=True):
    get, put = _var(modname, attr)

    def store(data):
        (v,) = _parse_ints(data)
        if not lo <= v <= hi:
            raise Errno(EINVAL)
        put(v)

    return Ctl(lambda: b"%d\n" % get(), store if writable else None)


def ints_ctl(modname, attr, n, check):
    """A tunable of n integers (a list the kernel reads in place), written
    whole and accepted only if check(values) (ip_local_port_range ...)."""
    get, _ = _var(modname, attr)

    def store(data):
        vals = _parse_ints(data, n)
        if not check(vals):
            raise Errno(EINVAL)
        get()[:] = vals

    return Ctl(lambda: b"\t".join(b"%d" % v for v in get()) + b"\n", store)


def const(value):
    text = value if isinstance(value, bytes) else str(value).encode()
    return Ctl(lambda: text + b"\n")


def string_ctl(get, put, maxlen):
    def store(data):
        if data.endswith(b"\n"):
            data = data[:-1]
        put(data[:maxlen])
    return Ctl(lambda: get() + b"\n", store)


def uts_ctl(field):
    """kernel.hostname, kernel.domainname: the reader's UTS namespace's."""
    def store(t, data):
        if data.endswith(b"\n"):
            data = data[:-1]
        setattr(t.nsproxy.uts_ns, field, data[:64])
    return Ctl(lambda t: getattr(t.nsproxy.uts_ns, field) + b"\n", store, per_task=True)


_boot_id = str(uuid.uuid4()).encode()


def _sem():
    return b"%d\t%d\t%d\t%d\n" % (sem.SEMMSL, sem.SEMMNS, sem.SEMOPM, sem.SEMMNI)


_PRINTK_LEVELS = ("console_loglevel", "default_message_loglevel",
                  "minimum_console_loglevel", "default_console_loglevel")


def _printk_get():
    return ("\t".join(str(getattr(printk, n)) for n in _PRINTK_LEVELS) + "\n").encode()


def _printk_set(data):
    """kernel.printk: up to four levels, the first ones given replaced."""
    try:
        vals = [int(x) for x in data.split()]
    except ValueError:
        raise Errno(EINVAL)
    if not 1 <= len(vals) <= 4:
        raise Errno(EINVAL)
    for name, v in zip(_PRINTK_LEVELS, vals):
        setattr(printk, name, v)


def ipc_ctl(attr, lo=0, hi=INT_MAX):
    """A limit of the reader's IPC namespace (ipc/namespace.py)."""
    def store(t, data):
        (v,) = _parse_ints(data)
        if not lo <= v <= hi:
            raise Errno(EINVAL)
        setattr(t.nsproxy.ipc_ns, attr, v)
    return Ctl(lambda t: b"%d\n" % getattr(t.nsproxy.ipc_ns, attr), store, per_task=True)


def _ipc_next_id(table):
    """msg_next_id, sem_next_id, shm_next_id: the id the next object of
    that kind in the reader's IPC namespace gets (-1: any), INT_MAX at most."""
    def store(t, data):
        (v,) = _parse_ints(data)
        if not -1 <= v <= INT_MAX:
            raise Errno(EINVAL)
        getattr(t.nsproxy.ipc_ns, table).next_id = v
    return Ctl(lambda t: b"%d\n" % getattr(t.nsproxy.ipc_ns, table).next_id, store,
               per_task=True)


def _msgmni():
    """msgmni: how many queues there may be (0..IPCMNI)."""
    def store(t, data):
        (v,) = _parse_ints(data)
        if not 0 <= v <= 32768:
            raise Errno(EINVAL)
        ns = t.nsproxy.ipc_ns
        ns.msg_ctlmni = ns.msg_ids.max_ids = v
    return Ctl(lambda t: b"%d\n" % t.nsproxy.ipc_ns.msg_ctlmni, store, per_task=True)


def _ns_last_pid():

    def store(data):
        (v,) = _parse_ints(data)
        if not 0 <= v < ktask.PID_MAX:
            raise Errno(EINVAL)
        ktask._last_pid = v
    return Ctl(lambda: b"%d\n" % ktask._last_pid, store)


def _kernel_table():
    """/proc/sys/kernel: what describes this kernel, its names, and the IPC,
    keys and printk limits."""
    return {
        "ostype": const(ksys.UTS_SYSNAME),
        "io_uring_disabled": int_ctl("io_uring.io_uring", "sysctl_io_uring_disabled", 0, 2),
        "io_uring_group": int_ctl("io_uring.io_uring", "sysctl_io_uring_group", -1),
        "osrelease": const(ksys.UTS_RELEASE),
        "version": const(ksys.UTS_VERSION),
        "hostname": uts_ctl("nodename"),
        "domainname": uts_ctl("domainname"),
        "pid_max": int_ctl("kernel.task", "PID_MAX", 301, 4194304),
        "ngroups_max": const(65536),
        "cap_last_cap": const(40),
        "overflowuid": const(65534),
        "overflowgid": const(65534),
        "tainted": const(0),
        "core_pattern": string_ctl(*_var("fs.coredump", "core_pattern"), 127),
        "core_uses_pid": int_ctl("fs.coredump", "core_uses_pid", 0, 1),
        "shmmax": ipc_ctl("shm_ctlmax", 0, ULONG_MAX),
        "shmall": ipc_ctl("shm_ctlall", 0, ULONG_MAX),
        "shmmni": int_ctl("ipc.shm", "SHMMNI", writable=False),
        "msgmax": ipc_ctl("msg_ctlmax"),
        "msgmnb": ipc_ctl("msg_ctlmnb"),
        "msgmni": _msgmni(),
        "sem": Ctl(_sem),
        "printk": Ctl(_printk_get, _printk_set),
        "dmesg_restrict": int_ctl("kernel.printk", "dmesg_restrict", 0, 1),
        "sysrq": int_ctl("kernel.sysrq", "sysrq_enabled", 0, 511),
        "msg_next_id": _ipc_next_id("msg_ids"),
        "sem_next_id": _ipc_next_id("sem_ids"),
        "shm_next_id": _ipc_next_id("shm_ids"),
        "ns_last_pid": _ns_last_pid(),
        "yama": yama.sysctl_table(),
        "keys": {
            "maxkeys": int_ctl("security.keys.key", "maxkeys", 1),
            "maxbytes": int_ctl("security.keys.key", "maxbytes", 1),
            "root_maxkeys": int_ctl("security.keys.key", "root_maxkeys", 1),
            "root_maxbytes": int_ctl("security.keys.key", "root_maxbytes", 1),
            "gc_delay": int_ctl("security.keys.key", "gc_delay", 0),
            "persistent_keyring_expiry": int_ctl("security.keys.key",
                                                 "persistent_keyring_expiry", 0),
        },
        "random": {
            "boot_id": const(_boot_id),
            "uuid": Ctl(lambda: str(uuid.uuid4()).encode() + b"\n"),
            "entropy_avail": const(POOL_BITS),
            "poolsize": const(POOL_BITS),
        },
    }


def _vm_table():
    """/proc/sys/vm: overcommit, mapping limits, writeback."""
    return {
        "overcommit_memory": int_ctl("mm.mmap", "overcommit_memory", 0, 2),
        "max_map_count": int_ctl("mm.mmap", "sysctl_max_map_count"),
        "min_free_kbytes": int_ctl("mm.physmem", "min_free_kbytes"),
        "mmap_min_addr": int_ctl("mm.mmap", "MMAP_MIN_ADDR", 0, LONG_MAX),
        "unprivileged_userfaultfd": int_ctl("fs.userfaultfd", "unprivileged_userfaultfd", 0, 1),
        "dirty_writeback_centisecs": int_ctl("fs.fs_writeback", "dirty_writeback_centisecs"),
        "dirty_expire_centisecs": int_ctl("fs.fs_writeback", "dirty_expire_centisecs"),
        "dirty_background_ratio": int_ctl("fs.fs_writeback", "DIRTY_BACKGROUND_RATIO", 0, 100),
        "dirty_ratio": int_ctl("fs.fs_writeback", "DIRTY_RATIO", 0, 100),
        "drop_caches": Ctl(lambda: b"0\n", _drop_caches),
    }


def _fs_table():
    """/proc/sys/fs: file, pipe, lease, aio, mqueue and inotify limits."""
    return {
        "file-max": const(LONG_MAX),
        "nr_open": int_ctl("kernel.resource", "NR_OPEN", 64, 1 << 30),
        "pipe-max-size": int_ctl("fs.pipe", "PIPE_MAX_SIZE", 4096, 1 << 30),
        "lease-break-time": int_ctl("fs.locks", "lease_break_time", 0),
        "leases-enable": int_ctl("fs.locks", "leases_enable", 0, 1),
        # no per-user accounting of pipe pages: the limits read as Linux's defaults
        "pipe-user-pages-soft": const(16384),
        "pipe-user-pages-hard": const(0),
        "aio-nr": int_ctl("fs.aio", "aio_nr", writable=False),
        "aio-max-nr": int_ctl("fs.aio", "aio_max_nr", 0, ULONG_MAX),
        "mqueue": {
            "queues_max": ipc_ctl("mq_queues_max", -INT_MAX - 1),
            "msg_max": ipc_ctl("mq_msg_max", 1, 65536),
            "msgsize_max": ipc_ctl("mq_msgsize_max", 128, 16 << 20),
            "msg_default": ipc_ctl("mq_msg_default", 1, 65536),
            "msgsize_default": ipc_ctl("mq_msgsize_default", 128, 16 << 20),
        },
        "inotify": {
            "max_queued_events": int_ctl("fs.notify.inotify", "max_queued_events"),
            "max_user_instances": int_ctl("fs.notify.inotify", "max_user_instances"),
            "max_user_watches": int_ctl("fs.notify.inotify", "max_user_watches"),
        },
    }


def _net_table():
    """/proc/sys/net: socket buffers and the IPv4 and IPv6 tunables."""
    return {
        "core": {
            "somaxconn": int_ctl("net.socket", "SOMAXCONN"),
            "rmem_default": int_ctl("net.socket", "RMEM_DEFAULT", 2304),
            "wmem_default": int_ctl("net.socket", "WMEM_DEFAULT", 4608),
            "rmem_max": int_ctl("net.socket", "RMEM_MAX", 2304),
            "wmem_max": int_ctl("net.socket", "WMEM_MAX", 4608),
        },
        "ipv4": {
            "ip_local_port_range": ints_ctl(
                "net.ipv4.inet_hashtables", "ip_local_port_range", 2,
                lambda v: 1 <= v[0] <= v[1] <= 65535),
            "ip_unprivileged_port_start": int_ctl(
                "net.ipv4.inet_hashtables", "ip_unprivileged_port_start", 0, 65535),
            "ip_nonlocal_bind": int_ctl("net.ipv4.ip_sockglue", "ip_nonlocal_bind", 0, 1),
            "ip_default_ttl": int_ctl("net.ipv4.ip_sockglue", "ip_default_ttl", 1, 255),
            "tcp_rmem": ints_ctl("net.ipv4.tcp", "tcp_rmem", 3,
                                 lambda v: all(x >= 1 for x in v)),
            "tcp_wmem": ints_ctl("net.ipv4.tcp", "tcp_wmem", 3,
                                 lambda v: all(x >= 1 for x in v)),
            "tcp_fin_timeout": int_ctl("net.ipv4.tcp", "tcp_fin_timeout"),
            "tcp_syn_retries": int_ctl("net.ipv4.tcp", "tcp_syn_retries", 1, 127),
            "tcp_keepalive_time": int_ctl("net.ipv4.tcp", "tcp_keepalive_time", 1),
            "tcp_keepalive_intvl": int_ctl("net.ipv4.tcp", "tcp_keepalive_intvl", 1),
            "tcp_keepalive_probes": int_ctl("net.ipv4.tcp", "tcp_keepalive_probes", 1),
            "tcp_congestion_control": const(b"cubic"),
            "tcp_available_congestion_control": const(b"reno cubic"),
        },
        "ipv6": {
            "bindv6only": int_ctl("net.ipv6.af_inet6", "bindv6only", 0, 1),
        },
    }


def _table():
    return {
        "kernel": _kernel_table(),
        "vm": _vm_table(),
        "fs": _fs_table(),
        "net": _net_table(),
    }


_tree = None


def _node(sb, path, node):
    if isinstance(node, dict):
        return lambda: ProcDir(sb, ("sys",) + path, lambda: {
            name.encode(): _node(sb, path + (name,), sub) for name, sub in node.items()})
    return lambda: SysctlFile(sb, ("sys",) + path,
                              (lambda t: node.get(t)) if node.per_task else (lambda t: node.get()),
                              mode=0o644 if node.set else 0o444,
                              store=_store(node) if node.set else None)


class SysctlFile(ProcFile):
    def permission(self, cred, mask):
        """As Linux's sysctl test_perm: root gets the owner's bits and no
        more (a read-only tunable is EACCES to write even for root)."""
        mode = self.mode & 0o777
        if cred.euid == 0:
            mode >>= 6
        elif cred.egid == 0:
            mode >>= 3
        return mask & 7 & ~mode == 0


def _store(ctl):
    def store(t, data):
        if ctl.per_task:
            ctl.set(t, bytes(data))
        else:
            ctl.set(bytes(data))
        return len(data)
    return store


def proc_sys_dir(sb):
    """The factory of /proc/sys for fs/proc/root.py."""
    global _tree
    if _tree is None:
        _tree = _table()
    return _node(sb, (), _tree)

