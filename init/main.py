"""init/main.py - start_kernel: from the command line to a running init.

    ./linux [mem=SIZE] initrd=FILE init=PATH [quiet] [name=value ...] [-- ARG ...]

Boot: parse the command line, set up physical memory, register the
devices, mount the root filesystem (tmpfs filled from the initramfs, or a
host directory with rootfstype=hostfs), open /dev/console as init's fds 0,
1 and 2, exec init as pid 1, then run the scheduler until the machine
stops:

 - reboot(2) with POWER_OFF or HALT: "reboot: Power down", exit status 0;
 - init dies: "Kernel panic - not syncing: Attempted to kill init!" and the
   exit status of init (128+N if a signal killed it), so ./linux can stand
   in for the program in a script.

Whatever happens, every host process is killed and reaped on the way out.
"""

from kernel.abi import RLIMIT_NPROC, RLIMIT_SIGPENDING
import ctypes
import os
import sys
import traceback

from init import switches
from kernel import printk as kprintk, sched, task as ktask
from kernel.printk import pr_err, pr_info
import arch.x86_64 as default_arch
from block.bdev import bdget
from block.genhd import find_disk
from drivers.block.loop import loop_init
from drivers.block.ubd import UbdError, parse_ubd_option, ubd_init, ubd_shutdown
from drivers.console import console_init
from drivers.kmsg import kmsg_init
from drivers.kstate import kstate_init, kstate_setup
from drivers.mem import chr_dev_init
from fs import hostfs_policy
from fs.dcache import d_add
from fs.devtmpfs import devtmpfs_mount_on_dev
from fs.exec import kernel_execve
from fs.file import FilesStruct, FsStruct, O_RDWR
from fs.hostfs import make_hostfs
from fs.initramfs import InitramfsError, unpack_to_rootfs
from fs.inode import S_IFCHR, mkdev
from fs.mount import Mount, Path, set_root_mount
from fs.namespace import FILESYSTEMS
from fs.open import do_filp_open
from fs.tmpfs import make_tmpfs
from fs.userfaultfd import userfaultfd_init
from drivers.net.tun import tun_init
from kernel.errno import EACCES, ENOENT, ENOEXEC, Errno, errname
from kernel.exit import InitDied
from kernel.fork import max_threads
from kernel.sched import run_machine
from kernel.signal import init_task_signals
from kernel.sys import UTS_RELEASE, UTS_VERSION
from kernel.syscall import PowerOff, inject_oops
from kernel.task import Cred
from kernel.nsproxy import init_nsproxy
from kernel.trace import strace
from mm import debug
from mm.physmem import setup_physmem
from skas.process import kill_all
from skas.ptrace import Stats
from drivers.net.usernet import UserNetOptionError, parse_option
from kernel.gdbstub import gdbstub_init
from net.core.dev import net_dev_init

USAGE = ("usage: linux [mem=SIZE] initrd=FILE init=PATH [quiet|debug|loglevel=N] "
         "[strace=LIST [strace_file=PATH]] [gdb=PORT [gdb_exec=PATH] [gdb_pid=PID]] "
         "[root=/dev/root rootfstype=hostfs rootflags=DIR [ro|rw]] [hostfs=DIR[:rw] ...] "
         "[name=value ...] [-- ARG ...]")


class BootError(Exception):
    """A problem with what the user asked for: one line, non-zero exit."""


def parse_size(s):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    s = s.strip()
    try:
        if s and s[-1].upper() in mult:
            return int(s[:-1]) * mult[s[-1].upper()]
        return int(s)
    except ValueError:
        raise BootError("bad size %r (use e.g. 64M or 1G)" % s)


class Options:
    def __init__(self):
        self.mem = 256 << 20
        self.initrd = None
        self.init = None
        self.init_args = []
        self.env = [b"HOME=/", b"TERM=linux"]
        self.quiet = False
        self.loglevel = None
        self.root = None
        self.rootfstype = None
        self.rootflags = None
        self.read_only = None
        self.stats = False
        self.gdb_port = None            # kernel/gdbstub.py
        self.gdb_exec = None
        self.gdb_pid = None
        self.eth0 = None                # drivers/net/usernet.py: UserNetConfig
        self.strace = None              # strace=: the built-in tracer (kernel/trace/)
        self.strace_file = None
        self.ubd = []                   # drivers/block/ubd.py UbdConfigs


def parse_cmdline(argv):
    o = Options()
    for i, a in enumerate(argv):
        if a == "--":
            o.init_args = [x.encode() for x in argv[i + 1:]]
            break
        if a in ("-h", "--help"):
            raise BootError(USAGE)
        if _word_option(o, a):
            continue
        if "=" not in a or a.startswith("="):
            raise BootError("unknown option %r (arguments for init go after --)" % a)
        name, value = a.split("=", 1)
        if not (_boot_option(o, name, value) or _debug_option(o, name, value)
                or _device_option(o, name, value)):
            o.env.append(a.encode())            # NAME=VALUE for init's environment
    if o.gdb_port is None and (o.gdb_exec or o.gdb_pid):
        raise BootError("gdb_exec= and gdb_pid= need gdb=PORT")
    return o


def _word_option(o, a):
    """The options without a value; False: a is not one."""
    if a == "quiet":
        o.quiet = True
    elif a == "debug":
        o.loglevel = 10                         # CONSOLE_LOGLEVEL_DEBUG
    elif a == "stats":
        o.stats = True
    elif a == "check_mm":
        debug.check_enabled = True
    elif a in ("ro", "rw"):
        o.read_only = a == "ro"
    else:
        return False
    return True


def _boot_option(o, name, value):
    """Memory, the root file system, init and the kernel's own knobs;
    False: name is not one of them."""
    if name == "mem":
        o.mem = parse_size(value)
        if o.mem < (4 << 20):
            raise BootError("mem=%s is too small (at least 4M)" % value)
        if o.mem > (64 << 30):
            raise BootError("mem=%s is too large (at most 64G)" % value)
    elif name == "initrd":
        o.initrd = value
    elif name == "init":
        if not value.startswith("/"):
            raise BootError("init=%s: give an absolute path" % value)
        o.init = value.encode()
    elif name == "loglevel":
        try:
            o.loglevel = int(value)
        except ValueError:
            raise BootError("loglevel=%s: not a number (option loglevel=)" % value)
    elif name == "root":
        o.root = value
    elif name == "rootfstype":
        o.rootfstype = value
    elif name == "rootflags":
        o.rootflags = value
    elif name == "hostfs":
        # the host directories guests may mount (fs/hostfs_policy.py)
        try:
            hostfs_policy.parse_option(value)
        except hostfs_policy.PolicyError as e:
            raise BootError(str(e))
    elif name == "inject_oops":
        # fault injection for tests: these system calls hit a kernel bug
        inject_oops.update(value.split(","))
    elif name == "check_mm":
        # debugging: recount every frame's references at each wait and
        # at the end, logging the verdict (mm/debug.py)
        debug.check_enabled = value not in ("0", "off")
    else:
        return False
    return True


def _debug_option(o, name, value):
    """The GDB stub and the built-in tracer; False: name is neither."""
    if name == "gdb":
        # the GDB stub (kernel/gdbstub.py): listen on 127.0.0.1:PORT
        try:
            o.gdb_port = int(value)
        except ValueError:
            raise BootError("gdb=%s: give a port number (0: any free one)" % value)
        if not 0 <= o.gdb_port < 65536:
            raise BootError("gdb=%s: not a port number" % value)
    elif name == "gdb_exec":
        if not value.startswith("/"):
            raise BootError("gdb_exec=%s: give an absolute path" % value)
        o.gdb_exec = value
    elif name == "gdb_pid":
        try:
            o.gdb_pid = int(value)
        except ValueError:
            raise BootError("gdb_pid=%s: not a pid" % value)
    elif name == "strace":
        o.strace = value
    elif name == "strace_file":
        if not value:
            raise BootError("strace_file=: give a host file name")
        o.strace_file = value
    else:
        return False
    return True


def _device_option(o, name, value):
    """The network, disks, /dev/kstate and the fast-path switches; UML's
    options that mean nothing here are taken too.  False: none of them."""
    if name in ("eth0", "hostfwd"):
        # the user-mode network (drivers/net/usernet.py)
        try:
            o.eth0 = parse_option(name, value, o.eth0)
        except UserNetOptionError as e:
            raise BootError("%s=%s: %s" % (name, value, e))
    elif name.startswith("ubd") and _ubd_option(o, name, value):
        pass
    elif name == "kstate":
        # graders: /dev/kstate answers into this host file (drivers/kstate.py)
        try:
            kstate_setup(value)
        except OSError as e:
            raise BootError("kstate=%s: %s" % (value, e.strerror))
    elif switches.is_switch(name):
        # fast paths and the scheduler's clock (init/switches.py)
        try:
            switches.apply(name, value)
        except switches.SwitchError as e:
            raise BootError(str(e))
    elif name not in ("console", "con", "con0", "ssl", "umid"):
        return False
    return True


def _ubd_option(o, name, value):
    """ubdN[rsdct]=FILE[,BACKING]: a disk (drivers/block/ubd.py)."""
    try:
        cfg = parse_ubd_option(name, value)
    except UbdError as e:
        raise BootError(str(e))
    if cfg is None:
        return False
    o.ubd.append(cfg)
    return True


def pin_to_one_cpu():
    """One CPU: the kernel and all its host processes share a core.  A stop
    that wakes a tracer on another core costs ~50 us instead of ~5 us."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        cpu = libc.sched_getcpu()
        allowed = os.sched_getaffinity(0)
        if cpu not in allowed:
            cpu = min(allowed)
        os.sched_setaffinity(0, {cpu})
    except (OSError, AttributeError):
        pass


def become_subreaper():
    """Orphaned host processes (a stub whose parent stub died) come back to
    us, so that we can reap them."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)              # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def mount_root(o):
    if o.root and o.root.startswith("/dev/") and o.root != "/dev/root":
        return mount_block_root(o)
    if o.rootfstype == "hostfs" or (o.root and o.root != "/dev/root"):
        if o.rootfstype != "hostfs":
            raise BootError("root=%s: only rootfstype=hostfs is supported" % o.root)
        if not o.rootflags:
            raise BootError("rootfstype=hostfs needs rootflags=/host/dir")
        try:
            hostfs_policy.allow_root(o.rootflags, bool(o.read_only))
            sb = make_hostfs(o.rootflags, read_only=bool(o.read_only))
        except hostfs_policy.PolicyError as e:
            raise BootError(str(e))
        except OSError as e:
            raise BootError("rootflags=%s: %s" % (o.rootflags, e.strerror))
        mnt = Mount(sb, sb.root, source=b"/dev/root")
    else:
        sb = make_tmpfs(fstype="rootfs", mode=0o755)
        mnt = Mount(sb, sb.root, source=b"rootfs")
    set_root_mount(mnt)
    return Path(mnt, sb.root)


def mount_block_root(o):
    """root=/dev/ubda [rootfstype=ext2] [ro|rw] [rootflags=...]: the root
    file system on a disk (Linux's mount_block_root: each block file
    system type in turn unless rootfstype names one)."""
    disk = find_disk(o.root[len("/dev/"):])
    if disk is None:
        raise BootError("VFS: Cannot open root device \"%s\": no such disk (give ubd0=FILE)"
                        % o.root[len("/dev/"):])
    bdev = bdget(disk.dev)
    types = [o.rootfstype] if o.rootfstype else [n for n, (nodev, _) in FILESYSTEMS.items()
                                                if not nodev]
    flags = 1 if o.read_only else 0                 # MS_RDONLY; Linux's default is rw for ubd
    data = (o.rootflags or "").encode()
    last = None
    for typ in types:
        entry = FILESYSTEMS.get(typ)
        if entry is None or entry[0]:
            raise BootError("rootfstype=%s: not a file system on a block device" % typ)
        try:
            sb = entry[1](bdev, data, flags)
            break
        except Errno as e:
            last = e
            if e.errno in (13, 30) and not flags & 1:      # EACCES, EROFS: read-only then
                try:
                    sb = entry[1](bdev, data, flags | 1)
                    break
                except Errno as e2:
                    last = e2
    else:
        raise BootError("VFS: Unable to mount root fs on %s (%s)" % (o.root, errname(last.errno)))
    mnt = Mount(sb, sb.root, source=o.root.encode())
    mnt.read_only = sb.read_only
    set_root_mount(mnt)
    pr_info("VFS: Mounted root (%s filesystem)%s on device %d:%d." % (
        sb.fstype, " readonly" if sb.read_only else "", disk.major, disk.first_minor))
    return Path(mnt, sb.root)


def unpack_initrd(o, root):
    if o.initrd is None:
        return
    try:
        with open(o.initrd, "rb") as f:
            data = f.read()
    except OSError as e:
        raise BootError("initrd=%s: %s" % (o.initrd, e.strerror))
    try:
        n = unpack_to_rootfs(data, root.dentry)
    except InitramfsError as e:
        raise BootError("initrd=%s: %s" % (o.initrd, e))
    except MemoryError:
        raise BootError("initrd=%s: does not fit in mem=" % o.initrd)
    pr_info("Unpacking initramfs... %d entries" % n)


def ensure_console_node(root):
    """Like Linux's default initramfs: /dev/console must exist for init."""
    if root.dentry.inode.sb.read_only or root.dentry.inode.sb.fstype == "hostfs" \
            or root.dentry.inode.sb.bdev_backed():
        return
    d = root.dentry
    dev = d.children.get(b"dev")
    if dev is None:
        inode = d.inode.mkdir(b"dev", 0o755, Cred())
        dev = d_add(d, b"dev", inode)
    if b"console" not in dev.children and dev.inode.lookup(b"console") is None:
        inode = dev.inode.create(b"console", S_IFCHR | 0o600, Cred(), mkdev(5, 1))
        d_add(dev, b"console", inode)


def make_init_task(root):
    t = ktask.Task(1, default_arch)
    t.comm = b"swapper"
    t.fs = FsStruct(root, root)
    t.files = FilesStruct()
    t.nsproxy = init_nsproxy
    t.signal.pgrp = t.signal.session = 1
    t.signal.rlim[RLIMIT_NPROC] = [max_threads() // 2] * 2
    t.signal.rlim[RLIMIT_SIGPENDING] = [max_threads() // 2] * 2
    t.signal.leader = True
    init_task_signals(t)
    ktask.tasks[1] = t
    ktask._last_pid = 1
    sched.enqueue_task(t)
    return t


def open_console(t):
    try:
        f = do_filp_open(t, -100, b"/dev/console", O_RDWR, 0)
    except Errno:
        pr_err("Warning: unable to open an initial console.")
        return
    t.files.install(0, f)
    t.files.install(1, f.get())
    t.files.install(2, f.get())


def run_init(t, o):
    candidates = [o.init] if o.init else [b"/init", b"/sbin/init", b"/etc/init",
                                          b"/bin/init", b"/bin/sh"]
    last = None
    for path in candidates:
        argv = [path] + o.init_args
        try:
            kernel_execve(t, path, argv, o.env)
            return path
        except Errno as e:
            last = (path, e.errno)
            if o.init:
                break
    path, err = last
    if o.init:
        raise BootError("Kernel panic - not syncing: Requested init %s failed (error -%d: %s)."
                        % (path.decode(errors="replace"), err, _why(err)))
    raise BootError("Kernel panic - not syncing: No working init found.  "
                    "Try passing init= option to kernel. (%s)" % errname(err))


def _why(err):
    return {ENOENT: "no such file in the root filesystem",
            ENOEXEC: "not an ELF executable for x86_64 or i386",
            EACCES: "not an executable regular file"}.get(err, os.strerror(err))


def start_strace(o):
    """strace=LIST [strace_file=PATH]: trace the guests' system calls."""
    if o.strace is None:
        if o.strace_file is not None:
            raise BootError("strace_file=%s: give strace= too (e.g. strace=all)" % o.strace_file)
        return
    try:
        strace.enable(o.strace, o.strace_file)
    except strace.StraceError as e:
        raise BootError("%s (option strace=)" % e)


_opts = None


def start_kernel(argv):
    global _opts
    o = _opts = parse_cmdline(argv)
    if o.quiet:
        kprintk.console_loglevel = kprintk.CONSOLE_LOGLEVEL_QUIET
    if o.loglevel is not None:
        kprintk.console_loglevel = o.loglevel
    if o.init is None and o.initrd is None and o.rootfstype != "hostfs" and not (
            o.root and o.root.startswith("/dev/ubd")):
        raise BootError("nothing to boot: give initrd=FILE (and init=PATH)\n" + USAGE)
    if o.initrd is not None:
        try:
            with open(o.initrd, "rb"):
                pass
        except OSError as e:
            raise BootError("initrd=%s: %s" % (o.initrd, e.strerror))
    start_strace(o)
    pin_to_one_cpu()
    become_subreaper()
    pr_info("Linux version %s (pyuml, Python %d.%d) %s" % (
        UTS_RELEASE.decode(), sys.version_info[0], sys.version_info[1], UTS_VERSION.decode()))
    pr_info("Kernel command line: %s" % " ".join(argv))
    setup_physmem(o.mem)
    pr_info("Memory: %dK available" % (o.mem >> 10))
    chr_dev_init()
    kmsg_init()
    console_init()
    userfaultfd_init()
    tun_init()
    loop_init()
    if o.ubd:
        try:
            ubd_init(o.ubd)
        except UbdError as e:
            raise BootError("ubd: %s" % e)
    kstate_init()
    if o.eth0 is not None:
        # the network comes up on first use (net_dev_init), unless eth0
        # must listen for port forwards from the start
        try:
            net_dev_init(o.eth0)
        except Errno as e:
            raise BootError("eth0: a port forward cannot listen on the host: %s"
                            % os.strerror(e.errno))
    root = mount_root(o)
    if o.rootfstype == "hostfs" or root.mnt.sb.bdev_backed():
        devtmpfs_mount_on_dev(root)             # CONFIG_DEVTMPFS_MOUNT
    unpack_initrd(o, root)
    ensure_console_node(root)
    if o.gdb_port is not None:
        try:
            gdbstub_init(o.gdb_port, o.gdb_exec, o.gdb_pid)
        except OSError as e:
            raise BootError(str(e))
    t = make_init_task(root)
    open_console(t)
    path = run_init(t, o)
    pr_info("Run %s as init process" % path.decode(errors="replace"))
    return run_machine()


def _final_check(where):
    try:
        debug.check_point(where)
    except Exception as e:            # a debugging aid must not hide the exit
        pr_err("check_mm failed: %s: %s" % (type(e).__name__, e))


def _shutdown_disks():
    """Whatever was handed to the disks reaches the host files (what was
    still only dirty in the page cache is lost, as on Linux without sync)."""
    try:
        ubd_shutdown()
    except Exception as e:
        pr_err("ubd shutdown: %s: %s" % (type(e).__name__, e))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    status = 0
    try:
        start_kernel(argv)
    except BootError as e:
        sys.stderr.write("linux: %s\n" % e)
        status = 2 if "usage" in str(e) or "option" in str(e) else 1
    except PowerOff as e:
        _final_check("power-off")
        msg = {"power_off": "reboot: Power down", "halt": "reboot: System halted",
               "restart": "reboot: Restarting system"}[e.kind]
        kprintk.printk(msg, kprintk.KERN_NOTICE)
        status = 0
    except InitDied as e:
        _final_check("init exit")
        st = e.status
        pr_err("Kernel panic - not syncing: Attempted to kill init! exitcode=0x%08x" % st)
        status = (st >> 8) & 0xFF if st & 0x7F == 0 else 128 + (st & 0x7F)
    except KeyboardInterrupt:
        pr_err("pyuml: interrupted")
        status = 130
    except Exception as e:
        # a bug in the kernel outside any task: the machine is gone
        pr_err("Kernel panic - not syncing: %s: %s" % (type(e).__name__, e))
        for line in traceback.format_exc().rstrip().split("\n"):
            pr_err(line)
        status = 1
    finally:
        kill_all()
        if strace.enabled:
            strace.shutdown()
        _shutdown_disks()
        if _opts is not None and _opts.stats:
            sys.stderr.write("stats: ptrace_stops=%d syscalls=%d faults=%d vsyscalls=%d\n"
                             % (Stats.stops, Stats.syscalls, Stats.faults, Stats.vsyscalls))
        try:
            sys.stdout.flush()
        except OSError:
            pass
    return status


if __name__ == "__main__":
    sys.exit(main())
