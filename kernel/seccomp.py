"""kernel/seccomp.py - secure computing: system call filtering (Linux's
kernel/seccomp.c) and the classic BPF it runs (net/core/filter.c's checker
and interpreter, for the subset seccomp allows).

Two modes, entered with seccomp(2) or prctl(PR_SET_SECCOMP):
  strict (1)  only read, write, _exit and (rt_)sigreturn; anything else
              kills the thread with SIGKILL
  filter (2)  each system call is described as a struct seccomp_data
              (nr, AUDIT_ARCH of the ABI used, instruction pointer, six
              arguments) and every filter the task has runs on it, newest
              first; the action of highest precedence wins:
              KILL_PROCESS > KILL_THREAD > TRAP > ERRNO > USER_NOTIF >
              TRACE > LOG > ALLOW.

The check is made by the dispatcher (kernel/syscall.py: do_syscall) only
when t.seccomp_mode is set, so tasks without a filter pay one attribute
test.  Filters are immutable and shared: a task points at its newest
(SeccompFilter.prev leads to older ones); fork and clone copy the
pointer, exec keeps it, TSYNC gives the caller's to all its threads.

Installing a filter needs no_new_privs (PR_SET_NO_NEW_PRIVS) or
CAP_SYS_ADMIN.  SECCOMP_RET_TRACE goes to the tracer (kernel/ptrace.py
seccomp_trace: a PTRACE_EVENT_SECCOMP stop, then the call as the tracer
leaves it); with no tracer asking, the call fails with ENOSYS, as on Linux.
A tracee whose tracer set PTRACE_O_SUSPEND_SECCOMP runs unchecked
(kernel/ptrace.py seccomp_suspended).  SECCOMP_RET_USER_NOTIF sends the
call to the listener fd (kernel/seccomp_notify.py) and waits for its
answer; with no listener, ENOSYS.
"""

import struct

from kernel.abi import s32
from kernel.errno import (EACCES, EBUSY, EINVAL, ENOMEM, ENOSYS, EOPNOTSUPP,
                          ESRCH, MAX_ERRNO, Errno)
from kernel.printk import printk
from kernel import exit as kexit
from kernel.signal import SIGSYS, SigAction, SigInfo, force_sig_info
from mm.uaccess import copy_from_user, copy_to_user, get_user_u32
from kernel.capability import CAP_SYS_ADMIN, capable

SECCOMP_MODE_DISABLED, SECCOMP_MODE_STRICT, SECCOMP_MODE_FILTER = 0, 1, 2
SECCOMP_MODE_DEAD = 3                   # killed: nothing more may run

SECCOMP_SET_MODE_STRICT, SECCOMP_SET_MODE_FILTER = 0, 1
SECCOMP_GET_ACTION_AVAIL, SECCOMP_GET_NOTIF_SIZES = 2, 3

SECCOMP_FILTER_FLAG_TSYNC = 1 << 0
SECCOMP_FILTER_FLAG_LOG = 1 << 1
SECCOMP_FILTER_FLAG_SPEC_ALLOW = 1 << 2
SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3
SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 1 << 4
SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 1 << 5
SECCOMP_FILTER_FLAG_MASK = 0x3F

SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_KILL_THREAD = 0x00000000
SECCOMP_RET_TRAP = 0x00030000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_USER_NOTIF = 0x7FC00000
SECCOMP_RET_TRACE = 0x7FF00000
SECCOMP_RET_LOG = 0x7FFC0000
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ACTION_FULL = 0xFFFF0000
SECCOMP_RET_DATA = 0x0000FFFF
ACTIONS_AVAIL = (SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP,
                 SECCOMP_RET_ERRNO, SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRACE,
                 SECCOMP_RET_LOG, SECCOMP_RET_ALLOW)

AUDIT_ARCH_X86_64 = 0xC000003E
AUDIT_ARCH_I386 = 0x40000003
SYS_SECCOMP = 1                         # si_code of SIGSYS
SECCOMP_DATA_SIZE = 64
BPF_MAXINSNS = 4096
MAX_INSNS_PER_PATH = (1 << 18) // 8     # 32768

# struct seccomp_notif, seccomp_notif_resp, seccomp_data sizes
NOTIF_SIZES = (80, 24, 64)

# -- classic BPF ------------------------------------------------------------------

BPF_LD, BPF_LDX, BPF_ST, BPF_STX, BPF_ALU, BPF_JMP, BPF_RET, BPF_MISC = range(8)
BPF_W, BPF_H, BPF_B = 0x00, 0x08, 0x10
BPF_IMM, BPF_ABS, BPF_IND, BPF_MEM, BPF_LEN, BPF_MSH = 0x00, 0x20, 0x40, 0x60, 0x80, 0xA0
BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND = 0x00, 0x10, 0x20, 0x30, 0x40, 0x50
BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR = 0x60, 0x70, 0x80, 0x90, 0xA0
BPF_JA, BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET = 0x00, 0x10, 0x20, 0x30, 0x40
BPF_K, BPF_X = 0x00, 0x08
BPF_A = 0x10
BPF_TAX, BPF_TXA = 0x00, 0x80
BPF_MEMWORDS = 16

_ALU_OPS = (BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH)
_JUMPS = (BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET)
# the instructions seccomp_check_filter() lets through (loads from the
# packet are only 32-bit words of seccomp_data; no BPF_MOD, no ancillary data)
SECCOMP_CODES = frozenset(
    [BPF_RET | BPF_K, BPF_RET | BPF_A, BPF_ALU | BPF_NEG, BPF_LD | BPF_IMM, BPF_LDX | BPF_IMM,
     BPF_MISC | BPF_TAX, BPF_MISC | BPF_TXA, BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST,
     BPF_STX, BPF_JMP | BPF_JA, BPF_LD | BPF_W | BPF_ABS, BPF_LD | BPF_W | BPF_LEN,
     BPF_LDX | BPF_W | BPF_LEN]
    + [BPF_ALU | op | src for op in _ALU_OPS for src in (BPF_K, BPF_X)]
    + [BPF_JMP | op | src for op in _JUMPS for src in (BPF_K, BPF_X)])
_INSN = struct.Struct("<HBBI")


def bpf_check_classic(prog):
    """net/core/filter.c's bpf_check_classic() and seccomp_check_filter():
    EINVAL for anything a seccomp filter may not be."""
    flen = len(prog)
    for pc, (code, jt, jf, k) in enumerate(prog):
        if code not in SECCOMP_CODES:
            raise Errno(EINVAL)
        cls = code & 7
        if cls == BPF_ALU and code & 8 == BPF_K:
            op = code & 0xF0
            if op in (BPF_DIV, BPF_MOD) and k == 0:
                raise Errno(EINVAL)
            if op in (BPF_LSH, BPF_RSH) and k >= 32:
                raise Errno(EINVAL)
        elif code in (BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM, BPF_ST, BPF_STX):
            if k >= BPF_MEMWORDS:
                raise Errno(EINVAL)
        elif code == BPF_JMP | BPF_JA:
            if k >= flen - pc - 1:
                raise Errno(EINVAL)
        elif cls == BPF_JMP:
            if pc + jt + 1 >= flen or pc + jf + 1 >= flen:
                raise Errno(EINVAL)
        elif code == BPF_LD | BPF_W | BPF_ABS:
            if k >= SECCOMP_DATA_SIZE or k & 3:
                raise Errno(EINVAL)
    if prog[-1][0] not in (BPF_RET | BPF_K, BPF_RET | BPF_A):
        raise Errno(EINVAL)
    _check_load_and_stores(prog)


def _check_load_and_stores(prog):
    """A scratch word may only be read where every path has written it."""
    flen = len(prog)
    masks = [0xFFFF] * flen
    memvalid = 0
    for pc, (code, jt, jf, k) in enumerate(prog):
        memvalid &= masks[pc]
        if code in (BPF_ST, BPF_STX):
            memvalid |= 1 << k
        elif code in (BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM):
            if not memvalid & (1 << k):
                raise Errno(EINVAL)
        elif code == BPF_JMP | BPF_JA:
            masks[pc + 1 + k] &= memvalid
            memvalid = 0xFFFF
        elif code & 7 == BPF_JMP:
            masks[pc + 1 + jt] &= memvalid
            masks[pc + 1 + jf] &= memvalid
            memvalid = 0xFFFF


def ebpf_len(prog):
    """The length Linux's prog->len has: bpf_convert_filter() turns each
    classic instruction into 1-5 eBPF ones after a 3-instruction prologue."""
    n = 3
    for code, jt, jf, k in prog:
        cls = code & 7
        if cls == BPF_RET:
            n += 2                              # mov r0; exit
        elif cls == BPF_ALU and code in (BPF_ALU | BPF_DIV | BPF_X, BPF_ALU | BPF_MOD | BPF_X):
            n += 5                              # the division-by-zero check
        elif cls == BPF_JMP and code != BPF_JMP | BPF_JA:
            extra = 1 if code & BPF_X == BPF_K and k & 0x80000000 else 0
            if jf == 0 or (jt == 0 and code & 0xF0 != BPF_JSET):
                n += 1 + extra
            else:
                n += 2 + extra                  # Jxx and JA
        else:
            n += 1
    return n


_M32 = 0xFFFFFFFF


def bpf_run(prog, data):
    """Run a checked filter over seccomp_data bytes; its 32-bit result."""
    A = X = 0
    mem = [0] * BPF_MEMWORDS
    pc = 0
    while True:
        code, jt, jf, k = prog[pc]
        pc += 1
        cls = code & 7
        if cls == BPF_RET:
            return (k if code & 0x18 == BPF_K else A) & _M32
        if cls == BPF_LD:
            mode = code & 0xE0
            if mode == BPF_ABS:
                A = int.from_bytes(data[k:k + 4], "little")
            elif mode == BPF_IMM:
                A = k
            elif mode == BPF_MEM:
                A = mem[k]
            else:                               # BPF_LEN
                A = SECCOMP_DATA_SIZE
        elif cls == BPF_LDX:
            mode = code & 0xE0
            X = mem[k] if mode == BPF_MEM else (k if mode == BPF_IMM else SECCOMP_DATA_SIZE)
        elif cls == BPF_ST:
            mem[k] = A
        elif cls == BPF_STX:
            mem[k] = X
        elif cls == BPF_ALU:
            op = code & 0xF0
            src = X if code & BPF_X else k
            if op == BPF_ADD:
                A = (A + src) & _M32
            elif op == BPF_SUB:
                A = (A - src) & _M32
            elif op == BPF_MUL:
                A = (A * src) & _M32
            elif op == BPF_DIV:
                if src == 0:
                    return 0                    # as Linux: the filter ends, 0
                A //= src
            elif op == BPF_AND:
                A &= src
            elif op == BPF_OR:
                A |= src
            elif op == BPF_XOR:
                A ^= src
            elif op == BPF_LSH:
                A = (A << (src & 31)) & _M32
            elif op == BPF_RSH:
                A >>= src & 31
            elif op == BPF_NEG:
                A = -A & _M32
        elif cls == BPF_JMP:
            op = code & 0xF0
            if op == BPF_JA:
                pc += k
                continue
            src = X if code & BPF_X else k
            if op == BPF_JEQ:
                taken = A == src
            elif op == BPF_JGT:
                taken = A > src
            elif op == BPF_JGE:
                taken = A >= src
            else:
                taken = bool(A & src)
            pc += jt if taken else jf
        else:                                   # BPF_MISC
            if code & 0xF8 == BPF_TAX:
                X = A
            else:
                A = X


# -- filters and modes -----------------------------------------------------------------

class SeccompFilter:
    """One attached filter program (struct seccomp_filter)."""
    __slots__ = ("prog", "prev", "log", "listener", "depth")

    def __init__(self, prog, prev, log):
        self.prog = prog
        self.prev = prev
        self.log = log
        self.listener = None            # kernel/seccomp_notify.py, if NEW_LISTENER
        self.depth = (prev.depth + 1) if prev is not None else 1

    def path_insns(self):
        """What MAX_INSNS_PER_PATH limits: the eBPF length of every
        filter on the path, plus 4 for each older one."""
        n, f = ebpf_len(self.prog), self.prev
        while f is not None:
            n += ebpf_len(f.prog) + 4
            f = f.prev
        return n


def _capable_sys_admin(t):
    return capable(t, CAP_SYS_ADMIN)


def seccomp_data(t, abi, nr):
    regs = t.regs
    args = abi.syscall_args(regs)
    arch = AUDIT_ARCH_X86_64 if abi.BITS == 64 else AUDIT_ARCH_I386
    return struct.pack("<iIQ6Q", s32(nr), arch, regs.rip,
                       *[a & 0xFFFFFFFFFFFFFFFF for a in args[:6]]), arch


def seccomp_run_filters(t, data):
    """(action, the filter that decided it): the highest-precedence
    result of all of t's filters."""
    best = SECCOMP_RET_ALLOW
    match = None
    f = t.seccomp_filter
    while f is not None:
        cur = bpf_run(f.prog, data)
        if s32(cur & SECCOMP_RET_ACTION_FULL) < s32(best & SECCOMP_RET_ACTION_FULL):
            best = cur
            match = f
        f = f.prev
    return best, match


_STRICT64 = ("read", "write", "exit", "rt_sigreturn")
_STRICT32 = ("read", "write", "exit", "sigreturn")


def _strict_allowed(abi, nr):
    table = abi.SYSCALLS
    name = table.get(nr)
    allowed = _STRICT64 if abi.BITS == 64 else _STRICT32
    return name in allowed


def secure_computing(t, abi, nr, recheck_after_trace=False):
    """Before t's system call nr runs: True to run it, False when seccomp
    has decided it (the return value and any signal are set), or a
    generator (USER_NOTIF: t waits for the listener).  After the tracer's
    PTRACE_EVENT_SECCOMP stop the call (maybe changed) is checked again,
    recheck_after_trace: SECCOMP_RET_TRACE then lets it run."""
    mode = t.seccomp_mode
    if t.ptrace:
        # cycle: kernel.seccomp -> kernel.ptrace -> kernel.seccomp
        from kernel.ptrace import seccomp_suspended
        if seccomp_suspended(t):
            return True                 # PTRACE_O_SUSPEND_SECCOMP
    if mode == SECCOMP_MODE_STRICT:
        if _strict_allowed(abi, nr):
            return True
        _kill(t, 9, thread=True, coredump=False)
        return False
    if mode == SECCOMP_MODE_DEAD:
        _kill(t, 9, thread=True, coredump=False)
        return False
    data, arch = seccomp_data(t, abi, nr)
    ret, match = seccomp_run_filters(t, data)
    action = ret & SECCOMP_RET_ACTION_FULL
    value = ret & SECCOMP_RET_DATA
    if action == SECCOMP_RET_ALLOW:
        return True
    if action == SECCOMP_RET_LOG:
        _log(t, nr, arch, ret, 0)
        return True
    if action == SECCOMP_RET_ERRNO:
        _skip(t, -min(value, MAX_ERRNO))
        return False
    if action == SECCOMP_RET_TRAP:
        t.arch.set_syscall_return(t.regs, nr)   # syscall_rollback: rax = nr
        t.regs_dirty = True
        t.in_syscall = None
        force_sig_info(t, SigInfo(SIGSYS, SYS_SECCOMP, errno=value, syscall=s32(nr),
                                  call_addr=t.regs.rip, arch=arch))
        return False
    if action == SECCOMP_RET_TRACE:
        if recheck_after_trace:
            return True                 # the tracer has had its say
        # cycle: kernel.seccomp -> kernel.ptrace -> kernel.seccomp
        from kernel.ptrace import seccomp_trace
        traced = seccomp_trace(t, abi, value)
        if traced is not None:
            return traced               # the tracer sees the call first
        _skip(t, -ENOSYS)
        return False
    if action == SECCOMP_RET_USER_NOTIF:
        # cycle: kernel.seccomp_notify -> kernel.syscall -> kernel.seccomp
        from kernel import seccomp_notify
        listener = match.listener if match is not None else None
        if listener is None or listener.dead:
            _skip(t, -ENOSYS)
            return False
        return seccomp_notify.notify_and_wait(t, listener, data, nr)
    # KILL_THREAD, KILL_PROCESS and unknown actions
    _log(t, nr, arch, ret, 31)
    t.seccomp_mode = SECCOMP_MODE_DEAD
    live = sum(1 for th in t.thread_group() if not th.exit_state)
    _kill(t, 31, thread=(action == SECCOMP_RET_KILL_THREAD and live > 1), coredump=True,
          info=(nr, arch))
    return False


def _skip(t, ret):
    t.arch.set_syscall_return(t.regs, ret)
    t.regs_dirty = True
    t.in_syscall = None


def _kill(t, sig, thread, coredump, info=None):
    t.in_syscall = None
    if thread:
        kexit.do_exit(t, sig)
        return
    if sig == SIGSYS:
        # force_sig_seccomp(..., force_coredump): the default action, a
        # core dump, whatever handler or mask the task has
        t.sighand.action[SIGSYS] = SigAction()
        t.blocked &= ~(1 << (SIGSYS - 1))
        nr, arch = info
        t.arch.set_syscall_return(t.regs, nr)
        t.regs_dirty = True
        force_sig_info(t, SigInfo(SIGSYS, SYS_SECCOMP, syscall=s32(nr),
                                  call_addr=t.regs.rip, arch=arch))
        return
    kexit.start_group_exit(t, sig)


def _log(t, nr, arch, ret, sig):
    """The audit record Linux writes for a logged action."""
    printk("audit: type=1326 audit(0.0:0): uid=%d gid=%d pid=%d comm=\"%s\" sig=%d "
           "arch=%x syscall=%d compat=%d ip=%#x code=%#x"
           % (t.cred.uid, t.cred.gid, t.tgid, t.comm.decode(errors="replace"), sig, arch,
              s32(nr), int(arch == AUDIT_ARCH_I386 and t.arch.BITS == 64), t.regs.rip, ret))


# -- installing ----------------------------------------------------------------------

def _copy_fprog(t, uargs):
    """The program, in Linux's order of errors: the struct sock_fprog
    (EFAULT), its length (EINVAL), the right to install (EACCES), then
    the instructions (EFAULT)."""
    if t.arch.BITS == 64:
        length, ptr = struct.unpack("<H6xQ", copy_from_user(t.mm, uargs, 16))
    else:
        length, ptr = struct.unpack("<H2xI", copy_from_user(t.mm, uargs, 8))
    if length == 0 or length > BPF_MAXINSNS:
        raise Errno(EINVAL)
    if not t.no_new_privs and not _capable_sys_admin(t):
        raise Errno(EACCES)
    raw = copy_from_user(t.mm, ptr, length * 8)
    return [_INSN.unpack_from(raw, i * 8) for i in range(length)]


def _may_sync_threads(t, flags):
    """TSYNC: every other thread must have no filter or one of the
    caller's ancestors; the tid of the first that cannot, else 0."""
    for th in t.thread_group():
        if th is t or th.exit_state:
            continue
        if th.seccomp_mode == SECCOMP_MODE_DISABLED:
            continue
        if th.seccomp_mode == SECCOMP_MODE_FILTER:
            f = t.seccomp_filter
            while f is not None and f is not th.seccomp_filter:
                f = f.prev
            if f is not None:
                continue
        return th.pid
    return 0


def seccomp_set_mode_filter(t, flags, uargs):
    if flags & ~SECCOMP_FILTER_FLAG_MASK:
        return -EINVAL
    if flags & SECCOMP_FILTER_FLAG_TSYNC and flags & SECCOMP_FILTER_FLAG_NEW_LISTENER \
            and not flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH:
        return -EINVAL
    if flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV and \
            not flags & SECCOMP_FILTER_FLAG_NEW_LISTENER:
        return -EINVAL
    prog = _copy_fprog(t, uargs)
    bpf_check_classic(prog)
    if t.seccomp_mode not in (SECCOMP_MODE_DISABLED, SECCOMP_MODE_FILTER):
        return -EINVAL
    new = SeccompFilter(tuple(prog), t.seccomp_filter, bool(flags & SECCOMP_FILTER_FLAG_LOG))
    if new.path_insns() > MAX_INSNS_PER_PATH:
        return -ENOMEM
    if flags & SECCOMP_FILTER_FLAG_NEW_LISTENER:
        f = t.seccomp_filter
        while f is not None:
            if f.listener is not None and not f.listener.dead:
                return -EBUSY           # one listener per filter chain
            f = f.prev
    if flags & SECCOMP_FILTER_FLAG_TSYNC:
        bad = _may_sync_threads(t, flags)
        if bad:
            return -ESRCH if flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH else bad
    fd = 0
    if flags & SECCOMP_FILTER_FLAG_NEW_LISTENER:
        # cycle: kernel.seccomp_notify -> kernel.syscall -> kernel.seccomp
        from kernel import seccomp_notify
        fd = seccomp_notify.init_listener(t, new)
    t.seccomp_filter = new
    t.seccomp_mode = SECCOMP_MODE_FILTER
    if flags & SECCOMP_FILTER_FLAG_TSYNC:
        for th in t.thread_group():
            if th is not t and not th.exit_state:
                th.seccomp_filter = new
                th.seccomp_mode = SECCOMP_MODE_FILTER
                if t.no_new_privs:
                    th.no_new_privs = 1
    return fd


def seccomp_set_mode_strict(t):
    if t.seccomp_mode not in (SECCOMP_MODE_DISABLED, SECCOMP_MODE_STRICT):
        return -EINVAL
    t.seccomp_mode = SECCOMP_MODE_STRICT
    return 0


def do_seccomp(t, op, flags, uargs):
    if op == SECCOMP_SET_MODE_STRICT:
        if flags or uargs:
            return -EINVAL
        return seccomp_set_mode_strict(t)
    if op == SECCOMP_SET_MODE_FILTER:
        return seccomp_set_mode_filter(t, flags, uargs)
    if op == SECCOMP_GET_ACTION_AVAIL:
        if flags:
            return -EINVAL
        action = get_user_u32(t.mm, uargs)
        return 0 if action in ACTIONS_AVAIL else -EOPNOTSUPP
    if op == SECCOMP_GET_NOTIF_SIZES:
        if flags:
            return -EINVAL
        copy_to_user(t.mm, uargs, struct.pack("<3H", *NOTIF_SIZES))
        return 0
    return -EINVAL


def sys_seccomp(t, op, flags, uargs):
    return do_seccomp(t, op & 0xFFFFFFFF, flags & 0xFFFFFFFF, uargs)


def prctl_set_seccomp(t, mode, filter_addr):
    """prctl(PR_SET_SECCOMP, mode, filter)."""
    if mode == SECCOMP_MODE_STRICT:
        return do_seccomp(t, SECCOMP_SET_MODE_STRICT, 0, 0)
    if mode == SECCOMP_MODE_FILTER:
        return do_seccomp(t, SECCOMP_SET_MODE_FILTER, 0, filter_addr)
    return -EINVAL


def copy_seccomp(parent, child):
    """fork/clone: the child has its parent's mode and filters."""
    child.seccomp_mode = parent.seccomp_mode
    child.seccomp_filter = parent.seccomp_filter
    child.no_new_privs = parent.no_new_privs


def proc_status_lines(t):
    n, f = 0, t.seccomp_filter
    while f is not None:
        n += 1
        f = f.prev
    mode = t.seccomp_mode if t.seccomp_mode != SECCOMP_MODE_DEAD else SECCOMP_MODE_FILTER
    return ["NoNewPrivs:\t%d" % t.no_new_privs, "Seccomp:\t%d" % mode,
            "Seccomp_filters:\t%d" % n]
