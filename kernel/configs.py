"""kernel/configs.py - the kernel's configuration, /proc/config.gz.

Linux keeps the .config it was built from in the kernel image and shows it,
gzip'd, as /proc/config.gz (CONFIG_IKCONFIG_PROC, kernel/configs.c).  Tools
read it to learn what the running kernel can do: LTP skips a test whose
CONFIG_ options are missing, and runs (and fails) one whose options are set.

pyuml has no build-time configuration: what it supports is what its code
has.  So this is the one place that turns the code into a config, every time
it is read, and it stays true as features land:
 - an option that stands for system calls is "y" when every one of them has
   a handler (kernel/syscall.py; `SYSCALLS` below);
 - a file system's option is "y" when mount(2) knows the type
   (fs/namespace.py FILESYSTEMS);
 - an option that stands for a module of the kernel is "y" when that module
   exists (`MODULES`);
 - the rest are facts about pyuml, fixed here with the reason (`FIXED`).
Whoever adds a feature adds its option to one of the tables.
"""

import gzip
import importlib.util

from kernel.sys import UTS_RELEASE
from kernel.utsname import init_uts_ns
from arch.x86_64 import syscall_table
from kernel.syscall import syscall_handler

_DEFAULT_HOSTNAME = init_uts_ns.nodename     # before any sethostname

# CONFIG_X: the system calls (x86_64 names) it stands for
SYSCALLS = {
    "MULTIUSER": ("setuid", "setgroups"),
    "SYSVIPC": ("msgget", "semget", "shmget"),
    "POSIX_MQUEUE": ("mq_open", "mq_timedsend", "mq_timedreceive", "mq_notify"),
    "CROSS_MEMORY_ATTACH": ("process_vm_readv", "process_vm_writev"),
    "USELIB": ("uselib",),
    "FHANDLE": ("name_to_handle_at", "open_by_handle_at"),
    "POSIX_TIMERS": ("timer_create", "clock_settime"),
    "FUTEX": ("futex",),
    "FUTEX_PI": ("futex",),
    "EPOLL": ("epoll_create1", "epoll_ctl"),
    "SIGNALFD": ("signalfd4",),
    "TIMERFD": ("timerfd_create",),
    "EVENTFD": ("eventfd2",),
    "SHMEM": ("memfd_create",),
    "MEMFD_CREATE": ("memfd_create",),
    "AIO": ("io_setup", "io_submit", "io_getevents"),
    "IO_URING": ("io_uring_setup", "io_uring_enter", "io_uring_register"),
    "ADVISE_SYSCALLS": ("madvise", "fadvise64"),
    "MEMBARRIER": ("membarrier",),
    "KCMP": ("kcmp",),
    "CHECKPOINT_RESTORE": ("kcmp",),
    "CACHESTAT_SYSCALL": ("cachestat",),
    "FILE_LOCKING": ("flock",),
    "INOTIFY_USER": ("inotify_init1", "inotify_add_watch"),
    "FANOTIFY": ("fanotify_init", "fanotify_mark"),
    "KEYS": ("add_key", "request_key", "keyctl"),
    "SECCOMP": ("seccomp",),
    "SECCOMP_FILTER": ("seccomp",),
    "SECURITY": ("lsm_list_modules",),
    "SECURITY_LANDLOCK": ("landlock_create_ruleset",),
    "USERFAULTFD": ("userfaultfd",),
    "HAVE_ARCH_USERFAULTFD_WP": ("userfaultfd",),     # fs/userfaultfd.py: the WP mode too
    "HAVE_ARCH_USERFAULTFD_MINOR": ("userfaultfd",),
    "SECRETMEM": ("memfd_secret",),
    "NUMA": ("mbind", "set_mempolicy", "get_mempolicy"),
    "MIGRATION": ("migrate_pages", "move_pages"),
    "MODIFY_LDT_SYSCALL": ("modify_ldt",),
    "X86_INTEL_MEMORY_PROTECTION_KEYS": ("pkey_alloc",),
    "SYSFS_SYSCALL": ("sysfs",),
    "BSD_PROCESS_ACCT": ("acct",),
    "QUOTA": ("quotactl",),
    "QUOTACTL": ("quotactl",),
    "SWAP": ("swapon", "swapoff"),
    "MODULES": ("init_module", "delete_module"),
    "PERF_EVENTS": ("perf_event_open",),
    "BPF_SYSCALL": ("bpf",),
    "NET": ("socket",),
}

# CONFIG_X: the file system type mount(2) must know
FILESYSTEMS = {
    "PROC_FS": "proc",
    "SYSFS": "sysfs",
    "TMPFS": "tmpfs",
    "DEVTMPFS": "devtmpfs",
    "UNIX98_PTYS": "devpts",
    "HOSTFS": "hostfs",
    "HUGETLBFS": "hugetlbfs",
    "EXT2_FS": "ext2",
    "EXT4_FS": "ext4",
    "MQUEUE": "mqueue",
    "FUSE_FS": "fuse",
}

# CONFIG_X: a module of the kernel that implements it (any one of them)
MODULES = {
    "UNIX": ("net.unix",),
    "INET": ("net.inet", "net.ipv4", "net.af_inet"),
    "IPV6": ("net.ipv6", "net.af_inet6"),
    "NETLINK": ("net.netlink", "net.af_netlink"),
    "IP_MULTICAST": ("net.ipv4.igmp",),
    "TUN": ("drivers.net.tun",),
    "BLOCK": ("block", "drivers.block", "block.blk_core"),
    "BLK_DEV_LOOP": ("drivers.block.loop", "drivers.loop", "block.loop"),
    "PTRACE": ("kernel.ptrace",),
    "SECURITY_YAMA": ("security.yama",),
    "DNOTIFY": ("fs.notify.dnotify",),
    "FANOTIFY_ACCESS_PERMISSIONS": ("fs.notify.fanotify.fanotify",),   # FAN_*_PERM
    "PRINTK": ("kernel.printk",),
}

# facts about pyuml, with why
FIXED = [
    ("64BIT", "y"),
    ("X86_64", "y"),
    ("IA32_EMULATION", "y"),            # arch/x86: i386 programs run
    ("MMU", "y"),
    ("PGTABLE_LEVELS", "4"),            # mm/pgtable: 4-level page tables
    ("HZ_100", "y"),
    ("HZ", "100"),
    ("NR_CPUS", "1"),                   # one CPU (init/main.py pins to one)
    ("SMP", None),
    ("PREEMPT_DYNAMIC", "y"),
    ("BINFMT_ELF", "y"),
    ("COMPAT_BINFMT_ELF", "y"),
    ("BINFMT_SCRIPT", "y"),
    ("ELF_CORE", "y"),                  # fs/coredump.py
    ("COREDUMP", "y"),
    ("BLK_DEV_INITRD", "y"),
    ("PROC_SYSCTL", "y"),
    ("TTY", "y"),
    ("IKCONFIG", "y"),
    ("IKCONFIG_PROC", "y"),
    ("RSEQ", None),                     # kernel/sys.py refuses rseq: no preemption hooks
    # user, UTS, IPC and time namespaces (kernel/nsproxy.py); of the
    # other kinds there is one namespace, and no cgroups or LSMs.
    ("NAMESPACES", "y"),
    ("USER_NS", "y"),
    ("UTS_NS", "y"),
    ("IPC_NS", "y"),
    ("TIME_NS", "y"),
    ("PID_NS", None),
    ("NET_NS", None),
    ("CGROUPS", None),
    ("AUDIT", None),
    ("HIGHMEM", None),
    ("TRANSPARENT_HUGEPAGE", None),
    ("KSM", None),
    ("MEMORY_FAILURE", None),
    ("KVM", None),
]


def _have_syscalls(names):
    known = set(syscall_table.SYSCALL_NAMES.values())
    return all(n in known and syscall_handler(n) is not None for n in names)


def _have_filesystem(name):
    # cycle: fs.namespace -> fs.proc.root -> kernel.configs
    from fs.namespace import FILESYSTEMS as fstypes
    return name in fstypes


def _have_module(names):
    for n in names:
        try:
            if importlib.util.find_spec(n) is not None:
                return True
        except ImportError:
            continue
    return False


def config():
    """[(option, value or None)] in the order of .config."""
    out = list(FIXED) + [("DEFAULT_HOSTNAME", '"%s"' % _DEFAULT_HOSTNAME.decode())]
    out += [(k, "y" if _have_syscalls(v) else None) for k, v in SYSCALLS.items()]
    out += [(k, "y" if _have_filesystem(v) else None) for k, v in FILESYSTEMS.items()]
    out += [(k, "y" if _have_module(v) else None) for k, v in MODULES.items()]
    return out


def config_text():
    """The .config: CONFIG_X=v, or '# CONFIG_X is not set'."""
    lines = ["#", "# Automatically generated file; DO NOT EDIT.",
             "# Linux/x86_64 %s Kernel Configuration (pyuml)" % UTS_RELEASE.decode(), "#"]
    for k, v in config():
        lines.append("CONFIG_%s=%s" % (k, v) if v is not None else "# CONFIG_%s is not set" % k)
    return ("\n".join(lines) + "\n").encode()


def show_config_gz(reader):
    """/proc/config.gz; mtime 0 so that the bytes depend on the config only."""
    return gzip.compress(config_text(), mtime=0)
