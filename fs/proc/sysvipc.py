"""fs/proc/sysvipc.py - /proc/sysvipc/{msg,sem,shm}: every System V IPC
object of the reader's IPC namespace, one line each, in Linux's columns
(ipcs reads them; LTP counts the objects there against *_INFO)."""

from kernel.abi import s32
from fs.proc.inode import ProcDir, ProcFile

# 64-bit Linux prints sizes 21 wide (SIZE_SPEC)
_SHM_HEAD = ("       key      shmid perms                  size  cpid  lpid nattch   uid   gid"
             "  cuid  cgid      atime      dtime      ctime                   rss"
             "                  swap\n")
_MSG_HEAD = ("       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid"
             "  cgid      stime      rtime      ctime\n")
_SEM_HEAD = ("       key      semid perms      nsems   uid   gid  cuid  cgid      otime"
             "      ctime\n")


def _objects(ids):
    return [ids.slots[i] for i in sorted(ids.slots)]


def show_shm(reader):
    out = [_SHM_HEAD]
    for s in _objects(reader.nsproxy.ipc_ns.shm_ids):
        rss = s.file.inode.mapping.nrpages() * 4096 if s.file.inode.mapping is not None else 0
        out.append("%10d %10d  %4o %21d %5d %5d  %5d %5d %5d %5d %5d %10d %10d %10d %21d %21d\n" % (
            s32(s.key), s.id, s.mode | s.flags, s.segsz, s.cpid, s.lpid, s.nattch,
            s.uid, s.gid, s.cuid, s.cgid, s.atime, s.dtime, s.ctime, rss, 0))
    return "".join(out)


def show_msg(reader):
    out = [_MSG_HEAD]
    for q in _objects(reader.nsproxy.ipc_ns.msg_ids):
        out.append("%10d %10d  %4o  %10d %10d %5d %5d %5d %5d %5d %5d %10d %10d %10d\n" % (
            s32(q.key), q.id, q.mode, q.cbytes, len(q.messages), q.lspid, q.lrpid,
            q.uid, q.gid, q.cuid, q.cgid, q.stime, q.rtime, q.ctime))
    return "".join(out)


def show_sem(reader):
    out = [_SEM_HEAD]
    for a in _objects(reader.nsproxy.ipc_ns.sem_ids):
        out.append("%10d %10d  %4o %10d %5d %5d %5d %5d %10d %10d\n" % (
            s32(a.key), a.id, a.mode, len(a.sems), a.uid, a.gid, a.cuid, a.cgid,
            a.otime, a.ctime))
    return "".join(out)


def proc_sysvipc_dir(sb):
    files = {b"shm": show_shm, b"msg": show_msg, b"sem": show_sem}

    def entries():
        return {name: (lambda n=name, f=fn: ProcFile(sb, ("sysvipc", n), f))
                for name, fn in files.items()}
    return lambda: ProcDir(sb, ("sysvipc",), entries)
