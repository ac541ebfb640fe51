"""ipc/msg.py - System V message queues: msgget, msgsnd, msgrcv, msgctl.

A queue is a list of (type, bytes) in arrival order with a byte limit,
msg_qbytes (MSGMNB unless IPC_SET changes it): a message fits while the
queue's bytes plus its own stay within the limit and the count of messages
does too.  msgsnd waits for room and msgrcv for a matching message (or fails
at once under IPC_NOWAIT: EAGAIN / ENOMSG).  As in Linux, a message sent
while receivers sleep goes straight to the first of them that wants it
(pipelined_send), so receivers are served in the order they came; senders
woken by a receive look for room again.  msgrcv's msgtyp picks the first message
(0), the first of that type (> 0; any other type with MSG_EXCEPT), or the
first of the lowest type not above |msgtyp| (< 0).  A message longer than
the buffer is E2BIG and stays queued, unless MSG_NOERROR truncates it.
Removing the queue wakes everyone with EIDRM.
"""

import struct

from ipc.util import (IPC_64, IPC_INFO, IPC_NOWAIT, IPC_RMID, IPC_SET, IPC_STAT,
                      S_IRUGO, S_IWUGO, KernIpcPerm, check_owner,
                      check_perms, ipcget, pack_perm, pack_time, perm_size,
                      s32, set_perm, slong, ulong)
from kernel import sched, timekeeping
from kernel.errno import (E2BIG, EAGAIN, EIDRM, EINVAL, ENOMSG, EPERM,
                          ERESTARTNOHAND)
from mm.uaccess import copy_from_user, copy_to_user
from kernel.signal import signal_pending
from kernel.capability import CAP_SYS_RESOURCE, capable

MSG_NOERROR = 0o10000
MSG_EXCEPT = 0o20000
MSG_COPY = 0o40000
MSG_STAT, MSG_INFO, MSG_STAT_ANY = 11, 12, 13

MSGMAX = 8192
MSGMNB = 16384
MSGMNI = 32000
MSGPOOL = MSGMNI * MSGMNB // 1024
MSGTQL = MSGMNB
MSGMAP = MSGMNB
MSGSSZ = 16
MSGSEG = 0xFFFF


class MsgQueue(KernIpcPerm):
    def __init__(self, t, key, flg):
        super().__init__(t, key, flg)
        self.messages = []      # [mtype, data]
        self.cbytes = 0
        self.qbytes = self.ns.msg_ctlmnb
        self.stime = self.rtime = 0
        self.lspid = self.lrpid = 0
        self.wq = sched.WaitQueue()     # senders waiting for room
        self.receivers = []             # MsgReceiver, in arrival order


class MsgReceiver:
    """A sleeping msgrcv: what it wants, and what it was handed."""
    __slots__ = ("task", "msgtyp", "flg", "maxsize", "result", "wq")

    def __init__(self, t, msgtyp, flg, maxsize):
        self.task = t
        self.msgtyp = msgtyp
        self.flg = flg
        self.maxsize = maxsize
        self.result = None              # (mtype, data) or -errno
        self.wq = sched.WaitQueue()


def sys_msgget(t, key, msgflg):
    flg = s32(msgflg)

    def newque():
        q = MsgQueue(t, s32(key), flg)
        q.ns.msg_ids.add(q)
        return q.id

    return ipcget(t, t.nsproxy.ipc_ns.msg_ids, key, flg, newque)


# -- msgsnd ----------------------------------------------------------------------------

def _long_size(t):
    return 8 if t.arch.BITS == 64 else 4


def _get_long(t, addr):
    n = _long_size(t)
    return struct.unpack("<q" if n == 8 else "<i", copy_from_user(t.mm, addr, n))[0]


def _fits(q, size):
    return size + q.cbytes <= q.qbytes and 1 + len(q.messages) <= q.qbytes


def do_msgsnd(t, msqid, msgp, msgsz, msgflg):
    msqid, msgflg = s32(msqid), s32(msgflg)
    msgsz = slong(t, msgsz)
    mtype = _get_long(t, msgp)
    if msgsz > t.nsproxy.ipc_ns.msg_ctlmax or msgsz < 0 or msqid < 0:
        return -EINVAL
    if mtype < 1:
        return -EINVAL
    data = copy_from_user(t.mm, msgp + _long_size(t), msgsz)
    q = t.nsproxy.ipc_ns.msg_ids.obtain(msqid)
    check_perms(t, q, S_IWUGO)
    if _fits(q, msgsz):
        _enqueue(t, q, mtype, data)
        return 0
    if msgflg & IPC_NOWAIT:
        return -EAGAIN
    return _msgsnd_wait(t, q, mtype, data, msgflg)


def _enqueue(t, q, mtype, data):
    q.lspid = t.tgid
    q.stime = timekeeping.ktime_get_real_seconds()
    if pipelined_send(q, mtype, data):
        return
    q.messages.append((mtype, data))
    q.cbytes += len(data)
    q.ns.msg_hdrs += 1
    q.ns.msg_bytes += len(data)


def _matches(mtype, msgtyp, flg):
    if msgtyp == 0:
        return True
    if msgtyp < 0:
        return mtype <= -msgtyp
    return (mtype != msgtyp) if flg & MSG_EXCEPT else (mtype == msgtyp)


def pipelined_send(q, mtype, data):
    """Hand the message to the first sleeping receiver that wants it, as
    Linux does: receivers are served in the order they came.  One whose
    buffer is too small gets E2BIG and the next is tried."""
    for r in list(q.receivers):
        if not _matches(mtype, r.msgtyp, r.flg):
            continue
        q.receivers.remove(r)
        if len(data) > r.maxsize:
            r.result = -E2BIG
            r.wq.wake_up()
            continue
        q.lrpid = r.task.tgid
        q.rtime = timekeeping.ktime_get_real_seconds()
        r.result = (mtype, data)
        r.wq.wake_up()
        return True
    return False


def _msgsnd_wait(t, q, mtype, data, msgflg):
    while True:
        if q.deleted:
            return -EIDRM
        if _fits(q, len(data)):
            _enqueue(t, q, mtype, data)
            return 0
        if signal_pending(t):
            return -ERESTARTNOHAND
        yield sched.Sleep((q.wq,))


def sys_msgsnd(t, msqid, msgp, msgsz, msgflg):
    return do_msgsnd(t, msqid, msgp, msgsz, msgflg)


# -- msgrcv --------------------------------------------------------------------------

def _find(q, msgtyp, flg):
    """The index of the message msgtyp (and MSG_EXCEPT) selects, or None."""
    if msgtyp == 0:
        return 0 if q.messages else None
    if msgtyp > 0:
        for i, (mt, _d) in enumerate(q.messages):
            if (mt != msgtyp) if flg & MSG_EXCEPT else (mt == msgtyp):
                return i
        return None
    limit = -msgtyp
    best = None
    for i, (mt, _d) in enumerate(q.messages):
        if mt <= limit and (best is None or mt < q.messages[best][0]):
            best = i
    return best


def do_msgrcv(t, msqid, msgp, msgsz, msgtyp, msgflg):
    msqid, msgflg = s32(msqid), s32(msgflg)
    msgsz, msgtyp = slong(t, msgsz), slong(t, msgtyp)
    if msqid < 0 or msgsz < 0:
        return -EINVAL
    if msgflg & MSG_COPY:
        # checkpoint/restore: a copy of the message at index msgtyp, left
        # in the queue; never waits, never selects by type
        if msgflg & MSG_EXCEPT or not msgflg & IPC_NOWAIT:
            return -EINVAL
        q = t.nsproxy.ipc_ns.msg_ids.obtain(msqid)
        check_perms(t, q, S_IRUGO)
        if not 0 <= msgtyp < len(q.messages):
            return -ENOMSG
        mtype, data = q.messages[msgtyp]
        if len(data) > msgsz and not msgflg & MSG_NOERROR:
            return -E2BIG
        return _store_msg(t, msgp, msgsz, mtype, data)
    q = t.nsproxy.ipc_ns.msg_ids.obtain(msqid)
    check_perms(t, q, S_IRUGO)
    r = _try_receive(t, q, msgp, msgsz, msgtyp, msgflg)
    if r is not None:
        return r
    if msgflg & IPC_NOWAIT:
        return -ENOMSG
    return _msgrcv_wait(t, q, msgp, msgsz, msgtyp, msgflg)


def _try_receive(t, q, msgp, msgsz, msgtyp, msgflg):
    """The result if a message is there (or E2BIG), None to wait."""
    i = _find(q, msgtyp, msgflg)
    if i is None:
        return None
    mtype, data = q.messages[i]
    if len(data) > msgsz and not msgflg & MSG_NOERROR:
        return -E2BIG
    del q.messages[i]
    q.cbytes -= len(data)
    q.ns.msg_hdrs -= 1
    q.ns.msg_bytes -= len(data)
    q.lrpid = t.tgid
    q.rtime = timekeeping.ktime_get_real_seconds()
    q.wq.wake_up()                      # senders: there may be room now
    return _store_msg(t, msgp, msgsz, mtype, data)


def _store_msg(t, msgp, msgsz, mtype, data):
    # the message is gone even if the copy faults, as on Linux
    data = data[:msgsz]
    n = _long_size(t)
    copy_to_user(t.mm, msgp, struct.pack("<q" if n == 8 else "<i", mtype))
    copy_to_user(t.mm, msgp + n, data)
    return len(data)


def _msgrcv_wait(t, q, msgp, msgsz, msgtyp, msgflg):
    """Sleep until a sender hands us a message (pipelined_send), the queue
    goes or a signal comes."""
    r = MsgReceiver(t, msgtyp, msgflg, (1 << 63) if msgflg & MSG_NOERROR else msgsz)
    q.receivers.append(r)
    try:
        while True:
            if r.result is not None:
                if isinstance(r.result, int):
                    return r.result
                return _store_msg(t, msgp, msgsz, *r.result)
            if q.deleted:
                return -EIDRM
            if signal_pending(t):
                return -ERESTARTNOHAND
            yield sched.Sleep((r.wq,))
    finally:
        if r in q.receivers:
            q.receivers.remove(r)


def sys_msgrcv(t, msqid, msgp, msgsz, msgtyp, msgflg):
    return do_msgrcv(t, msqid, msgp, msgsz, msgtyp, msgflg)


# -- msgctl ----------------------------------------------------------------------------

def _msqid_ds(t, q):
    out = pack_perm(t, q)
    out += pack_time(t, q.stime) + pack_time(t, q.rtime) + pack_time(t, q.ctime)
    out += ulong(t, q.cbytes) + ulong(t, len(q.messages)) + ulong(t, q.qbytes)
    out += struct.pack("<ii", q.lspid, q.lrpid)
    return out + ulong(t, 0) + ulong(t, 0)


def _msqid_set(t, data):
    """(perm data, msg_qbytes) from a guest's msqid64_ds."""
    off = perm_size(t) + (24 if t.arch.BITS == 64 else 24) + 2 * _long_size(t)
    n = _long_size(t)
    qbytes = int.from_bytes(data[off:off + n], "little")
    return qbytes


def _msqid_ds_size(t):
    return 120 if t.arch.BITS == 64 else 88


def ksys_msgctl(t, msqid, cmd, buf, version=IPC_64):
    msqid, cmd = s32(msqid), s32(cmd)
    ns = t.nsproxy.ipc_ns
    msg_ids = ns.msg_ids
    if msqid < 0 or cmd < 0:
        return -EINVAL
    if cmd in (IPC_INFO, MSG_INFO):
        # struct msginfo: msgpool msgmap msgmax msgmnb msgmni msgssz msgtql
        # (ints) msgseg (unsigned short)
        if cmd == MSG_INFO:
            pool, mp, tql = len(msg_ids.slots), ns.msg_hdrs, ns.msg_bytes
        else:
            pool, mp, tql = MSGPOOL, MSGMAP, MSGTQL
        copy_to_user(t.mm, buf, struct.pack("<7iH2x", pool, mp, ns.msg_ctlmax, ns.msg_ctlmnb,
                                            ns.msg_ctlmni, MSGSSZ, tql, MSGSEG))
        return max(list(msg_ids.slots) or [0])
    if cmd in (IPC_STAT, MSG_STAT, MSG_STAT_ANY):
        q = msg_ids.obtain_for_stat(t, msqid, by_index=cmd != IPC_STAT, check=cmd != MSG_STAT_ANY)
        copy_to_user(t.mm, buf, _msqid_ds(t, q))
        return 0 if cmd == IPC_STAT else q.id
    if cmd == IPC_SET:
        data = copy_from_user(t.mm, buf, _msqid_ds_size(t))
        q = msg_ids.obtain(msqid)
        check_owner(t, q)
        qbytes = _msqid_set(t, data)
        if qbytes > ns.msg_ctlmnb and not capable(t, CAP_SYS_RESOURCE):
            return -EPERM
        set_perm(t, q, data)
        q.qbytes = qbytes
        q.wq.wake_up()          # senders may fit now
        return 0
    if cmd == IPC_RMID:
        q = msg_ids.obtain(msqid)
        check_owner(t, q)
        ns.msg_hdrs -= len(q.messages)
        ns.msg_bytes -= q.cbytes
        q.messages = []
        q.cbytes = 0
        msg_ids.remove(q)
        for r in q.receivers:
            r.result = -EIDRM
            r.wq.wake_up()
        q.receivers = []
        q.wq.wake_up()
        return 0
    return -EINVAL


def sys_msgctl(t, msqid, cmd, buf):
    return ksys_msgctl(t, msqid, cmd, buf)
