"""ipc/util.py - what the three kinds of System V IPC object share: the
table of ids and keys, the permission structure and its checks, the
ipc64_perm layout, and the get-or-create logic of shmget/semget/msgget.

An id is seq * SEQ_MULTIPLIER + slot, as in Linux: slots are given out
cyclically and a slot used again comes with a new sequence number, so a
stale id does not name a new object.  Each IPC namespace has one table
per kind (ipc/namespace.py).
"""

import struct

from kernel import timekeeping
from kernel.abi import s32, slong  # noqa: F401 (ipc/*.py take them from here)
from kernel.errno import EACCES, EEXIST, EINVAL, ENOENT, ENOSPC, EPERM, Errno
from kernel.capability import CAP_IPC_OWNER, CAP_SYS_ADMIN, capable

IPC_PRIVATE = 0
IPC_CREAT = 0o1000
IPC_EXCL = 0o2000
IPC_NOWAIT = 0o4000

IPC_RMID, IPC_SET, IPC_STAT, IPC_INFO = 0, 1, 2, 3
IPC_64 = 0x0100
IPC_OLD = 0

S_IRUGO = 0o444
S_IWUGO = 0o222
S_IXUGO = 0o111

SEQ_MULTIPLIER = 32768


class KernIpcPerm:
    """struct kern_ipc_perm: key, owner, creator, mode, and the id."""

    def __init__(self, t, key, mode):
        c = t.cred
        self.ns = t.nsproxy.ipc_ns          # the IPC namespace it is in (ipc/namespace.py)
        self.key = key
        self.uid = self.cuid = c.euid
        self.gid = self.cgid = c.egid
        self.mode = mode & 0o777
        self.id = -1
        self.seq = 0
        self.deleted = False
        self.ctime = timekeeping.ktime_get_real_seconds()


class IpcIds:
    """One kind's table: slot -> object, key -> object.  Slots are handed
    out cyclically, as Linux's ipc_idr_alloc does since 5.x: from after the
    last one given, below max(in_use * 3/2, 64), wrapping to 0; every wrap
    starts a new sequence number, so an id is not soon given again."""

    MIN_CYCLE = 64
    IPCMNI = 32768
    SEQ_MAX = 0x7FFFFFFF >> 15

    def __init__(self, max_ids):
        self.max_ids = max_ids
        self.slots = {}
        self.keys = {}
        self.seq = 0
        self.last_idx = -1
        self.next_idx = 0
        self.next_id = -1               # /proc/sys/kernel/*_next_id (checkpoint/restore)

    def _alloc_idx(self):
        limit = min(max(len(self.slots) * 3 // 2, self.MIN_CYCLE), self.IPCMNI)
        for lo, hi in ((self.next_idx, limit), (0, min(self.next_idx, limit))):
            for idx in range(lo, hi):
                if idx not in self.slots:
                    return idx
        raise Errno(ENOSPC)

    def add(self, obj):
        if len(self.slots) >= self.max_ids:
            raise Errno(ENOSPC)
        if self.next_id >= 0:
            # the id asked for, or the first free slot above it; asked once
            want, self.next_id = self.next_id, -1
            idx = next((i for i in range(want % SEQ_MULTIPLIER, self.IPCMNI)
                        if i not in self.slots), None)
            if idx is None:
                raise Errno(ENOSPC)
            obj.seq = want // SEQ_MULTIPLIER
        else:
            idx = self._alloc_idx()
            self.next_idx = idx + 1
            if idx <= self.last_idx:
                self.seq = self.seq + 1 if self.seq + 1 < self.SEQ_MAX else 0
            self.last_idx = idx
            obj.seq = self.seq
        obj.id = obj.seq * SEQ_MULTIPLIER + idx
        self.slots[idx] = obj
        if obj.key != IPC_PRIVATE:
            self.keys[obj.key] = obj
        return obj.id

    def lookup(self, ipcid):
        """The live object with this id, or None."""
        if ipcid < 0:
            return None
        obj = self.slots.get(ipcid % SEQ_MULTIPLIER)
        if obj is None or obj.id != ipcid:
            return None
        return obj

    def by_index(self, idx):
        """*_STAT: the object in slot idx (of an id: its slot), or None."""
        return self.slots.get(idx % SEQ_MULTIPLIER) if idx >= 0 else None

    def obtain(self, ipcid):
        obj = self.lookup(ipcid)
        if obj is None:
            raise Errno(EINVAL)
        return obj

    def obtain_for_stat(self, t, ipcid, by_index, check):
        """IPC_STAT (by id) or the *_STAT commands (by slot index), with
        the read permission check unless the command is *_STAT_ANY."""
        obj = self.by_index(ipcid) if by_index else self.lookup(ipcid)
        if obj is None:
            raise Errno(EINVAL)
        if check:
            check_perms(t, obj, S_IRUGO)
        return obj

    def make_private(self, obj):
        """The key is forgotten (an IPC_RMID'd segment still attached)."""
        if obj.key != IPC_PRIVATE and self.keys.get(obj.key) is obj:
            del self.keys[obj.key]
        obj.key = IPC_PRIVATE

    def remove(self, obj):
        self.make_private(obj)
        idx = obj.id % SEQ_MULTIPLIER
        if self.slots.get(idx) is obj:
            del self.slots[idx]
        obj.deleted = True

    def all(self):
        return [self.slots[i] for i in sorted(self.slots)]


def _in_group(c, gid):
    return gid == c.egid or gid in c.groups


def ipcperms(t, perm, flag):
    """0 if the task may access perm as flag (its rwx bits, e.g. S_IRUGO)
    asks, else -1.  Root (CAP_IPC_OWNER) may do anything."""
    c = t.cred
    requested = (flag >> 6 | flag >> 3 | flag) & 7
    granted = perm.mode
    if c.euid in (perm.uid, perm.cuid):
        granted >>= 6
    elif _in_group(c, perm.cgid) or _in_group(c, perm.gid):
        granted >>= 3
    if requested & ~granted & 7 and not capable(t, CAP_IPC_OWNER):
        return -1
    return 0


def check_perms(t, perm, flag):
    if ipcperms(t, perm, flag):
        raise Errno(EACCES)


def check_owner(t, perm):
    """IPC_SET and IPC_RMID: the owner, the creator or root."""
    c = t.cred
    if c.euid not in (perm.uid, perm.cuid) and not capable(t, CAP_SYS_ADMIN):
        raise Errno(EPERM)


def ipcget(t, ids, key, flg, newfn, more_checks=None):
    """shmget/semget/msgget: a new private object, the object with key, or
    a new one under key if IPC_CREAT; EEXIST for IPC_CREAT|IPC_EXCL."""
    key = s32(key)
    if key == IPC_PRIVATE:
        return newfn()
    obj = ids.keys.get(key)
    if obj is None:
        if not flg & IPC_CREAT:
            raise Errno(ENOENT)
        return newfn()
    if flg & IPC_CREAT and flg & IPC_EXCL:
        raise Errno(EEXIST)
    if more_checks is not None:
        more_checks(obj)
    check_perms(t, obj, flg)
    return obj.id


def parse_version(cmd):
    """ipc(2)'s old *ctl calls: IPC_64 in cmd selects the 64-bit layouts."""
    cmd = s32(cmd)
    if cmd & IPC_64:
        return cmd & ~IPC_64, IPC_64
    return cmd, IPC_OLD


# -- struct ipc64_perm -----------------------------------------------------------

PERM64 = "<iIIIIIHH4xQQ"        # x86_64: 48 bytes (the longs aligned)
PERM32 = "<iIIIIHHHHII"         # i386: mode is an unsigned short, 36 bytes


def perm_size(t):
    return struct.calcsize(PERM64 if t.arch.BITS == 64 else PERM32)


def pack_perm(t, p, extra_mode=0):
    mode = p.mode | extra_mode
    if t.arch.BITS == 64:
        return struct.pack(PERM64, p.key, p.uid, p.gid, p.cuid, p.cgid, mode,
                           p.seq & 0xFFFF, 0, 0, 0)
    return struct.pack(PERM32, p.key, p.uid, p.gid, p.cuid, p.cgid, mode & 0xFFFF, 0,
                       p.seq & 0xFFFF, 0, 0, 0)


def unpack_perm(t, data):
    """(uid, gid, mode) from a guest's ipc64_perm (what IPC_SET uses)."""
    if t.arch.BITS == 64:
        f = struct.unpack_from(PERM64, data)
        return f[1], f[2], f[5]
    f = struct.unpack_from(PERM32, data)
    return f[1], f[2], f[5]


def set_perm(t, p, data):
    uid, gid, mode = unpack_perm(t, data)
    if uid == 0xFFFFFFFF or gid == 0xFFFFFFFF:
        raise Errno(EINVAL)
    p.uid, p.gid = uid, gid
    p.mode = (p.mode & ~0o777) | (mode & 0o777)
    p.ctime = timekeeping.ktime_get_real_seconds()


def pack_time(t, sec):
    """A time field: long on x86_64; on i386 the low and high 32 bits."""
    if t.arch.BITS == 64:
        return struct.pack("<q", sec)
    return struct.pack("<II", sec & 0xFFFFFFFF, (sec >> 32) & 0xFFFFFFFF)


def ulong(t, v):
    return struct.pack("<Q" if t.arch.BITS == 64 else "<I", v & ((1 << t.arch.BITS) - 1))
