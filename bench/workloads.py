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
    # the same guests as i386 programs (glibc -m32 -static): int $0x80, the 32-bit stub
    ("getpid32", "glibc32/getpid", 20000, "in_guest", "emulated getpid, i386", None),
    ("pagefault32", "glibc32/pagefault", 20000, "in_guest", "first-touch fault, i386", None),
    ("hello32", "glibc32/hello", 5, "whole", "static hello, i386", None),
]
