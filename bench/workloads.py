"""bench/workloads.py - what `make bench` measures.

Each entry: (name, guest binary under build/bench/, iterations, what it is,
reference figures for UML on these machines from PLATFORM.md, in ns/op).
"in_guest" workloads time their own loop (ns_per_op=...); "whole"
workloads are timed from outside, start to exit, natively and as
`./linux ... init=/prog`.
"""

WORKLOADS = [
    # name, binary, iterations, kind, description, UML ns/op (low, high) or None
    ("getpid", "musl/getpid", 20000, "in_guest", "emulated getpid", (16000, 25000)),
    ("pagefault", "musl/pagefault", 20000, "in_guest", "first-touch fault, per page", (60000, 87000)),
    ("hello", "musl/hello", 5, "whole", "static hello, start to exit", (1300000000, 1400000000)),
    ("fork", "musl/fork_wait", 200, "in_guest", "fork + exit + wait", (1000000, 1600000)),
    ("forkexec", "musl/fork_exec", 100, "in_guest", "fork + execve + exit + wait",
     (1500000, 2400000)),
    ("pipe", "musl/pipe_rt", 2000, "in_guest", "pipe round trip between two processes",
     (80000, 127000)),
    ("thread", "musl/thread_cj", 500, "in_guest", "pthread_create + pthread_join", None),
    ("shell", "musl/shell_loop", 200, "in_guest",
     "shell-style x=$(prog): pipe, fork, exec, read, wait", None),
]
