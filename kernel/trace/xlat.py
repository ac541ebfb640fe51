"""kernel/trace/xlat.py - names for numbers, the way strace prints them.

A table is a tuple of (value, "NAME") pairs.  Two ways of using one:

    xlat(table, v)    a value that is one of the names (SEEK_SET), else
                      the number itself
    flags(table, v)   a bit mask: the names of the bits set, joined by |,
                      what is left over in hex (O_WRONLY|O_CREAT|0x40000000)

The numbers are Linux's x86 ones (the same for x86_64 and i386 unless a
table says otherwise).  Anyone who needs a name for a number - the tracer,
sysrq, a /proc file - takes it from here.
"""

import errno as _errno
import os as _os

from kernel.abi import SIGNAL_NAMES, SIGRTMIN


def xlat(table, v, default=None):
    for val, name in table:
        if val == v:
            return name
    return default if default is not None else str(v)


def flags(table, v, zero="0"):
    """strace's printflags: the names of the bits, in the table's order."""
    if v == 0:
        for val, name in table:
            if val == 0:
                return name
        return zero
    out = []
    for val, name in table:
        if val and v & val == val:
            out.append(name)
            v &= ~val
    if v:
        out.append("%#x" % v)
    return "|".join(out)


# -- errno and signals ----------------------------------------------------------------

ERESTART_NAMES = {
    512: ("ERESTARTSYS", "To be restarted if SA_RESTART is set"),
    513: ("ERESTARTNOINTR", "To be restarted"),
    514: ("ERESTARTNOHAND", "To be restarted if no handler"),
    515: ("ENOIOCTLCMD", "No ioctl command"),
    516: ("ERESTART_RESTARTBLOCK", "Interrupted by signal"),
}


def errno_name(e):
    if e in ERESTART_NAMES:
        return ERESTART_NAMES[e][0]
    return _errno.errorcode.get(e, "errno %d" % e)


def errno_text(e):
    if e in ERESTART_NAMES:
        return ERESTART_NAMES[e][1]
    return _os.strerror(e)


SIGNALS = SIGNAL_NAMES                          # kernel/abi.py: 1 -> "SIGHUP", ...


def signame(sig):
    """SIGCHLD; the real-time ones as strace names them (SIGRTMIN, SIGRT_1..)."""
    if sig in SIGNALS:
        return SIGNALS[sig]
    if sig == SIGRTMIN:
        return "SIGRTMIN"
    if SIGRTMIN < sig <= 64:
        return "SIGRT_%d" % (sig - SIGRTMIN)
    return str(sig)


def sigset(mask, nsig=64):
    """[INT CHLD]; a set with more than half the signals as its complement
    (~[RT_1]), as strace prints one."""
    mask &= (1 << nsig) - 1
    prefix = ""
    if bin(mask).count("1") > nsig // 2:
        prefix = "~"
        mask = ~mask & ((1 << nsig) - 1)
    names = []
    for sig in range(1, nsig + 1):
        if mask & (1 << (sig - 1)):
            names.append(signame(sig)[3:])
    return "%s[%s]" % (prefix, " ".join(names))


# -- files -------------------------------------------------------------------------------

O_ACCMODE = 3
OPEN_ACCESS = ((0, "O_RDONLY"), (1, "O_WRONLY"), (2, "O_RDWR"))
OPEN_FLAGS = (                                  # in strace's order, not by value
    (0o100, "O_CREAT"), (0o200, "O_EXCL"), (0o400, "O_NOCTTY"), (0o1000, "O_TRUNC"),
    (0o2000, "O_APPEND"), (0o4000, "O_NONBLOCK"), (0o4010000, "O_SYNC"),
    (0o10000, "O_DSYNC"), (0o40000, "O_DIRECT"), (0o100000, "O_LARGEFILE"),
    (0o400000, "O_NOFOLLOW"), (0o1000000, "O_NOATIME"), (0o2000000, "O_CLOEXEC"),
    (0o10000000, "O_PATH"), (0o20200000, "O_TMPFILE"), (0o200000, "O_DIRECTORY"),
    (0o20000, "FASYNC"),
)


def open_flags(v):
    """O_RDONLY|O_CLOEXEC: the access mode always comes first."""
    acc = xlat(OPEN_ACCESS, v & O_ACCMODE, "0%o" % (v & O_ACCMODE))
    rest = v & ~O_ACCMODE
    return acc if not rest else acc + "|" + flags(OPEN_FLAGS, rest)


AT_FDCWD = -100
AT_FLAGS = (
    (0x100, "AT_SYMLINK_NOFOLLOW"), (0x200, "AT_REMOVEDIR"), (0x400, "AT_SYMLINK_FOLLOW"),
    (0x800, "AT_NO_AUTOMOUNT"), (0x1000, "AT_EMPTY_PATH"), (0x6000, "AT_STATX_SYNC_TYPE"),
    (0x8000, "AT_RECURSIVE"),
)
ACCESS_MODES = ((4, "R_OK"), (2, "W_OK"), (1, "X_OK"))
SEEK_WHENCE = ((0, "SEEK_SET"), (1, "SEEK_CUR"), (2, "SEEK_END"), (3, "SEEK_DATA"),
               (4, "SEEK_HOLE"))
FCNTL_CMDS = (
    (0, "F_DUPFD"), (1, "F_GETFD"), (2, "F_SETFD"), (3, "F_GETFL"), (4, "F_SETFL"),
    (5, "F_GETLK"), (6, "F_SETLK"), (7, "F_SETLKW"), (8, "F_SETOWN"), (9, "F_GETOWN"),
    (10, "F_SETSIG"), (11, "F_GETSIG"), (1024, "F_SETLEASE"), (1025, "F_GETLEASE"),
    (1026, "F_NOTIFY"), (1030, "F_DUPFD_CLOEXEC"), (1031, "F_SETPIPE_SZ"),
    (1032, "F_GETPIPE_SZ"), (1033, "F_ADD_SEALS"), (1034, "F_GET_SEALS"),
    (36, "F_OFD_GETLK"), (37, "F_OFD_SETLK"), (38, "F_OFD_SETLKW"),
)
FD_FLAGS = ((1, "FD_CLOEXEC"),)
S_IFMT = 0o170000
FILE_TYPES = ((0o140000, "S_IFSOCK"), (0o120000, "S_IFLNK"), (0o100000, "S_IFREG"),
              (0o60000, "S_IFBLK"), (0o40000, "S_IFDIR"), (0o20000, "S_IFCHR"),
              (0o10000, "S_IFIFO"))


def file_mode(m):
    """S_IFREG|0644 (the type, then the permission bits in octal)."""
    kind = m & S_IFMT
    perm = m & ~S_IFMT
    if not kind:
        return ("0%o" % perm).rjust(3, "0") if perm else "000"
    name = xlat(FILE_TYPES, kind, "0%o" % kind)
    return "%s|%s" % (name, ("0%o" % perm).rjust(3, "0")) if perm else name


# -- memory -----------------------------------------------------------------------------------

PROT_FLAGS = ((1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC"), (8, "PROT_SEM"),
              (0x01000000, "PROT_GROWSDOWN"), (0x02000000, "PROT_GROWSUP"))
MAP_TYPES = ((1, "MAP_SHARED"), (2, "MAP_PRIVATE"), (3, "MAP_SHARED_VALIDATE"))
MAP_FLAGS = (                                   # in strace's order
    (0x10, "MAP_FIXED"), (0x20, "MAP_ANONYMOUS"), (0x40, "MAP_32BIT"), (0x80, "MAP_ABOVE4G"),
    (0x4000, "MAP_NORESERVE"), (0x8000, "MAP_POPULATE"), (0x10000, "MAP_NONBLOCK"),
    (0x100, "MAP_GROWSDOWN"), (0x800, "MAP_DENYWRITE"), (0x1000, "MAP_EXECUTABLE"),
    (0x2000, "MAP_LOCKED"), (0x20000, "MAP_STACK"), (0x40000, "MAP_HUGETLB"),
    (0x80000, "MAP_SYNC"), (0x4000000, "MAP_UNINITIALIZED"), (0x100000, "MAP_FIXED_NOREPLACE"),
)


def mmap_flags(v):
    kind = xlat(MAP_TYPES, v & 0xF, "%#x" % (v & 0xF))
    rest = v & ~0xF
    return kind if not rest else kind + "|" + flags(MAP_FLAGS, rest)


MREMAP_FLAGS = ((1, "MREMAP_MAYMOVE"), (2, "MREMAP_FIXED"), (4, "MREMAP_DONTUNMAP"))
MADVISE = ((0, "MADV_NORMAL"), (1, "MADV_RANDOM"), (2, "MADV_SEQUENTIAL"),
           (3, "MADV_WILLNEED"), (4, "MADV_DONTNEED"), (8, "MADV_FREE"),
           (9, "MADV_REMOVE"), (10, "MADV_DONTFORK"), (11, "MADV_DOFORK"),
           (12, "MADV_MERGEABLE"), (13, "MADV_UNMERGEABLE"), (14, "MADV_HUGEPAGE"),
           (15, "MADV_NOHUGEPAGE"), (16, "MADV_DONTDUMP"), (17, "MADV_DODUMP"),
           (18, "MADV_WIPEONFORK"), (19, "MADV_KEEPONFORK"), (20, "MADV_COLD"),
           (21, "MADV_PAGEOUT"), (100, "MADV_HWPOISON"))

# -- processes and signals --------------------------------------------------------------------

CLONE_FLAGS = (
    (0x100, "CLONE_VM"), (0x200, "CLONE_FS"), (0x400, "CLONE_FILES"),
    (0x800, "CLONE_SIGHAND"), (0x1000, "CLONE_PIDFD"), (0x2000, "CLONE_PTRACE"),
    (0x4000, "CLONE_VFORK"), (0x8000, "CLONE_PARENT"), (0x10000, "CLONE_THREAD"),
    (0x20000, "CLONE_NEWNS"), (0x40000, "CLONE_SYSVSEM"), (0x80000, "CLONE_SETTLS"),
    (0x100000, "CLONE_PARENT_SETTID"), (0x200000, "CLONE_CHILD_CLEARTID"),
    (0x800000, "CLONE_UNTRACED"),
    (0x1000000, "CLONE_CHILD_SETTID"), (0x2000000, "CLONE_NEWCGROUP"),
    (0x4000000, "CLONE_NEWUTS"), (0x8000000, "CLONE_NEWIPC"), (0x10000000, "CLONE_NEWUSER"),
    (0x20000000, "CLONE_NEWPID"), (0x40000000, "CLONE_NEWNET"), (0x80000000, "CLONE_IO"),
    (0x100000000, "CLONE_CLEAR_SIGHAND"), (0x200000000, "CLONE_INTO_CGROUP"),
)
WAIT_OPTIONS = ((1, "WNOHANG"), (2, "WUNTRACED"), (4, "WEXITED"), (8, "WCONTINUED"),
                (0x1000000, "WNOWAIT"), (0x20000000, "__WNOTHREAD"), (0x40000000, "__WALL"),
                (0x80000000, "__WCLONE"))
SA_FLAGS = ((0x04000000, "SA_RESTORER"), (0x08000000, "SA_ONSTACK"),
            (0x10000000, "SA_RESTART"), (0x20000000, "SA_INTERRUPT"), (0x40000000, "SA_NODEFER"),
            (0x80000000, "SA_RESETHAND"), (4, "SA_SIGINFO"), (1, "SA_NOCLDSTOP"),
            (2, "SA_NOCLDWAIT"), (0x400, "SA_UNSUPPORTED"), (0x800, "SA_EXPOSE_TAGBITS"))
SIG_HOW = ((0, "SIG_BLOCK"), (1, "SIG_UNBLOCK"), (2, "SIG_SETMASK"))
SS_FLAGS = ((1, "SS_ONSTACK"), (2, "SS_DISABLE"), (0x80000000, "SS_AUTODISARM"))
SI_CODES = ((0, "SI_USER"), (0x80, "SI_KERNEL"), (-1, "SI_QUEUE"), (-2, "SI_TIMER"),
            (-3, "SI_MESGQ"), (-4, "SI_ASYNCIO"), (-5, "SI_SIGIO"), (-6, "SI_TKILL"),
            (-7, "SI_DETHREAD"), (-60, "SI_ASYNCNL"))
SI_CODES_BY_SIGNAL = {
    4: ((1, "ILL_ILLOPC"), (2, "ILL_ILLOPN"), (3, "ILL_ILLADR"), (4, "ILL_ILLTRP"),
        (5, "ILL_PRVOPC"), (6, "ILL_PRVREG"), (7, "ILL_COPROC"), (8, "ILL_BADSTK")),
    8: ((1, "FPE_INTDIV"), (2, "FPE_INTOVF"), (3, "FPE_FLTDIV"), (4, "FPE_FLTOVF"),
        (5, "FPE_FLTUND"), (6, "FPE_FLTRES"), (7, "FPE_FLTINV"), (8, "FPE_FLTSUB")),
    11: ((1, "SEGV_MAPERR"), (2, "SEGV_ACCERR"), (3, "SEGV_BNDERR"), (4, "SEGV_PKUERR")),
    7: ((1, "BUS_ADRALN"), (2, "BUS_ADRERR"), (3, "BUS_OBJERR"), (4, "BUS_MCEERR_AR"),
        (5, "BUS_MCEERR_AO")),
    5: ((1, "TRAP_BRKPT"), (2, "TRAP_TRACE"), (3, "TRAP_BRANCH"), (4, "TRAP_HWBKPT")),
    17: ((1, "CLD_EXITED"), (2, "CLD_KILLED"), (3, "CLD_DUMPED"), (4, "CLD_TRAPPED"),
         (5, "CLD_STOPPED"), (6, "CLD_CONTINUED")),
    29: ((1, "POLL_IN"), (2, "POLL_OUT"), (3, "POLL_MSG"), (4, "POLL_ERR"),
         (5, "POLL_PRI"), (6, "POLL_HUP")),
    31: ((1, "SYS_SECCOMP"),),
}
RLIMITS = ((0, "RLIMIT_CPU"), (1, "RLIMIT_FSIZE"), (2, "RLIMIT_DATA"), (3, "RLIMIT_STACK"),
           (4, "RLIMIT_CORE"), (5, "RLIMIT_RSS"), (6, "RLIMIT_NPROC"), (7, "RLIMIT_NOFILE"),
           (8, "RLIMIT_MEMLOCK"), (9, "RLIMIT_AS"), (10, "RLIMIT_LOCKS"),
           (11, "RLIMIT_SIGPENDING"), (12, "RLIMIT_MSGQUEUE"), (13, "RLIMIT_NICE"),
           (14, "RLIMIT_RTPRIO"), (15, "RLIMIT_RTTIME"))
ARCH_PRCTL = ((0x1001, "ARCH_SET_GS"), (0x1002, "ARCH_SET_FS"), (0x1003, "ARCH_GET_FS"),
              (0x1004, "ARCH_GET_GS"), (0x1011, "ARCH_GET_CPUID"), (0x1012, "ARCH_SET_CPUID"),
              (0x1021, "ARCH_GET_XCOMP_SUPP"), (0x1022, "ARCH_GET_XCOMP_PERM"),
              (0x1023, "ARCH_REQ_XCOMP_PERM"))
PRCTL = ((1, "PR_SET_PDEATHSIG"), (2, "PR_GET_PDEATHSIG"), (3, "PR_GET_DUMPABLE"),
         (4, "PR_SET_DUMPABLE"), (15, "PR_SET_NAME"), (16, "PR_GET_NAME"),
         (36, "PR_SET_CHILD_SUBREAPER"), (37, "PR_GET_CHILD_SUBREAPER"),
         (38, "PR_SET_NO_NEW_PRIVS"), (39, "PR_GET_NO_NEW_PRIVS"), (22, "PR_SET_SECCOMP"),
         (21, "PR_GET_SECCOMP"), (8, "PR_SET_KEEPCAPS"), (7, "PR_GET_KEEPCAPS"),
         (23, "PR_CAPBSET_READ"), (0x59616d61, "PR_SET_PTRACER"))
CLOCKS = ((0, "CLOCK_REALTIME"), (1, "CLOCK_MONOTONIC"), (2, "CLOCK_PROCESS_CPUTIME_ID"),
          (3, "CLOCK_THREAD_CPUTIME_ID"), (4, "CLOCK_MONOTONIC_RAW"),
          (5, "CLOCK_REALTIME_COARSE"), (6, "CLOCK_MONOTONIC_COARSE"), (7, "CLOCK_BOOTTIME"),
          (8, "CLOCK_REALTIME_ALARM"), (9, "CLOCK_BOOTTIME_ALARM"), (11, "CLOCK_TAI"))
TIMER_FLAGS = ((1, "TIMER_ABSTIME"),)
ITIMERS = ((0, "ITIMER_REAL"), (1, "ITIMER_VIRTUAL"), (2, "ITIMER_PROF"))
FUTEX_OPS = ((0, "FUTEX_WAIT"), (1, "FUTEX_WAKE"), (2, "FUTEX_FD"), (3, "FUTEX_REQUEUE"),
             (4, "FUTEX_CMP_REQUEUE"), (5, "FUTEX_WAKE_OP"), (6, "FUTEX_LOCK_PI"),
             (7, "FUTEX_UNLOCK_PI"), (8, "FUTEX_TRYLOCK_PI"), (9, "FUTEX_WAIT_BITSET"),
             (10, "FUTEX_WAKE_BITSET"), (11, "FUTEX_WAIT_REQUEUE_PI"),
             (12, "FUTEX_CMP_REQUEUE_PI"), (13, "FUTEX_LOCK_PI2"))


def futex_op(v):
    name = xlat(FUTEX_OPS, v & 0x7F, "%#x" % (v & 0x7F))
    if v & 128:
        name += "_PRIVATE"
    if v & 256:
        name += "|FUTEX_CLOCK_REALTIME"
    return name


GRND_FLAGS = ((1, "GRND_NONBLOCK"), (2, "GRND_RANDOM"), (4, "GRND_INSECURE"))
REBOOT_CMDS = ((0x01234567, "LINUX_REBOOT_CMD_RESTART"), (0xCDEF0123, "LINUX_REBOOT_CMD_HALT"),
               (0x4321FEDC, "LINUX_REBOOT_CMD_POWER_OFF"), (0xCDEF0123, "LINUX_REBOOT_CMD_HALT"),
               (0x89ABCDEF, "LINUX_REBOOT_CMD_CAD_ON"), (0, "LINUX_REBOOT_CMD_CAD_OFF"),
               (0xA1B2C3D4, "LINUX_REBOOT_CMD_RESTART2"))
SYSLOG_ACTIONS = ((0, "SYSLOG_ACTION_CLOSE"), (1, "SYSLOG_ACTION_OPEN"),
                  (2, "SYSLOG_ACTION_READ"), (3, "SYSLOG_ACTION_READ_ALL"),
                  (4, "SYSLOG_ACTION_READ_CLEAR"), (5, "SYSLOG_ACTION_CLEAR"),
                  (6, "SYSLOG_ACTION_CONSOLE_OFF"), (7, "SYSLOG_ACTION_CONSOLE_ON"),
                  (8, "SYSLOG_ACTION_CONSOLE_LEVEL"), (9, "SYSLOG_ACTION_SIZE_UNREAD"),
                  (10, "SYSLOG_ACTION_SIZE_BUFFER"))

# -- System V IPC ------------------------------------------------------------------------------

IPC_CALLS = {1: "semop", 2: "semget", 3: "semctl", 4: "semtimedop", 11: "msgsnd",
             12: "msgrcv", 13: "msgget", 14: "msgctl", 21: "shmat", 22: "shmdt",
             23: "shmget", 24: "shmctl"}
IPC_FLAGS = ((0o1000, "IPC_CREAT"), (0o2000, "IPC_EXCL"), (0o4000, "IPC_NOWAIT"))
IPC_CMDS = ((0, "IPC_RMID"), (1, "IPC_SET"), (2, "IPC_STAT"), (3, "IPC_INFO"),
            (11, "SHM_LOCK"), (12, "SHM_UNLOCK"), (13, "SHM_STAT"), (14, "SHM_INFO"),
            (15, "SHM_STAT_ANY"))
SEM_CMDS = ((0, "IPC_RMID"), (1, "IPC_SET"), (2, "IPC_STAT"), (3, "IPC_INFO"),
            (11, "GETPID"), (12, "GETVAL"), (13, "GETALL"), (14, "GETNCNT"), (15, "GETZCNT"),
            (16, "SETVAL"), (17, "SETALL"), (18, "SEM_STAT"), (19, "SEM_INFO"),
            (20, "SEM_STAT_ANY"))
MSG_CMDS = ((0, "IPC_RMID"), (1, "IPC_SET"), (2, "IPC_STAT"), (3, "IPC_INFO"),
            (11, "MSG_STAT"), (12, "MSG_INFO"), (13, "MSG_STAT_ANY"))
SHMAT_FLAGS = ((0o10000, "SHM_RDONLY"), (0o20000, "SHM_RND"), (0o40000, "SHM_REMAP"),
               (0o100000, "SHM_EXEC"))
SEM_FLAGS = ((0o4000, "IPC_NOWAIT"), (0x1000, "SEM_UNDO"))
MSGRCV_FLAGS = ((0o4000, "IPC_NOWAIT"), (0o10000, "MSG_NOERROR"), (0o20000, "MSG_EXCEPT"),
                (0o40000, "MSG_COPY"))

# -- sockets -------------------------------------------------------------------------------------

ADDRESS_FAMILIES = ((0, "AF_UNSPEC"), (1, "AF_UNIX"), (2, "AF_INET"), (10, "AF_INET6"),
                    (16, "AF_NETLINK"), (17, "AF_PACKET"))
SOCK_TYPES = ((1, "SOCK_STREAM"), (2, "SOCK_DGRAM"), (3, "SOCK_RAW"), (4, "SOCK_RDM"),
              (5, "SOCK_SEQPACKET"), (6, "SOCK_DCCP"), (10, "SOCK_PACKET"))
SOCK_FLAGS = ((0o4000, "SOCK_NONBLOCK"), (0o2000000, "SOCK_CLOEXEC"))


def sock_type(v):
    name = xlat(SOCK_TYPES, v & 0xF, "%#x" % (v & 0xF))
    rest = v & ~0xF
    return name if not rest else name + "|" + flags(SOCK_FLAGS, rest)


IP_PROTOCOLS = ((0, "IPPROTO_IP"), (1, "IPPROTO_ICMP"), (6, "IPPROTO_TCP"),
                (17, "IPPROTO_UDP"), (41, "IPPROTO_IPV6"), (58, "IPPROTO_ICMPV6"),
                (255, "IPPROTO_RAW"))
MSG_FLAGS = ((1, "MSG_OOB"), (2, "MSG_PEEK"), (4, "MSG_DONTROUTE"), (8, "MSG_CTRUNC"),
             (0x20, "MSG_TRUNC"), (0x40, "MSG_DONTWAIT"), (0x80, "MSG_EOR"),
             (0x100, "MSG_WAITALL"), (0x4000, "MSG_NOSIGNAL"), (0x8000, "MSG_MORE"),
             (0x40000000, "MSG_CMSG_CLOEXEC"))
SHUT_HOW = ((0, "SHUT_RD"), (1, "SHUT_WR"), (2, "SHUT_RDWR"))
SOCKOPT_LEVELS = ((1, "SOL_SOCKET"), (0, "SOL_IP"), (6, "SOL_TCP"), (17, "SOL_UDP"),
                  (41, "SOL_IPV6"))
SO_OPTIONS = ((1, "SO_DEBUG"), (2, "SO_REUSEADDR"), (3, "SO_TYPE"), (4, "SO_ERROR"),
              (5, "SO_DONTROUTE"), (6, "SO_BROADCAST"), (7, "SO_SNDBUF"), (8, "SO_RCVBUF"),
              (9, "SO_KEEPALIVE"), (10, "SO_OOBINLINE"), (13, "SO_LINGER"),
              (15, "SO_REUSEPORT"), (16, "SO_PASSCRED"), (17, "SO_PEERCRED"),
              (18, "SO_RCVLOWAT"), (19, "SO_SNDLOWAT"), (20, "SO_RCVTIMEO_OLD"),
              (21, "SO_SNDTIMEO_OLD"), (30, "SO_ACCEPTCONN"), (38, "SO_PROTOCOL"),
              (39, "SO_DOMAIN"))

SOCKETCALLS = {1: "socket", 2: "bind", 3: "connect", 4: "listen", 5: "accept",
               6: "getsockname", 7: "getpeername", 8: "socketpair", 9: "send", 10: "recv",
               11: "sendto", 12: "recvfrom", 13: "shutdown", 14: "setsockopt",
               15: "getsockopt", 16: "sendmsg", 17: "recvmsg", 18: "accept4",
               19: "recvmmsg", 20: "sendmmsg"}
SOCKETCALL_NARGS = {1: 3, 2: 3, 3: 3, 4: 2, 5: 3, 6: 3, 7: 3, 8: 4, 9: 4, 10: 4, 11: 6,
                    12: 6, 13: 2, 14: 5, 15: 5, 16: 3, 17: 3, 18: 4, 19: 5, 20: 4}

# -- polling and events -------------------------------------------------------------------------

POLL_EVENTS = ((1, "POLLIN"), (2, "POLLPRI"), (4, "POLLOUT"), (8, "POLLERR"),
               (0x10, "POLLHUP"), (0x20, "POLLNVAL"), (0x40, "POLLRDNORM"),
               (0x80, "POLLRDBAND"), (0x100, "POLLWRNORM"), (0x200, "POLLWRBAND"),
               (0x400, "POLLMSG"), (0x2000, "POLLRDHUP"))
EPOLL_EVENTS = ((1, "EPOLLIN"), (2, "EPOLLPRI"), (4, "EPOLLOUT"), (8, "EPOLLERR"),
                (0x10, "EPOLLHUP"), (0x20, "EPOLLNVAL"), (0x40, "EPOLLRDNORM"),
                (0x80, "EPOLLRDBAND"), (0x100, "EPOLLWRNORM"), (0x200, "EPOLLWRBAND"),
                (0x400, "EPOLLMSG"), (0x2000, "EPOLLRDHUP"), (1 << 28, "EPOLLEXCLUSIVE"),
                (1 << 29, "EPOLLWAKEUP"), (1 << 30, "EPOLLONESHOT"), (1 << 31, "EPOLLET"))
EPOLL_CTL = ((1, "EPOLL_CTL_ADD"), (2, "EPOLL_CTL_DEL"), (3, "EPOLL_CTL_MOD"))
EFD_FLAGS = ((1, "EFD_SEMAPHORE"), (0o4000, "EFD_NONBLOCK"), (0o2000000, "EFD_CLOEXEC"))
EPOLL_CREATE_FLAGS = ((0o2000000, "EPOLL_CLOEXEC"),)

# -- ioctls (the terminal ones programs make at start-up) ---------------------------------------

# strace's names; 0x5402-4 collide with OSS sound ioctls and strace says so
IOCTLS = ((0x5401, "TCGETS"), (0x5402, "SNDCTL_TMR_START or TCSETS"),
          (0x5403, "SNDCTL_TMR_STOP or TCSETSW"), (0x5404, "SNDCTL_TMR_CONTINUE or TCSETSF"),
          (0x540B, "TCFLSH"), (0x540E, "TIOCSCTTY"), (0x540F, "TIOCGPGRP"),
          (0x5410, "TIOCSPGRP"), (0x5413, "TIOCGWINSZ"), (0x5414, "TIOCSWINSZ"),
          (0x541B, "FIONREAD"), (0x5421, "FIONBIO"), (0x5422, "TIOCNOTTY"),
          (0x5429, "TIOCGSID"), (0x80045430, "TIOCGPTN"), (0x40045431, "TIOCSPTLCK"),
          (0x5451, "FIOCLEX"), (0x5450, "FIONCLEX"), (0x5452, "FIOASYNC"),
          (0x5441, "TIOCGPTPEER"))

TERM_IFLAGS = ((0o1, "IGNBRK"), (0o2, "BRKINT"), (0o4, "IGNPAR"), (0o10, "PARMRK"),
               (0o20, "INPCK"), (0o40, "ISTRIP"), (0o100, "INLCR"), (0o200, "IGNCR"),
               (0o400, "ICRNL"), (0o1000, "IUCLC"), (0o2000, "IXON"), (0o4000, "IXANY"),
               (0o10000, "IXOFF"), (0o20000, "IMAXBEL"), (0o40000, "IUTF8"))
TERM_OFLAGS = ((0o1, "OPOST"), (0o2, "OLCUC"), (0o4, "ONLCR"), (0o10, "OCRNL"),
               (0o20, "ONOCR"), (0o40, "ONLRET"), (0o100, "OFILL"), (0o200, "OFDEL"))
# the delay fields of c_oflag: (mask, names by value)
TERM_ODELAYS = ((0o400, ("NL0", "NL1")), (0o3000, ("CR0", "CR1", "CR2", "CR3")),
                (0o14000, ("TAB0", "TAB1", "TAB2", "TAB3")), (0o20000, ("BS0", "BS1")),
                (0o100000, ("VT0", "VT1")), (0o40000, ("FF0", "FF1")))
TERM_CFLAGS = ((0o100, "CSTOPB"), (0o200, "CREAD"), (0o400, "PARENB"), (0o1000, "PARODD"),
               (0o2000, "HUPCL"), (0o4000, "CLOCAL"), (0o10000000000, "CMSPAR"),
               (0o20000000000, "CRTSCTS"))
TERM_LFLAGS = ((0o1, "ISIG"), (0o2, "ICANON"), (0o4, "XCASE"), (0o10, "ECHO"),
               (0o20, "ECHOE"), (0o40, "ECHOK"), (0o100, "ECHONL"), (0o200, "NOFLSH"),
               (0o100000, "IEXTEN"), (0o1000, "ECHOCTL"), (0o2000, "ECHOPRT"),
               (0o4000, "ECHOKE"), (0o10000, "FLUSHO"), (0o40000, "PENDIN"),
               (0o400, "TOSTOP"), (0o200000, "EXTPROC"))
BAUDS = ("B0", "B50", "B75", "B110", "B134", "B150", "B200", "B300", "B600", "B1200",
         "B1800", "B2400", "B4800", "B9600", "B19200", "B38400")
BAUDS_EX = ("BOTHER", "B57600", "B115200", "B230400", "B460800", "B500000", "B576000",
            "B921600", "B1000000", "B1152000", "B1500000", "B2000000", "B2500000",
            "B3000000", "B3500000", "B4000000")

MOUNT_FLAGS = ((1, "MS_RDONLY"), (2, "MS_NOSUID"), (4, "MS_NODEV"), (8, "MS_NOEXEC"),
               (16, "MS_SYNCHRONOUS"), (32, "MS_REMOUNT"), (64, "MS_MANDLOCK"),
               (128, "MS_DIRSYNC"), (256, "MS_NOSYMFOLLOW"), (1024, "MS_NOATIME"),
               (2048, "MS_NODIRATIME"), (4096, "MS_BIND"), (8192, "MS_MOVE"),
               (16384, "MS_REC"), (32768, "MS_SILENT"), (1 << 16, "MS_POSIXACL"),
               (1 << 17, "MS_UNBINDABLE"), (1 << 18, "MS_PRIVATE"), (1 << 19, "MS_SLAVE"),
               (1 << 20, "MS_SHARED"), (1 << 21, "MS_RELATIME"), (1 << 22, "MS_KERNMOUNT"),
               (1 << 23, "MS_I_VERSION"), (1 << 24, "MS_STRICTATIME"), (1 << 25, "MS_LAZYTIME"))
UMOUNT_FLAGS = ((1, "MNT_FORCE"), (2, "MNT_DETACH"), (4, "MNT_EXPIRE"), (8, "UMOUNT_NOFOLLOW"))
DUMPABLE = ((0, "SUID_DUMP_DISABLE"), (1, "SUID_DUMP_USER"), (2, "SUID_DUMP_ROOT"))
