"""kernel/time_namespace.py - time namespaces: per-namespace offsets of
CLOCK_MONOTONIC and CLOCK_BOOTTIME (Linux's kernel/time/namespace.c).

unshare(CLONE_NEWTIME) makes a namespace for the caller's children
(/proc/PID/ns/time_for_children); the caller stays where it is.  Until a
task enters it (fork, exec, setns) its offsets may be written through
/proc/PID/timens_offsets; after that they are frozen (EACCES).  A task in
the namespace reads its clocks shifted by the offsets: clock_gettime,
absolute sleeps and timers (kernel/time.py clock_ns is the one place),
sysinfo's and /proc/uptime's uptime.  Its vDSO reads only CLOCK_REALTIME
from the host's directly, the monotonic clocks by system call
(arch/x86_64/vdso.py: vdso_join_timens).
"""

from kernel.errno import EACCES, EINVAL, EPERM, ERANGE, Errno
from kernel.ns_common import NsCommon
from kernel.capability import CAP_SYS_TIME, ns_capable
from kernel.user_namespace import init_user_ns

CLOCK_MONOTONIC = 1
CLOCK_MONOTONIC_RAW = 4
CLOCK_MONOTONIC_COARSE = 6
CLOCK_BOOTTIME = 7
CLOCK_BOOTTIME_ALARM = 9
CLONE_NEWTIME = 0x00000080
NSEC_PER_SEC = 10**9
KTIME_SEC_MAX = ((1 << 63) - 1) // NSEC_PER_SEC


class TimeNamespace(NsCommon):
    def __init__(self, user_ns, inum=None):
        super().__init__(b"time", CLONE_NEWTIME, user_ns, inum)
        self.monotonic = 0              # ns added to CLOCK_MONOTONIC (and _RAW, _COARSE)
        self.boottime = 0               # ns added to CLOCK_BOOTTIME (and _ALARM)
        self.frozen_offsets = False     # a task has entered: the offsets are fixed


init_time_ns = TimeNamespace(init_user_ns, inum=0xEFFFFFFA)
init_time_ns.frozen_offsets = True


def copy_time_ns(old, user_ns):
    ns = TimeNamespace(user_ns)
    ns.monotonic, ns.boottime = old.monotonic, old.boottime
    return ns


def clock_offset(ns, clk):
    """What the namespace adds to clock clk (nanoseconds)."""
    if clk in (CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_COARSE):
        return ns.monotonic
    if clk in (CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM):
        return ns.boottime
    return 0


def _fmt(name, off):
    sec, nsec = divmod(off, NSEC_PER_SEC)
    return "%-10s %10d %9d\n" % (name, sec, nsec)


def proc_timens_show_offsets(ns):
    """/proc/PID/timens_offsets: the offsets of the children's namespace."""
    return _fmt("monotonic", ns.monotonic) + _fmt("boottime", ns.boottime)


def proc_timens_set_offset(t, ns, data, host_clock_ns):
    """A write of /proc/PID/timens_offsets: lines "clockid sec nsec" (at
    most two), for the namespace ns (PID's time_for_children)."""
    offsets = []
    for line in bytes(data).split(b"\n"):
        if not line.strip():
            continue
        words = line.split()
        try:
            clk, sec, nsec = int(words[0]), int(words[1]), int(words[2])
        except (ValueError, IndexError):
            raise Errno(EINVAL)
        if len(words) != 3 or not 0 <= nsec < NSEC_PER_SEC:
            raise Errno(EINVAL)
        offsets.append((clk, sec, nsec))
        if len(offsets) == 2:
            break
    if not ns_capable(t.cred, ns.user_ns, CAP_SYS_TIME):
        raise Errno(EPERM)
    for clk, sec, nsec in offsets:
        if clk not in (CLOCK_MONOTONIC, CLOCK_BOOTTIME):
            raise Errno(EINVAL)
        if not -KTIME_SEC_MAX <= sec <= KTIME_SEC_MAX:
            raise Errno(ERANGE)
        then = host_clock_ns(clk) + sec * NSEC_PER_SEC + nsec
        if not 0 <= then // NSEC_PER_SEC <= KTIME_SEC_MAX // 2:
            raise Errno(ERANGE)
    if ns.frozen_offsets:
        raise Errno(EACCES)
    for clk, sec, nsec in offsets:
        if clk == CLOCK_MONOTONIC:
            ns.monotonic = sec * NSEC_PER_SEC + nsec
        else:
            ns.boottime = sec * NSEC_PER_SEC + nsec
