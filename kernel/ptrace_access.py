from kernel.capability import CAP_SYS_PTRACE, capable as has_cap
"""kernel/ptrace_access.py - may one task inspect another (ptrace_may_access).

This kernel has no ptrace(2), but kcmp and process_vm_readv/writev ask the
same question Linux asks before a ptrace attach, simplified to what this
kernel models: capabilities are "euid 0", there are no LSMs (so no Yama).
With the *_REALCREDS modes Linux compares the caller's real uid and gid with
all three of the target's; a target whose mm is not dumpable (prctl
PR_SET_DUMPABLE 0) needs the capability too.  Threads of one process may
always look at each other.
"""


def ptrace_may_access(t, target):
    """True if t may inspect target (PTRACE_MODE_*_REALCREDS)."""
    if target.tgid == t.tgid:
        return True
    capable = has_cap(t, CAP_SYS_PTRACE)
    c, tc = t.cred, target.cred
    same = (c.uid == tc.uid == tc.euid == tc.suid
            and c.gid == tc.gid == tc.egid == tc.sgid)
    if not same and not capable:
        return False
    mm = target.mm
    if mm is not None and mm.dumpable != 1 and not capable:
        return False
    return True
