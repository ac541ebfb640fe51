"""kernel/trace/ - watching what guests do: the built-in syscall tracer.

`./linux strace=all` logs every system call of every guest in strace's own
format (UML's and gVisor's --strace do the same job).  The pieces:

    xlat.py      names of numbers: flags (O_*, PROT_*, MAP_*...), signals,
                 errnos; strace's way of printing a flag word
    decode.py    one function per argument type: how to print a path, a
                 buffer, a struct stat, a sockaddr ... from guest memory
    calls.py     the calls printed by their own code (clone, futex, ioctl,
                 prctl, sigreturn, restart_syscall)
    syscalls.py  THE decoder table: for each system call, its strace
                 classes and the types of its arguments (both subarchs)
    strace.py    the tracer itself: the boot options, the hooks the kernel
                 calls (syscall entry/exit, signal delivery, exit), the
                 output with its pid prefixes and <unfinished ...> lines

When the tracer is off the kernel runs none of this: the syscall table is
built without it (kernel/syscall.py table_for), and the signal and exit
hooks test one module flag.
"""
