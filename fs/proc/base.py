"""fs/proc/base.py - /proc/PID: one directory per process (and
/proc/PID/task/TID per thread).

Each entry is built when looked up, from the task as it is then: stat,
status, statm, cmdline and environ (read from the process's memory through
mm/uaccess.py, never ptrace), mem (fs/proc/mem.py), comm, maps, mounts, and
the magic links exe,
cwd, root and fd/N that point at the very files the process uses.
"""

from kernel.errno import EACCES, EINVAL, ENOENT, EPERM, ESRCH, Errno, ENOTTY
from fs.proc.inode import (ProcDir, ProcFile, ProcFileOperations, ProcLink, ProcRawFile,
                           proc_mounts_fops)
from fs.mount import d_path
from fs.nsfs import proc_ns_entries
from kernel.time import host_clock_ns
from kernel.time_namespace import proc_timens_set_offset, proc_timens_show_offsets
from kernel.user_namespace import (proc_show_map, proc_show_setgroups, proc_write_map,
                                   proc_write_setgroups)
from fs.proc import array
from fs.proc.task_mmu import (show_maps, pagemap_read, PROCMAP_QUERY,
    procmap_query, show_smaps)
from kernel.task import RLIM_INFINITY, find_task
from mm.uaccess import copy_from_user
from kernel.capability import CAP_SYS_ADMIN, CAP_SYS_NICE, CAP_SYS_RESOURCE, capable, cred_capable
from net.core.net_procfs import proc_net_dir
from fs.proc.mem import ProcMemFile
from mm.ptdump import vmprint


class ProcPidFileOperations(ProcFileOperations):
    """The files of /proc/PID: Linux's read with seq_read or their own
    ->read and write with ->write, so none can be spliced (mounts and
    mountinfo, proc_mounts_fops, can: copy_splice_read)."""
    splice_read = splice_write = False


proc_pid_fops = ProcPidFileOperations()


def _task(pid):
    t = find_task(pid)
    if t is None:
        raise Errno(ESRCH)
    return t


def _read_mm(t, start, end):
    mm = t.mm
    if mm is None or end <= start:
        return b""
    try:
        return copy_from_user(mm, start, min(end - start, 1 << 20))
    except Errno:
        return b""


def _cmdline(pid):
    def show(reader):
        t = _task(pid)
        mm = t.mm
        if mm is None:
            return b""
        data = _read_mm(t, mm.arg_start, mm.arg_end)
        # a process that rewrote its arguments without NULs continues into env
        if data and not data.endswith(b"\0"):
            data += _read_mm(t, mm.env_start, mm.env_end).split(b"\0", 1)[0]
        return data
    return show


def _environ(pid):
    def show(reader):
        t = _task(pid)
        mm = t.mm
        return b"" if mm is None else _read_mm(t, mm.env_start, mm.env_end)
    return show


def _auxv(pid):
    def show(reader):
        t = _task(pid)
        return t.mm.auxv if t.mm is not None else b""
    return show


def file_name(f):
    """What readlink of /proc/PID/fd/N says."""
    name = f.proc_name or f.inode.proc_name
    if name is not None:
        return name() if callable(name) else name
    if f.inode.pipe is not None and f.path.dentry.unhashed:
        return b"pipe:[%d]" % f.inode.ino
    return d_path(f.path)


def _per_fd(tid, make):
    """The entries of /proc/PID/fd/ or fdinfo/: one per open fd, made by make(fd)."""
    def entries():
        t = _task(tid)
        if t.files is None:
            return {}
        return {str(fd).encode(): make(fd) for fd in sorted(t.files.fd)}
    return entries


def _fd_dir(sb, pid, tid):
    return _per_fd(tid, lambda fd: _fd_link(sb, pid, tid, fd))


def _fd_link(sb, pid, tid, fd):
    def make():
        t = _task(tid)
        f = t.files.fd.get(fd) if t.files is not None else None
        if f is None:
            raise Errno(ENOENT)
        link = ProcLink(sb, ("fd", tid, fd, id(f)), lambda: file_name(f), lambda: f.path,
                        t.cred.euid, t.cred.egid, 0o700)
        return link
    return make


def _fdinfo_dir(sb, pid, tid):
    return _per_fd(tid, lambda fd: _fdinfo(sb, tid, fd))


def _fdinfo(sb, tid, fd):
    def make():
        def show(reader):
            t = _task(tid)
            f = t.files.fd.get(fd) if t.files is not None else None
            if f is None:
                raise Errno(ENOENT)
            flags = f.flags | (0o2000000 if fd in t.files.cloexec else 0)
            extra = f.f_op.show_fdinfo          # the file's own lines
            return "pos:\t%d\nflags:\t0%o\nmnt_id:\t%d\nino:\t%d\n%s" % (
                f.pos, flags, f.path.mnt.id, f.inode.ino, extra(f) if extra is not None else "")
        return ProcFile(sb, ("fdinfo", tid, fd), show, 0o444, fops=proc_pid_fops)
    return make


def _maps(pid):
    def show(reader):
        return show_maps(_task(pid).mm)
    return show


def _maps_file(sb, pid):
    """/proc/PID/maps, which also answers ioctl(PROCMAP_QUERY)."""
    inode = ProcFile(sb, (b"maps", pid), _maps(pid), 0o444, fops=proc_pid_fops)

    def ioctl(f, t, cmd, arg):
        if cmd & 0xFFFFFFFF != PROCMAP_QUERY:
            return -ENOTTY
        return procmap_query(_task(pid).mm, t, arg)
    inode.ioctl_fn = ioctl
    return inode


def _smaps(pid):
    def show(reader):
        return show_smaps(_task(pid).mm)
    return show


def _mounts(pid):
    def show(reader):
        # cycle: fs.proc.root -> fs.proc.base
        from fs.proc.root import show_mounts
        t = _task(pid)
        return show_mounts(t.fs.root if t.fs is not None else None)
    return show


def _mountinfo(pid):
    def show(reader):
        # cycle: fs.proc.root -> fs.proc.base
        from fs.proc.root import show_mountinfo
        t = _task(pid)
        return show_mountinfo(t.fs.root if t.fs is not None else None)
    return show


def _exe_path(pid):
    t = _task(pid)
    if t.mm is None or t.mm.exe_file is None:
        raise Errno(ENOENT)
    return t.mm.exe_file.path


def _fs_path(pid, which):
    t = _task(pid)
    if t.fs is None:
        raise Errno(ENOENT)
    return getattr(t.fs, which)


def _d_path_of(get):
    def target():
        return d_path(get())
    return target


def pid_entries(sb, pid, tid, with_task_dir=True):
    """The entries of /proc/PID (tid == pid) or /proc/PID/task/TID."""

    def f(name, show, mode=0o444, fops=proc_pid_fops):
        return name, (lambda: _own(ProcFile(sb, (name, tid), show, mode, fops=fops), tid))

    def text(fn):
        return lambda reader: fn(_task(tid))

    ents = dict([
        f(b"stat", text(lambda t: array.proc_pid_stat(t, None if tid == pid and with_task_dir else True))),
        f(b"status", lambda reader: array.proc_pid_status(_task(tid), reader)),
        f(b"statm", text(array.proc_pid_statm)),
        f(b"cmdline", _cmdline(tid)),
        f(b"environ", _environ(tid), 0o400),
        f(b"auxv", _auxv(tid), 0o400),
        f(b"comm", text(lambda t: t.comm + b"\n"), 0o644),
        f(b"smaps", _smaps(tid)),
        f(b"mounts", _mounts(tid), fops=proc_mounts_fops),
        f(b"mountinfo", _mountinfo(tid), fops=proc_mounts_fops),
        (b"oom_score_adj", lambda: _own(ProcFile(sb, (b"oom_score_adj", tid),
                                                 text(lambda t: b"%d\n" % t.signal.oom_score_adj),
                                                 0o644, store=_oom_score_adj_store(tid),
                                                 fops=proc_pid_fops), tid)),
        f(b"oom_score", text(_oom_score)),
        (b"coredump_filter", lambda: _own(ProcFile(sb, (b"coredump_filter", tid),
                                                   text(lambda t: b"%08x\n" % (t.mm.coredump_filter if t.mm else 0x33)),
                                                   0o644, store=_coredump_filter_store(tid),
                                                   fops=proc_pid_fops), tid)),
        (b"timerslack_ns", lambda: _own(ProcFile(sb, (b"timerslack_ns", tid),
                                                 text(lambda t: b"%d\n" % t.timer_slack_ns),
                                                 0o666, store=_timerslack_store(tid),
                                                 fops=proc_pid_fops), tid)),
        f(b"limits", text(_limits)),
        f(b"wchan", lambda reader: b"0"),
        f(b"schedstat", text(_schedstat)),
        f(b"pagetable", text(_pagetable), 0o400),
    ])
    ents[b"pagemap"] = lambda: _own(ProcRawFile(sb, ("pagemap", tid), _pagemap_open(tid),
                                                 _pagemap_read, 0o400), tid)
    ents[b"maps"] = lambda: _own(_maps_file(sb, tid), tid)
    ents[b"mem"] = lambda: _own(_mem_file(sb, tid), tid)
    ents[b"exe"] = lambda: _own(ProcLink(sb, ("exe", tid), _d_path_of(lambda: _exe_path(tid)),
                                         lambda: _exe_path(tid)), tid)
    ents[b"cwd"] = lambda: _own(ProcLink(sb, ("cwd", tid), _d_path_of(lambda: _fs_path(tid, "pwd")),
                                         lambda: _fs_path(tid, "pwd")), tid)
    ents[b"root"] = lambda: _own(ProcLink(sb, ("root", tid), _d_path_of(lambda: _fs_path(tid, "root")),
                                          lambda: _fs_path(tid, "root")), tid)
    ents[b"timens_offsets"] = lambda: _own(ProcFile(sb, (b"timens_offsets", tid),
                                                  text(_timens_offsets), 0o644,
                                                  store=_timens_offsets_store(tid),
                                                  fops=proc_pid_fops), tid)
    for name in (b"uid_map", b"gid_map", b"setgroups"):
        ents[name] = _userns_file(sb, tid, name)
    ents[b"ns"] = lambda: _own(ProcDir(sb, ("ns", tid), _ns_dir(sb, tid), 0o511), tid)
    ents[b"fd"] = lambda: _own(ProcDir(sb, ("fd", tid), _fd_dir(sb, pid, tid), 0o500), tid)
    ents[b"fdinfo"] = lambda: _own(ProcDir(sb, ("fdinfo", tid), _fdinfo_dir(sb, pid, tid), 0o500), tid)
    ents[b"net"] = proc_net_dir(sb, tid)
    if with_task_dir:
        ents[b"task"] = lambda: ProcDir(sb, ("task", pid), _task_dir(sb, pid))
    return ents


def _mem_file(sb, tid):
    return ProcMemFile(sb, tid)


def _coredump_filter_store(tid):
    """/proc/PID/coredump_filter: which mappings a core dump holds (a hex
    mask, the mm's, inherited by fork; default 0x33)."""
    def store(t, data):
        target = _task(tid)
        try:
            v = int(data.strip(), 0)
        except ValueError:
            raise Errno(EINVAL)
        if target.mm is not None:
            target.mm.coredump_filter = v & 0x1FF
        return len(data)
    return store


def _timerslack_store(tid):
    """/proc/PID/timerslack_ns: another process's takes CAP_SYS_NICE; 0
    means its default."""
    def store(t, data):
        target = _task(tid)
        try:
            v = int(data.strip())
        except ValueError:
            raise Errno(EINVAL)
        if v < 0:
            raise Errno(EINVAL)
        if target.tgid != t.tgid and not capable(t, CAP_SYS_NICE):
            raise Errno(EPERM)
        target.timer_slack_ns = v if v else target.default_timer_slack_ns
        return len(data)
    return store


def _oom_score(t):
    # Linux scales (1000 + badness) by 2/3, badness being mostly the score
    # adjustment for a process as small as ours; -1000 means "never".
    adj = t.signal.oom_score_adj
    return b"%d\n" % (0 if adj == -1000 else (1000 + adj) * 2 // 3)


def _oom_score_adj_store(tid):
    """Writing oom_score_adj: -1000..1000; going below the lowest value a
    privileged writer set needs CAP_SYS_RESOURCE (here: euid 0), as Linux."""
    def store(t, data):
        target = _task(tid)
        try:
            v = int(data.strip())
        except ValueError:
            raise Errno(EINVAL)
        if not -1000 <= v <= 1000:
            raise Errno(EINVAL)
        sig = target.signal
        if v < sig.oom_score_adj_min and not capable(t, CAP_SYS_RESOURCE):
            raise Errno(EACCES)
        sig.oom_score_adj = v
        if capable(t, CAP_SYS_RESOURCE):
            sig.oom_score_adj_min = v
        return len(data)
    return store


def _timens_offsets(t):
    return proc_timens_show_offsets(t.nsproxy.time_ns_for_children)


def _timens_offsets_store(tid):
    """/proc/PID/timens_offsets: set the offsets of the time namespace
    PID's children will be in (kernel/time_namespace.py)."""
    def store(t, data):
        target = _task(tid)
        proc_timens_set_offset(t, target.nsproxy.time_ns_for_children, data,
                               lambda clk: host_clock_ns(target, clk))
        return len(data)
    return store


def _userns_file(sb, tid, name):
    """/proc/PID/uid_map, gid_map, setgroups: PID's user namespace's
    (kernel/user_namespace.py), shown as the reader's namespace names ids."""
    def show(reader):
        ns = _task(tid).cred.user_ns
        if name == b"setgroups":
            return proc_show_setgroups(ns)
        return proc_show_map(ns, reader.cred.user_ns, name[:3].decode())

    def store(t, data):
        ns = _task(tid).cred.user_ns
        if name == b"setgroups":
            proc_write_setgroups(t.cred, ns, data)
        else:
            proc_write_map(t.cred, ns, name[:3].decode(), data)
        return len(data)
    return lambda: _own(ProcFile(sb, (name, tid), show, 0o644, store=store,
                                 fops=proc_pid_fops), tid)


def _ns_dir(sb, tid):
    return lambda: proc_ns_entries(sb, tid, _own)


def _own(inode, tid):
    """Per-process files belong to the process's owner."""
    t = _task(tid)
    inode.uid, inode.gid = t.cred.euid, t.cred.egid
    return inode


def _pagetable(t):
    return vmprint(t.mm).encode() if t.mm is not None else b""


def _pagemap_open(tid):
    """pagemap shows PFNs only to an opener with CAP_SYS_ADMIN."""
    def opened(opener):
        return (_task(tid), cred_capable(opener.cred, CAP_SYS_ADMIN))
    return opened


def _pagemap_read(state, pos, count):
    t, show_pfn = state
    return pagemap_read(t.mm, pos, count, show_pfn)


def _schedstat(t):
    """Linux's three numbers: ns on the CPU, ns waiting to run, runs."""
    return b"%d %d %d\n" % (int((t.utime + t.stime) * 1e9), int(t.sched_run_delay * 1e9),
                            t.sched_pcount)


def _limits(t):
    names = [("Max cpu time", "seconds"), ("Max file size", "bytes"),
             ("Max data size", "bytes"), ("Max stack size", "bytes"),
             ("Max core file size", "bytes"), ("Max resident set", "bytes"),
             ("Max processes", "processes"), ("Max open files", "files"),
             ("Max locked memory", "bytes"), ("Max address space", "bytes"),
             ("Max file locks", "locks"), ("Max pending signals", "signals"),
             ("Max msgqueue size", "bytes"), ("Max nice priority", ""),
             ("Max realtime priority", ""), ("Max realtime timeout", "us")]
    out = ["%-25s %-20s %-20s %-10s" % ("Limit", "Soft Limit", "Hard Limit", "Units")]
    for (name, unit), (soft, hard) in zip(names, t.signal.rlim):
        fmt = lambda v: "unlimited" if v == RLIM_INFINITY else str(v)  # noqa: E731
        out.append("%-25s %-20s %-20s %-10s" % (name, fmt(soft), fmt(hard), unit))
    return "\n".join(out) + "\n"


def _task_dir(sb, pid):
    def entries():
        t = _task(pid)
        out = {}
        for th in sorted(t.thread_group(), key=lambda x: x.pid):
            out[str(th.pid).encode()] = _tid_dir(sb, pid, th.pid)
        return out
    return entries


def _tid_dir(sb, pid, tid):
    def make():
        return _own(ProcDir(sb, ("tid", pid, tid), lambda: pid_entries(sb, pid, tid, False)), tid)
    return make


def proc_pid_dir(sb, pid):
    def make():
        task = _task(pid)
        # keyed by the process, not only its number: a later process with
        # the same pid gets another inode
        d = _own(ProcDir(sb, ("pid", pid, task.start_time), lambda: pid_entries(sb, pid, pid)), pid)
        # the process itself, not its number: pidfd_send_signal takes an
        # open /proc/PID as a pidfd (kernel/pidfd.py)
        d.proc_task = task
        return d
    return make
