"""security/ - what Linux keeps under security/: the key retention service
(keys/), Landlock (landlock/), Yama's ptrace scope (yama.py) and the LSM
system calls that name them (lsm_syscalls.py).  Otherwise
the security hooks are commoncap's answers."""
