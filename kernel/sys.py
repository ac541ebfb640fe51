"""kernel/sys.py - identity, credentials and machine-wide calls.

getpid and friends, the uid/gid family, uname, sethostname, reboot,
umask, prctl, sysinfo, getrandom, getrusage/times, set_tid_address and the
other small calls every libc makes at start-up.
"""

import os
import struct
import time

from kernel.abi import _NSIG, s32
from kernel import sched, task as ktask
from kernel.capability import (CAP_SETGID, CAP_SETUID, CAP_SYS_ADMIN, CAP_SYS_BOOT, CAP_SYS_NICE,
                               PRCTL_OPTIONS, cap_prctl, capable, fix_setuid, ns_capable, uids)
from kernel.errno import EINVAL, ENAMETOOLONG, ENOSYS, EPERM, ESRCH, Errno
from kernel.user_namespace import (from_kgid_munged, from_kuid_munged, make_kgid, make_kuid,
                                   userns_may_setgroups)
from mm.uaccess import copy_from_user, copy_to_user, put_user_u32, strncpy_from_user
from kernel.printk import boot_time
from kernel.ptrace_access import ptrace_may_access
from kernel.time import thread_group_cputime
from mm import physmem as _pm

UTS_SYSNAME = b"Linux"
UTS_RELEASE = b"6.13.0-pyuml"   # see tests/test_conform.py test_uname_release
UTS_VERSION = b"#1 SMP PREEMPT_DYNAMIC pyuml"

LINUX_REBOOT_MAGIC1 = 0xFEE1DEAD
LINUX_REBOOT_MAGIC2 = (672274793, 85072278, 369367448, 537993216)
LINUX_REBOOT_CMD_RESTART = 0x01234567
LINUX_REBOOT_CMD_HALT = 0xCDEF0123
LINUX_REBOOT_CMD_POWER_OFF = 0x4321FEDC
LINUX_REBOOT_CMD_CAD_ON = 0x89ABCDEF
LINUX_REBOOT_CMD_CAD_OFF = 0x00000000
LINUX_REBOOT_CMD_RESTART2 = 0xA1B2C3D4


# -- identity ---------------------------------------------------------------------

def sys_getpid(t):
    return t.tgid


def sys_gettid(t):
    return t.pid


def sys_getppid(t):
    p = t.group_leader.real_parent
    return p.tgid if p is not None else 0


# Credentials hold kernel ids; the caller sees and names them through its
# user namespace's maps (kernel/user_namespace.py).

def uid_vnr(t, kuid):
    return from_kuid_munged(t.cred.user_ns, kuid)


def gid_vnr(t, kgid):
    return from_kgid_munged(t.cred.user_ns, kgid)


def sys_getuid(t):
    return uid_vnr(t, t.cred.uid)


def sys_geteuid(t):
    return uid_vnr(t, t.cred.euid)


def sys_getgid(t):
    return gid_vnr(t, t.cred.gid)


def sys_getegid(t):
    return gid_vnr(t, t.cred.egid)


def _raw_id(v):
    v &= 0xFFFFFFFF
    return -1 if v == 0xFFFFFFFF else v


def _kid_of(t, v, make):
    """The kernel id the caller names (-1 stays -1: "unchanged"); EINVAL
    if its namespace does not map it.  make: make_kuid or make_kgid."""
    v = _raw_id(v)
    if v == -1:
        return -1
    k = make(t.cred.user_ns, v)
    if k is None:
        raise Errno(EINVAL)
    return k


def kuid_of(t, v):
    return _kid_of(t, v, make_kuid)


def kgid_of(t, v):
    return _kid_of(t, v, make_kgid)


def _setid_capable(t, cap):
    """CAP_SETUID/CAP_SETGID in the caller's own user namespace."""
    return ns_capable(t.cred, t.cred.user_ns, cap)


def _ids(c):
    return (c.euid, c.egid, c.fsuid, c.fsgid)


def commit_creds(t, old):
    """The credentials of t changed from old (an _ids() tuple): as Linux's
    commit_creds, a process whose effective or filesystem ids changed (or
    that became root) is no longer dumpable (suid_dumpable 0): no core, and
    only root may ptrace it (kernel/ptrace_access.py)."""
    new = _ids(t.cred)
    if new != old and t.mm is not None:
        t.mm.dumpable = 0


def sys_setuid(t, uid):
    ids = _ids(t.cred)
    uid = kuid_of(t, uid)
    if uid < 0:
        return -EINVAL
    c = t.cred
    old = uids(c)
    if _setid_capable(t, CAP_SETUID):
        c.uid = c.euid = c.suid = c.fsuid = uid
    elif uid in (c.uid, c.suid):
        c.euid = c.fsuid = uid
    else:
        return -EPERM
    fix_setuid(old, c)
    commit_creds(t, ids)
    return 0


def sys_setgid(t, gid):
    old = _ids(t.cred)
    gid = kgid_of(t, gid)
    if gid < 0:
        return -EINVAL
    c = t.cred
    if _setid_capable(t, CAP_SETGID):
        c.gid = c.egid = c.sgid = c.fsgid = gid
    elif gid in (c.gid, c.sgid):
        c.egid = c.fsgid = gid
    else:
        return -EPERM
    commit_creds(t, old)
    return 0


def sys_setresuid(t, ruid, euid, suid):
    ids = _ids(t.cred)
    c = t.cred
    old = uids(c)
    ruid, euid, suid = kuid_of(t, ruid), kuid_of(t, euid), kuid_of(t, suid)
    if not _setid_capable(t, CAP_SETUID):
        allowed = (c.uid, c.euid, c.suid)
        for v in (ruid, euid, suid):
            if v != -1 and v not in allowed:
                return -EPERM
    if ruid != -1:
        c.uid = ruid
    if euid != -1:
        c.euid = euid
    if suid != -1:
        c.suid = suid
    c.fsuid = c.euid
    fix_setuid(old, c)
    commit_creds(t, ids)
    return 0


def sys_setresgid(t, rgid, egid, sgid):
    old = _ids(t.cred)
    c = t.cred
    rgid, egid, sgid = kgid_of(t, rgid), kgid_of(t, egid), kgid_of(t, sgid)
    if not _setid_capable(t, CAP_SETGID):
        allowed = (c.gid, c.egid, c.sgid)
        for v in (rgid, egid, sgid):
            if v != -1 and v not in allowed:
                return -EPERM
    if rgid != -1:
        c.gid = rgid
    if egid != -1:
        c.egid = egid
    if sgid != -1:
        c.sgid = sgid
    c.fsgid = c.egid
    commit_creds(t, old)
    return 0


def sys_setreuid(t, ruid, euid):
    ids = _ids(t.cred)
    c = t.cred
    ruid, euid = kuid_of(t, ruid), kuid_of(t, euid)
    old_ruid = c.uid
    old = uids(c)
    if not _setid_capable(t, CAP_SETUID):
        if ruid != -1 and ruid not in (c.uid, c.euid):
            return -EPERM
        if euid != -1 and euid not in (c.uid, c.euid, c.suid):
            return -EPERM
    if ruid != -1:
        c.uid = ruid
    if euid != -1:
        c.euid = euid
    if ruid != -1 or (euid != -1 and euid != old_ruid):
        c.suid = c.euid
    c.fsuid = c.euid
    fix_setuid(old, c)
    commit_creds(t, ids)
    return 0


def sys_setregid(t, rgid, egid):
    old = _ids(t.cred)
    c = t.cred
    rgid, egid = kgid_of(t, rgid), kgid_of(t, egid)
    old_rgid = c.gid
    if not _setid_capable(t, CAP_SETGID):
        if rgid != -1 and rgid not in (c.gid, c.egid):
            return -EPERM
        if egid != -1 and egid not in (c.gid, c.egid, c.sgid):
            return -EPERM
    if rgid != -1:
        c.gid = rgid
    if egid != -1:
        c.egid = egid
    if rgid != -1 or (egid != -1 and egid != old_rgid):
        c.sgid = c.egid
    c.fsgid = c.egid
    commit_creds(t, old)
    return 0


def sys_getresuid(t, r, e, s):
    c = t.cred
    for addr, v in ((r, c.uid), (e, c.euid), (s, c.suid)):
        put_user_u32(t.mm, addr, uid_vnr(t, v))
    return 0


def sys_getresgid(t, r, e, s):
    c = t.cred
    for addr, v in ((r, c.gid), (e, c.egid), (s, c.sgid)):
        put_user_u32(t.mm, addr, gid_vnr(t, v))
    return 0


def sys_setfsuid(t, uid):
    ids = _ids(t.cred)
    old = t.cred.fsuid
    before = uids(t.cred)
    uid = make_kuid(t.cred.user_ns, _raw_id(uid))    # None (unmapped, -1): no change
    if uid is not None and (_setid_capable(t, CAP_SETUID) or uid in (t.cred.uid, t.cred.euid, t.cred.suid,
                                                         t.cred.fsuid)):
        t.cred.fsuid = uid
        fix_setuid(before, t.cred)
    commit_creds(t, ids)
    return uid_vnr(t, old)


def sys_setfsgid(t, gid):
    ids = _ids(t.cred)
    old = t.cred.fsgid
    gid = make_kgid(t.cred.user_ns, _raw_id(gid))
    if gid is not None and (_setid_capable(t, CAP_SETGID) or gid in (t.cred.gid, t.cred.egid, t.cred.sgid,
                                                         t.cred.fsgid)):
        t.cred.fsgid = gid
    commit_creds(t, ids)
    return gid_vnr(t, old)


def sys_getgroups(t, size, addr):
    size = s32(size)
    groups = t.cred.groups
    if size < 0:
        return -EINVAL
    if size == 0:
        return len(groups)
    if size < len(groups):
        return -EINVAL
    copy_to_user(t.mm, addr, struct.pack("<%dI" % len(groups), *(gid_vnr(t, g) for g in groups)))
    return len(groups)


def may_setgroups(t):
    """CAP_SETGID in the caller's user namespace, and that namespace lets
    setgroups be called (kernel/user_namespace.py: /proc/PID/setgroups)."""
    ns = t.cred.user_ns
    return _setid_capable(t, CAP_SETGID) and (ns.parent is None or userns_may_setgroups(ns))


def sys_setgroups(t, size, addr):
    size = s32(size)
    if not may_setgroups(t):
        return -EPERM
    if size < 0 or size > 65536:
        return -EINVAL
    raw = copy_from_user(t.mm, addr, 4 * size)
    t.cred.groups = tuple(kgid_of(t, g) for g in struct.unpack("<%dI" % size, raw))
    return 0


# -- the machine --------------------------------------------------------------------

PER_MASK, PER_LINUX32 = 0x00FF, 0x0008    # personality(2): the base personality


def _uts_field(s):
    return s[:64].ljust(65, b"\0")


def sys_uname(t, buf):
    machine = t.arch.UNAME_MACHINE if hasattr(t.arch, "UNAME_MACHINE") else b"x86_64"
    if t.personality & PER_MASK == PER_LINUX32:
        machine = b"i686"
    uts = t.nsproxy.uts_ns
    raw = b"".join(_uts_field(s) for s in (UTS_SYSNAME, uts.nodename, UTS_RELEASE,
                                           UTS_VERSION, machine, uts.domainname))
    copy_to_user(t.mm, buf, raw)
    return 0


def sys_sethostname(t, name, length):
    if not ns_capable(t.cred, t.nsproxy.uts_ns.user_ns, CAP_SYS_ADMIN):
        return -EPERM
    length = s32(length)
    if length < 0 or length > 64:
        return -EINVAL
    t.nsproxy.uts_ns.nodename = copy_from_user(t.mm, name, length)
    return 0


def sys_setdomainname(t, name, length):
    if not ns_capable(t.cred, t.nsproxy.uts_ns.user_ns, CAP_SYS_ADMIN):
        return -EPERM
    length = s32(length)
    if length < 0 or length > 64:
        return -EINVAL
    t.nsproxy.uts_ns.domainname = copy_from_user(t.mm, name, length)
    return 0


def sys_reboot(t, magic1, magic2, cmd, arg):
    # cycle: kernel.syscall -> kernel.exit -> kernel.sys
    from kernel.syscall import PowerOff
    if not capable(t, CAP_SYS_BOOT):
        return -EPERM
    magic1 &= 0xFFFFFFFF
    magic2 &= 0xFFFFFFFF
    cmd &= 0xFFFFFFFF
    if magic1 != LINUX_REBOOT_MAGIC1 or magic2 not in LINUX_REBOOT_MAGIC2:
        return -EINVAL
    if cmd in (LINUX_REBOOT_CMD_CAD_ON, LINUX_REBOOT_CMD_CAD_OFF):
        return 0
    if cmd == LINUX_REBOOT_CMD_POWER_OFF:
        raise PowerOff("power_off")
    if cmd == LINUX_REBOOT_CMD_HALT:
        raise PowerOff("halt")
    if cmd in (LINUX_REBOOT_CMD_RESTART, LINUX_REBOOT_CMD_RESTART2):
        raise PowerOff("restart")
    return -EINVAL


def sys_umask(t, mask):
    old = t.fs.umask
    t.fs.umask = mask & 0o777
    return old


def sys_sysinfo(t, info):
    """struct sysinfo: uptime (whole seconds, rounded up), load averages
    (fixed point, 1 << 16 = 1.0: what /proc/loadavg says, none here), memory
    in units of mem_unit bytes, and the number of tasks.  A 64-bit task gets
    bytes (mem_unit 1); a 32-bit one too while the sizes fit in 32 bits,
    else pages (Linux's compat_sysinfo)."""
    # LAB sysinfo: begin
    pm = _pm.physmem
    up = time.monotonic() - boot_monotonic() + t.nsproxy.time_ns.boottime / 1e9
    uptime = int(up) + (1 if up % 1 else 0)
    total, free = pm.nr_frames * 4096, pm.nr_free * 4096
    procs = len(ktask.tasks) & 0xFFFF
    if t.arch.BITS == 64:
        raw = struct.pack("<q3Q6QH6xQQI4x", uptime, 0, 0, 0, total, free, 0, 0, 0, 0,
                          procs, 0, 0, 1)
    else:
        unit = 1
        while total >> 32:                  # keep the sizes in 32 bits
            unit <<= 1
            total >>= 1
            free >>= 1
        raw = struct.pack("<i3IIIIIIIHHIII8x", uptime, 0, 0, 0, total, free, 0, 0, 0, 0,
                          procs, 0, 0, 0, unit)
    copy_to_user(t.mm, info, raw)
    return 0
    # LAB sysinfo: starter
    #> return -ENOSYS
    # LAB sysinfo: end


def boot_monotonic():
    return boot_time


GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE = 1, 2, 4


def sys_getrandom(t, buf, count, flags):
    if flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE):
        return -EINVAL
    count = min(count & 0xFFFFFFFF, 33554431)
    copy_to_user(t.mm, buf, os.urandom(count))
    return count


# -- thread set-up -------------------------------------------------------------------

def sys_set_tid_address(t, tidptr):
    t.clear_child_tid = tidptr
    return t.pid


def sys_set_robust_list(t, head, length):
    if length != (24 if t.arch.BITS == 64 else 12):
        return -EINVAL
    t.robust_list = head
    t.robust_list_len = length
    return 0


def sys_get_robust_list(t, pid, head_ptr, len_ptr):
    pid = s32(pid)
    target = t if pid == 0 else ktask.find_task(pid)
    if target is None:
        return -ESRCH
    if not ptrace_may_access(t, target):
        return -EPERM               # another's list: only for who may ptrace it
    size = t.arch.BITS // 8
    mask = (1 << (8 * size)) - 1        # a 32-bit caller asking about a 64-bit task
    copy_to_user(t.mm, head_ptr, (target.robust_list & mask).to_bytes(size, "little"))
    copy_to_user(t.mm, len_ptr, ((target.robust_list_len or 3 * size) & mask).to_bytes(size, "little"))
    return 0


def sys_rseq(t, rseq, rseq_len, flags, sig):
    """Restartable sequences need the kernel to abort them on preemption;
    we do not, so we refuse them as a kernel without CONFIG_RSEQ does."""
    return -ENOSYS


PR_SET_PDEATHSIG, PR_GET_PDEATHSIG = 1, 2
PR_GET_DUMPABLE, PR_SET_DUMPABLE = 3, 4
PR_SET_NAME, PR_GET_NAME = 15, 16
PR_GET_SECCOMP, PR_SET_SECCOMP = 21, 22
PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS = 38, 39
PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER = 36, 37
PR_SET_VMA = 0x53564D41
PR_SET_THP_DISABLE, PR_GET_THP_DISABLE = 41, 42
PR_SET_PTRACER = 0x59616D61             # security/yama.py


PR_GET_TIMING, PR_SET_TIMING = 13, 14
PR_GET_TSC, PR_SET_TSC = 25, 26
PR_SET_TIMERSLACK, PR_GET_TIMERSLACK = 29, 30
DEFAULT_TIMER_SLACK_NS = 50000


# options about the calling task itself, and about its memory
_PRCTL_TASK = (PR_GET_TIMING, PR_SET_TIMING, PR_GET_TIMERSLACK, PR_SET_TIMERSLACK,
               PR_SET_NAME, PR_GET_NAME, PR_SET_PDEATHSIG, PR_GET_PDEATHSIG,
               PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS,
               PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER)
_PRCTL_MM = (PR_GET_DUMPABLE, PR_SET_DUMPABLE, PR_SET_THP_DISABLE, PR_GET_THP_DISABLE,
             PR_SET_VMA)


def sys_prctl(t, option, a2, a3, a4, a5):
    option &= 0xFFFFFFFF
    if option in _PRCTL_TASK:
        return _prctl_task(t, option, a2, a3, a4, a5)
    if option in _PRCTL_MM:
        return _prctl_mm(t, option, a2, a3, a4, a5)
    if option in (PR_GET_SECCOMP, PR_SET_SECCOMP):
        return _prctl_seccomp(t, option, a2, a3)
    if option in PRCTL_OPTIONS:
        return cap_prctl(t, option, a2, a3, a4, a5)
    if option == PR_SET_PTRACER:
        # cycle: kernel.sys -> security.yama -> fs.proc.proc_sysctl -> kernel.sys
        from security.yama import prctl_set_ptracer
        return prctl_set_ptracer(t, a2)
    if option in (PR_GET_TSC, PR_SET_TSC):
        # cycle: kernel.sys -> arch.x86 -> arch.x86.signal -> skas.userspace -> kernel.sys
        from arch.x86.cpu_faulting import prctl_tsc
        return prctl_tsc(t, option, a2)
    return -EINVAL


def _prctl_task(t, option, a2, a3, a4, a5):
    """The _PRCTL_TASK options: timing, timer slack, name, parent-death
    signal, no_new_privs, child subreaper."""
    if option == PR_GET_TIMING:
        return 0                                # PR_TIMING_STATISTICAL, the only one
    if option == PR_SET_TIMING:
        return 0 if a2 == 0 else -EINVAL
    if option == PR_GET_TIMERSLACK:
        return t.timer_slack_ns
    if option == PR_SET_TIMERSLACK:
        # 0: back to the default, which is what the parent had at fork
        t.timer_slack_ns = a2 if a2 else t.default_timer_slack_ns
        return 0
    if option == PR_SET_NAME:
        try:
            name = strncpy_from_user(t.mm, a2, 16)
        except Errno as e:
            if e.errno != ENAMETOOLONG:         # too long: truncate
                raise
            name = copy_from_user(t.mm, a2, 15)
        t.comm = name[:15]
        return 0
    if option == PR_GET_NAME:
        copy_to_user(t.mm, a2, t.comm[:15].ljust(16, b"\0"))
        return 0
    if option == PR_SET_PDEATHSIG:
        if a2 > _NSIG:                  # valid_signal
            return -EINVAL
        t.pdeath_signal = a2
        return 0
    if option == PR_GET_PDEATHSIG:
        put_user_u32(t.mm, a2, t.pdeath_signal)
        return 0
    if option == PR_SET_NO_NEW_PRIVS:
        if a2 != 1 or a3 or a4 or a5:
            return -EINVAL
        t.no_new_privs = 1              # for good: inherited, kept across exec
        return 0
    if option == PR_GET_NO_NEW_PRIVS:
        if a2 or a3 or a4 or a5:
            return -EINVAL
        return t.no_new_privs
    if option == PR_SET_CHILD_SUBREAPER:
        t.signal.is_child_subreaper = bool(a2)
        return 0
    # PR_GET_CHILD_SUBREAPER
    put_user_u32(t.mm, a2, int(t.signal.is_child_subreaper))
    return 0


def _prctl_mm(t, option, a2, a3, a4, a5):
    """The _PRCTL_MM options: dumpable, THP disable, VMA names."""
    if option == PR_GET_DUMPABLE:
        return t.mm.dumpable
    if option == PR_SET_DUMPABLE:
        if a2 > 1:
            return -EINVAL
        t.mm.dumpable = a2
        return 0
    if option == PR_SET_THP_DISABLE:
        if a3 or a4 or a5:
            return -EINVAL
        t.mm.thp_disable = bool(a2)     # no huge pages here anyway
        return 0
    if option == PR_GET_THP_DISABLE:
        if a2 or a3 or a4 or a5:
            return -EINVAL
        return int(t.mm.thp_disable)
    return 0                            # PR_SET_VMA: names are not kept


def _prctl_seccomp(t, option, a2, a3):
    if option == PR_GET_SECCOMP:
        # cycle: kernel.seccomp -> kernel.exit -> kernel.sys
        from kernel.seccomp import SECCOMP_MODE_DEAD, SECCOMP_MODE_FILTER
        return SECCOMP_MODE_FILTER if t.seccomp_mode == SECCOMP_MODE_DEAD else t.seccomp_mode
    # cycle: kernel.seccomp -> kernel.exit -> kernel.sys
    from kernel.seccomp import prctl_set_seccomp
    return prctl_set_seccomp(t, a2, a3)


def sys_personality(t, persona):
    old = t.personality
    if persona & 0xFFFFFFFF != 0xFFFFFFFF:
        t.personality = persona & 0xFFFFFFFF
    return old


def sys_sched_yield(t):
    sched.yield_task(t)
    return 0


def sys_getcpu(t, cpup, nodep, cache):
    if cpup:
        put_user_u32(t.mm, cpup, 0)
    if nodep:
        put_user_u32(t.mm, nodep, 0)
    return 0


def _affinity_task(t, pid):
    pid = s32(pid)
    p = t if pid == 0 else (ktask.find_task(pid) if pid > 0 else None)
    if p is None:
        raise Errno(ESRCH)
    return p


def sys_sched_getaffinity(t, pid, length, mask):
    """One CPU: the mask is CPU 0, in a long's worth of bytes."""
    length &= 0xFFFFFFFF
    size = t.arch.BITS // 8
    if length * 8 < 1 or length & (size - 1):
        return -EINVAL
    _affinity_task(t, pid)
    copy_to_user(t.mm, mask, (1).to_bytes(size, "little"))
    return size


def sys_sched_setaffinity(t, pid, length, mask):
    """Linux's order: the mask (EFAULT), the task (ESRCH), the right to
    change it (EPERM), a mask without the one CPU (EINVAL)."""
    raw = copy_from_user(t.mm, mask, min(length & 0xFFFFFFFF, 128))
    p = _affinity_task(t, pid)
    if t.cred.euid not in (p.cred.euid, p.cred.uid) and not capable(t, CAP_SYS_NICE):
        return -EPERM
    if not int.from_bytes(raw, "little") & 1:
        return -EINVAL
    return 0


# -- resource usage -------------------------------------------------------------------

def fill_rusage(t, addr, p, children=False, who=None):
    """struct rusage for p: RUSAGE_SELF (the whole process), RUSAGE_THREAD,
    RUSAGE_CHILDREN (reaped descendants) or, for wait4, both."""
    sigs = p.signal
    # ru_maxrss (KB): the children's is the biggest reaped; a process's
    # own is the peak of the mms it left and of the one it has now
    maxrss = 0
    if children or who == "both":
        maxrss = sigs.cmaxrss
    if not children:
        if who != RUSAGE_THREAD:
            maxrss = max(maxrss, sigs.maxrss)
        if p.mm is not None:
            maxrss = max(maxrss, p.mm.get_mm_hiwater_rss() * 4)
    counts = (p.min_flt, p.maj_flt, p.nvcsw, p.nivcsw)
    if children:
        counts = (sigs.cmin_flt, sigs.cmaj_flt, sigs.cnvcsw, sigs.cnivcsw)
    elif who == "both":
        counts = (p.min_flt + sigs.cmin_flt, p.maj_flt + sigs.cmaj_flt,
                  p.nvcsw + sigs.cnvcsw, p.nivcsw + sigs.cnivcsw)
    if who == RUSAGE_THREAD:
        ut, st = p.utime, p.stime
    elif children:
        ut, st = sigs.cutime, sigs.cstime
    else:
        ut, st = thread_group_cputime(p)
        if who == "both":
            ut, st = ut + sigs.cutime, st + sigs.cstime
    minflt, majflt, nvcsw, nivcsw = counts
    fields = (int(ut), int(ut % 1 * 1e6), int(st), int(st % 1 * 1e6),
              maxrss, 0, 0, 0, minflt, majflt, 0, 0, 0, 0, 0, 0, nvcsw, nivcsw)
    fmt = "<qqqq14q" if t.arch.BITS == 64 else "<iiii14i"
    copy_to_user(t.mm, addr, struct.pack(fmt, *fields))


RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD = 0, -1, 1


def sys_getrusage(t, who, ru):
    who = s32(who)
    if who == RUSAGE_SELF or who == RUSAGE_THREAD:
        fill_rusage(t, ru, t, who=who)
    elif who == RUSAGE_CHILDREN:
        fill_rusage(t, ru, t, children=True)
    else:
        return -EINVAL
    return 0


def sys_times(t, buf):
    hz = 100
    now = time.monotonic()
    ticks = int((now - boot_monotonic()) * hz) + 0x7FFFFFFF - 30000  # Linux's INITIAL_JIFFIES
    if buf:
        sigs = t.signal
        ut, st = thread_group_cputime(t)
        vals = (int(ut * hz), int(st * hz), int(sigs.cutime * hz), int(sigs.cstime * hz))
        fmt = "<4q" if t.arch.BITS == 64 else "<4i"
        copy_to_user(t.mm, buf, struct.pack(fmt, *vals))
    return ticks & ((1 << (t.arch.BITS - 1)) - 1)
