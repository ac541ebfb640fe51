"""arch/x86/ipc.py - ipc(2): i386's single entry to System V IPC.

ipc(call, first, second, third, ptr, fifth) multiplexes the semaphore,
message queue and shared memory calls, with a few quirks of its own kept
from the beginning: semctl's fourth argument is passed by pointer, the
oldest msgrcv packs two arguments in a struct ipc_kludge, and shmat returns
the address through the pointer in `third`.  The common handlers do the
work; those not written yet make the call ENOSYS.
"""

import struct

from kernel.errno import EINVAL, ENOSYS
from mm.uaccess import copy_from_user, get_user_u32, put_user_u32

SEMOP, SEMGET, SEMCTL, SEMTIMEDOP = 1, 2, 3, 4
MSGSND, MSGRCV, MSGGET, MSGCTL = 11, 12, 13, 14
SHMAT, SHMDT, SHMGET, SHMCTL = 21, 22, 23, 24


def _call(name, t, *args):
    from kernel.syscall import syscall_handler
    fn = syscall_handler(name)
    if fn is None:
        return -ENOSYS
    return fn(t, *args)


def sys_ipc(t, call, first, second, third, ptr, fifth):
    version = (call >> 16) & 0xFFFF
    call &= 0xFFFF
    if call == SEMOP:
        return _call("semtimedop", t, first, ptr, second, 0)
    if call == SEMTIMEDOP:
        return _call("semtimedop", t, first, ptr, second, fifth)
    if call == SEMGET:
        return _call("semget", t, first, second, third)
    if call == SEMCTL:
        if not ptr:
            return -EINVAL
        return _call("semctl", t, first, second, third, get_user_u32(t.mm, ptr))
    if call == MSGSND:
        return _call("msgsnd", t, first, ptr, second, third)
    if call == MSGRCV:
        if version == 0:
            if not ptr:
                return -EINVAL
            msgp, msgtyp = struct.unpack("<Ii", copy_from_user(t.mm, ptr, 8))
            return _call("msgrcv", t, first, msgp, second, msgtyp & 0xFFFFFFFF, third)
        return _call("msgrcv", t, first, ptr, second, fifth, third)
    if call == MSGGET:
        return _call("msgget", t, first, second)
    if call == MSGCTL:
        return _call("msgctl", t, first, second, ptr)
    if call == SHMAT:
        if version == 1:
            return -EINVAL
        addr = _call("shmat", t, first, ptr, second)
        if addr < 0 and addr > -4096:
            return addr
        put_user_u32(t.mm, third, addr)
        return 0
    if call == SHMDT:
        return _call("shmdt", t, ptr)
    if call == SHMGET:
        return _call("shmget", t, first, second, third)
    if call == SHMCTL:
        return _call("shmctl", t, first, second, ptr)
    return -ENOSYS
