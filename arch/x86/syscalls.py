"""arch/x86/syscalls.py - which entry point runs for each i386 system call name.

The dispatcher (kernel/syscall.py) runs sys_<name> for a name of the i386
table unless the subarch names another entry here (SYSCALL_OVERRIDES).
Three kinds of difference from x86_64:

 - i386's own calls and layouts, written in this folder: mmap2, stat64,
   statfs64, the old readdir, socketcall, set_thread_area, sigreturn,
   _llseek ...
 - the 16-bit uid calls (kernel/uid16.py) under the old names (getuid,
   chown ...), while the *32 names are the common 32-bit-id calls;
 - the *_time64 calls: common calls with 64-bit time structures
   (arch/x86/time64.py).

Everything else (read, write, open, getpid ...) is the common handler, which
sees a 32-bit task (task.arch.BITS == 32) and uses 32-bit layouts where they
differ (iovec, timespec, rlimit, sysinfo ...).
"""

from arch.x86 import cpu_faulting, ipc, mmap, oldsignal, signal, socketcall, stat, sys_ia32, tls
from kernel import uid16
from kernel.syscall import syscall_handler

_OWN = {
    "rt_sigreturn": signal.sys_rt_sigreturn,
    "sigreturn": signal.sys_sigreturn,
    "sigaction": oldsignal.sys_sigaction,
    "signal": oldsignal.sys_signal,
    "sigprocmask": oldsignal.sys_sigprocmask,
    "sigpending": oldsignal.sys_sigpending,
    "sigsuspend": oldsignal.sys_sigsuspend,
    "sgetmask": oldsignal.sys_sgetmask,
    "ssetmask": oldsignal.sys_ssetmask,
    "set_thread_area": tls.sys_set_thread_area,
    "arch_prctl": cpu_faulting.sys_ia32_arch_prctl,
    "get_thread_area": tls.sys_get_thread_area,
    "mmap2": mmap.sys_mmap2,
    "mmap": mmap.sys_old_mmap,
    "stat64": stat.sys_stat64,
    "lstat64": stat.sys_lstat64,
    "fstat64": stat.sys_fstat64,
    "fstatat64": stat.sys_fstatat64,
    "_llseek": sys_ia32.sys_llseek,
    "pread64": sys_ia32.sys_ia32_pread64,
    "pwrite64": sys_ia32.sys_ia32_pwrite64,
    "truncate": sys_ia32.sys_ia32_truncate,
    "ftruncate": sys_ia32.sys_ia32_ftruncate,
    "truncate64": sys_ia32.sys_ia32_truncate64,
    "ftruncate64": sys_ia32.sys_ia32_ftruncate64,
    "fadvise64": sys_ia32.sys_ia32_fadvise64,
    "fadvise64_64": sys_ia32.sys_ia32_fadvise64_64,
    "readahead": sys_ia32.sys_ia32_readahead,
    "fanotify_mark": sys_ia32.sys_ia32_fanotify_mark,
    "sendfile": sys_ia32.sys_ia32_sendfile,
    "fallocate": sys_ia32.sys_ia32_fallocate,
    "sync_file_range": sys_ia32.sys_ia32_sync_file_range,
    "statfs64": sys_ia32.sys_statfs64,
    "fstatfs64": sys_ia32.sys_fstatfs64,
    "readdir": sys_ia32.sys_old_readdir,
    "clone": sys_ia32.sys_ia32_clone,
    "waitpid": sys_ia32.sys_waitpid,
    "select": sys_ia32.sys_old_select,
    "nice": sys_ia32.sys_nice,
    "getrlimit": sys_ia32.sys_old_getrlimit,
    "olduname": sys_ia32.sys_olduname,
    "oldolduname": sys_ia32.sys_oldolduname,
    "socketcall": socketcall.sys_socketcall,
    "ipc": ipc.sys_ipc,
}

# i386 name -> common name
_ALIASES = {
    "ugetrlimit": "getrlimit",
    "fcntl64": "fcntl",
    "sendfile64": "sendfile",
    "_newselect": "select",
}

# the 16-bit uid calls, and the 32-bit ones that replaced them
_UID16 = ("chown", "lchown", "fchown", "getuid", "geteuid", "getgid", "getegid",
          "setuid", "setgid", "setreuid", "setregid", "setresuid", "getresuid",
          "setresgid", "getresgid", "setfsuid", "setfsgid", "getgroups", "setgroups")
for _n in _UID16:
    _ALIASES[_n + "32"] = _n


class _Overrides:
    """SYSCALL_OVERRIDES: looked up by name when the dispatcher builds the
    i386 table (the common handlers are all collected by then)."""

    def get(self, name):
        if name in _OWN:
            return _OWN[name]
        if name in _UID16:
            return getattr(uid16, "sys_%s16" % name)
        if name in _ALIASES:
            return syscall_handler(_ALIASES[name])
        # cycle: arch.x86.time64 -> arch.x86.compat, which reads arch.x86 as it loads
        from arch.x86.time64 import TIME64_CALLS, time64_entry
        if name in TIME64_CALLS:
            return time64_entry(name)
        return None

    def __contains__(self, name):
        return self.get(name) is not None


SYSCALL_OVERRIDES = _Overrides()
