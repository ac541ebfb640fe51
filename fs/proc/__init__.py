"""fs/proc - procfs: the kernel's state as files (mount -t proc proc /proc)."""
