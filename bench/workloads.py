"""bench/workloads.py - what `make bench` measures.

Each entry: (name, guest binary under build/bench/, iterations, what it is,
reference figures for UML on these machines from PLATFORM.md, in ns/op).
"in_guest" workloads time their own loop (ns_per_op=...); "whole"
workloads are timed from outside, start to exit, natively and as
`./linux ... init=/prog`.

An optional seventh element holds options: "args" to pass after the
iteration count, "hostfs" to boot the host's / as a read-only hostfs root
(for Debian's dynamic programs) instead of an initramfs, and "setup", the
name of a function in bench/run.py that prepares files first.
"""

LS_DIR = "/tmp/pyuml-bench-ls1000"

WORKLOADS = [
    # name, binary, iterations, kind, description, UML ns/op (low, high) or None
    ("getpid", "musl/getpid", 20000, "in_guest", "emulated getpid", (16000, 25000)),
    ("clock", "musl/clock", 200000, "in_guest", "clock_gettime through libc (vDSO)", None),
    ("pagefault", "musl/pagefault", 20000, "in_guest", "first-touch fault, per page", (60000, 87000)),
    ("hello", "musl/hello", 5, "whole", "static hello, start to exit", (1300000000, 1400000000)),
    ("openread", "musl/openread", 5000, "in_guest", "open+read+close of a small file", None),
    ("uring_read", "musl/uring_read", 4000, "in_guest",
     "256-byte READ through io_uring, 8 per io_uring_enter", None),
    ("true_dyn", "musl/spawn", 20, "in_guest", "dynamic /bin/true, fork+exec to exit",
     None, {"hostfs": True, "args": ["/bin/true"]}),
    ("ls_1000", "musl/spawn", 3, "in_guest", "ls -l of a directory of 1,000 files",
     None, {"hostfs": True, "args": ["/bin/ls", "-l", LS_DIR], "setup": "make_ls_dir"}),
    # the same guests as i386 programs (glibc -m32 -static): int $0x80, the 32-bit stub
    ("getpid32", "glibc32/getpid", 20000, "in_guest", "emulated getpid, i386", None),
    ("pagefault32", "glibc32/pagefault", 20000, "in_guest", "first-touch fault, i386", None),
    ("clock32", "glibc32/clock", 20000, "in_guest", "clock_gettime, i386 (a system call)", None),
    ("hello32", "glibc32/hello", 5, "whole", "static hello, i386", None),
    ("fork", "musl/fork_wait", 200, "in_guest", "fork + exit + wait", (1000000, 1600000)),
    ("forkexec", "musl/fork_exec", 100, "in_guest", "fork + execve + exit + wait",
     (1500000, 2400000)),
    ("pipe", "musl/pipe_rt", 2000, "in_guest", "pipe round trip between two processes",
     (80000, 127000)),
    ("thread", "musl/thread_cj", 500, "in_guest", "pthread_create + pthread_join", None),
    ("shell", "musl/shell_loop", 200, "in_guest",
     "shell-style x=$(prog): pipe, fork, exec, read, wait", None),
    ("unix_rt", "musl/unix_rt", 2000, "in_guest",
     "AF_UNIX socketpair round trip between two processes", None),
    ("tcp_rt", "musl/tcp_rt", 2000, "in_guest",
     "TCP 1-byte ping-pong between two processes over lo", None),
    ("tcp_bulk", "musl/tcp_bulk", 64, "in_guest",
     "64 MiB through one TCP connection over lo, per MiB", None),
    ("tcp_conn", "musl/tcp_connect", 1000, "in_guest",
     "TCP connect + accept + close of both ends over lo", None),
    ("epoll_rt", "musl/epoll_rt", 2000, "in_guest",
     "eventfd ping-pong, each side in epoll_wait", None),
    ("ptrace_syscall", "musl/ptrace_syscall", 1000, "in_guest",
     "a traced getpid: PTRACE_SYSCALL's two stops, each waited for and resumed", None),
    ("ptrace_sys32", "glibc32/ptrace_syscall", 1000, "in_guest",
     "the same traced getpid, i386 tracer and tracee", None),
    ("sh_loop", ("musl/shloop", {"bin/busybox": "/bin/busybox"}), 2000, "in_guest",
     "busybox sh loop: test, arithmetic, echo >/dev/null", None),
    ("sh_pipe", ("musl/shpipe", {"bin/busybox": "/bin/busybox"}), 100, "in_guest",
     "busybox sh loop: echo | busybox cat (pipe, 2 forks, exec)", None),
]
