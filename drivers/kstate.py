"""drivers/kstate.py - /dev/kstate: a window into the kernel for graders.

A grader (labs/gradelib.py) often has to look at the kernel itself, not at
what a program prints: which frames two processes share after a fork and
their reference counts, how many pages a process owns before and after it
touches its memory, the ptes themselves, who sleeps on a pipe or a futex.
Booted with `kstate=HOSTFILE`, the kernel has a character device
/dev/kstate (misc major 10, minor 245).  A guest writes requests to it,
one per line, at the moment it wants a snapshot:

    [@TAG] mm PID          the VMAs and every user pte, with frame refcounts
    [@TAG] pt PID          every page-table page: level, frame, entries
    [@TAG] task PID        one task: state, scheduling, counters, signals
    [@TAG] tasks           every task, briefly
    [@TAG] mem             physical memory: frames, free frames
    [@TAG] frames PFN...   refcount and flags of those frames
    [@TAG] file PATH       an inode: size, links, its page cache (frames)
    [@TAG] fd PID FD       an open file: its inode, or a pipe's buffers and sleepers
    [@TAG] futex PID ADDR  the waiters queued on a futex word
    [@TAG] futexes PID     every futex queue the process's threads wait in
    [@TAG] sched           the run queue

PID may be `self` (the writer).  The kernel answers each request with one
JSON object, appended to HOSTFILE (a host file the guest cannot name or
reach), {"seq": n, "tag": TAG, "req": "...", ...}, and the write returns
its length; a request naming nothing that exists gets an "error" member and
the write fails with that errno (ESRCH, ENOENT, EBADF, EINVAL).

This file reads kernel structures and changes none of them, and nothing in
it is part of a lab: a lab's starter tree keeps it whole, so what it
reports is the kernel's true state whatever the student's code does.
"""

import json
import os

from kernel.errno import EBADF, EINVAL, ENOENT, ESRCH, Errno
from fs.file import FileOperations
from fs.char_dev import register_chrdev
from fs.devtmpfs import devtmpfs_create_node
from fs.inode import S_IFCHR
from fs.namei import path_lookup
from fs.pipe import get_pipe_info
from kernel import futex, sched, task as ktask
from kernel.task import find_task
from mm import physmem as _pm
from mm.debug import walk_tables
from mm.pgtable import _PAGE_PRESENT, pte_pfn, pte_present
from mm.physmem import PG_CACHE
from mm.vma import VM_SHARED

KSTATE_MAJOR, KSTATE_MINOR = 10, 245

_log_fd = None
_seq = 0


def kstate_setup(path):
    """The boot option kstate=PATH: open the log; raises OSError."""
    global _log_fd
    _log_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)


def kstate_init():
    """Register the device (called by start_kernel when the option is given)."""
    if _log_fd is None:
        return
    register_chrdev(KSTATE_MAJOR, KSTATE_MINOR, KstateOps())
    devtmpfs_create_node(b"kstate", S_IFCHR | 0o666, KSTATE_MAJOR, KSTATE_MINOR)


def emit(record):
    """Append one record to the log (also usable from kernel code)."""
    global _seq
    if _log_fd is None:
        return
    _seq += 1
    record = dict(record, seq=_seq)
    os.write(_log_fd, (json.dumps(record, sort_keys=True) + "\n").encode())


class KstateOps(FileOperations):
    def read(self, f, t, count):
        return b""

    def write(self, f, t, data):
        err = 0
        for line in data.decode(errors="replace").splitlines():
            if line.strip():
                e = request(t, line)
                err = err or e
        if err:
            raise Errno(err)
        return len(data)


def request(t, line):
    """Answer one request line; returns 0 or an errno."""
    words = line.split()
    tag = None
    if words and words[0].startswith("@"):
        tag = words.pop(0)[1:]
    rec = {"tag": tag, "req": " ".join(words)}
    err = 0
    try:
        if not words:
            raise Errno(EINVAL)
        fn = _REQUESTS.get(words[0])
        if fn is None:
            raise Errno(EINVAL)
        rec.update(fn(t, words[1:]))
    except Errno as e:
        err = e.errno
        rec["error"] = os.strerror(e.errno)
    except (ValueError, IndexError):
        err = EINVAL
        rec["error"] = os.strerror(EINVAL)
    emit(rec)
    return err


# -- the requests ------------------------------------------------------------------

def _task(t, word):
    p = t if word == "self" else find_task(int(word, 0))
    if p is None:
        raise Errno(ESRCH)
    return p


def _mm_of(p):
    if p.mm is None:
        raise Errno(ESRCH)
    return p.mm


_STATES = {0: "R", 1: "S", 2: "D", 4: "T", 8: "t", 16: "Z", 32: "X"}


def _vma(v):
    return {"start": v.start, "end": v.end, "flags": v.flags, "name": v.name,
            "shared": bool(v.flags & VM_SHARED),
            "file": None if v.file is None else v.file.inode.ino,
            "pgoff": v.pgoff}


def req_mm(t, args):
    """The VMAs and every user pte: [addr, pte, refcount of its frame,
    page-cache frame?]."""
    p = _task(t, args[0])
    mm = _mm_of(p)
    pm = _pm.physmem
    ptes = []
    for kind, a, pte in walk_tables(mm.pt):
        if kind == "pte" and a < mm.task_size:
            pfn = pte_pfn(pte)
            if pte_present(pte):
                ptes.append([a, pte, pm.refcount[pfn], bool(pm.flags[pfn] & PG_CACHE)])
            else:
                ptes.append([a, pte, 0, False])
    return {"pid": p.pid, "mm": id(mm), "rss": mm.rss, "total_vm": mm.total_vm,
            "nr_ptes": mm.pt.nr_ptes, "pgd": mm.pt.pgd, "brk": mm.brk,
            "start_brk": mm.start_brk, "start_stack": mm.start_stack,
            "task_size": mm.task_size, "users": mm.users,
            "vmas": [_vma(v) for v in mm.vmas], "ptes": ptes}


def req_pt(t, args):
    """Every page-table page of the mm, from the pgd down: [level, pfn,
    [[index, entry], ...]] with level 4 for the pgd and 1 for pte pages
    (only entries that are not zero)."""
    p = _task(t, args[0])
    mm = _mm_of(p)
    q = mm.pt.q
    out = []

    def walk(pfn, level, va):
        row = q[pfn << 9:(pfn << 9) + 512]
        ents = [[i, row[i]] for i in range(512) if row[i]]
        out.append({"level": level, "pfn": pfn, "va": va, "entries": ents})
        if level > 1:
            shift = 12 + 9 * (level - 1)
            for i, e in ents:
                if e & _PAGE_PRESENT:
                    walk(pte_pfn(e), level - 1, va | (i << shift))

    walk(mm.pt.pgd, 4, 0)
    return {"pid": p.pid, "pgd": mm.pt.pgd, "task_size": mm.task_size, "tables": out}


def _sigmask_list(m):
    return [s for s in range(1, 65) if m & (1 << (s - 1))]


def req_task(t, args):
    p = _task(t, args[0])
    return _task_info(p, full=True)


def _task_info(p, full=False):
    info = {"pid": p.pid, "tgid": p.tgid, "comm": p.comm.decode(errors="replace"),
            "state": _STATES.get(p.exit_state or p.state, "?"),
            "ppid": p.real_parent.tgid if p.real_parent is not None else 0,
            "nice": p.nice, "policy": p.policy, "vruntime": p.vruntime,
            "sched_ticks": p.sched_ticks, "utime": p.utime, "stime": p.stime,
            "min_flt": p.min_flt, "mm": id(p.mm) if p.mm is not None else None,
            "queued": p in sched.policy.tasks(), "running": p is sched.current}
    if full:
        sleeping = [q for q in p.sleeping_on]
        info.update({
            "rss": p.mm.rss if p.mm is not None else 0,
            "blocked": _sigmask_list(p.blocked),
            "pending": _sigmask_list((p.pending.signal if p.pending is not None else 0)
                                     | (p.signal.shared_pending.signal
                                        if p.signal.shared_pending is not None else 0)),
            "sleeping_on": len(sleeping), "in_kernel_sleep": p.kstack is not None,
            "sas": [p.sas_ss_sp, p.sas_ss_size],
            "nr_threads": p.signal.nr_threads,
            "handlers": {str(s): [a.handler, a.flags] for s, a in
                         enumerate(p.sighand.action) if s and a.handler > 1}
            if p.sighand is not None else {},
        })
    return info


def req_tasks(t, args):
    return {"tasks": [_task_info(p) for _, p in sorted(ktask.tasks.items())]}


def req_mem(t, args):
    pm = _pm.physmem
    return {"nr_frames": pm.nr_frames, "nr_free": pm.nr_free, "page_size": 4096}


def req_frames(t, args):
    pm = _pm.physmem
    out = {}
    for w in args:
        pfn = int(w, 0)
        if not 0 < pfn < pm.nr_frames:
            raise Errno(EINVAL)
        out[str(pfn)] = [pm.refcount[pfn], pm.flags[pfn]]
    return {"frames": out}


def _inode_info(inode):
    pm = _pm.physmem
    info = {"ino": inode.ino, "mode": inode.mode, "nlink": inode.nlink, "size": inode.size,
            "fstype": inode.sb.fstype}
    m = inode.mapping
    if m is not None:
        info["pages"] = {str(i): [pfn, pm.refcount[pfn]] for i, pfn in sorted(m.pages.items())}
        info["dirty"] = sorted(m.dirty)
    return info


def req_file(t, args):
    if not args:
        raise Errno(EINVAL)
    try:
        path = path_lookup(t, args[0].encode())
    except Errno:
        raise Errno(ENOENT)
    return _inode_info(path.dentry.inode)


def req_fd(t, args):
    p = _task(t, args[0])
    f = p.files.fd.get(int(args[1])) if p.files is not None else None
    if f is None:
        raise Errno(EBADF)
    out = {"pid": p.pid, "fd": int(args[1]), "flags": f.flags, "inode": _inode_info(f.inode)}
    pipe = get_pipe_info(f)
    if pipe is not None:
        out["pipe"] = {"nbytes": pipe.nbytes(), "bufs": [len(b.data) for b in pipe.bufs],
                       "max_usage": pipe.max_usage, "readers": pipe.readers,
                       "writers": pipe.writers,
                       "rd_waiters": [w.pid for w in pipe.rd_wait.waiters],
                       "wr_waiters": [w.pid for w in pipe.wr_wait.waiters]}
    return out


def req_futex(t, args):
    p = _task(t, args[0])
    addr = int(args[1], 0)
    key = futex.get_futex_key(_mm_of(p), addr, False)
    pkey = ("private", id(p.mm), addr)
    waiters = list(futex._queues.get(key, ())) + \
        (list(futex._queues.get(pkey, ())) if pkey != key else [])
    return {"pid": p.pid, "addr": addr, "key": key[0],
            "waiters": [q.task.pid for q in waiters],
            "states": [_STATES.get(q.task.state, "?") for q in waiters]}


def req_futexes(t, args):
    """Every futex queue holding a waiter that uses this process's mm: a
    private key names the word by its address, a shared one by the offset
    in the object that holds it."""
    p = _task(t, args[0])
    mm = _mm_of(p)
    out = []
    for key, waiters in sorted(futex._queues.items(), key=lambda kv: repr(kv[0])):
        mine = [q for q in waiters if q.mm is mm]
        if mine:
            out.append({"key": key[0], "addr": key[2] if key[0] == "private" else None,
                        "offset": key[2] if key[0] == "shared" else None,
                        "waiters": [q.task.pid for q in mine],
                        "states": [_STATES.get(q.task.state, "?") for q in mine]})
    return {"pid": p.pid, "queues": out}


def req_sched(t, args):
    return {"queue": [q.pid for q in sched.policy.tasks()],
            "current": sched.current.pid if sched.current is not None else None,
            "nr_switches": sched.nr_switches, "tick_clock": sched.tick_clock}


_REQUESTS = {"mm": req_mm, "pt": req_pt, "task": req_task, "tasks": req_tasks,
             "mem": req_mem, "frames": req_frames, "file": req_file, "fd": req_fd,
             "futex": req_futex, "futexes": req_futexes, "sched": req_sched}
