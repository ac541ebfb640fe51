"""kernel/ptrace_access.py - may one task inspect another (ptrace_may_access).

The question Linux asks before a ptrace attach, /proc/PID/mem, kcmp and
process_vm_readv/writev, simplified to what this kernel models:
CAP_SYS_PTRACE is kernel/capability.py's (ptrace_has_cap), and the one security module
is Yama (security/yama.py), whose ptrace_scope is 0 by default (as on
Debian): any process may trace another of the same user.  With
the *_REALCREDS modes Linux compares the caller's real uid and gid with all
three of the target's, with *_FSCREDS (procfs) its filesystem ones; a target
whose mm is not dumpable (prctl PR_SET_DUMPABLE 0) needs the capability
too.  Threads of one process may always look at each other.
"""

from kernel.capability import CAP_SYS_PTRACE, capable as has_cap

PTRACE_MODE_READ = 0x01
PTRACE_MODE_ATTACH = 0x02
PTRACE_MODE_FSCREDS = 0x08
PTRACE_MODE_REALCREDS = 0x10
PTRACE_MODE_READ_REALCREDS = PTRACE_MODE_READ | PTRACE_MODE_REALCREDS
PTRACE_MODE_ATTACH_REALCREDS = PTRACE_MODE_ATTACH | PTRACE_MODE_REALCREDS
PTRACE_MODE_ATTACH_FSCREDS = PTRACE_MODE_ATTACH | PTRACE_MODE_FSCREDS


def ptrace_may_access(t, target, mode=PTRACE_MODE_READ_REALCREDS):
    """True if t may inspect target."""
    if target.tgid == t.tgid:
        return True
    capable = has_cap(t, CAP_SYS_PTRACE)
    c, tc = t.cred, target.cred
    if mode & PTRACE_MODE_FSCREDS:
        uid, gid = c.fsuid, c.fsgid
    else:
        uid, gid = c.uid, c.gid
    same = (uid == tc.uid == tc.euid == tc.suid
            and gid == tc.gid == tc.egid == tc.sgid)
    if not same and not capable:
        return False
    mm = target.mm
    if mm is not None and mm.dumpable != 1 and not capable:
        return False
    if mode & PTRACE_MODE_ATTACH:
        # cycle: kernel.ptrace_access -> security.yama -> kernel.ptrace_access
        from security.yama import yama_ptrace_access_check
        return yama_ptrace_access_check(t, target, True) == 0
    return True


def ptrace_has_cap(t):
    """Does t hold CAP_SYS_PTRACE?"""
    return has_cap(t, CAP_SYS_PTRACE)
