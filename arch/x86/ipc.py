"""arch/x86/ipc.py - ipc(2): i386's single entry to System V IPC.

ipc(call, first, second, third, ptr, fifth) multiplexes the semaphore,
message queue and shared memory calls, with a few quirks of its own kept
from the beginning: semctl's fourth argument is passed by pointer, the
oldest msgrcv packs two arguments in a struct ipc_kludge, and shmat returns
the address through the pointer in `third`.  The common handlers in ipc/
do the work; the *ctl calls here are the "old" entries that read the
structure version (IPC_64) from cmd.
"""

import struct

from kernel.errno import EINVAL, ENOSYS
from mm.uaccess import copy_from_user, get_user_u32, put_user_u32
from ipc import msg, sem, shm
from ipc.util import IPC_64, parse_version

SEMOP, SEMGET, SEMCTL, SEMTIMEDOP = 1, 2, 3, 4
MSGSND, MSGRCV, MSGGET, MSGCTL = 11, 12, 13, 14
SHMAT, SHMDT, SHMGET, SHMCTL = 21, 22, 23, 24


_STRUCT_CMDS = {1, 2, 3}               # IPC_SET, IPC_STAT, IPC_INFO


def _old_ctl(fn, t, first, second, cmd, *rest, stat_cmds=()):
    """The *ctl calls of ipc(2) take IPC_64 in cmd (the "old" entries):
    without it the caller means the pre-2.4 structures, which we do not
    have; the calls that pass no structure work either way."""
    cmd, version = parse_version(cmd)
    if version != IPC_64 and (cmd in _STRUCT_CMDS or cmd in stat_cmds):
        return -EINVAL
    if second is None:
        return fn(t, first, cmd, *rest, version=version)
    return fn(t, first, second, cmd, *rest, version=version)


def sys_ipc(t, call, first, second, third, ptr, fifth):
    version = (call >> 16) & 0xFFFF
    call &= 0xFFFF
    if call == SEMOP:
        return sem.do_semtimedop(t, first, ptr, second, 0)
    if call == SEMTIMEDOP:
        return sem.do_semtimedop(t, first, ptr, second, fifth)
    if call == SEMGET:
        return sem.sys_semget(t, first, second, third)
    if call == SEMCTL:
        if not ptr:
            return -EINVAL
        return _old_ctl(sem.ksys_semctl, t, first, second, third, get_user_u32(t.mm, ptr),
                        stat_cmds=(18, 19, 20))
    if call == MSGSND:
        return msg.do_msgsnd(t, first, ptr, second, third)
    if call == MSGRCV:
        if version == 0:
            if not ptr:
                return -EINVAL
            msgp, msgtyp = struct.unpack("<Ii", copy_from_user(t.mm, ptr, 8))
            return msg.do_msgrcv(t, first, msgp, second, msgtyp & 0xFFFFFFFF, third)
        return msg.do_msgrcv(t, first, ptr, second, fifth, third)
    if call == MSGGET:
        return msg.sys_msgget(t, first, second)
    if call == MSGCTL:
        return _old_ctl(msg.ksys_msgctl, t, first, None, second, ptr, stat_cmds=(11, 12, 13))
    if call == SHMAT:
        if version == 1:
            return -EINVAL
        addr = shm.do_shmat(t, first, ptr, second)
        put_user_u32(t.mm, third, addr)
        return 0
    if call == SHMDT:
        return shm.sys_shmdt(t, ptr)
    if call == SHMGET:
        return shm.sys_shmget(t, first, second, third)
    if call == SHMCTL:
        return _old_ctl(shm.ksys_shmctl, t, first, None, second, ptr, stat_cmds=(13, 14, 15))
    return -ENOSYS
