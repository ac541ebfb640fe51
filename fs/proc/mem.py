"""fs/proc/mem.py - /proc/PID/mem: a process's memory as a file.

The file offset is the address.  Debuggers use it instead of word-at-a-time
PTRACE_PEEKTEXT (gdb reads and writes breakpoints through
/proc/PID/task/TID/mem).  Opening it asks what attaching a debugger would
(ptrace_may_access, with the opener's filesystem credentials); reads and
writes then go through mm/access_vm.py with the debugger's force, so a
breakpoint can be written into read-only text (copy on write).

The address space is the one the process had when the file was opened; once
it is gone (exit, exec) reads find nothing (EOF), as on Linux.
"""

from kernel.errno import EACCES, EINVAL, EIO, ESRCH, Errno
from fs.file import FileOperations, SEEK_CUR, SEEK_SET
from fs.inode import S_IFREG
from fs.proc.inode import ProcInode
from kernel.ptrace_access import PTRACE_MODE_ATTACH_FSCREDS, ptrace_may_access
from kernel.task import find_task
from mm.access_vm import access_remote_vm


class MemFileOperations(FileOperations):
    seekable = True
    splice_read = splice_write = False      # Linux's proc_mem_operations have neither

    def open(self, f, t):
        target = find_task(f.inode.tid)
        if target is None:
            raise Errno(ESRCH)
        if target.mm is None or not ptrace_may_access(t, target, PTRACE_MODE_ATTACH_FSCREDS):
            raise Errno(EACCES)
        f.private = target.mm

    def _rw(self, f, addr, data):
        mm = f.private
        if mm is None or mm.users == 0:
            return b"" if isinstance(data, int) else 0
        res = access_remote_vm(mm, addr, data, force=True)
        if not res and (data if isinstance(data, int) else len(data)):
            raise Errno(EIO)
        return res

    def read(self, f, t, count):
        data = self._rw(f, f.pos, count)
        f.pos += len(data)
        return data

    def pread(self, f, t, count, pos):
        return self._rw(f, pos, count)

    def write(self, f, t, data):
        n = self._rw(f, f.pos, bytes(data))
        f.pos += n
        return n

    def pwrite(self, f, t, data, pos):
        return self._rw(f, pos, bytes(data))

    def llseek(self, f, offset, whence):
        if whence == SEEK_SET:
            f.pos = offset
        elif whence == SEEK_CUR:
            f.pos += offset
        else:
            raise Errno(EINVAL)
        return f.pos


mem_fops = MemFileOperations()


class ProcMemFile(ProcInode):
    def __init__(self, sb, tid):
        super().__init__(sb, S_IFREG | 0o600, ("mem", tid))
        self.tid = tid
        self.i_fop = mem_fops
