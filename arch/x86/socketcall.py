"""arch/x86/socketcall.py - socketcall(2): i386's single entry to the socket calls.

Until Linux 4.3 gave it one number per call, i386 reached every socket call
through socketcall(call, args): call names the operation (SYS_SOCKET = 1 ...
SYS_SENDMMSG = 20) and args points to its arguments, 32-bit words in guest
memory.  libcs still use it.  Here the words are read and the common handler
of the call runs, as if it had its own number (its structures are the 32-bit
ones: the caller is an i386 task).
"""

import struct

from kernel.errno import EINVAL, ENOSYS
from kernel.syscall import syscall_handler
from mm.uaccess import copy_from_user

# call number -> (common handler, number of argument words)
SOCKETCALLS = {
    1: ("socket", 3), 2: ("bind", 3), 3: ("connect", 3), 4: ("listen", 2),
    5: ("accept", 3), 6: ("getsockname", 3), 7: ("getpeername", 3),
    8: ("socketpair", 4), 9: ("send", 4), 10: ("recv", 4), 11: ("sendto", 6),
    12: ("recvfrom", 6), 13: ("shutdown", 2), 14: ("setsockopt", 5),
    15: ("getsockopt", 5), 16: ("sendmsg", 3), 17: ("recvmsg", 3),
    18: ("accept4", 4), 19: ("recvmmsg", 5), 20: ("sendmmsg", 4),
}


def sys_socketcall(t, call, args):
    call &= 0xFFFFFFFF
    if call not in SOCKETCALLS:
        return -EINVAL
    name, n = SOCKETCALLS[call]
    a = list(struct.unpack("<%dI" % n, copy_from_user(t.mm, args, 4 * n)))
    # three calls are others with fixed extra arguments
    if name == "send":
        name, a = "sendto", a + [0, 0]
    elif name == "recv":
        name, a = "recvfrom", a + [0, 0]
    elif name == "accept":
        name, a = "accept4", a + [0]
    fn = syscall_handler(name)
    if fn is None:
        return -ENOSYS
    return fn(t, *a[:fn.__code__.co_argcount - 1])
