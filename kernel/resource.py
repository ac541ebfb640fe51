"""kernel/resource.py - resource limits: prlimit64, getrlimit, setrlimit.

Limits belong to the process (shared by its threads) and are inherited
across fork and exec.  Raising a hard limit needs root; the kernel enforces
RLIMIT_NOFILE (fd allocation), RLIMIT_NPROC (fork), RLIMIT_FSIZE (writes),
RLIMIT_STACK (the stack VMA), RLIMIT_AS/DATA (mmap/brk) and RLIMIT_CPU
(kernel/posix_cpu_timers.py).
"""

import struct

from kernel.errno import EINVAL, EPERM, ESRCH
from kernel.task import RLIM_INFINITY, find_task
from mm.uaccess import copy_from_user, copy_to_user
from kernel.capability import CAP_SYS_RESOURCE, capable

RLIM_NLIMITS = 16
NR_OPEN = 1 << 20


def do_prlimit(t, target, resource, new):
    if resource >= RLIM_NLIMITS:
        return None, -EINVAL
    lim = target.signal.rlim[resource]
    old = tuple(lim)
    if new is not None:
        cur, mx = new
        if cur > mx:
            return None, -EINVAL
        if mx > lim[1] and not capable(t, CAP_SYS_RESOURCE):
            return None, -EPERM
        if resource == 7 and mx > NR_OPEN:          # RLIMIT_NOFILE
            return None, -EPERM
        lim[0], lim[1] = cur, mx
    return old, 0


def sys_prlimit64(t, pid, resource, new_rlim, old_rlim):
    pid = pid & 0xFFFFFFFF
    target = t if pid == 0 else find_task(pid)
    if target is None:
        return -ESRCH
    new = None
    if new_rlim:
        new = struct.unpack("<QQ", copy_from_user(t.mm, new_rlim, 16))
    old, err = do_prlimit(t, target, resource & 0xFFFFFFFF, new)
    if err:
        return err
    if old_rlim:
        copy_to_user(t.mm, old_rlim, struct.pack("<QQ", *old))
    return 0


def _compat(v, bits):
    if bits == 64:
        return v
    return 0xFFFFFFFF if v >= 0xFFFFFFFF else v


def sys_getrlimit(t, resource, rlim):
    old, err = do_prlimit(t, t, resource & 0xFFFFFFFF, None)
    if err:
        return err
    bits = t.arch.BITS
    fmt = "<QQ" if bits == 64 else "<II"
    copy_to_user(t.mm, rlim, struct.pack(fmt, _compat(old[0], bits), _compat(old[1], bits)))
    return 0


def sys_setrlimit(t, resource, rlim):
    bits = t.arch.BITS
    fmt = "<QQ" if bits == 64 else "<II"
    cur, mx = struct.unpack(fmt, copy_from_user(t.mm, rlim, struct.calcsize(fmt)))
    if bits == 32:
        cur = RLIM_INFINITY if cur == 0xFFFFFFFF else cur
        mx = RLIM_INFINITY if mx == 0xFFFFFFFF else mx
    _, err = do_prlimit(t, t, resource & 0xFFFFFFFF, (cur, mx))
    return err
