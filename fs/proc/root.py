"""fs/proc/root.py - the top of /proc: one directory per process, self and
thread-self, the machine-wide files (meminfo, cpuinfo, stat, uptime,
loadavg, version, filesystems, mounts, cmdline, config.gz from
kernel/configs.py), sys/ (proc_sysctl.py) and sysvipc/ (sysvipc.py).

What busybox ps, top, free and mount read is here or in fs/proc/base.py.
"""

import time
import sys

from fs.dcache import Dentry
from fs.proc.base import proc_pid_dir
from fs.proc.inode import ProcDir, ProcFile, ProcInode, ProcLink, ProcSuperBlock
from fs.proc.proc_sysctl import proc_sys_dir
from fs.proc.sysvipc import proc_sysvipc_dir
from kernel.configs import show_config_gz
from block.genhd import partitions_text
from drivers.kmsg import proc_kmsg_fops
from fs.inode import S_IFREG, dev_major, dev_minor
from fs.mount import Path, all_mounts, d_path
from kernel import sched, task as ktask, timekeeping
from kernel.sys import UTS_RELEASE, UTS_VERSION, boot_monotonic
from kernel.sysrq import write_sysrq_trigger
from mm import physmem as _pm
from security.keys import proc

_sb = None


def _tasks():
    return ktask.tasks


def _uptime():
    return time.monotonic() - boot_monotonic()


def show_meminfo(reader):
    pm = _pm.physmem
    total = pm.nr_frames * 4
    free = pm.nr_free * 4
    cached = 0
    shmem = 0
    lines = [("MemTotal", total), ("MemFree", free), ("MemAvailable", free + cached),
             ("Buffers", 0), ("Cached", cached), ("SwapCached", 0),
             ("Active", total - free), ("Inactive", 0),
             ("Active(anon)", total - free), ("Inactive(anon)", 0),
             ("Active(file)", 0), ("Inactive(file)", 0), ("Unevictable", 0),
             ("Mlocked", 0), ("SwapTotal", 0), ("SwapFree", 0), ("Dirty", 0),
             ("Writeback", 0), ("AnonPages", total - free), ("Mapped", 0),
             ("Shmem", shmem), ("KReclaimable", 0), ("Slab", 0), ("SReclaimable", 0),
             ("SUnreclaim", 0), ("KernelStack", 0), ("PageTables", 0),
             ("CommitLimit", total), ("Committed_AS", total - free),
             ("VmallocTotal", 0), ("VmallocUsed", 0), ("VmallocChunk", 0)]
    return "".join("%-16s%8d kB\n" % (k + ":", v) for k, v in lines)


_cpuinfo_cache = None


def show_cpuinfo(reader):
    """The host's first processor, as the one CPU this machine has."""
    global _cpuinfo_cache
    if _cpuinfo_cache is None:
        try:
            with open("/proc/cpuinfo", "rb") as f:
                text = f.read().split(b"\n\n")[0]
        except OSError:
            text = b"processor\t: 0\nvendor_id\t: pyuml\nmodel name\t: pyuml virtual CPU"
        out = []
        for line in text.split(b"\n"):
            k = line.split(b":")[0].strip()
            if k == b"processor":
                line = b"processor\t: 0"
            elif k in (b"siblings", b"cpu cores"):
                line = k + b"\t: 1"
            elif k in (b"physical id", b"core id", b"apicid", b"initial apicid"):
                line = k + b"\t: 0"
            out.append(line)
        _cpuinfo_cache = b"\n".join(out) + b"\n\n"
    return _cpuinfo_cache


def show_stat(reader):
    tasks = _tasks().values()
    user = sum(t.utime for t in tasks) * 100
    system = sum(t.stime for t in tasks) * 100
    up = _uptime() * 100
    idle = max(0, up - user - system)
    cpu = "%d %d %d %d 0 0 0 0 0 0" % (user, 0, system, idle)
    btime = int(timekeeping.ktime_get_real_ns() / 1e9 - (time.monotonic() - boot_monotonic()))
    running = sum(1 for t in tasks if t.state == sched.TASK_RUNNING and not t.exit_state)
    blocked = sum(1 for t in tasks if t.state == sched.TASK_UNINTERRUPTIBLE)
    return ("cpu  %s\ncpu0 %s\nintr 0\nctxt %d\nbtime %d\nprocesses %d\n"
            "procs_running %d\nprocs_blocked %d\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n"
            % (cpu, cpu, sched.nr_switches, btime, ktask._last_pid, max(running, 1), blocked))


def show_uptime(reader):
    up = _uptime() + reader.nsproxy.time_ns.boottime / 1e9      # the reader's boot time
    return "%.2f %.2f\n" % (up, up)


def show_loadavg(reader):
    tasks = _tasks().values()
    running = sum(1 for t in tasks if t.state == sched.TASK_RUNNING and not t.exit_state)
    return "0.00 0.00 0.00 %d/%d %d\n" % (max(running, 1), len(tasks), ktask._last_pid)


def show_version(reader):
    return "Linux version %s (pyuml) %s\n" % (UTS_RELEASE.decode(), UTS_VERSION.decode())


def show_filesystems(reader):
    # cycle: fs.namespace -> fs.proc.root
    from fs.namespace import filesystems_text
    return filesystems_text()


def show_cmdline(reader):
    return " ".join(sys.argv[1:]) + "\n"


def _show_partitions(reader):
    return partitions_text()


def _escape(b):
    out = b""
    for c in b:
        if c in b" \t\n\\":
            out += b"\\%03o" % c
        else:
            out += bytes([c])
    return out


def show_mounts(root):
    """/proc/PID/mounts: the mounts visible from a task's root."""
    out = []
    for m in all_mounts:
        if m.parent is not m and m.mountpoint is None:
            continue
        p = Path(m, m.root)
        if root is not None and not _visible(p, root):
            continue
        where = d_path(p, root)
        opts = [b"ro" if m.read_only else b"rw"]
        fl = m.flags
        for bit, name in ((2, b"nosuid"), (4, b"nodev"), (8, b"noexec"), (1024, b"noatime"),
                          (2048, b"nodiratime"), (1 << 21, b"relatime"), (256, b"nosymfollow")):
            if fl & bit:
                opts.append(name)
        extra = m.options
        if extra and m.sb.fstype != "hostfs":
            opts.append(extra if isinstance(extra, bytes) else extra.encode())
        if m.sb.fstype == "hostfs":
            opts.append(m.sb.host_root.encode())
        fstype = m.sb.fstype.encode()
        out.append(b"%s %s %s %s 0 0\n" % (_escape(m.source), _escape(where), fstype,
                                           b",".join(opts)))
    return b"".join(out)


def show_mountinfo(root):
    """/proc/PID/mountinfo: ids, parent, device, root within the
    filesystem, mount point, options, "-", type, source, fs options."""
    out = []
    for m in all_mounts:
        p = Path(m, m.root)
        if root is not None and not _visible(p, root):
            continue
        names = []
        d = m.root
        while d.parent is not d:
            names.append(d.name)
            d = d.parent
        inner = b"/" + b"/".join(reversed(names))
        opts = b"ro" if m.read_only else b"rw"
        fl = m.flags
        for bit, name in ((2, b"nosuid"), (4, b"nodev"), (8, b"noexec"), (1024, b"noatime"),
                          (2048, b"nodiratime"), (1 << 21, b"relatime"), (256, b"nosymfollow")):
            if fl & bit:
                opts += b"," + name
        sbopts = b"ro" if m.sb.read_only else b"rw"
        extra = m.options
        if extra and m.sb.fstype != "hostfs":
            sbopts += b"," + (extra if isinstance(extra, bytes) else extra.encode())
        parent = m.parent.id if m.parent is not m else m.id
        dev = m.sb.dev
        # the optional fields: propagation (fs/pnode.py)
        tags = b""
        if m.group:
            tags += b" shared:%d" % m.group
        if m.master:
            tags += b" master:%d" % m.master
        if m.unbindable:
            tags += b" unbindable"
        out.append(b"%d %d %d:%d %s %s %s%s - %s %s %s\n" % (
            m.id, parent, dev_major(dev), dev_minor(dev), _escape(inner),
            _escape(d_path(p, root)), opts, tags, m.sb.fstype.encode(), _escape(m.source),
            sbopts))
    return b"".join(out)


def _visible(path, root):
    # cycle: fs.namespace -> fs.proc.root
    from fs.namespace import _reachable
    return _reachable(path, root)


def _keys_show(name):
    def show(t):
        return getattr(proc, name)(t)
    return show


def _root_entries():
    sb = _sb
    ents = {
        b"self": lambda: ProcLink(sb, ("self",), _self_target),
        b"thread-self": lambda: ProcLink(sb, ("thread-self",), _thread_self_target),
        b"meminfo": lambda: ProcFile(sb, ("meminfo",), show_meminfo),
        b"cpuinfo": lambda: ProcFile(sb, ("cpuinfo",), show_cpuinfo),
        b"stat": lambda: ProcFile(sb, ("stat",), show_stat),
        b"uptime": lambda: ProcFile(sb, ("uptime",), show_uptime),
        b"loadavg": lambda: ProcFile(sb, ("loadavg",), show_loadavg),
        b"version": lambda: ProcFile(sb, ("version",), show_version),
        b"filesystems": lambda: ProcFile(sb, ("filesystems",), show_filesystems),
        b"cmdline": lambda: ProcFile(sb, ("cmdline",), show_cmdline),
        b"config.gz": lambda: ProcFile(sb, ("config.gz",), show_config_gz),
        b"mounts": lambda: ProcLink(sb, ("mounts",), lambda: b"self/mounts"),
        b"net": lambda: ProcLink(sb, ("net",), lambda: b"self/net"),
        b"sys": proc_sys_dir(sb),
        b"kmsg": lambda: _kmsg_inode(sb),
        b"sysrq-trigger": lambda: ProcFile(sb, ("sysrq-trigger",), lambda t: b"", mode=0o200,
                                           store=_sysrq_trigger),
        b"partitions": lambda: ProcFile(sb, ("partitions",), _show_partitions),
        b"sysvipc": proc_sysvipc_dir(sb),
        b"keys": lambda: ProcFile(sb, ("keys",), _keys_show("show_keys")),
        b"key-users": lambda: ProcFile(sb, ("key-users",), _keys_show("show_key_users")),
    }
    for pid, t in sorted(_tasks().items()):
        if t.tgid == pid:
            ents[str(pid).encode()] = proc_pid_dir(sb, pid)
    return ents


def _sysrq_trigger(t, data):
    return write_sysrq_trigger(t, data)


def _kmsg_inode(sb):
    """/proc/kmsg: syslog(2)'s READ as a file (drivers/kmsg.py)."""
    inode = ProcInode(sb, S_IFREG | 0o400, ("kmsg",))
    inode.i_fop = proc_kmsg_fops
    return inode


def _current():
    return sched.current


def _self_target():
    t = _current()
    return str(t.tgid).encode() if t is not None else b""


def _thread_self_target():
    t = _current()
    return ("%d/task/%d" % (t.tgid, t.pid)).encode() if t is not None else b""


def proc_get_sb(read_only=False):
    global _sb
    if _sb is None:
        _sb = ProcSuperBlock(read_only)
        root = ProcDir(_sb, None, _root_entries)
        _sb.root = Dentry(b"/", None, root)
    return _sb
