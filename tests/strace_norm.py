"""tests/strace_norm.py - make two strace logs comparable.

The same static program traced natively by Debian's `strace -f -o FILE`
and under pyuml with `strace=... strace_file=FILE` must give the same
trace, up to what legitimately differs between two machines.  normalise()
turns a log into, for each process (in the order they first appear), the
list of its lines, with these rules:

 1. unfinished/resumed pairs are joined into one line: which task the
    scheduler runs meanwhile is not the kernel's behaviour;
 2. pids are renamed P1, P2 ... in order of first appearance (in line
    prefixes, results of fork/clone/getpid/wait4..., si_pid=, kill's
    argument), addresses (0x and at least 5 hex digits) become ADDR,
    the spacing before " = " is one blank;
 3. dropped, on both sides (HOST_DEPENDENT): the first execve (pyuml's
    init is started by the kernel, not by a system call), and the calls
    whose answer is the host's rather than the kernel's or that depend on
    timing: readlink("/proc/self/exe") (no /proc in the initramfs),
    getrandom (random bytes), rseq (pyuml has no restartable sequences:
    ENOSYS, after which glibc makes the same calls), futex (whether a
    thread had to wait depends on who ran first), sched_yield, and clock
    and time readings;
 4. a call cut short because its task died (`pause() = ?` when another
    thread calls exit_group) is dropped: whether it had begun is timing;
 5. times are masked (si_utime/si_stime, the time a cut sleep had left), and what is the file system's
    or the kernel's own choice: System V IPC ids (renamed SHM1, SEM2 ...),
    a directory's st_size, statx's stx_mask.
"""

import difflib
import re

HOST_DEPENDENT = ("readlink(\"/proc/self/exe\"", "getrandom(", "rseq(", "futex(",
                  "futex_time64(", "sched_yield(", "clock_gettime(", "clock_gettime64(",
                  "gettimeofday(", "time(")
PID_RESULT_CALLS = ("getpid", "getppid", "gettid", "fork", "vfork", "clone", "clone3",
                    "wait4", "waitpid", "set_tid_address", "getpgrp", "getsid", "setsid")

IPC_ID_CALLS = ("shmat", "shmctl", "semop", "semtimedop", "semctl", "msgsnd", "msgrcv",
                "msgctl")

_PREFIX = re.compile(r"^(?:\[pid\s+(\d+)\] |(\d+)\s+)")
_RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>")
_UNFINISHED = " <unfinished ...>"


def split_prefix(line, default_pid):
    m = _PREFIX.match(line)
    if not m:
        return default_pid, line
    return int(m.group(1) or m.group(2)), line[m.end():]


def join_unfinished(text):
    """(pid, line) for each event, unfinished lines joined with their
    resumption.  A line without a pid prefix (strace -f writing to
    stderr while one task is alive) counts as pid 0; a call begun
    unprefixed may be resumed with a prefix, and the other way round."""
    out = []
    pending = {}
    for raw in text.splitlines():
        if not raw.strip():
            continue
        pid, line = split_prefix(raw, 0)
        if line.endswith(_UNFINISHED):
            pending[pid] = (len(out), line[:-len(_UNFINISHED)])
            out.append(None)
            continue
        m = _RESUMED.match(line)
        if m and pid not in pending:
            # begun with a prefix and resumed without one, or the other way
            same = [p for p, (_, head) in pending.items() if head.startswith(m.group(1) + "(")]
            if (pid == 0 or 0 in same) and len(same) == 1:
                pid = same[0]
        if m and pid in pending:
            idx, head = pending.pop(pid)
            out[idx] = (pid, head + line[m.end():])
            continue
        out.append((pid, line))
    for pid, (idx, head) in pending.items():
        out[idx] = (pid, head + _UNFINISHED)
    return [x for x in out if x is not None]


def normalise(text, drop_first_execve=True):
    events = join_unfinished(text)
    if drop_first_execve and events and events[0][1].startswith("execve("):
        events = events[1:]
    pids = {}

    def pid_name(p):
        p = int(p)
        if p not in pids:
            pids[p] = "P%d" % (len(pids) + 1)
        return pids[p]

    ipcs = {}

    def ipc_name(i, kind):
        """shm, sem and msg ids are three separate spaces."""
        return ipcs.setdefault((kind, int(i)), "%s%d" % (kind.upper(), len(ipcs) + 1))

    # pids are named in the order the trace first shows them: a child is
    # named by its parent's fork/clone result, which comes in program order
    for pid, line in events:
        pid_name(pid)
        m = re.match(r"(fork|vfork|clone|clone3)\(.*\) += (\d+)$", line)
        if m:
            pid_name(m.group(2))
    procs = {}
    for pid, line in events:
        if line.startswith(HOST_DEPENDENT):
            continue
        if line.endswith(" = ?") and not line.startswith(("exit(", "exit_group(")):
            continue        # cut short by the death of the task: how far it got is timing
        line = re.sub(r"\s+= ", " = ", line)
        name = line.split("(", 1)[0]
        if name in PID_RESULT_CALLS:
            line = re.sub(r" = (\d+)((?: .*)?)$", lambda m: " = " + (pid_name(m.group(1)) if int(m.group(1)) > 0 else m.group(1)) + m.group(2), line)
        if name in ("wait4", "waitpid", "kill", "tkill", "tgkill", "setpgid", "getpgid",
                    "getsid", "prlimit64"):
            line = re.sub(r"^(\w+\()(\d+)", lambda m: m.group(1) + pid_name(m.group(2))
                          if int(m.group(2)) > 0 else m.group(0), line)
        if name == "tgkill":
            line = re.sub(r"^(tgkill\(\w+, )(\d+)", lambda m: m.group(1) + pid_name(m.group(2)), line)
        if name in ("rt_sigreturn", "sigreturn"):
            # the result is the interrupted call's, often a pid
            line = re.sub(r" = (\d+)$", lambda m: " = " + pids.get(int(m.group(1)), m.group(1)),
                          line)
        line = re.sub(r"si_pid=(\d+)", lambda m: "si_pid=" + pid_name(m.group(1)), line)
        line = re.sub(r"parent_tid=\[(\d+)\]", lambda m: "parent_tid=[%s]" % pid_name(m.group(1)),
                      line)
        # System V IPC ids are the kernel's to choose, like pids
        if name in ("shmget", "semget", "msgget"):
            line = re.sub(r" = (\d+)$", lambda m: " = " + ipc_name(m.group(1), name[:3]), line)
        if name in IPC_ID_CALLS:
            line = re.sub(r"^(\w+\()(\d+)", lambda m: m.group(1) + ipc_name(m.group(2), name[:3]),
                          line)
        # a directory's size is its file system's business
        line = re.sub(r"(S_IFDIR\|0\d+, st(?:x)?_size)=\d+", r"\1=N", line)
        line = re.sub(r"0x[0-9a-f]{5,}", "ADDR", line)
        if name in ("nanosleep", "clock_nanosleep", "clock_nanosleep_time64"):
            # the time left when a signal cut the sleep short
            line = re.sub(r"\{tv_sec=\d+, tv_nsec=\d+\}\) = \? ERESTART",
                          "{REMAINING}) = ? ERESTART", line)
        line = re.sub(r"si_[us]time=\d+(?: /\* [\d.]+ s \*/)?", "si_TIME", line)
        # which statx fields a file system fills in is its own business
        line = re.sub(r"stx_mask=[A-Z_|]+", "stx_mask=MASK", line)
        line = re.sub(r"/\* \d+ vars? \*/", "/* N vars */", line)
        procs.setdefault(pids[pid], []).append(line)
    return procs


def diff(native, pyuml):
    """A readable account of where two normalised traces differ ('' if
    they do not)."""
    out = []
    for p in sorted(set(native) | set(pyuml), key=lambda s: int(s[1:])):
        a, b = native.get(p, []), pyuml.get(p, [])
        if a != b:
            out.append("--- process %s (native above, pyuml below)" % p)
            out.extend(difflib.unified_diff(a, b, "native", "pyuml", lineterm="", n=2))
    return "\n".join(out)
