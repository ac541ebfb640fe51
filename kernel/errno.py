"""kernel/errno.py - error numbers, and the exception that carries one.

Guests see errors as -errno in the return register.  Deep inside the kernel
(copy_from_user, a path walk) it is clearer to raise than to thread a
negative number back up through every caller, so both are allowed: a
system call may return -EFOO or raise Errno(EFOO), and the dispatcher turns
either into the same return value.

The numbers are Linux's; Python's errno module has the same values on this
host, so it is the table.
"""

from errno import *  # noqa: F401,F403  (EFAULT, ENOENT, ... as on Linux)
import errno as _errno

# Kernel-internal: never seen by a guest.  A sleeping call returns one of
# these when a signal interrupts it; signal delivery decides between EINTR
# and restarting the call (kernel/signal.py).
ERESTARTSYS = 512
ERESTARTNOINTR = 513
ERESTARTNOHAND = 514
ENOIOCTLCMD = 515
ERESTART_RESTARTBLOCK = 516

# the largest errno: a return value in [-MAX_ERRNO, -1] is an error (IS_ERR_VALUE)
MAX_ERRNO = 4095


class Errno(Exception):
    """Abort the current system call with -errno."""

    def __init__(self, err, msg=None):
        super().__init__(err, msg or _errno.errorcode.get(err, str(err)))
        self.errno = err


def errname(err):
    return _errno.errorcode.get(err, "E%d" % err)
