"""ipc/namespace.py - IPC namespaces: System V IPC objects and POSIX
message queues, and their limits, per namespace (Linux's ipc/namespace.c).

A new namespace (clone, unshare CLONE_NEWIPC) starts empty, with the
default limits; a task sees and makes only its namespace's objects
(ipc/shm.py, sem.py, msg.py through t.nsproxy.ipc_ns; an object knows
its namespace: KernIpcPerm.ns) and message queues (its own mqueue
filesystem, ipc/mqueue.py).  The kernel.shm*, kernel.msg* and
fs.mqueue.* sysctls are the reader's namespace's.
"""

from kernel.ns_common import NsCommon
from kernel.user_namespace import init_user_ns
from ipc.util import IpcIds
from ipc import mqueue, msg, sem, shm

CLONE_NEWIPC = 0x08000000


class IpcNamespace(NsCommon):
    def __init__(self, user_ns, inum=None):
        super().__init__(b"ipc", CLONE_NEWIPC, user_ns, inum)
        self.shm_ids = IpcIds(shm.SHMMNI)
        self.shm_tot = 0                    # pages in all segments
        self.shm_ctlmax = shm.SHMMAX        # kernel.shmmax, shmall
        self.shm_ctlall = shm.SHMALL
        self.sem_ids = IpcIds(sem.SEMMNI)
        self.used_sems = 0                  # semaphores in all sets
        self.msg_ids = IpcIds(msg.MSGMNI)
        self.msg_hdrs = 0                   # messages in all queues
        self.msg_bytes = 0                  # and their bytes
        self.msg_ctlmax = msg.MSGMAX        # kernel.msgmax, msgmnb, msgmni
        self.msg_ctlmnb = msg.MSGMNB
        self.msg_ctlmni = msg.MSGMNI
        self.mq_mnt = None                  # its mqueue filesystem, made at first use
        self.mq_queues_count = 0
        self.mq_queues_max = mqueue.QUEUES_MAX      # fs.mqueue.*
        self.mq_msg_max = mqueue.MSG_MAX
        self.mq_msgsize_max = mqueue.MSGSIZE_MAX
        self.mq_msg_default = mqueue.MSG_DEFAULT
        self.mq_msgsize_default = mqueue.MSGSIZE_DEFAULT


init_ipc_ns = IpcNamespace(init_user_ns, inum=0xEFFFFFFF)


def copy_ipcs(user_ns):
    return IpcNamespace(user_ns)
