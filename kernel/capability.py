"""kernel/capability.py - POSIX capabilities: what a task may do beyond the
permission bits.

Every Cred carries Linux's five sets (kernel/task.py): permitted,
effective, inheritable, the bounding set and the ambient set, 41 bits each
(CAP_CHOWN .. CAP_CHECKPOINT_RESTORE), and the securebits.  A privilege
check is capable(t, CAP_X): is X in t's effective set.  Root starts with
every capability; the sets then move as Linux's commoncap moves them:

 - setuid and friends (fix_setuid): leaving root (uid 0 of the
   credentials' user namespace) in all of ruid, euid and suid clears
   permitted and effective (unless PR_SET_KEEPCAPS) and ambient; euid
   leaving root clears effective, euid becoming root restores it from
   permitted; fsuid leaving root drops the file-system capabilities;
 - execve (bprm_creds): a program run by root (ruid or euid 0) gets the
   bounding set plus its inheritable set, effective too when euid is 0;
   anyone else keeps only the ambient set (pyuml has no file capabilities);
 - capset, and prctl's PR_CAPBSET_*, PR_CAP_AMBIENT, PR_*_KEEPCAPS and
   PR_*_SECUREBITS, with Linux's rules.
"""

import struct

from kernel.errno import EFAULT, EINVAL, EPERM, ESRCH, Errno
from mm.uaccess import copy_from_user, copy_to_user

(CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_KILL,
 CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_LINUX_IMMUTABLE, CAP_NET_BIND_SERVICE,
 CAP_NET_BROADCAST, CAP_NET_ADMIN, CAP_NET_RAW, CAP_IPC_LOCK, CAP_IPC_OWNER,
 CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_CHROOT, CAP_SYS_PTRACE, CAP_SYS_PACCT,
 CAP_SYS_ADMIN, CAP_SYS_BOOT, CAP_SYS_NICE, CAP_SYS_RESOURCE, CAP_SYS_TIME,
 CAP_SYS_TTY_CONFIG, CAP_MKNOD, CAP_LEASE, CAP_AUDIT_WRITE, CAP_AUDIT_CONTROL,
 CAP_SETFCAP, CAP_MAC_OVERRIDE, CAP_MAC_ADMIN, CAP_SYSLOG, CAP_WAKE_ALARM,
 CAP_BLOCK_SUSPEND, CAP_AUDIT_READ, CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE) = range(41)
CAP_LAST_CAP = CAP_CHECKPOINT_RESTORE
CAP_FULL_SET = (1 << (CAP_LAST_CAP + 1)) - 1
# what a change of fsuid to or from 0 adds or removes
CAP_FS_MASK = sum(1 << c for c in (CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
                                   CAP_FOWNER, CAP_FSETID, CAP_LINUX_IMMUTABLE,
                                   CAP_MKNOD, CAP_MAC_OVERRIDE))

SECBIT_NOROOT, SECBIT_NOROOT_LOCKED = 1 << 0, 1 << 1
SECBIT_NO_SETUID_FIXUP, SECBIT_NO_SETUID_FIXUP_LOCKED = 1 << 2, 1 << 3
SECBIT_KEEP_CAPS, SECBIT_KEEP_CAPS_LOCKED = 1 << 4, 1 << 5
SECBIT_NO_CAP_AMBIENT_RAISE, SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED = 1 << 6, 1 << 7
SECURE_ALL_BITS = 0x55
SECURE_ALL_LOCKS = SECURE_ALL_BITS << 1

_LINUX_CAPABILITY_VERSION_1 = 0x19980330
_LINUX_CAPABILITY_VERSION_2 = 0x20071026
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_U32S = {_LINUX_CAPABILITY_VERSION_1: 1, _LINUX_CAPABILITY_VERSION_2: 2,
         _LINUX_CAPABILITY_VERSION_3: 2}


def capable(t, cap):
    """Does t hold cap over the initial user namespace (everything the
    kernel owns): in its effective set, and in that namespace?"""
    return t.cred.user_ns.level == 0 and bool(t.cred.cap_effective >> cap & 1)


def cred_capable(cred, cap):
    return cred.user_ns.level == 0 and bool(cred.cap_effective >> cap & 1)


def ns_capable(cred, ns, cap):
    """Does cred hold cap in user namespace ns (kernel/user_namespace.py)?
    In its own namespace its sets say; over a namespace below it, the
    owner of that namespace (or of one above it, below cred's) has every
    capability; over any other, none."""
    while True:
        if ns is cred.user_ns:
            return bool(cred.cap_effective >> cap & 1)
        if ns.level <= cred.user_ns.level:
            return False
        if ns.parent is cred.user_ns and ns.owner == cred.euid:
            return True
        ns = ns.parent


def cap_valid(cap):
    return 0 <= cap <= CAP_LAST_CAP


# -- set changes that follow uid changes and exec ------------------------------------

def root_uid(c):
    """The kernel uid of root in c's user namespace (None: unmapped, so
    no one is root there).  An id map is (first, lower, count) extents
    (kernel/user_namespace.py)."""
    for first, lower, count in c.user_ns.uid_map:
        if first == 0:
            return lower
    return None


def fix_setuid(old, new):
    """commoncap's cap_emulate_setxuid and the fsuid rule: old and new are
    (uid, euid, suid, fsuid) before and after; new's sets are changed.
    Root is the root of the credentials' user namespace."""
    c = new
    root = root_uid(c)
    if not c.securebits & SECBIT_NO_SETUID_FIXUP and root is not None:
        ouid, oeuid, osuid, ofsuid = old
        if root in (ouid, oeuid, osuid) and root not in (c.uid, c.euid, c.suid):
            if not c.securebits & SECBIT_KEEP_CAPS:
                c.cap_permitted = c.cap_effective = 0
            c.cap_ambient = 0               # setresuid then exec drops them all
        if oeuid == root and c.euid != root:
            c.cap_effective = 0
        if oeuid != root and c.euid == root:
            c.cap_effective = c.cap_permitted
        if ofsuid == root and c.fsuid != root:
            c.cap_effective &= ~CAP_FS_MASK
        elif ofsuid != root and c.fsuid == root:
            c.cap_effective |= c.cap_permitted & CAP_FS_MASK


def uids(c):
    return (c.uid, c.euid, c.suid, c.fsuid)


def bprm_creds(c):
    """The sets after execve of a program without file capabilities (root:
    its user namespace's)."""
    root = root_uid(c)
    if root is not None and root in (c.uid, c.euid) and not c.securebits & SECBIT_NOROOT:
        c.cap_permitted = c.cap_bset | c.cap_inheritable
        c.cap_effective = c.cap_permitted if c.euid == root else 0
        c.cap_ambient = 0
    else:
        c.cap_permitted = c.cap_effective = c.cap_ambient
    c.securebits &= ~SECBIT_KEEP_CAPS               # exec clears keep-caps


# -- capget and capset -----------------------------------------------------------------

def _validate_header(t, header):
    version, pid = struct.unpack("<Ii", copy_from_user(t.mm, header, 8))
    if version not in _U32S:
        copy_to_user(t.mm, header, struct.pack("<I", _LINUX_CAPABILITY_VERSION_3))
        raise Errno(EINVAL)
    return _U32S[version], pid


def sys_capget(t, header, data):
    # cycle: kernel.task -> kernel.capability
    from kernel.task import find_task
    try:
        n, pid = _validate_header(t, header)
    except Errno as e:
        if e.errno == EINVAL and not data:
            return 0                    # asking which version: no error
        raise
    if not data:
        return 0
    if pid < 0:
        return -EINVAL
    target = t if pid == 0 else find_task(pid)
    if target is None:
        return -ESRCH
    c = target.cred
    words = []
    for i in range(n):
        words += [(c.cap_effective >> 32 * i) & 0xFFFFFFFF,
                  (c.cap_permitted >> 32 * i) & 0xFFFFFFFF,
                  (c.cap_inheritable >> 32 * i) & 0xFFFFFFFF]
    copy_to_user(t.mm, data, struct.pack("<%dI" % len(words), *words))
    return 0


def sys_capset(t, header, data):
    n, pid = _validate_header(t, header)
    if pid != 0 and pid != t.pid:
        return -EPERM                   # only one's own sets
    if not data:
        return -EFAULT
    words = struct.unpack("<%dI" % (3 * n), copy_from_user(t.mm, data, 12 * n))
    eff = perm = inh = 0
    for i in range(n):
        eff |= words[3 * i] << 32 * i
        perm |= words[3 * i + 1] << 32 * i
        inh |= words[3 * i + 2] << 32 * i
    eff, perm, inh = eff & CAP_FULL_SET, perm & CAP_FULL_SET, inh & CAP_FULL_SET
    c = t.cred
    if inh & ~(c.cap_inheritable | c.cap_permitted) and not capable(t, CAP_SETPCAP):
        return -EPERM
    if inh & ~(c.cap_inheritable | c.cap_bset):
        return -EPERM
    if perm & ~c.cap_permitted:
        return -EPERM
    if eff & ~perm:
        return -EPERM
    c.cap_effective, c.cap_permitted, c.cap_inheritable = eff, perm, inh
    c.cap_ambient &= perm & inh
    return 0


# -- prctl's capability options -----------------------------------------------------------

PR_GET_KEEPCAPS, PR_SET_KEEPCAPS = 7, 8
PR_CAPBSET_READ, PR_CAPBSET_DROP = 23, 24
PR_GET_SECUREBITS, PR_SET_SECUREBITS = 27, 28
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_IS_SET, PR_CAP_AMBIENT_RAISE, PR_CAP_AMBIENT_LOWER, \
    PR_CAP_AMBIENT_CLEAR_ALL = 1, 2, 3, 4
PRCTL_OPTIONS = (PR_GET_KEEPCAPS, PR_SET_KEEPCAPS, PR_CAPBSET_READ, PR_CAPBSET_DROP,
                 PR_GET_SECUREBITS, PR_SET_SECUREBITS, PR_CAP_AMBIENT)


def cap_prctl(t, option, a2, a3, a4, a5):
    """prctl for the PRCTL_OPTIONS (kernel/sys.py hands them over)."""
    c = t.cred
    if option == PR_CAPBSET_READ:
        if not cap_valid(a2):
            return -EINVAL
        return c.cap_bset >> a2 & 1
    if option == PR_CAPBSET_DROP:
        if not capable(t, CAP_SETPCAP):
            return -EPERM
        if not cap_valid(a2):
            return -EINVAL
        c.cap_bset &= ~(1 << a2)
        return 0
    if option == PR_GET_KEEPCAPS:
        return 1 if c.securebits & SECBIT_KEEP_CAPS else 0
    if option == PR_SET_KEEPCAPS:
        if a2 > 1:
            return -EINVAL
        if c.securebits & SECBIT_KEEP_CAPS_LOCKED:
            return -EPERM
        c.securebits = (c.securebits | SECBIT_KEEP_CAPS) if a2 else \
            (c.securebits & ~SECBIT_KEEP_CAPS)
        return 0
    if option == PR_GET_SECUREBITS:
        return c.securebits
    if option == PR_SET_SECUREBITS:
        new = a2 & 0xFFFFFFFF
        old = c.securebits
        # locked bits may not change, locks may not be undone
        if ((old & SECURE_ALL_LOCKS) >> 1) & (old ^ new) or (old & SECURE_ALL_LOCKS & ~new) \
                or new & ~(SECURE_ALL_BITS | SECURE_ALL_LOCKS) or not capable(t, CAP_SETPCAP):
            return -EPERM
        c.securebits = new
        return 0
    if option == PR_CAP_AMBIENT:
        if a2 == PR_CAP_AMBIENT_CLEAR_ALL:
            if a3 or a4 or a5:
                return -EINVAL
            c.cap_ambient = 0
            return 0
        if a4 or a5 or not cap_valid(a3):
            return -EINVAL
        bit = 1 << a3
        if a2 == PR_CAP_AMBIENT_IS_SET:
            return 1 if c.cap_ambient & bit else 0
        if a2 == PR_CAP_AMBIENT_LOWER:
            c.cap_ambient &= ~bit
            return 0
        if a2 == PR_CAP_AMBIENT_RAISE:
            if not (c.cap_permitted & bit and c.cap_inheritable & bit) \
                    or c.securebits & SECBIT_NO_CAP_AMBIENT_RAISE:
                return -EPERM
            c.cap_ambient |= bit
            return 0
        return -EINVAL
    return -EINVAL
