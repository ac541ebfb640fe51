"""fs/exec.py - execve: replacing a process's program.

do_execve opens the file (it must be a regular file the caller may
execute), reads its first bytes into a LinuxBinprm and offers it to each
binary format in turn: "#!" scripts (fs/binfmt_script.py) rewrite the
arguments and start over with the interpreter; ELF (fs/binfmt_elf.py)
builds the new address space.  Past the point of no return (flush_old_exec)
the old mm is gone: a failure there kills the process, as on Linux.
"""

from kernel.abi import RLIMIT_STACK
from kernel.errno import E2BIG, EACCES, ENOEXEC, ENOENT, Errno, EINVAL, ELOOP
from fs.file import O_RDONLY, File
from fs.inode import S_ISGID, S_ISREG, S_ISUID, S_IXGRP
from fs.namei import AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, MAY_EXEC, \
    inode_permission, path_lookup
from fs.notify.fsnotify import fsnotify_access, fsnotify_open
from fs.read_write import generic_file_fops
from fs.exec_prefault import exec_prefault
from kernel import task as ktask, ptrace
from kernel.exit import do_exit, release_task
from kernel.nsproxy import exec_task_namespaces
from kernel.fork import exec_mm_alloc, vfork_release
from kernel.futex import exit_pi_state, exit_robust_list, mm_release
from kernel.task import PF_FORKNOEXEC
from kernel.posix_timers import exit_itimers
from kernel.printk import printk_once
from kernel.signal import SIG_IGN, SigAction
from mm.exit import mmput, setmax_mm_hiwater_rss
from mm.uaccess import get_user_ptr_array, strncpy_from_user
from security.keys.process_keys import exec_keys
import security.landlock.fs as landlock
from skas.fpu import clear_user_states, get_xstate, loaded
from kernel.capability import bprm_creds
from fs.stat import S_ISLNK
from io_uring.io_uring import io_uring_task_cancel
from mm.mmap import arch_pick_mmap_layout
from arch.x86.cpu_faulting import exec_reset

BINPRM_BUF_SIZE = 256
MAX_ARG_STRLEN = 131072
MAX_ARG_STRINGS = 0x7FFFFFFF
ARG_MAX = 2 * 1024 * 1024


class LinuxBinprm:
    def __init__(self, filename, argv, envp):
        self.filename = filename            # as given (for AT_EXECFN)
        self.interp = filename              # what is run (changed by #!)
        self.argv = list(argv)
        self.envp = list(envp)
        self.file = None
        self.buf = b""
        self.depth = 0                      # #! nesting
        self.secureexec = False             # AT_SECURE: set-id program

    def size(self):
        return sum(len(a) + 1 for a in self.argv) + sum(len(e) + 1 for e in self.envp)


def open_exec(t, name, dirfd=AT_FDCWD, flags=0):
    if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
        raise Errno(EINVAL)
    path = path_lookup(t, name, dirfd, follow=not flags & AT_SYMLINK_NOFOLLOW,
                       empty_ok=bool(flags & AT_EMPTY_PATH))
    inode = path.dentry.inode
    if S_ISLNK(inode.mode):
        raise Errno(ELOOP)              # AT_SYMLINK_NOFOLLOW: as O_NOFOLLOW
    inode.revalidate()
    if not S_ISREG(inode.mode):
        raise Errno(EACCES)
    if path.mnt.noexec:
        raise Errno(EACCES)
    inode_permission(t, inode, MAY_EXEC)
    if inode.mapping is None:
        raise Errno(EACCES)
    f = File(path, O_RDONLY, generic_file_fops)
    try:
        landlock.file_open(t, f, execute=True)
        # nobody may write it while it runs: held until the last reference
        # (the loader's, every mm's exe_file) goes
        inode.deny_write_access()
    except Errno:
        f.put()
        raise
    f.deny_write = True
    fsnotify_open(f, execute=True)
    return f


def bprm_creds_from_file(t, bprm):
    """The credentials the new program runs with (Linux's bprm_fill_uid and
    commoncap): a set-user-ID file makes its owner the effective uid, a
    set-group-ID one (group-executable) its group the effective gid -
    unless the mount is nosuid or the task has no_new_privs.  The saved
    and filesystem ids follow the effective ones either way.  Returns True
    when the program gets ids its caller did not have (AT_SECURE)."""
    cred = t.cred
    euid, egid = cred.euid, cred.egid
    f = bprm.file
    inode = f.inode
    mnt_nosuid = f.path.mnt.flags & 2        # MS_NOSUID
    if not mnt_nosuid and not t.no_new_privs:
        if inode.mode & S_ISUID:
            euid = inode.uid
        if inode.mode & (S_ISGID | S_IXGRP) == S_ISGID | S_IXGRP:
            egid = inode.gid
    changed = (euid, egid) != (cred.euid, cred.egid)
    cred.euid = cred.suid = cred.fsuid = euid
    cred.egid = cred.sgid = cred.fsgid = egid
    bprm.secureexec = cred.euid != cred.uid or cred.egid != cred.gid
    if changed:
        t.mm.dumpable = 0               # suid_dumpable
    return bprm.secureexec


def prepare_binprm(bprm):
    bprm.buf = bprm.file.mapping.read(0, BINPRM_BUF_SIZE)
    if bprm.buf:
        fsnotify_access(bprm.file)      # Linux's kernel_read tells watchers too


def search_binary_handler(t, bprm):
    # cycle: fs.binfmt_elf -> fs.exec
    from fs import binfmt_elf, binfmt_script
    for fmt in (binfmt_script, binfmt_elf):
        r = fmt.load_binary(t, bprm)
        if r is not None:
            return r
    raise Errno(ENOEXEC)


def do_execveat(t, dirfd, filename, argv, envp, flags=0):
    if not argv:
        # Linux 5.18+: no program sees argc 0 (argv[0] would be envp[0])
        printk_once("execve-null-argv", "process '%s' launched '%s' with NULL argv: "
                    "empty string added" % (t.comm.decode(errors="replace"),
                                            filename.decode(errors="replace")))
        argv = [b""]
    if len(argv) > MAX_ARG_STRINGS or len(envp) > MAX_ARG_STRINGS:
        raise Errno(E2BIG)
    bprm = LinuxBinprm(filename, argv, envp)
    if bprm.size() > ARG_MAX or any(len(a) >= MAX_ARG_STRLEN for a in argv + envp):
        raise Errno(E2BIG)
    bprm.file = open_exec(t, filename, dirfd, flags)
    try:
        prepare_binprm(bprm)
        r = search_binary_handler(t, bprm)
    finally:
        if bprm.file is not None:
            bprm.file.put()
    exec_prefault(t)
    return r


def _read_strings(t, addr):
    if not addr:
        return []
    ptrs = get_user_ptr_array(t.mm, addr, t.arch.BITS // 8, MAX_ARG_STRINGS)
    out = []
    total = 0
    for p in ptrs:
        s = strncpy_from_user(t.mm, p, MAX_ARG_STRLEN)
        total += len(s) + 1
        if total > ARG_MAX:
            raise Errno(E2BIG)
        out.append(s)
    return out


def begin_new_exec(t, bprm, arch):
    """The point of no return: t gets a new, empty address space of the
    given subarch, and loses what exec does not keep."""
    de_thread(t)
    exit_itimers(t)                     # POSIX timers do not survive exec (itimers do)
    io_uring_task_cancel(t)             # nor io_uring requests in flight
    mm = exec_mm_alloc(t, arch)
    old = t.mm
    exit_robust_list(t)
    exit_pi_state(t)
    mm_release(t)
    vfork_release(t)
    t.mm = t.active_mm = mm
    t.arch = arch
    arch_pick_mmap_layout(mm, t.signal.rlim[RLIMIT_STACK][0], t.personality)
    if old is not None:
        setmax_mm_hiwater_rss(t.signal, old)
        ctx = old.context
        if ctx is not None:
            if ctx.loaded_task is t:
                ctx.loaded_task = None
            if ctx.fpu_task is t:
                ctx.fpu_task = None
        mmput(old)
    mm.exe_file = bprm.file.get()
    bprm_creds(t.cred)                  # the capabilities the new program starts with
    mm.rlim = t.signal.rlim             # RLIMIT_AS/DATA for mm/mmap.py
    t.comm = bprm.filename.rsplit(b"/", 1)[-1][:15]
    t.flags &= ~PF_FORKNOEXEC
    if t.files.count > 1:
        shared = t.files
        t.files = shared.copy()
        shared.put()
    t.files.close_on_exec()
    bprm_creds_from_file(t, bprm)
    exec_keys(t)                    # thread and process keyrings do not survive
    if t.sighand.count > 1:
        t.sighand.count -= 1
        t.sighand = t.sighand.copy()
    dfl = SigAction()
    t.sighand.action = [a if a.handler == SIG_IGN else dfl for a in t.sighand.action]
    t.sas_ss_sp = t.sas_ss_size = t.sas_ss_flags = 0
    if mm.reused_host:
        # the host process was reused: whatever FP state it holds (ours or
        # a thread's that de_thread ended), the new program starts clean
        clear_user_states(t, get_xstate(t))
        if loaded(t):
            t.fpstate = None
    else:
        t.fpstate = None            # the new host process starts clean
    t.tls_array = None              # i386's TLS descriptors start empty
    exec_reset(t)
    exec_task_namespaces(t)
    t.regs_valid = True
    t.in_syscall = None
    return mm


def de_thread(t):
    """exec in a multi-threaded process: every other thread dies first, and
    the exec'ing thread becomes the process's leader."""
    others = [th for th in t.thread_group() if th is not t]
    if not others:
        return
    for th in others:
        if not th.exit_state:
            do_exit(th, 9)
    leader = t.group_leader
    if leader is not t:
        # take over the leader's pid, as Linux does
        old_pid = t.pid
        ktask.tasks.pop(old_pid, None)
        release_task(leader)
        t.pid = leader.pid
        t.group_leader = t
        t.exit_signal = leader.exit_signal
        t.real_parent = leader.real_parent
        t.parent = leader.parent
        t.children = leader.children
        for c in t.children:
            c.real_parent = c.parent = t
        if t.real_parent is not None:
            t.real_parent.children.append(t)
        ktask.tasks[t.pid] = t
    t.signal.nr_threads = 1


def sys_execve(t, filename, argv, envp):
    return sys_execveat(t, AT_FDCWD, filename, argv, envp, 0)


def sys_execveat(t, dirfd, filename, argv, envp, flags):
    name = strncpy_from_user(t.mm, filename, 4096)
    dirfd &= 0xFFFFFFFF
    dirfd = dirfd - (1 << 32) if dirfd & 0x80000000 else dirfd
    args = _read_strings(t, argv)
    env = _read_strings(t, envp)
    if not name and not flags & AT_EMPTY_PATH:
        return -ENOENT
    old_pid = t.pid
    do_execveat(t, dirfd, name, args, env, flags & 0xFFFFFFFF)
    if t.ptrace or ptrace.exec_hooks:
        # a tracer hears of it: PTRACE_EVENT_EXEC or SIGTRAP
        return ptrace.exec_stop(t, old_pid)
    return 0                    # rax of the new program (start_thread)


def kernel_execve(t, filename, argv, envp):
    """Start init (no user memory to read the arguments from)."""
    return do_execveat(t, AT_FDCWD, filename, argv, envp)
