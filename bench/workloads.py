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
    ("unix_rt", "musl/unix_rt", 2000, "in_guest",
     "AF_UNIX socketpair round trip between two processes", None),
    ("epoll_rt", "musl/epoll_rt", 2000, "in_guest",
     "eventfd ping-pong, each side in epoll_wait", None),
    ("sh_loop", ("musl/shloop", {"bin/busybox": "/bin/busybox"}), 2000, "in_guest",
     "busybox sh loop: test, arithmetic, echo >/dev/null", None),
    ("sh_pipe", ("musl/shpipe", {"bin/busybox": "/bin/busybox"}), 100, "in_guest",
     "busybox sh loop: echo | busybox cat (pipe, 2 forks, exec)", None),
]
