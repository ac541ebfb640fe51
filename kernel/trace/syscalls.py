"""kernel/trace/syscalls.py - the decoder table: how strace prints each call.

One line per system call, for both subarchs (the i386-only calls are here
too, under their i386 names):

    call("read", "desc", "fd, >buf:ret, size")

 - the classes the call belongs to, as strace groups them for
   `strace=%file` and the like: file, desc, process, network, signal,
   memory, ipc, creds, clock; stat, lstat, fstat (the stat family by
   how it names the file), %stat (all of it: strace's %%stat), statfs,
   fstatfs;
 - its arguments, in order, each a type of decode.py (TYPES), optionally
   with parameters after colons: a number is the index of another
   argument whose value is passed (a length, a count), `ret` is the result;
 - an argument marked `>` is an output: it is printed when the call
   returns, so a call that sleeps shows `read(3, <unfinished ...>` and
   later `<... read resumed>"data", 10) = 4`.  `<` is the same, but with
   the comma printed at the return too (clone's child_tidptr);
 - `ret=` says how the result is printed: int (the default), hex (an
   address), oct, poll, fcntl, none (the call does not return: `= ?`).

Types whose layout differs between the subarchs look at the caller's word
size (decode.Call.bits); an `off64` takes two registers on i386 (low, then
high half) and one on x86_64, so the table is the same for both.  A call
that is not in the table is printed as strace prints an unknown one: its
arguments in hex, as many as its handler takes.

To add a call: add a line; if an argument needs a new type, write it in
decode.py with @argtype("name"); a call whose arguments depend on one of
them is `custom="name"`, a function in calls.py.
"""

from kernel.trace import calls, decode


class Spec:
    """One call's entry, parsed: classes, arguments, result format."""
    __slots__ = ("name", "classes", "args", "ret", "custom")

    def __init__(self, name, classes, args, ret, custom):
        self.name = name
        self.classes = frozenset(classes.split())
        self.args = args
        self.ret = ret
        self.custom = custom


class Arg:
    """One argument: its decoder, parameters, when it is printed, and how
    many registers it takes (2 for a 64-bit value on i386)."""
    __slots__ = ("type", "fn", "params", "when", "wide")

    def __init__(self, text):
        self.when = "entry"
        if text[0] == ">":
            self.when, text = "exit", text[1:]
        elif text[0] == "<":
            self.when, text = "late", text[1:]
        parts = text.split(":")
        self.type = parts[0]
        self.wide = self.type in ("off64", "off64hl")
        name = "off" if self.wide else self.type
        if name not in decode.TYPES:
            raise ValueError("kernel/trace: unknown argument type %r" % name)
        self.fn = decode.TYPES[name]
        self.params = tuple(p if p == "ret" else int(p) for p in parts[1:])


TABLE = {}


def call(name, classes, args="", ret="int", custom=None):
    parsed = tuple(Arg(a.strip()) for a in args.split(",") if a.strip())
    if custom is not None and custom not in calls.CUSTOM and custom not in ("socketcall", "ipc"):
        raise ValueError("kernel/trace: %s: no custom decoder %r" % (name, custom))
    if ret not in decode.RESULTS and ret != "none":
        raise ValueError("kernel/trace: %s: unknown result type %r" % (name, ret))
    TABLE[name] = Spec(name, classes, parsed, ret, custom)


# -- files and descriptors ----------------------------------------------------------------

call("read", "desc", "fd, >buf:ret, size")
call("write", "desc", "fd, buf:2, size")
call("pread64", "desc", "fd, >buf:ret, size, off64")
call("pwrite64", "desc", "fd, buf:2, size, off64")
call("readv", "desc", "fd, >iovec:2:ret, int")
call("writev", "desc", "fd, iovec:2, int")
call("open", "desc file", "path, oflags, omode:1")
call("openat", "desc file", "atfd, path, oflags, omode:2")
call("creat", "desc file", "path, mode")
call("close", "desc", "fd")
call("dup", "desc", "fd")
call("dup2", "desc", "fd, fd")
call("dup3", "desc", "fd, fd, fdflags")
call("pipe", "desc", ">fds2")
call("pipe2", "desc", ">fds2, fdflags")
call("lseek", "desc", "fd, long, whence")
call("_llseek", "desc", "fd, off64hl, >loff, whence")
call("fcntl", "desc", "fd, fcntl", ret="fcntl")
call("fcntl64", "desc", "fd, fcntl", ret="fcntl")
call("ioctl", "desc", custom="ioctl")
call("stat", "file stat %stat", "path, >stat")
call("lstat", "file lstat %stat", "path, >stat")
call("fstat", "desc fstat %stat", "fd, >stat")
call("newfstatat", "desc file fstat %stat", "atfd, path, >stat, atflags")
call("stat64", "file stat %stat", "path, >stat64")
call("lstat64", "file lstat %stat", "path, >stat64")
call("fstat64", "desc fstat %stat", "fd, >stat64")
call("fstatat64", "desc file fstat %stat", "atfd, path, >stat64, atflags")
call("statx", "desc file %stat", "atfd, path, statxflags, statxmask, >statx")
call("access", "file", "path, amode")
call("faccessat", "desc file", "atfd, path, amode")
call("faccessat2", "desc file", "atfd, path, amode, atflags")
call("getcwd", "file", ">getcwdbuf:1, size")
call("chdir", "file", "path")
call("fchdir", "desc", "fd")
call("mkdir", "file", "path, mode")
call("mkdirat", "desc file", "atfd, path, mode")
call("rmdir", "file", "path")
call("unlink", "file", "path")
call("unlinkat", "desc file", "atfd, path, atflags")
call("rename", "file", "path, path")
call("renameat", "desc file", "atfd, path, atfd, path")
call("link", "file", "path, path")
call("symlink", "file", "path, path")
call("readlink", "file", "path, >buf:ret, size")
call("readlinkat", "desc file", "atfd, path, >buf:ret, size")
call("chmod", "file", "path, mode")
call("fchmod", "desc", "fd, mode")
call("fchmodat", "desc file", "atfd, path, mode")
call("chown", "file", "path, int, int")
call("fchown", "desc", "fd, int, int")
call("truncate", "file", "path, long")
call("ftruncate", "desc", "fd, long")
call("truncate64", "file", "path, off64")
call("ftruncate64", "desc", "fd, off64")
call("getdents64", "desc", "fd, >dirents64:ret, size")
call("getdents", "desc", "fd, >dirents:ret, size")
call("fsync", "desc", "fd")
call("fdatasync", "desc", "fd")
call("sync", "")
call("umask", "", "oct", ret="oct")
call("mknod", "file", "path, fmode, hex")
call("mknodat", "desc file", "atfd, path, fmode, hex")
call("chroot", "file", "path")
call("mount", "file", "str, path, str, mountflags, str")
call("umount2", "file", "path, umountflags")
call("umount", "file", "path")
call("sethostname", "", "buf:1, int")
call("setdomainname", "", "buf:1, int")
call("utimensat", "desc file", "atfd, path, ptr, atflags")
call("fchownat", "desc file", "atfd, path, int, int, atflags")
call("linkat", "desc file", "atfd, path, atfd, path, atflags")
call("symlinkat", "desc file", "path, atfd, path")
call("renameat2", "desc file", "atfd, path, atfd, path, hex")
call("lchown", "file", "path, int, int")
call("statfs", "file statfs", "path, >ptr")
call("fstatfs", "desc fstatfs", "fd, >ptr")
call("flock", "desc", "fd, hex")
call("fallocate", "desc", "fd, hex, off64, off64")
call("readahead", "desc", "fd, off64, size")
call("fadvise64", "desc", "fd, off64, size, int")
call("copy_file_range", "desc", "fd, ptr, fd, ptr, size, hex")
call("splice", "desc", "fd, ptr, fd, ptr, size, hex")
call("sendfile", "desc network", "fd, fd, ptr, size")
call("getrandom", "", ">hexbuf:ret, size, grndflags")
call("memfd_create", "desc", "str, hex")
call("eventfd2", "desc", "uint, efdflags")
call("eventfd", "desc", "uint")
call("epoll_create1", "desc", "epollflags")
call("epoll_create", "desc", "int")
call("epoll_ctl", "desc", "fd, epollctl, fd, epollevent")
call("epoll_wait", "desc", "fd, >ptr, int, int")
call("epoll_pwait", "desc", "fd, >ptr, int, int, sigset:5, size")
call("inotify_init1", "desc", "fdflags")
call("inotify_add_watch", "desc file", "fd, path, hex")

# -- polling --------------------------------------------------------------------------------

call("poll", "desc", "pollfds:1, uint, int", ret="poll")
call("select", "desc", "int, ptr, ptr, ptr, >timeval")
call("_newselect", "desc", "int, ptr, ptr, ptr, >timeval")

# -- memory ------------------------------------------------------------------------------------

call("brk", "memory", "ptr", ret="hex")
call("mmap", "memory desc", "ptr, size, prot, mapflags, fd, mapoff", ret="hex")
call("mmap2", "memory desc", "ptr, size, prot, mapflags, fd, pgoff", ret="hex")
call("munmap", "memory", "ptr, size")
call("mprotect", "memory", "ptr, size, prot")
call("mremap", "memory", "ptr, size, size, mremapflags, mremapaddr:3", ret="hex")
call("madvise", "memory", "ptr, size, madvice")
call("msync", "memory", "ptr, size, hex")
call("mlock", "memory", "ptr, size")
call("munlock", "memory", "ptr, size")
call("mincore", "memory", "ptr, size, >ptr")

# -- processes ------------------------------------------------------------------------------------

call("exit", "process", "int", ret="none")
call("exit_group", "process", "int", ret="none")
call("execve", "file process", "path, argv, envp")
call("execveat", "desc file process", "atfd, path, argv, envp, atflags")
call("fork", "process")
call("vfork", "process")
call("clone", "process", custom="clone")
call("clone3", "process", custom="clone3")
call("wait4", "process", "pid, >wstatus, waitopts, >rusage")
call("waitpid", "process", "pid, >wstatus, waitopts")
call("waitid", "process", "int, int, >ptr, waitopts, >rusage")
call("kill", "signal process", "pid, sig")
call("tkill", "signal process", "pid, sig")
call("tgkill", "signal process", "pid, pid, sig")
call("getpid", "")
call("getppid", "")
call("gettid", "")
call("getpgrp", "")
call("setpgid", "", "pid, pid")
call("getpgid", "", "pid")
call("setsid", "")
call("getsid", "", "pid")
call("set_tid_address", "", "ptr")
call("set_robust_list", "", "ptr, size")
call("rseq", "", "ptr, hex, hex, hex")
call("arch_prctl", "", "archprctl, hex")
call("set_thread_area", "", "user_desc", ret="set_thread_area")
call("prctl", "", custom="prctl", ret="prctl")
call("prlimit64", "", "pid, rlimres, rlimit64, >rlimit64")
call("getrlimit", "", "rlimres, >rlimit")
call("ugetrlimit", "", "rlimres, >rlimit")
call("setrlimit", "", "rlimres, rlimit")
call("uname", "", ">uname")
call("sched_yield", "")
call("sysinfo", "", ">ptr")
call("times", "", ">ptr")
call("getrusage", "", "int, >rusage")
call("getpriority", "", "int, int")
call("setpriority", "", "int, int, int")
call("sched_getaffinity", "", "pid, size, >ptr")
call("futex", "", custom="futex")
call("futex_time64", "", custom="futex")
call("syslog", "", "syslogaction, >buf:ret, int")
call("reboot", "", "rebootmagic, rebootmagic2, rebootcmd, ptr")
call("restart_syscall", "", custom="restart_syscall")
call("pause", "signal")

# -- credentials --------------------------------------------------------------------------------

for _n in ("getuid", "geteuid", "getgid", "getegid", "getuid32", "geteuid32", "getgid32",
           "getegid32"):
    call(_n, "creds")
for _n in ("setuid", "setgid", "setuid32", "setgid32"):
    call(_n, "creds", "int")
call("setresuid", "creds", "int, int, int")
call("setresgid", "creds", "int, int, int")
call("getgroups", "creds", "int, ptr")

# -- signals ----------------------------------------------------------------------------------------

call("rt_sigaction", "signal", "sig, sigaction, >sigaction, size")
call("rt_sigprocmask", "signal", "sighow, sigset:3, >sigset:3, size")
call("rt_sigreturn", "signal", custom="sigreturn")
call("sigreturn", "signal", custom="sigreturn")
call("rt_sigpending", "signal", ">sigset:1, size")
call("rt_sigsuspend", "signal", "sigset:1, size")
call("rt_sigtimedwait", "signal", "sigset:3, >siginfo, timespec, size")
call("rt_sigqueueinfo", "signal process", "pid, sig, siginfo")
call("sigaltstack", "signal", "stack_t, >stack_t")

# -- time --------------------------------------------------------------------------------------------

call("nanosleep", "", "timespec, >rem")
call("clock_nanosleep", "", "clockid, timerflags, timespec, >rem")
call("clock_nanosleep_time64", "", "clockid, timerflags, timespec64, >rem64")
call("clock_gettime", "clock", "clockid, >timespec")
call("clock_gettime64", "clock", "clockid, >timespec64")
call("clock_getres", "clock", "clockid, >timespec")
call("gettimeofday", "clock", ">timeval, ptr")
call("time", "clock", ">ptr")
call("alarm", "", "uint")
call("setitimer", "", "itimer, itimerval, >itimerval")
call("getitimer", "", "itimer, >itimerval")

# -- System V IPC ------------------------------------------------------------------------------

call("shmget", "ipc", "ipckey, size, ipcflags")
call("shmat", "ipc memory", "int, ptr, shmatflags", ret="hex")
call("shmdt", "ipc memory", "ptr")
call("shmctl", "ipc", "int, shmcmd, ptr")
call("semget", "ipc", "ipckey, int, ipcflags")
call("semop", "ipc", "int, sembufs:2, uint")
call("semtimedop", "ipc", "int, sembufs:2, uint, timespec")
call("semtimedop_time64", "ipc", "int, sembufs:2, uint, timespec64")
call("semctl", "ipc", "int, int, semcmd, ptr")
call("msgget", "ipc", "ipckey, ipcflags")
call("msgsnd", "ipc", "int, msgbuf:2, size, msgrcvflags")
call("msgrcv", "ipc", "int, >msgbuf:ret, size, long, msgrcvflags")
call("msgctl", "ipc", "int, msgcmd, ptr")
call("ipc", "ipc", custom="ipc")
# what i386's ipc(2) passes differs for three of them (see strace.py _multiplexed)
call("ipc_semctl", "ipc", "int, int, semcmd, semunptr")
call("ipc_msgrcv", "ipc", "int, >kludge:ret, size, >kludgetype, msgrcvflags")
call("ipc_shmat", "ipc memory", "int, ptr, shmatflags", ret="ipc_shmat")

# -- sockets -------------------------------------------------------------------------------------------

call("socket", "network", "family, socktype, sockproto")
call("socketpair", "network", "family, socktype, int, >sv2")
call("bind", "network", "fd, sockaddr:2, int")
call("connect", "network", "fd, sockaddr:2, int")
call("listen", "network", "fd, int")
call("accept", "network", "fd, >sockaddr_out:2, >socklen_io")
call("accept4", "network", "fd, >sockaddr_out:2, >socklen_io, socktype")
call("getsockname", "network", "fd, >sockaddr_out:2, >socklen_io")
call("getpeername", "network", "fd, >sockaddr_out:2, >socklen_io")
call("sendto", "network", "fd, buf:2, size, msgflags, sockaddr:5, int")
call("recvfrom", "network", "fd, >buf:ret, size, msgflags, >sockaddr_out:5, >socklen_io")
call("shutdown", "network", "fd, shuthow")
call("setsockopt", "network", "fd, sollevel, sockopt, ptr, int")
call("getsockopt", "network", "fd, sollevel, sockopt, >ptr, >ptr")
call("send", "network", "fd, buf:2, size, msgflags")
call("recv", "network", "fd, >buf:ret, size, msgflags")
call("socketcall", "network", custom="socketcall")
call("sendmsg", "network", "fd, ptr, msgflags")
call("recvmsg", "network", "fd, >ptr, msgflags")


def lookup(name):
    return TABLE.get(name)


CLASSES = ("file", "desc", "process", "network", "signal", "memory", "ipc", "creds",
           "clock", "stat", "lstat", "fstat", "%stat", "statfs", "fstatfs")
CLASS_ALIASES = {"net": "network"}
