"""kernel/kcmp.py - kcmp: do two tasks share a kernel object?

Checkpoint/restore tools ask whether two processes share an open file
(KCMP_FILE, by fd in each), an address space, fd table, fs info (cwd, root,
umask), signal handlers, I/O context or SEM_UNDO list, or whether a file is
the one a given epoll instance watches (KCMP_EPOLL_TFD).  The answer is 0
for the same object, else 1 or 2 as the objects are ordered.  Linux orders
them by obfuscated kernel pointers; here the order is that of Python's
id(), just as arbitrary but consistent.  Both tasks must be inspectable
(kernel/ptrace_access.py), else EPERM.

An object a task has not got (no SEM_UNDO list yet, no I/O context yet)
is a null pointer on Linux too, and two nulls compare equal.
"""

import struct

from kernel.abi import s32
from kernel.errno import EBADF, EINVAL, ENOENT, EPERM, ESRCH
from kernel.ptrace_access import ptrace_may_access
from mm.uaccess import copy_from_user
from fs.eventpoll import is_file_epoll
from kernel.task import find_task

KCMP_FILE, KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND, KCMP_IO, KCMP_SYSVSEM, \
    KCMP_EPOLL_TFD = range(8)


def kcmp_ptr(a, b):
    if a is b:
        return 0
    ia = 0 if a is None else id(a)
    ib = 0 if b is None else id(b)
    return 1 if ia < ib else 2


def _file(task, idx):
    """The task's file at fd idx (an unsigned long: huge means none)."""
    files = task.files
    if files is None or idx >= 1 << 31:
        return None
    return files.fd.get(idx)


def _epoll_target(t, task1, task2, idx1, uslot):
    efd, tfd, toff = struct.unpack("<III", copy_from_user(t.mm, uslot, 12))
    f = _file(task1, idx1)
    if f is None:
        return -EBADF
    ef = _file(task2, efd)
    if ef is None:
        return -EBADF
    if not is_file_epoll(ef):
        return -EINVAL
    # a file's last close takes it off every epoll (Linux's eventpoll_release)
    found = [epi.file for epi in ef.private.items.values()
             if epi.fd == tfd and epi.file.refs > 0]
    if toff >= len(found):
        return -ENOENT
    return kcmp_ptr(f, found[toff])


def sys_kcmp(t, pid1, pid2, type_, idx1, idx2):
    pid1, pid2, type_ = s32(pid1), s32(pid2), s32(type_)
    task1 = find_task(pid1) if pid1 > 0 else None
    task2 = find_task(pid2) if pid2 > 0 else None
    if task1 is None or task2 is None:
        return -ESRCH
    if not ptrace_may_access(t, task1) or not ptrace_may_access(t, task2):
        return -EPERM
    if t.arch.BITS == 32:
        idx1 &= 0xFFFFFFFF
        idx2 &= 0xFFFFFFFF
    if type_ == KCMP_FILE:
        f1, f2 = _file(task1, idx1), _file(task2, idx2)
        if f1 is None or f2 is None:
            return -EBADF
        return kcmp_ptr(f1, f2)
    if type_ == KCMP_VM:
        return kcmp_ptr(task1.mm, task2.mm)
    if type_ == KCMP_FILES:
        return kcmp_ptr(task1.files, task2.files)
    if type_ == KCMP_FS:
        return kcmp_ptr(task1.fs, task2.fs)
    if type_ == KCMP_SIGHAND:
        return kcmp_ptr(task1.sighand, task2.sighand)
    if type_ == KCMP_IO:
        return kcmp_ptr(task1.io_context, task2.io_context)
    if type_ == KCMP_SYSVSEM:
        return kcmp_ptr(task1.sysvsem, task2.sysvsem)
    if type_ == KCMP_EPOLL_TFD:
        return _epoll_target(t, task1, task2, idx1, idx2)
    return -EINVAL
